package channel

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The IKC0 dialogue (spec section 5): the client sends one SETUP line, the
// server answers with its own SETUP line or NOT.

var (
	setupKernel  = regexp.MustCompile(`KERNEL=(.+)`)
	setupFreezer = regexp.MustCompile(`FREEZER=(.+)`)
	setupPID     = regexp.MustCompile(`PID=(\d+)`)
	helloIKCn    = regexp.MustCompile(`^HELLO IKC\d$`)
)

// Setup is the content of an IKC0 SETUP line.
type Setup struct {
	// Kernels are the KERNEL names in order: the kernel ID (or a
	// ClientLite's name) first, then the other names.
	Kernels []string
	// Freezers are the FREEZER names in order of preference.
	Freezers []string
	// PID is the last PID part, 0 when there is none.
	PID int
}

// String formats s as the line Perl writes, without CR LF:
// "SETUP KERNEL=…;FREEZER=…;PID=…".
func (s Setup) String() string {
	return "SETUP KERNEL=" + strings.Join(s.Kernels, ",") +
		";FREEZER=" + strings.Join(s.Freezers, ",") +
		";PID=" + strconv.Itoa(s.PID)
}

// ParseSetup reads the text after "SETUP " as the Perl channel does: the
// parts between ';' are matched, unanchored, against KERNEL=, FREEZER= and
// PID=; KERNEL and FREEZER values accumulate, PID keeps the last. It
// reports ok=false for a line Perl calls bad: a part matching none of the
// three, or no KERNEL name at all.
//
// Deviations: an empty name inside a list ("KERNEL=a,,b" or "KERNEL=,a")
// and a PID too large for an int make the line bad; Perl would register
// an empty name or keep a float.
func ParseSetup(body string) (s Setup, ok bool) {
	for _, part := range perlSplit(body, ";") {
		if m := setupKernel.FindStringSubmatch(part); m != nil {
			names := perlSplit(m[1], ",")
			if contains(names, "") {
				return s, false
			}
			s.Kernels = append(s.Kernels, names...)
		} else if m := setupFreezer.FindStringSubmatch(part); m != nil {
			names := perlSplit(m[1], ",")
			if contains(names, "") {
				return s, false
			}
			s.Freezers = append(s.Freezers, names...)
		} else if m := setupPID.FindStringSubmatch(part); m != nil {
			pid, err := strconv.Atoi(m[1])
			if err != nil {
				return s, false
			}
			s.PID = pid
		} else {
			return s, false
		}
	}
	return s, len(s.Kernels) > 0
}

// perlSplit splits as Perl's split with a literal separator does: trailing
// empty fields are dropped, so "a;" is one field and "" none.
func perlSplit(s, sep string) []string {
	f := strings.Split(s, sep)
	for len(f) > 0 && f[len(f)-1] == "" {
		f = f[:len(f)-1]
	}
	return f
}

// setupBody returns the text after "SETUP " when line is a SETUP line.
func setupBody(line string) (string, bool) {
	body, ok := strings.CutPrefix(line, "SETUP ")
	return body, ok && body != ""
}

// setupLine is the SETUP this side sends with the given FREEZER list.
func (n *Negotiation) setupLine(freezers []string) string {
	s := Setup{Freezers: freezers, PID: n.opts.PID}
	if n.opts.Role == LiteRole {
		s.Kernels = n.local
	} else {
		s.Kernels = append([]string{n.opts.KernelID}, n.local...)
	}
	return s.String()
}

// setupServer is the server's phase 010 (5.3).
func (n *Negotiation) setupServer(line string) ([]string, error) {
	if helloIKCn.MatchString(line) {
		return []string{"NOT"}, nil
	}
	if line == "HELLO" {
		n.proto = IKC
		n.st = stServer000
		return n.legacyServer(line)
	}
	body, ok := setupBody(line)
	if !ok {
		return nil, nil // Perl ignores anything else silently
	}
	s, good := ParseSetup(body)
	if !good {
		n.warn("bad SETUP line %q", line)
		return []string{"NOT"}, nil
	}
	for _, f := range s.Freezers {
		if n.accepts(f) {
			n.freezer = f
			break
		}
	}
	if n.freezer == "" {
		n.warn("no acceptable FREEZER in %q", line)
		return []string{"NOT"}, nil
	}
	n.peer, n.peerPID, n.hasPID = s.Kernels, s.PID, true
	out := []string{n.setupLine([]string{n.freezer})}
	if err := n.finishChecked(line); err != nil {
		return nil, err
	}
	return out, nil
}

// setupClient is the Perl Client's phase 010 (5.2).
func (n *Negotiation) setupClient(line string) ([]string, error) {
	if line == "NOT" {
		n.proto = IKC
		n.st = stClient000
		return []string{"HELLO"}, nil
	}
	body, ok := setupBody(line)
	if !ok {
		n.warn("unexpected line %q", line)
		return []string{"NOT"}, nil
	}
	s, good := ParseSetup(body)
	if !good || len(s.Freezers) != 1 {
		// Deviation: Perl answers NOT and waits, but the server has
		// already switched to frames, so nothing can come; fail instead.
		return []string{"NOT"}, n.fail(line, fmt.Errorf("%w: unusable SETUP answer", ErrUnexpected))
	}
	if !n.accepts(s.Freezers[0]) {
		// Deviation: the Perl client dies when it cannot load the package.
		return nil, n.fail(line, fmt.Errorf("%w: server chose serializer %q, which is not available here", ErrRefused, s.Freezers[0]))
	}
	n.freezer = s.Freezers[0]
	n.peer, n.peerPID, n.hasPID = s.Kernels, s.PID, true
	return nil, n.finishChecked(line)
}

// setupLite is ClientLite's IKC0 phase (5.4).
func (n *Negotiation) setupLite(line string) ([]string, error) {
	if line == "NOT" {
		n.proto = IKC
		n.st = stLiteIAM
		return []string{"HELLO"}, nil
	}
	body, ok := setupBody(line)
	if !ok {
		return nil, n.fail(line, fmt.Errorf("%w: Phase 010: Invalid response from %s", ErrUnexpected, n.opts.Name))
	}
	s, good := ParseSetup(body)
	if !good {
		// Deviation: ClientLite answers NOT and keeps reading until its
		// alarm; the server has switched to frames, so fail at once.
		return []string{"NOT"}, n.fail(line, fmt.Errorf("%w: bad SETUP answer", ErrUnexpected))
	}
	mine := n.opts.Serializers[0]
	if len(s.Freezers) == 0 || s.Freezers[0] != mine {
		theirs := ""
		if len(s.Freezers) > 0 {
			theirs = s.Freezers[0]
		}
		return nil, n.fail(line, fmt.Errorf("%w: Phase 010: Refused %s, wants %s", ErrRefused, mine, theirs))
	}
	n.freezer = mine
	n.peer, n.peerPID, n.hasPID = s.Kernels, s.PID, true
	n.remote = s.Kernels[0]
	return nil, n.finishChecked(line)
}

// finishChecked completes the negotiation, failing it when the peer ended
// up with no name at all (Perl would register an undefined kernel and die
// later).
func (n *Negotiation) finishChecked(line string) error {
	if len(n.peer) == 0 && n.opts.SanityAlias == "" {
		return n.fail(line, fmt.Errorf("%w: the peer announced no name", ErrUnexpected))
	}
	n.finish()
	return nil
}
