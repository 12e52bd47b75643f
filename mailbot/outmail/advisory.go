package outmail

import (
	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/store"
)

// advisoryOf builds the case's typed advisory, with its current patches:
// every mail that shows advisory fields renders them from it, so a field
// reads the same in each.
func (r *renderer) advisoryOf(c *store.Case) (*advisory.Advisory, error) {
	patches, err := r.Tx.Patches(c.ID)
	if err != nil {
		return nil, PermanentError{err}
	}
	return advisory.Build(c, advisory.ProjectOf(r.Config), patches), nil
}

// advisoryAttachments renders the advisory and returns its subject, its
// text, and the attachments: the advisory itself, then every patch.
func (r *renderer) advisoryAttachments(tx *store.Tx, c *store.Case, draft bool) (string, []byte, []attachment, error) {
	a, err := r.advisoryOf(c)
	if err != nil {
		return "", nil, nil, err
	}
	subj, adv, err := a.Render(r.Templates, draft)
	if err != nil {
		return "", nil, nil, PermanentError{err}
	}
	name := c.ID + "-advisory.txt"
	if draft {
		name = c.ID + "-advisory-DRAFT.txt"
	}
	atts := []attachment{{Name: name, ContentType: "text/plain", Data: adv}}
	for _, p := range a.Patches {
		atts = append(atts, attachment{Name: p.Name, ContentType: "text/x-diff", Data: tx.PatchData(p.SHA256)})
	}
	return subj, adv, atts, nil
}
