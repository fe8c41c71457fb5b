/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_starttls.c - the STARTTLS recogniser (src/starttls, starttls.h)
 * on transcripts written from the protocols' documents: RFC 3207 (SMTP),
 * RFC 9051 6.2.1 (IMAP), RFC 2595 (POP3), RFC 4217 (FTP), RFC 4511 4.14
 * (LDAP), RFC 6120 5.4 (XMPP), the PostgreSQL protocol docs 55.2.10
 * (SSLRequest, GSSENCRequest) and MySQL's Protocol::Handshake and
 * Protocol::SSLRequest.  Each is fed whole, then one byte at a time, and
 * every prefix of it, with refusals, plaintext after a refusal, junk and
 * the caps.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "starttls.h"
#include "tests.h"

struct msg {
	enum td_dir dir;
	const char *b;
	size_t n;   /* 0: strlen(b) */
};

#define MAX_STEPS 128
struct run {
	uint8_t tls[2][4096];
	size_t tls_n[2];
	char steps[MAX_STEPS][200];
	enum td_dir step_dir[MAX_STEPS];
	enum td_stls_role role[MAX_STEPS];
	size_t n_steps;
	struct td_starttls facts;  /* its quotes point into answer, after ("" none) */
	char answer[TD_STLS_TEXT_MAX + 1], after[TD_STLS_TEXT_MAX + 1];
	bool active;
};

/* The facts of s into r, their quotes kept in r (the strings freed). */
static void take_facts(struct run *r, const struct td_stls *s, bool server_closed)
{
	CU_ASSERT_EQUAL(td_stls_facts(s, server_closed, &r->facts), TD_OK);
	snprintf(r->answer, sizeof r->answer, "%s", r->facts.answer ? r->facts.answer : "");
	snprintf(r->after, sizeof r->after, "%s", r->facts.after ? r->facts.after : "");
	CU_ASSERT(!r->facts.answer || strlen(r->facts.answer) <= TD_STLS_TEXT_MAX);
	CU_ASSERT(!r->facts.after || strlen(r->facts.after) <= TD_STLS_TEXT_MAX);
	td_starttls_cleanup(&r->facts);
	r->facts.answer = r->answer;
	r->facts.after = r->after;
}

static void on_tls(void *ctx, enum td_dir dir, const uint8_t *p, size_t n)
{
	struct run *r = ctx;
	size_t room = sizeof r->tls[dir] - r->tls_n[dir];
	size_t k = n < room ? n : room;
	memcpy(r->tls[dir] + r->tls_n[dir], p, k);
	r->tls_n[dir] += k;
}

static void on_step(void *ctx, enum td_dir dir, char *text, size_t bytes, enum td_stls_role role)
{
	struct run *r = ctx;
	(void)bytes;
	if (r->n_steps == MAX_STEPS)
		return;
	snprintf(r->steps[r->n_steps], sizeof r->steps[0], "%s", text);
	r->step_dir[r->n_steps] = dir;
	r->role[r->n_steps] = role;
	r->n_steps++;
}

static size_t mlen(const struct msg *m)
{
	return m->n ? m->n : strlen(m->b);
}

/* Feed the first `upto` bytes of the transcript (SIZE_MAX: all), whole
 * messages or a byte at a time. */
static void run_n(struct run *r, const struct msg *t, size_t n, uint16_t port, bool bytewise,
		  bool server_closed, size_t upto)
{
	memset(r, 0, sizeof *r);
	struct td_stls *s = td_stls_new(port);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct td_stls_out out = { r, on_tls, on_step };
	size_t fed = 0;
	for (size_t i = 0; i < n && fed < upto; i++) {
		const uint8_t *p = (const uint8_t *)t[i].b;
		size_t len = mlen(&t[i]);
		if (len > upto - fed)
			len = upto - fed;
		if (bytewise)
			for (size_t j = 0; j < len; j++)
				td_stls_feed(s, t[i].dir, p + j, 1, &out);
		else
			td_stls_feed(s, t[i].dir, p, len, &out);
		fed += len;
	}
	r->active = td_stls_active(s);
	take_facts(r, s, server_closed);
	td_stls_free(s);
}

static void run(struct run *r, const struct msg *t, size_t n, uint16_t port, bool bytewise,
		bool server_closed)
{
	run_n(r, t, n, port, bytewise, server_closed, SIZE_MAX);
}

