/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_hello16.c - issue 16 over TCP: a large ClientHello that the path
 * swallows (CLIENTHELLO_BLACKHOLE, src/engine/flight.c and
 * src/diagnose/rules_hello.c), the HelloRetryRequest explained
 * (HELLO_RETRY), and the key log's ECH lines (src/tls/keylog.c).
 * Connections are hand-built: segments through the engine, or the
 * model's facts set directly.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "engine.h"
#include "frames.h"
#include "keylog.h"
#include "sink.h"
#include "tests.h"
#include "tls_names.h"

/* ---- a sink that keeps the facts and diagnoses of each connection ---- */

#define KEPT 4

struct kept {
	struct td_tcp_flight flight;
	char ja4[37];
	char codes[256];        /* "CODE,CODE," */
	char evidence[1024];    /* the root diagnosis's, joined by "|" */
	enum td_party gave_up;
	enum td_confidence confidence;
};

struct keep_sink {
	struct td_sink base;
	struct kept k[KEPT];
	size_t n;
};

static void keep_done(struct td_sink *s, const struct td_conn *c)
{
	struct keep_sink *r = (struct keep_sink *)s;
	if (r->n >= KEPT)
		return;
	struct kept *k = &r->k[r->n++];
	memset(k, 0, sizeof *k);
	k->flight = c->flight;
	memcpy(k->ja4, c->ch.ja4, sizeof k->ja4);
	for (size_t i = 0; i < c->n_diags; i++) {
		strncat(k->codes, c->diags[i].code, sizeof k->codes - strlen(k->codes) - 2);
		strcat(k->codes, ",");
	}
	if (c->n_diags > 0) {
		const struct td_diagnosis *g = &c->diags[0];
		k->gave_up = g->gave_up;
		k->confidence = g->confidence;
		for (size_t i = 0; i < g->evidence.n; i++) {
			strncat(k->evidence, g->evidence.v[i], sizeof k->evidence - strlen(k->evidence) - 2);
			strcat(k->evidence, "|");
		}
	}
}

static void keep_free(struct td_sink *s)
{
	(void)s;
}

/* ---- hand-built segments -------------------------------------------------- */

struct flowspec {
	uint32_t cseq, sseq;   /* next sequence numbers */
	uint64_t ts;
};

static void seg(struct td_engine *e, struct flowspec *fs, bool from_client, uint8_t flags,
		uint32_t seq, uint32_t ack, const uint8_t *p, size_t n)
{
	struct td_frame_spec s;
	if (from_client)
		td_frame_spec_init(&s, TD_LINK_ETHERNET, "198.51.100.7", 51000, "203.0.113.9", 443);
	else
		td_frame_spec_init(&s, TD_LINK_ETHERNET, "203.0.113.9", 443, "198.51.100.7", 51000);
	s.flags = flags;
	s.seq = seq;
	s.ack = ack;
	s.payload = p;
	s.payload_len = n;
	static uint8_t buf[TD_FRAME_MAX];
	size_t len = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_FATAL(len > 0);
	fs->ts += 200000;  /* 200 ms: a retransmission timer's pace */
	td_engine_frame(e, TD_LINK_ETHERNET, fs->ts, buf, len, len);
}

/* A TLS 1.3 ClientHello record offering X25519MLKEM768, whose key share
 * (1,216 bytes of ML-KEM-768 key + 32 of X25519) makes it ~1,300 bytes. */
