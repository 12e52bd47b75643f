package mailbot

import (
	"strings"
	"testing"
)

func testThreader() *Threader {
	index := map[string]string{"report@x": "SEC-2026-0001", "ack.SEC-2026-0002@demo.example": "SEC-2026-0002"}
	exists := map[string]bool{"SEC-2026-0001": true, "SEC-2026-0002": true, "SEC-2026-0003": true}
	return &Threader{
		Prefix: "SEC", Local: "security", Domain: "demo.example",
		ByMessageID: func(id string) (string, bool) { c, ok := index[id]; return c, ok },
		Exists:      func(id string) bool { return exists[id] },
	}
}

func TestThreaderFind(t *testing.T) {
	th := testThreader()
	check := func(name string, env Envelope, wantCase, wantHow string) {
		t.Helper()
		c, how := th.Find(&env)
		if c != wantCase || how != wantHow {
			t.Errorf("%s: Find = %q by %q, want %q by %q", name, c, how, wantCase, wantHow)
		}
	}
	check("new report", Envelope{Subject: "bug"}, "", "")
	check("in-reply-to", Envelope{InReplyTo: []string{"report@x"}}, "SEC-2026-0001", JoinReference)
	check("references, newest last", Envelope{References: []string{"report@x", "ack.SEC-2026-0002@demo.example"}}, "SEC-2026-0002", JoinReference)
	check("plus address", Envelope{Recipients: []string{"security+sec-2026-0003@demo.example"}}, "SEC-2026-0003", JoinPlus)
	check("plus address, other domain", Envelope{Recipients: []string{"security+SEC-2026-0003@evil.example"}}, "", "")
	check("plus address, unknown case", Envelope{Recipients: []string{"security+SEC-2026-0099@demo.example"}}, "", "")
	check("subject tag", Envelope{Subject: "Re: [sec-2026-0002] bug"}, "SEC-2026-0002", JoinSubject)
	check("subject tag of unknown case", Envelope{Subject: "[SEC-2026-0042] bug"}, "", "")
	check("reference beats subject", Envelope{InReplyTo: []string{"report@x"}, Subject: "[SEC-2026-0002]"}, "SEC-2026-0001", JoinReference)
	check("unknown reference falls back to tag", Envelope{InReplyTo: []string{"nope@x"}, Subject: "[SEC-2026-0003]"}, "SEC-2026-0003", JoinSubject)
}

func TestParseEnvelope(t *testing.T) {
	raw := "From: =?utf-8?q?J=C3=BCrgen?= <Juergen@Example.ORG>\r\n" +
		"To: security+SEC-2026-0001@demo.example, other@x\r\n" +
		"Subject: =?iso-8859-1?q?=E9t=E9?= overflow\r\n" +
		"Message-ID: <abc@x>\r\nIn-Reply-To: <p@x>\r\nReferences: <o@x> <p@x>\r\n" +
		"Precedence: bulk\r\n\r\nbody\r\n"
	env, _, err := parseEnvelope([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if env.From != "juergen@example.org" || env.FromName != "Jürgen" || env.Subject != "été overflow" ||
		env.MessageID != "abc@x" || len(env.References) != 2 || !env.Auto || len(env.Recipients) != 2 {
		t.Errorf("envelope = %+v", env)
	}
	noID, _, err := parseEnvelope([]byte("Subject: x\r\n\r\nbody"))
	if err != nil || !noID.Synthetic || !strings.HasSuffix(noID.MessageID, "@secbot.invalid") {
		t.Errorf("no Message-ID: %+v %v", noID, err)
	}
	if _, _, err := parseEnvelope([]byte(strings.Repeat("X-Long: "+strings.Repeat("a", 1000)+"\r\n", 1200))); err == nil {
		t.Error("a 1 MiB header section parsed")
	}
}

func FuzzThreading(f *testing.F) {
	for _, s := range []string{"Subject: [SEC-2026-0001]\r\n\r\n", "In-Reply-To: <report@x>\r\n\r\n",
		"To: security+SEC-2026-0003@demo.example\r\n\r\n", "References: <<<>>\r\n\r\n"} {
		f.Add([]byte(s))
	}
	th := testThreader()
	f.Fuzz(func(t *testing.T, raw []byte) {
		env, _, err := parseEnvelope(raw)
		if err != nil {
			return
		}
		c, how := th.Find(env)
		if (c == "") != (how == "") {
			t.Fatalf("Find = %q by %q", c, how)
		}
		if c != "" && !th.Exists(c) {
			t.Fatalf("Find returned a case that does not exist: %q", c)
		}
	})
}

func FuzzEnvelope(f *testing.F) {
	f.Add([]byte("From: a@b\r\nSubject: x\r\n\r\nbody"))
	f.Add([]byte("Subject: =?bogus?q?x?=\r\nFrom: <<>>\r\nDate: yesterday\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		env, _, err := parseEnvelope(raw)
		if env == nil || (err != nil || env.Synthetic) != (env.Hash != "") {
			t.Fatalf("no envelope, or the raw hash missing where it is needed (err %v)", err)
		}
		if env.DedupeKey == "" && err == nil {
			t.Fatal("no dedupe key after a successful parse")
		}
		if err == nil && env.MessageID == "" {
			t.Fatal("empty Message-ID after a successful parse")
		}
		if strings.ContainsAny(env.Subject, "\r\n") {
			t.Fatal("subject keeps a line break")
		}
	})
}
