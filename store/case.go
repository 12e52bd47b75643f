package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/versions"
)

// Case states.
const (
	StateNew       = "new"
	StateAccepted  = "accepted"
	StateRejected  = "rejected"
	StateDuplicate = "duplicate"
	StateClosed    = "closed"
	StatePublished = "published"
)

// Case is one report, of one or more vulnerabilities, and everything
// known about it.
type Case struct {
	ID      string    `json:"id"`
	State   string    `json:"state"`
	Subject string    `json:"subject"` // subject of the first message, as sent
	Opened  time.Time `json:"opened"`
	Updated time.Time `json:"updated"`
	// Reporters are the addresses replies to the reporter go to: the sender
	// of the first message, plus co-reporters maintainers add.
	Reporters []string `json:"reporters"`
	// Keys are the reporters' OpenPGP keys by address, with where each
	// came from (see ReporterKeys). Schema 2 kept a bare armored key per
	// address under "reporter_keys"; Open migrates it (see migrate.go).
	Keys map[string]*ReporterKeys `json:"keys,omitempty"`
	// Internal is set when a maintainer opened the case (an internal finding).
	Internal bool `json:"internal,omitempty"`
	// Messages are keys into the messages bucket, in arrival order.
	Messages []uint64 `json:"messages"`
	// Fields are the advisory fields maintainers set by command that the
	// case's vulnerabilities share; Vulns are the vulnerabilities, at
	// least one, each with its own fields, in the order they were added.
	Fields Fields `json:"fields"`
	Vulns  []Vuln `json:"vulns"`
	// VulnSeq is the number the last vulnerability added got.
	VulnSeq int `json:"vuln_seq"`
	// DuplicateOf names the case this one duplicates.
	DuplicateOf string `json:"duplicate_of,omitempty"`
	// Reason is why the case was rejected.
	Reason string `json:"reason,omitempty"`
	// Embargo is the pre-notification and publication state.
	Embargo Embargo `json:"embargo"`
	// LastMaintainer is when a maintainer's signed mail last came in on
	// the case (a command, or any signed word): the response-time
	// promise is kept once it is set.
	LastMaintainer time.Time `json:"last_maintainer,omitzero"`
	// Talk is the conversation with the downstream contacts (talk.go).
	Talk []Talk `json:"talk,omitempty"`
}

// Embargo is what a case has told whom before its CRD, and whether its
// announcement is armed.
type Embargo struct {
	// Notify are the downstream contact ids chosen with `notify`.
	Notify []string `json:"notify,omitempty"`
	// Start is when the first pre-notification went out: the embargo
	// clock (the distros list's 14 days) runs from there.
	Start time.Time `json:"start,omitzero"`
	// Sent records, per downstream id, what the last pre-notification
	// carried, so that a re-send can say what changed.
	Sent map[string]Sent `json:"sent,omitempty"`
	// Armed is set by `publish`: the announcement goes out at the CRD.
	Armed     bool      `json:"armed,omitempty"`
	Published time.Time `json:"published,omitzero"`
	// PublicFix is set when the fix is already public, which rules out
	// the distros list.
	PublicFix bool `json:"public_fix,omitempty"`
	// Reminded is the CRD a 48-hour reminder was sent for.
	Reminded time.Time `json:"reminded,omitzero"`
}

// Sent is one pre-notification as it went out.
type Sent struct {
	At      time.Time `json:"at"`
	CRD     time.Time `json:"crd,omitzero"`
	Patches []string  `json:"patches,omitempty"` // "name sha256"
	Count   int       `json:"count"`
	// Fields digests the draft's vulnerability fields as sent: "N" for
	// each vulnerability, "N name" for each of its fields that is set
	// (mailbot's draftFields). Nil in a record of a secbot that did not
	// keep them.
	Fields map[string]string `json:"fields,omitempty"`
}

// Fields are the advisory fields the case's vulnerabilities share.
// Since schema 6 each vulnerability keeps its own fields in Case.Vulns;
// Open moves a schema 5 case's fields into its one vulnerability.
type Fields struct {
	// CRD is the coordinated release date: all of the case's
	// vulnerabilities are published together.
	CRD time.Time `json:"crd,omitzero"`
	// Credits are the case's credits, those of every vulnerability
	// without credits of its own.
	Credits []Credit `json:"credits,omitempty"`
}

// Vuln is one vulnerability of a case: the advisory fields that describe
// one flaw (the seed's list).
type Vuln struct {
	// N numbers the vulnerability within its case, from 1. It is never
	// reused (Case.VulnSeq), so that "vuln N" and the ids exports make
	// from it keep naming the same flaw after another one is dropped.
	N     int    `json:"n"`
	Title string `json:"title,omitempty"`
	// Affected, NotAffected and Unchecked are version lists, kept as
	// ranges since schema 4 (text before; Open migrates it).
	Affected    versions.List `json:"affected,omitempty"`
	NotAffected versions.List `json:"not_affected,omitempty"`
	Unchecked   versions.List `json:"unchecked,omitempty"`
	Type        string        `json:"type,omitempty"`
	CWE         string        `json:"cwe,omitempty"`
	Impact      string        `json:"impact,omitempty"`
	Severity    string        `json:"severity,omitempty"`
	CVSS        string        `json:"cvss,omitempty"`
	CVE         string        `json:"cve,omitempty"`
	Mitigation  string        `json:"mitigation,omitempty"`
	Workaround  string        `json:"workaround,omitempty"`
	// Credits are the vulnerability's own credits, when they differ from
	// the case's (Fields.Credits); nil: the case's.
	Credits  []Credit `json:"credits,omitempty"`
	Branches []Branch `json:"branches,omitempty"`
	// CVERequested is when the CNA was asked for this vulnerability's id.
	CVERequested time.Time `json:"cve_requested,omitzero"`
}

