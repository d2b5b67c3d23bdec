package channel

import (
	"fmt"
	"regexp"
	"strings"
)

// The legacy IKC dialogue (spec section 6): HELLO, the server's names as
// IAM lines each acknowledged with OK, DONE, the client's names the same
// way, DONE, FREEZER proposals, WORLD, UP.

var (
	// \s in Perl also matches vertical tab, which Go's \s does not.
	iamLine     = regexp.MustCompile(`^IAM[\t\n\v\f\r ]+([-:.\w]+)$`)
	freezerLine = regexp.MustCompile(`^FREEZER[\t\n\v\f\r ]+([-:\w]+)$`)
	freezerAny  = regexp.MustCompile(`^FREEZER[\t\n\v\f\r ]+(.+)$`)
)

// startAnnouncing sends the kernel ID and prepares the other local names,
// which go out popped from the end (transport name first, name last).
func (n *Negotiation) startAnnouncing() string {
	n.announce = append([]string(nil), n.local...)
	return "IAM " + n.opts.KernelID
}

// announceNext answers an OK in phase 001: the next name, or DONE.
func (n *Negotiation) announceNext() (line string, finished bool) {
	if k := len(n.announce); k > 0 {
		name := n.announce[k-1]
		n.announce = n.announce[:k-1]
		return "IAM " + name, false
	}
	return "DONE", true
}

// legacyServer runs the server phases 000 to 003 (6.2).
func (n *Negotiation) legacyServer(line string) ([]string, error) {
	switch n.st {
	case stServer000:
		switch {
		case helloIKCn.MatchString(line), strings.HasPrefix(line, "SETUP"):
			return []string{"NOT"}, nil
		case line == "HELLO":
			n.st = stServer001
			return []string{n.startAnnouncing()}, nil
		}
		n.warn("expected HELLO, got %q", line)
		return nil, nil
	case stServer001:
		return n.announcing(line, stServer002), nil
	case stServer002:
		switch {
		case line == "DONE":
			n.st = stServer003
			return nil, nil
		case line == "NOT":
			n.warn("peer refused during phase 002")
			return nil, nil
		}
		if m := iamLine.FindStringSubmatch(line); m != nil {
			n.peer = append(n.peer, m[1])
			return []string{"OK"}, nil
		}
		n.warn("expected IAM or DONE, got %q", line)
		return []string{"NOT"}, nil
	default: // stServer003
		switch {
		case line == "WORLD":
			if n.freezer == "" {
				n.freezer = n.opts.DefaultSerializer
			}
			if err := n.finishChecked(line); err != nil {
				return nil, err
			}
			return []string{"UP"}, nil
		case line == "NOT":
			n.warn("peer refused during phase 003")
			return nil, nil
		}
		if m := freezerLine.FindStringSubmatch(line); m != nil {
			if n.accepts(m[1]) {
				n.freezer = m[1]
				return []string{"OK"}, nil
			}
			n.warn("refused serializer %q", m[1])
			return []string{"NOT"}, nil
		}
		if freezerAny.MatchString(line) {
			n.warn("bad serializer name in %q", line)
		} else {
			n.warn("expected FREEZER or WORLD, got %q", line)
		}
		return []string{"NOT"}, nil
	}
}

// announcing is phase 001 of either role: each OK pulls the next name;
// after DONE the machine moves to next.
func (n *Negotiation) announcing(line string, next state) []string {
	switch line {
	case "OK":
		out, finished := n.announceNext()
		if !finished {
			return []string{out}
		}
		if next == stClient002 {
			return append([]string{out}, n.enterClient002()...)
		}
		n.st = next
		return []string{out}
	case "NOT":
		n.warn("peer refused during phase 001")
		return nil
	}
	n.warn("expected OK, got %q", line)
	return []string{"NOT"}
}

// legacyClient runs the Perl Client's phases 000 to 003 (6.3).
func (n *Negotiation) legacyClient(line string) ([]string, error) {
	switch n.st {
	case stClient000:
		switch line {
		case "DONE":
			n.st = stClient001
			return []string{n.startAnnouncing()}, nil
		case "NOT":
			n.warn("peer refused during phase 000")
			return nil, nil
		}
		if m := iamLine.FindStringSubmatch(line); m != nil {
			n.peer = append(n.peer, m[1])
			return []string{"OK"}, nil
		}
		n.warn("expected IAM or DONE, got %q", line)
		return []string{"NOT"}, nil
	case stClient001:
		return n.announcing(line, stClient002), nil
	case stClient002:
		switch line {
		case "NOT":
			return n.proposeNext(), nil
		case "OK":
			n.freezer = n.opts.Serializers[n.offered-1]
			return n.enterClient003(), nil
		}
		n.warn("expected OK or NOT, got %q", line)
		return []string{"NOT"}, nil
	default: // stClient003
		switch line {
		case "UP":
			return nil, n.finishChecked(line)
		case "NOT":
			n.warn("peer refused during phase 003")
			return nil, nil
		}
		n.warn("expected UP, got %q", line)
		return []string{"NOT"}, nil
	}
}

// enterClient002 starts proposing serializers, as if a NOT had come.
func (n *Negotiation) enterClient002() []string {
	n.st = stClient002
	n.offered = 0
	return n.proposeNext()
}

// proposeNext sends the next FREEZER proposal or, when the list is
// exhausted, settles on the default serializer as Perl does (the server,
// having accepted none, falls back to its own default as well).
func (n *Negotiation) proposeNext() []string {
	if n.offered < len(n.opts.Serializers) {
		name := n.opts.Serializers[n.offered]
		n.offered++
		return []string{"FREEZER " + name}
	}
	n.warn("the server refused every serializer, using %s", n.opts.DefaultSerializer)
	n.freezer = n.opts.DefaultSerializer
	return n.enterClient003()
}

func (n *Negotiation) enterClient003() []string {
	n.st = stClient003
	return []string{"WORLD"}
}

// legacyLite runs ClientLite's legacy dialogue (6.4), where every
// surprise is fatal.
func (n *Negotiation) legacyLite(line string) ([]string, error) {
	switch n.st {
	case stLiteIAM:
		if line == "DONE" {
			n.st = stLiteOK
			return []string{"IAM " + n.opts.Name}, nil
		}
		m := iamLine.FindStringSubmatch(line)
		if m == nil {
			return nil, n.fail(line, fmt.Errorf("%w: Invalid IAM response", ErrUnexpected))
		}
		if len(n.peer) == 0 {
			n.pingName = m[1]
		}
		n.peer = append(n.peer, m[1])
		return []string{"OK"}, nil
	case stLiteOK:
		if line != "OK" {
			return nil, n.fail(line, fmt.Errorf("%w: expected OK for IAM %s", ErrUnexpected, n.opts.Name))
		}
		n.st = stLiteFreezer
		return []string{"DONE", "FREEZER " + n.opts.Serializers[0]}, nil
	case stLiteFreezer:
		if line != "OK" {
			return nil, n.fail(line, fmt.Errorf("%w: %s refused %s", ErrRefused, n.opts.SanityAlias, n.opts.Serializers[0]))
		}
		n.freezer = n.opts.Serializers[0]
		n.st = stLiteUp
		return []string{"WORLD"}, nil
	default: // stLiteUp
		if line != "UP" {
			return nil, n.fail(line, fmt.Errorf("%w: expected UP", ErrUnexpected))
		}
		n.remote = n.opts.SanityAlias
		return nil, n.finishChecked(line)
	}
}
