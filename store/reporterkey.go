package store

import "time"

// Where a reporter key came from. The source decides whether mail to the
// reporter is encrypted to the key: only the sources Trusted names are
// used, so a source added later is unused until it is listed there.
const (
	// KeySourceReport: attached to the mail that opened the case, so it
	// carries the same trust as the report itself.
	KeySourceReport = "report"
	// KeySourceConfirmed: sent in a later mail, and learned only when a
	// reply carried the one-time token secbot mailed to the address.
	KeySourceConfirmed = "confirmed"
	// KeySourceMaintainer: set by a maintainer's signed command.
	KeySourceMaintainer = "maintainer"
	// KeySourceMigrated: stored by a secbot before schema 3, which kept
	// the first key any mail "from" the reporter carried. Whether that was
	// the opening report or a forgery is unknown, so it is never used
	// until a maintainer confirms it (or the reporter sends it again and
	// confirms it by mail).
	KeySourceMigrated = "migrated"
)

// ReporterKeys is what a case knows of one reporter's OpenPGP key.
type ReporterKeys struct {
	// Current is the stored key; mail is encrypted to it only when it is
	// Trusted.
	Current *ReporterKey `json:"current,omitempty"`
	// Pending is a key from a later mail, waiting for its round trip. It
	// is never used to encrypt.
	Pending *PendingKey `json:"pending,omitempty"`
	// Asked is when the last confirmation mail to the address was queued:
	// at most one goes out per interval, so that secbot cannot be made to
	// mail anyone repeatedly.
	Asked time.Time `json:"asked,omitzero"`
}

// ReporterKey is one stored reporter key and where it came from.
type ReporterKey struct {
	Armored     string `json:"armored"`
	Fingerprint string `json:"fingerprint"` // upper-case hex
	Source      string `json:"source"`      // a KeySource constant
	// Since is when it was stored (zero for a migrated key).
	Since time.Time `json:"since,omitzero"`
	// By is the signer fingerprint of the maintainer who set it.
	By string `json:"by,omitempty"`
	// Msg is the message that carried it, when one did.
	Msg uint64 `json:"msg,omitempty"`
}

// Trusted reports whether mail may be encrypted to k. It is closed by
// default: an unknown or migrated source is not trusted.
func (k *ReporterKey) Trusted() bool {
	if k == nil {
		return false
	}
	switch k.Source {
	case KeySourceReport, KeySourceConfirmed, KeySourceMaintainer:
		return k.Armored != "" && k.Fingerprint != ""
	}
	return false
}

// PendingKey is a key sent after the case opened, waiting for the reply
// that carries its token.
type PendingKey struct {
	Armored     string `json:"armored"`
	Fingerprint string `json:"fingerprint"`
	Msg         uint64 `json:"msg"` // the message that carried it
	// TokenHash is the hex SHA-256 of the one-time token mailed to the
	// address; the token itself is never kept on the case.
	TokenHash string    `json:"token_hash"`
	Asked     time.Time `json:"asked"`
	Expires   time.Time `json:"expires"`
}

// UsableKey returns the key mail to addr is encrypted to, or nil when
// mail to addr is only signed.
func (c *Case) UsableKey(addr string) *ReporterKey {
	if st := c.Keys[addr]; st != nil && st.Current.Trusted() {
		return st.Current
	}
	return nil
}

// KeysFor returns addr's key state, creating it.
func (c *Case) KeysFor(addr string) *ReporterKeys {
	if c.Keys == nil {
		c.Keys = map[string]*ReporterKeys{}
	}
	st := c.Keys[addr]
	if st == nil {
		st = &ReporterKeys{}
		c.Keys[addr] = st
	}
	return st
}