static size_t big_client_hello(uint8_t *out)
{
	enum { SHARE = 1216 + 32 };
	static uint8_t body[2048];
	size_t b = 0;
	body[b++] = 0x03; body[b++] = 0x03;
	memset(body + b, 0x5a, 32); b += 32;
	body[b++] = 0;
	body[b++] = 0; body[b++] = 2; body[b++] = 0x13; body[b++] = 0x01;
	body[b++] = 1; body[b++] = 0;
	size_t ext_at = b;
	b += 2;
	static const uint8_t sni[] = { 0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b,
		'b', 'i', 'g', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e' };
	memcpy(body + b, sni, sizeof sni); b += sizeof sni;
	static const uint8_t sv[] = { 0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04 };
	memcpy(body + b, sv, sizeof sv); b += sizeof sv;
	body[b++] = 0x00; body[b++] = 0x33;                       /* key_share */
	body[b++] = (uint8_t)((SHARE + 6) >> 8); body[b++] = (uint8_t)(SHARE + 6);
	body[b++] = (uint8_t)((SHARE + 4) >> 8); body[b++] = (uint8_t)(SHARE + 4);
	body[b++] = 0x11; body[b++] = 0xec;
	body[b++] = (uint8_t)(SHARE >> 8); body[b++] = (uint8_t)SHARE;
	memset(body + b, 0x42, SHARE); b += SHARE;
	size_t ext_len = b - ext_at - 2;
	body[ext_at] = (uint8_t)(ext_len >> 8);
	body[ext_at + 1] = (uint8_t)ext_len;

	size_t o = 0;
	out[o++] = 22; out[o++] = 3; out[o++] = 1;
	out[o++] = (uint8_t)((b + 4) >> 8); out[o++] = (uint8_t)(b + 4);
	out[o++] = 1; out[o++] = 0; out[o++] = (uint8_t)(b >> 8); out[o++] = (uint8_t)b;
	memcpy(out + o, body, b);
	return o + b;
}

enum { MSS = 1000 };

/* SYN, SYN-ACK, ACK, then the ClientHello in MSS-sized segments; the
 * server acknowledges `acked` bytes of it.  Then `again` copies of the
 * hello's unacknowledged part, and the close (flags, client's side). */
static void run(struct keep_sink *r, size_t acked, int again, bool server_rst)
{
	struct td_diag_opts o = { .no_system_store = true };
	struct td_diagnoser *d = NULL;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&d, &o, err, sizeof err), TD_OK);
	struct td_config cfg;
	td_config_defaults(&cfg);
	cfg.diagnoser = d;
	memset(r, 0, sizeof *r);
	r->base.conn_done = keep_done;
	r->base.free = keep_free;
	struct td_engine *e = td_engine_new(&cfg, &r->base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);

	static uint8_t ch[2100];
	size_t n = big_client_hello(ch);
	CU_ASSERT_FATAL(n > MSS && n < 2 * MSS);
	struct flowspec fs = { 7000, 90000, 1700000000000000u };
	seg(e, &fs, true, TD_TCP_SYN, fs.cseq, 0, NULL, 0);
	seg(e, &fs, false, TD_TCP_SYN | TD_TCP_ACK, fs.sseq, fs.cseq + 1, NULL, 0);
	fs.cseq++;
	fs.sseq++;
	seg(e, &fs, true, TD_TCP_ACK, fs.cseq, fs.sseq, NULL, 0);
	for (size_t off = 0; off < n; off += MSS)
		seg(e, &fs, true, TD_TCP_ACK | TD_TCP_PSH, fs.cseq + (uint32_t)off, fs.sseq, ch + off,
		    n - off < MSS ? n - off : MSS);
	seg(e, &fs, false, TD_TCP_ACK, fs.sseq, fs.cseq + (uint32_t)acked, NULL, 0);
	for (int i = 0; i < again; i++)
		seg(e, &fs, true, TD_TCP_ACK | TD_TCP_PSH, fs.cseq + (uint32_t)acked, fs.sseq,
		    ch + acked, n - acked < MSS ? n - acked : MSS);
	if (server_rst)
		seg(e, &fs, false, TD_TCP_RST | TD_TCP_ACK, fs.sseq, fs.cseq + (uint32_t)acked, NULL, 0);
	else
		seg(e, &fs, true, TD_TCP_RST | TD_TCP_ACK, fs.cseq + (uint32_t)n, fs.sseq, NULL, 0);
	td_engine_finish(e);
	td_engine_free(e);
	td_diagnoser_free(d);
}

/* The first segment arrives and is acknowledged, the second never is: the
 * client sends it three more times, then gives up with a RST. */
static void test_blackhole_engine(void)
{
	struct keep_sink r;
	run(&r, MSS, 3, false);
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	struct kept *k = &r.k[0];
	CU_ASSERT_TRUE(k->flight.seen);
	CU_ASSERT_FALSE(k->flight.answered);
	CU_ASSERT_EQUAL(k->flight.segments, 2);
	CU_ASSERT_EQUAL(k->flight.retransmits, 3);
	CU_ASSERT_EQUAL(k->flight.largest, MSS);
	CU_ASSERT_EQUAL(k->flight.acked, MSS);
	CU_ASSERT_TRUE(k->flight.sent > MSS);
	CU_ASSERT_EQUAL(strncmp(k->codes, "CLIENTHELLO_BLACKHOLE,", 22), 0);
	CU_ASSERT_EQUAL(k->gave_up, TD_PARTY_CLIENT);
	CU_ASSERT_EQUAL(k->confidence, TD_CONF_INFERRED);
	CU_ASSERT_PTR_NOT_NULL(strstr(k->evidence, "acknowledged only the first 1000 of"));
	CU_ASSERT_PTR_NOT_NULL(strstr(k->evidence, "again 3 times"));
	CU_ASSERT_PTR_NOT_NULL(strstr(k->evidence, "X25519MLKEM768"));
	CU_ASSERT_EQUAL(strncmp(k->ja4, "t13d0103", 8), 0);
	if (strncmp(k->codes, "CLIENTHELLO_BLACKHOLE,", 22) != 0)
		fprintf(stderr, "\ncodes: %s\n", k->codes);
}

