package mailbot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// maxCommandKeys bounds the keys read from one command mail.
const maxCommandKeys = 8

// commandKeys are the public keys attached to (or armored in) a
// maintainer's command mail that can encrypt now: the candidates of
// "reporter-key ADDRESS". The robot's and the maintainers' own keys (a
// mail client may attach its user's key) are left out.
func (b *Bot) commandKeys(raw []byte, now time.Time) []*crypto.Key {
	var out []*crypto.Key
	walkParts(raw, func(mediaType string, body []byte) bool {
		for _, block := range keyBlocks(mediaType, body) {
			key, err := pgpmime.ReadKey(block)
			if err != nil || key.IsPrivate() || pgpmime.UsableForEncryption(key, now) != nil || b.isOwnKey(key) {
				continue
			}
			fp := strings.ToUpper(key.GetFingerprint())
			if !slices.ContainsFunc(out, func(k *crypto.Key) bool { return strings.EqualFold(k.GetFingerprint(), fp) }) {
				out = append(out, key)
			}
		}
		return len(out) < maxCommandKeys
	})
	return out
}

func (b *Bot) isOwnKey(key *crypto.Key) bool {
	fp := strings.ToUpper(key.GetFingerprint())
	if fp == b.keys.RobotFP {
		return true
	}
	return slices.ContainsFunc(b.keys.Maintainers, func(mk keyring.MaintainerKey) bool { return mk.FP == fp })
}

// reporterKey sets, trusts or drops a reporter's key by command. What a
// maintainer sets is never replaced by mail (see keyconfirm.go).
func (r *cmdRun) reporterKey(cmd command.Command) (string, error) {
	addr := cmd.Address
	if !slices.Contains(r.c.Reporters, addr) {
		return "", fmt.Errorf("%s is not a reporter of this case (add it first with \"reporter %s\")", addr, addr)
	}
	st := r.c.KeysFor(addr)
	switch {
	case cmd.DropKey:
		if st.Current == nil && st.Pending == nil {
			return "", fmt.Errorf("%s has no key to drop", addr)
		}
		st.Current, st.Pending = nil, nil
		return "reporter key dropped: mail to " + addr + " is signed, not encrypted, until a key is set or confirmed", nil
	case cmd.Fingerprint != "":
		return r.trustKey(st, addr, cmd.Fingerprint)
	}
	key, note, err := pickKey(r.p.cmdKeys, addr, r.now)
	if err != nil {
		return "", err
	}
	armored, err := key.GetArmoredPublicKey()
	if err != nil {
		return "", fmt.Errorf("armor the key: %w", err)
	}
	r.setKey(st, armored, strings.ToUpper(key.GetFingerprint()))
	return fmt.Sprintf("reporter key of %s = %s (set by maintainer)%s", addr, outmail.SpacedFP(st.Current.Fingerprint), note), nil
}

// trustKey makes the pending or stored key with fingerprint fp the
// reporter's key, as set by this maintainer: the way to vouch for a key
// checked by other means, and for a migrated one.
func (r *cmdRun) trustKey(st *store.ReporterKeys, addr, fp string) (string, error) {
	switch {
	case st.Pending != nil && st.Pending.Fingerprint == fp:
		r.setKey(st, st.Pending.Armored, fp)
	case st.Current != nil && st.Current.Fingerprint == fp:
		r.setKey(st, st.Current.Armored, fp)
	default:
		return "", fmt.Errorf("%s has no pending or stored key %s (see the case summary; or attach the key and write \"reporter-key %s\")", addr, fp, addr)
	}
	return fmt.Sprintf("reporter key of %s = %s (set by maintainer)", addr, outmail.SpacedFP(fp)), nil
}

func (r *cmdRun) setKey(st *store.ReporterKeys, armored, fp string) {
	st.Current = &store.ReporterKey{Armored: armored, Fingerprint: fp, Source: store.KeySourceMaintainer,
		Since: r.now, By: r.p.signer, Msg: r.msg.Key}
	st.Pending = nil // its token can no longer change anything
}

// pickKey chooses the attached key for addr: the one whose user id names
// addr, else the only key attached.
func pickKey(keys []*crypto.Key, addr string, now time.Time) (*crypto.Key, string, error) {
	var named []*crypto.Key
	for _, k := range keys {
		if namesAddress(k, addr, now) {
			named = append(named, k)
		}
	}
	switch {
	case len(named) == 1:
		return named[0], "", nil
	case len(named) > 1:
		return nil, "", fmt.Errorf("%d attached keys name %s: attach only the one to use", len(named), addr)
	case len(keys) == 1:
		return keys[0], fmt.Sprintf(" (note: none of its user ids is %s)", addr), nil
	case len(keys) == 0:
		return nil, "", fmt.Errorf("no usable public key in this mail: attach the reporter's key (a .asc file), or paste it armored after the command block")
	}
	return nil, "", fmt.Errorf("%d keys in this mail and none names %s: attach only the one to use", len(keys), addr)
}