static bool has_step(const struct run *r, enum td_dir dir, enum td_stls_role role,
		     const char *text)
{
	for (size_t i = 0; i < r->n_steps; i++)
		if (r->step_dir[i] == dir && r->role[i] == role && strcmp(r->steps[i], text) == 0)
			return true;
	return false;
}

/* Whole, and a byte at a time: the same facts, steps and TLS bytes; and
 * every prefix runs cleanly. */
static void both(struct run *r, const struct msg *t, size_t n, uint16_t port, bool closed)
{
	static struct run b;
	run(r, t, n, port, false, closed);
	run(&b, t, n, port, true, closed);
	CU_ASSERT_EQUAL(r->facts.proto, b.facts.proto);
	CU_ASSERT_EQUAL(r->facts.result, b.facts.result);
	CU_ASSERT_EQUAL(r->n_steps, b.n_steps);
	for (int d = 0; d < 2; d++) {
		CU_ASSERT_EQUAL(r->tls_n[d], b.tls_n[d]);
		CU_ASSERT(memcmp(r->tls[d], b.tls[d], r->tls_n[d]) == 0);
	}
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += mlen(&t[i]);
	for (size_t k = 0; k <= total; k++)
		run_n(&b, t, n, port, false, closed, k);
}

#define N(a) (sizeof (a) / sizeof (a)[0])
#define C2S TD_DIR_C2S
#define S2C TD_DIR_S2C
/* A TLS record start in each direction, to check what TLS is handed. */
#define CH "\x16\x03\x01\x00\x05hello"
#define SH "\x16\x03\x03\x00\x02ok"

/* ---- SMTP (RFC 3207 4, its example) ---- */

static const struct msg smtp_ok[] = {
	{ S2C, "220 mail.example.com ESMTP Postfix\r\n", 0 },
	{ C2S, "EHLO client.example.org\r\n", 0 },
	{ S2C, "250-mail.example.com\r\n250-PIPELINING\r\n250 STARTTLS\r\n", 0 },
	{ C2S, "STARTTLS\r\n", 0 },
	{ S2C, "220 2.0.0 Ready to start TLS\r\n", 0 },
	{ C2S, CH, 10 },
	{ S2C, SH, 7 },
};

static void test_smtp_ok(void)
{
	static struct run r;
	both(&r, smtp_ok, N(smtp_ok), 25, false);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_SMTP);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_UPGRADED);
	CU_ASSERT(r.facts.offered && r.facts.asked && !r.facts.plaintext_after);
	CU_ASSERT_EQUAL(r.n_steps, 7);
	CU_ASSERT(has_step(&r, S2C, TD_STLS_STEP, "220 mail.example.com ESMTP Postfix"));
	CU_ASSERT(has_step(&r, C2S, TD_STLS_ASK, "STARTTLS"));
	CU_ASSERT(has_step(&r, S2C, TD_STLS_ANSWER, "220 2.0.0 Ready to start TLS"));
	CU_ASSERT_EQUAL(r.tls_n[C2S], 10);
	CU_ASSERT(memcmp(r.tls[C2S], CH, 10) == 0);
	CU_ASSERT_EQUAL(r.tls_n[S2C], 7);
	CU_ASSERT(memcmp(r.tls[S2C], SH, 7) == 0);
}

static const struct msg smtp_refused[] = {
	{ S2C, "220 mail.example.com ESMTP\r\n", 0 },
	{ C2S, "EHLO client.example.org\r\n", 0 },
	{ S2C, "250-mail.example.com\r\n250 STARTTLS\r\n", 0 },
	{ C2S, "STARTTLS\r\n", 0 },
	{ S2C, "454 4.7.0 TLS not available due to local problem\r\n", 0 },
	{ C2S, "MAIL FROM:<alice@example.org>\r\n", 0 },
	{ S2C, "250 2.1.0 Ok\r\n", 0 },
	{ C2S, "RCPT TO:<bob@example.com>\r\n", 0 },
};

