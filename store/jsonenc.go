package store

import (
	"encoding/json"
	"strconv"
	"time"
)

// Ingest writes a message record, a fan-out and often an audit entry for
// every mail; encoding/json's reflection took a tenth of a backlog's
// transaction time. These appenders write the same bytes json.Marshal
// does (jsonenc_test.go holds them to it, field by field), so reading
// stays plain json.Unmarshal.

// appendJSONString appends s as json.Marshal would: the fast path takes
// printable ASCII that needs no escape, anything else goes through
// encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonTimeOK tells whether t can be written as an RFC 3339 JSON string:
// time.Time's MarshalJSON refuses a year outside 0-9999 and a zone offset
// of 24 hours or more (which RFC 1123 dates such as "-2400" can carry).
func jsonTimeOK(t time.Time) bool {
	_, off := t.Zone()
	return t.Year() >= 0 && t.Year() <= 9999 && off > -24*3600 && off < 24*3600
}

// appendJSONTime appends t as time.Time's MarshalJSON does, for a t
// that jsonTimeOK accepts (encodeJSON checks before any appender runs).
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// writableTime is t as a record can hold it: a time JSON cannot encode
// (a Date header's zone of 24 hours, which both mail date parsers
// accept, or a year past 9999) is kept in UTC, or dropped (zero) when
// even that cannot be written. Mail dates come from the sender, so an
// odd one must neither fail the transaction nor lose the message.
func writableTime(t time.Time) time.Time {
	if jsonTimeOK(t) {
		return t
	}
	if t = t.UTC(); jsonTimeOK(t) {
		return t
	}
	return time.Time{}
}

func appendField(b []byte, name string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func appendStringField(b []byte, name, v string, omitEmpty bool) []byte {
	if omitEmpty && v == "" {
		return b
	}
	return appendJSONString(appendField(b, name), v)
}

func appendUintField(b []byte, name string, v uint64, omitEmpty bool) []byte {
	if omitEmpty && v == 0 {
		return b
	}
	return strconv.AppendUint(appendField(b, name), v, 10)
}

func appendBoolField(b []byte, name string, v, omitEmpty bool) []byte {
	if omitEmpty && !v {
		return b
	}
	return strconv.AppendBool(appendField(b, name), v)
}

func appendTimeField(b []byte, name string, t time.Time, omitZero bool) []byte {
	if omitZero && t.IsZero() {
		return b
	}
	return appendJSONTime(appendField(b, name), t)
}

func appendStringsField(b []byte, name string, v []string, omitEmpty bool) []byte {
	if omitEmpty && len(v) == 0 {
		return b
	}
	b = appendField(b, name)
	if v == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

func (r *BlobRef) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendUintField(b, "c", r.Chunk, false)
	b = strconv.AppendInt(appendField(b, "o"), int64(r.Off), 10)
	b = strconv.AppendInt(appendField(b, "n"), int64(r.Len), 10)
	return append(b, '}')
}

func (m *Message) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendUintField(b, "key", m.Key, false)
	b = appendStringField(b, "case", m.Case, false)
	b = appendStringField(b, "message_id", m.MessageID, false)
	b = appendTimeField(b, "received", m.Received, false)
	b = appendTimeField(b, "date", m.Date, true)
	b = appendStringField(b, "from", m.From, false)
	b = appendStringField(b, "subject", m.Subject, false)
	b = appendStringField(b, "status", m.Status, false)
	b = appendStringField(b, "reason", m.Reason, true)
	b = strconv.AppendInt(appendField(b, "size"), m.Size, 10)
	b = appendBoolField(b, "encrypted", m.Encrypted, true)
	b = appendBoolField(b, "signed", m.Signed, true)
	b = appendStringField(b, "signer", m.Signer, true)
	b = appendStringField(b, "mailbox", m.Mailbox, true)
	b = appendUintField(b, "uid_validity", uint64(m.UIDValidity), true)
	b = appendUintField(b, "uid", uint64(m.UID), true)
	if m.RawAt != nil {
		b = m.RawAt.appendJSON(appendField(b, "raw_at"))
	}
	if m.PlainAt != nil {
		b = m.PlainAt.appendJSON(appendField(b, "plain_at"))
	}
	b = appendTimeField(b, "purged", m.Purged, true)
	return append(b, '}')
}

func (e *AuditEntry) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendTimeField(b, "time", e.Time, false)
	b = appendStringField(b, "case", e.Case, false)
	b = appendStringField(b, "actor", e.Actor, false)
	b = appendStringField(b, "action", e.Action, false)
	b = appendStringField(b, "detail", e.Detail, true)
	return append(b, '}')
}

func (f *Fanout) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendStringField(b, "case", f.Case, false)
	b = appendUintField(b, "msg", f.Msg, false)
	b = appendBoolField(b, "new", f.New, true)
	b = appendStringsField(b, "ack_to", f.AckTo, true)
	b = appendStringField(b, "problem", f.Problem, true)
	b = appendStringField(b, "contact", f.Contact, true)
	b = appendBoolField(b, "contact_signed", f.ContactSigned, true)
	b = appendStringField(b, "in_reply_to", f.InReplyTo, true)
	b = appendStringsField(b, "references", f.References, true)
	b = appendTimeField(b, "queued", f.Queued, false)
	return append(b, '}')
}

// encodeJSON encodes v with its appender when its time fields can be
// written (else json.Marshal, which reports the error).
func encodeJSON(appendJSON func([]byte) []byte, v any, times ...time.Time) ([]byte, error) {
	for _, t := range times {
		if !jsonTimeOK(t) {
			return json.Marshal(v)
		}
	}
	return appendJSON(make([]byte, 0, 256)), nil
}
