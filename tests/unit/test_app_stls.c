/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_app_stls.c - the application parsers after a STARTTLS upgrade
 * (app.h: mail.c, ldap_mysql.c, xmpp.c): SMTP, IMAP, POP3, FTP, LDAP,
 * MySQL and XMPP
 * transcripts written from their specifications (RFC 5321 4.2 and
 * RFC 3207/4954's replies, RFC 9051, RFC 1939, RFC 959/4217, RFC 4511
 * 4.2/4.2.2/4.1.9, MySQL's ERR_Packet and HandshakeResponse41; XMPP's
 * from a real prosody session, RFC 6120), each
 * fed to a connection's recogniser whole and in pieces, with their
 * truncation sweeps, the secrets never kept, and --redact.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "conn.h"
#include "redact.h"
#include "tests.h"

static const uint8_t *u8(const char *s)
{
	return (const uint8_t *)s;
}

/* What a recogniser reported, in order. */
struct got {
	size_t n;
	enum td_dir dir[8];
	struct td_app_msg m[8];
};

static void on_msg(void *ctx, enum td_dir dir, struct td_app_msg *m, size_t len)
{
	struct got *g = ctx;
	(void)len;
	CU_ASSERT_TRUE_FATAL(g->n < 8);
	g->dir[g->n] = dir;
	g->m[g->n] = *m;
	memset(m, 0, sizeof *m);  /* the strings are the test's now */
	g->n++;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		td_app_msg_cleanup(&g->m[i]);
	g->n = 0;
}

/* A connection upgraded from proto: the client's bytes, then the
 * server's, piece bytes per call, then the end. */
static void run(enum td_starttls_proto proto, const uint8_t *c, size_t cn, const uint8_t *s,
		size_t sn, size_t piece, struct got *g)
{
	struct td_budget budget = { .cap = 1u << 20 };
	struct td_app *a = td_app_new(&budget);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	td_app_set_starttls(a, proto);
	for (size_t o = 0; o < cn; o += piece)
		CU_ASSERT_EQUAL(td_app_feed(a, TD_DIR_C2S, c + o, cn - o < piece ? cn - o : piece,
					    on_msg, g), TD_OK);
	for (size_t o = 0; o < sn; o += piece)
		CU_ASSERT_EQUAL(td_app_feed(a, TD_DIR_S2C, s + o, sn - o < piece ? sn - o : piece,
					    on_msg, g), TD_OK);
	td_app_end(a, on_msg, g);
	td_app_free(a);
	CU_ASSERT_EQUAL(budget.used, 0);
}

static const size_t pieces[] = { 1, 2, 3, 7, 64, 100000 };
#define N_PIECES (sizeof pieces / sizeof pieces[0])

/* The message i of g: its direction, kind, protocol. */
static const struct td_app_msg *nth(const struct got *g, size_t i, enum td_dir dir,
				    enum td_app_kind kind, enum td_app_proto proto)
{
	CU_ASSERT_TRUE_FATAL(i < g->n);
	CU_ASSERT_EQUAL(g->dir[i], dir);
	CU_ASSERT_EQUAL(g->m[i].kind, kind);
	CU_ASSERT_EQUAL(g->m[i].proto, proto);
	return &g->m[i];
}

static void eq(const char *got, const char *want)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n  got '%s', want '%s'\n", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
}

/* Every prefix of a transcript through one parser: no crash, and a
 * message found from a prefix is one the whole finds too (same bytes). */
static void sweep(enum td_app_status (*parse)(const uint8_t *, size_t, bool, struct td_app_msg *,
					      size_t *), const uint8_t *p, size_t n)
{
	for (size_t k = 0; k <= n; k++) {
		for (int fin = 0; fin < 2; fin++) {
			uint8_t *copy = malloc(k ? k : 1);  /* exactly k bytes: ASan sees overreads */
			CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
			memcpy(copy, p, k);
			struct td_app_msg m;
			size_t used = 0;
			enum td_app_status st = parse(copy, k, fin, &m, &used);
			if (st == TD_APP_FOUND || st == TD_APP_SKIP)
				CU_ASSERT_TRUE(used > 0);
			td_app_msg_cleanup(&m);
			free(copy);
		}
	}
}

/* ---- SMTP (RFC 5321 4.2, RFC 3207 4, RFC 4954 6) ---------------------- */

