// Package website writes the project's public security pages into
// publish.dir: a directory per published case (the advisory as text and
// HTML, its exports, its patches), an index and an Atom feed of every
// published advisory, newest first, and .well-known/security.txt (RFC
// 9116). It writes only what it is given: the caller hands it the
// published cases, and nothing else (mailbot/site.go is that gate).
// Every file is written to a temporary name and renamed, so a web
// server never serves half a file, and a file whose bytes would not
// change is left alone, so writing again is a no-op.
package website
