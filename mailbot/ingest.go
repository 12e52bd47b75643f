package mailbot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// prepared is one incoming message after the work that needs no store:
// header parsing and OpenPGP unwrapping. It is done before the write
// transaction so that the transaction stays short.
type prepared struct {
	msg    intake.Message
	env    *Envelope
	plain  []byte // decrypted form, nil when it was not encrypted
	status string
	reason string // for maintainers: why it was not ingested normally
	signer string // fingerprint of the maintainer whose signature verified
	opened *pgpmime.Opened
	loop   bool // our own mail came back
	// cmds is the command block of the text, when it has one; cmdText is
	// that text, part of the replay key.
	cmds    *command.Result
	cmdText string
	// pubKey is an armored public key the sender attached for themself;
	// tokens are the key confirmation tokens in its text (keyconfirm.go).
	pubKey string
	tokens []string
	// patches are the patch files attached to a maintainer's mail;
	// cmdKeys the public keys in it, when it holds a reporter-key command.
	patches []inAttachment
	cmdKeys []*crypto.Key
	// arrived is when the mail arrived: see arrival.
	arrived time.Time
	// contact is the downstream contact the mail is from (conversation.go):
	// contactSigned when the contact's key signed it, else it only claims.
	contact       string
	contactSigned bool
}

// State implements intake.Sink.
func (b *Bot) State(ctx context.Context, mailbox string) (uint32, uint32, error) {
	var st store.IMAPState
	err := b.store.View(func(tx *store.Tx) error {
		st = tx.IMAPState(mailbox)
		return nil
	})
	return st.UIDValidity, st.LastUID, err
}

// Deliver implements intake.Sink: it records a batch of messages, their
// cases and the mails they cause, and the new IMAP state, in one
// transaction. The intake marks the messages seen only after it returns.
//
// When the batch's transaction fails, the messages are recorded one by
// one, so that a single message the store refuses (or that trips a bug)
// is quarantined instead of holding up the mailbox forever. Only when even
// that fails (a full disk, a read-only store) does Deliver fail.
func (b *Bot) Deliver(ctx context.Context, mailbox string, uidValidity uint32, msgs []intake.Message) error {
	preps := b.prepareAll(msgs)
	now := b.now()
	queued, err := b.recordBatch(mailbox, uidValidity, preps, now)
	if err != nil {
		b.log.Warn("batch could not be recorded: retrying message by message", "count", len(preps), "err", err)
		queued = 0
		for _, p := range preps {
			n, err := b.recordBatch(mailbox, uidValidity, []*prepared{p}, now)
			if err != nil {
				n, err = b.quarantine(mailbox, uidValidity, p, err, now)
			}
			if err != nil {
				return err
			}
			queued += n
		}
	}
	if queued > 0 {
		b.kick()
	}
	return nil
}

// recordBatch records preps in one transaction.
func (b *Bot) recordBatch(mailbox string, uidValidity uint32, preps []*prepared, now time.Time) (queued int, err error) {
	err = b.store.Update(func(tx *store.Tx) (err error) {
		defer func() {
			if r := recover(); r != nil {
				b.panics.Add(1)
				b.log.Error("panic while recording a message", "panic", r, "stack", string(debug.Stack()))
				err = fmt.Errorf("internal error while recording")
			}
		}()
		queued = 0
		size := 0
		for _, p := range preps {
			size += len(p.msg.Raw) + len(p.plain)
		}
		tx.ReserveRaw(size)
		st := tx.IMAPState(mailbox)
		if st.UIDValidity != uidValidity {
			st = store.IMAPState{UIDValidity: uidValidity}
		}
		cases := map[string]*store.Case{}
		for _, p := range preps {
			n, err := b.record(tx, cases, mailbox, uidValidity, p, now)
			if err != nil {
				return fmt.Errorf("record uid %d: %w", p.msg.UID, err)
			}
			queued += n
			st.LastUID = max(st.LastUID, p.msg.UID)
		}
		// Each case touched by the batch is written once, however many
		// of its messages the batch held.
		for _, c := range cases {
			if err := tx.PutCase(c); err != nil {
				return err
			}
		}
		return tx.SetIMAPState(mailbox, st)
	})
	return queued, err
}

// quarantine keeps a message that could not be recorded normally, with
// the reason, and tells the maintainers.
func (b *Bot) quarantine(mailbox string, uidValidity uint32, p *prepared, cause error, now time.Time) (int, error) {
	b.log.Error("message could not be recorded: quarantining it", "uid", p.msg.UID, "err", cause)
	q := &prepared{msg: p.msg, env: p.env, status: store.MsgQuarantined,
		reason: "secbot could not record this message (" + cause.Error() + ")"}
	q.env.MessageID, q.env.DedupeKey = "", "" // the likely culprits: index by content hash only
	return b.recordBatch(mailbox, uidValidity, []*prepared{q}, now)
}