/* Nothing acknowledged and a RST from the server's side (a middlebox
 * resetting large hellos): the same diagnosis, the server gave up. */
static void test_blackhole_rst(void)
{
	struct keep_sink r;
	run(&r, 0, 0, true);
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	struct kept *k = &r.k[0];
	CU_ASSERT_EQUAL(k->flight.acked, 0);
	CU_ASSERT_EQUAL(k->flight.retransmits, 0);
	CU_ASSERT_EQUAL(strncmp(k->codes, "CLIENTHELLO_BLACKHOLE,", 22), 0);
	CU_ASSERT_EQUAL(k->gave_up, TD_PARTY_SERVER);
	CU_ASSERT_PTR_NOT_NULL(strstr(k->evidence, "acknowledged none"));
	CU_ASSERT_PTR_NOT_NULL(strstr(k->evidence, "a RST from the server side"));
}

/* The whole hello acknowledged, then silence: the server's fault, not
 * the path's (SERVER_SILENT). */
static void test_acked_is_silent(void)
{
	struct keep_sink r;
	static uint8_t ch[2100];
	size_t n = big_client_hello(ch);
	run(&r, n, 0, false);
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	CU_ASSERT_EQUAL(r.k[0].flight.acked, n);
	CU_ASSERT_PTR_NULL(strstr(r.k[0].codes, "CLIENTHELLO_BLACKHOLE"));
	CU_ASSERT_EQUAL(strncmp(r.k[0].codes, "SERVER_SILENT,", 14), 0);
}

/* The model alone (the rule's conditions): one segment, or no sign of a
 * loss (no retransmission, no RST), is no black hole. */
static void test_blackhole_model(void)
{
	struct td_diag_opts o = { .no_system_store = true };
	struct td_diagnoser *d = NULL;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&d, &o, err, sizeof err), TD_OK);
	static const struct {
		uint32_t segments, retransmits, acked;
		bool rst;
		bool want;
	} cases[] = {
		{ 2, 2, 1448, false, true },
		{ 3, 0, 0, true, true },
		{ 1, 4, 0, false, false },     /* one segment: not a large hello */
		{ 2, 0, 1448, false, false },  /* no sign of a loss yet */
		{ 2, 1, 1800, false, false },  /* all acknowledged */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct td_conn *c = td_conn_new(1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		c->tls = true;
		c->ch.present = true;
		c->start_us = 1700000000000000u;
		td_test_event(c, 0, TD_DIR_C2S, TD_EV_TCP_SYN, 0, 0, NULL);
		td_test_event(c, 1000, TD_DIR_S2C, TD_EV_TCP_SYNACK, 0, 0, NULL);
		td_test_event(c, 2000, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 1791, NULL);
		if (cases[i].rst) {
			td_test_event(c, 3000000, TD_DIR_S2C, TD_EV_TCP_RST, 0, 0, NULL);
			c->side[TD_DIR_S2C].rst = true;
		}
		c->flight = (struct td_tcp_flight){ .seen = true, .segments = cases[i].segments,
			.retransmits = cases[i].retransmits, .largest = 1448, .sent = 1800,
			.acked = cases[i].acked };
		CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
		bool found = false;
		for (size_t j = 0; j < c->n_diags; j++)
			found = found || strcmp(c->diags[j].code, "CLIENTHELLO_BLACKHOLE") == 0;
		CU_ASSERT_EQUAL(found, cases[i].want);
		if (cases[i].want) {
			CU_ASSERT_STRING_EQUAL(c->diags[0].code, "CLIENTHELLO_BLACKHOLE");
			CU_ASSERT_EQUAL(c->diags[0].severity, TD_SEV_ERROR);
			CU_ASSERT_EQUAL(c->diags[0].stage, TD_STAGE_CLIENT_HELLO);
			CU_ASSERT_PTR_NOT_NULL(c->diags[0].fix);
			CU_ASSERT_TRUE(c->diags[0].n_events >= 1);
		}
		td_conn_free(c);
	}
	td_diagnoser_free(d);
}

