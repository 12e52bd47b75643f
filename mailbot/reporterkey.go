package mailbot

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-message"

	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

var armoredPublicKey = regexp.MustCompile(`(?s)-----BEGIN PGP PUBLIC KEY BLOCK-----.*?-----END PGP PUBLIC KEY BLOCK-----`)

// senderKey finds a public key the sender sent for themself: an
// application/pgp-keys part, or an armored key block in the text. It is
// taken only when one of its user ids names the From address and it can
// encrypt now; anything else is ignored.
func senderKey(raw []byte, from string, now time.Time) string {
	if from == "" || !bytes.Contains(raw, []byte("PGP PUBLIC KEY BLOCK")) && !bytes.Contains(raw, []byte("pgp-keys")) {
		return ""
	}
	var found string
	walkParts(raw, func(mediaType string, body []byte) bool {
		for _, block := range armoredPublicKey.FindAll(body, 4) {
			if keyFor(block, from, now) {
				found = string(block)
				return false
			}
		}
		return true
	})
	return found
}

func keyFor(armored []byte, from string, now time.Time) bool {
	key, err := pgpmime.ReadKey(armored)
	if err != nil || pgpmime.UsableForEncryption(key, now) != nil || key.IsPrivate() {
		return false
	}
	for _, uid := range pgpmime.Inspect(key, now).UserIDs {
		if strings.Contains(strings.ToLower(uid), "<"+from+">") || strings.EqualFold(uid, from) {
			return true
		}
	}
	return false
}

// walkParts calls fn with every leaf part's media type and decoded body
// (at most 256 KiB each, at most 8 levels deep) until fn returns false.
func walkParts(raw []byte, fn func(mediaType string, body []byte) bool) {
	walkLeaves(raw, 256<<10, func(_, mt string, body []byte) bool { return fn(mt, body) })
}

// walkFiles is walkParts with each part's file name, reading up to the
// patch size limit (plus one byte, so that oversize shows).
func walkFiles(raw []byte, fn func(name, mediaType string, body []byte) bool) {
	walkLeaves(raw, maxPatchBytes+1, fn)
}

func walkLeaves(raw []byte, limit int64, fn func(name, mediaType string, body []byte) bool) {
	if headerRunTooLong(raw) {
		return // see errPartHeaderTooBig
	}
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil && ent == nil {
		return
	}
	var walk func(e *message.Entity, depth int) bool
	walk = func(e *message.Entity, depth int) bool {
		if depth > maxPartDepth {
			return false
		}
		if mr := e.MultipartReader(); mr != nil {
			for {
				part, err := mr.NextPart()
				if err != nil && part == nil {
					return true
				}
				if !walk(part, depth+1) {
					return false
				}
			}
		}
		mt, params, _ := e.Header.ContentType()
		_, dparams, _ := e.Header.ContentDisposition()
		name := dparams["filename"]
		if name == "" {
			name = params["name"]
		}
		body, _ := io.ReadAll(io.LimitReader(e.Body, limit))
		return fn(name, mt, body)
	}
	walk(ent, 0)
}

// learnReporterKey keeps the key a reporter sent, so that mail to them
// can be encrypted from now on. Nothing authenticates the sender of that
// mail, so a key is learned only for the From address itself (the key's
// user id names it, see senderKey), only while none is stored: a stored
// key is never replaced by mail, or anyone could redirect the reporter's
// encrypted mail to a key of their own.
func (b *Bot) learnReporterKey(c *store.Case, p *prepared) {
	if p.pubKey == "" || p.signer != "" {
		return
	}
	for _, r := range c.Reporters {
		if r != p.env.From || c.ReporterKeys[r] != "" {
			continue
		}
		if c.ReporterKeys == nil {
			c.ReporterKeys = map[string]string{}
		}
		c.ReporterKeys[r] = p.pubKey
	}
}
