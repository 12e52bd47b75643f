package outmail

import (
	"maps"
	"slices"

	"github.com/secbot/secbot/templates"
)

// Kind names a kind of outgoing mail. It is stored with every queued mail,
// so a kind's string never changes once mail of it may be queued.
type Kind string

// The kinds of outgoing mail. Each has one row in kinds.
const (
	Ack        Kind = "ack"          // the acknowledgement of a new report
	Relay      Kind = "relay"        // a case message, relayed to a maintainer
	Notice     Kind = "notice"       // something maintainers must know (a failure, a quarantined mail)
	Transcript Kind = "transcript"   // what a command mail did
	Reply      Kind = "reply"        // a maintainer's reply, sent on to a reporter
	KeyConfirm Kind = "key-confirm"  // a reporter's token for a key sent after the case opened
	Advisory   Kind = "advisory"     // the draft advisory, for the maintainers
	Prenotify  Kind = "prenotify"    // the draft advisory and the patches, under embargo
	CRDNotice  Kind = "crd-notice"   // the CRD was set, moved or withdrawn
	CVERequest Kind = "cve-request"  // a CVE id request, to the CNA
	Announce   Kind = "announce"     // the public announcement at the CRD
	EmbargoEnd Kind = "embargo-over" // the embargo is over
	Reminder   Kind = "reminder"     // what is still missing before the CRD

	// The conversation around a case (conversation.go).
	DownstreamRelay Kind = "downstream-relay" // a pre-notified contact's mail, for the maintainers
	Tell            Kind = "tell"             // a maintainer's text to pre-notified contacts
	Share           Kind = "share"            // the draft advisory, for the reporter's review
	SharePlain      Kind = "share-plain"      // the same, which `share plain` lets go signed only
	CreditConfirm   Kind = "credit-confirm"   // the exact credit line, for the reporter to confirm
	FirstReply      Kind = "first-reply"      // no human answered a new case in time
	Digest          Kind = "digest"           // the weekly digest of open cases, for the maintainers

	// Operations (alert.go, keytime.go in package mailbot).
	Alert     Kind = "alert"      // intake is failing, or no longer failing
	KeyNotice Kind = "key-notice" // the robot key was rotated, or a configured key expires soon
)

// Clear says whether a kind of mail may ever leave unencrypted. Its zero
// value, Never, is the rule: a row that says nothing else, and a kind
// with no row at all, is refused when it has no key to be encrypted to.
type Clear int

const (
	// Never: only ever encrypted, to the key pinned in the queued mail.
	Never Clear = iota
	// WithoutKey: encrypted when the recipient has a pinned key, signed
	// only when it has none (a reporter whose key we do not know). Such
	// a kind must carry nothing the recipient does not know already.
	WithoutKey
	// Always: signed only, never encrypted. The key confirmation goes to
	// a reporter whose key is not trusted yet; the announcement is public.
	Always
)

// Row is what secbot knows about a kind of mail.
type Row struct {
	// Template is the file in templates/ the mail is written from.
	Template string
	// To are the classes of recipient the kind may be queued for; a mail
	// queued for another class is refused.
	To []Class
	// Clear says whether it may leave unencrypted (default: never).
	Clear Clear
	// Outer names the kind in the readable subject of encrypted mail,
	// after the case id, when robot.outer_subject is "kind": neutral
	// words, never the mail's own. Empty: "encrypted message".
	Outer string
	// render writes the mail; nil renders Template with the case's common
	// fields and the queued Text (see renderSimple).
	render renderFunc
}

// kinds is the one table of outgoing mail. Adding a kind means one row
// here and one template (see the package documentation).
var kinds = table{
	Ack:        {Template: templates.Ack, To: []Class{Reporter}, Clear: WithoutKey, Outer: "acknowledgement", render: renderAck},
	Relay:      {Template: templates.Relay, To: []Class{Maintainer}, Outer: "relay: new message", render: renderRelay},
	Notice:     {Template: templates.Notice, To: []Class{Maintainer}, Outer: "notice", render: renderNotice},
	Transcript: {Template: templates.Transcript, To: []Class{Maintainer}, Outer: "transcript", render: renderTranscript},
	Reply:      {Template: templates.Reply, To: []Class{Reporter}, Clear: WithoutKey, Outer: "reply", render: renderReply},
	KeyConfirm: {Template: templates.KeyConfirm, To: []Class{Reporter}, Clear: Always, render: renderKeyConfirm},
	Advisory:   {Template: templates.Advisory, To: []Class{Maintainer}, Outer: "advisory draft", render: renderAdvisory},
	Prenotify:  {Template: templates.Prenotify, To: []Class{Downstream}, Outer: "pre-notification", render: renderPrenotify},
	CRDNotice:  {Template: templates.CRD, To: []Class{Reporter, Downstream}, Clear: WithoutKey, Outer: "release date", render: renderCRDNotice},
	CVERequest: {Template: templates.CVERequest, To: []Class{CNA}, Outer: "CVE request", render: renderCVERequest},
	Announce:   {Template: templates.Announce, To: []Class{Public}, Clear: Always, render: renderAnnounce},
	EmbargoEnd: {Template: templates.Embargo, To: []Class{Reporter, Downstream}, Clear: WithoutKey, Outer: "embargo over", render: renderEmbargoEnd},
	Reminder:   {Template: templates.Reminder, To: []Class{Maintainer}, Outer: "reminder", render: renderReminder},

	DownstreamRelay: {Template: templates.DownstreamRelay, To: []Class{Maintainer}, Outer: "relay: downstream message", render: renderDownstreamRelay},
	Tell:            {Template: templates.Tell, To: []Class{Downstream}, Outer: "message from the maintainers", render: renderTell},
	Share:           {Template: templates.Share, To: []Class{Reporter}, Outer: "advisory draft for review", render: renderShare},
	// The one exception for embargoed content: a maintainer's explicit
	// `share plain` queues this kind for a reporter without a trusted key,
	// and the transcript warns that the draft crosses the network in the
	// clear. Plain `share` queues Share, which is refused without a key.
	SharePlain:    {Template: templates.Share, To: []Class{Reporter}, Clear: WithoutKey, Outer: "advisory draft for review", render: renderShare},
	FirstReply:    {Template: templates.FirstReply, To: []Class{Maintainer, Escalation}, Outer: "reminder: first reply", render: renderFirstReply},
	CreditConfirm: {Template: templates.CreditConfirm, To: []Class{Reporter}, Clear: WithoutKey, Outer: "credit confirmation", render: renderCreditConfirm},
	Digest:        {Template: templates.Digest, To: []Class{Maintainer}, Outer: "weekly digest", render: renderDigest},
	Alert:         {Template: templates.Alert, To: []Class{Maintainer}, Outer: "operations alert", render: renderNotice},
	KeyNotice:     {Template: templates.KeyNotice, To: []Class{Maintainer}, Outer: "key notice", render: renderNotice},
}

// table maps each kind to its row.
type table map[Kind]Row

// Kinds lists every kind with a row, sorted.
func Kinds() []Kind { return slices.Sorted(maps.Keys(kinds)) }

// RowOf returns the row of kind k.
func RowOf(k Kind) (Row, bool) {
	r, ok := kinds[k]
	return r, ok
}
