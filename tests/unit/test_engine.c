/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_engine.c - the engine end to end on synthetic flows: frames in,
 * connections out through a recording sink.  Real traffic is tested by
 * tests/e2e over captures/; these cover what a lab cannot stage on
 * demand: a stream picked up mid-way, reordered segments, the caps,
 * capture order, idle timeouts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "capture.h"
#include "conn.h"
#include "engine.h"
#include "keylog.h"
#include "frames.h"
#include "sink.h"
#include "tests.h"
#include "tls_names.h"

/* ---- a sink that keeps what it was told -------------------------------- */

#define MAX_SEEN 16

struct seen {
	uint64_t id;
	char sni[64];
	uint16_t version, cipher;
	enum td_outcome outcome;
	uint16_t client_port, server_port;
	size_t n_events;
	enum td_event_kind kinds[32];
	enum td_dir dirs[32];
	uint8_t alert_desc;      /* first plaintext alert, 0 if none */
	enum td_dir alert_dir;
	bool partial;
	char anomalies[512];
};

struct rec_sink {
	struct td_sink base;
	struct seen seen[MAX_SEEN];
	size_t n;
	bool finished;
	struct td_stats stats;
};

static void rec_done(struct td_sink *s, const struct td_conn *c)
{
	struct rec_sink *r = (struct rec_sink *)s;
	if (r->n >= MAX_SEEN)
		return;
	struct seen *x = &r->seen[r->n++];
	memset(x, 0, sizeof *x);
	x->id = c->id;
	if (c->ch.sni)
		snprintf(x->sni, sizeof x->sni, "%s", c->ch.sni);
	x->version = c->version;
	x->cipher = c->cipher;
	x->outcome = c->fate.outcome;
	x->client_port = c->client_port;
	x->server_port = c->server_port;
	x->partial = c->partial;
	x->n_events = c->n_events;
	for (size_t i = 0; i < c->n_events && i < 32; i++) {
		x->kinds[i] = c->events[i].kind;
		x->dirs[i] = c->events[i].dir;
		if (c->events[i].kind == TD_EV_ALERT &&
		    (!c->events[i].encrypted || c->events[i].decrypted) && !x->alert_desc) {
			x->alert_desc = c->events[i].alert_desc;
			x->alert_dir = c->events[i].dir;
		}
	}
	for (size_t i = 0; i < c->anomalies.n; i++) {
		char msg[TD_ANOMALY_TEXT];
		td_anomaly_format(&c->anomalies.v[i], msg, sizeof msg);
		strncat(x->anomalies, msg, sizeof x->anomalies - strlen(x->anomalies) - 2);
		strcat(x->anomalies, ";");
	}
}

static void rec_finish(struct td_sink *s, const struct td_stats *st)
{
	struct rec_sink *r = (struct rec_sink *)s;
	r->finished = true;
	r->stats = *st;
}

static void rec_free(struct td_sink *s)
{
	(void)s;
}

static void rec_init(struct rec_sink *r)
{
	memset(r, 0, sizeof *r);
	r->base.conn_done = rec_done;
	r->base.finish = rec_finish;
	r->base.free = rec_free;
}

/* ---- synthetic TLS ------------------------------------------------------ */

/* A TLS 1.2 ClientHello record with one suite list and an SNI. */
static size_t client_hello(uint8_t *out, const char *sni)
{
	size_t n = strlen(sni);
	uint8_t body[512];
	size_t b = 0;
	body[b++] = 0x03; body[b++] = 0x03;            /* client_version */
	memset(body + b, 0x11, 32); b += 32;            /* random */
	body[b++] = 0;                                  /* session id */
	body[b++] = 0; body[b++] = 4;                   /* suites */
	body[b++] = 0xc0; body[b++] = 0x2f;
	body[b++] = 0x00; body[b++] = 0x9c;
	body[b++] = 1; body[b++] = 0;                   /* compression: null */
	size_t ext_len = 4 + 2 + 3 + n;
	body[b++] = (uint8_t)(ext_len >> 8); body[b++] = (uint8_t)ext_len;
	body[b++] = 0; body[b++] = 0;                   /* server_name */
	body[b++] = (uint8_t)((n + 5) >> 8); body[b++] = (uint8_t)(n + 5);
	body[b++] = (uint8_t)((n + 3) >> 8); body[b++] = (uint8_t)(n + 3);
	body[b++] = 0;                                  /* host_name */
	body[b++] = (uint8_t)(n >> 8); body[b++] = (uint8_t)n;
	memcpy(body + b, sni, n); b += n;

	size_t o = 0;
	out[o++] = 22; out[o++] = 3; out[o++] = 1;
	out[o++] = (uint8_t)((b + 4) >> 8); out[o++] = (uint8_t)(b + 4);
	out[o++] = 1; out[o++] = 0; out[o++] = (uint8_t)(b >> 8); out[o++] = (uint8_t)b;
	memcpy(out + o, body, b);
	return o + b;
}