// Prepare implements intake.Preparer: the intake has a batch parsed and
// decrypted while the previous one is being recorded.
func (b *Bot) Prepare(msgs []intake.Message) {
	for i, p := range b.prepareAll(msgs) {
		msgs[i].Prepared = p
	}
}

// prepareAll prepares a batch on every core: parsing and decryption are
// the CPU-heavy part of ingest, and need no store. A message Prepare
// already prepared is taken as it is.
func (b *Bot) prepareAll(msgs []intake.Message) []*prepared {
	preps := make([]*prepared, len(msgs))
	todo := false
	for i, m := range msgs {
		if p, ok := m.Prepared.(*prepared); ok {
			preps[i] = p
		} else {
			todo = true
		}
	}
	if !todo {
		return preps
	}
	workers := min(runtime.GOMAXPROCS(0), (len(msgs)+15)/16)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(msgs); i += workers {
				if preps[i] == nil {
					preps[i] = b.prepare(msgs[i])
				}
			}
		}()
	}
	wg.Wait()
	return preps
}

// prepare parses and unwraps one message. It never fails: what cannot be
// read is marked for quarantine with a reason, and a panic in a parser is
// caught and turned into the same.
func (b *Bot) prepare(m intake.Message) (p *prepared) {
	p = &prepared{msg: m, arrived: arrival(m, b.now()), status: store.MsgIngested}
	defer func() {
		if r := recover(); r != nil {
			b.panics.Add(1)
			b.log.Error("panic while parsing a message", "uid", m.UID, "panic", r, "stack", string(debug.Stack()))
			p.status, p.reason = store.MsgQuarantined, "secbot failed to parse this message (internal error)"
		}
	}()
	env, _, err := parseEnvelope(m.Raw)
	p.env = env
	if err != nil {
		p.status, p.reason = store.MsgQuarantined, "unreadable header: "+err.Error()
		return p
	}
	if m.TooBig {
		p.status = store.MsgTooBig
		p.reason = fmt.Sprintf("the message is %d bytes, over the limit of %d: only its header was kept", m.Size, b.cfg.Robot.MaxMessageBytes)
		return p
	}
	if headerRunTooLong(m.Raw) {
		// Parsing it would take some 40 times its size in memory.
		p.status, p.reason = store.MsgQuarantined, errPartHeaderTooBig.Error()+": it is kept, not parsed"
		return p
	}
	p.loop = b.isOwnMail(env)
	b.unwrap(p)
	p.useProtectedSubject()
	// Only a mail that is signed, or claims a maintainer's address, can
	// lead anywhere with commands (to run them, or to say why not): the
	// command block of everyone else's mail is not even parsed, nor that
	// of a mail a downstream contact's key signed.
	if p.status != store.MsgIngested || p.loop {
		return p
	}
	b.identifyContact(p)
	if !p.contactSigned && (p.opened != nil && p.opened.Signed || b.claimsMaintainer(p)) {
		b.parseCommands(p)
	}
	p.pubKey, p.tokens = scanSender(p.effective(), env.From, b.now())
	return p
}

// effective is the message as its sender wrote it: decrypted and
// unwrapped when it was OpenPGP, else as it came.
func (p *prepared) effective() []byte {
	if p.opened != nil {
		return p.opened.Message
	}
	return p.msg.Raw
}

// parseCommands reads the command block of the text, and the patches
// attached to a maintainer's mail.
func (b *Bot) parseCommands(p *prepared) {
	text, err := bodyText(p.effective())
	if err != nil {
		return
	}
	if res := command.Parse(text); len(res.Commands)+len(res.Errors) > 0 {
		p.cmds, p.cmdText = &res, text
		if p.signer != "" {
			p.patches = patchAttachments(p.effective())
			if slices.ContainsFunc(res.Commands, func(c command.Command) bool { return c.Kind == command.KindReporterKey }) {
				p.cmdKeys = b.commandKeys(p.effective(), b.now())
			}
		}
	}
}

// unwrap decrypts and verifies. A signature counts only when it verifies
// against a configured maintainer key that was valid both at the
// signature's own time and when the mail arrived; the From header plays
// no part.
func (b *Bot) unwrap(p *prepared) {
	if !mayCarryOpenPGP(p.env, p.msg.Raw) {
		return // most mail: nothing to decrypt or verify, no need to parse it again
	}
	op, err := pgpmime.OpenAt(p.msg.Raw, b.keys.RobotRing, b.keys.Verify, p.arrived)
	switch {
	case errors.Is(err, pgpmime.ErrNotForUs):
		p.status, p.reason = store.MsgUndecryptable, "the message is encrypted, but not to the robot's key: it is kept as it came"
		return
	case err != nil:
		p.status, p.reason = store.MsgUndecryptable, "the OpenPGP content could not be read ("+err.Error()+"): the message is kept as it came"
		return
	}
	p.opened = op
	if op.Encrypted {
		p.plain = op.Message
	}
	if op.SignatureValid {
		if mk, ok := b.keys.MaintainerBySigner(op.SignerFingerprint); ok {
			p.signer = mk.FP
		}
	}
}

