package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"asiakassivu/internal/portal"
)

// Bulk writes, for loading many rows at once (synthetic load-test data,
// large imports). Each does what the matching single-row method does, with
// one multi-row statement per chunk of rows instead of one statement per
// row; the statements are prepared once per transaction like all others.

// bulkChunk is the number of rows per statement: large enough to cut the
// per-statement cost, small enough to stay far below both engines' limits
// on bound parameters.
const bulkChunk = 64

// values returns n rows of cols placeholders, "(…), (…)", numbered from
// $1. On SQLite the placeholders are plain "?": the driver looks every
// named or numbered parameter up by a linear scan, which makes binding a
// wide statement quadratic; plain ones it binds by position.
func (tx *Tx) values(n, cols int) string {
	var b strings.Builder
	p := 1
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			if tx.db.engine == SQLite {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			}
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// chunks calls fn with [lo, hi) ranges of at most bulkChunk of n items.
func chunks(n int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += bulkChunk {
		if err := fn(lo, min(lo+bulkChunk, n)); err != nil {
			return err
		}
	}
	return nil
}

// UpsertVisits writes visits as UpsertVisit does, many per statement.
func (tx *Tx) UpsertVisits(ctx context.Context, vs []portal.Visit) error {
	const cols = 19
	return chunks(len(vs), func(lo, hi int) error {
		q := visitInsert + tx.values(hi-lo, cols) + visitConflict
		args := make([]any, 0, (hi-lo)*cols)
		for _, v := range vs[lo:hi] {
			fee, reason := cancelFee(v)
			args = append(args, v.SiteID, nullID(v.ContractID), v.Source, v.ExternalID, v.StartsAt.UTC(), v.EndsAt.UTC(),
				string(v.Status), v.Service, v.WorkerFirstName, v.PriceCents, v.CustomerNote, v.ProviderNote, fee, reason, 0, tx.now, tx.now,
				v.ServiceSV, v.ServiceEN)
		}
		_, err := tx.exec(ctx, q, args...)
		return err
	})
}

// UpsertInvoices writes billing summaries as UpsertInvoice does (each
// invoice's lines are replaced), many per statement, and returns their ids
// in the order given.
func (tx *Tx) UpsertInvoices(ctx context.Context, invs []portal.Invoice) ([]int64, error) {
	const cols = 16
	ids := make([]int64, len(invs))
	err := chunks(len(invs), func(lo, hi int) error {
		q := invoiceInsert + tx.values(hi-lo, cols) + invoiceConflict + ` RETURNING id, source, external_id`
		args := make([]any, 0, (hi-lo)*cols)
		at := make(map[[2]string]int, hi-lo)
		for i, inv := range invs[lo:hi] {
			args = append(args, inv.CustomerID, inv.SiteID, inv.Source, inv.ExternalID, inv.Number, dateArg(inv.PeriodStart),
				dateArg(inv.PeriodEnd), dateArg(inv.IssuedOn), dateArg(inv.DueOn), dateArg(inv.PaidOn), string(inv.Status),
				inv.IsCreditNote, inv.TotalCents, inv.Reference, tx.now, tx.now)
			at[[2]string{inv.Source, inv.ExternalID}] = lo + i
		}
		s, err := tx.stmt(ctx, q)
		if err != nil {
			return err
		}
		rows, err := s.QueryContext(ctx, args...)
		if err != nil {
			return mapErr(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var id int64
			var key [2]string
			if err := rows.Scan(&id, &key[0], &key[1]); err != nil {
				return mapErr(err)
			}
			i, ok := at[key]
			if !ok {
				return fmt.Errorf("upsert invoices: unexpected row %v", key)
			}
			ids[i] = id
			n++
		}
		if err := rows.Err(); err != nil {
			return mapErr(err)
		}
		if n != hi-lo {
			// Two invoices with the same key in one chunk: the single-row
			// method would have kept the last; refuse instead of guessing.
			return fmt.Errorf("upsert invoices: %d rows for %d invoices: %w", n, hi-lo, portal.ErrConflict)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := chunks(len(ids), func(lo, hi int) error {
		args := make([]any, 0, hi-lo)
		for _, id := range ids[lo:hi] {
			args = append(args, id)
		}
		if _, err := tx.exec(ctx, stampProvider+`id IN `+tx.values(1, hi-lo), args...); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM invoice_lines WHERE invoice_id IN `+tx.values(1, hi-lo), args...)
		return err
	}); err != nil {
		return nil, err
	}
	type lineOf struct {
		invoice int64
		l       *portal.InvoiceLine
	}
	var lines []lineOf
	for i := range invs {
		for j := range invs[i].Lines {
			lines = append(lines, lineOf{ids[i], &invs[i].Lines[j]})
		}
	}
	const lcols = 13
	err = chunks(len(lines), func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*lcols)
		for _, x := range lines[lo:hi] {
			l := x.l
			args = append(args, x.invoice, l.Position, l.Description, dateArg(l.PerformedOn), l.QuantityMilli,
				l.UnitPriceCents, l.VATRateBP, l.NetCents, l.VATCents, l.TotalCents, l.IsWork, l.DescriptionSV, l.DescriptionEN)
		}
		_, err := tx.exec(ctx, `INSERT INTO invoice_lines (invoice_id, position, description, performed_on, quantity_milli,
				unit_price_cents, vat_rate_bp, net_cents, vat_cents, total_cents, is_work, description_sv, description_en)
			VALUES `+tx.values(hi-lo, lcols), args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// SeedMessages appends msgs to a thread only when the thread has no
// messages yet, so that loading the same history twice adds it once. It
// reports whether it added them.
func (tx *Tx) SeedMessages(ctx context.Context, threadID int64, msgs []portal.Message) (bool, error) {
	s, err := tx.stmt(ctx, `SELECT count(*) FROM messages WHERE thread_id = $1`)
	if err != nil {
		return false, err
	}
	var n int64
	if err := s.QueryRowContext(ctx, threadID).Scan(&n); err != nil {
		return false, mapErr(err)
	}
	if n > 0 || len(msgs) == 0 {
		return false, nil
	}
	const cols = 6
	err = chunks(len(msgs), func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*cols)
		for _, m := range msgs[lo:hi] {
			at := m.CreatedAt
			if at.IsZero() {
				at = tx.now
			}
			args = append(args, threadID, nullID(m.AuthorAccountID), m.AuthorKind, m.AuthorName, m.Body, at.UTC())
		}
		_, err := tx.exec(ctx, `INSERT INTO messages (thread_id, author_account_id, author_kind, author_name, body, created_at)
			VALUES `+tx.values(hi-lo, cols), args...)
		return err
	})
	return err == nil, err
}