// MaxVulns bounds the vulnerabilities of one case.
const MaxVulns = 20

// AddVuln adds an empty vulnerability under the next number and returns it.
func (c *Case) AddVuln() *Vuln {
	c.VulnSeq++
	c.Vulns = append(c.Vulns, Vuln{N: c.VulnSeq})
	return &c.Vulns[len(c.Vulns)-1]
}

// Vuln returns the vulnerability numbered n, or nil.
func (c *Case) Vuln(n int) *Vuln {
	for i := range c.Vulns {
		if c.Vulns[i].N == n {
			return &c.Vulns[i]
		}
	}
	return nil
}

// AllCredits are the case's credits and every vulnerability's own, for
// the rules that hold for every credit wherever it is (consent).
func (c *Case) AllCredits() []*Credit {
	var out []*Credit
	for i := range c.Fields.Credits {
		out = append(out, &c.Fields.Credits[i])
	}
	for i := range c.Vulns {
		for j := range c.Vulns[i].Credits {
			out = append(out, &c.Vulns[i].Credits[j])
		}
	}
	return out
}

// Credit names one person to thank in the advisory.
type Credit struct {
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
	Kind    string `json:"kind"`
	// Status is the consent of the person named (credits.go); empty for
	// a credit nobody was asked about.
	Status string `json:"status,omitempty"`
}

// Branch is a release branch and the version that fixes it.
type Branch struct {
	Name  string `json:"name"`
	Fixed string `json:"fixed"`
}

var keyCaseSeq = []byte("caseseq-")

// NewCaseID allocates the next case id for prefix and year, such as
// SEC-2026-0001. The counter restarts every year.
func (tx *Tx) NewCaseID(prefix string, year int) (string, error) {
	meta := tx.btx.Bucket(bucketMeta)
	key := append(append([]byte{}, keyCaseSeq...), fmt.Sprintf("%s-%d", prefix, year)...)
	var n uint64
	if v := meta.Get(key); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	if err := meta.Put(key, u64(n)); err != nil {
		return "", fmt.Errorf("bump case counter: %w", err)
	}
	return fmt.Sprintf("%s-%d-%04d", prefix, year, n), nil
}

// PutCase writes c and its summary (see CaseSummary).
func (tx *Tx) PutCase(c *Case) error {
	if c.ID == "" {
		return fmt.Errorf("put case: empty id")
	}
	if err := tx.putJSON(bucketCases, []byte(c.ID), c); err != nil {
		return err
	}
	if err := tx.markSite(c); err != nil {
		return err
	}
	return tx.putSummary(c)
}

// Case reads one case by id (case-insensitive).
func (tx *Tx) Case(id string) (*Case, error) {
	var c Case
	if err := tx.getJSON(bucketCases, []byte(strings.ToUpper(id)), &c); err != nil {
		return nil, fmt.Errorf("case %s: %w", id, err)
	}
	return &c, nil
}

// Cases lists every case in id order.
func (tx *Tx) Cases() ([]*Case, error) {
	var out []*Case
	err := tx.btx.Bucket(bucketCases).ForEach(func(k, v []byte) error {
		var c Case
		if err := tx.getJSON(bucketCases, k, &c); err != nil {
			return err
		}
		out = append(out, &c)
		return nil
	})
	return out, err
}

// CaseExists reports whether id names a case.
func (tx *Tx) CaseExists(id string) bool {
	return tx.btx.Bucket(bucketCases).Get([]byte(strings.ToUpper(id))) != nil
}

// AuditEntry records one executed command or state change.
type AuditEntry struct {
	Time   time.Time `json:"time"`
	Case   string    `json:"case"`
	Actor  string    `json:"actor"` // signer fingerprint, or "secbot"
	Action string    `json:"action"`
	Detail string    `json:"detail,omitempty"`
}

// Audit appends an entry to the case's audit log.
func (tx *Tx) Audit(e AuditEntry) error {
	b := tx.btx.Bucket(bucketAudit)
	seq, err := b.NextSequence()
	b.FillPercent = appendFill
	if err != nil {
		return fmt.Errorf("audit sequence: %w", err)
	}
	key := append([]byte(e.Case+"/"), u64(seq)...)
	data, err := encodeJSON(e.appendJSON, e, e.Time)
	if err != nil {
		return fmt.Errorf("encode audit entry: %w", err)
	}
	return b.Put(key, data)
}

// AuditLog returns the case's audit entries, oldest first.
func (tx *Tx) AuditLog(caseID string) ([]AuditEntry, error) {
	prefix := []byte(strings.ToUpper(caseID) + "/")
	var out []AuditEntry
	c := tx.btx.Bucket(bucketAudit).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var e AuditEntry
		if err := jsonUnmarshal(v, &e); err != nil {
			return nil, fmt.Errorf("audit %s: %w", caseID, err)
		}
		out = append(out, e)
	}
	return out, nil
}
