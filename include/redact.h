/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redact.h - pseudonyms for what names people and machines (--redact),
 * so that a report can be posted publicly.
 *
 * A redactor rewrites a connection (a copy: td_conn_clone()) in place
 * before a writer sees it.  It remembers every original it replaced, so
 * that within one report the same original always gets the same
 * pseudonym and two different originals never share one: a reader can
 * still tell that connections 3 and 7 went to the same server.
 * Originals are compared ASCII case-insensitively.  Pseudonyms are
 * numbered in order of first appearance, so the same capture redacts
 * the same way every run.
 *
 * REDACTED (every level: TD_REDACT_NAMES, TD_REDACT_PRIVATE, TD_REDACT_ALL):
 *  - client and server addresses, and any address written in the
 *    cleartext bytes kept (an X-Forwarded-For header): IPv4 ->
 *    192.0.2.1.., then 198.51.100.1.., 203.0.113.1.. (RFC 5737), then
 *    10.0.0.1..; IPv6 -> 2001:db8::1.. (RFC 3849).  Ports stay.
 *  - the SNI, DNS names in subjectAltNames, and the Host header of
 *    cleartext HTTP -> host-N.example ("*.host-N.example" for a
 *    wildcard); a name that is an IP address -> that address's pseudonym.
 *  - IP subjectAltNames -> the same pseudonym the address has elsewhere;
 *    email -> user-N@example.com; URI -> https://uri-N.example/; any
 *    other kind -> value-N.
 *  - end-entity certificates (index 0 of a chain, and every certificate
 *    without basicConstraints cA): subject -> "CN=subject-N" (and the
 *    same DN wherever it appears: an issuer, an acceptable CA name),
 *    subjectAltNames as above, serial -> a pseudonym serial
 *    (00:00:00:00:00:00:00:NN), sha256 -> a pseudonym digest (64 hex
 *    digits, 00..0N): both identify the certificate in public logs.
 *  - the DER copy of every certificate is dropped (der NULL, der_len 0):
 *    it holds everything above.
 *  - the cleartext bytes kept (conn.h: cleartext[], the first bytes of a
 *    direction that were not TLS: a SOCKS or HTTP CONNECT preamble, plain
 *    HTTP sent to a TLS port, a server's cleartext answer) ->
 *    "[N bytes redacted]", N being how many such bytes the side sent,
 *    after the first word when it is an HTTP method or version ("GET",
 *    "CONNECT", "HTTP/1.1"), which names the protocol and no one; the
 *    same wherever free text quotes them (an anomaly, a diagnosis's
 *    evidence).  Replaced whole rather than host names picked out: they
 *    may hold a SOCKS host name in binary, a path, a cookie, an
 *    Authorization header, a page of HTML, and no parser of ours would
 *    find every name in them.  Their Host header and the addresses in
 *    them are still learnt first (above), so that the same name or
 *    address elsewhere gets the same pseudonym.
 *  - application messages read with a key log (conn.h: td_app_msg):
 *    the request target (path and query), the PostgreSQL user, and
 *    every reason phrase, page title, PostgreSQL message or HTTP/2
 *    GOAWAY debug text -> "[redacted]", except a reason phrase that is
 *    the standard one for its status and the fixed texts of known
 *    servers (nginx's 400 titles, PostgreSQL's "connection requires a
 *    valid client certificate"); the method, version, status code,
 *    HTTP/2 error codes, PostgreSQL severity and SQLSTATE stay (they
 *    name the protocol and the problem, no one).  The event's detail is
 *    worded again from what is left (src/redact/redact_app.c).
 *  - STARTTLS steps (conn.h: TD_EV_STARTTLS; issue 17): the host names
 *    they hold (an SMTP banner's, an EHLO's, an XMPP stream's) are learnt
 *    as host names (host-N.example everywhere); the arguments of the
 *    client's commands (a MAIL FROM address, a USER name) ->
 *    "[redacted]", the command word staying (src/redact/redact_stls.c);
 *    passwords and AUTH data are never kept at all (starttls.h).
 *  - QUIC connection IDs (the original DCID, the client's and the
 *    server's SCID, those the transport parameters repeat) and the
 *    parameters' stateless reset token and preferred address -> 8-byte
 *    pseudonyms cd000000000000NN (written back as bytes: the renderers
 *    print them as hex); a CONNECTION_CLOSE reason phrase -> reason-N
 *    (src/redact/redact_quic.c).
 *  - free text (event details, anomalies,
 *    certificate parse errors, diagnosis summaries, evidence and fixes,
 *    and the CA names that are kept, which may repeat a leaf's
 *    emailAddress or host name):
 *    every original the redactor has replaced so far, in this connection
 *    or an earlier one, is substituted by its pseudonym, longest
 *    original first where two start at the same place, when it is not
 *    glued to a letter, digit, '-' or '_' on either side.  A host name
 *    that is a plain word (an SNI "server") is replaced in tlsdiag's own
 *    sentences too: safety before readability.
 * REDACTED with TD_REDACT_PRIVATE (--redact, the default) as well: the
 * CAs of a private PKI, i.e. every CA that is not public:
 *  - their names (a CA certificate's subject, an issuer, an acceptable
 *    CA name of a CertificateRequest) -> "CN=ca-N", consistently (a
 *    leaf's issuer gets the pseudonym of its CA's subject) and wherever
 *    free text quotes them (diagnosis evidence and fixes); their
 *    serials and SHA-256 digests as for end-entity certificates.
 *  - A CA is public when the system trust store vouches for it: the CA
 *    certificate is an anchor of the system bundle
 *    (TD_TRUST_SYSTEM_BUNDLE), or is a CA certificate signed by one,
 *    directly or through sent CA certificates so vouched for (the
 *    signatures are checked: a private CA that copies a public CA's name
 *    is not public).  A name (an issuer, an acceptable CA name) is
 *    public when it is an anchor's subject or a public CA's of the same
 *    connection.  Only the system bundle counts, whatever store the
 *    chains were verified against: a CA the user gave in --ca-file,
 *    --ca-path or --client-ca-file is private (that is what a private
 *    PKI looks like), and so is every CA when the bundle is missing.
 *    The diagnoser judges this once per connection (diagnose.h:
 *    judge_public_cas; conn.h: td_chain.public_ca, public_issuer,
 *    td_cert_request.ca_public); a connection it has not judged
 *    (c->public_cas_judged false: the live view's updates, before the
 *    diagnosis) shows every CA name, serial and digest not yet mapped as
 *    a placeholder ("CN=redacted-ca") that is not remembered.
 * REDACTED with TD_REDACT_ALL (--redact=all), as well:
 *  - every CA, public or not, the same way.
 * NOT REDACTED:
 *  - CA names with TD_REDACT_NAMES (--redact=names: what --redact did
 *    before private CAs were hidden); the names, serials and digests of public CAs
 *    at the default level (they identify no one, and are what an mTLS
 *    failure is about); ports; times; versions, suites, groups,
 *    ALPN and every other protocol parameter; key types and sizes,
 *    validity dates, key usages; the client random and session id
 *    (not printed by the writers, and meaningless without the keys).
 *  - the bare CN value of a subject when it is one plain word of ASCII
 *    letters ("client"): it is replaced inside its DN, but not as a word
 *    of free text, where it would also replace the English word.  A CN
 *    with a dot, digit, '-', space or any other character is replaced
 *    as a word too.
 *  - a name cut short by a cap (TD_CAP_STRING) in free text, and names
 *    in free text that appear nowhere in the model (a name inside an
 *    HTTP body, say): only values the redactor has seen are known.
 *  - an original that is itself one of the pseudonyms above (a capture
 *    of 192.0.2.1) gets a different pseudonym, but the string may still
 *    appear in the report as the pseudonym of something else.
 *
 * Memory: at most TD_CAP_REDACT_VALUES originals are remembered.  Past
 * that, a new original still gets replaced, by a fixed placeholder of
 * its kind ("redacted.example", "0.0.0.0", "CN=redacted"...), but is no
 * longer stable across connections; td_redactor_overflow() counts them.
 */
#ifndef TD_REDACT_H
#define TD_REDACT_H

#include <stdbool.h>
#include <stdint.h>
#include "caps.h"
#include "conn.h"
#include "result.h"


enum td_redact_level {
	TD_REDACT_NAMES = 0,  /* --redact=names: addresses, names, end-entity certificates */
	TD_REDACT_PRIVATE,    /* --redact: also CAs not in the system trust store (a private PKI) */
	TD_REDACT_ALL         /* --redact=all: every CA name too */
};

struct td_redactor;

/* A new redactor with an empty map; NULL when memory runs out. */
struct td_redactor *td_redactor_new(enum td_redact_level level);
/* NULL is fine. */
void td_redactor_free(struct td_redactor *r);

/*
 * Redact c in place (c is the caller's, typically a clone): replaced
 * strings are freed and new ones put in their place.  Certificates are
 * shared (conn.h), so each one of c's chains is replaced by a redacted
 * copy of what is rewritten (td_cert_derive), the original let go
 * unchanged for whoever else holds it.  TD_ERR_NOMEM when
 * memory runs out: c is then only partly redacted and must not be
 * written anywhere (td_conn_free() is still safe).
 */
enum td_result td_redact_conn(struct td_redactor *r, struct td_conn *c) TD_MUST_CHECK;

/* Originals that got a placeholder because the map was full. */
uint64_t td_redactor_overflow(const struct td_redactor *r);

/*
 * Free text only: a new string with every original this redactor has
 * replaced so far substituted by its pseudonym (as td_redact_conn does
 * for a connection's free text).  NULL when memory runs out.  For the
 * writers' own strings built from several values, and for tests.
 */
char *td_redact_text(const struct td_redactor *r, const char *s);

#endif