/* HELLO_RETRY names the client's key shares and the server's group. */
static void test_hrr_explained(void)
{
	struct td_diag_opts o = { .no_system_store = true };
	struct td_diagnoser *d = NULL;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&d, &o, err, sizeof err), TD_OK);
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->tls = true;
	c->ch.present = true;
	static const uint16_t shares[] = { 0x2a2a, 0x11ec, 0x001d };
	for (size_t i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(td_u16list_add(&c->ch.key_share_groups, shares[i]), TD_OK);
	static const uint16_t groups[] = { 0x2a2a, 0x11ec, 0x001d, 0x0017 };
	for (size_t i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(td_u16list_add(&c->ch.groups, groups[i]), TD_OK);
	c->sh.present = c->sh.hrr = true;
	c->sh.key_share_group = 0x0017;
	td_test_event(c, 0, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 1800, NULL);
	td_test_event(c, 1000, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO, 88, NULL);
	td_test_event(c, 2000, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 600, NULL);
	td_test_event(c, 3000, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO, 122, NULL);
	CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
	const struct td_diagnosis *g = NULL;
	for (size_t j = 0; j < c->n_diags; j++)
		if (strcmp(c->diags[j].code, "HELLO_RETRY") == 0)
			g = &c->diags[j];
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	if (!g)
		return;
	CU_ASSERT_EQUAL_FATAL(g->evidence.n, 1);
	CU_ASSERT_STRING_EQUAL(g->evidence.v[0], "the client sent key shares for X25519MLKEM768 and "
			       "x25519, the server wanted secp256r1: one extra round trip");
	CU_ASSERT_EQUAL(g->n_events, 1);
	CU_ASSERT_EQUAL(g->events[0], 1);  /* the HelloRetryRequest, not the ServerHello */
	td_conn_free(c);
	td_diagnoser_free(d);
}

/* ECH_SECRET and ECH_CONFIG (draft-ietf-tls-keylogfile) are valid lines
 * tlsdiag does not use: ignored, never bad, even an ECH_CONFIG longer
 * than the line cap; other long lines stay bad. */
static void test_keylog_ech(void)
{
	struct td_keylog *k = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	static const char rnd[] = "999ec551798c7dbef987202c17fc9532bea256d203ee9c33289f7a289bfc7083";
	static const char sec[] = "531567bc2e4027c11b1f8d1cdbe5659298634dbe8839c1f6fdffd358705fa4e5";
	size_t cfg_hex = 2 * 1300;  /* an ECHConfig with an ML-KEM key */
	size_t cap = 3 * cfg_hex + 1024;
	char *text = malloc(cap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	int w = snprintf(text, cap, "ECH_SECRET %s %s\nECH_CONFIG %s ", rnd, sec, rnd);
	CU_ASSERT_FATAL(w > 0);
	size_t o = (size_t)w;
	for (size_t i = 0; i < cfg_hex; i++)
		text[o++] = "0123456789abcdef"[i % 16];
	o += (size_t)snprintf(text + o, cap - o, "\nCLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s\n"
			      "ECH_CONFIG %s 0045fe0d0041\n", rnd, sec, rnd);
	CU_ASSERT_EQUAL(td_keylog_add_text(k, text, o), TD_OK);
	size_t first = 0;
	CU_ASSERT_EQUAL(td_keylog_bad_lines(k, &first), 0);
	CU_ASSERT_EQUAL(td_keylog_ignored(k), 3);
	CU_ASSERT_EQUAL(td_keylog_count(k), 1);
	td_keylog_free(k);

	/* The same, fed in small pieces (a live key log growing). */
	k = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	for (size_t i = 0; i < o; i += 7)
		CU_ASSERT_EQUAL(td_keylog_feed(k, text + i, o - i < 7 ? o - i : 7), TD_OK);
	CU_ASSERT_EQUAL(td_keylog_add_text(k, "", 0), TD_OK);
	CU_ASSERT_EQUAL(td_keylog_bad_lines(k, &first), 0);
	CU_ASSERT_EQUAL(td_keylog_ignored(k), 3);
	td_keylog_free(k);

	/* A long line with another label is still bad. */
	k = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	o = (size_t)snprintf(text, cap, "ECH_CONFIGS %s ", rnd);
	memset(text + o, 'a', cfg_hex);
	o += cfg_hex;
	text[o++] = '\n';
	CU_ASSERT_EQUAL(td_keylog_add_text(k, text, o), TD_OK);
	CU_ASSERT_EQUAL(td_keylog_bad_lines(k, &first), 1);
	td_keylog_free(k);
	free(text);
}

void td_suite_hello16(void)
{
	CU_pSuite s = td_test_suite("hello16");
	td_test_add(s, "CLIENTHELLO_BLACKHOLE: later segment never acknowledged", test_blackhole_engine);
	td_test_add(s, "CLIENTHELLO_BLACKHOLE: answered by a RST", test_blackhole_rst);
	td_test_add(s, "a hello acknowledged then silence: SERVER_SILENT", test_acked_is_silent);
	td_test_add(s, "CLIENTHELLO_BLACKHOLE: the rule's conditions", test_blackhole_model);
	td_test_add(s, "HELLO_RETRY: key shares against the group wanted", test_hrr_explained);
	td_test_add(s, "key log: ECH_SECRET and ECH_CONFIG accepted", test_keylog_ech);
}