/* A TLS 1.2 ServerHello (no extensions) + ServerHelloDone in one record. */
static size_t server_hello(uint8_t *out)
{
	size_t o = 0;
	size_t body = 2 + 32 + 1 + 2 + 1;
	size_t hs = 4 + body + 4;
	out[o++] = 22; out[o++] = 3; out[o++] = 3;
	out[o++] = (uint8_t)(hs >> 8); out[o++] = (uint8_t)hs;
	out[o++] = 2; out[o++] = 0; out[o++] = 0; out[o++] = (uint8_t)body;
	out[o++] = 3; out[o++] = 3;
	memset(out + o, 0x22, 32); o += 32;
	out[o++] = 0;
	out[o++] = 0xc0; out[o++] = 0x2f;
	out[o++] = 0;
	out[o++] = 14; out[o++] = 0; out[o++] = 0; out[o++] = 0;  /* ServerHelloDone */
	return o;
}

static const uint8_t alert_unknown_ca[] = { 21, 3, 3, 0, 2, 2, 48 };

struct flowspec {
	const char *cli, *srv;
	uint16_t cport, sport;
	uint32_t cseq, sseq;   /* next sequence numbers */
	uint64_t ts;
};

static void send(struct td_engine *e, struct flowspec *fs, bool from_client, uint8_t flags,
		 const uint8_t *p, size_t n, uint32_t seq_offset)
{
	struct td_frame_spec s;
	if (from_client)
		td_frame_spec_init(&s, TD_LINK_ETHERNET, fs->cli, fs->cport, fs->srv, fs->sport);
	else
		td_frame_spec_init(&s, TD_LINK_ETHERNET, fs->srv, fs->sport, fs->cli, fs->cport);
	s.flags = flags;
	s.seq = (from_client ? fs->cseq : fs->sseq) + seq_offset;
	s.payload = p;
	s.payload_len = n;
	static uint8_t buf[TD_FRAME_MAX];
	size_t len = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_FATAL(len > 0);
	fs->ts += 100;
	td_engine_frame(e, TD_LINK_ETHERNET, fs->ts, buf, len, len);
}

/* Send in order, advancing the sender's sequence number. */
static void say(struct td_engine *e, struct flowspec *fs, bool from_client,
		const uint8_t *p, size_t n)
{
	send(e, fs, from_client, TD_TCP_ACK | TD_TCP_PSH, p, n, 0);
	if (from_client)
		fs->cseq += (uint32_t)n;
	else
		fs->sseq += (uint32_t)n;
}

static void handshake_start(struct td_engine *e, struct flowspec *fs)
{
	send(e, fs, true, TD_TCP_SYN, NULL, 0, 0);
	fs->cseq++;
	send(e, fs, false, TD_TCP_SYN | TD_TCP_ACK, NULL, 0, 0);
	fs->sseq++;
}

