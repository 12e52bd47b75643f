// Package deps pins the fixed modules until every one is used by real code.
package deps

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/ProtonMail/go-crypto/openpgp"
	_ "github.com/ProtonMail/gopenpgp/v2/crypto"
	_ "github.com/ProtonMail/gopenpgp/v2/helper"
	_ "github.com/emersion/go-imap/v2/imapclient"
	_ "github.com/emersion/go-imap/v2/imapserver"
	_ "github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	_ "github.com/emersion/go-message/charset"
	_ "github.com/emersion/go-message/mail"
	_ "github.com/emersion/go-sasl"
	_ "github.com/emersion/go-smtp"
	_ "go.etcd.io/bbolt"
)