static void test_smtp_refused(void)
{
	static struct run r;
	both(&r, smtp_refused, N(smtp_refused), 587, false);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_REFUSED);
	CU_ASSERT_STRING_EQUAL(r.facts.answer, "454 4.7.0 TLS not available due to local problem");
	CU_ASSERT(r.facts.plaintext_after);
	CU_ASSERT_STRING_EQUAL(r.facts.after, "MAIL FROM:<alice@example.org>");
	CU_ASSERT(has_step(&r, C2S, TD_STLS_AFTER, "MAIL FROM:<alice@example.org>"));
	/* Nothing after the plaintext went on is read, nor handed to TLS. */
	CU_ASSERT_EQUAL(r.n_steps, 7);
	CU_ASSERT_EQUAL(r.tls_n[C2S] + r.tls_n[S2C], 0);
}

static const struct msg smtp_not_offered[] = {
	{ S2C, "220 mail.example.com ESMTP\r\n", 0 },
	{ C2S, "EHLO client.example.org\r\n", 0 },
	{ S2C, "250-mail.example.com\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n", 0 },
	{ C2S, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", 0 },
};

static void test_smtp_not_offered(void)
{
	static struct run r;
	both(&r, smtp_not_offered, N(smtp_not_offered), 25, false);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_NOT_OFFERED);
	CU_ASSERT(!r.facts.offered && !r.facts.asked && r.facts.plaintext_after);
	/* The credential is never kept. */
	CU_ASSERT_STRING_EQUAL(r.facts.after, "AUTH PLAIN [hidden]");
	for (size_t i = 0; i < r.n_steps; i++)
		CU_ASSERT(strstr(r.steps[i], "AGFsaWNl") == NULL);
}

/* Offered, never asked: the client went on in plaintext (not_used); a
 * probe that reads the capabilities and quits is no finding. */
static const struct msg smtp_not_used[] = {
	{ S2C, "220 mail.example.com ESMTP\r\n", 0 },
	{ C2S, "EHLO client.example.org\r\n", 0 },
	{ S2C, "250-mail.example.com\r\n250 STARTTLS\r\n", 0 },
	{ C2S, "MAIL FROM:<alice@example.org>\r\n", 0 },
};
static const struct msg smtp_probe[] = {
	{ S2C, "220 mail.example.com ESMTP\r\n", 0 },
	{ C2S, "EHLO client.example.org\r\n", 0 },
	{ S2C, "250-mail.example.com\r\n250 STARTTLS\r\n", 0 },
	{ C2S, "QUIT\r\n", 0 },
	{ S2C, "221 Bye\r\n", 0 },
};

static void test_smtp_not_used(void)
{
	static struct run r;
	both(&r, smtp_not_used, N(smtp_not_used), 25, false);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_NOT_USED);
	CU_ASSERT(r.facts.offered && !r.facts.asked && r.facts.plaintext_after);
	CU_ASSERT_STRING_EQUAL(r.facts.after, "MAIL FROM:<alice@example.org>");
	CU_ASSERT(has_step(&r, C2S, TD_STLS_AFTER, "MAIL FROM:<alice@example.org>"));
	both(&r, smtp_probe, N(smtp_probe), 25, true);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_INCOMPLETE);
	CU_ASSERT(!r.facts.plaintext_after);
}

static const struct msg smtp_asked[] = {
	{ S2C, "220 mail.example.com ESMTP\r\n", 0 },
	{ C2S, "EHLO client.example.org\r\n", 0 },
	{ S2C, "250 STARTTLS\r\n", 0 },
	{ C2S, "STARTTLS\r\n", 0 },
};

static void test_smtp_closed(void)
{
	static struct run r;
	both(&r, smtp_asked, N(smtp_asked), 25, true);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_SERVER_CLOSED);
	run(&r, smtp_asked, N(smtp_asked), 25, false, false);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_INCOMPLETE);
}

/* ---- IMAP (RFC 9051 6.2.1's example) ---- */

static const struct msg imap_ok[] = {
	{ S2C, "* OK [CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED] IMAP4rev2 Service Ready\r\n", 0 },
	{ C2S, "a001 CAPABILITY\r\n", 0 },
	{ S2C, "* CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED\r\na001 OK CAPABILITY completed\r\n", 0 },
	{ C2S, "a002 STARTTLS\r\n", 0 },
	{ S2C, "a002 OK Begin TLS negotiation now\r\n", 0 },
	{ C2S, CH, 10 },
	{ S2C, SH, 7 },
};