static struct td_engine *engine(struct rec_sink *r, size_t max_flows)
{
	struct td_config cfg;
	td_config_defaults(&cfg);
	cfg.max_flows = max_flows;
	rec_init(r);
	struct td_engine *e = td_engine_new(&cfg, &r->base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	return e;
}

/* ---- tests ------------------------------------------------------------- */

static void test_failed_tls12(void)
{
	struct rec_sink r;
	struct td_engine *e = engine(&r, 100);
	struct flowspec fs = { "10.0.0.1", "10.0.0.2", 50000, 8443, 1000, 9000, 1700000000000000u };
	uint8_t ch[600], sh[128];
	size_t chn = client_hello(ch, "tls-server.local"), shn = server_hello(sh);

	handshake_start(e, &fs);
	say(e, &fs, true, ch, chn);
	say(e, &fs, false, sh, shn);
	say(e, &fs, true, alert_unknown_ca, sizeof alert_unknown_ca);
	send(e, &fs, true, TD_TCP_RST, NULL, 0, 0);
	td_engine_finish(e);

	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	struct seen *x = &r.seen[0];
	CU_ASSERT_EQUAL(x->id, 1);
	CU_ASSERT_STRING_EQUAL(x->sni, "tls-server.local");
	CU_ASSERT_EQUAL(x->version, TD_VERSION_TLS12);
	CU_ASSERT_EQUAL(x->cipher, 0xc02f);
	CU_ASSERT_EQUAL(x->outcome, TD_OUTCOME_FAILED);
	CU_ASSERT_EQUAL(x->client_port, 50000);
	CU_ASSERT_EQUAL(x->server_port, 8443);
	CU_ASSERT_EQUAL(x->alert_desc, 48);
	CU_ASSERT_EQUAL(x->alert_dir, TD_DIR_C2S);
	CU_ASSERT_FALSE(x->partial);
	/* SYN, SYN-ACK, ClientHello, ServerHello, ServerHelloDone, alert, RST */
	static const enum td_event_kind want[] = { TD_EV_TCP_SYN, TD_EV_TCP_SYNACK, TD_EV_HANDSHAKE,
		TD_EV_HANDSHAKE, TD_EV_HANDSHAKE, TD_EV_ALERT, TD_EV_TCP_RST };
	static const enum td_dir wantd[] = { TD_DIR_C2S, TD_DIR_S2C, TD_DIR_C2S, TD_DIR_S2C,
		TD_DIR_S2C, TD_DIR_C2S, TD_DIR_C2S };
	CU_ASSERT_EQUAL_FATAL(x->n_events, 7);
	for (size_t i = 0; i < 7; i++) {
		CU_ASSERT_EQUAL(x->kinds[i], want[i]);
		CU_ASSERT_EQUAL(x->dirs[i], wantd[i]);
	}
	CU_ASSERT_TRUE(r.finished);
	CU_ASSERT_EQUAL(r.stats.tls_connections, 1);
	td_engine_free(e);
}

/* The ClientHello in three segments, delivered last-first, plus a
 * retransmission: the same connection comes out. */
static void test_reordered_hello(void)
{
	struct rec_sink r;
	struct td_engine *e = engine(&r, 100);
	struct flowspec fs = { "2001:db8::1", "2001:db8::2", 40000, 443, 5, 70, 1700000000000000u };
	uint8_t ch[600];
	size_t chn = client_hello(ch, "reorder.example");
	handshake_start(e, &fs);
	size_t a = 10, b = 60;
	send(e, &fs, true, TD_TCP_ACK, ch + b, chn - b, (uint32_t)b);
	send(e, &fs, true, TD_TCP_ACK, ch + a, b - a, (uint32_t)a);
	send(e, &fs, true, TD_TCP_ACK, ch + a, b - a, (uint32_t)a);  /* retransmitted */
	send(e, &fs, true, TD_TCP_ACK, ch, a, 0);
	fs.cseq += (uint32_t)chn;
	send(e, &fs, true, TD_TCP_FIN | TD_TCP_ACK, NULL, 0, 0);
	send(e, &fs, false, TD_TCP_FIN | TD_TCP_ACK, NULL, 0, 0);
	td_engine_finish(e);
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	CU_ASSERT_STRING_EQUAL(r.seen[0].sni, "reorder.example");
	CU_ASSERT_EQUAL(r.seen[0].outcome, TD_OUTCOME_FAILED);  /* closed before a ServerHello */
	/* exactly one ClientHello event */
	size_t hellos = 0;
	for (size_t i = 0; i < r.seen[0].n_events; i++)
		hellos += r.seen[0].kinds[i] == TD_EV_HANDSHAKE;
	CU_ASSERT_EQUAL(hellos, 1);
	td_engine_free(e);
}

/* No SYN: the capture starts mid-flow with the server's port the higher
 * one; the ClientHello still makes the right side the client. */
static void test_midstream_roles(void)
{
	struct rec_sink r;
	struct td_engine *e = engine(&r, 100);
	struct flowspec fs = { "192.0.2.9", "192.0.2.10", 443, 50001, 77, 88, 1700000000000000u };
	uint8_t ch[600], sh[128];
	size_t chn = client_hello(ch, "odd.example"), shn = server_hello(sh);
	say(e, &fs, true, ch, chn);
	say(e, &fs, false, sh, shn);
	td_engine_finish(e);
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	struct seen *x = &r.seen[0];
	CU_ASSERT_EQUAL(x->client_port, 443);
	CU_ASSERT_EQUAL(x->server_port, 50001);
	CU_ASSERT_TRUE(x->partial);
	CU_ASSERT_EQUAL(x->outcome, TD_OUTCOME_INCOMPLETE);
	CU_ASSERT_EQUAL(x->dirs[0], TD_DIR_C2S);
	CU_ASSERT_EQUAL(x->dirs[1], TD_DIR_S2C);
	td_engine_free(e);
}

/* A server that answers a ClientHello in plain HTTP: the bytes are kept
 * as evidence; a flow that never speaks TLS is not reported at all. */
static void test_not_tls(void)
{
	struct rec_sink r;
	struct td_engine *e = engine(&r, 100);
	struct flowspec fs = { "10.1.1.1", "10.1.1.2", 40001, 80, 1, 1, 1700000000000000u };
	static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
	uint8_t ch[600];
	handshake_start(e, &fs);
	say(e, &fs, true, ch, client_hello(ch, "web.example"));
	say(e, &fs, false, (const uint8_t *)http, sizeof http - 1);
	send(e, &fs, false, TD_TCP_FIN | TD_TCP_ACK, NULL, 0, 0);
	send(e, &fs, true, TD_TCP_FIN | TD_TCP_ACK, NULL, 0, 0);

	/* to port 81, where no TLS was seen: not a TLS attempt, not reported */
	struct flowspec plain = { "10.1.1.3", "10.1.1.2", 40002, 81, 1, 1, 1700000001000000u };
	static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	handshake_start(e, &plain);
	say(e, &plain, true, (const uint8_t *)get, sizeof get - 1);
	td_engine_finish(e);

	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.seen[0].anomalies, "HTTP/1.1 400 Bad Request"));
	CU_ASSERT_EQUAL(r.seen[0].outcome, TD_OUTCOME_FAILED);
	CU_ASSERT_EQUAL(r.stats.flows, 2);
	CU_ASSERT_EQUAL(r.stats.tls_connections, 1);
	td_engine_free(e);
}

