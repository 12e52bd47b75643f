package outmail

import (
	"fmt"
	"strings"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// seal signs or encrypts a rendered mail, and is the one place that
// decides which. A mail is encrypted, signed by the robot, to the key its
// recipient pins, and to nothing else. It leaves signed only when it has
// no key and its kind's row allows that; a kind whose row says Always is
// refused with a key, since it was never meant to be encrypted.
func (r *renderer) seal(om *store.OutMail, k Kind, to Recipient, plain []byte) ([]byte, error) {
	switch {
	case to.FP == "" && r.row.Clear == Never:
		return nil, PermanentError{fmt.Errorf("%s mail carries embargoed content and has no key to encrypt to", k)}
	case to.FP != "" && r.row.Clear == Always:
		return nil, PermanentError{fmt.Errorf("%s mail is never encrypted, but names a key to encrypt to", k)}
	case to.Class == Public:
		return sign(plain, r.Keys.Project)
	case to.FP == "":
		return sign(plain, r.Keys.Robot)
	}
	key, who, err := r.pinnedKey(om, to)
	if err != nil {
		return nil, PermanentError{err}
	}
	if err := pgpmime.UsableForEncryption(key, r.Now); err != nil {
		return nil, PermanentError{fmt.Errorf("the key of %s: %w", who, err)}
	}
	out, err := r.encrypt(om, plain, key)
	if err != nil {
		return nil, fmt.Errorf("encrypt for %s: %w", who, err)
	}
	return out, nil
}

// pinnedKey finds the key with the fingerprint a mail pins, where its
// recipient's class keeps it, and names its holder. A key that is gone,
// changed, or no longer trusted is an error that says which.
func (r *renderer) pinnedKey(om *store.OutMail, to Recipient) (*crypto.Key, string, error) {
	switch to.Class {
	case Maintainer:
		if mk, ok := r.Keys.MaintainerByFP(to.FP); ok {
			return mk.Key, mk.Name, nil
		}
		for _, mk := range r.Keys.Maintainers {
			if len(om.To) == 1 && strings.EqualFold(mk.Address, om.To[0]) {
				return nil, "", fmt.Errorf("the key of maintainer %s changed or is no longer usable: this mail is pinned to %s, and is never sent to another key", mk.Name, to.FP)
			}
		}
		return nil, "", fmt.Errorf("no configured maintainer has the usable key %s this mail is pinned to (the maintainer was removed from the configuration, or their key changed)", to.FP)
	case Downstream:
		ck, ok := r.Keys.DownstreamByID(to.ID)
		if !ok {
			return nil, "", fmt.Errorf("downstream contact %s is no longer configured (this mail is pinned to its key %s)", to.ID, to.FP)
		}
		return contactKey(ck, "downstream contact "+to.ID, to.FP)
	case CNA:
		if r.Keys.CNA == nil {
			return nil, "", fmt.Errorf("no CNA is configured any more (this mail is pinned to the key %s)", to.FP)
		}
		return contactKey(*r.Keys.CNA, "the CNA", to.FP)
	case Reporter:
		return r.reporterKey(om, to)
	case Escalation:
		if r.Keys.Escalate == nil {
			return nil, "", fmt.Errorf("no escalation address is configured any more (this mail is pinned to the key %s)", to.FP)
		}
		return contactKey(*r.Keys.Escalate, "the escalation address", to.FP)
	}
	return nil, "", fmt.Errorf("no key for a %q recipient", to.Class)
}

// contactKey is a downstream contact's or the CNA's key, when it is still
// the one with fingerprint fp.
func contactKey(ck keyring.ContactKey, who, fp string) (*crypto.Key, string, error) {
	switch {
	case ck.Err != nil || ck.Key == nil:
		return nil, "", fmt.Errorf("%s has no usable key any more (%v); this mail is pinned to %s", who, ck.Err, fp)
	case !strings.EqualFold(ck.FP, fp):
		return nil, "", fmt.Errorf("the key of %s changed to %s: this mail is pinned to %s, and is never sent to another key", who, ck.FP, fp)
	}
	return ck.Key, ck.ID, nil
}

// reporterKey is the key the case stores for a reporter, when it is still
// the one the mail was queued for and one mail may be encrypted to
// (store.ReporterKey.Trusted).
func (r *renderer) reporterKey(om *store.OutMail, to Recipient) (*crypto.Key, string, error) {
	c, err := r.Tx.Case(om.Case)
	if err != nil {
		return nil, "", err
	}
	rk := c.UsableKey(to.Address)
	if rk == nil || !strings.EqualFold(rk.Fingerprint, to.FP) {
		return nil, "", fmt.Errorf("the reporter key %s this mail is pinned to is gone or no longer trusted", to.FP)
	}
	key, err := pgpmime.ReadKey([]byte(rk.Armored))
	if err != nil || !strings.EqualFold(key.GetFingerprint(), to.FP) {
		return nil, "", fmt.Errorf("the reporter key %s this mail is pinned to is gone", to.FP)
	}
	return key, "the reporter", nil
}

func sign(plain []byte, key *crypto.Key) ([]byte, error) {
	out, err := pgpmime.Sign(plain, key)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return out, nil
}

// encrypt encrypts a rendered mail to one key, signed by the robot. The
// readable outer Subject says only which case the mail is about, and,
// when robot.outer_subject is "kind", the row's neutral name of its kind:
// the real one travels inside, as a protected header, since a subject
// line alone can give an embargo away.
func (r *renderer) encrypt(om *store.OutMail, plain []byte, key *crypto.Key) ([]byte, error) {
	return pgpmime.EncryptHidingSubject(plain, []*crypto.Key{key}, r.Keys.Robot, r.outerSubject(om))
}

func (r *renderer) outerSubject(om *store.OutMail) string {
	tag := "[secbot]"
	if om.Case != "" {
		tag = "[" + om.Case + "]"
	}
	if r.Config.Robot.OuterSubject == config.OuterKind && r.row.Outer != "" {
		return tag + " " + r.row.Outer
	}
	return tag + " encrypted message"
}
