package store

import "context"

// ExecForTest runs one statement in tx: the external tests use it to
// re-run a migration's data statements on rows as an older version left
// them.
func (tx *Tx) ExecForTest(ctx context.Context, q string, args ...any) error {
	_, err := tx.exec(ctx, q, args...)
	return err
}

// MigrationText returns the text of one migration file of an engine.
func MigrationText(e Engine, name string) (string, error) {
	b, err := migrations.ReadFile("migrations/" + string(e) + "/" + name)
	return string(b), err
}
