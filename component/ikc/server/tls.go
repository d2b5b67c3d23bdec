package server

import (
	"crypto/tls"
	"fmt"
	"strings"
	"syscall"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/poe/kernel"
)

// TLSFromFiles builds a server TLS configuration from PEM files: the
// server's certificate chain and private key, and, when clientCAFile is
// not empty, the certificate authorities that client certificates must be
// signed by, in which case every client must present a valid certificate.
// The minimum version is TLS 1.2.
func TLSFromFiles(certFile, keyFile, clientCAFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("ikc server: TLS certificate: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clientCAFile != "" {
		pool, err := channel.CertPool(clientCAFile)
		if err != nil {
			return nil, fmt.Errorf("ikc server: TLS client CA: %w", err)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// startTLS hands an accepted socket to the TLS pump; the channel is
// spawned by tlsReady once the handshake is done. The connection counts
// against Concurrency from the accept on.
func (s *srv) startTLS(e *kernel.Event, cfg channel.Config) {
	s.children++
	pb := e.Session.Postback("tls_ready", cfg)
	h := channel.StartTLS(cfg.Handle, s.opts.TLS, channel.ServerRole, s.opts.NegotiationTimeout, func(h *channel.TLSHandshake) {
		pb.Post(h)
		pb.Release()
	})
	if s.pending == nil {
		s.pending = map[*channel.TLSHandshake]bool{}
	}
	s.pending[h] = true
}

// tlsReady is the pump's answer: ARG0 [channel.Config], ARG1
// [*channel.TLSHandshake].
func (s *srv) tlsReady(e *kernel.Event) any {
	created, _ := e.Arg(0).([]any)
	got, _ := e.Arg(1).([]any)
	if len(created) < 1 || len(got) < 1 {
		return nil
	}
	cfg, _ := created[0].(channel.Config)
	h, _ := got[0].(*channel.TLSHandshake)
	if h == nil {
		return nil
	}
	delete(s.pending, h)
	fd, err := h.Take()
	if err != nil || fd < 0 {
		s.children--
		s.resume()
		text := "TLS failed"
		if err != nil {
			text = err.Error()
		}
		errno := 0
		if strings.Contains(text, "did not finish within") {
			errno = int(syscall.ETIMEDOUT)
		}
		if s.opts.OnError != nil {
			s.opts.OnError("tls", errno, text)
		} else if r := responder.Get(e.Kernel); r != nil {
			r.ChannelError(nil, "tls", errno, text)
		}
		return nil
	}
	if s.stopping {
		syscall.Close(fd)
		s.children--
		return nil
	}
	cfg.Handle = fd
	cfg.OnError = h.WrapOnError(cfg.OnError)
	channel.Spawn(e.Kernel, cfg)
	return nil
}

// abandonTLS closes the connections still handshaking when the server
// session stops.
func (s *srv) abandonTLS() {
	for h := range s.pending {
		h.Abandon()
	}
	s.pending = nil
}
