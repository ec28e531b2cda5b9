package app

import (
	"context"
	"errors"
	"fmt"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// SessionStands checks again, for a response that outlives its request
// (an open message stream), that token still stands for the viewer v it
// was opened with: the same session, not idle past SessionIdle, and the
// account's address, verification, role, provider and second factor as
// they were. Anything else — sign-out, sign-out everywhere, a password
// reset, account deletion, staff deactivation — gives
// portal.ErrUnauthenticated, and the response must end. It reads the
// database, so a revocation on another instance counts as well, and it
// does not move the session's last-used time (an open page is not a use).
func (a *App) SessionStands(ctx context.Context, token string, v Viewer) error {
	hash, ok := tokenHash(token)
	if !ok {
		return portal.ErrUnauthenticated
	}
	var sa store.SessionAccount
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		sa, err = tx.SessionWithAccount(ctx, hash)
		return err
	})
	if errors.Is(err, portal.ErrNotFound) {
		return portal.ErrUnauthenticated
	}
	if err != nil {
		return fmt.Errorf("session stands: %w", err)
	}
	s, acc := sa.Session, sa.Account
	same := s.ID == v.SessionID && acc.ID == v.AccountID && acc.EmailNorm == v.EmailNorm &&
		acc.Verified() == v.Verified && sa.Role == v.Role && sa.ProviderID == v.ProviderID &&
		(!v.SecondFactor || !s.SecondFactorAt.IsZero())
	if !same || a.db.Now().Sub(s.LastSeenAt) > SessionIdle {
		return portal.ErrUnauthenticated
	}
	return nil
}
