package outmail

import (
	"fmt"
	"slices"
)

// Class is the kind of party a mail goes to. It says where the key a
// mail is pinned to is looked up, and whether the party may have none.
type Class string

// The classes of recipient.
const (
	// Maintainer: a configured maintainer, named by key fingerprint alone
	// (never by their place in the config, which changes on every edit).
	Maintainer Class = "maintainer"
	// Reporter: a reporter of the case; the key, when there is one, is
	// the one the case stores for the address (store.Case.UsableKey).
	Reporter Class = "reporter"
	// Downstream: a configured downstream contact, by id and fingerprint.
	Downstream Class = "downstream"
	// CNA: the configured CVE Numbering Authority, by fingerprint.
	CNA Class = "cna"
	// Public: a public list; never encrypted, signed by the project key.
	Public Class = "public"
	// Escalation: response.escalate, by fingerprint.
	Escalation Class = "escalation"
)

// Recipient says whom a queued mail is for and pins the key it must be
// encrypted to. It is stored with the mail, so the mail goes to that key
// or nowhere: a maintainer added, removed or reordered, or a key changed
// in the config, never redirects it.
type Recipient struct {
	Class Class `json:"class"`
	// Address is the reporter whose stored key FP pins. The
	// acknowledgement, which goes to every reporter of a new case at
	// once and never encrypted, has none.
	Address string `json:"address,omitempty"`
	// ID is the downstream contact.
	ID string `json:"id,omitempty"`
	// FP is the fingerprint of the key the mail is encrypted to; empty
	// only for a reporter whose key we do not know, and a public list.
	FP string `json:"fp,omitempty"`
}

// ToMaintainer is the maintainer whose key has fingerprint fp.
func ToMaintainer(fp string) Recipient { return Recipient{Class: Maintainer, FP: fp} }

// ToReporter is the reporter addr, encrypted to the stored key fp, or
// signed only when fp is empty (and the mail's kind allows it).
func ToReporter(addr, fp string) Recipient { return Recipient{Class: Reporter, Address: addr, FP: fp} }

// ToDownstream is the downstream contact id, whose key is fp.
func ToDownstream(id, fp string) Recipient { return Recipient{Class: Downstream, ID: id, FP: fp} }

// ToCNA is the CNA, whose key is fp.
func ToCNA(fp string) Recipient { return Recipient{Class: CNA, FP: fp} }

// ToEscalation is response.escalate, whose key is fp.
func ToEscalation(fp string) Recipient { return Recipient{Class: Escalation, FP: fp} }

// ToPublic is a public list.
func ToPublic() Recipient { return Recipient{Class: Public} }

// check refuses a recipient that a mail of kind k may not go to, or that
// lacks what its class needs: maintainers, downstream contacts and the
// CNA always need a key, a downstream contact its id, a reporter with a
// key its address, and a public list has no key.
func (r Recipient) check(k Kind, row Row) error {
	if !slices.Contains(row.To, r.Class) {
		return fmt.Errorf("a %s mail may not go to a %q recipient", k, r.Class)
	}
	switch {
	case r.Class == Public && r.FP != "":
		return fmt.Errorf("a public list has no key to encrypt to")
	case (r.Class == Maintainer || r.Class == Downstream || r.Class == CNA || r.Class == Escalation) && r.FP == "":
		return fmt.Errorf("%s mail has no key to encrypt to", r.Class)
	case r.Class == Downstream && r.ID == "":
		return fmt.Errorf("downstream mail names no contact")
	case r.Class == Reporter && r.FP != "" && r.Address == "":
		return fmt.Errorf("reporter mail pins a key but names no reporter")
	}
	return nil
}
