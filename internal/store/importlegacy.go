package store

import (
	"context"
	"fmt"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
)

// Bulk writes and reads for the import of the old extranet's export
// (legacyimport.Importer): many rows per statement, as in demo_bulk.go, with
// the ids of written rows handed back by their external ids.

// ImportRow is what an import last wrote for one (source, kind, legacy
// id): the digest of the row as read.
type ImportRow struct {
	ExternalID string
	Digest     []byte
}

// ImportDigests returns the stored digests of the given legacy ids of one
// kind, by external id; ids never imported are absent.
func (tx *Tx) ImportDigests(ctx context.Context, source, kind string, ids []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	err := chunks(len(ids), func(lo, hi int) error {
		args := make([]any, 0, hi-lo+2)
		args = append(args, source, kind)
		for _, id := range ids[lo:hi] {
			args = append(args, id)
		}
		rows, err := tx.query(ctx, `SELECT external_id, digest FROM import_rows WHERE source = $1 AND kind = $2
			AND external_id IN `+tx.placeholders(3, hi-lo), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var d []byte
			if err := rows.Scan(&id, &d); err != nil {
				return mapErr(err)
			}
			out[id] = d
		}
		return mapErr(rows.Err())
	})
	return out, err
}

// PutImportRows records the digests of rows an import wrote.
func (tx *Tx) PutImportRows(ctx context.Context, source, kind string, rows []ImportRow) error {
	const cols = 5
	return chunks(len(rows), func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*cols)
		for _, r := range rows[lo:hi] {
			args = append(args, source, kind, r.ExternalID, r.Digest, tx.now)
		}
		_, err := tx.exec(ctx, `INSERT INTO import_rows (source, kind, external_id, digest, updated_at) VALUES `+
			tx.values(hi-lo, cols)+` ON CONFLICT (source, kind, external_id) DO UPDATE SET digest = excluded.digest,
			updated_at = excluded.updated_at`, args...)
		return err
	})
}

// idTables are the tables whose ids ExternalIDs looks up.
var idTables = map[string]bool{"providers": true, "customers": true, "sites": true, "contracts": true, "invoices": true}

// ExternalIDs returns the ids of rows of table by their (source, external
// id); ids not found are absent.
func (tx *Tx) ExternalIDs(ctx context.Context, table, source string, ids []string) (map[string]int64, error) {
	if !idTables[table] {
		return nil, fmt.Errorf("external ids of %q: %w", table, portal.ErrNotFound)
	}
	out := make(map[string]int64, len(ids))
	err := chunks(len(ids), func(lo, hi int) error {
		args := make([]any, 0, hi-lo+1)
		args = append(args, source)
		for _, id := range ids[lo:hi] {
			args = append(args, id)
		}
		rows, err := tx.query(ctx, `SELECT external_id, id FROM `+table+` WHERE source = $1 AND external_id IN `+
			tx.placeholders(2, hi-lo), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ext string
			var id int64
			if err := rows.Scan(&ext, &id); err != nil {
				return mapErr(err)
			}
			out[ext] = id
		}
		return mapErr(rows.Err())
	})
	return out, err
}

// placeholders returns "($first, …)" of n numbered parameters, for an IN
// list after other parameters (values numbers from $1 only).
func (tx *Tx) placeholders(first, n int) string {
	b := make([]byte, 0, n*4+2)
	b = append(b, '(')
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = fmt.Appendf(b, "$%d", first+i)
	}
	return string(append(b, ')'))
}

// upsertIDs runs a multi-row INSERT … ON CONFLICT … RETURNING id,
// external_id per chunk of n rows of cols values, and returns the ids in
// the order of keys (every row's external id; one source per call).
func (tx *Tx) upsertIDs(ctx context.Context, insert, conflict string, cols int, keys []string, args func(i int) []any) ([]int64, error) {
	ids := make([]int64, len(keys))
	err := chunks(len(keys), func(lo, hi int) error {
		at := make(map[string]int, hi-lo)
		a := make([]any, 0, (hi-lo)*cols)
		for i := lo; i < hi; i++ {
			a = append(a, args(i)...)
			at[keys[i]] = i
		}
		rows, err := tx.query(ctx, insert+tx.values(hi-lo, cols)+conflict+` RETURNING id, external_id`, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var id int64
			var ext string
			if err := rows.Scan(&id, &ext); err != nil {
				return mapErr(err)
			}
			i, ok := at[ext]
			if !ok {
				return fmt.Errorf("upsert: unexpected row %q", ext)
			}
			ids[i] = id
			n++
		}
		if err := rows.Err(); err != nil {
			return mapErr(err)
		}
		if n != hi-lo {
			return fmt.Errorf("upsert: %d rows for %d keys: %w", n, hi-lo, portal.ErrConflict)
		}
		return nil
	})
	return ids, err
}

// UpsertProviders writes providers as UpsertProvider does, many per
// statement, and returns their ids in the order given. All must share
// one source.
func (tx *Tx) UpsertProviders(ctx context.Context, ps []portal.Provider) ([]int64, error) {
	keys := make([]string, len(ps))
	for i, p := range ps {
		keys[i] = p.ExternalID
	}
	ids, err := tx.upsertIDs(ctx, `INSERT INTO providers (source, external_id, name, business_id, city, phone, email, active, iban, bic,
			created_at, updated_at)
		VALUES `, `
		ON CONFLICT (source, external_id) DO UPDATE SET name = excluded.name, business_id = excluded.business_id,
			city = excluded.city, phone = excluded.phone, email = excluded.email, active = excluded.active,
			iban = excluded.iban, bic = excluded.bic, updated_at = excluded.updated_at`,
		12, keys, func(i int) []any {
			p := ps[i]
			return []any{p.Source, p.ExternalID, p.Name, p.BusinessID, p.City, p.Phone, p.Email, p.Active, p.IBAN, p.BIC, tx.now, tx.now}
		})
	if err != nil {
		return nil, err
	}
	return ids, tx.fillIssuerAccounts(ctx, ids)
}

