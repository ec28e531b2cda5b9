package main

import (
	"context"
	"fmt"
	"log/slog"

	"asiakassivu/internal/app"
	"asiakassivu/internal/jobs"
	"asiakassivu/internal/mail"
	"asiakassivu/internal/push"
)

// registerPush reads the VAPID key pair (the first start makes it, in the
// database, so every instance signs with the same one) and lets the worker
// send push jobs. Push services may write to the --mail-from address about
// our traffic, so it is the VAPID subscriber.
func registerPush(ctx context.Context, a *app.App, w *jobs.Worker, mailFrom string, log *slog.Logger) error {
	keys, err := a.PushKeys(ctx)
	if err != nil {
		return startError{fmt.Errorf("web push: %w", err)}
	}
	from, err := mail.ParseAddress(mailFrom)
	if err != nil {
		return usageError{err: fmt.Errorf("--mail-from: %w", err)}
	}
	s, err := push.NewSender(push.SenderOptions{Keys: keys, Subscriber: from.Address, Now: a.Now})
	if err != nil {
		return startError{fmt.Errorf("web push: %w", err)}
	}
	w.RegisterPush(s)
	log.Info("web push on", "vapid_public_key", keys.Public, "subscriber", from.Address)
	return nil
}
