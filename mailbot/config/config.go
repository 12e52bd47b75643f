// Package config reads secbot's TOML configuration into typed structs and
// checks it, reporting every problem at once.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/secbot/secbot/mailbot/loopback"
	"github.com/secbot/secbot/mailbot/policy"
	"github.com/secbot/secbot/mailbot/tlsmode"
)

// Config is the whole configuration file.
type Config struct {
	Robot       Robot        `toml:"robot"`
	IMAP        IMAP         `toml:"imap"`
	SMTP        SMTP         `toml:"smtp"`
	Maintainers []Maintainer `toml:"maintainer"`
	Commands    Commands     `toml:"commands"`
	Downstream  []Downstream `toml:"downstream"`
	Embargo     Embargo      `toml:"embargo"`
	CVE         CVE          `toml:"cve"`
	Announce    Announce     `toml:"announce"`
	Log         Log          `toml:"log"`
	Response    Response     `toml:"response"`
	Metrics     Metrics      `toml:"metrics"`
	Export      Export       `toml:"export"`
	Publish     Publish      `toml:"publish"`
	Digest      Digest       `toml:"digest"`
	Alert       Alert        `toml:"alert"`
	Retention   Retention    `toml:"retention"`

	// dir is the directory of the file, against which relative paths resolve.
	dir string
}

// Robot is secbot's own identity and storage.
type Robot struct {
	// Address is the security@ address reporters write to.
	Address string `toml:"address"`
	// Name is the display name on mail secbot sends.
	Name string `toml:"name"`
	// Domain is the right side of the Message-IDs secbot makes (default:
	// the domain of Address).
	Domain      string `toml:"domain"`
	ProjectName string `toml:"project_name"`
	ProjectURL  string `toml:"project_url"`
	// CasePrefix starts every case id (SEC-2026-0001).
	CasePrefix string `toml:"case_prefix"`
	// KeyFile is the robot's armored private key (mode 0600).
	KeyFile string `toml:"key_file"`
	// RetiredKeysDir holds the robot's former private keys, which still
	// decrypt and never sign (`secbot key rotate` moves them there).
	RetiredKeysDir string `toml:"retired_keys_dir"`
	// ProjectKeyFile signs public announcements (default: the robot key).
	ProjectKeyFile string `toml:"project_key_file"`
	// KeyURL tells reporters where to fetch the robot's public key.
	KeyURL string `toml:"key_url"`
	// Store is the bbolt database file.
	Store string `toml:"store"`
	// TemplatesDir overrides the embedded templates file by file.
	TemplatesDir string `toml:"templates_dir"`
	// MaxMessageBytes: larger mails are recorded but not parsed.
	MaxMessageBytes int64 `toml:"max_message_bytes"`
	// OuterSubject is what the readable Subject of encrypted mail shows
	// after the case id: OuterHidden or OuterKind.
	OuterSubject string `toml:"outer_subject"`
}

// The choices of robot.outer_subject. Neither ever shows the report's own
// words: those travel only inside the encryption.
const (
	// OuterHidden: "[SEC-2026-0001] encrypted message" on every mail.
	OuterHidden = "hidden"
	// OuterKind: the case id and a neutral name of the kind of mail,
	// "[SEC-2026-0001] relay: new message", so that an index can be
	// scanned; it tells whoever sees the header what stage a case is in.
	OuterKind = "kind"
)

// IMAP is the mailbox secbot reads.
type IMAP struct {
	Addr         string        `toml:"addr"`
	TLS          tlsmode.Mode  `toml:"tls"`
	Username     string        `toml:"username"`
	Password     string        `toml:"password"`
	PasswordFile string        `toml:"password_file"`
	Mailbox      string        `toml:"mailbox"`
	MoveTo       string        `toml:"move_to"`
	PollInterval time.Duration `toml:"poll_interval"`
}

// SMTP is the submission server secbot sends through.
type SMTP struct {
	Addr         string       `toml:"addr"`
	TLS          tlsmode.Mode `toml:"tls"`
	Username     string       `toml:"username"`
	Password     string       `toml:"password"`
	PasswordFile string       `toml:"password_file"`
	Helo         string       `toml:"helo"`
}

// Maintainer is one person who receives every case message and may
// command by signed mail.
type Maintainer struct {
	Name    string `toml:"name"`
	Address string `toml:"address"`
	KeyFile string `toml:"key_file"`
}

