#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""smtp-peer.py -- a minimal SMTP server with STARTTLS, and an smtplib client,
for captures/real (Python's ssl module; keylog_filename for the key log).

  smtp-peer.py server [--starttls=MODE] [--require-cert-after-tls]
                     PORT CERT KEY CHAIN [CLIENTCA]    one session, then exit
  smtp-peer.py client PORT NAME CAFILE KEYLOG [CERT KEY]

The server requires a client certificate when CLIENTCA is given
(ssl.CERT_REQUIRED).  With --require-cert-after-tls (and CLIENTCA) it
only asks for one in a TLS 1.3 handshake (ssl.CERT_OPTIONAL) and refuses
afterwards, in SMTP: a MAIL FROM inside TLS from a client that presented
none is answered "530 5.7.0 Client certificate required" (issue 17, an
application-layer refusal after the upgrade).  MODE (issue 17's refusals) is `offer` (the default:
EHLO lists STARTTLS, STARTTLS is answered 220 and TLS begins), `absent`
(EHLO does not list it; a STARTTLS anyway is answered 502 5.5.1) or
`refuse` (EHLO lists it, STARTTLS is answered 454 4.7.0, the session goes
on in plaintext for a client that wants to).  The client sends EHLO,
STARTTLS, EHLO, MAIL, RCPT, DATA, QUIT with smtplib and exits 0, or prints
the error and exits 1.
"""
import os
import smtplib
import socket
import ssl
import sys


def server(*args):
    mode = "offer"
    after = False
    while args and args[0].startswith("--"):
        if args[0].startswith("--starttls="):
            mode = args[0].split("=", 1)[1]
        elif args[0] == "--require-cert-after-tls":
            after = True
        else:
            sys.exit(f"smtp-peer.py: unknown option {args[0]}")
        args = args[1:]
    if mode not in ("offer", "absent", "refuse"):
        sys.exit(f"smtp-peer.py: unknown --starttls={mode}")
    if after and len(args) < 5:
        sys.exit("smtp-peer.py: --require-cert-after-tls needs CLIENTCA")
    serve(mode, after, *args)


def serve(mode, after, port, cert, key, chain, clientca=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    full = os.path.join(os.environ.get("TMPDIR", "/tmp"), "smtp-fullchain.pem")
    with open(full, "w") as f:
        f.write(open(cert).read() + open(chain).read())
    ctx.load_cert_chain(full, key)
    if os.environ.get("SSLKEYLOGFILE"):
        ctx.keylog_filename = os.environ["SSLKEYLOGFILE"]
    if clientca:
        ctx.load_verify_locations(clientca)
        # asked for, not required: the refusal comes later, in SMTP
        ctx.verify_mode = ssl.CERT_OPTIONAL if after else ssl.CERT_REQUIRED
        if after:
            ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ls = socket.create_server(("127.0.0.1", int(port)))
    print(f"listening on 127.0.0.1:{port} (STARTTLS: {mode})", flush=True)
    conn, addr = ls.accept()
    print(f"connection from {addr[0]}:{addr[1]}", flush=True)
    f = conn.makefile("rb")

    def say(s):
        print("S: " + s, flush=True)
        conn.sendall((s + "\r\n").encode())
    say("220 tls-server.local ESMTP smtp-peer")
    tls = False
    peer_cert = False
    while True:
        line = f.readline()
        if not line:
            print("client closed", flush=True)
            break
        cmd = line.decode(errors="replace").strip()
        print("C: " + cmd, flush=True)
        verb = cmd.split(" ")[0].upper()
        if verb in ("EHLO", "HELO"):
            if tls or mode == "absent":
                say("250-tls-server.local")
                say("250 8BITMIME")
            else:
                say("250-tls-server.local")
                say("250 STARTTLS")
        elif verb == "STARTTLS" and mode == "absent":
            say("502 5.5.1 STARTTLS not supported")
        elif verb == "STARTTLS" and mode == "refuse":
            say("454 4.7.0 TLS not available due to local problem")
        elif verb == "STARTTLS":
            say("220 2.0.0 Ready to start TLS")
            try:
                conn = ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as e:
                print(f"TLS handshake failed: {e}", flush=True)
                break
            print(f"TLS established: {conn.version()} {conn.cipher()[0]}, client certificate: "
                  f"{'yes' if conn.getpeercert() else 'no'}", flush=True)
            f = conn.makefile("rb")
            tls = True
            peer_cert = conn.getpeercert(binary_form=True) is not None
        elif verb == "MAIL" and after and tls and not peer_cert:
            say("530 5.7.0 Client certificate required")
        elif verb == "DATA":
            say("354 End data with <CR><LF>.<CR><LF>")
            while True:
                d = f.readline()
                if not d or d.strip() == b".":
                    break
            say("250 2.0.0 Ok: queued")
        elif verb == "QUIT":
            say("221 2.0.0 Bye")
            break
        else:
            say("250 2.0.0 Ok")
    try:
        if isinstance(conn, ssl.SSLSocket):
            conn.unwrap()
    except (ssl.SSLError, OSError) as e:
        print(f"shutdown: {e}", flush=True)
    conn.close()


def client(port, name, cafile, keylog, cert=None, key=None):
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.keylog_filename = keylog
    if cert:
        ctx.load_cert_chain(cert, key)
    try:
        with smtplib.SMTP("127.0.0.1", int(port), local_hostname="client.local", timeout=10) as s:
            s.set_debuglevel(1)
            s._host = name          # the name STARTTLS sends as SNI and checks
            s.ehlo()
            s.starttls(context=ctx)
            s.ehlo()
            s.sendmail("a@client.local", ["b@tls-server.local"], "Subject: lab\r\n\r\nhello\r\n")
    except Exception as e:
        print(f"error: {type(e).__name__}: {e}", flush=True)
        sys.exit(1)
    print("sent", flush=True)


if __name__ == "__main__":
    {"server": server, "client": client}[sys.argv[1]](*sys.argv[2:])
