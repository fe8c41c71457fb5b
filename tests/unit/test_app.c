/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_app.c - the application parsers (app.h: HTTP/1 request and
 * status lines with an error page's title, HTTP/2 frames, PostgreSQL
 * StartupMessage and ErrorResponse), their truncation sweeps and
 * hostile inputs, a connection's recogniser fed in pieces, --redact of
 * the messages, and the refusal-after-handshake rules (rules_app.c) on
 * connections built by hand, with their near misses.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "conn.h"
#include "diagnose.h"
#include "redact.h"
#include "tests.h"
#include "tls_names.h"

/* ---- the parsers ------------------------------------------------------- */

static const char nginx_400[] =
	"HTTP/1.1 400 Bad Request\r\n"
	"Server: nginx/1.22.1\r\n"
	"Content-Type: text/html\r\n"
	"Content-Length: 246\r\n"
	"Connection: close\r\n"
	"\r\n"
	"<html>\r\n"
	"<head><title>400 No required SSL certificate was sent</title></head>\r\n"
	"<body>\r\n"
	"<center><h1>400 Bad Request</h1></center>\r\n"
	"<center>No required SSL certificate was sent</center>\r\n"
	"<hr><center>nginx/1.22.1</center>\r\n"
	"</body>\r\n"
	"</html>\r\n";

static const uint8_t *u8(const char *s)
{
	return (const uint8_t *)s;
}