/* Capture order: the second connection closes first, but is reported
 * second; ids follow the first TLS record. */
static void test_capture_order(void)
{
	struct rec_sink r;
	struct td_engine *e = engine(&r, 100);
	struct flowspec one = { "10.2.0.1", "10.2.0.9", 41000, 443, 1, 1, 1700000000000000u };
	struct flowspec two = { "10.2.0.2", "10.2.0.9", 41001, 443, 1, 1, 1700000000000500u };
	uint8_t ch[600];
	size_t chn = client_hello(ch, "first.example");
	handshake_start(e, &one);
	say(e, &one, true, ch, chn);
	chn = client_hello(ch, "second.example");
	two.ts = one.ts + 10;
	handshake_start(e, &two);
	say(e, &two, true, ch, chn);
	send(e, &two, false, TD_TCP_RST, NULL, 0, 0);
	CU_ASSERT_EQUAL(r.n, 0);  /* held back until #1 is done */
	one.ts = two.ts + 10;
	send(e, &one, false, TD_TCP_RST, NULL, 0, 0);
	CU_ASSERT_EQUAL_FATAL(r.n, 2);
	CU_ASSERT_EQUAL(r.seen[0].id, 1);
	CU_ASSERT_STRING_EQUAL(r.seen[0].sni, "first.example");
	CU_ASSERT_EQUAL(r.seen[1].id, 2);
	CU_ASSERT_STRING_EQUAL(r.seen[1].sni, "second.example");
	td_engine_finish(e);
	td_engine_free(e);
}

/* Three flows into a table of two: the least recently used is reported
 * with the reason, and the eviction is counted. */
static void test_flow_cap(void)
{
	struct rec_sink r;
	struct td_engine *e = engine(&r, 2);
	struct flowspec f[3] = {
		{ "10.3.0.1", "10.3.0.9", 42000, 443, 1, 1, 1700000000000000u },
		{ "10.3.0.2", "10.3.0.9", 42001, 443, 1, 1, 1700000000001000u },
		{ "10.3.0.3", "10.3.0.9", 42002, 443, 1, 1, 1700000000002000u },
	};
	uint8_t ch[600];
	size_t chn = client_hello(ch, "cap.example");
	for (int i = 0; i < 3; i++) {
		handshake_start(e, &f[i]);
		say(e, &f[i], true, ch, chn);
	}
	td_engine_finish(e);
	CU_ASSERT_EQUAL_FATAL(r.n, 3);
	CU_ASSERT_EQUAL(r.stats.flows_evicted_full, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.seen[0].anomalies, "--max-flows"));
	CU_ASSERT_PTR_NULL(strstr(r.seen[2].anomalies, "--max-flows"));
	td_engine_free(e);
}

/* A flow silent for longer than the idle timeout is reported when the
 * clock moves on (a later packet of another flow, or a live tick). */
static void test_idle_timeout(void)
{
	struct rec_sink r;
	struct td_engine *e = engine(&r, 100);
	struct flowspec fs = { "10.4.0.1", "10.4.0.9", 43000, 443, 1, 1, 1700000000000000u };
	uint8_t ch[600];
	handshake_start(e, &fs);
	say(e, &fs, true, ch, client_hello(ch, "idle.example"));
	td_engine_frame(e, TD_LINK_ETHERNET, fs.ts + 60u * 1000000u, NULL, 0, 0);
	CU_ASSERT_EQUAL(r.n, 0);
	td_engine_frame(e, TD_LINK_ETHERNET, fs.ts + (TD_DEFAULT_IDLE_TIMEOUT + 1u) * 1000000u, NULL, 0, 0);
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.seen[0].anomalies, "idle"));
	td_engine_finish(e);
	CU_ASSERT_EQUAL(r.stats.flows_idle, 1);
	td_engine_free(e);
}

/* A SYN refused on a port that is not a TLS port is not a TLS attempt
 * when the capture shows TLS elsewhere, unless --port names it; in a
 * capture with no TLS at all it is (the client never got as far). */
