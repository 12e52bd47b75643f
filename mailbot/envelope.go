package mailbot

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode non-UTF-8 subjects and names
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// maxHeaderBytes bounds the header section ingest reads; a larger header is
// quarantined rather than parsed (a hostile mail can carry megabytes).
const maxHeaderBytes = 1 << 20

// maxMessageIDLen bounds a Message-ID kept as such (RFC 5322 lines are at
// most 998 bytes).
const maxMessageIDLen = 998

// errHeaderTooBig is the quarantine reason for oversized headers.
var errHeaderTooBig = errors.New("header section larger than 1 MiB")

// Envelope is what ingest needs from a message's header.
type Envelope struct {
	MessageID  string // without angle brackets; synthesized when missing
	Synthetic  bool   // MessageID was made from the content hash
	InReplyTo  []string
	References []string
	Subject    string
	From       string // the bare address of the first From mailbox
	FromName   string
	ReplyTo    string // bare address, when set
	Date       time.Time
	// Recipients are every address in To, Cc, Delivered-To and
	// X-Original-To, for plus-address threading.
	Recipients []string
	// Auto is set for mail no robot should answer: auto-replies, bounces,
	// list traffic (RFC 3834 Auto-Submitted, Precedence).
	Auto bool
	// ContentType and TransferEncoding are the raw top-level values.
	ContentType, TransferEncoding string
	// XLoop are the X-Loop field values (RFC-less but universal loop marks).
	XLoop []string
	// Hash is the hex SHA-256 of the raw message, computed only where it
	// is needed: for a message without a usable Message-ID (the synthetic
	// one is made from it) or one whose header could not be read (it is
	// then deduped on its bytes).
	Hash string
	// DedupeKey identifies the same mail seen twice: its Message-ID and
	// the hash of its body. Servers rewrite headers (Received,
	// Return-Path) when a mailbox is rebuilt under a new UIDVALIDITY, but
	// not the body; a different mail that reuses a Message-ID has another
	// body and is kept. Digest is the hash it names.
	DedupeKey string
	Digest    []byte
}

// parseEnvelope reads the header section of raw. It never fails on odd
// field values (they are left empty); it fails only when the header
// section itself cannot be read.
func parseEnvelope(raw []byte) (*Envelope, gomail.Header, error) {
	env := &Envelope{}
	if head := raw[:min(len(raw), maxHeaderBytes)]; len(raw) > maxHeaderBytes &&
		!bytes.Contains(head, []byte("\n\n")) && !bytes.Contains(head, []byte("\r\n\r\n")) {
		env.Hash = rawHash(raw)
		return env, gomail.Header{}, errHeaderTooBig
	}
	br := readers.Get().(*bufio.Reader)
	br.Reset(io.LimitReader(bytes.NewReader(raw), maxHeaderBytes))
	th, err := textproto.ReadHeader(br)
	br.Reset(nil)
	readers.Put(br)
	if err != nil {
		env.Hash = rawHash(raw)
		return env, gomail.Header{}, fmt.Errorf("read header: %w", err)
	}
	h := gomail.Header{Header: message.Header{Header: th}}
	env.fill(h)
	if env.MessageID == "" {
		env.Hash = rawHash(raw)
		env.MessageID = "sha256-" + env.Hash[:32] + "@secbot.invalid"
		env.Synthetic = true
	}
	env.Digest = dedupeDigest(env.MessageID, raw)
	env.DedupeKey = dedupeKey(env.Digest)
	return env, h, nil
}

// readers are the bufio.Readers headers are parsed with: one per message
// would be 4 KB of garbage each.
var readers = sync.Pool{New: func() any { return bufio.NewReader(nil) }}

// headerDate reads the Date field. Nearly every client writes the RFC 5322
// form with a numeric zone, which one layout parses; net/mail tries a
// dozen layouts, building an error for each miss, which made date parsing
// a tenth of a backlog's parsing time.
//
// A date the store could not write (a zone of 24 hours or more, "-2400",
// which both parsers accept, or a year past 9999) is returned as it is:
// the store keeps it in UTC, or drops it (store.Tx.AddMessage).
func headerDate(h gomail.Header) time.Time {
	v := strings.TrimSpace(h.Get("Date"))
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC1123Z, v)
	if err != nil {
		t, _ = h.Date()
	}
	return t
}

// rawHash is the hex SHA-256 of a whole message.
func rawHash(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

func (env *Envelope) fill(h gomail.Header) {
	env.MessageID, _ = h.MessageID()
	if len(env.MessageID) > maxMessageIDLen {
		env.MessageID = "" // no real client writes one this long; it cannot be an index key either
	}
	env.InReplyTo, _ = h.MsgIDList("In-Reply-To")
	env.References, _ = h.MsgIDList("References")
	if s, err := h.Subject(); err == nil {
		env.Subject = cleanLine(s)
	} else {
		env.Subject = cleanLine(h.Get("Subject"))
	}
	if from := firstAddress(h, "From"); from != nil {
		env.From, env.FromName = strings.ToLower(from.Address), cleanLine(from.Name)
	}
	if rt := firstAddress(h, "Reply-To"); rt != nil {
		env.ReplyTo = strings.ToLower(rt.Address)
	}
	env.Date = headerDate(h)
	for _, key := range []string{"To", "Cc", "Delivered-To", "X-Original-To"} {
		list, _ := h.AddressList(key)
		for _, a := range list {
			env.Recipients = append(env.Recipients, strings.ToLower(a.Address))
		}
	}
	env.Auto = isAutomatic(h)
	env.ContentType = strings.TrimSpace(h.Get("Content-Type"))
	env.TransferEncoding = strings.TrimSpace(h.Get("Content-Transfer-Encoding"))
	for _, v := range h.Values("X-Loop") {
		env.XLoop = append(env.XLoop, strings.ToLower(strings.TrimSpace(v)))
	}
}

func firstAddress(h gomail.Header, key string) *gomail.Address {
	list, err := h.AddressList(key)
	if err == nil && len(list) > 0 {
		return list[0]
	}
	// Fall back to the lenient standard library parser for odd headers.
	if a, err := mail.ParseAddress(h.Get(key)); err == nil {
		return (*gomail.Address)(a)
	}
	return nil
}

// isAutomatic tells mail that must never be acknowledged, so that two
// robots cannot answer each other forever (RFC 3834 section 2).
func isAutomatic(h gomail.Header) bool {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list":
		return true
	}
	if h.Get("List-Id") != "" || h.Get("X-Loop") != "" {
		return true
	}
	ct := strings.ToLower(h.Get("Content-Type"))
	return strings.HasPrefix(ct, "multipart/report")
}

// cleanLine removes control characters and folds a header value to one
// line, so that it can be shown safely in a summary or a subject.
func cleanLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\r' || r == '\n':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if len(out) > 300 {
		out = out[:300]
	}
	return strings.ToValidUTF8(out, "?")
}

// dedupeKey is the index key of a mail by its dedupe digest.
func dedupeKey(digest []byte) string { return "dedupe:" + hex.EncodeToString(digest) }

func dedupeDigest(messageID string, raw []byte) []byte {
	body := raw
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		body = raw[i+4:]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		body = raw[i+2:]
	}
	h := sha256.New()
	h.Write([]byte(messageID))
	h.Write([]byte{0})
	h.Write(body)
	return h.Sum(nil)
}
