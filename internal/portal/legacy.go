package portal

// LegacyAlgorithm names how the old extranet hashed a password; each
// imported credential row names its own (PRODUCT.md C8).
type LegacyAlgorithm string

// The legacy algorithms the import accepts.
const (
	// LegacyBcrypt: a modular-crypt bcrypt string ($2a$, $2b$ or $2y$).
	LegacyBcrypt LegacyAlgorithm = "bcrypt"
	// LegacySHA256: lowercase hex of SHA-256(salt || password), the salt
	// given in its own column.
	LegacySHA256 LegacyAlgorithm = "sha256-salted"
)

// LegacyEligible is the legacy bridge's rule (PRODUCT.md C8): old
// credentials open the way to a new account for a customer whose regular
// contract began before the cut-over date, while the retirement date is
// still ahead.
func LegacyEligible(regularSince, cutover, retirement, today Date) bool {
	return !regularSince.IsZero() && regularSince.Before(cutover) && today.Before(retirement)
}
