package outmail

import (
	"encoding/json"
	"fmt"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// Env is what rendering reads: a store transaction, and the Bot's
// configuration, keys, templates and clock.
type Env struct {
	Tx        *store.Tx
	Config    *config.Config
	Keys      *keyring.Keys
	Templates *templates.Set
	// Now is the time keys are checked for use at.
	Now time.Time
}

// PermanentError is a rendering failure that no retry can fix: the mail
// is refused (for example, the key it is pinned to is no longer usable).
// Its text is the reason alone; the outbox says "refused".
type PermanentError struct{ Err error }

func (e PermanentError) Error() string { return e.Err.Error() }
func (e PermanentError) Unwrap() error { return e.Err }

// renderFunc writes the plain (not yet signed or encrypted) mail of one kind.
type renderFunc func(r *renderer, om *store.OutMail, sp Spec) ([]byte, error)

// renderer renders one queued mail.
type renderer struct {
	Env
	row Row
}

// Render turns a queued mail into the bytes to send: its kind's row says
// how it is written and whether it may leave unencrypted, and its Spec
// whose pinned key it is encrypted to (see seal). A kind without a row is
// refused.
func Render(env Env, om *store.OutMail) ([]byte, error) { return kinds.render(env, om) }

func (t table) render(env Env, om *store.OutMail) ([]byte, error) {
	k := Kind(om.Kind)
	row, ok := t[k]
	if !ok {
		return nil, PermanentError{fmt.Errorf("unknown mail kind %q", om.Kind)}
	}
	var sp Spec
	if err := json.Unmarshal(om.Spec, &sp); err != nil {
		return nil, PermanentError{fmt.Errorf("decode spec: %w", err)}
	}
	if err := sp.For.check(k, row); err != nil {
		return nil, PermanentError{err}
	}
	r := &renderer{Env: env, row: row}
	render := row.render
	if render == nil {
		render = renderSimple
	}
	plain, err := render(r, om, sp)
	if err != nil {
		return nil, err
	}
	return r.seal(om, k, sp.For, plain)
}

// header builds the common header of every mail secbot sends, with the
// robot's Autocrypt header. It has no
// Reply-To: replies go to From, the robot's plain address, which is a user
// id of the robot key, so that a client finds the key to encrypt a reply
// to without asking. A reply finds its case by In-Reply-To and References
// (every Message-ID secbot sends is indexed under its case), and by the
// subject tag; plus addresses stay accepted input but are never offered.
func (r *renderer) header(om *store.OutMail, subject string, sp Spec) gomail.Header {
	robot := r.Config.Robot
	var h gomail.Header
	h.SetAddressList("From", []*gomail.Address{{Name: robot.Name, Address: robot.Address}})
	to := make([]*gomail.Address, len(om.To))
	for i, a := range om.To {
		to[i] = &gomail.Address{Address: a}
	}
	h.SetAddressList("To", to)
	h.SetSubject(subject)
	h.SetDate(om.Queued)
	h.SetMessageID(om.ID)
	if sp.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{sp.InReplyTo})
	}
	// An empty list sets no References field.
	h.SetMsgIDList("References", trimRefs(sp.References, 20))
	// RFC 3834: robots must not answer this mail; X-Loop lets secbot spot
	// its own mail if it ever comes back.
	h.Set("Auto-Submitted", "auto-replied")
	h.Set("X-Loop", robot.Address)
	// Autocrypt Level 1: the robot's key, minimised, so that a client
	// can encrypt to security@ without a key server or a prompt.
	if r.Keys.Autocrypt != "" {
		h.Set("Autocrypt", r.Keys.Autocrypt)
	}
	h.Set("MIME-Version", "1.0")
	return h
}

// trimRefs keeps at most n references: the first, which is the thread's
// root, and the latest n-1 (RFC 5322 section 3.6.4 leaves the trimming
// to the writer; clients thread on the root and the parent).
func trimRefs(refs []string, n int) []string {
	if len(refs) <= n {
		return refs
	}
	return append([]string{refs[0]}, refs[len(refs)-n+1:]...)
}

// templateMail renders the row's template with data into a text mail.
func (r *renderer) templateMail(om *store.OutMail, sp Spec, data any) ([]byte, error) {
	subj, body, err := r.Templates.Render(r.row.Template, data)
	if err != nil {
		return nil, PermanentError{err}
	}
	return textMail(r.header(om, subj, sp), body)
}

// caseBase are the fields every case mail's template may show. The CVE
// ids and the titles are those of all the case's vulnerabilities.
func (r *renderer) caseBase(c *store.Case) map[string]any {
	a := advisory.Build(c, advisory.ProjectOf(r.Config), nil)
	return map[string]any{"Case": c.ID, "Project": r.projectName(), "ProjectURL": r.Config.Robot.ProjectURL,
		"CVE": a.CVE(), "Title": a.Title(), "CRD": OrNone(FmtCRD(c.Fields.CRD)), "Robot": r.Config.Robot.Name}
}

// renderSimple is the rendering of a kind whose row names no function of
// its own: its template gets the case's common fields (caseBase) and the
// queued Text.
func renderSimple(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	c := &store.Case{}
	if om.Case != "" {
		var err error
		if c, err = r.Tx.Case(om.Case); err != nil {
			return nil, PermanentError{err}
		}
	}
	data := r.caseBase(c)
	data["Text"] = sp.Text
	return r.templateMail(om, sp, data)
}

func (r *renderer) projectName() string {
	if r.Config.Robot.ProjectName != "" {
		return r.Config.Robot.ProjectName
	}
	return r.Config.Robot.Name
}