static const char smtp_c[] =
	"EHLO bar.com\r\n"
	"AUTH EXTERNAL =\r\n"
	"MAIL FROM:<Smith@bar.com>\r\n"
	"DATA\r\n"
	"RCPT TO:<never@read>\r\n";  /* after DATA: a body line, not read */
static const char smtp_s[] =
	"250-foo.com greets bar.com\r\n"
	"250-8BITMIME\r\n"
	"250-AUTH EXTERNAL\r\n"
	"250 HELP\r\n"
	"535 5.7.8 Authentication credentials invalid\r\n"
	"554-5.7.1 Client certificate required\r\n"
	"554-see the policy page\r\n"
	"554 5.7.1 Goodbye\r\n";

static enum td_app_status smtp_reply(const uint8_t *p, size_t n, bool f, struct td_app_msg *m,
				     size_t *u)
{
	return td_app_text_reply(TD_APP_SMTP, p, n, f, m, u);
}

static enum td_app_status smtp_cmd(const uint8_t *p, size_t n, bool f, struct td_app_msg *m,
				   size_t *u)
{
	return td_app_text_command(TD_APP_SMTP, p, n, f, m, u);
}

static void test_smtp(void)
{
	for (size_t i = 0; i < N_PIECES; i++) {
		struct got g = { 0 };
		run(TD_STLS_SMTP, u8(smtp_c), strlen(smtp_c), u8(smtp_s), strlen(smtp_s),
		    pieces[i], &g);
		CU_ASSERT_EQUAL_FATAL(g.n, 6);
		eq(nth(&g, 0, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_SMTP)->command, "EHLO");
		const struct td_app_msg *m = nth(&g, 1, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_SMTP);
		eq(m->command, "AUTH");
		eq(m->mechanism, "EXTERNAL");
		eq(nth(&g, 2, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_SMTP)->command, "MAIL");
		eq(nth(&g, 3, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_SMTP)->command, "DATA");
		m = nth(&g, 4, TD_DIR_S2C, TD_APP_REPLY, TD_APP_SMTP);
		CU_ASSERT_EQUAL(m->code, 535);
		eq(m->message, "5.7.8 Authentication credentials invalid");
		CU_ASSERT_TRUE(td_app_is_error(m));
		/* A multi-line reply is one reply, worded by its first line. */
		m = nth(&g, 5, TD_DIR_S2C, TD_APP_REPLY, TD_APP_SMTP);
		CU_ASSERT_EQUAL(m->code, 554);
		eq(m->message, "5.7.1 Client certificate required");
		char d[TD_CAP_STRING];
		td_app_describe(m, d, sizeof d);
		eq(d, "SMTP 554: 5.7.1 Client certificate required");
		td_app_brief(m, d, 64);
		eq(d, "SMTP 554");
		/* Arguments are never kept: no address anywhere. */
		for (size_t k = 0; k < g.n; k++) {
			td_app_describe(&g.m[k], d, sizeof d);
			CU_ASSERT_PTR_NULL(strstr(d, "Smith"));
		}
		got_free(&g);
	}
	/* "530 Must issue a STARTTLS command first" (RFC 3207 4), alone. */
	struct td_app_msg m;
	size_t used = 0;
	const char *r530 = "530 5.7.0 Must issue a STARTTLS command first\r\n";
	CU_ASSERT_EQUAL(smtp_reply(u8(r530), strlen(r530), false, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(used, strlen(r530));
	CU_ASSERT_EQUAL(m.code, 530);
	td_app_msg_cleanup(&m);
	/* Not a reply: no code. */
	CU_ASSERT_EQUAL(smtp_reply(u8("hello\r\n"), 7, false, &m, &used), TD_APP_NO);
	CU_ASSERT_EQUAL(smtp_reply(u8("25x ok\r\n"), 8, false, &m, &used), TD_APP_NO);
	CU_ASSERT_EQUAL(smtp_reply(u8("250-more"), 8, false, &m, &used), TD_APP_MORE);
	/* AUTH LOGIN's base64 answers are no commands, never kept. */
	CU_ASSERT_EQUAL(smtp_cmd(u8("c2VjcmV0\r\n"), 10, false, &m, &used), TD_APP_SKIP);
	CU_ASSERT_EQUAL(used, 10);
	CU_ASSERT_EQUAL(smtp_cmd(u8("AUTH PLAIN AHVzZXIAcGFzcw==\r\n"), 29, false, &m, &used),
			TD_APP_FOUND);
	eq(m.mechanism, "PLAIN");
	char d[TD_CAP_STRING];
	td_app_describe(&m, d, sizeof d);
	eq(d, "SMTP AUTH PLAIN");
	td_app_msg_cleanup(&m);
	sweep(smtp_reply, u8(smtp_s), strlen(smtp_s));
	sweep(smtp_cmd, u8(smtp_c), strlen(smtp_c));
}

/* ---- IMAP (RFC 9051 6.2.2, 6.3.12, 7.1) -------------------------------- */

static const char imap_c[] =
	"a001 CAPABILITY\r\n"
	"a002 AUTHENTICATE EXTERNAL\r\n"
	"=\r\n"
	"A003 APPEND saved-messages (\\Seen) {31}\r\n"
	"a9 NO this is the literal\r\n..\r\n"
	"\r\n"
	"a004 LOGOUT\r\n";
static const char imap_s[] =
	"* CAPABILITY IMAP4rev2 STARTTLS AUTH=EXTERNAL\r\n"
	"a001 OK CAPABILITY completed\r\n"
	"+ \r\n"
	"a002 NO [AUTHENTICATIONFAILED] Authentication failed\r\n"
	"* 1 FETCH (BODY[] {29}\r\n"
	"a5 NO a line of the message\r\n"
	")\r\n"
	"A003 BAD command unknown or arguments invalid\r\n"
	"* BYE Autologout; idle for too long\r\n";

static enum td_app_status imap_reply(const uint8_t *p, size_t n, bool f, struct td_app_msg *m,
				     size_t *u)
{
	return td_app_text_reply(TD_APP_IMAP, p, n, f, m, u);
}

static enum td_app_status imap_cmd(const uint8_t *p, size_t n, bool f, struct td_app_msg *m,
				   size_t *u)
{
	return td_app_text_command(TD_APP_IMAP, p, n, f, m, u);
}

static void test_imap(void)
{
	for (size_t i = 0; i < N_PIECES; i++) {
		struct got g = { 0 };
		run(TD_STLS_IMAP, u8(imap_c), strlen(imap_c), u8(imap_s), strlen(imap_s),
		    pieces[i], &g);
		CU_ASSERT_EQUAL_FATAL(g.n, 7);
		eq(nth(&g, 0, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_IMAP)->command, "CAPABILITY");
		eq(nth(&g, 1, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_IMAP)->mechanism, "EXTERNAL");
		/* The literal's line "a9 NO ..." is passed over with it. */
		eq(nth(&g, 2, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_IMAP)->command, "APPEND");
		eq(nth(&g, 3, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_IMAP)->command, "LOGOUT");
		const struct td_app_msg *m = nth(&g, 4, TD_DIR_S2C, TD_APP_REPLY, TD_APP_IMAP);
		eq(m->severity, "NO");
		eq(m->message, "[AUTHENTICATIONFAILED] Authentication failed");
		/* The FETCH literal's "a5 NO" line is not a reply. */
		m = nth(&g, 5, TD_DIR_S2C, TD_APP_REPLY, TD_APP_IMAP);
		eq(m->severity, "BAD");
		m = nth(&g, 6, TD_DIR_S2C, TD_APP_REPLY, TD_APP_IMAP);
		eq(m->severity, "BYE");
		char d[64];
		td_app_brief(m, d, sizeof d);
		eq(d, "IMAP BYE");
		got_free(&g);
	}
	struct td_app_msg m;
	size_t used = 0;
	/* LOGIN's arguments (a password) are never kept. */
	const char *login = "a1 LOGIN SMITH SESAME\r\n";
	CU_ASSERT_EQUAL(imap_cmd(u8(login), strlen(login), false, &m, &used), TD_APP_FOUND);
	eq(m.command, "LOGIN");
	CU_ASSERT_PTR_NULL(m.mechanism);
	td_app_msg_cleanup(&m);
	/* An untagged NO is a warning, not a refusal. */
	CU_ASSERT_EQUAL(imap_reply(u8("* NO Disk is 98% full\r\n"), 23, false, &m, &used),
			TD_APP_SKIP);
	sweep(imap_reply, u8(imap_s), strlen(imap_s));
	sweep(imap_cmd, u8(imap_c), strlen(imap_c));
}

/* ---- POP3 (RFC 1939 7, 9; RFC 5034) ------------------------------------- */

static const char pop3_c[] = "CAPA\r\nUSER mrose\r\nPASS secret\r\nQUIT\r\n";
static const char pop3_s[] =
	"+OK Capability list follows\r\n"
	"USER\r\n"
	"SASL EXTERNAL\r\n"
	".\r\n"
	"+OK mrose is a real hoopy frood\r\n"
	"-ERR [AUTH] invalid password\r\n"
	"+OK dewey POP3 server signing off\r\n";

static enum td_app_status pop3_reply(const uint8_t *p, size_t n, bool f, struct td_app_msg *m,
				     size_t *u)
{
	return td_app_text_reply(TD_APP_POP3, p, n, f, m, u);
}

static void test_pop3(void)
{
	for (size_t i = 0; i < N_PIECES; i++) {
		struct got g = { 0 };
		run(TD_STLS_POP3, u8(pop3_c), strlen(pop3_c), u8(pop3_s), strlen(pop3_s),
		    pieces[i], &g);
		CU_ASSERT_EQUAL_FATAL(g.n, 5);
		eq(nth(&g, 1, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_POP3)->command, "USER");
		eq(nth(&g, 2, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_POP3)->command, "PASS");
		const struct td_app_msg *m = nth(&g, 4, TD_DIR_S2C, TD_APP_REPLY, TD_APP_POP3);
		eq(m->severity, "-ERR");
		eq(m->message, "[AUTH] invalid password");
		char d[TD_CAP_STRING];
		for (size_t k = 0; k < g.n; k++) {
			td_app_describe(&g.m[k], d, sizeof d);
			CU_ASSERT_PTR_NULL(strstr(d, "secret"));
			CU_ASSERT_PTR_NULL(strstr(d, "mrose"));
		}
		got_free(&g);
	}
	sweep(pop3_reply, u8(pop3_s), strlen(pop3_s));
}

/* ---- FTP (RFC 959 4.2, RFC 4217 9) -------------------------------------- */

static const char ftp_c[] = "PBSZ 0\r\nPROT P\r\nUSER anonymous\r\nPASS guest\r\n";
static const char ftp_s[] =
	"200 PBSZ=0\r\n"
	"123-First line\r\n"
	"Second line\r\n"
	"  234 A line beginning with numbers\r\n"
	"123 The last line\r\n"
	"534-Request denied for policy reasons.\r\n"
	"534 Client certificate required\r\n"
	"530 Not logged in.\r\n";

static enum td_app_status ftp_reply(const uint8_t *p, size_t n, bool f, struct td_app_msg *m,
				    size_t *u)
{
	return td_app_text_reply(TD_APP_FTP, p, n, f, m, u);
}

static void test_ftp(void)
{
	for (size_t i = 0; i < N_PIECES; i++) {
		struct got g = { 0 };
		run(TD_STLS_FTP, u8(ftp_c), strlen(ftp_c), u8(ftp_s), strlen(ftp_s), pieces[i],
		    &g);
		CU_ASSERT_EQUAL_FATAL(g.n, 6);
		eq(nth(&g, 3, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_FTP)->command, "PASS");
		/* RFC 959's multi-line example (its "  234" line inside) is
		 * one positive reply, passed over. */
		const struct td_app_msg *m = nth(&g, 4, TD_DIR_S2C, TD_APP_REPLY, TD_APP_FTP);
		CU_ASSERT_EQUAL(m->code, 534);
		eq(m->message, "Request denied for policy reasons.");
		m = nth(&g, 5, TD_DIR_S2C, TD_APP_REPLY, TD_APP_FTP);
		CU_ASSERT_EQUAL(m->code, 530);
		got_free(&g);
	}
	/* A reply cut by the end of the capture is read as it stands. */
	struct got g = { 0 };
	run(TD_STLS_FTP, NULL, 0, u8("535-Failed security check\r\nmore"), 31, 5, &g);
	CU_ASSERT_EQUAL_FATAL(g.n, 1);
	CU_ASSERT_EQUAL(g.m[0].code, 535);
	got_free(&g);
	sweep(ftp_reply, u8(ftp_s), strlen(ftp_s));
}

/* ---- LDAP (RFC 4511 4.2, 4.2.2, 4.5.2, 4.1.9) --------------------------- */

/* BindRequest, messageID 1, version 3, name "", sasl EXTERNAL. */
static const uint8_t ldap_bind_external[] = {
	0x30, 0x16, 0x02, 0x01, 0x01, 0x60, 0x11, 0x02, 0x01, 0x03, 0x04, 0x00,
	0xa3, 0x0a, 0x04, 0x08, 'E', 'X', 'T', 'E', 'R', 'N', 'A', 'L',
};
/* BindResponse, messageID 1, strongerAuthRequired (8), "",
 * "client certificate required". */
static const uint8_t ldap_bind_refused[] = {
	0x30, 0x27, 0x02, 0x01, 0x01, 0x61, 0x22, 0x0a, 0x01, 0x08, 0x04, 0x00,
	0x04, 0x1b, 'c', 'l', 'i', 'e', 'n', 't', ' ', 'c', 'e', 'r', 't', 'i', 'f', 'i',
	'c', 'a', 't', 'e', ' ', 'r', 'e', 'q', 'u', 'i', 'r', 'e', 'd',
};
/* BindResponse success (skipped), then SearchResultDone noSuchObject (32). */
static const uint8_t ldap_ok_then_done[] = {
	0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
	0x30, 0x0c, 0x02, 0x01, 0x02, 0x65, 0x07, 0x0a, 0x01, 0x20, 0x04, 0x00, 0x04, 0x00,
};

static enum td_app_status ldap_server(const uint8_t *p, size_t n, bool f, struct td_app_msg *m,
				      size_t *u)
{
	return td_app_ldap(p, n, true, f, m, u);
}

static enum td_app_status ldap_client(const uint8_t *p, size_t n, bool f, struct td_app_msg *m,
				      size_t *u)
{
	return td_app_ldap(p, n, false, f, m, u);
}

static void test_ldap(void)
{
	uint8_t s[sizeof ldap_bind_refused + sizeof ldap_ok_then_done];
	memcpy(s, ldap_ok_then_done, sizeof ldap_ok_then_done);
	memcpy(s + sizeof ldap_ok_then_done, ldap_bind_refused, sizeof ldap_bind_refused);
	for (size_t i = 0; i < N_PIECES; i++) {
		struct got g = { 0 };
		run(TD_STLS_LDAP, ldap_bind_external, sizeof ldap_bind_external, s, sizeof s,
		    pieces[i], &g);
		CU_ASSERT_EQUAL_FATAL(g.n, 3);
		const struct td_app_msg *m = nth(&g, 0, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_LDAP);
		eq(m->command, "BindRequest");
		eq(m->mechanism, "EXTERNAL");
		char d[TD_CAP_STRING];
		td_app_describe(m, d, sizeof d);
		eq(d, "LDAP BindRequest (SASL EXTERNAL)");
		m = nth(&g, 1, TD_DIR_S2C, TD_APP_REPLY, TD_APP_LDAP);
		CU_ASSERT_EQUAL(m->code, 32);
		eq(m->command, "SearchResultDone");
		eq(m->reason, "noSuchObject");
		m = nth(&g, 2, TD_DIR_S2C, TD_APP_REPLY, TD_APP_LDAP);
		CU_ASSERT_EQUAL(m->code, 8);
		eq(m->reason, "strongerAuthRequired");
		eq(m->message, "client certificate required");
		td_app_describe(m, d, sizeof d);
		eq(d, "LDAP BindResponse resultCode 8 (strongerAuthRequired): client certificate "
		   "required");
		got_free(&g);
	}
	/* A message too long to keep (a big SearchResultEntry) is passed
	 * over unread, and what follows is still read. */
	size_t big = 20000;
	uint8_t *b = calloc(1, 4 + big + sizeof ldap_bind_refused);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	b[0] = 0x30;
	b[1] = 0x82;
	b[2] = (uint8_t)(big >> 8);
	b[3] = (uint8_t)big;
	memcpy(b + 4 + big, ldap_bind_refused, sizeof ldap_bind_refused);
	struct got g = { 0 };
	run(TD_STLS_LDAP, NULL, 0, b, 4 + big + sizeof ldap_bind_refused, 1000, &g);
	CU_ASSERT_EQUAL(g.n, 1);
	got_free(&g);
	free(b);
	/* A simple bind: "simple", never the password. */
	const uint8_t simple[] = { 0x30, 0x13, 0x02, 0x01, 0x01, 0x60, 0x0e, 0x02, 0x01, 0x03,
				   0x04, 0x01, 'x', 0x80, 0x06, 's', 'e', 'c', 'r', 'e', 't' };
	struct td_app_msg m;
	size_t used = 0;
	CU_ASSERT_EQUAL(ldap_client(simple, sizeof simple, false, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(used, sizeof simple);
	eq(m.mechanism, "simple");
	td_app_msg_cleanup(&m);
	/* Not BER, an indefinite length: not LDAP. */
	CU_ASSERT_EQUAL(ldap_server(u8("220 x\r\n"), 7, false, &m, &used), TD_APP_NO);
	CU_ASSERT_EQUAL(ldap_server((const uint8_t *)"\x30\x80\x02\x01", 4, false, &m, &used),
			TD_APP_NO);
	sweep(ldap_server, s, sizeof s);
	sweep(ldap_client, ldap_bind_external, sizeof ldap_bind_external);
}

/* ---- MySQL (ERR_Packet, HandshakeResponse41) ---------------------------- */

/* The ERR_Packet of the protocol documentation: 1096 HY000 "No tables used". */
static const uint8_t mysql_err_doc[] = {
	0x17, 0x00, 0x00, 0x01, 0xff, 0x48, 0x04, 0x23, 0x48, 0x59, 0x30, 0x30, 0x30,
	'N', 'o', ' ', 't', 'a', 'b', 'l', 'e', 's', ' ', 'u', 's', 'e', 'd',
};

static enum td_app_status mysql_server(const uint8_t *p, size_t n, bool f, struct td_app_msg *m,
				       size_t *u)
{
	return td_app_mysql(p, n, true, f, m, u);
}

static void test_mysql(void)
{
	/* HandshakeResponse41: CLIENT_PROTOCOL_41 | CLIENT_SSL ..., user "app". */
	uint8_t login[4 + 32 + 4 + 2] = { 38, 0, 0, 2, 0x85, 0xae, 0xff, 0x19, 0, 0, 0, 1, 0x21 };
	memcpy(login + 4 + 32, "app", 4);
	/* An OK packet (skipped), then the doc's ERR_Packet. */
	uint8_t s[7 + sizeof mysql_err_doc] = { 3, 0, 0, 3, 0x00, 0x00, 0x00 };
	memcpy(s + 7, mysql_err_doc, sizeof mysql_err_doc);
	for (size_t i = 0; i < N_PIECES; i++) {
		struct got g = { 0 };
		run(TD_STLS_MYSQL, login, sizeof login, s, sizeof s, pieces[i], &g);
		CU_ASSERT_EQUAL_FATAL(g.n, 2);
		const struct td_app_msg *m = nth(&g, 0, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_MYSQL);
		eq(m->command, "HandshakeResponse");
		eq(m->user, "app");
		m = nth(&g, 1, TD_DIR_S2C, TD_APP_REPLY, TD_APP_MYSQL);
		CU_ASSERT_EQUAL(m->code, 1096);
		CU_ASSERT_STRING_EQUAL(m->sqlstate, "HY000");
		eq(m->message, "No tables used");
		char d[TD_CAP_STRING];
		td_app_describe(m, d, sizeof d);
		eq(d, "MySQL ERR 1096 (HY000): No tables used");
		got_free(&g);
	}
	/* MariaDB's: extended capabilities in the filler's last 4 bytes. */
	login[4 + 32 - 4] = 0x04;
	struct td_app_msg m;
	size_t used = 0;
	CU_ASSERT_EQUAL(td_app_mysql(login, sizeof login, false, false, &m, &used), TD_APP_FOUND);
	td_app_msg_cleanup(&m);
	login[4 + 32 - 5] = 0x01;  /* but a byte of the zero part set: not a login */
	CU_ASSERT_EQUAL(td_app_mysql(login, sizeof login, false, false, &m, &used), TD_APP_SKIP);
	sweep(mysql_server, s, sizeof s);
}

/* ---- XMPP (RFC 6120 5.4.3.3, 6.4, 4.9) -------------------------------- */

/* The decrypted bytes of captures/real/starttls-xmpp-sasl-not-authorized
 * (prosody 0.12, gnutls-cli), as tshark's "follow,tls" shows them. */
static const char xmpp_c[] =
	"<stream:stream to='tls-server.local' xmlns='jabber:client' "
	"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
	"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGxhYgB3cm9uZw==</auth>";
static const char xmpp_s[] =
	"<?xml version='1.0'?><stream:stream xmlns='jabber:client' version='1.0' "
	"xmlns:stream='http://etherx.jabber.org/streams' xml:lang='en' "
	"id='4ae6d50c-0fe4-4804-8f52-ff9e02062637' from='tls-server.local'><stream:features>"
	"<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>"
	"<mechanism>PLAIN</mechanism></mechanisms></stream:features>"
	"<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>Unable to "
	"authorize you with the authentication credentials you&apos;ve sent.</text></failure>";
/* prosody's answer to a stream for a host it does not serve (real, before
 * TLS), then RFC 6120 6.4.2's EXTERNAL. */
static const char xmpp_err_s[] =
	"<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
	"<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>This server does not serve "
	"wrong.local</text></stream:error></stream:stream>";
static const char xmpp_ext_c[] =
	"<?xml version='1.0'?>\n<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" "
	"mechanism=\"EXTERNAL\">=</auth>";

static enum td_app_status xmpp_server(const uint8_t *p, size_t n, bool f, struct td_app_msg *m,
				      size_t *u)
{
	return td_app_xmpp(p, n, true, f, m, u);
}

static enum td_app_status xmpp_client(const uint8_t *p, size_t n, bool f, struct td_app_msg *m,
				      size_t *u)
{
	return td_app_xmpp(p, n, false, f, m, u);
}

static void test_xmpp(void)
{
	for (size_t i = 0; i < N_PIECES; i++) {
		struct got g = { 0 };
		run(TD_STLS_XMPP, u8(xmpp_c), strlen(xmpp_c), u8(xmpp_s), strlen(xmpp_s), pieces[i], &g);
		CU_ASSERT_EQUAL_FATAL(g.n, 4);
		const struct td_app_msg *m = nth(&g, 0, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_XMPP);
		eq(m->command, "stream");
		m = nth(&g, 1, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_XMPP);
		eq(m->command, "auth");
		eq(m->mechanism, "PLAIN");
		CU_ASSERT_PTR_NULL(m->message);  /* the credential is never kept */
		m = nth(&g, 2, TD_DIR_S2C, TD_APP_FEATURES, TD_APP_XMPP);
		eq(m->mechanism, "SCRAM-SHA-1 PLAIN");
		CU_ASSERT_FALSE(td_app_is_error(m));
		char d[TD_CAP_STRING];
		td_app_describe(m, d, sizeof d);
		eq(d, "XMPP stream features, SASL SCRAM-SHA-1 PLAIN");
		m = nth(&g, 3, TD_DIR_S2C, TD_APP_REPLY, TD_APP_XMPP);
		eq(m->command, "failure");
		eq(m->severity, "not-authorized");
		eq(m->message, "Unable to authorize you with the authentication credentials you've sent.");
		CU_ASSERT_TRUE(td_app_is_error(m));
		td_app_describe(m, d, sizeof d);
		eq(d, "XMPP SASL failure not-authorized: Unable to authorize you with the "
		      "authentication credentials you've sent.");
		got_free(&g);

		run(TD_STLS_XMPP, u8(xmpp_ext_c), strlen(xmpp_ext_c), u8(xmpp_err_s),
		    strlen(xmpp_err_s), pieces[i], &g);
		CU_ASSERT_EQUAL_FATAL(g.n, 2);
		m = nth(&g, 0, TD_DIR_C2S, TD_APP_COMMAND, TD_APP_XMPP);
		eq(m->mechanism, "EXTERNAL");
		m = nth(&g, 1, TD_DIR_S2C, TD_APP_REPLY, TD_APP_XMPP);
		eq(m->command, "stream:error");
		eq(m->severity, "host-unknown");
		eq(m->message, "This server does not serve wrong.local");
		td_app_describe(m, d, sizeof d);
		eq(d, "XMPP stream error host-unknown: This server does not serve wrong.local");
		got_free(&g);
	}
	/* A condition outside RFC 6120's lists is not kept by name; a
	 * failure of another namespace is no SASL failure. */
	struct td_app_msg m;
	size_t used = 0;
	const char *odd = "<stream:error><x-secret-name xmlns='urn:example'/></stream:error>";
	CU_ASSERT_EQUAL(td_app_xmpp(u8(odd), strlen(odd), true, false, &m, &used), TD_APP_FOUND);
	eq(m.severity, "other");
	CU_ASSERT_EQUAL(used, strlen(odd));
	td_app_msg_cleanup(&m);
	const char *tls_failure = "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
	CU_ASSERT_EQUAL(td_app_xmpp(u8(tls_failure), strlen(tls_failure), true, false, &m, &used),
			TD_APP_SKIP);
	/* An element cut short waits for its end, or is told as it stands. */
	const char *cut = "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><aborted/>";
	CU_ASSERT_EQUAL(td_app_xmpp(u8(cut), strlen(cut), true, false, &m, &used), TD_APP_MORE);
	CU_ASSERT_EQUAL(td_app_xmpp(u8(cut), strlen(cut), true, true, &m, &used), TD_APP_FOUND);
	eq(m.severity, "aborted");
	td_app_msg_cleanup(&m);
	/* Not well-formed: a stray end tag inside. */
	const char *bad = "<stream:features></mechanism></stream:features>";
	CU_ASSERT_EQUAL(td_app_xmpp(u8(bad), strlen(bad), true, false, &m, &used), TD_APP_NO);
	sweep(xmpp_server, u8(xmpp_s), strlen(xmpp_s));
	sweep(xmpp_server, u8(xmpp_err_s), strlen(xmpp_err_s));
	sweep(xmpp_client, u8(xmpp_c), strlen(xmpp_c));
}

/* ---- --redact ----------------------------------------------------------- */

static void test_redact_stls(void)
{

	/* --redact: codes, verbs, mechanisms and RFC 4511 names stay; the
	 * server's words and the MySQL user go. */
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct td_app_msg ms[] = {
		{ .proto = TD_APP_SMTP, .kind = TD_APP_REPLY, .code = 550,
		  .message = strdup("5.1.1 <jane@example.com>: Recipient unknown") },
		{ .proto = TD_APP_LDAP, .kind = TD_APP_REPLY, .code = 49,
		  .command = strdup("BindResponse"), .reason = strdup("invalidCredentials"),
		  .message = strdup("uid=jane bind failed") },
		{ .proto = TD_APP_MYSQL, .kind = TD_APP_COMMAND,
		  .command = strdup("HandshakeResponse"), .user = strdup("jane") },
		{ .proto = TD_APP_XMPP, .kind = TD_APP_REPLY, .command = strdup("stream:error"),
		  .severity = strdup("host-unknown"),
		  .message = strdup("This server does not serve jane.example") },
		{ .proto = TD_APP_XMPP, .kind = TD_APP_FEATURES,
		  .mechanism = strdup("EXTERNAL SCRAM-SHA-1") },
	};
	for (size_t i = 0; i < 5; i++) {
		struct td_event e = { .kind = TD_EV_APPLICATION, .dir = TD_DIR_S2C, .app = &ms[i] };
		CU_ASSERT_EQUAL(td_conn_add_event(c, &e, NULL), TD_OK);
		td_app_msg_cleanup(&ms[i]);
	}
	struct td_redactor *r = td_redactor_new(TD_REDACT_PRIVATE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(td_redact_conn(r, c), TD_OK);
	for (size_t i = 0; i < c->n_events; i++) {
		const char *d = c->events[i].detail;
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_PTR_NULL(strstr(d, "jane"));
	}
	eq(c->events[0].detail, "SMTP 550: [redacted]");
	eq(c->events[1].detail, "LDAP BindResponse resultCode 49 (invalidCredentials): [redacted]");
	eq(c->events[3].detail, "XMPP stream error host-unknown: [redacted]");
	eq(c->events[4].detail, "XMPP stream features, SASL EXTERNAL SCRAM-SHA-1");
	td_redactor_free(r);
	td_conn_free(c);
}

void td_suite_app_stls(void)
{
	CU_pSuite s = td_test_suite("app after STARTTLS");
	td_test_add(s, "SMTP commands and replies", test_smtp);
	td_test_add(s, "IMAP commands, NO/BAD/BYE, literals", test_imap);
	td_test_add(s, "POP3 -ERR", test_pop3);
	td_test_add(s, "FTP replies", test_ftp);
	td_test_add(s, "LDAP binds and results", test_ldap);
	td_test_add(s, "MySQL login and ERR_Packet", test_mysql);
	td_test_add(s, "XMPP features, SASL failure, stream error", test_xmpp);
	td_test_add(s, "--redact", test_redact_stls);
}
