package mailbot

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// The reporter key rule. Nothing authenticates the sender of a reporter's
// mail: anyone who knows a case id and the reporter's address can write
// one. So a key is learned from mail only where the mail itself earns it:
//
//   - a key attached to the mail that opened the case carries the same
//     trust as the report, and is learned (store.KeySourceReport);
//   - a key from any later mail becomes pending: secbot mails the address
//     a one-time token (signed, not encrypted, carrying nothing of the
//     case but its id) and learns the key (store.KeySourceConfirmed) only
//     when a later mail from the address carries the token back, which
//     proves control of the inbox, as keys.openpgp.org does;
//   - a maintainer's signed command sets or drops a key (reporterkey_cmd.go),
//     and no mail ever replaces a key a maintainer set.
//
// An unconfirmed key is never used to encrypt.
const (
	// tokenPrefix starts every token, so that it is found in a reply.
	tokenPrefix = "SECBOT-KEY-"
	// maxTokens bounds the tokens read from one mail.
	maxTokens = 4
	// keyConfirmTTL is how long a token stays valid.
	keyConfirmTTL = 7 * 24 * time.Hour
	// keyConfirmInterval is the least time between two confirmation mails
	// to one reporter of one case: a key sent sooner is not taken.
	keyConfirmInterval = time.Hour
)

// tokenRE matches a token: the prefix and 160 random bits in base32.
var tokenRE = regexp.MustCompile(tokenPrefix + `[A-Z2-7]{32}`)

// newToken returns a fresh token and the hash the case keeps of it.
func newToken() (token, hash string, err error) {
	buf := make([]byte, 20)
	if _, err := rand.Read(buf); err != nil {
		return "", "", fmt.Errorf("key confirmation token: %w", err)
	}
	token = tokenPrefix + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(buf)
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// reporterKeyMail applies the reporter key rule to a recorded message and
// queues the confirmation mail it causes, in the open transaction. It
// returns how many mails it queued.
func (b *Bot) reporterKeyMail(tx *store.Tx, c *store.Case, m *store.Message, p *prepared, isNew bool, now time.Time) (int, error) {
	addr := p.env.From
	if p.signer != "" || !slices.Contains(c.Reporters, addr) {
		return 0, nil // a maintainer's keys are for commands; others' are not theirs to give
	}
	if !isNew && len(p.tokens) > 0 {
		if err := b.confirmKey(tx, c, addr, p.tokens, m, now); err != nil {
			return 0, err
		}
	}
	if p.pubKey == "" {
		return 0, nil
	}
	if isNew {
		c.KeysFor(addr).Current = &store.ReporterKey{Armored: p.pubKey, Fingerprint: keyFingerprint(p.pubKey),
			Source: store.KeySourceReport, Since: now, Msg: m.Key}
		return 0, nil
	}
	return b.proposeKey(tx, c, addr, p, m, now)
}

// proposeKey makes a key from a later mail pending and mails the address
// its token, unless the key is the one in use, a maintainer set the key,
// or the last confirmation mail is too recent.
func (b *Bot) proposeKey(tx *store.Tx, c *store.Case, addr string, p *prepared, m *store.Message, now time.Time) (int, error) {
	st := c.KeysFor(addr)
	fp := keyFingerprint(p.pubKey)
	ignore := func(why string) (int, error) {
		return 0, keyAudit(tx, c, now, "reporter-key-ignored", fmt.Sprintf("%s: key %s from message %d not taken: %s", addr, fp, m.Key, why))
	}
	switch {
	case st.Current.Trusted() && st.Current.Fingerprint == fp:
		return 0, nil
	case st.Current != nil && st.Current.Source == store.KeySourceMaintainer:
		return ignore("a maintainer set this reporter's key, and mail never replaces it")
	case p.env.Auto:
		return ignore("the mail is automatic (Auto-Submitted or a bulk Precedence)")
	case recently(st.Asked, now) && st.Pending != nil && st.Pending.Fingerprint == fp:
		return 0, nil // sent again: its confirmation is on its way
	case recently(st.Asked, now):
		return ignore(fmt.Sprintf("a confirmation mail went to the address less than %s ago", keyConfirmInterval))
	}
	token, hash, err := newToken()
	if err != nil {
		return 0, err
	}
	st.Pending = &store.PendingKey{Armored: p.pubKey, Fingerprint: fp, Msg: m.Key, TokenHash: hash, Asked: now, Expires: now.Add(keyConfirmTTL)}
	st.Asked = now
	if err := keyAudit(tx, c, now, "reporter-key-pending", fmt.Sprintf("%s: key %s from message %d; confirmation mailed, valid until %s", addr, fp, m.Key, outmail.FmtTime(st.Pending.Expires))); err != nil {
		return 0, err
	}
	return b.queueKeyConfirm(tx, c, addr, fp, token, p.env, m.Key, st.Pending.Expires, now)
}

// confirmKey learns addr's pending key when one of tokens is its token,
// still valid. A key a maintainer set is never replaced this way.
func (b *Bot) confirmKey(tx *store.Tx, c *store.Case, addr string, tokens []string, m *store.Message, now time.Time) error {
	st := c.Keys[addr]
	if st == nil || st.Pending == nil || !anyTokenMatches(tokens, st.Pending.TokenHash) {
		return nil
	}
	pk := st.Pending
	st.Pending = nil // single use, whatever happens next
	switch {
	case !now.Before(pk.Expires):
		return keyAudit(tx, c, now, "reporter-key-expired", fmt.Sprintf("%s: message %d confirmed key %s after its token expired; not learned", addr, m.Key, pk.Fingerprint))
	case st.Current != nil && st.Current.Source == store.KeySourceMaintainer:
		return keyAudit(tx, c, now, "reporter-key-ignored", fmt.Sprintf("%s: message %d confirmed key %s, but a maintainer set the key since; not learned", addr, m.Key, pk.Fingerprint))
	}
	st.Current = &store.ReporterKey{Armored: pk.Armored, Fingerprint: pk.Fingerprint, Source: store.KeySourceConfirmed, Since: now, Msg: pk.Msg}
	return keyAudit(tx, c, now, "reporter-key-confirmed", fmt.Sprintf("%s: key %s, confirmed by message %d", addr, pk.Fingerprint, m.Key))
}

// recently reports whether a confirmation mail queued at asked is too
// recent for another.
func recently(asked, now time.Time) bool {
	return !asked.IsZero() && now.Sub(asked) < keyConfirmInterval
}

func anyTokenMatches(tokens []string, hash string) bool {
	ok := false
	for _, t := range tokens {
		ok = subtle.ConstantTimeCompare([]byte(hashToken(t)), []byte(hash)) == 1 || ok
	}
	return ok
}

func keyAudit(tx *store.Tx, c *store.Case, now time.Time, action, detail string) error {
	return tx.Audit(store.AuditEntry{Time: now, Case: c.ID, Actor: "secbot", Action: action, Detail: detail})
}