static const struct msg imap_no[] = {
	{ S2C, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", 0 },
	{ C2S, "a002 STARTTLS\r\n", 0 },
	{ S2C, "a002 NO TLS is not available\r\n", 0 },
	{ C2S, "a003 LOGIN joe s3cret\r\n", 0 },
};

static void test_imap(void)
{
	static struct run r;
	both(&r, imap_ok, N(imap_ok), 143, false);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_IMAP);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_UPGRADED);
	CU_ASSERT(r.facts.offered);
	CU_ASSERT(has_step(&r, S2C, TD_STLS_ANSWER, "a002 OK Begin TLS negotiation now"));
	CU_ASSERT_EQUAL(r.tls_n[C2S], 10);
	CU_ASSERT_EQUAL(r.tls_n[S2C], 7);
	both(&r, imap_no, N(imap_no), 10143, false);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_REFUSED);
	CU_ASSERT_STRING_EQUAL(r.facts.answer, "a002 NO TLS is not available");
	CU_ASSERT_STRING_EQUAL(r.facts.after, "a003 LOGIN [hidden]");
}

/* ---- POP3 (RFC 2595 4, RFC 2449 5) ---- */

static const struct msg pop_ok[] = {
	{ S2C, "+OK POP3 server ready\r\n", 0 },
	{ C2S, "CAPA\r\n", 0 },
	{ S2C, "+OK Capability list follows\r\nTOP\r\nSTLS\r\nUSER\r\n.\r\n", 0 },
	{ C2S, "STLS\r\n", 0 },
	{ S2C, "+OK Begin TLS negotiation\r\n", 0 },
	{ C2S, CH, 10 },
};

static const struct msg pop_err[] = {
	{ S2C, "+OK POP3 server ready\r\n", 0 },
	{ C2S, "STLS\r\n", 0 },
	{ S2C, "-ERR Command not permitted\r\n", 0 },
	{ C2S, "USER bob\r\n", 0 },
	{ C2S, "PASS hunter2\r\n", 0 },
};

static void test_pop3(void)
{
	static struct run r;
	both(&r, pop_ok, N(pop_ok), 110, false);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_POP3);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_UPGRADED);
	CU_ASSERT(r.facts.offered);
	CU_ASSERT_EQUAL(r.tls_n[C2S], 10);
	both(&r, pop_err, N(pop_err), 110, false);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_REFUSED);
	CU_ASSERT_STRING_EQUAL(r.facts.after, "USER bob");
	for (size_t i = 0; i < r.n_steps; i++)
		CU_ASSERT(strstr(r.steps[i], "hunter2") == NULL);
}

/* ---- FTP (RFC 4217 4) ---- */

static const struct msg ftp_ok[] = {
	{ S2C, "220 Service ready for new user.\r\n", 0 },
	{ C2S, "FEAT\r\n", 0 },
	{ S2C, "211-Extensions supported:\r\n AUTH TLS\r\n PBSZ\r\n211 END\r\n", 0 },
	{ C2S, "AUTH TLS\r\n", 0 },
	{ S2C, "234 AUTH command OK; starting TLS connection.\r\n", 0 },
	{ C2S, CH, 10 },
};

static const struct msg ftp_no[] = {
	{ S2C, "220 Service ready\r\n", 0 },
	{ C2S, "AUTH SSL\r\n", 0 },
	{ S2C, "534 Request denied for policy reasons.\r\n", 0 },
	{ C2S, "USER anonymous\r\n", 0 },
};

static void test_ftp(void)
{
	static struct run r;
	/* On a port that says nothing: told apart from SMTP by the FEAT. */
	both(&r, ftp_ok, N(ftp_ok), 2121, false);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_FTP);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_UPGRADED);
	CU_ASSERT(r.facts.offered);
	CU_ASSERT_EQUAL(r.tls_n[C2S], 10);
	both(&r, ftp_no, N(ftp_no), 21, false);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_FTP);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_REFUSED);
	CU_ASSERT_STRING_EQUAL(r.facts.answer, "534 Request denied for policy reasons.");
	CU_ASSERT(r.facts.plaintext_after);
}

/* ---- LDAP (RFC 4511 4.14: ExtendedRequest, ExtendedResponse) ---- */

static const struct msg ldap_ok[] = {
	{ C2S, "\x30\x1d\x02\x01\x01\x77\x18\x80\x16" "1.3.6.1.4.1.1466.20037", 31 },
	{ S2C, "\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00", 14 },
	{ C2S, CH, 10 },
	{ S2C, SH, 7 },
};

