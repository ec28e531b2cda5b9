package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// policyCmd is "asiakassivu policy set [--cancel-deadline-days N]
// [--late-fee-percent N] [--legacy-cutover DATE] [--legacy-retirement DATE]
// [--order-service-url URL] [--customer-service-phone P]
// [--customer-service-email E]": changes the chain policies from the server's
// command line (the admin console does the same); flags not given stay.
func policyCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	args = helpFor(args, "set")
	if len(args) == 0 || args[0] != "set" {
		return usageError{err: errors.New(`want "policy set [--cancel-deadline-days N] [--late-fee-percent N] [--legacy-cutover YYYY-MM-DD] [--legacy-retirement YYYY-MM-DD] [--order-service-url URL] [--customer-service-phone PHONE] [--customer-service-email EMAIL]"`)}
	}
	var d dbFlags
	fs := flag.NewFlagSet("policy set", flag.ContinueOnError)
	d.register(fs)
	days := fs.Int("cancel-deadline-days", 0, "free cancellation until this many days before a visit")
	fee := fs.Int("late-fee-percent", 0, "share of the visit's price charged for a later cancellation")
	cutover := fs.String("legacy-cutover", "", "old extranet: regular contracts begun before this date may use old credentials")
	retirement := fs.String("legacy-retirement", "", "old extranet: old credentials work until the day before this date")
	orderURL := fs.String("order-service-url", "", "where a person with no sites yet orders a service")
	servicePhone := fs.String("customer-service-phone", "", "the chain's customer service phone, on the contact page and in mails (\"\" clears it)")
	serviceEmail := fs.String("customer-service-email", "", "the chain's customer service email, on the contact page and in mails (\"\" clears it)")
	if err := parse(fs, args[1:], getenv); err != nil {
		return err
	}
	var c app.ChainPolicyChange
	var bad []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "cancel-deadline-days":
			c.CancelDeadlineDays = days
		case "late-fee-percent":
			c.LateFeePercent = fee
		case "order-service-url":
			c.OrderServiceURL = orderURL
		case "customer-service-phone":
			c.CustomerServicePhone = servicePhone
		case "customer-service-email":
			c.CustomerServiceEmail = serviceEmail
		case "legacy-cutover", "legacy-retirement":
			s := *cutover
			if f.Name == "legacy-retirement" {
				s = *retirement
			}
			d, err := portal.ParseDate(s)
			if err != nil {
				bad = append(bad, fmt.Sprintf("--%s: want a date YYYY-MM-DD, got %q", f.Name, s))
				return
			}
			if f.Name == "legacy-cutover" {
				c.LegacyCutover = &d
			} else {
				c.LegacyRetirement = &d
			}
		}
	})
	if len(bad) > 0 {
		return usageError{err: errors.New(strings.Join(bad, "; "))}
	}
	db, err := openDB(ctx, d, log)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := app.New(db, nil, log).ChangeChainPolicies(ctx, 0, c)
	var invalid app.InvalidInput
	if errors.As(err, &invalid) {
		var msgs []string
		for _, fe := range invalid {
			msgs = append(msgs, fe.Field+": "+policyProblems[fe.Key])
		}
		return usageError{err: errors.New(strings.Join(msgs, "; "))}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Policies: free cancellation until %d days before, then %d %%; old extranet for contracts begun before %s, until %s; order service at %s; customer service %q %q.\n",
		p.CancelDeadlineDays, p.LateFeePercent, p.LegacyCutover, p.LegacyRetirement, p.OrderServiceURL, p.CustomerServicePhone, p.CustomerServiceEmail)
	return nil
}

// policyProblems says each policy problem on the command line.
var policyProblems = map[string]string{
	"error.policy.deadline":    fmt.Sprintf("the cancellation deadline must be 0–%d days", app.MaxCancelDeadlineDays),
	"error.policy.fee":         "the late-cancellation fee must be 0–100 %",
	"pages.error.policy.phone": "the customer service phone must be 5–15 digits, with spaces, dashes, parentheses and a leading + allowed",
	"pages.error.policy.email": "the customer service email is not a valid address",
	"error.policy.legacyDates": "the legacy cut-over date must be before the retirement date",
	"error.policy.url":         "the order-service URL must be an absolute http(s) address",
}
