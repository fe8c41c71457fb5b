/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tls_input.c - the transport seam of the engine's TLS layer
 * (src/engine/tls_input.h), driven directly: TLS records fed in every
 * cut size with no TCP at all, a gap, conn_update called only when the
 * connection changed, and an FTP control channel leaving TLS (CCC)
 * through the STARTTLS room (stls_in.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "engine.h"
#include "sink.h"
#include "tests.h"
#include "tls_names.h"
#include "tls_vectors.h"
#include "../../src/engine/flow.h"
#include "../../src/engine/tls_input.h"

/* A sink that counts the live updates. */
struct count_sink {
	struct td_sink base;
	size_t updates;
};

static void count_update(struct td_sink *s, const struct td_conn *c)
{
	(void)c;
	((struct count_sink *)s)->updates++;
}

static void count_done(struct td_sink *s, const struct td_conn *c)
{
	(void)s;
	(void)c;
}

static void count_free(struct td_sink *s)
{
	(void)s;
}

struct rig {
	struct count_sink sink;
	struct td_engine *e;
	struct flow *f;
};

static void rig_open(struct rig *g)
{
	memset(g, 0, sizeof *g);
	g->sink.base.conn_update = count_update;
	g->sink.base.conn_done = count_done;
	g->sink.base.free = count_free;
	struct td_config cfg;
	td_config_defaults(&cfg);
	g->e = td_engine_new(&cfg, &g->sink.base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g->e);
	g->f = td_fl_new(g->e, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g->f);
}

static void rig_close(struct rig *g)
{
	td_fl_free(g->f);
	td_engine_free(g->e);
}

/* A record header: type, version 0x0303, length. */
static void add_header(struct tv_stream *st, uint8_t type, size_t len)
{
	uint8_t h[TV_REC_HDR] = { type, 0x03, 0x03, (uint8_t)(len >> 8), (uint8_t)len };
	tv_add(st, h, sizeof h);
}

/* The server's flight, cut differently from its messages: the
 * ServerHello split over two records, the second of which also holds
 * the CertificateRequest and a ServerHelloDone. */
static void server_flight(struct tv_stream *st)
{
	static const uint8_t done[TV_HS_HDR] = { TD_HS_SERVER_HELLO_DONE, 0, 0, 0 };
	const uint8_t *sh = cc_sh_rec + TV_REC_HDR;
	size_t sh_len = sizeof cc_sh_rec - TV_REC_HDR, first = 30;
	const uint8_t *cr = cc_cr_rec + TV_REC_HDR;
	size_t cr_len = sizeof cc_cr_rec - TV_REC_HDR;
	st->n = 0;
	add_header(st, TD_CT_HANDSHAKE, first);
	tv_add(st, sh, first);
	add_header(st, TD_CT_HANDSHAKE, sh_len - first + cr_len + sizeof done);
	tv_add(st, sh + first, sh_len - first);
	tv_add(st, cr, cr_len);
	tv_add(st, done, sizeof done);
}

/* Feed n bytes to a side in pieces of `cut` bytes (0: pieces of varying
 * sizes, 1 to 37 bytes). */
static void feed(struct flow *f, int side, const uint8_t *p, size_t n, size_t cut)
{
	size_t i = 0, k = 0;
	while (i < n) {
		size_t step = cut ? cut : 1 + (k++ * 7) % 37;
		if (step > n - i)
			step = n - i;
		td_tls_in_records(f, side, p + i, step);
		i += step;
	}
}

/* ClientHello from side 0, the server's flight from side 1, then a fatal
 * handshake_failure alert in clear from the client: whatever the cuts,
 * the same messages in the same order, with the roles learnt from the
 * ClientHello (the flow's guess was the other way round). */
static void test_cuts(void)
{
	static const uint8_t alert[] = { TD_CT_ALERT, 0x03, 0x03, 0x00, 0x02, 2, 40 };
	struct tv_stream server;
	server_flight(&server);
	size_t longest = server.n > sizeof hrr_ch_rec ? server.n : sizeof hrr_ch_rec;
	for (size_t cut = 0; cut <= longest; cut++) {
		struct rig g;
		rig_open(&g);
		feed(g.f, 0, hrr_ch_rec, sizeof hrr_ch_rec, cut);
		feed(g.f, 1, server.b, server.n, cut);
		feed(g.f, 0, alert, sizeof alert, cut);
		td_tls_in_end(g.f);
		const struct td_conn *c = g.f->conn;
		CU_ASSERT_TRUE(g.f->a_is_client);
		CU_ASSERT_TRUE(c->tls);
		CU_ASSERT_TRUE(c->ch.present);
		CU_ASSERT_TRUE(td_u16list_has(&c->ch.versions, 0x0304));
		CU_ASSERT_TRUE(c->sh.present);
		CU_ASSERT_EQUAL(c->version, 0x0303);
		CU_ASSERT_EQUAL(c->cipher, 0xc030);
		CU_ASSERT_STRING_EQUAL(c->sh.alpn ? c->sh.alpn : "", "http/1.1");
		CU_ASSERT_TRUE(c->cr.present);
		CU_ASSERT_FALSE(c->malformed);
		CU_ASSERT_EQUAL(c->anomalies.n, 0);
		CU_ASSERT_EQUAL(c->side[TD_DIR_C2S].records, 2);
		CU_ASSERT_EQUAL(c->side[TD_DIR_S2C].records, 2);
		CU_ASSERT_EQUAL(c->side[TD_DIR_C2S].bytes, sizeof hrr_ch_rec + sizeof alert);
		CU_ASSERT_EQUAL(c->side[TD_DIR_S2C].bytes, server.n);
		static const struct {
			enum td_event_kind kind;
			uint8_t hs;
			enum td_dir dir;
		} want[] = {
			{ TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, TD_DIR_C2S },
			{ TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO, TD_DIR_S2C },
			{ TD_EV_HANDSHAKE, TD_HS_CERTIFICATE_REQUEST, TD_DIR_S2C },
			{ TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO_DONE, TD_DIR_S2C },
			{ TD_EV_ALERT, 0, TD_DIR_C2S },
		};
		size_t n = sizeof want / sizeof want[0];
		CU_ASSERT_EQUAL_FATAL(c->n_events, n);
		for (size_t i = 0; i < n; i++) {
			CU_ASSERT_EQUAL(c->events[i].kind, want[i].kind);
			CU_ASSERT_EQUAL(c->events[i].hs_type, want[i].hs);
			CU_ASSERT_EQUAL(c->events[i].dir, want[i].dir);
		}
		CU_ASSERT_EQUAL(c->events[4].alert_level, 2);
		CU_ASSERT_EQUAL(c->events[4].alert_desc, 40);
		CU_ASSERT_FALSE(c->events[4].encrypted);
		rig_close(&g);
	}
}

/* FTP after AUTH TLS, then CCC (RFC 4217 12.3): each side's TLS alert
 * (encrypted: a close_notify), then plain FTP on the same connection, as
 * in the corpus's nDPI/ftp-start-tls.pcap.  One "cleared" step, and the
 * plaintext is counted, never handed to TLS (no non-TLS bytes). */
static void stls_text(struct flow *f, int side, const char *s)
{
	td_fl_stls_bytes(f, side, (const uint8_t *)s, strlen(s));
}

static void ftp_session(struct rig *g, bool alerts)
{
	uint8_t enc_alert[TV_REC_HDR + 26] = { TD_CT_ALERT, 0x03, 0x03, 0x00, 26, 0x5a };
	struct tv_stream server;
	server_flight(&server);
	rig_open(g);
	g->f->a_is_client = true;
	g->f->conn->server_port = 21;
	stls_text(g->f, 1, "220 ready\r\n");
	stls_text(g->f, 0, "AUTH TLS\r\n");
	stls_text(g->f, 1, "234 Proceed with negotiation.\r\n");
	td_fl_stls_bytes(g->f, 0, hrr_ch_rec, sizeof hrr_ch_rec);
	td_fl_stls_bytes(g->f, 1, server.b, server.n);
	if (alerts) {
		td_fl_stls_bytes(g->f, 1, enc_alert, sizeof enc_alert);
		td_fl_stls_bytes(g->f, 0, enc_alert, sizeof enc_alert);
	}
	stls_text(g->f, 0, "PASV\r\n");
	stls_text(g->f, 1, "227 Entering Passive Mode (10,0,0,1,4,1).\r\n");
	stls_text(g->f, 0, "STOR /export/a.xml\r\n");
}

static size_t cleared_steps(const struct td_conn *c, size_t *at)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].kind == TD_EV_STARTTLS &&
		    c->events[i].content_type == TD_STLS_CLEARED) {
			*at = i;
			n++;
		}
	return n;
}