static const struct msg ldap_no[] = {
	{ C2S, "\x30\x1d\x02\x01\x01\x77\x18\x80\x16" "1.3.6.1.4.1.1466.20037", 31 },
	{ S2C, "\x30\x2a\x02\x01\x01\x78\x25\x0a\x01\x02\x04\x00\x04\x1e"
	       "unsupported extended operation", 44 },
	{ C2S, "\x30\x0c\x02\x01\x02\x60\x07\x02\x01\x03\x04\x00\x80\x00", 14 },
};

static void test_ldap(void)
{
	static struct run r;
	both(&r, ldap_ok, N(ldap_ok), 389, false);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_LDAP);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_UPGRADED);
	CU_ASSERT(has_step(&r, S2C, TD_STLS_ANSWER, "ExtendedResponse resultCode 0 (success)"));
	CU_ASSERT_EQUAL(r.tls_n[C2S], 10);
	CU_ASSERT_EQUAL(r.tls_n[S2C], 7);
	both(&r, ldap_no, N(ldap_no), 389, false);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_REFUSED);
	CU_ASSERT_STRING_EQUAL(r.facts.answer, "ExtendedResponse resultCode 2 (protocolError): "
			       "unsupported extended operation");
	CU_ASSERT_STRING_EQUAL(r.facts.after, "BindRequest");
	/* A plain LDAP bind first is no STARTTLS: passed on whole. */
	static const struct msg bind[] = {
		{ C2S, "\x30\x0c\x02\x01\x01\x60\x07\x02\x01\x03\x04\x00\x80\x00", 14 } };
	both(&r, bind, 1, 389, false);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_NONE);
	CU_ASSERT_EQUAL(r.tls_n[C2S], 14);
	CU_ASSERT(!r.active);
}

/* ---- XMPP (RFC 6120 5.4.2, examples 1-5) ---- */

static const struct msg xmpp_ok[] = {
	{ C2S, "<?xml version='1.0'?><stream:stream from='juliet@im.example.com' "
	       "to='im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' "
	       "xmlns:stream='http://etherx.jabber.org/streams'>", 0 },
	{ S2C, "<?xml version='1.0'?><stream:stream from='im.example.com' id='t7AMCin9zjMNwQKDnplntZPIDEI=' "
	       "to='juliet@im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' "
	       "xmlns:stream='http://etherx.jabber.org/streams'>", 0 },
	{ S2C, "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
	       "</starttls></stream:features>", 0 },
	{ C2S, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 0 },
	{ S2C, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 0 },
	{ C2S, CH, 10 },
};

static const struct msg xmpp_fail[] = {
	{ C2S, "<stream:stream to='im.example.com' version='1.0' xmlns='jabber:client'>", 0 },
	{ S2C, "<stream:stream from='im.example.com' version='1.0'><stream:features>"
	       "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>", 0 },
	{ C2S, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 0 },
	{ S2C, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>", 0 },
};

/* prosody 0.12 whose TLS setup failed, with c2s_require_encryption: no
 * features, a stream error instead (captures/real/starttls-xmpp-not-offered) */
static const struct msg xmpp_no_features[] = {
	{ C2S, "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client' "
	       "to='required.local' version='1.0'>", 0 },
	{ S2C, "<?xml version='1.0'?><stream:stream version='1.0' xml:lang='en' xmlns='jabber:client' "
	       "from='required.local' xmlns:stream='http://etherx.jabber.org/streams' id='07107805'>"
	       "<stream:error><undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
	       "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>No stream features to proceed with"
	       "</text></stream:error></stream:stream>", 0 },
};

/* A stream error as the answer to <starttls/> (RFC 6120 4.9.3.12). */
static const struct msg xmpp_error_answer[] = {
	{ C2S, "<stream:stream to='im.example.com' version='1.0' xmlns='jabber:client'>", 0 },
	{ S2C, "<stream:stream from='im.example.com' version='1.0'><stream:features>"
	       "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>", 0 },
	{ C2S, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 0 },
	{ S2C, "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
	       "</stream:error></stream:stream>", 0 },
};

static void test_xmpp(void)
{
	static struct run r;
	both(&r, xmpp_ok, N(xmpp_ok), 5222, false);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_XMPP);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_UPGRADED);
	CU_ASSERT(r.facts.offered);
	CU_ASSERT(has_step(&r, C2S, TD_STLS_ASK, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
	CU_ASSERT_EQUAL(r.tls_n[C2S], 10);
	both(&r, xmpp_fail, N(xmpp_fail), 5269, false);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_REFUSED);
	CU_ASSERT_STRING_EQUAL(r.facts.answer, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
	both(&r, xmpp_no_features, N(xmpp_no_features), 9223, true);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_XMPP);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_NOT_OFFERED);
	CU_ASSERT(!r.facts.asked);
	CU_ASSERT_STRING_EQUAL(r.facts.answer, "<stream:error> undefined-condition: No stream "
			       "features to proceed with");
	CU_ASSERT(has_step(&r, S2C, TD_STLS_STEP, "<stream:error> undefined-condition: No stream "
			   "features to proceed with"));
	both(&r, xmpp_error_answer, N(xmpp_error_answer), 5222, true);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_REFUSED);
	CU_ASSERT_STRING_EQUAL(r.facts.answer, "<stream:error> policy-violation");
}