// arrival is when the mail arrived: the IMAP server's INTERNALDATE, which
// the sender cannot set (unlike the Date header or a signature's time).
// A server that gives none, or a date after now, makes it now, when secbot
// reads the mail. A mail that waited while secbot was down is still judged
// by when it arrived.
func arrival(m intake.Message, now time.Time) time.Time {
	if m.InternalDate.IsZero() || m.InternalDate.After(now) {
		return now
	}
	return m.InternalDate
}

// mayCarryOpenPGP tells whether pgpmime.Open could find anything: a
// PGP/MIME top-level type, an armor line anywhere, or a top-level body
// encoded so that an armor line would not show. It errs on the side of yes.
func mayCarryOpenPGP(env *Envelope, raw []byte) bool {
	ct := strings.ToLower(env.ContentType)
	return strings.HasPrefix(ct, "multipart/encrypted") || strings.HasPrefix(ct, "multipart/signed") ||
		strings.EqualFold(env.TransferEncoding, "base64") || bytes.Contains(raw, []byte("-----BEGIN PGP"))
}

// isOwnMail spots secbot's own mail coming back (a maintainer address that
// forwards to security@, a misrouted bounce): answering it would loop. A
// mail From the robot or any plus address of it, or asking for answers
// there (Reply-To), is the robot's own: the answer would reach its inbox.
func (b *Bot) isOwnMail(env *Envelope) bool {
	if b.isRobotAddress(env.From) || env.ReplyTo != "" && b.isRobotAddress(env.ReplyTo) {
		return true
	}
	return slices.Contains(env.XLoop, strings.ToLower(b.cfg.Robot.Address))
}

// record writes one prepared message into the open transaction and
// queues the mails it causes. It returns how many mails it queued. The
// cases it changes are left in cases, for the caller to write.
func (b *Bot) record(tx *store.Tx, cases map[string]*store.Case, mailbox string, uidv uint32, p *prepared, now time.Time) (int, error) {
	hashKey := p.env.DedupeKey
	if hashKey == "" { // the header could not be read: dedupe on the bytes
		if p.env.Hash == "" {
			p.env.Hash = rawHash(p.msg.Raw)
		}
		hashKey = "sha256:" + p.env.Hash
	}
	// Nothing below indexes this Message-ID before index does, so one
	// look serves both the dedupe check and the indexing.
	holder, idTaken := tx.LookupMessageID(p.env.MessageID)
	if recordedBefore(tx, p.env, holder, idTaken, hashKey) {
		return 0, nil // the same mail was recorded before (a UIDVALIDITY re-scan)
	}
	m := &store.Message{
		MessageID: p.env.MessageID, Received: now, Date: p.env.Date, From: p.env.From,
		Subject: p.env.Subject, Status: p.status, Reason: p.reason, Size: p.msg.Size,
		Signer: p.signer, Mailbox: mailbox, UIDValidity: uidv, UID: p.msg.UID,
	}
	tx.OnCommit(func() { b.metrics.Message(m.Status) })
	if m.Size == 0 {
		m.Size = int64(len(p.msg.Raw))
	}
	if p.opened != nil {
		m.Encrypted, m.Signed = p.opened.Encrypted, p.opened.Signed
	}
	if p.status == store.MsgQuarantined || p.loop {
		return b.recordOrphan(tx, p, m, hashKey, now)
	}
	c, isNew, err := b.caseFor(tx, cases, p, now)
	if err != nil {
		return 0, err
	}
	cases[c.ID] = c
	m.Case = c.ID
	key, err := tx.AddMessage(m, p.msg.Raw, p.plain)
	if err != nil {
		return 0, err
	}
	if err := b.index(tx, p, c.ID, key, idTaken, hashKey); err != nil {
		return 0, err
	}
	c.Messages = append(c.Messages, key)
	c.Updated = now
	if p.signer != "" {
		c.LastMaintainer = now
	}
	n, err := b.queueForMessage(tx, c, m, isNew, p, now)
	if err != nil {
		return 0, err
	}
	kc, err := b.reporterKeyMail(tx, c, m, p, isNew, now)
	if err != nil {
		return 0, err
	}
	k, err := b.handleCommands(tx, c, m, p, isNew, now)
	return n + kc + k, err
}