static void test_ftp_ccc(void)
{
	struct rig g;
	ftp_session(&g, true);
	const struct td_conn *c = g.f->conn;
	size_t at = 0;
	CU_ASSERT_TRUE(c->tls);
	CU_ASSERT_EQUAL_FATAL(cleared_steps(c, &at), 1);
	CU_ASSERT_EQUAL(c->events[at].dir, TD_DIR_C2S);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->events[at].detail);
	CU_ASSERT_EQUAL(strncmp(c->events[at].detail, "PASV (", 6), 0);
	CU_ASSERT_PTR_NULL(strstr(c->events[at].detail, "export"));
	CU_ASSERT_EQUAL(g.f->s[0].tls.prefix_len, 0);
	CU_ASSERT_EQUAL(g.f->s[1].tls.prefix_len, 0);
	CU_ASSERT_EQUAL(g.f->stls_clear_bytes[TD_DIR_C2S], strlen("PASV\r\nSTOR /export/a.xml\r\n"));
	CU_ASSERT_EQUAL(g.f->stls_clear_bytes[TD_DIR_S2C],
			strlen("227 Entering Passive Mode (10,0,0,1,4,1).\r\n"));
	rig_close(&g);

	/* Without a TLS close first, plaintext is no CCC: TLS's to judge. */
	ftp_session(&g, false);
	c = g.f->conn;
	CU_ASSERT_EQUAL(cleared_steps(c, &at), 0);
	CU_ASSERT_TRUE(g.f->s[0].tls.prefix_len > 0);
	CU_ASSERT_EQUAL(g.f->stls_clear_bytes[TD_DIR_C2S], 0);
	rig_close(&g);
}