// Commands tune how signed command mail is accepted.
type Commands struct {
	// MaxSignatureAge refuses a command mail whose signature was made
	// longer than this before it arrived (a replayed old mail).
	MaxSignatureAge time.Duration `toml:"max_signature_age"`
	// RequireCaseID refuses a command mail whose signed text does not name
	// its case (threading headers are not signed). Default true; unset it
	// with require_case_id = false.
	RequireCaseID bool `toml:"require_case_id"`
}

// Downstream is a security team that receives pre-notifications under
// embargo: always encrypted to its key.
type Downstream struct {
	ID      string `toml:"id"`
	Name    string `toml:"name"`
	Address string `toml:"address"`
	KeyFile string `toml:"key_file"`
	// Kind is "distros" (the distros list), "vendor" or "individual": it
	// selects the embargo limits.
	Kind string `toml:"kind"`
}

// Embargo sets the CRD rules.
type Embargo struct {
	// Holidays maps "YYYY-MM-DD" to a name; a CRD on one gets a warning.
	Holidays map[string]string `toml:"holidays"`
	// Limits overrides the maximum and warning embargo length per kind.
	Limits map[string]EmbargoLimit `toml:"limits"`
	// Reminder is how long before the CRD maintainers are reminded when
	// the case is not armed or has no patch.
	Reminder time.Duration `toml:"reminder"`
}

// EmbargoLimit is the embargo policy of one downstream kind, in days.
type EmbargoLimit struct {
	MaxDays  int `toml:"max_days"`
	WarnDays int `toml:"warn_days"`
}

// CVE names the CVE Numbering Authority secbot asks for ids.
type CVE struct {
	CNAAddress string `toml:"cna_address"`
	// CNAKeyFile: the request carries embargoed details, so it is sent
	// only encrypted.
	CNAKeyFile string `toml:"cna_key_file"`
}

// Announce lists where the public advisory goes on the CRD.
type Announce struct {
	Addresses []string `toml:"addresses"`
}

// Log sets the log level ("debug", "info", "warn", "error") and format.
type Log struct {
	Level string `toml:"level"`
	// Format is "text" (the default) or "json", for log shippers.
	Format string `toml:"format"`
}

// Metrics sets the optional Prometheus and health listener.
type Metrics struct {
	// Addr is host:port for /metrics and /healthz; empty: no listener.
	Addr string `toml:"addr"`
	// AllowRemote lets Addr be other than loopback: the metrics say
	// nothing of a report, but they say when mail comes and goes.
	AllowRemote bool `toml:"allow_remote"`
}

// Load reads and decodes path and fills in defaults. It does not check
// the values: call Check for that.
func Load(path string) (*Config, error) {
	// Defaults a missing key cannot express as a zero value are set
	// before decoding.
	c := Config{Commands: Commands{RequireCaseID: true}, Digest: Digest{Hour: 9}, Alert: defaultAlert}
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("config %s: unknown keys: %s", path, strings.Join(keys, ", "))
	}
	c.dir = filepath.Dir(path)
	c.defaults()
	return &c, nil
}