func actor(signer string) string {
	if signer != "" {
		return signer
	}
	return "unverified sender"
}

// recordOrphan keeps a message that belongs to no case: one whose header
// could not be read, or our own mail come back. Maintainers are told
// about the first; the second is only kept.
func (b *Bot) recordOrphan(tx *store.Tx, p *prepared, m *store.Message, hashKey string, now time.Time) (int, error) {
	if p.loop {
		m.Status, m.Reason = store.MsgQuarantined, "secbot's own mail came back: kept, not answered"
	}
	key, err := tx.AddMessage(m, p.msg.Raw, nil)
	if err != nil {
		return 0, err
	}
	if err := tx.IndexMessageID(hashKey, store.ThreadRef{Msg: key}); err != nil {
		return 0, err
	}
	tx.OnCommit(func() { b.log.Warn("message quarantined", "uid", p.msg.UID, "msg", key, "loop", p.loop) })
	if p.loop {
		return 0, nil
	}
	return b.queueNotice(tx, "", fmt.Sprintf("quarantine.%d", key), "A message could not be read",
		fmt.Sprintf("Message %d (IMAP uid %d, %d bytes) was quarantined: %s\nIt is kept in the store; the administrator can extract it.", key, p.msg.UID, m.Size, m.Reason),
		key, now)
}

// caseFor threads the message into its case, or opens a new one.
func (b *Bot) caseFor(tx *store.Tx, cases map[string]*store.Case, p *prepared, now time.Time) (*store.Case, bool, error) {
	th := b.threader(tx, cases)
	if id, how := th.Find(p.env); id != "" {
		if c := cases[id]; c != nil {
			return c, false, nil
		}
		c, err := tx.Case(id)
		if err == nil {
			tx.OnCommit(func() { b.log.Debug("message joins case", "case", id, "by", how) })
			return c, false, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, false, err
		}
	}
	id, err := tx.NewCaseID(b.cfg.Robot.CasePrefix, now.Year())
	if err != nil {
		return nil, false, err
	}
	c := &store.Case{ID: id, State: store.StateNew, Subject: p.env.Subject, Opened: now, Updated: now}
	c.AddVuln() // every case holds at least one vulnerability
	if p.signer != "" {
		c.Internal = true // a maintainer's own finding
	} else if r := p.env.replyAddress(); r != "" {
		c.Reporters = []string{r}
	}
	tx.OnCommit(func() { b.log.Info("case opened", "case", id, "uid", p.msg.UID) })
	if err := b.armFirstReply(tx, c); err != nil {
		return nil, false, err
	}
	return c, true, tx.Audit(store.AuditEntry{Time: now, Case: id, Actor: actor(p.signer), Action: "open"})
}

// replyAddress is where answers to this sender go.
func (env *Envelope) replyAddress() string {
	if env.ReplyTo != "" {
		return env.ReplyTo
	}
	return env.From
}

func (b *Bot) threader(tx *store.Tx, cases map[string]*store.Case) *Threader {
	local, domain, _ := strings.Cut(b.cfg.Robot.Address, "@")
	return &Threader{
		Prefix: b.cfg.Robot.CasePrefix, Local: local, Domain: domain, tag: b.tagRE,
		ByMessageID: func(id string) (string, bool) {
			ref, ok := tx.LookupMessageID(id)
			return ref.Case, ok
		},
		Exists: func(id string) bool { return cases[strings.ToUpper(id)] != nil || tx.CaseExists(id) },
	}
}

// recordedBefore tells whether this very mail is stored already: the
// Message-ID's index entry carries the dedupe digest of the mail that
// holds the id, and any other mail is indexed under its dedupe key.
// holder is the Message-ID's entry, when taken.
func recordedBefore(tx *store.Tx, env *Envelope, holder store.ThreadRef, taken bool, hashKey string) bool {
	if taken && env.Digest != nil && bytes.Equal(holder.Digest, env.Digest) {
		return true
	}
	_, ok := tx.LookupMessageID(hashKey)
	return ok
}

// index makes the message findable by its Message-ID (the first message
// with an id keeps it: a later mail cannot steal a thread) with its
// dedupe digest; a mail whose id was taken is indexed by its dedupe key.
func (b *Bot) index(tx *store.Tx, p *prepared, caseID string, key uint64, idTaken bool, hashKey string) error {
	ref := store.ThreadRef{Case: caseID, Msg: key}
	if !idTaken && p.env.Digest != nil {
		ref.Digest = p.env.Digest
		return tx.IndexMessageID(p.env.MessageID, ref)
	}
	return tx.IndexMessageID(hashKey, ref)
}
