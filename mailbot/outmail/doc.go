// Package outmail makes secbot's outgoing mail. One table (kinds, in
// kind.go) holds a row for every kind of mail: the template it is written
// from, the classes of recipient it may go to, and whether it may ever
// leave unencrypted. That rule is closed by default: a kind with no row,
// or a row that does not say otherwise, is refused when it has no key to
// be encrypted to.
//
// A queued mail (store.OutMail) carries a Spec, whose Recipient pins the
// key it goes to: a maintainer by fingerprint, a reporter by address and
// fingerprint (or no key), a downstream contact by id and fingerprint, the
// CNA by fingerprint, or a public list. Render writes the mail from its
// row, then seal checks that the pinned key is still the recipient's and
// usable, and encrypts to it (or signs, where the row allows no key). The
// Bot lends rendering its store transaction, config, keys, templates and
// clock in an Env.
//
// Adding a kind of mail: add a constant and a row to the table, naming a
// new template file in templates/ (it renders "Subject: ..." , a blank
// line and the body) and the classes it goes to; leave Clear out unless
// the mail may go to a reporter whose key we do not know. Queue it from
// the Bot with enqueue (or toMaintainers, queueToReporters,
// queueToContacts) and an outmail.Spec whose For names the recipient. A row
// without a render function gets the case's common fields (Case,
// Project, ProjectURL, CVE, Title, CRD, Robot) and Spec.Text; a kind that
// needs more data gets a render function. The constant's string is stored
// with every queued mail, so it never changes. TestANewKindIsClosedByDefault
// walks this recipe.
package outmail
