package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"sync"
	"time"

	"asiakassivu/internal/portal"
)

// CreateSession stores a new session; only the token's hash is kept.
func (tx *Tx) CreateSession(ctx context.Context, s portal.Session) (int64, error) {
	return tx.insert(ctx, `INSERT INTO sessions (account_id, token_hash, user_agent, created_at, last_seen_at, auth_at, second_factor_at)
		VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING id`, s.AccountID, s.TokenHash, s.UserAgent, tx.now, timeArg(s.AuthAt),
		timeArg(s.SecondFactorAt))
}

// SessionByTokenHash returns the session whose token hashes to h, or
// portal.ErrNotFound.
func (tx *Tx) SessionByTokenHash(ctx context.Context, h []byte) (portal.Session, error) {
	var s portal.Session
	err := tx.queryRow(ctx, `SELECT id, account_id, token_hash, user_agent, created_at, last_seen_at, auth_at
		FROM sessions WHERE token_hash = $1`, h).
		Scan(&s.ID, &s.AccountID, &s.TokenHash, &s.UserAgent, timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, timeCol{&s.AuthAt})
	return s, mapErr(err)
}

// TouchSession records that the session was used now.
func (tx *Tx) TouchSession(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, tx.now, id)
	return affected(res, err)
}

// DeleteSession ends one session of an account.
func (tx *Tx) DeleteSession(ctx context.Context, accountID, id int64) error {
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE id = $1 AND account_id = $2`, id, accountID)
	return affected(res, err)
}

// DeleteSessionsExcept ends every session of an account but keep (0 ends all).
func (tx *Tx) DeleteSessionsExcept(ctx context.Context, accountID, keep int64) error {
	_, err := tx.exec(ctx, `DELETE FROM sessions WHERE account_id = $1 AND id <> $2`, accountID, keep)
	return err
}

// SessionsOf lists an account's sessions, most recently used first.
func (tx *Tx) SessionsOf(ctx context.Context, accountID int64) ([]portal.Session, error) {
	rows, err := tx.query(ctx, `SELECT id, account_id, user_agent, created_at, last_seen_at, auth_at
		FROM sessions WHERE account_id = $1 ORDER BY last_seen_at DESC, id DESC`, accountID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.Session, error) {
		var s portal.Session
		err := r.Scan(&s.ID, &s.AccountID, &s.UserAgent, timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, timeCol{&s.AuthAt})
		return s, err
	})
}

// ReplaceSessionToken gives a session a new token (after verification or a
// fresh sign-in) and records the time of authentication.
func (tx *Tx) ReplaceSessionToken(ctx context.Context, id int64, tokenHash []byte, authAt time.Time) error {
	res, err := tx.exec(ctx, `UPDATE sessions SET token_hash = $1, auth_at = $2, last_seen_at = $3 WHERE id = $4`,
		tokenHash, authAt.UTC(), tx.now, id)
	return affected(res, err)
}

// SetSecondFactor records that the session's person gave a second factor
// now.
func (tx *Tx) SetSecondFactor(ctx context.Context, id int64) error {
	return affected(tx.exec(ctx, `UPDATE sessions SET second_factor_at = $1 WHERE id = $2`, tx.now, id))
}

// SetSessionAuth records that the session's person entered their password
// now (a recent sign-in).
func (tx *Tx) SetSessionAuth(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `UPDATE sessions SET auth_at = $1 WHERE id = $2`, tx.now, id)
	return affected(res, err)
}

// SessionByID returns one session, or portal.ErrNotFound.
func (tx *Tx) SessionByID(ctx context.Context, id int64) (portal.Session, error) {
	var s portal.Session
	err := tx.queryRow(ctx, `SELECT id, account_id, token_hash, user_agent, created_at, last_seen_at, auth_at, second_factor_at
		FROM sessions WHERE id = $1`, id).
		Scan(&s.ID, &s.AccountID, &s.TokenHash, &s.UserAgent, timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, timeCol{&s.AuthAt},
			timeCol{&s.SecondFactorAt})
	return s, mapErr(err)
}

// SessionAccount is what authenticating a request needs: the session, its
// account (without the password hash) and the account's role.
type SessionAccount struct {
	Session    portal.Session
	Account    portal.Account
	Role       portal.Role
	ProviderID int64 // of staff
}

// SessionWithAccount returns the session whose token hashes to h with its
// account and the account's role, in one query, or portal.ErrNotFound.
func (tx *Tx) SessionWithAccount(ctx context.Context, h []byte) (SessionAccount, error) {
	var x SessionAccount
	s, a := &x.Session, &x.Account
	var admin bool
	err := tx.queryRow(ctx, `SELECT s.id, s.account_id, s.last_seen_at, s.auth_at, s.second_factor_at,
		a.id, a.email, a.email_norm, a.verified_at, a.language, `+roleCols("a.id")+`
		FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1`, h).
		Scan(&s.ID, &s.AccountID, timeCol{&s.LastSeenAt}, timeCol{&s.AuthAt}, timeCol{&s.SecondFactorAt},
			&a.ID, &a.Email, &a.EmailNorm, timeCol{&a.VerifiedAt}, &a.Language, &admin, &x.ProviderID)
	if err != nil {
		return x, mapErr(err)
	}
	x.Role, x.ProviderID = roleOf(admin, x.ProviderID)
	return x, nil
}

// SessionWithSites is SessionWithAccount and, when the account is verified,
// the sites of the customer records of its email address and those its
// active grants give it (with Site.Grant set) with the messages
// unread from the author kinds unreadFrom counted per site (as SiteList
// with Scope.EmailNorm), in one statement: every signed-in page reads it,
// so on PostgreSQL the session check is one round trip. The caller keeps
// the sites for customers only (a staff member's or an admin's own
// records are not what their pages list). sites is ordered by id; unread is
// nil when no site has any.
func (tx *Tx) SessionWithSites(ctx context.Context, h []byte, unreadFrom []string) (x SessionAccount, sites []portal.Site, unread map[int64]int, err error) {
	q, ok := sessionSitesTexts.Load(len(unreadFrom))
	if !ok {
		q, _ = sessionSitesTexts.LoadOrStore(len(unreadFrom), sessionSitesText(unreadFrom))
	}
	args := make([]any, 0, 1+len(unreadFrom))
	args = append(args, h)
	for _, k := range unreadFrom {
		args = append(args, k)
	}
	rows, err := tx.query(ctx, q.(string), args...)
	if err != nil {
		return x, nil, nil, mapErr(err)
	}
	defer rows.Close()
	s, a := &x.Session, &x.Account
	var (
		admin                   bool
		id, customer, provider  sql.NullInt64
		name, street, code, cty sql.NullString
		role, owner             string
		used                    time.Time
		n                       int
		found                   bool
	)
	dest := []any{&s.ID, &s.AccountID, timeCol{&s.LastSeenAt}, timeCol{&s.AuthAt}, timeCol{&s.SecondFactorAt},
		&a.ID, &a.Email, &a.EmailNorm, timeCol{&a.VerifiedAt}, &a.Language, &admin, &x.ProviderID,
		&id, &customer, &provider, &name, &street, &code, &cty, &n, &role, &owner, timeCol{&used}}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return x, nil, nil, mapErr(err)
		}
		found = true
		if !id.Valid {
			continue // the outer joins' row of an account or customer without sites
		}
		sites = append(sites, portal.Site{ID: id.Int64, CustomerID: customer.Int64, ProviderID: provider.Int64,
			Name: name.String, Street: street.String, PostalCode: code.String, City: cty.String,
			Grant: portal.GrantLink{Role: portal.GrantRole(role), OwnerName: owner, LastUsed: used}})
		if n != 0 {
			if unread == nil {
				unread = map[int64]int{}
			}
			unread[id.Int64] = n
		}
	}
	if err := rows.Err(); err != nil {
		return x, nil, nil, mapErr(err)
	}
	if !found {
		return x, nil, nil, portal.ErrNotFound
	}
	// The rows come in no set order (sorting them in the statement costs
	// more): by id, and a site both owned and granted (the record's email
	// now is the grantee's) once, as the owner's, the wider access.
	slices.SortFunc(sites, func(a, b portal.Site) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Grant.Role, b.Grant.Role))
	})
	sites = slices.CompactFunc(sites, func(a, b portal.Site) bool { return a.ID == b.ID })
	x.Role, x.ProviderID = roleOf(admin, x.ProviderID)
	return x, sites, unread, nil
}

// sessionSitesTexts holds SessionWithSites' query text by the number of
// author kinds, built once each.
var sessionSitesTexts sync.Map

// sessionSitesText is SessionWithSites' query for unreadFrom's number of
// author kinds ($2 on).
func sessionSitesText(unreadFrom []string) string {
	count := "0"
	if len(unreadFrom) > 0 {
		count, _ = unreadCountOf("st.id", "a.id", unreadFrom, []any{nil})
	}
	head := `SELECT s.id, s.account_id, s.last_seen_at, s.auth_at, s.second_factor_at,
		a.id, a.email, a.email_norm, a.verified_at, a.language, ` + roleCols("a.id") + `,
		st.id, st.customer_id, st.provider_id, st.name, st.street, st.postal_code, st.city, ` + count
	// The account's own sites, then (UNION ALL) the sites its active grants
	// give it, each with the grant's role and whose home it is.
	return head + `, '', '', NULL
		FROM sessions s JOIN accounts a ON a.id = s.account_id
		LEFT JOIN customers c ON c.email_norm = a.email_norm AND a.verified_at IS NOT NULL AND c.deleted_at IS NULL
		LEFT JOIN sites st ON st.customer_id = c.id AND st.deleted_at IS NULL
		WHERE s.token_hash = $1
		UNION ALL ` + head + `, g.role, c.name, g.last_used_at
		FROM sessions s JOIN accounts a ON a.id = s.account_id
		JOIN site_grants g ON g.grantee_account_id = a.id AND g.accepted_at IS NOT NULL AND g.ended_at IS NULL
		JOIN sites st ON st.id = g.site_id AND st.deleted_at IS NULL
		JOIN customers c ON c.id = st.customer_id AND c.deleted_at IS NULL
		WHERE s.token_hash = $1 AND a.verified_at IS NOT NULL`
}
