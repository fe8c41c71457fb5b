// SPDX-License-Identifier: GPL-2.0-or-later
//
// tlspeer: a Go crypto/tls server or client for the real-server lab
// (captures/real/make-real.sh builds it at capture time with golang-go).
// The key log is written with tls.Config.KeyLogWriter.
//
//	tlspeer server -listen 127.0.0.1:9446 -cert server.crt -key server.key \
//	    -chain chain.crt -clientca clientCA.crt -clientauth require|none \
//	    -maxver 1.2|1.3 -keylog FILE -n 1
//	tlspeer client -connect 127.0.0.1:9446 -name tls-server.local \
//	    -ca rootCA.crt [-cert client.crt -key client.key] -maxver 1.3 -keylog FILE
//
// The server answers one HTTP/1.0-style line "HTTP/1.1 200 OK" to a request
// line, then closes; the client sends "GET / HTTP/1.1", prints the answer and
// exits 0, or prints the error and exits 1.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"time"
)

func pool(file string) *x509.CertPool {
	p := x509.NewCertPool()
	pem, err := os.ReadFile(file)
	if err != nil {
		log.Fatal(err)
	}
	if !p.AppendCertsFromPEM(pem) {
		log.Fatalf("%s: no certificate", file)
	}
	return p
}

func vname(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLS 1.3"
	case tls.VersionTLS12:
		return "TLS 1.2"
	}
	return fmt.Sprintf("0x%04x", v)
}

func version(v string) uint16 {
	if v == "1.2" {
		return tls.VersionTLS12
	}
	return tls.VersionTLS13
}

func keylog(file string) io.Writer {
	if file == "" {
		return nil
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0644)
	if err != nil {
		log.Fatal(err)
	}
	return f
}

func server(args []string) {
	fs := flag.NewFlagSet("server", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:9446", "")
	certf := fs.String("cert", "server.crt", "")
	keyf := fs.String("key", "server.key", "")
	chain := fs.String("chain", "", "PEM appended to the certificate chain")
	clientca := fs.String("clientca", "", "")
	auth := fs.String("clientauth", "none", "none|require")
	maxver := fs.String("maxver", "1.3", "")
	kl := fs.String("keylog", "", "")
	n := fs.Int("n", 1, "connections to serve")
	fs.Parse(args)
	pemdata, err := os.ReadFile(*certf)
	if err != nil {
		log.Fatal(err)
	}
	if *chain != "" {
		c, err := os.ReadFile(*chain)
		if err != nil {
			log.Fatal(err)
		}
		pemdata = append(pemdata, c...)
	}
	keydata, err := os.ReadFile(*keyf)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := tls.X509KeyPair(pemdata, keydata)
	if err != nil {
		log.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert},
		MaxVersion: version(*maxver), KeyLogWriter: keylog(*kl)}
	if *clientca != "" {
		cfg.ClientCAs = pool(*clientca)
	}
	if *auth == "require" {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on %s (max TLS %s, client auth %s)", *listen, *maxver, *auth)
	for i := 0; i < *n; i++ {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		tc := tls.Server(c, cfg)
		tc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			log.Printf("%s: handshake error: %v", c.RemoteAddr(), err)
			tc.Close()
			continue
		}
		st := tc.ConnectionState()
		log.Printf("%s: handshake done: %s %s, client certificates: %d",
			c.RemoteAddr(), vname(st.Version), tls.CipherSuiteName(st.CipherSuite),
			len(st.PeerCertificates))
		line, err := bufio.NewReader(tc).ReadString('\n')
		if err != nil {
			log.Printf("%s: read: %v", c.RemoteAddr(), err)
		} else {
			log.Printf("%s: request %q", c.RemoteAddr(), line)
			fmt.Fprintf(tc, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
		}
		tc.Close()
	}
}

func client(args []string) {
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	connect := fs.String("connect", "127.0.0.1:9446", "")
	name := fs.String("name", "tls-server.local", "SNI and name to verify")
	ca := fs.String("ca", "", "trusted roots (default: the system's)")
	certf := fs.String("cert", "", "")
	keyf := fs.String("key", "", "")
	maxver := fs.String("maxver", "1.3", "")
	kl := fs.String("keylog", "", "")
	fs.Parse(args)
	cfg := &tls.Config{ServerName: *name, MaxVersion: version(*maxver), KeyLogWriter: keylog(*kl)}
	if *ca != "" {
		cfg.RootCAs = pool(*ca)
	}
	if *certf != "" {
		cert, err := tls.LoadX509KeyPair(*certf, *keyf)
		if err != nil {
			log.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", *connect, cfg)
	if err != nil {
		fmt.Printf("handshake error: %v\n", err)
		os.Exit(1)
	}
	st := c.ConnectionState()
	fmt.Printf("handshake done: %s %s\n", vname(st.Version), tls.CipherSuiteName(st.CipherSuite))
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", *name)
	b, err := io.ReadAll(c)
	fmt.Printf("%s", b)
	c.Close()
	if err != nil {
		fmt.Printf("read error: %v\n", err)
		os.Exit(1)
	}
}

func main() {
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	if len(os.Args) < 2 {
		log.Fatal("usage: tlspeer server|client ...")
	}
	switch os.Args[1] {
	case "server":
		server(os.Args[2:])
	case "client":
		client(os.Args[2:])
	default:
		log.Fatal("usage: tlspeer server|client ...")
	}
}