static void test_refused_port(void)
{
	for (int named = 0; named < 2; named++) {
		for (int tls_elsewhere = 0; tls_elsewhere < 2; tls_elsewhere++) {
			struct rec_sink r;
			struct td_config cfg;
			td_config_defaults(&cfg);
			if (named)
				cfg.tls_ports[cfg.n_tls_ports++] = 9999;
			rec_init(&r);
			struct td_engine *e = td_engine_new(&cfg, &r.base);
			CU_ASSERT_PTR_NOT_NULL_FATAL(e);
			struct flowspec fs = { "10.5.0.1", "10.5.0.9", 44000, 9999, 1, 1,
					       1700000000000000u };
			send(e, &fs, true, TD_TCP_SYN, NULL, 0, 0);
			send(e, &fs, false, TD_TCP_RST | TD_TCP_ACK, NULL, 0, 0);
			if (tls_elsewhere) {
				/* Later in the capture: a ClientHello on port 443. */
				struct flowspec t = { "10.5.0.2", "10.5.0.9", 44001, 443, 1, 1,
						      1700000001000000u };
				uint8_t ch[600];
				handshake_start(e, &t);
				say(e, &t, true, ch, client_hello(ch, "tls.example"));
			}
			td_engine_finish(e);
			size_t want = (named || !tls_elsewhere ? 1u : 0u) + (tls_elsewhere ? 1u : 0u);
			CU_ASSERT_EQUAL(r.n, want);
			bool found = false;
			for (size_t i = 0; i < r.n; i++) {
				if (r.seen[i].server_port != 9999)
					continue;
				found = true;
				CU_ASSERT_EQUAL(r.seen[i].outcome, TD_OUTCOME_FAILED);
			}
			CU_ASSERT_EQUAL(found, named || !tls_elsewhere);
			td_engine_free(e);
		}
	}
}

/* TCP without TLS (issue 15 point 10): the flows the engine does not
 * report are counted per server port for the summary, each once, as
 * refused, unanswered, plaintext or closed without data, with the
 * earliest first packet; --port still makes a refused one a connection;
 * a refused flow kept while no TLS was seen is counted when TLS shows up. */
