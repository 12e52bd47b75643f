package mailbot

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
	"github.com/emersion/go-message"

	"github.com/secbot/secbot/mailbot/pgpmime"
)

var armoredPublicKey = regexp.MustCompile(`(?s)-----BEGIN PGP PUBLIC KEY BLOCK-----.*?-----END PGP PUBLIC KEY BLOCK-----`)

// mayCarryKeyText tells whether a mail could hold a public key or a key
// confirmation token: their markers, or a transfer encoding that would
// hide them (a base64 or quoted-printable part is only read decoded). It
// errs on the side of yes.
var mayCarryKeyText = regexp.MustCompile(`(?i)PGP PUBLIC KEY BLOCK|pgp-keys|` + tokenPrefix + `|base64|quoted-printable|autocrypt`)

// senderKey finds a public key the sender sent for themself: an
// application/pgp-keys part, or an armored key block in the text, read
// after the part's transfer encoding is undone. It is taken only when one
// of its user ids names the From address and it can encrypt now; anything
// else is ignored.
func senderKey(raw []byte, from string, now time.Time) string {
	key, _ := scanSender(raw, from, now)
	return key
}

// scanSender reads what a mail, as its sender wrote it, carries for the
// sender's key: a public key for the From address (see senderKey; else
// its Autocrypt header's, see autocryptKey), and
// the key confirmation tokens in its text parts (see keyconfirm.go).
func scanSender(raw []byte, from string, now time.Time) (key string, tokens []string) {
	if from == "" || !mayCarryKeyText.Match(raw) {
		return "", nil
	}
	walkParts(raw, func(mediaType string, body []byte) bool {
		if key == "" {
			for _, block := range keyBlocks(mediaType, body) {
				if keyFor(block, from, now) {
					key = string(block)
					break
				}
			}
		}
		if mediaType == "text/plain" && len(tokens) < maxTokens {
			for _, t := range tokenRE.FindAll(ownText(body), maxTokens-len(tokens)) {
				tokens = append(tokens, string(t))
			}
		}
		return true
	})
	if key == "" {
		key = autocryptKey(raw, from, now) // an attached key comes first
	}
	return key, tokens
}

// keyBlocks are the armored public keys in one part: the armored blocks
// in its text, or an application/pgp-keys part's binary key, armored.
func keyBlocks(mediaType string, body []byte) [][]byte {
	blocks := armoredPublicKey.FindAll(body, 4)
	if len(blocks) > 0 || mediaType != "application/pgp-keys" {
		return blocks
	}
	key, err := pgpmime.ReadKey(body)
	if err != nil || key.IsPrivate() {
		return nil
	}
	armored, err := key.GetArmoredPublicKey()
	if err != nil {
		return nil
	}
	return [][]byte{[]byte(armored)}
}

func keyFor(armored []byte, from string, now time.Time) bool {
	key, err := pgpmime.ReadKey(armored)
	if err != nil || pgpmime.UsableForEncryption(key, now) != nil || key.IsPrivate() {
		return false
	}
	return namesAddress(key, from, now)
}

// namesAddress reports whether one of the key's user ids is addr.
func namesAddress(key *crypto.Key, addr string, now time.Time) bool {
	for _, uid := range pgpmime.Inspect(key, now).UserIDs {
		if strings.Contains(strings.ToLower(uid), "<"+addr+">") || strings.EqualFold(uid, addr) {
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

// ownText is the part of a text the sender wrote themself: the lines up
// to the first quoted line, attribution line ("On …, … wrote:") or
// Outlook separator, where the mail being answered begins. A token counts
// only there: a reporter who answers a confirmation they did not ask for
// ("I never sent a key!") quotes it, token and all, and that must not
// confirm a key someone else sent in their name.
func ownText(body []byte) []byte {
	rest := body
	for len(rest) > 0 {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i]
		}
		t := bytes.TrimSpace(line)
		if bytes.HasPrefix(t, []byte(">")) || bytes.HasSuffix(t, []byte("wrote:")) ||
			bytes.HasPrefix(t, []byte("-----Original Message-----")) || bytes.HasPrefix(t, []byte("________________")) {
			return body[:len(body)-len(rest)]
		}
		if len(line) == len(rest) {
			break
		}
		rest = rest[len(line)+1:]
	}
	return body
}
