// SPDX-License-Identifier: GPL-2.0-or-later
//
// h3get: a one-request HTTP/3 client on Debian 12's quic-go (package
// golang-github-lucas-clemente-quic-go-dev 0.29), for the QUIC lab
// (captures/make-quic-captures.sh builds it at capture time with
// golang-go, offline: GO111MODULE=off GOPATH=/usr/share/gocode).  Unlike
// ngtcp2's example client it verifies the server's certificate (against
// -ca) and can present a client certificate, so a server that REQUIRES
// one (Caddy's client_auth) can be recorded refusing it.  The key log is
// written with tls.Config.KeyLogWriter, to -keylog or $SSLKEYLOGFILE.
//
//	h3get -ca rootCA.crt [-cert client.crt -key client.key] \
//	    [-keylog FILE] https://tls-server.local:14433/
//
// It prints the response status and body and exits 0, or prints the
// error and exits 1.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/lucas-clemente/quic-go"
	"github.com/lucas-clemente/quic-go/http3"
)

func main() {
	ca := flag.String("ca", "", "PEM file of the trusted roots (required)")
	cert := flag.String("cert", "", "client certificate (PEM), optional")
	key := flag.String("key", "", "its private key (PEM)")
	keylog := flag.String("keylog", os.Getenv("SSLKEYLOGFILE"),
		"NSS key log file to write (default: $SSLKEYLOGFILE)")
	name := flag.String("name", "", "server name to send and verify (default: the URL's host)")
	flag.Parse()
	if flag.NArg() != 1 || *ca == "" {
		fmt.Fprintln(os.Stderr, "usage: h3get -ca FILE [-cert FILE -key FILE] [-keylog FILE] [-name HOST] URL")
		os.Exit(2)
	}
	roots := x509.NewCertPool()
	pem, err := os.ReadFile(*ca)
	if err != nil || !roots.AppendCertsFromPEM(pem) {
		fmt.Fprintf(os.Stderr, "%s: no certificate (%v)\n", *ca, err)
		os.Exit(2)
	}
	conf := &tls.Config{RootCAs: roots, ServerName: *name}
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		// Sent whatever CAs the server's CertificateRequest names: Go's
		// default (Certificates) silently sends none when the
		// certificate's issuer is not among them, and the server would
		// never see an untrusted certificate (OpenSSL and curl send it).
		conf.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &pair, nil
		}
	}
	if *keylog != "" {
		f, err := os.OpenFile(*keylog, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer f.Close()
		conf.KeyLogWriter = f
	}
	rt := &http3.RoundTripper{TLSClientConfig: conf,
		QuicConfig: &quic.Config{HandshakeIdleTimeout: 5 * time.Second}}
	defer rt.Close()
	client := &http.Client{Transport: rt, Timeout: 10 * time.Second}
	resp, err := client.Get(flag.Arg(0))
	if err != nil {
		fmt.Printf("error: %v\n", err)
		rt.Close()
		os.Exit(1)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("%s %s\n%s", resp.Proto, resp.Status, body)
	rt.Close()
}
