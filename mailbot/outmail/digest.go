package outmail

import (
	"fmt"
	"strings"
	"time"

	"github.com/secbot/secbot/store"
)

// DigestData is the weekly digest, kept in its Spec: the open cases as
// they stood when the digest fell due, so that every maintainer's copy,
// and every retry, says the same.
type DigestData struct {
	Cases []DigestCase `json:"cases"`
}

// DigestCase is one open case in the digest.
type DigestCase struct {
	ID string `json:"id"`
	// Title is the advisory's title, or the report's subject before one
	// is set (the digest goes to the maintainers only, encrypted).
	Title  string    `json:"title"`
	State  string    `json:"state"`
	Armed  bool      `json:"armed,omitempty"`
	Opened time.Time `json:"opened"`
	CRD    time.Time `json:"crd,omitzero"`
	// Missing are the advisory fields required before anything goes
	// downstream; Recommended those the process asks for as well.
	Missing     []string `json:"missing,omitempty"`
	Recommended []string `json:"recommended,omitempty"`
	// Pending are the credited names whose consent is still awaited
	// (never a declined one: that name is shown nowhere).
	Pending     []string        `json:"pending,omitempty"`
	Prenotified []DigestContact `json:"prenotified,omitempty"`
	// LastMaintainer is when a maintainer's signed mail last came in on
	// the case; zero: never.
	LastMaintainer time.Time `json:"last_maintainer,omitzero"`
}

// DigestContact is a downstream contact pre-notified on a case, and when.
type DigestContact struct {
	ID string    `json:"id"`
	At time.Time `json:"at"`
}

// renderDigest writes the weekly digest. Ages and days left count from
// the time the digest was queued, its Date.
func renderDigest(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	var cases []map[string]string
	if sp.Digest != nil {
		for _, c := range sp.Digest.Cases {
			cases = append(cases, digestRow(c, om.Queued))
		}
	}
	data := map[string]any{"Project": r.projectName(), "Date": FmtTime(om.Queued), "Count": len(cases), "Cases": cases}
	return r.templateMail(om, sp, data)
}

// digestRow is one case as the template shows it.
func digestRow(c DigestCase, now time.Time) map[string]string {
	state := c.State
	if c.Armed {
		state += ", announcement armed"
	}
	last := "never"
	if !c.LastMaintainer.IsZero() {
		last = ago(now.Sub(c.LastMaintainer)) + " ago"
	}
	return map[string]string{"ID": c.ID, "Title": OrNone(c.Title), "State": state,
		"Opened": FmtCRD(c.Opened) + ", " + ago(now.Sub(c.Opened)) + " ago", "CRD": crdLeft(c.CRD, now),
		"Missing": missingText(c), "Pending": OrNone(strings.Join(c.Pending, ", ")),
		"Prenotified": prenotifiedText(c.Prenotified), "Last": last}
}

func crdLeft(crd, now time.Time) string {
	switch {
	case crd.IsZero():
		return "(none)"
	case crd.After(now):
		return FmtCRD(crd) + ", " + ago(crd.Sub(now)) + " left"
	}
	return FmtCRD(crd) + ", passed " + ago(now.Sub(crd)) + " ago"
}

func missingText(c DigestCase) string {
	var parts []string
	if len(c.Missing) > 0 {
		parts = append(parts, strings.Join(c.Missing, ", "))
	}
	if len(c.Recommended) > 0 {
		parts = append(parts, "recommended: "+strings.Join(c.Recommended, ", "))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, "; ")
}

func prenotifiedText(cs []DigestContact) string {
	if len(cs) == 0 {
		return "nobody"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.ID + " (" + c.At.UTC().Format("2006-01-02") + ")"
	}
	return strings.Join(parts, ", ")
}

// ago is a span as the digest says it: whole days, else whole hours,
// else "less than an hour".
func ago(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day")
	case d >= time.Hour:
		return plural(int(d/time.Hour), "hour")
	}
	return "less than an hour"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
