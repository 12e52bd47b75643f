package store

import "time"

// Directions of a Talk entry.
const (
	TalkTo   = "to"   // a maintainer's `tell` to contacts
	TalkFrom = "from" // a contact's mail into the case
)

// Talk is one exchange with downstream contacts during the embargo: who
// was told what, and when, or what a contact wrote. `case show` and the
// transcript read it; it is never sent to the reporter.
type Talk struct {
	At  time.Time `json:"at"`
	Dir string    `json:"dir"` // TalkTo or TalkFrom
	// Contacts are the downstream ids told (TalkTo), or the one who wrote.
	Contacts []string `json:"contacts"`
	// By is the signer fingerprint of the maintainer who told them.
	By string `json:"by,omitempty"`
	// Signed: the contact's own key signed the mail (TalkFrom); without
	// it the mail only claims to come from them.
	Signed bool `json:"signed,omitempty"`
	// Msg is the stored message: the command mail (TalkTo) or the
	// contact's mail (TalkFrom).
	Msg uint64 `json:"msg,omitempty"`
	// Text is what the contacts were told.
	Text string `json:"text,omitempty"`
}
