package client

import (
	"crypto/tls"
	"fmt"
	"strings"
	"syscall"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/poe/kernel"
)

// TLSFromFiles builds a client TLS configuration from PEM files: caFile
// holds the certificate authorities the server's certificate must be
// signed by (the system's roots when empty); certFile and keyFile, when
// given, are the client's own certificate and key, for servers that
// require one; serverName is the name the server's certificate must carry
// (the Address the client connects to when empty). The minimum version is
// TLS 1.2.
func TLSFromFiles(caFile, certFile, keyFile, serverName string) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pool, err := channel.CertPool(caFile)
		if err != nil {
			return nil, fmt.Errorf("ikc client: TLS CA: %w", err)
		}
		cfg.RootCAs = pool
	}
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("ikc client: TLS certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// tlsConfig is Options.TLS with ServerName defaulting to the Address.
func (c *cli) tlsConfig() *tls.Config {
	cfg := c.opts.TLS
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify && c.opts.Unix == "" {
		cfg = cfg.Clone()
		cfg.ServerName = c.opts.Address
	}
	return cfg
}

// startTLS hands the connected socket to the TLS pump; tlsReady spawns
// the channel once the handshake is done. The client session lives until
// then (the postback holds it).
func (c *cli) startTLS(e *kernel.Event, cfg channel.Config) {
	pb := e.Session.Postback("tls_ready", cfg)
	c.tls = channel.StartTLS(cfg.Handle, c.tlsConfig(), channel.ClientRole, c.opts.NegotiationTimeout, func(h *channel.TLSHandshake) {
		pb.Post(h)
		pb.Release()
	})
}

// tlsReady is the pump's answer: ARG0 [channel.Config], ARG1
// [*channel.TLSHandshake].
func (c *cli) tlsReady(e *kernel.Event) any {
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
	c.tls = nil
	fd, err := h.Take()
	if err != nil || fd < 0 {
		text := "TLS failed"
		if err != nil {
			text = err.Error()
		}
		errno := 0
		if strings.Contains(text, "did not finish within") {
			errno = int(syscall.ETIMEDOUT)
		}
		c.report(e.Kernel, "tls", errno, text)
		c.done(e)
		return nil
	}
	cfg.Handle = fd
	cfg.OnError = h.WrapOnError(cfg.OnError)
	channel.Spawn(e.Kernel, cfg)
	c.done(e)
	return nil
}

// stop is _stop: a handshake still in progress (the kernel is stopping)
// is abandoned, closing its descriptors.
func (c *cli) stop(e *kernel.Event) any {
	if c.tls != nil {
		c.tls.Abandon()
		c.tls = nil
	}
	return nil
}