static void test_http1_request(void)
{
	const char *req = "GET /secure/index.txt?a=b HTTP/1.1\r\nHost: x\r\n\r\n";
	struct td_app_msg m;
	size_t used = 0;
	CU_ASSERT_EQUAL(td_app_http1_request(u8(req), strlen(req), &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.kind, TD_APP_REQUEST);
	CU_ASSERT_STRING_EQUAL(m.method, "GET");
	CU_ASSERT_STRING_EQUAL(m.target, "/secure/index.txt?a=b");
	CU_ASSERT_STRING_EQUAL(m.version, "HTTP/1.1");
	CU_ASSERT_EQUAL(used, strlen("GET /secure/index.txt?a=b HTTP/1.1\r\n"));
	td_app_msg_cleanup(&m);
	/* Every prefix without the line's end: more, never found. */
	size_t line = strlen("GET /secure/index.txt?a=b HTTP/1.1\r\n");
	for (size_t n = 0; n < line; n++) {
		enum td_app_status st = td_app_http1_request(u8(req), n, &m, &used);
		CU_ASSERT_EQUAL(st, TD_APP_MORE);
		td_app_msg_cleanup(&m);
	}
	/* Not HTTP. */
	const char *bad[] = {
		"EHLO mail.example\r\n",                   /* SMTP: no version */
		"get / HTTP/1.1\r\n",                       /* lower case */
		"GET / HTTP/2.0\r\n",                       /* not 1.x */
		"GET /a\x01 HTTP/1.1\r\n",                  /* control in the target */
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\n", /* method too long */
		"\x16\x03\x01\x00\x10",                     /* binary */
		"GET  HTTP/1.1\r\n",                        /* empty target */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_EQUAL(td_app_http1_request(u8(bad[i]), strlen(bad[i]), &m, &used),
				TD_APP_NO);
		td_app_msg_cleanup(&m);
	}
}

static void test_http1_response(void)
{
	struct td_app_msg m;
	size_t used = 0;
	size_t n = strlen(nginx_400);
	CU_ASSERT_EQUAL(td_app_http1_response(u8(nginx_400), n, false, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.status, 400);
	CU_ASSERT_STRING_EQUAL(m.reason, "Bad Request");
	CU_ASSERT_STRING_EQUAL(m.title, "400 No required SSL certificate was sent");
	CU_ASSERT_EQUAL(m.known, TD_APP_KNOWN_NGINX_NO_CERT);
	CU_ASSERT_EQUAL(used, n);
	char d[256];
	td_app_describe(&m, d, sizeof d);
	CU_ASSERT_STRING_EQUAL(d, "HTTP/1.1 400 Bad Request, title \"400 No required SSL "
			       "certificate was sent\"");
	td_app_msg_cleanup(&m);

	/* A description cut short never ends in half a character: "é" is
	 * two bytes, and every buffer length cuts the string somewhere. */
	const char *utf = "HTTP/1.1 400 \xc3\xa9\xc3\xa9\xc3\xa9\r\n\r\n";
	CU_ASSERT_EQUAL(td_app_http1_response(u8(utf), strlen(utf), true, &m, &used), TD_APP_FOUND);
	CU_ASSERT_STRING_EQUAL(m.reason, "\xc3\xa9\xc3\xa9\xc3\xa9");
	for (size_t len = 1; len <= sizeof "HTTP/1.1 400 \xc3\xa9\xc3\xa9\xc3\xa9"; len++) {
		char cut[32];
		td_app_describe(&m, cut, len);
		size_t k = strlen(cut);
		/* 13 bytes of ASCII, then whole pairs only. */
		CU_ASSERT(k < len);
		CU_ASSERT(k <= 13 || (k - 13) % 2 == 0);
	}
	td_app_msg_cleanup(&m);

	/* The truncation sweep: before the title's end, more; with final,
	 * found (the status line at least) or no (not even a status line). */
	size_t title_end = (size_t)(strstr(nginx_400, "</title>") - nginx_400) + strlen("</title>");
	for (size_t k = 0; k < n; k++) {
		enum td_app_status st = td_app_http1_response(u8(nginx_400), k, false, &m, &used);
		CU_ASSERT_EQUAL(st, k < title_end ? TD_APP_MORE : TD_APP_FOUND);
		td_app_msg_cleanup(&m);
		st = td_app_http1_response(u8(nginx_400), k, true, &m, &used);
		bool line = k >= strlen("HTTP/1.1 400 Bad Request\r\n");
		CU_ASSERT_EQUAL(st, line ? TD_APP_FOUND : TD_APP_NO);
		if (line)
			CU_ASSERT_EQUAL(m.status, 400);
		CU_ASSERT_TRUE(st != TD_APP_FOUND || used <= k);
		td_app_msg_cleanup(&m);
	}

	/* The other nginx title, a 403 page, an interim 100, no reason. */
	const char *err = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n"
			  "<html><head><TITLE> 400 The SSL certificate error </TITLE>";
	CU_ASSERT_EQUAL(td_app_http1_response(u8(err), strlen(err), false, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.known, TD_APP_KNOWN_NGINX_CERT_ERROR);
	td_app_msg_cleanup(&m);
	const char *plain = "HTTP/1.0 403\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nno";
	CU_ASSERT_EQUAL(td_app_http1_response(u8(plain), strlen(plain), false, &m, &used),
			TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.status, 403);
	CU_ASSERT_PTR_NULL(m.reason);
	CU_ASSERT_PTR_NULL(m.title);
	CU_ASSERT_EQUAL(m.known, TD_APP_KNOWN_NONE);
	td_app_msg_cleanup(&m);
	const char *cont = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n";
	CU_ASSERT_EQUAL(td_app_http1_response(u8(cont), strlen(cont), false, &m, &used), TD_APP_SKIP);
	CU_ASSERT_EQUAL(used, strlen("HTTP/1.1 100 Continue\r\n\r\n"));
	/* Apache mod_ssl's 403 for a client without post-handshake
	 * authentication: the reason is in the body, after the title; the
	 * body not yet whole is waited for, a 403 without it is not known. */
	const char *pha = "HTTP/1.1 403 Forbidden\r\nContent-Length: 94\r\n"
			  "Content-Type: text/html\r\n\r\n<title>403 Forbidden</title>"
			  "<p>Reason: Cannot perform Post-Handshake Authentication.<br /></p>";
	size_t pha_cut = strlen(pha) - 50;
	CU_ASSERT_EQUAL(td_app_http1_response(u8(pha), pha_cut, false, &m, &used), TD_APP_MORE);
	td_app_msg_cleanup(&m);
	CU_ASSERT_EQUAL(td_app_http1_response(u8(pha), strlen(pha), false, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.known, TD_APP_KNOWN_APACHE_NO_PHA);
	td_app_msg_cleanup(&m);
	CU_ASSERT_EQUAL(td_app_http1_response(u8(pha), pha_cut, true, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.known, TD_APP_KNOWN_NONE);
	td_app_msg_cleanup(&m);
	/* A title that is not nginx's is kept, not known. */
	const char *other = "HTTP/1.1 404 Not Found\r\nContent-Length: 30\r\n\r\n<title>Nope</title>";
	CU_ASSERT_EQUAL(td_app_http1_response(u8(other), strlen(other), false, &m, &used), TD_APP_FOUND);
	CU_ASSERT_STRING_EQUAL(m.title, "Nope");
	CU_ASSERT_EQUAL(m.known, TD_APP_KNOWN_NONE);
	td_app_msg_cleanup(&m);
	/* Hostile: a bad code, a title with escapes and controls. */
	const char *bad[] = { "HTTP/1.1 4x0 Bad\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n",
			      "HTTX/1.1 200 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_EQUAL(td_app_http1_response(u8(bad[i]), strlen(bad[i]), true, &m, &used),
				TD_APP_NO);
		td_app_msg_cleanup(&m);
	}
	const char *esc = "HTTP/1.1 400 B\x1b[31m\r\nContent-Length: 22\r\n\r\n<title>\x07x\xff</title>";
	CU_ASSERT_EQUAL(td_app_http1_response(u8(esc), strlen(esc), false, &m, &used), TD_APP_FOUND);
	CU_ASSERT_PTR_NULL(strchr(m.reason, 0x1b));
	CU_ASSERT_PTR_NULL(strchr(m.title, 0x07));
	td_app_msg_cleanup(&m);
}

/* An HTTP/2 frame header then payload. */
static size_t h2(uint8_t *out, uint32_t len, uint8_t type, uint8_t flags, uint32_t stream,
		 const uint8_t *payload, size_t plen)
{
	out[0] = (uint8_t)(len >> 16);
	out[1] = (uint8_t)(len >> 8);
	out[2] = (uint8_t)len;
	out[3] = type;
	out[4] = flags;
	out[5] = (uint8_t)(stream >> 24);
	out[6] = (uint8_t)(stream >> 16);
	out[7] = (uint8_t)(stream >> 8);
	out[8] = (uint8_t)stream;
	memcpy(out + 9, payload, plen);
	return 9 + plen;
}

static void test_http2(void)
{
	struct td_app_msg m;
	size_t used = 0;
	const char *pre = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	CU_ASSERT_EQUAL(td_app_h2_preface(u8(pre), 24, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(used, 24);
	CU_ASSERT_EQUAL(td_app_h2_preface(u8(pre), 10, &m, &used), TD_APP_MORE);
	CU_ASSERT_EQUAL(td_app_h2_preface(u8("PRI * HTTP/1.1"), 14, &m, &used), TD_APP_NO);

	uint8_t f[64];
	const uint8_t goaway[] = { 0, 0, 0, 3, 0, 0, 0, 1, 'b', 'y', 'e' };
	size_t n = h2(f, sizeof goaway, 7, 0, 0, goaway, sizeof goaway);
	CU_ASSERT_EQUAL(td_app_h2_frame(f, n, true, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.kind, TD_APP_H2_GOAWAY);
	CU_ASSERT_EQUAL(m.stream, 3);
	CU_ASSERT_EQUAL(m.error_code, 1);
	CU_ASSERT_STRING_EQUAL(m.message, "bye");
	CU_ASSERT_STRING_EQUAL(td_h2_error_name(m.error_code), "PROTOCOL_ERROR");
	CU_ASSERT_EQUAL(used, n);
	CU_ASSERT_TRUE(td_app_is_error(&m));
	td_app_msg_cleanup(&m);
	for (size_t k = 0; k < 9 + 8; k++)
		CU_ASSERT_EQUAL(td_app_h2_frame(f, k, true, &m, &used), TD_APP_MORE);

	const uint8_t rst[] = { 0, 0, 0, 8 };
	n = h2(f, 4, 3, 0, 5, rst, 4);
	CU_ASSERT_EQUAL(td_app_h2_frame(f, n, false, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.kind, TD_APP_H2_RST_STREAM);
	CU_ASSERT_EQUAL(m.error_code, 8);
	CU_ASSERT_FALSE(td_app_is_error(&m));  /* CANCEL */
	n = h2(f, 5, 3, 0, 5, rst, 4);          /* RST_STREAM of 5 bytes: malformed */
	CU_ASSERT_EQUAL(td_app_h2_frame(f, n, false, &m, &used), TD_APP_NO);
	n = h2(f, 4, 7, 0, 0, rst, 4);          /* GOAWAY under 8 bytes */
	CU_ASSERT_EQUAL(td_app_h2_frame(f, n, false, &m, &used), TD_APP_NO);

	/* HEADERS: :status 400 from the static table; a plain literal 403
	 * (nginx), after a table size update; Huffman: not read. */
	const uint8_t idx[] = { 0x8c, 0x82 };
	n = h2(f, 2, 1, 4, 1, idx, 2);
	CU_ASSERT_EQUAL(td_app_h2_frame(f, n, true, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.kind, TD_APP_RESPONSE);
	CU_ASSERT_EQUAL(m.status, 400);
	CU_ASSERT_EQUAL(m.stream, 1);
	CU_ASSERT_EQUAL(td_app_h2_frame(f, n, false, &m, &used), TD_APP_SKIP);  /* client's */
	const uint8_t lit[] = { 0x20, 0x48, 0x03, '4', '0', '3', 0x5f };
	n = h2(f, sizeof lit, 1, 4, 3, lit, sizeof lit);
	CU_ASSERT_EQUAL(td_app_h2_frame(f, n, true, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.status, 403);
	const uint8_t huff[] = { 0x48, 0x82, 0x64, 0x02 };
	n = h2(f, sizeof huff, 1, 4, 3, huff, sizeof huff);
	CU_ASSERT_EQUAL(td_app_h2_frame(f, n, true, &m, &used), TD_APP_SKIP);
	/* A padded, prioritised HEADERS frame. */
	const uint8_t padded[] = { 1, 0, 0, 0, 0, 16, 0x8d, 0 };
	n = h2(f, sizeof padded, 1, 0x28, 7, padded, sizeof padded);
	CU_ASSERT_EQUAL(td_app_h2_frame(f, n, true, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.status, 404);
	/* A DATA frame longer than what is here: skipped whole. */
	uint8_t data[9] = { 0, 0x40, 0, 0, 0, 0, 0, 0, 1 };
	CU_ASSERT_EQUAL(td_app_h2_frame(data, sizeof data, true, &m, &used), TD_APP_SKIP);
	CU_ASSERT_EQUAL(used, 9 + 0x4000);
}

/* A PostgreSQL message: type (0 for none), then body bytes. */
static size_t pg(uint8_t *out, uint8_t type, const char *body, size_t blen)
{
	size_t o = 0;
	if (type)
		out[o++] = type;
	uint32_t len = (uint32_t)(blen + 4);
	out[o++] = (uint8_t)(len >> 24);
	out[o++] = (uint8_t)(len >> 16);
	out[o++] = (uint8_t)(len >> 8);
	out[o++] = (uint8_t)len;
	memcpy(out + o, body, blen);
	return o + blen;
}

static void test_pgsql(void)
{
	struct td_app_msg m;
	size_t used = 0;
	uint8_t buf[256];
	const char startup[] = "\x00\x03\x00\x00user\0postgres\0database\0db\0";
	size_t n = pg(buf, 0, startup, sizeof startup);  /* the final NUL ends the list */
	CU_ASSERT_EQUAL(td_app_pg_startup(buf, n, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.kind, TD_APP_PG_STARTUP);
	CU_ASSERT_STRING_EQUAL(m.user, "postgres");
	CU_ASSERT_EQUAL(used, n);
	td_app_msg_cleanup(&m);
	for (size_t k = 0; k < n; k++)
		CU_ASSERT_EQUAL(td_app_pg_startup(buf, k, &m, &used), TD_APP_MORE);
	const char ssl[] = "\x04\xd2\x16\x2f";  /* an SSLRequest is not a StartupMessage */
	n = pg(buf, 0, ssl, 4);
	CU_ASSERT_EQUAL(td_app_pg_startup(buf, n, &m, &used), TD_APP_NO);

	const char err[] = "SFATAL\0VFATAL\0C28000\0Mconnection requires a valid client "
			   "certificate\0Fauth.c\0L354\0";
	n = pg(buf, 'E', err, sizeof err);
	CU_ASSERT_EQUAL(td_app_pg_backend(buf, n, &m, &used), TD_APP_FOUND);
	CU_ASSERT_EQUAL(m.kind, TD_APP_PG_ERROR);
	CU_ASSERT_STRING_EQUAL(m.severity, "FATAL");
	CU_ASSERT_STRING_EQUAL(m.sqlstate, "28000");
	CU_ASSERT_STRING_EQUAL(m.message, "connection requires a valid client certificate");
	CU_ASSERT_EQUAL(m.known, TD_APP_KNOWN_PG_CERT_REQUIRED);
	CU_ASSERT_EQUAL(used, n);
	td_app_msg_cleanup(&m);
	for (size_t k = 0; k < n; k++) {
		CU_ASSERT_EQUAL(td_app_pg_backend(buf, k, &m, &used), TD_APP_MORE);
		td_app_msg_cleanup(&m);
	}
	/* Localized severity only, a bad SQLSTATE, no terminator. */
	const char odd[] = "SFATAL\0C2800x\0Mmsg";
	n = pg(buf, 'E', odd, sizeof odd - 1);
	CU_ASSERT_EQUAL(td_app_pg_backend(buf, n, &m, &used), TD_APP_FOUND);
	CU_ASSERT_STRING_EQUAL(m.severity, "FATAL");
	CU_ASSERT_STRING_EQUAL(m.sqlstate, "");
	CU_ASSERT_PTR_NULL(m.message);
	td_app_msg_cleanup(&m);
	/* AuthenticationOk: skipped; a type no backend sends: not PostgreSQL. */
	n = pg(buf, 'R', "\0\0\0\0", 4);
	CU_ASSERT_EQUAL(td_app_pg_backend(buf, n, &m, &used), TD_APP_SKIP);
	CU_ASSERT_EQUAL(used, n);
	n = pg(buf, 'x', "\0\0\0\0", 4);
	CU_ASSERT_EQUAL(td_app_pg_backend(buf, n, &m, &used), TD_APP_NO);
	n = pg(buf, 'E', "", 0);
	buf[4] = 2;  /* a length under 4 */
	CU_ASSERT_EQUAL(td_app_pg_backend(buf, n, &m, &used), TD_APP_NO);
}

/* ---- a connection's recogniser ------------------------------------------ */

struct seen {
	size_t n;
	enum td_dir dir[8];
	struct td_app_msg m[8];
};

static void on_msg(void *ctx, enum td_dir dir, struct td_app_msg *m, size_t len)
{
	struct seen *s = ctx;
	(void)len;
	if (s->n < 8) {
		s->dir[s->n] = dir;
		s->m[s->n] = *m;
		memset(m, 0, sizeof *m);  /* the strings are the test's now */
		s->n++;
	}
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		td_app_msg_cleanup(&s->m[i]);
}

static void feed(struct td_app *a, enum td_dir dir, const uint8_t *p, size_t n, size_t piece,
		 struct seen *s)
{
	for (size_t o = 0; o < n; o += piece)
		CU_ASSERT_EQUAL(td_app_feed(a, dir, p + o, n - o < piece ? n - o : piece, on_msg, s),
				TD_OK);
}

static void test_stream(void)
{
	for (size_t piece = 1; piece <= 64; piece *= 4) {
		struct td_app *a = td_app_new(NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		struct seen s = { 0 };
		const char *req = "GET / HTTP/1.1\r\nHost: tls-server.local\r\n\r\n";
		feed(a, TD_DIR_C2S, u8(req), strlen(req), piece, &s);
		feed(a, TD_DIR_S2C, u8(nginx_400), strlen(nginx_400), piece, &s);
		td_app_end(a, on_msg, &s);
		CU_ASSERT_EQUAL(s.n, 2);
		CU_ASSERT_EQUAL(s.dir[0], TD_DIR_C2S);
		CU_ASSERT_EQUAL(s.m[0].kind, TD_APP_REQUEST);
		CU_ASSERT_EQUAL(s.m[1].known, TD_APP_KNOWN_NGINX_NO_CERT);
		CU_ASSERT_TRUE(td_app_done(a, TD_DIR_C2S) && td_app_done(a, TD_DIR_S2C));
		seen_free(&s);
		td_app_free(a);
	}
	/* PostgreSQL: the server's answer decides by the client's startup. */
	struct td_app *a = td_app_new(NULL);
	struct seen s = { 0 };
	uint8_t buf[256];
	const char startup[] = "\x00\x03\x00\x00user\0alice\0";
	size_t n = pg(buf, 0, startup, sizeof startup);
	feed(a, TD_DIR_C2S, buf, n, 3, &s);
	size_t o = pg(buf, 'R', "\0\0\0\0", 4);
	const char err[] = "SFATAL\0C28000\0M\"trust\" authentication failed for user \"alice\"\0";
	o += pg(buf + o, 'E', err, sizeof err);
	feed(a, TD_DIR_S2C, buf, o, 5, &s);
	td_app_end(a, on_msg, &s);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_STRING_EQUAL(s.m[0].user, "alice");
	CU_ASSERT_STRING_EQUAL(s.m[1].sqlstate, "28000");
	CU_ASSERT_EQUAL(s.m[1].known, TD_APP_KNOWN_NONE);
	seen_free(&s);
	td_app_free(a);
	/* HTTP/2: a DATA frame larger than what is kept is passed over, the
	 * GOAWAY after it is read. */
	a = td_app_new(NULL);
	memset(&s, 0, sizeof s);
	const char *pre = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	feed(a, TD_DIR_C2S, u8(pre), 24, 24, &s);
	size_t big = TD_CAP_APP_BYTES / 2;
	uint8_t *bulk = calloc(1, 9 + big + 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bulk);
	uint8_t settings[9] = { 0, 0, 0, 4, 0, 0, 0, 0, 0 };
	feed(a, TD_DIR_S2C, settings, 9, 9, &s);
	bulk[0] = (uint8_t)(big >> 16);
	bulk[1] = (uint8_t)(big >> 8);
	bulk[2] = (uint8_t)big;
	bulk[8] = 1;  /* DATA on stream 1 */
	const uint8_t goaway[] = { 0, 0, 0, 1, 0, 0, 0, 2 };
	size_t g = h2(bulk + 9 + big, 8, 7, 0, 0, goaway, 8);
	feed(a, TD_DIR_S2C, bulk, 9 + big + g, 1000, &s);
	td_app_end(a, on_msg, &s);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_EQUAL(s.m[0].kind, TD_APP_H2_PREFACE);
	CU_ASSERT_EQUAL(s.m[1].kind, TD_APP_H2_GOAWAY);
	CU_ASSERT_EQUAL(s.m[1].error_code, 2);
	free(bulk);
	seen_free(&s);
	td_app_free(a);
	/* Not a protocol tlsdiag reads: done, nothing reported. */
	a = td_app_new(NULL);
	memset(&s, 0, sizeof s);
	const char *smtp = "EHLO client.example\r\n";
	feed(a, TD_DIR_C2S, u8(smtp), strlen(smtp), 4, &s);
	CU_ASSERT_TRUE(td_app_done(a, TD_DIR_C2S));
	feed(a, TD_DIR_S2C, u8("250 ok\r\n"), 8, 8, &s);
	td_app_end(a, on_msg, &s);
	CU_ASSERT_EQUAL(s.n, 0);
	td_app_free(a);
	/* Garbage of every length ends cleanly. */
	uint8_t junk[300];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	for (size_t k = 0; k < sizeof junk; k += 7) {
		a = td_app_new(NULL);
		memset(&s, 0, sizeof s);
		feed(a, TD_DIR_S2C, junk, k, 13, &s);
		feed(a, TD_DIR_C2S, junk + k, sizeof junk - k, 5, &s);
		td_app_end(a, on_msg, &s);
		seen_free(&s);
		td_app_free(a);
	}
}

/* ---- redaction ----------------------------------------------------------- */

static void add_app(struct td_conn *c, enum td_dir dir, struct td_app_msg *m)
{
	char d[512];
	td_app_describe(m, d, sizeof d);
	struct td_event e = { .ts_us = c->start_us + 1000 * (c->n_events + 1), .dir = dir,
			      .kind = TD_EV_APPLICATION, .content_type = TD_CT_APPLICATION_DATA,
			      .encrypted = true, .decrypted = true, .length = 100, .detail = d,
			      .app = m };
	CU_ASSERT_EQUAL(td_conn_add_event(c, &e, NULL), TD_OK);
	td_app_msg_cleanup(m);
}

static void test_redact(void)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct td_app_msg req = { .proto = TD_APP_HTTP1, .kind = TD_APP_REQUEST,
				  .method = strdup("GET"), .target = strdup("/users/alice?token=s3cret"),
				  .version = strdup("HTTP/1.1") };
	add_app(c, TD_DIR_C2S, &req);
	struct td_app_msg res = { .proto = TD_APP_HTTP1, .kind = TD_APP_RESPONSE, .status = 400,
				  .version = strdup("HTTP/1.1"), .reason = strdup("Bad Request"),
				  .title = strdup("400 No required SSL certificate was sent"),
				  .known = TD_APP_KNOWN_NGINX_NO_CERT };
	add_app(c, TD_DIR_S2C, &res);
	struct td_app_msg pgerr = { .proto = TD_APP_PGSQL, .kind = TD_APP_PG_ERROR,
				    .severity = strdup("FATAL"), .sqlstate = "28000",
				    .message = strdup("certificate authentication failed for user "
						      "\"alice\"") };
	add_app(c, TD_DIR_S2C, &pgerr);
	struct td_redactor *r = td_redactor_new(TD_REDACT_PRIVATE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(td_redact_conn(r, c), TD_OK);
	const struct td_app_msg *m = c->events[0].app;
	CU_ASSERT_STRING_EQUAL(m->method, "GET");
	CU_ASSERT_STRING_EQUAL(m->target, "[redacted]");
	CU_ASSERT_TRUE(m->redacted);
	CU_ASSERT_PTR_NULL(strstr(c->events[0].detail, "alice"));
	m = c->events[1].app;
	CU_ASSERT_STRING_EQUAL(m->reason, "Bad Request");
	CU_ASSERT_STRING_EQUAL(m->title, "400 No required SSL certificate was sent");
	CU_ASSERT_FALSE(m->redacted);
	m = c->events[2].app;
	CU_ASSERT_STRING_EQUAL(m->sqlstate, "28000");
	CU_ASSERT_STRING_EQUAL(m->severity, "FATAL");
	CU_ASSERT_STRING_EQUAL(m->message, "[redacted]");
	CU_ASSERT_PTR_NULL(strstr(c->events[2].detail, "alice"));
	/* The clone a sink keeps carries the messages too. */
	struct td_conn *k = td_conn_clone(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_PTR_NOT_NULL(k->events[1].app);
	CU_ASSERT_PTR_NOT_EQUAL(k->events[1].app, c->events[1].app);
	CU_ASSERT_STRING_EQUAL(k->events[1].app->title, c->events[1].app->title);
	td_conn_free(k);
	td_redactor_free(r);
	td_conn_free(c);
}

/* ---- the rules ---------------------------------------------------------- */

static uint64_t clock_us;

static void ev(struct td_conn *c, enum td_event_kind k, enum td_dir d, uint8_t hs, uint32_t len)
{
	struct td_event e = { .ts_us = (clock_us += 1000), .dir = d, .kind = k, .hs_type = hs,
			      .length = len };
	if (k == TD_EV_ENCRYPTED || k == TD_EV_APPDATA) {
		e.content_type = TD_CT_APPLICATION_DATA;
		e.encrypted = true;
	}
	CU_ASSERT_EQUAL(td_conn_add_event(c, &e, NULL), TD_OK);
}

static struct td_cert *add_cert(struct td_chain *ch, const char *subject, const char *issuer)
{
	ch->present = true;
	struct td_cert *k = td_cert_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	ch->certs[ch->n++] = k;
	k->parsed = true;
	k->subject = strdup(subject);
	k->issuer = strdup(issuer);
	k->not_before = 1600000000;   /* 2020 */
	k->not_after = 1900000000;    /* 2030 */
	k->key_type = strdup("RSA");
	k->key_bits = 2048;
	k->sig_alg = strdup("sha256WithRSAEncryption");
	k->path_len = -1;
	return k;
}

/* A handshake that completed, with a CertificateRequest for clientCA
 * (cr) and the client's certificate: none (cert NULL, empty true: an
 * empty Certificate), or one issued by cert. */
static struct td_conn *done(uint16_t version, bool cr, const char *issuer, bool empty)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	clock_us = 1700000000000000u;
	c->start_us = clock_us;
	c->tls = true;
	c->client_addr.family = 4;
	c->server_addr.family = 4;
	c->client_port = 50000;
	c->server_port = 9443;
	c->ch.present = true;
	c->ch.legacy_version = TD_VERSION_TLS12;
	CU_ASSERT_EQUAL(td_u16list_add(&c->ch.suites, 0xc02f), TD_OK);
	ev(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_CLIENT_HELLO, 500);
	ev(c, TD_EV_HANDSHAKE, TD_DIR_S2C, TD_HS_SERVER_HELLO, 90);
	c->sh.present = true;
	c->sh.legacy_version = TD_VERSION_TLS12;
	c->version = version;
	c->cipher = version == TD_VERSION_TLS13 ? 0x1302 : 0xc02f;
	add_cert(&c->server_chain, "CN=tls-server.local", "CN=rootCA");
	ev(c, TD_EV_HANDSHAKE, TD_DIR_S2C, TD_HS_CERTIFICATE, 2000);
	if (cr) {
		c->cr.present = true;
		CU_ASSERT_EQUAL(td_strlist_add(&c->cr.ca_names, "O=LMT Corp,CN=clientCA"), TD_OK);
		ev(c, TD_EV_HANDSHAKE, TD_DIR_S2C, TD_HS_CERTIFICATE_REQUEST, 90);
	}
	if (issuer)
		add_cert(&c->client_chain, "CN=client", issuer);
	if (issuer || empty) {
		c->client_chain.present = true;
		ev(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_CERTIFICATE, issuer ? 1200 : 3);
	}
	if (version != TD_VERSION_TLS13) {
		ev(c, TD_EV_CCS, TD_DIR_C2S, 0, 1);
		ev(c, TD_EV_ENCRYPTED, TD_DIR_C2S, 0, 40);
		c->events[c->n_events - 1].content_type = TD_CT_HANDSHAKE;
		ev(c, TD_EV_CCS, TD_DIR_S2C, 0, 1);
		ev(c, TD_EV_ENCRYPTED, TD_DIR_S2C, 0, 40);
		c->events[c->n_events - 1].content_type = TD_CT_HANDSHAKE;
	} else {
		ev(c, TD_EV_HANDSHAKE, TD_DIR_S2C, TD_HS_FINISHED, 48);
		ev(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_FINISHED, 48);
		c->finished[0] = c->finished[1] = true;
		c->decrypted = true;
	}
	c->handshake_done = true;
	return c;
}

static void http_exchange(struct td_conn *c, uint16_t status, const char *title,
			  enum td_app_known known)
{
	ev(c, TD_EV_APPDATA, TD_DIR_C2S, 0, 85);
	clock_us += 1000;
	struct td_app_msg req = { .proto = TD_APP_HTTP1, .kind = TD_APP_REQUEST,
				  .method = strdup("GET"), .target = strdup("/"),
				  .version = strdup("HTTP/1.1") };
	add_app(c, TD_DIR_C2S, &req);
	ev(c, TD_EV_APPDATA, TD_DIR_S2C, 0, 400);
	struct td_app_msg res = { .proto = TD_APP_HTTP1, .kind = TD_APP_RESPONSE, .status = status,
				  .version = strdup("HTTP/1.1"),
				  .title = title ? strdup(title) : NULL, .known = known };
	add_app(c, TD_DIR_S2C, &res);
	c->side[TD_DIR_C2S].encrypted_records = 1;
	c->side[TD_DIR_S2C].encrypted_records = 1;
}

static void pg_error(struct td_conn *c, const char *message, enum td_app_known known)
{
	ev(c, TD_EV_APPDATA, TD_DIR_S2C, 0, 100);
	struct td_app_msg m = { .proto = TD_APP_PGSQL, .kind = TD_APP_PG_ERROR,
				.severity = strdup("FATAL"), .sqlstate = "28000",
				.message = strdup(message), .known = known };
	add_app(c, TD_DIR_S2C, &m);
}

static void closes(struct td_conn *c, enum td_dir alert_from)
{
	struct td_event a = { .ts_us = (clock_us += 1000), .dir = alert_from, .kind = TD_EV_ALERT,
			      .content_type = TD_CT_ALERT, .encrypted = true, .length = 26 };
	CU_ASSERT_EQUAL(td_conn_add_event(c, &a, NULL), TD_OK);
	ev(c, TD_EV_TCP_FIN, TD_DIR_S2C, 0, 0);
	c->side[TD_DIR_S2C].fin = true;
}

static const struct td_diagnosis *diagnose(struct td_conn *c)
{
	struct td_diag_opts o = { .no_system_store = true, .keylog_given = true };
	struct td_diagnoser *d = NULL;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&d, &o, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
	td_diagnoser_free(d);
	return c->n_diags > 0 ? &c->diags[0] : NULL;
}

static size_t count(const struct td_conn *c, const char *code)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_diags; i++)
		n += strcmp(c->diags[i].code, code) == 0;
	return n;
}

/* c's first diagnosis is this after-handshake refusal by the server. */
static void want(struct td_conn *c, const char *code, enum td_confidence conf)
{
	const struct td_diagnosis *g = diagnose(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	if (strcmp(g->code, code) != 0)
		fprintf(stderr, "\nwant %s, got %s (%s)\n", code, g->code, g->summary);
	CU_ASSERT_STRING_EQUAL(g->code, code);
	CU_ASSERT_EQUAL(g->severity, TD_SEV_ERROR);
	CU_ASSERT_EQUAL(g->stage, TD_STAGE_AFTER_HANDSHAKE);
	CU_ASSERT_EQUAL(g->gave_up, TD_PARTY_SERVER);
	CU_ASSERT_EQUAL(g->confidence, conf);
	CU_ASSERT_PTR_NOT_NULL(g->fix);
	CU_ASSERT_TRUE(g->evidence.n >= 2);
	CU_ASSERT_EQUAL(count(c, code), 1);
	/* The handshake stands. */
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_ESTABLISHED);
}

/* No refusal is reported. */
static void none(struct td_conn *c)
{
	diagnose(c);
	for (size_t i = 0; i < c->n_diags; i++)
		CU_ASSERT_FALSE(c->diags[i].stage == TD_STAGE_AFTER_HANDSHAKE &&
				strncmp(c->diags[i].code, "CLIENT_CERT_", 12) == 0);
}

static void test_rule_missing(void)
{
	/* nginx, TLS 1.3, keys: 400 "No required SSL certificate was sent". */
	struct td_conn *c = done(TD_VERSION_TLS13, true, NULL, true);
	http_exchange(c, 400, "400 No required SSL certificate was sent", TD_APP_KNOWN_NGINX_NO_CERT);
	closes(c, TD_DIR_S2C);
	want(c, "CLIENT_CERT_MISSING", TD_CONF_CERTAIN);
	bool quoted = false;
	for (size_t i = 0; i < c->diags[0].evidence.n; i++)
		quoted = quoted || strstr(c->diags[0].evidence.v[i], "No required SSL") != NULL;
	CU_ASSERT_TRUE(quoted);
	td_conn_free(c);
	/* nginx optional / HAProxy deny: a 403 under a CertificateRequest. */
	c = done(TD_VERSION_TLS13, true, NULL, true);
	http_exchange(c, 403, "403 Forbidden", TD_APP_KNOWN_NONE);
	want(c, "CLIENT_CERT_MISSING", TD_CONF_CERTAIN);
	td_conn_free(c);
	/* Apache, TLS 1.3 client without post_handshake_auth: a 403 whose
	 * body says "Cannot perform Post-Handshake Authentication". */
	c = done(TD_VERSION_TLS13, false, NULL, false);
	http_exchange(c, 403, "403 Forbidden", TD_APP_KNOWN_APACHE_NO_PHA);
	want(c, "CLIENT_CERT_MISSING", TD_CONF_CERTAIN);
	td_conn_free(c);
	/* PostgreSQL: FATAL 28000 "connection requires a valid client certificate". */
	c = done(TD_VERSION_TLS13, true, NULL, true);
	pg_error(c, "connection requires a valid client certificate", TD_APP_KNOWN_PG_CERT_REQUIRED);
	want(c, "CLIENT_CERT_MISSING", TD_CONF_CERTAIN);
	td_conn_free(c);
	/* Without keys, TLS 1.2: an empty Certificate in clear, one record
	 * each way, the server's alert. */
	c = done(TD_VERSION_TLS12, true, NULL, true);
	ev(c, TD_EV_APPDATA, TD_DIR_C2S, 0, 109);
	ev(c, TD_EV_APPDATA, TD_DIR_S2C, 0, 413);
	c->side[TD_DIR_C2S].encrypted_records = 1;
	c->side[TD_DIR_S2C].encrypted_records = 1;
	closes(c, TD_DIR_S2C);
	want(c, "CLIENT_CERT_MISSING", TD_CONF_INFERRED);
	td_conn_free(c);
}

static void test_rule_missing_near_misses(void)
{
	/* A 200 OK. */
	struct td_conn *c = done(TD_VERSION_TLS13, true, NULL, true);
	http_exchange(c, 200, NULL, TD_APP_KNOWN_NONE);
	none(c);
	td_conn_free(c);
	/* A 403 to a client that offered post-handshake authentication and
	 * was not asked: an access rule, not a certificate. */
	c = done(TD_VERSION_TLS13, false, NULL, false);
	CU_ASSERT_EQUAL(td_u16list_add(&c->ch.extensions, 49), TD_OK);
	http_exchange(c, 403, NULL, TD_APP_KNOWN_NONE);
	none(c);
	td_conn_free(c);
	/* A plain 403 to a TLS 1.3 client that offered no post-handshake
	 * authentication and was not asked for a certificate: any refusal
	 * (Chromium never offers it), nothing ties it to a certificate. */
	c = done(TD_VERSION_TLS13, false, NULL, false);
	http_exchange(c, 403, "403 Forbidden", TD_APP_KNOWN_NONE);
	none(c);
	td_conn_free(c);
	/* A 403 over TLS 1.2 without a CertificateRequest. */
	c = done(TD_VERSION_TLS12, false, NULL, false);
	http_exchange(c, 403, NULL, TD_APP_KNOWN_NONE);
	none(c);
	td_conn_free(c);
	/* Without keys, a long exchange: a session that worked. */
	c = done(TD_VERSION_TLS12, true, NULL, true);
	ev(c, TD_EV_APPDATA, TD_DIR_C2S, 0, 109);
	c->side[TD_DIR_C2S].encrypted_records = 5;
	c->side[TD_DIR_S2C].encrypted_records = 9;
	closes(c, TD_DIR_S2C);
	none(c);
	td_conn_free(c);
	/* Without keys, two records from the client before a short answer
	 * and the server's alert: a client that talks (mercury/tls_sgt). */
	c = done(TD_VERSION_TLS12, true, NULL, true);
	ev(c, TD_EV_APPDATA, TD_DIR_C2S, 0, 300);
	ev(c, TD_EV_APPDATA, TD_DIR_S2C, 0, 219);
	c->side[TD_DIR_C2S].encrypted_records = 2;
	c->side[TD_DIR_S2C].encrypted_records = 1;
	closes(c, TD_DIR_S2C);
	none(c);
	td_conn_free(c);
	/* Without keys, a big answer (openssl s_server -www's page) then the
	 * server's close_notify: a page served, not a refusal. */
	c = done(TD_VERSION_TLS12, true, NULL, true);
	ev(c, TD_EV_APPDATA, TD_DIR_C2S, 0, 109);
	ev(c, TD_EV_APPDATA, TD_DIR_S2C, 0, 9588);
	c->side[TD_DIR_C2S].encrypted_records = 1;
	c->side[TD_DIR_S2C].encrypted_records = 1;
	closes(c, TD_DIR_S2C);
	none(c);
	td_conn_free(c);
	/* Without keys, the client closes first without a server alert. */
	c = done(TD_VERSION_TLS12, true, NULL, true);
	ev(c, TD_EV_APPDATA, TD_DIR_S2C, 0, 391);
	c->side[TD_DIR_C2S].encrypted_records = 1;
	c->side[TD_DIR_S2C].encrypted_records = 1;
	ev(c, TD_EV_TCP_FIN, TD_DIR_C2S, 0, 0);
	none(c);
	td_conn_free(c);
	/* The handshake did not complete: not a refusal after it. */
	c = done(TD_VERSION_TLS13, true, NULL, true);
	c->handshake_done = false;
	http_exchange(c, 400, "400 No required SSL certificate was sent", TD_APP_KNOWN_NGINX_NO_CERT);
	none(c);
	td_conn_free(c);
}

/* mercury/tls_sgt.pcap's sensor, TLS 1.2 without keys: the rogue
 * certificate (cert's, when given: the same object), a request of
 * client_records records, an answer of 219 bytes, the server's alert. */
static struct td_conn *sensor_exchange(struct td_cert *cert, uint32_t client_records)
{
	struct td_conn *c = done(TD_VERSION_TLS12, true, "O=Rogue Corp,CN=rogueClientCA", false);
	if (cert) {
		td_cert_unref(c->client_chain.certs[0]);
		c->client_chain.certs[0] = td_cert_ref(cert);
	}
	ev(c, TD_EV_APPDATA, TD_DIR_C2S, 0, 275);
	ev(c, TD_EV_APPDATA, TD_DIR_S2C, 0, 219);
	c->side[TD_DIR_C2S].encrypted_records = client_records;
	c->side[TD_DIR_S2C].encrypted_records = 1;
	closes(c, TD_DIR_S2C);
	return c;
}

static void test_rule_cert_refused(void)
{
	/* nginx 400 "The SSL certificate error", a certificate of a CA not
	 * on the list: untrusted. */
	struct td_conn *c = done(TD_VERSION_TLS13, true, "O=Rogue Corp,CN=rogueClientCA", false);
	http_exchange(c, 400, "400 The SSL certificate error", TD_APP_KNOWN_NGINX_CERT_ERROR);
	want(c, "CLIENT_CERT_UNTRUSTED", TD_CONF_CERTAIN);
	td_conn_free(c);
	/* The same page, an expired certificate of the listed CA; the
	 * handshake rule's CLIENT_CERT_EXPIRED warning is not said twice. */
	c = done(TD_VERSION_TLS13, true, "O=LMT Corp,CN=clientCA", false);
	c->client_chain.certs[0]->not_after = 1650000000;  /* 2022 */
	http_exchange(c, 400, "400 The SSL certificate error", TD_APP_KNOWN_NGINX_CERT_ERROR);
	want(c, "CLIENT_CERT_EXPIRED", TD_CONF_CERTAIN);
	td_conn_free(c);
	/* PostgreSQL 28000 with a valid certificate: rejected (its CN is
	 * not the user). */
	c = done(TD_VERSION_TLS13, true, "O=LMT Corp,CN=clientCA", false);
	pg_error(c, "\"trust\" authentication failed for user \"postgres\"", TD_APP_KNOWN_NONE);
	want(c, "CLIENT_CERT_REJECTED", TD_CONF_CERTAIN);
	for (size_t i = 0; i < c->diags[0].evidence.n; i++)
		CU_ASSERT_PTR_NULL(strstr(c->diags[0].evidence.v[i], "postgres"));
	td_conn_free(c);
	/* Without keys, TLS 1.2: the rogue certificate in clear, a short
	 * exchange, the server's alert: untrusted, inferred. */
	c = done(TD_VERSION_TLS12, true, "O=Rogue Corp,CN=rogueClientCA", false);
	ev(c, TD_EV_APPDATA, TD_DIR_C2S, 0, 109);
	ev(c, TD_EV_APPDATA, TD_DIR_S2C, 0, 391);
	c->side[TD_DIR_C2S].encrypted_records = 1;
	c->side[TD_DIR_S2C].encrypted_records = 1;
	closes(c, TD_DIR_S2C);
	want(c, "CLIENT_CERT_UNTRUSTED", TD_CONF_INFERRED);
	td_conn_free(c);
	/* Without keys, a certificate tlsdiag finds fine: nothing said. */
	c = done(TD_VERSION_TLS12, true, "O=LMT Corp,CN=clientCA", false);
	ev(c, TD_EV_APPDATA, TD_DIR_S2C, 0, 391);
	c->side[TD_DIR_C2S].encrypted_records = 1;
	c->side[TD_DIR_S2C].encrypted_records = 1;
	closes(c, TD_DIR_S2C);
	none(c);
	td_conn_free(c);
	/* Without keys, the same rogue certificate the same server went on
	 * talking with in an earlier connection (the client sent a second
	 * record after the answer): the short exchange that follows is no
	 * refusal (mercury/tls_sgt.pcap); with a fresh diagnoser it is. */
	struct td_diag_opts o = { .no_system_store = true, .keylog_given = true };
	struct td_diagnoser *d = NULL;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&d, &o, err, sizeof err), TD_OK);
	c = sensor_exchange(NULL, 2);
	CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
	struct td_conn *later = sensor_exchange(c->client_chain.certs[0], 1);
	CU_ASSERT_EQUAL(td_diagnose(d, later), TD_OK);
	CU_ASSERT_EQUAL(count(later, "CLIENT_CERT_UNTRUSTED"), 0);
	td_diagnoser_free(d);
	td_conn_free(later);
	/* (the same short exchange judged alone) */
	later = sensor_exchange(c->client_chain.certs[0], 1);
	want(later, "CLIENT_CERT_UNTRUSTED", TD_CONF_INFERRED);
	td_conn_free(later);
	td_conn_free(c);
	/* A 200 with the rogue certificate: the server took it. */
	c = done(TD_VERSION_TLS13, true, "O=Rogue Corp,CN=rogueClientCA", false);
	http_exchange(c, 200, NULL, TD_APP_KNOWN_NONE);
	none(c);
	td_conn_free(c);
}

/* After STARTTLS: the client's command (with its SASL mechanism), then
 * the server's error reply. */
static void stls_exchange(struct td_conn *c, enum td_app_proto proto, const char *command,
			  const char *mech, uint32_t code, const char *reason, const char *text)
{
	c->starttls.proto = proto == TD_APP_LDAP ? TD_STLS_LDAP : TD_STLS_SMTP;
	c->starttls.result = TD_STLS_UPGRADED;
	ev(c, TD_EV_APPDATA, TD_DIR_C2S, 0, 40);
	struct td_app_msg cmd = { .proto = proto, .kind = TD_APP_COMMAND,
				  .command = strdup(command), .mechanism = mech ? strdup(mech) : NULL };
	add_app(c, TD_DIR_C2S, &cmd);
	ev(c, TD_EV_APPDATA, TD_DIR_S2C, 0, 60);
	struct td_app_msg r = { .proto = proto, .kind = TD_APP_REPLY, .code = code,
				.command = proto == TD_APP_LDAP ? strdup("BindResponse") : NULL,
				.reason = reason ? strdup(reason) : NULL,
				.message = text ? strdup(text) : NULL };
	add_app(c, TD_DIR_S2C, &r);
	c->side[TD_DIR_C2S].encrypted_records = 1;
	c->side[TD_DIR_S2C].encrypted_records = 1;
}

/* XMPP after STARTTLS: <auth mechanism='mech'/>, then the server's
 * element (command "failure" or "stream:error") with its condition. */
static void xmpp_exchange(struct td_conn *c, const char *mech, const char *element,
			  const char *cond, const char *text)
{
	c->starttls.proto = TD_STLS_XMPP;
	c->starttls.result = TD_STLS_UPGRADED;
	ev(c, TD_EV_APPDATA, TD_DIR_C2S, 0, 40);
	struct td_app_msg cmd = { .proto = TD_APP_XMPP, .kind = TD_APP_COMMAND,
				  .command = strdup("auth"), .mechanism = strdup(mech) };
	add_app(c, TD_DIR_C2S, &cmd);
	ev(c, TD_EV_APPDATA, TD_DIR_S2C, 0, 60);
	struct td_app_msg r = { .proto = TD_APP_XMPP, .kind = TD_APP_REPLY,
				.command = strdup(element), .severity = strdup(cond),
				.message = text ? strdup(text) : NULL };
	add_app(c, TD_DIR_S2C, &r);
	c->side[TD_DIR_C2S].encrypted_records = 1;
	c->side[TD_DIR_S2C].encrypted_records = 1;
}

static bool evidence_has(const struct td_conn *c, const char *w)
{
	for (size_t i = 0; i < c->diags[0].evidence.n; i++)
		if (strstr(c->diags[0].evidence.v[i], w))
			return true;
	return false;
}

static void test_rule_starttls(void)
{
	/* slapd, ldapsearch -ZZ -Y EXTERNAL without a certificate:
	 * strongerAuthRequired to the EXTERNAL bind. */
	struct td_conn *c = done(TD_VERSION_TLS13, true, NULL, true);
	stls_exchange(c, TD_APP_LDAP, "BindRequest", "EXTERNAL", 8, "strongerAuthRequired", NULL);
	want(c, "CLIENT_CERT_MISSING", TD_CONF_CERTAIN);
	CU_ASSERT_TRUE(evidence_has(c, "SASL EXTERNAL"));
	td_conn_free(c);
	/* An SMTP server's 554 whose text names the certificate. */
	c = done(TD_VERSION_TLS12, true, NULL, true);
	stls_exchange(c, TD_APP_SMTP, "EHLO", NULL, 554, NULL,
		      "5.7.1 Client certificate required");
	want(c, "CLIENT_CERT_MISSING", TD_CONF_CERTAIN);
	CU_ASSERT_TRUE(evidence_has(c, "SMTP 554"));
	td_conn_free(c);
	/* A valid certificate, EXTERNAL refused with invalidCredentials
	 * (no entry maps to its subject): rejected. */
	c = done(TD_VERSION_TLS13, true, "O=LMT Corp,CN=clientCA", false);
	stls_exchange(c, TD_APP_LDAP, "BindRequest", "EXTERNAL", 49, "invalidCredentials",
		      "uid=jane not found");
	want(c, "CLIENT_CERT_REJECTED", TD_CONF_CERTAIN);
	CU_ASSERT_FALSE(evidence_has(c, "jane"));
	td_conn_free(c);
	/* SMTP AUTH EXTERNAL answered 535 with a rogue certificate: untrusted. */
	c = done(TD_VERSION_TLS13, true, "O=Rogue Corp,CN=rogueClientCA", false);
	stls_exchange(c, TD_APP_SMTP, "AUTH", "EXTERNAL", 535, NULL,
		      "5.7.8 Authentication credentials invalid");
	want(c, "CLIENT_CERT_UNTRUSTED", TD_CONF_CERTAIN);
	td_conn_free(c);

	/* Near misses: a refused password says nothing of certificates. */
	c = done(TD_VERSION_TLS13, true, NULL, true);
	stls_exchange(c, TD_APP_SMTP, "AUTH", "PLAIN", 535, NULL,
		      "5.7.8 Authentication credentials invalid");
	none(c);
	td_conn_free(c);
	c = done(TD_VERSION_TLS13, true, NULL, true);
	stls_exchange(c, TD_APP_LDAP, "BindRequest", "simple", 49, "invalidCredentials", NULL);
	none(c);
	td_conn_free(c);
	/* After EXTERNAL, an LDAP error that is no refusal of the bind. */
	c = done(TD_VERSION_TLS13, true, NULL, true);
	stls_exchange(c, TD_APP_LDAP, "BindRequest", "EXTERNAL", 51, "busy", NULL);
	none(c);
	td_conn_free(c);
	/* A 5xx about something else (a mailbox). */
	c = done(TD_VERSION_TLS13, true, NULL, true);
	stls_exchange(c, TD_APP_SMTP, "RCPT", NULL, 550, NULL, "5.1.1 Mailbox unavailable");
	none(c);
	td_conn_free(c);

	/* XMPP: SASL EXTERNAL without a certificate, <failure><not-authorized/>. */
	c = done(TD_VERSION_TLS13, true, NULL, true);
	xmpp_exchange(c, "EXTERNAL", "failure", "not-authorized", NULL);
	want(c, "CLIENT_CERT_MISSING", TD_CONF_CERTAIN);
	CU_ASSERT_TRUE(evidence_has(c, "XMPP not-authorized"));
	CU_ASSERT_TRUE(evidence_has(c, "SASL EXTERNAL"));
	td_conn_free(c);
	/* ...PLAIN refused (prosody, starttls-xmpp-sasl-not-authorized): a
	 * password, not a certificate. */
	c = done(TD_VERSION_TLS13, true, NULL, true);
	xmpp_exchange(c, "PLAIN", "failure", "not-authorized",
		      "Unable to authorize you with the authentication credentials you've sent.");
	none(c);
	td_conn_free(c);
	/* ...a stream error after EXTERNAL says nothing of the certificate
	 * unless its words do. */
	c = done(TD_VERSION_TLS13, true, NULL, true);
	xmpp_exchange(c, "EXTERNAL", "stream:error", "connection-timeout", NULL);
	none(c);
	td_conn_free(c);
	c = done(TD_VERSION_TLS13, true, NULL, true);
	xmpp_exchange(c, "EXTERNAL", "stream:error", "policy-violation",
		      "A client certificate is required");
	want(c, "CLIENT_CERT_MISSING", TD_CONF_CERTAIN);
	td_conn_free(c);
}

void td_suite_app(void)
{
	CU_pSuite s = td_test_suite("app");
	td_test_add(s, "HTTP/1 request line", test_http1_request);
	td_test_add(s, "HTTP/1 status line and title", test_http1_response);
	td_test_add(s, "HTTP/2 frames", test_http2);
	td_test_add(s, "PostgreSQL messages", test_pgsql);
	td_test_add(s, "a connection's recogniser", test_stream);
	td_test_add(s, "--redact of application messages", test_redact);
	td_test_add(s, "CLIENT_CERT_MISSING after the handshake", test_rule_missing);
	td_test_add(s, "...and its near misses", test_rule_missing_near_misses);
	td_test_add(s, "EXPIRED / UNTRUSTED / REJECTED after the handshake", test_rule_cert_refused);
	td_test_add(s, "...and after a STARTTLS upgrade", test_rule_starttls);
}