/* Lost bytes in the middle of a record: the partial record is dropped
 * and the next whole record is found again. */
static void test_gap(void)
{
	struct rig g;
	rig_open(&g);
	td_tls_in_records(g.f, 0, hrr_ch_rec, 100);
	td_tls_in_gap(g.f, 0);
	td_tls_in_records(g.f, 0, hrr_ch_rec, sizeof hrr_ch_rec);
	td_tls_in_records(g.f, 1, cc_sh_rec, sizeof cc_sh_rec);
	const struct td_conn *c = g.f->conn;
	CU_ASSERT_TRUE(c->ch.present);
	CU_ASSERT_TRUE(c->sh.present);
	CU_ASSERT_EQUAL_FATAL(c->n_events, 2);
	CU_ASSERT_EQUAL(c->events[0].hs_type, TD_HS_CLIENT_HELLO);
	CU_ASSERT_EQUAL(c->events[1].hs_type, TD_HS_SERVER_HELLO);
	rig_close(&g);
}

/* conn_update runs when the connection changed, not for every delivery:
 * after ENCRYPTED_EVENTS_MAX opaque records a side's next ones add
 * nothing a live view shows. */
static void test_updates(void)
{
	struct rig g;
	rig_open(&g);
	td_tls_in_records(g.f, 0, hrr_ch_rec, sizeof hrr_ch_rec);
	CU_ASSERT_EQUAL(g.sink.updates, 1);
	td_tls_in_records(g.f, 1, cc_sh_rec, sizeof cc_sh_rec);
	CU_ASSERT_EQUAL(g.sink.updates, 2);
	uint8_t data[TV_REC_HDR + 40] = { TD_CT_APPLICATION_DATA, 0x03, 0x03, 0x00, 40 };
	for (size_t i = 0; i < ENCRYPTED_EVENTS_MAX + 4; i++)
		td_tls_in_records(g.f, 1, data, sizeof data);
	CU_ASSERT_EQUAL(g.sink.updates, 2 + ENCRYPTED_EVENTS_MAX);
	CU_ASSERT_EQUAL(g.f->conn->side[TD_DIR_S2C].encrypted_records, ENCRYPTED_EVENTS_MAX + 4);
	td_tls_in_records(g.f, 1, data, 3);  /* half a record: nothing decoded */
	td_tls_in_end(g.f);
	CU_ASSERT_EQUAL(g.sink.updates, 2 + ENCRYPTED_EVENTS_MAX);
	rig_close(&g);
}

void td_suite_tls_input(void)
{
	CU_pSuite s = td_test_suite("tls_input");
	td_test_add(s, "records in every cut size, no TCP", test_cuts);
	td_test_add(s, "a gap inside a record", test_gap);
	td_test_add(s, "conn_update only on a change", test_updates);
	td_test_add(s, "FTP CCC: back to plaintext after TLS", test_ftp_ccc);
}