/* ---- PostgreSQL (55.2.10) ---- */

#define PG_SSL "\x00\x00\x00\x08\x04\xd2\x16\x2f"
#define PG_GSS "\x00\x00\x00\x08\x04\xd2\x16\x30"
static const struct msg pg_ok[] = {
	{ C2S, PG_SSL, 8 },
	{ S2C, "S", 1 },
	{ C2S, CH, 10 },
	{ S2C, SH, 7 },
};

static const struct msg pg_gss_then_ssl[] = {
	{ C2S, PG_GSS, 8 },
	{ S2C, "N", 1 },
	{ C2S, PG_SSL, 8 },
	{ S2C, "S", 1 },
	{ C2S, CH, 10 },
};

static const struct msg pg_n[] = {
	{ C2S, PG_SSL, 8 },
	{ S2C, "N", 1 },
	{ C2S, "\x00\x00\x00\x12\x00\x03\x00\x00user\0bob\0\0", 18 },
};

static void test_postgres(void)
{
	static struct run r;
	both(&r, pg_ok, N(pg_ok), 5432, false);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_POSTGRES);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_UPGRADED);
	CU_ASSERT(has_step(&r, C2S, TD_STLS_ASK, "SSLRequest"));
	CU_ASSERT_EQUAL(r.tls_n[C2S], 10);
	CU_ASSERT_EQUAL(r.tls_n[S2C], 7);
	both(&r, pg_gss_then_ssl, N(pg_gss_then_ssl), 5432, false);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_UPGRADED);
	CU_ASSERT_EQUAL(r.tls_n[C2S], 10);
	both(&r, pg_n, N(pg_n), 5432, false);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_REFUSED);
	CU_ASSERT_STRING_EQUAL(r.facts.answer, "N");
	CU_ASSERT(r.facts.plaintext_after);
}

/* ---- MySQL (Protocol::Handshake v10, Protocol::SSLRequest) ---- */

#define MY_GREETING(caps_lo) \
	"\x2c\x00\x00\x00" "\x0a" "5.5.5-10.11.6-MariaDB\0" "\x01\x00\x00\x00" "abcdefgh" "\x00" \
	caps_lo "\x21\x02\x00\xff\x81\x15"
static const struct msg mysql_ok[] = {
	{ S2C, MY_GREETING("\xfe\xff"), 48 },
	{ C2S, "\x20\x00\x00\x01" "\x05\xae\xff\x01" "\x00\x00\x00\x01" "\x21"
	       "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 36 },
	{ C2S, CH, 10 },
	{ S2C, SH, 7 },
};

static const struct msg mysql_plain[] = {
	{ S2C, MY_GREETING("\xfe\xf7"), 48 },
	{ C2S, "\x26\x00\x00\x01" "\x05\xa6\xff\x01" "\x00\x00\x00\x01" "\x21"
	       "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" "root\0\0", 42 },
};

static void test_mysql(void)
{
	static struct run r;
	both(&r, mysql_ok, N(mysql_ok), 3306, false);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_MYSQL);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_UPGRADED);
	CU_ASSERT(r.facts.offered);
	CU_ASSERT(has_step(&r, S2C, TD_STLS_STEP,
			   "greeting: server 5.5.5-10.11.6-MariaDB, CLIENT_SSL offered"));
	CU_ASSERT_EQUAL(r.tls_n[C2S], 10);
	CU_ASSERT_EQUAL(r.tls_n[S2C], 7);
	both(&r, mysql_plain, N(mysql_plain), 3306, false);
	CU_ASSERT_EQUAL(r.facts.result, TD_STLS_NOT_OFFERED);
	CU_ASSERT(r.facts.plaintext_after);
}

