package store

import "database/sql"

// PoolStats returns the connection-pool statistics of every pool, by name:
// "writer" and "reader" on SQLite, "pool" on PostgreSQL (where one pool
// does both). It is for metrics; reading them takes no connection.
func (db *DB) PoolStats() map[string]sql.DBStats {
	if db.r == db.w {
		return map[string]sql.DBStats{"pool": db.w.Stats()}
	}
	return map[string]sql.DBStats{"writer": db.w.Stats(), "reader": db.r.Stats()}
}