static void tcp_without_tls_run(bool named, struct rec_sink *r, struct td_engine **out)
{
	struct td_config cfg;
	td_config_defaults(&cfg);
	if (named)
		cfg.tls_ports[cfg.n_tls_ports++] = 5432;
	rec_init(r);
	struct td_engine *e = td_engine_new(&cfg, &r->base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	const uint64_t t0 = 1700000000000000u;
	/* 1. refused before any TLS (held as a candidate, then dropped) */
	struct flowspec a = { "10.6.0.1", "10.6.0.9", 45000, 5432, 1, 1, t0 };
	send(e, &a, true, TD_TCP_SYN, NULL, 0, 0);
	send(e, &a, false, TD_TCP_RST | TD_TCP_ACK, NULL, 0, 0);
	/* 2. TLS on 443 */
	struct flowspec t = { "10.6.0.1", "10.6.0.9", 45001, 443, 1, 1, t0 + 1000000u };
	uint8_t ch[600];
	handshake_start(e, &t);
	say(e, &t, true, ch, client_hello(ch, "tls.example"));
	send(e, &t, true, TD_TCP_RST, NULL, 0, 0);
	/* 3. refused after it: dropped at once, counted with flow 1 */
	struct flowspec b = { "10.6.0.2", "10.6.0.9", 45002, 5432, 1, 1, t0 + 2000000u };
	send(e, &b, true, TD_TCP_SYN, NULL, 0, 0);
	send(e, &b, false, TD_TCP_RST | TD_TCP_ACK, NULL, 0, 0);
	/* 4. plain HTTP to 80: data, no TLS */
	static const uint8_t get[] = "GET / HTTP/1.0\r\n\r\n";
	struct flowspec c = { "10.6.0.3", "10.6.0.9", 45003, 80, 1, 1, t0 + 3000000u };
	handshake_start(e, &c);
	say(e, &c, true, get, sizeof get - 1);
	send(e, &c, true, TD_TCP_FIN | TD_TCP_ACK, NULL, 0, 0);
	send(e, &c, false, TD_TCP_FIN | TD_TCP_ACK, NULL, 0, 0);
	/* 5. a health check to 80: open, close, no byte */
	struct flowspec d = { "10.6.0.4", "10.6.0.9", 45004, 80, 1, 1, t0 + 4000000u };
	handshake_start(e, &d);
	send(e, &d, true, TD_TCP_FIN | TD_TCP_ACK, NULL, 0, 0);
	send(e, &d, false, TD_TCP_FIN | TD_TCP_ACK, NULL, 0, 0);
	/* 6. a SYN to 9000 nobody answers (still open at the end) */
	struct flowspec u = { "10.6.0.5", "10.6.0.9", 45005, 9000, 1, 1, t0 + 5000000u };
	send(e, &u, true, TD_TCP_SYN, NULL, 0, 0);
	send(e, &u, true, TD_TCP_SYN, NULL, 0, 0);  /* its retransmission */
	td_engine_finish(e);
	*out = e;
}

static void test_tcp_without_tls(void)
{
	const uint64_t t0 = 1700000000000000u;
	struct rec_sink r;
	struct td_engine *e;
	tcp_without_tls_run(false, &r, &e);
	CU_ASSERT_EQUAL(r.n, 1);  /* the TLS connection only */
	CU_ASSERT_EQUAL(r.stats.tcp_without_tls_dropped, 0);
	CU_ASSERT_EQUAL_FATAL(r.stats.n_tcp_without_tls, 3);
	const struct td_tcp_port *p = r.stats.tcp_without_tls;
	CU_ASSERT_EQUAL(p[0].port, 5432);
	CU_ASSERT_EQUAL(p[0].refused, 2);
	CU_ASSERT_EQUAL(p[0].unanswered + p[0].plaintext + p[0].closed, 0);
	CU_ASSERT_EQUAL(p[0].first_us, t0 + 100);
	CU_ASSERT_EQUAL(p[1].port, 80);
	CU_ASSERT_EQUAL(p[1].plaintext, 1);
	CU_ASSERT_EQUAL(p[1].closed, 1);
	CU_ASSERT_EQUAL(p[1].refused + p[1].unanswered, 0);
	CU_ASSERT_EQUAL(p[1].first_us, t0 + 3000000u + 100);
	CU_ASSERT_EQUAL(p[2].port, 9000);
	CU_ASSERT_EQUAL(p[2].unanswered, 1);
	CU_ASSERT_EQUAL(p[2].refused + p[2].plaintext + p[2].closed, 0);
	CU_ASSERT_EQUAL(p[2].first_us, t0 + 5000000u + 100);
	td_engine_free(e);

	/* --port 5432: both refused flows are connections, not counted */
	tcp_without_tls_run(true, &r, &e);
	CU_ASSERT_EQUAL(r.n, 3);
	CU_ASSERT_EQUAL_FATAL(r.stats.n_tcp_without_tls, 2);
	CU_ASSERT_EQUAL(r.stats.tcp_without_tls[0].port, 80);
	CU_ASSERT_EQUAL(r.stats.tcp_without_tls[1].port, 9000);
	td_engine_free(e);

	/* A capture without any such flow has none. */
	e = engine(&r, 100);
	struct flowspec t = { "10.6.0.1", "10.6.0.9", 45001, 443, 1, 1, t0 };
	uint8_t ch[600];
	handshake_start(e, &t);
	say(e, &t, true, ch, client_hello(ch, "tls.example"));
	td_engine_finish(e);
	CU_ASSERT_EQUAL(r.stats.n_tcp_without_tls, 0);
	CU_ASSERT_PTR_NULL(r.stats.tcp_without_tls);
	td_engine_free(e);
}

/* TD_CAP_TCP_PORTS: ports past it are counted together. */
static void test_tcp_without_tls_cap(void)
{
	struct rec_sink r;
	struct td_engine *e = engine(&r, 100);
	struct flowspec t = { "10.7.0.1", "10.7.0.9", 46000, 443, 1, 1, 1700000000000000u };
	uint8_t ch[600];
	handshake_start(e, &t);
	say(e, &t, true, ch, client_hello(ch, "tls.example"));
	send(e, &t, true, TD_TCP_RST, NULL, 0, 0);
	const unsigned extra = 5;
	for (unsigned i = 0; i < TD_CAP_TCP_PORTS + extra; i++) {
		/* two flows to each port: the second adds to the first's entry */
		for (unsigned k = 0; k < 2; k++) {
			struct flowspec f = { "10.7.0.2", "10.7.0.9", (uint16_t)(47000 + 2 * i + k),
					      (uint16_t)(2000 + i), 1, 1,
					      1700000001000000u + i * 1000u + k * 10u };
			send(e, &f, true, TD_TCP_SYN, NULL, 0, 0);
			send(e, &f, false, TD_TCP_RST | TD_TCP_ACK, NULL, 0, 0);
		}
	}
	td_engine_finish(e);
	CU_ASSERT_EQUAL(r.n, 1);
	CU_ASSERT_EQUAL_FATAL(r.stats.n_tcp_without_tls, TD_CAP_TCP_PORTS);
	CU_ASSERT_EQUAL(r.stats.tcp_without_tls_dropped, 2 * extra);
	for (unsigned i = 0; i < TD_CAP_TCP_PORTS; i++) {
		CU_ASSERT_EQUAL(r.stats.tcp_without_tls[i].port, 2000 + i);
		CU_ASSERT_EQUAL(r.stats.tcp_without_tls[i].refused, 2);
	}
	td_engine_free(e);
}

/* ---- a key log that grows while the capture runs (live -k) ------------- */

struct late_keys {
	struct td_keylog *kl;
	const char *text;   /* the key log's content, added at call `at` */
	int calls, at;
};

static void late_refresh(void *ctx)
{
	struct late_keys *lk = ctx;
	++lk->calls;
	if (lk->at < 0) {
		/* As s_client writes them: the server's secrets first, the
		 * client's handshake secret only later (here: from the third
		 * look on, after the server's records went by). */
		if (lk->calls == 2)
			return;
		bool server_lines = lk->calls == 1;
		for (const char *p = lk->text; *p;) {
			const char *end = strchr(p, '\n');
			size_t n = end ? (size_t)(end - p + 1) : strlen(p);
			if ((strncmp(p, "SERVER_", 7) == 0) == server_lines)
				CU_ASSERT_EQUAL(td_keylog_add_text(lk->kl, p, n), TD_OK);
			p += n;
		}
		return;
	}
	if (lk->calls == lk->at)
		CU_ASSERT_EQUAL(td_keylog_add_text(lk->kl, lk->text, strlen(lk->text)), TD_OK);
}

static void feed_frame(void *ctx, enum td_link link, uint64_t ts_us, const uint8_t *data,
		       size_t caplen, size_t wirelen)
{
	td_engine_frame(ctx, link, ts_us, data, caplen, wirelen);
}

/* Run captures/NAME.pcap through an engine whose key log (NAME.keylog)
 * only arrives at the at-th refresh (0: never).  The one connection's
 * summary goes to *out; the refresh count to *calls. */
static void late_run(const char *name, int at, struct seen *out, int *calls)
{
	char pcap[4200], klpath[4200], err[256] = "";
	snprintf(pcap, sizeof pcap, "%s/../../../captures/%s.pcap", td_test_datadir(), name);
	snprintf(klpath, sizeof klpath, "%s/../../../captures/%s.keylog", td_test_datadir(), name);
	FILE *kf = fopen(klpath, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(kf);
	static char text[8192];
	size_t tn = fread(text, 1, sizeof text - 1, kf);
	text[tn] = 0;
	fclose(kf);
	CU_ASSERT_FATAL(tn > 100);

	struct late_keys lk = { td_keylog_new(), text, 0, at };
	CU_ASSERT_PTR_NOT_NULL_FATAL(lk.kl);
	static struct rec_sink r;
	struct td_config cfg;
	td_config_defaults(&cfg);
	cfg.keylog = lk.kl;
	cfg.keylog_refresh = late_refresh;
	cfg.keylog_refresh_ctx = &lk;
	rec_init(&r);
	struct td_engine *e = td_engine_new(&cfg, &r.base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	struct td_capture *cap = NULL;
	CU_ASSERT_EQUAL_FATAL(td_capture_open_file(&cap, pcap, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_capture_run(cap, feed_frame, e, err, sizeof err), TD_OK);
	td_capture_close(cap);
	td_engine_finish(e);
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	*out = r.seen[0];
	*calls = lk.calls;
	td_engine_free(e);
	td_keylog_free(lk.kl);
}

/* Streaming (engine.h: stream): a recorder of early reports and ends. */
struct stream_rec {
	struct td_sink base;
	size_t done, end;
	uint64_t done_id, end_id;
	bool done_early;            /* conn_done's connection said early.reported */
	enum td_outcome done_outcome, end_outcome, end_first;
	size_t done_events, end_events, end_from;
};

static void sr_done(struct td_sink *s, const struct td_conn *c)
{
	struct stream_rec *r = (struct stream_rec *)s;
	r->done++;
	r->done_id = c->id;
	r->done_early = c->early.reported;
	r->done_outcome = c->fate.outcome;
	r->done_events = c->n_events;
}

static void sr_end(struct td_sink *s, const struct td_conn *c)
{
	struct stream_rec *r = (struct stream_rec *)s;
	r->end++;
	r->end_id = c->id;
	r->end_outcome = c->fate.outcome;
	r->end_first = c->early.outcome;
	r->end_events = c->n_events;
	r->end_from = c->early.n_events;
}

static void stream_run(const char *name, bool stream, struct stream_rec *r)
{
	char pcap[4200], err[256] = "";
	snprintf(pcap, sizeof pcap, "%s/../../../captures/%s.pcap", td_test_datadir(), name);
	memset(r, 0, sizeof *r);
	r->base.conn_done = sr_done;
	r->base.conn_end = sr_end;
	r->base.free = rec_free;
	struct td_config cfg;
	td_config_defaults(&cfg);
	cfg.stream = stream;
	cfg.report_grace_us = 0;  /* at the first frame after the handshake */
	struct td_engine *e = td_engine_new(&cfg, &r->base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	struct td_capture *cap = NULL;
	CU_ASSERT_EQUAL_FATAL(td_capture_open_file(&cap, pcap, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_capture_run(cap, feed_frame, e, err, sizeof err), TD_OK);
	td_capture_close(cap);
	td_engine_finish(e);
	td_engine_free(e);
}

/* An established handshake is reported when it succeeded, before its
 * close, and ends once; a failed one (the server's unknown_ca in clear)
 * at its fatal alert.  Not streaming: one report, at the end. */
static void test_stream(void)
{
	static struct stream_rec r;
	stream_run("tls12-mtls-ok", true, &r);
	CU_ASSERT_EQUAL(r.done, 1);
	CU_ASSERT_EQUAL(r.end, 1);
	CU_ASSERT(r.done_early);
	CU_ASSERT_EQUAL(r.done_id, r.end_id);
	CU_ASSERT_EQUAL(r.done_outcome, TD_OUTCOME_ESTABLISHED);
	CU_ASSERT_EQUAL(r.end_first, TD_OUTCOME_ESTABLISHED);
	CU_ASSERT_EQUAL(r.end_outcome, TD_OUTCOME_ESTABLISHED);
	/* The close came after the first report: the end has more. */
	CU_ASSERT_EQUAL(r.end_from, r.done_events);
	CU_ASSERT(r.end_events > r.end_from);

	stream_run("tls12-client-cert-untrusted", true, &r);
	CU_ASSERT_EQUAL(r.done, 1);
	CU_ASSERT_EQUAL(r.end, 1);
	CU_ASSERT_EQUAL(r.done_outcome, TD_OUTCOME_FAILED);
	CU_ASSERT_EQUAL(r.end_outcome, TD_OUTCOME_FAILED);

	stream_run("tls12-mtls-ok", false, &r);
	CU_ASSERT_EQUAL(r.done, 1);
	CU_ASSERT_EQUAL(r.end, 0);
	CU_ASSERT(!r.done_early);
}

/* tls13-client-cert-missing: the server's certificate_required alert is
 * only visible decrypted.  The secrets reach the key log late: at the
 * first look (the ServerHello) or only when the flow ends; either way
 * the held records are replayed, decrypted, in capture order.  And a
 * successful handshake stays established when replayed late. */
static void test_late_keylog(void)
{
	for (int at = 0; at <= 2; at++) {
		struct seen x;
		int calls = 0;
		late_run("tls13-client-cert-missing", at, &x, &calls);
		if (at == 0) {
			/* Never arrives: nothing decrypted, and it says so. */
			CU_ASSERT_EQUAL(x.alert_desc, 0);
			CU_ASSERT_PTR_NOT_NULL(strstr(x.anomalies, "key log: no secret"));
			CU_ASSERT(calls >= 2);
		} else {
			CU_ASSERT_EQUAL(x.alert_desc, 116);   /* certificate_required */
			CU_ASSERT_EQUAL(x.alert_dir, TD_DIR_S2C);
			CU_ASSERT_EQUAL(x.outcome, TD_OUTCOME_FAILED);
			CU_ASSERT_PTR_NULL(strstr(x.anomalies, "key log"));
			/* Replayed in capture order: the timeline's last events are
			 * the decrypted alert, then the two FINs. */
			CU_ASSERT_FATAL(x.n_events >= 3 && x.n_events <= 32);
			CU_ASSERT_EQUAL(x.kinds[x.n_events - 3], TD_EV_ALERT);
			CU_ASSERT_EQUAL(x.kinds[x.n_events - 2], TD_EV_TCP_FIN);
			CU_ASSERT_EQUAL(x.kinds[x.n_events - 1], TD_EV_TCP_FIN);
		}
	}
	/* at -1: the client's records wait for their secret while the
	 * server's are decrypted at once; the handshake must still count as
	 * established (records count in capture order, not replay order). */
	for (int at = -1; at <= 2; at++) {
		if (at == 0)
			continue;
		struct seen x;
		int calls = 0;
		late_run("tls13-mtls-ok", at, &x, &calls);
		CU_ASSERT_EQUAL(x.outcome, TD_OUTCOME_ESTABLISHED);
		CU_ASSERT_PTR_NULL(strstr(x.anomalies, "key log"));
	}
}

void td_suite_engine(void)
{
	CU_pSuite s = td_test_suite("engine");
	td_test_add(s, "TLS 1.2 rejected by the client", test_failed_tls12);
	td_test_add(s, "reordered and retransmitted ClientHello", test_reordered_hello);
	td_test_add(s, "mid-stream pickup learns roles", test_midstream_roles);
	td_test_add(s, "plain HTTP answer and non-TLS flows", test_not_tls);
	td_test_add(s, "connections in capture order", test_capture_order);
	td_test_add(s, "flow table cap", test_flow_cap);
	td_test_add(s, "idle timeout", test_idle_timeout);
	td_test_add(s, "refused SYN: a TLS attempt only on a TLS port", test_refused_port);
	td_test_add(s, "key log that arrives late (live)", test_late_keylog);
	td_test_add(s, "streaming: reported when the outcome is known, then its end", test_stream);
	td_test_add(s, "TCP without TLS: counted per port", test_tcp_without_tls);
	td_test_add(s, "TCP without TLS: the port cap", test_tcp_without_tls_cap);
}
