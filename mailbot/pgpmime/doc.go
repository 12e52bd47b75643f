// Package pgpmime builds and opens OpenPGP-protected mail for secbot.
//
// Outgoing mail is wrapped as PGP/MIME (RFC 3156): multipart/encrypted
// (section 4) or multipart/signed (section 5). Incoming mail may be PGP/MIME
// or "inline" PGP (an armored message or a clearsigned text in a text/plain
// body); Open unwraps all of them and reports who signed what.
//
// Encryption and signing use go-crypto directly (see writeConfig: gopenpgp
// cannot turn off the salt notation it adds to every signature). So does
// verification, because secbot needs three things gopenpgp's Decrypt does not
// give back: the key that actually verified, the signature creation time,
// and key validity judged both at that creation time and at the mail's
// arrival, with every known revocation counted whatever its date.
package pgpmime