/* ---- junk, TLS first, caps ---- */

static void test_passthrough(void)
{
	static struct run r;
	static const struct msg http[] = { { C2S, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0 } };
	both(&r, http, 1, 443, false);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_NONE);
	CU_ASSERT_EQUAL(r.tls_n[C2S], strlen(http[0].b));
	CU_ASSERT(memcmp(r.tls[C2S], http[0].b, r.tls_n[C2S]) == 0);
	CU_ASSERT_EQUAL(r.n_steps, 0);
	static const struct msg junk[] = { { S2C, "22x garbage\r\n", 0 }, { C2S, CH, 10 } };
	both(&r, junk, 2, 25, false);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_NONE);
	CU_ASSERT_EQUAL(r.tls_n[S2C], 13);
	CU_ASSERT_EQUAL(r.tls_n[C2S], 10);
	CU_ASSERT(td_stls_never((const uint8_t *)CH, 10));
	CU_ASSERT(!td_stls_never((const uint8_t *)"220 ", 4));
	CU_ASSERT(!td_stls_never((const uint8_t *)PG_SSL, 8));
}

static void test_caps(void)
{
	/* A server that talks forever: steps and bytes are capped, counted. */
	struct td_stls *s = td_stls_new(25);
	static struct run r;
	memset(&r, 0, sizeof r);
	struct td_stls_out out = { &r, on_tls, on_step };
	td_stls_feed(s, S2C, (const uint8_t *)"220 x ESMTP\r\n", 13, &out);
	for (int i = 0; i < 5000; i++)
		td_stls_feed(s, S2C, (const uint8_t *)"250-yyyyyyyyyyyyyyyyyyyy\r\n", 26, &out);
	/* One endless line. */
	uint8_t big[700];
	memset(big, 'z', sizeof big);
	td_stls_feed(s, C2S, big, sizeof big, &out);
	take_facts(&r, s, false);
	td_stls_free(s);
	CU_ASSERT_EQUAL(r.facts.proto, TD_STLS_SMTP);
	CU_ASSERT(r.n_steps <= TD_CAP_STLS_STEPS);
	CU_ASSERT(r.facts.steps_dropped > 0);
	CU_ASSERT(r.facts.cap_dropped > 0);
	CU_ASSERT(r.facts.bytes[S2C] == 13 + 5000u * 26);
	CU_ASSERT_EQUAL(r.tls_n[S2C] + r.tls_n[C2S], 0);
}

void td_suite_starttls(void)
{
	CU_pSuite s = td_test_suite("starttls");
	td_test_add(s, "SMTP upgraded (RFC 3207)", test_smtp_ok);
	td_test_add(s, "SMTP 454 then plaintext", test_smtp_refused);
	td_test_add(s, "SMTP without STARTTLS, AUTH hidden", test_smtp_not_offered);
	td_test_add(s, "SMTP STARTTLS offered, plaintext instead; a probe", test_smtp_not_used);
	td_test_add(s, "SMTP server closed / incomplete", test_smtp_closed);
	td_test_add(s, "IMAP OK and NO (RFC 9051)", test_imap);
	td_test_add(s, "POP3 STLS (RFC 2595)", test_pop3);
	td_test_add(s, "FTP AUTH TLS (RFC 4217)", test_ftp);
	td_test_add(s, "LDAP StartTLS (RFC 4511 4.14)", test_ldap);
	td_test_add(s, "XMPP proceed and failure (RFC 6120)", test_xmpp);
	td_test_add(s, "PostgreSQL SSLRequest, GSSENCRequest", test_postgres);
	td_test_add(s, "MySQL CLIENT_SSL and SSLRequest", test_mysql);
	td_test_add(s, "junk and TLS pass through", test_passthrough);
	td_test_add(s, "caps: endless plaintext", test_caps);
}