// UpsertCustomers writes customer records as UpsertCustomer does (the
// normalised email, which links a record to an account, computed here),
// many per statement, and returns their ids in the order given. All must
// share one source.
func (tx *Tx) UpsertCustomers(ctx context.Context, cs []portal.Customer) ([]int64, error) {
	keys := make([]string, len(cs))
	for i, c := range cs {
		keys[i] = c.ExternalID
	}
	return tx.upsertIDs(ctx, `INSERT INTO customers (source, external_id, name, email, email_norm, phone, created_at, updated_at)
		VALUES `, `
		ON CONFLICT (source, external_id) DO UPDATE SET name = excluded.name, email = excluded.email,
			email_norm = excluded.email_norm, phone = excluded.phone, updated_at = excluded.updated_at`,
		8, keys, func(i int) []any {
			c := cs[i]
			return []any{c.Source, c.ExternalID, c.Name, c.Email, emailaddr.Normalize(c.Email), c.Phone, tx.now, tx.now}
		})
}

// UpsertSites writes sites as UpsertSite does (access instructions only
// when new), many per statement, and returns their ids in the order
// given. All must share one source.
func (tx *Tx) UpsertSites(ctx context.Context, ss []portal.Site) ([]int64, error) {
	keys := make([]string, len(ss))
	for i, s := range ss {
		keys[i] = s.ExternalID
	}
	return tx.upsertIDs(ctx, `INSERT INTO sites (customer_id, provider_id, source, external_id, name, street, postal_code, city,
			access_keys, access_door_code, access_pets, access_parking, access_other, created_at, updated_at)
		VALUES `, `
		ON CONFLICT (source, external_id) DO UPDATE SET customer_id = excluded.customer_id, provider_id = excluded.provider_id,
			name = excluded.name, street = excluded.street, postal_code = excluded.postal_code, city = excluded.city,
			updated_at = excluded.updated_at`,
		15, keys, func(i int) []any {
			s := ss[i]
			return []any{s.CustomerID, s.ProviderID, s.Source, s.ExternalID, s.Name, s.Street, s.PostalCode, s.City,
				s.Access.Keys, s.Access.DoorCode, s.Access.Pets, s.Access.Parking, s.Access.Other, tx.now, tx.now}
		})
}

// UpsertContracts writes contracts as UpsertContract does, many per
// statement, and returns their ids in the order given. All must share one
// source.
func (tx *Tx) UpsertContracts(ctx context.Context, cs []portal.Contract) ([]int64, error) {
	keys := make([]string, len(cs))
	for i, c := range cs {
		keys[i] = c.ExternalID
	}
	return tx.upsertIDs(ctx, `INSERT INTO contracts (site_id, source, external_id, kind, service, work_type, rhythm, price_cents, vat_free,
			start_date, end_date, created_at, updated_at)
		VALUES `, `
		ON CONFLICT (source, external_id) DO UPDATE SET site_id = excluded.site_id, kind = excluded.kind, service = excluded.service,
			work_type = excluded.work_type, rhythm = excluded.rhythm, price_cents = excluded.price_cents, vat_free = excluded.vat_free,
			start_date = excluded.start_date, end_date = excluded.end_date, updated_at = excluded.updated_at`,
		13, keys, func(i int) []any {
			c := cs[i]
			return []any{c.SiteID, c.Source, c.ExternalID, string(c.Kind), c.Service, c.WorkType, c.Rhythm, c.PriceCents, c.VATFree,
				dateArg(c.Start), dateArg(c.End), tx.now, tx.now}
		})
}

// StartImportRun records the start of an import run that writes, in the
// transaction of its first write, and returns the run's id.
func (tx *Tx) StartImportRun(ctx context.Context, source, files, checksum string) (int64, error) {
	return tx.insert(ctx, `INSERT INTO import_runs (source, files, checksum, started_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		source, files, checksum, tx.now)
}

// FinishImportRun records the end of an import run and its report (JSON).
func (tx *Tx) FinishImportRun(ctx context.Context, id int64, report string) error {
	_, err := tx.exec(ctx, `UPDATE import_runs SET finished_at = $1, report = $2 WHERE id = $3`, tx.now, report, id)
	return err
}

// LegacyUsernamesTaken returns which of the normalised usernames a stored
// credential already holds (usernames are unique over all sources), with
// that credential's external id.
func (tx *Tx) LegacyUsernamesTaken(ctx context.Context, norms []string) (map[string]string, error) {
	out := map[string]string{}
	err := chunks(len(norms), func(lo, hi int) error {
		args := make([]any, 0, hi-lo)
		for _, n := range norms[lo:hi] {
			args = append(args, n)
		}
		rows, err := tx.query(ctx, `SELECT username_norm, external_id FROM legacy_credentials
			WHERE username_norm IN `+tx.placeholders(1, hi-lo), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n, ext string
			if err := rows.Scan(&n, &ext); err != nil {
				return mapErr(err)
			}
			out[n] = ext
		}
		return mapErr(rows.Err())
	})
	return out, err
}

// HasImportRows reports whether any import of source has recorded a row:
// when none has, every row of an import is new and need not be looked up.
func (tx *Tx) HasImportRows(ctx context.Context, source string) (bool, error) {
	var n int64
	err := tx.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM import_rows WHERE source = $1 LIMIT 1) x`, source).Scan(&n)
	return n > 0, mapErr(err)
}