func (c *Config) defaults() {
	if c.Robot.CasePrefix == "" {
		c.Robot.CasePrefix = "SEC"
	}
	if c.Robot.RetiredKeysDir == "" {
		c.Robot.RetiredKeysDir = "retired-keys"
	}
	if c.Robot.Domain == "" {
		if i := strings.LastIndexByte(c.Robot.Address, '@'); i >= 0 {
			c.Robot.Domain = c.Robot.Address[i+1:]
		}
	}
	if c.Robot.Name == "" {
		c.Robot.Name = "Security team"
	}
	if c.Robot.MaxMessageBytes == 0 {
		c.Robot.MaxMessageBytes = 25 << 20
	}
	if c.Robot.OuterSubject == "" {
		c.Robot.OuterSubject = OuterHidden
	}
	if c.Robot.Store == "" {
		c.Robot.Store = "secbot.db"
	}
	if c.IMAP.Mailbox == "" {
		c.IMAP.Mailbox = "INBOX"
	}
	if c.IMAP.PollInterval == 0 {
		c.IMAP.PollInterval = time.Minute
	}
	if c.IMAP.TLS == "" {
		c.IMAP.TLS = tlsmode.Implicit
	}
	if c.SMTP.TLS == "" {
		c.SMTP.TLS = tlsmode.StartTLS
	}
	if c.Commands.MaxSignatureAge == 0 {
		c.Commands.MaxSignatureAge = 72 * time.Hour
	}
	if c.Embargo.Reminder == 0 {
		c.Embargo.Reminder = 48 * time.Hour
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
	c.exportDefaults()
}

// Path resolves a path from the config file relative to its directory.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// Secret returns the inline password or the trimmed contents of file.
func (c *Config) Secret(inline, file string) (string, error) {
	if file == "" {
		return inline, nil
	}
	b, err := os.ReadFile(c.Path(file))
	if err != nil {
		return "", fmt.Errorf("read password file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Problems collects every error found while checking, so a user sees
// them all in one run.
type Problems []error

func (p *Problems) addf(format string, args ...any) { *p = append(*p, fmt.Errorf(format, args...)) }

// Err joins the problems, or returns nil when there are none.
func (p Problems) Err() error { return errors.Join(p...) }

// KeyChecker inspects a key file; it is passed in so that this package
// does not depend on the OpenPGP code. It returns the key's fingerprint.
type KeyChecker func(path string, wantPrivate, wantEncrypt bool, now time.Time) (fingerprint string, err error)

// Check validates every value and returns every problem found.
func (c *Config) Check(keys KeyChecker, now time.Time) Problems {
	var p Problems
	c.checkRobot(&p, keys, now)
	c.checkServer(&p, "imap", c.IMAP.Addr, c.IMAP.TLS, c.IMAP.PasswordFile)
	c.checkServer(&p, "smtp", c.SMTP.Addr, c.SMTP.TLS, c.SMTP.PasswordFile)
	if c.IMAP.PollInterval < time.Second {
		p.addf("imap.poll_interval %s: must be at least 1s", c.IMAP.PollInterval)
	}
	if len(c.Maintainers) == 0 {
		p.addf("no [[maintainer]]: every case message goes to maintainers, so at least one is needed")
	}
	seen := map[string]bool{}
	for i, m := range c.Maintainers {
		where := fmt.Sprintf("maintainer %d (%s)", i+1, m.Name)
		checkAddress(&p, where+" address", m.Address)
		if seen[strings.ToLower(m.Address)] {
			p.addf("%s: address %q listed twice", where, m.Address)
		}
		seen[strings.ToLower(m.Address)] = true
		if m.KeyFile == "" {
			p.addf("%s: key_file missing: maintainers get mail only encrypted", where)
		} else if _, err := keys(c.Path(m.KeyFile), false, true, now); err != nil {
			p.addf("%s: key_file %s: %v", where, m.KeyFile, err)
		}
	}
	c.checkDisclosure(&p, keys, now)
	c.checkResponse(&p, keys, now)
	c.checkPublish(&p)
	c.checkDigest(&p)
	c.checkAlert(&p)
	c.checkRetention(&p)
	if c.Commands.MaxSignatureAge < time.Minute {
		p.addf("commands.max_signature_age %s: must be at least 1m", c.Commands.MaxSignatureAge)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		p.addf("log.level %q: want debug, info, warn or error", c.Log.Level)
	}
	c.checkMetrics(&p)
	if c.Log.Format != "text" && c.Log.Format != "json" {
		p.addf("log.format %q: want text or json", c.Log.Format)
	}
	return p
}

func (c *Config) checkMetrics(p *Problems) {
	if c.Metrics.Addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(c.Metrics.Addr)
	switch {
	case err != nil:
		p.addf("metrics.addr %q: want host:port", c.Metrics.Addr)
	case !c.Metrics.AllowRemote && !loopback.Host(host):
		p.addf("metrics.addr %q: not a loopback address; set metrics.allow_remote = true to serve it there", c.Metrics.Addr)
	}
}

func (c *Config) checkRobot(p *Problems, keys KeyChecker, now time.Time) {
	checkAddress(p, "robot.address", c.Robot.Address)
	if c.Robot.KeyFile == "" {
		p.addf("robot.key_file missing")
	} else {
		if _, err := keys(c.Path(c.Robot.KeyFile), true, true, now); err != nil {
			p.addf("robot.key_file %s: %v", c.Robot.KeyFile, err)
		}
		if st, err := os.Stat(c.Path(c.Robot.KeyFile)); err == nil && st.Mode().Perm()&0o077 != 0 {
			p.addf("robot.key_file %s: mode %o lets others read the private key; chmod 600 it", c.Robot.KeyFile, st.Mode().Perm())
		}
	}
	if c.Robot.CasePrefix != strings.ToUpper(c.Robot.CasePrefix) || strings.ContainsAny(c.Robot.CasePrefix, " -[]@+") {
		p.addf("robot.case_prefix %q: use upper-case letters and digits only", c.Robot.CasePrefix)
	}
	if c.Robot.OuterSubject != OuterHidden && c.Robot.OuterSubject != OuterKind {
		p.addf("robot.outer_subject %q: use %q or %q", c.Robot.OuterSubject, OuterHidden, OuterKind)
	}
	if c.Robot.MaxMessageBytes < 64<<10 {
		p.addf("robot.max_message_bytes %d: too small (at least 65536)", c.Robot.MaxMessageBytes)
	}
	if c.Robot.TemplatesDir != "" {
		if st, err := os.Stat(c.Path(c.Robot.TemplatesDir)); err != nil || !st.IsDir() {
			p.addf("robot.templates_dir %s: not a readable directory", c.Robot.TemplatesDir)
		}
	}
}

func (c *Config) checkServer(p *Problems, name, addr string, mode tlsmode.Mode, pwFile string) {
	host, port, err := net.SplitHostPort(addr)
	switch {
	case addr == "":
		p.addf("%s.addr missing", name)
	case err != nil || host == "" || port == "":
		p.addf("%s.addr %q: want host:port", name, addr)
	}
	if !mode.Known() {
		p.addf("%s.tls %q: unknown TLS mode (want tls, starttls or plain)", name, mode)
	} else if mode == tlsmode.Plain && err == nil && !loopback.Host(host) {
		p.addf("%s.tls plain: only allowed for a loopback host, not %q", name, host)
	}
	if pwFile != "" {
		if _, err := os.ReadFile(c.Path(pwFile)); err != nil {
			p.addf("%s.password_file: %v", name, err)
		}
	}
}

func checkAddress(p *Problems, where, addr string) {
	if addr == "" {
		p.addf("%s missing", where)
		return
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr {
		p.addf("%s %q: not a bare mail address", where, addr)
	}
}

func (c *Config) checkDisclosure(p *Problems, keys KeyChecker, now time.Time) {
	ids := map[string]bool{}
	for i, d := range c.Downstream {
		where := fmt.Sprintf("downstream %d (%s)", i+1, d.ID)
		if d.ID == "" || strings.ToLower(d.ID) != d.ID || strings.ContainsAny(d.ID, " ,/") {
			p.addf("%s: id must be lower-case, without spaces or commas", where)
		}
		if ids[d.ID] {
			p.addf("%s: id listed twice", where)
		}
		ids[d.ID] = true
		checkAddress(p, where+" address", d.Address)
		if !slices.Contains(policy.Kinds, d.Kind) {
			p.addf("%s: kind %q: want distros, vendor or individual", where, d.Kind)
		}
		if d.KeyFile == "" {
			p.addf("%s: key_file missing: embargoed mail goes out only encrypted", where)
		} else if _, err := keys(c.Path(d.KeyFile), false, true, now); err != nil {
			p.addf("%s: key_file %s: %v", where, d.KeyFile, err)
		}
	}
	for day := range c.Embargo.Holidays {
		if _, err := time.Parse("2006-01-02", day); err != nil {
			p.addf("embargo.holidays %q: want YYYY-MM-DD", day)
		}
	}
	for kind, l := range c.Embargo.Limits {
		if !slices.Contains(policy.Kinds, kind) {
			p.addf("embargo.limits.%s: unknown kind", kind)
		}
		if l.MaxDays < 1 || l.WarnDays < 0 || l.WarnDays > l.MaxDays {
			p.addf("embargo.limits.%s: want 0 <= warn_days <= max_days, max_days >= 1", kind)
		}
	}
	if c.CVE.CNAAddress != "" {
		checkAddress(p, "cve.cna_address", c.CVE.CNAAddress)
		if c.CVE.CNAKeyFile == "" {
			p.addf("cve.cna_key_file missing: a CVE request carries embargoed details and goes out only encrypted")
		} else if _, err := keys(c.Path(c.CVE.CNAKeyFile), false, true, now); err != nil {
			p.addf("cve.cna_key_file %s: %v", c.CVE.CNAKeyFile, err)
		}
	}
	for _, a := range c.Announce.Addresses {
		checkAddress(p, "announce.addresses", a)
	}
	if c.Robot.ProjectKeyFile != "" {
		if _, err := keys(c.Path(c.Robot.ProjectKeyFile), true, false, now); err != nil {
			p.addf("robot.project_key_file %s: %v", c.Robot.ProjectKeyFile, err)
		}
	}
}
