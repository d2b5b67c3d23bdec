package channel

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/poe-go/poe/poe/kernel"
)

// Shared-secret authentication between Go peers (Config.Secret).
//
// It runs in line mode right after the normal IKC0 or legacy dialogue has
// finished, and only when the local side has a secret; a kernel without one
// never sends or expects these lines, so it talks to Perl byte for byte as
// before. The client speaks first, as in the dialogue:
//
//	C>S  AUTH-GO1 <client nonce>
//	S>C  AUTH-GO1 <server nonce> <server proof>
//	C>S  AUTH-GO1 OK <client proof>
//	S>C  AUTH-GO1 OK
//
// Nonces are 32 random octets in hex. A proof is the hex HMAC-SHA256, keyed
// with the secret, of a text naming its role, both nonces and both kernel
// names (the server's kernel ID and the client's first SETUP or IAM name),
// so the secret itself never travels, a proof cannot be replayed on another
// connection nor reflected to the other role. Either side that sees a wrong
// proof, or any other line, fails the connection with ErrAuth; frames start
// only after the last line.
//
// A Perl peer cannot take part: a Perl server has switched to frames and
// silently ignores the client's first line (the negotiation timeout then
// ends the attempt); a Perl client sends frames where the server waits for
// the line and is refused. The authentication covers the handshake only:
// without TLS a man in the middle can still read or take over the
// connection after it.
const authTag = "AUTH-GO1"

// ErrAuth: the peer did not prove it knows the shared secret.
var ErrAuth = errors.New("authentication failed")

// auth is the authentication exchange of one connection: a line machine
// like Negotiation.
type auth struct {
	role     Role
	secret   []byte
	serverID string
	clientID string
	nc, ns   string
	step     int
	done     bool
}

func nonce() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}

// newAuth prepares the exchange for a negotiated connection: localID is
// this kernel's ID, peerID the peer's first name.
func newAuth(role Role, secret []byte, localID, peerID string) *auth {
	a := &auth{role: role, secret: secret, serverID: localID, clientID: peerID}
	if role != ServerRole {
		a.serverID, a.clientID = peerID, localID
	}
	return a
}

func (a *auth) proof(role string) string {
	m := hmac.New(sha256.New, a.secret)
	fmt.Fprintf(m, "IKC Go auth 1\nrole %s\nclient nonce %s\nserver nonce %s\nserver %s\nclient %s\n", role, a.nc, a.ns, a.serverID, a.clientID)
	return hex.EncodeToString(m.Sum(nil))
}

func (a *auth) fail(format string, args ...any) ([]string, error) {
	a.step = -1
	return nil, fmt.Errorf("%w: %s", ErrAuth, fmt.Sprintf(format, args...))
}

// start returns the client's first line; a server sends nothing first.
func (a *auth) start() []string {
	if a.role == ServerRole {
		return nil
	}
	a.nc = nonce()
	return []string{authTag + " " + a.nc}
}

// feed consumes one line and returns the lines to answer with.
func (a *auth) feed(line string) ([]string, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return nil, nil // a CR LF split across reads (see Negotiation)
	}
	if f[0] != authTag {
		return a.fail("the peer sent %q where %s was expected (no secret configured, or not a Go peer)", clip(line), authTag)
	}
	switch {
	case a.role == ServerRole && a.step == 0 && len(f) == 2 && isNonce(f[1]):
		a.nc, a.ns, a.step = f[1], nonce(), 1
		return []string{authTag + " " + a.ns + " " + a.proof("server")}, nil
	case a.role == ServerRole && a.step == 1 && len(f) == 3 && f[1] == "OK":
		if !hmac.Equal([]byte(f[2]), []byte(a.proof("client"))) {
			return a.fail("the client's proof is wrong (a different secret)")
		}
		a.done = true
		return []string{authTag + " OK"}, nil
	case a.role != ServerRole && a.step == 0 && len(f) == 3 && isNonce(f[1]):
		a.ns = f[1]
		if !hmac.Equal([]byte(f[2]), []byte(a.proof("server"))) {
			return a.fail("the server's proof is wrong (a different secret)")
		}
		a.step = 1
		return []string{authTag + " OK " + a.proof("client")}, nil
	case a.role != ServerRole && a.step == 1 && len(f) == 2 && f[1] == "OK":
		a.done = true
		return nil, nil
	}
	return a.fail("unexpected line %q", clip(line))
}

func isNonce(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// afterDialogue runs when the IKC dialogue is done: straight on to frames,
// or first the authentication when a secret is configured.
func (c *conn) afterDialogue(e *kernel.Event) {
	if len(c.cfg.Secret) == 0 {
		c.negotiated(e)
		return
	}
	r, _ := c.neg.Result()
	c.auth = newAuth(c.cfg.Role, c.cfg.Secret, c.k.ID(), r.PeerID)
	c.sendLines(c.auth.start())
}

// authInput is the input handler while authenticating.
func (c *conn) authInput(e *kernel.Event, line string) {
	out, err := c.auth.feed(line)
	c.sendLines(out)
	if err != nil {
		c.fail("authenticate", int(syscall.EACCES), err.Error())
		c.Shutdown()
		return
	}
	if c.auth.done {
		c.negotiated(e)
	}
}

// stage names what a connection that is not yet framed is doing, for its
// error messages.
func (c *conn) stage() string {
	if c.auth != nil {
		return "authentication"
	}
	return "negotiation"
}
