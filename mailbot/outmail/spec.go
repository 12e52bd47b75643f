package outmail

import "time"

// Spec is what a queued mail needs to be rendered later (store.OutMail
// keeps it as JSON). It names stored data (message keys, case ids) rather
// than copying it, and For pins the recipient's key, so that a mail meant
// to be encrypted can never render in the clear.
type Spec struct {
	// For is whom the mail is for, and the key it is encrypted to.
	For     Recipient `json:"for"`
	Msg     uint64    `json:"msg,omitempty"`
	New     bool      `json:"new,omitempty"`
	Problem string    `json:"problem,omitempty"`
	Title   string    `json:"title,omitempty"`
	// Text is a notice's or a reply's text, a reminder's problems (one a
	// line), or a transcript (TranscriptData as JSON).
	Text       string   `json:"text,omitempty"`
	InReplyTo  string   `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
	Update     bool     `json:"update,omitempty"`
	Changes    []string `json:"changes,omitempty"`
	Previous   string   `json:"previous,omitempty"`
	// Contact is the downstream contact a relayed mail came from;
	// ContactSigned says their key signed it (else they only claim it).
	Contact       string `json:"contact,omitempty"`
	ContactSigned bool   `json:"contact_signed,omitempty"`
	// WithPatches: a shared draft carries the patches too.
	WithPatches bool `json:"with_patches,omitempty"`
	// Vulns are the vulnerabilities a CVE request asks ids for, by
	// number; none: every vulnerability of the case.
	Vulns []int `json:"vulns,omitempty"`
	// Confirm is a key confirmation mail's fingerprint and token.
	Confirm *KeyConfirmSpec `json:"confirm,omitempty"`
	// Digest is the weekly digest's cases (digest.go).
	Digest *DigestData `json:"digest,omitempty"`
}

// KeyConfirmSpec is what a confirmation mail says. The token is kept here
// until the mail is rendered: the case keeps only its hash.
type KeyConfirmSpec struct {
	Fingerprint string    `json:"fingerprint"`
	Token       string    `json:"token"`
	Expires     time.Time `json:"expires"`
}

// TranscriptData is kept in a transcript's Spec.Text: the transcript is
// written from the state right after the commands ran.
type TranscriptData struct {
	Header  string           `json:"header"`
	From    string           `json:"from"`
	Signer  string           `json:"signer,omitempty"`
	Lines   []TranscriptLine `json:"lines"`
	Summary string           `json:"summary"`
	Errors  int              `json:"errors"`
}

// TranscriptLine is what happened to one command line.
type TranscriptLine struct {
	Raw string
	OK  bool
	// Skipped: the line was valid but did not run, because another line
	// of an all-or-nothing mail failed.
	Skipped bool `json:",omitempty"`
	Msg     string
}
