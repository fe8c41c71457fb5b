/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tui.c - the TUI's logic without a terminal (src/tui/tui_int.h):
 * the state a connection is in as its events arrive, the ring of rows
 * and its id hash, the caps, the filters and the view, the list's
 * columns at several widths, the ladder laid out into lines at several
 * widths (lanes aligned, arrows pointing the right way, the failing step
 * marked), the details document, the keys; then the capture's
 * non-blocking interface and the engine feeding the model over a real
 * failure capture; and the privilege drop (in a child process).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "../../src/tui/tui_int.h"
#include "capture.h"
#include "diagnose.h"
#include "engine.h"
#include "infer.h"
#include "tests.h"
#include "tls_names.h"
#include "x509.h"

/* 2026-11-27T05:18:09.362934Z, the lab captures' day. */
#define T0 (1795756689ull * 1000000u + 362934u)

enum { UNKNOWN_CA = 48, CLOSE_NOTIFY = 0 };

static struct td_conn *mk_conn(uint64_t id, const char *sni)
{
	struct td_conn *c = td_conn_new(id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->client_addr.family = 4;
	memcpy(c->client_addr.b, "\x7f\x00\x00\x01", 4);
	c->server_addr = c->client_addr;
	c->client_port = 44634;
	c->server_port = 8443;
	c->start_us = T0;
	c->last_us = T0 + 21154;
	c->tls = true;
	if (sni) {
		c->ch.present = true;
		c->ch.sni = strdup(sni);
	}
	return c;
}

static struct td_event *add_ev(struct td_conn *c, enum td_dir dir, enum td_event_kind k,
			       uint8_t hs, uint64_t dt)
{
	struct td_event e = { .ts_us = T0 + dt, .dir = dir, .kind = k, .hs_type = hs,
			      .length = 100, .content_type = TD_CT_HANDSHAKE };
	struct td_event *out = NULL;
	CU_ASSERT_EQUAL_FATAL(td_conn_add_event(c, &e, &out), TD_OK);
	return out;
}

static void add_diag(struct td_conn *c, const char *code, enum td_severity sev,
		     const char *fix, size_t ev)
{
	struct td_diagnosis d;
	memset(&d, 0, sizeof d);
	d.code = code;
	d.severity = sev;
	d.stage = TD_STAGE_CLIENT_CERTIFICATE;
	d.gave_up = sev == TD_SEV_ERROR ? TD_PARTY_SERVER : TD_PARTY_NOBODY;
	d.summary = strdup("The server rejected the client's certificate (unknown_ca).");
	d.fix = fix ? strdup(fix) : NULL;
	CU_ASSERT_EQUAL(td_strlist_add(&d.evidence, "the client sent 'CN=rogue-client'"), TD_OK);
	d.events[0] = ev;
	d.n_events = 1;
	CU_ASSERT_EQUAL_FATAL(td_conn_add_diagnosis(c, &d), TD_OK);
}

/* The TLS 1.2 client-certificate failure of the lab, event by event;
 * states[i] is the state after event i while it runs. */
static const enum td_tui_state tls12_states[] = {
	TD_TUI_ST_TCP, TD_TUI_ST_TCP, TD_TUI_ST_HELLO, TD_TUI_ST_SERVER_FLIGHT,
	TD_TUI_ST_SERVER_FLIGHT, TD_TUI_ST_SERVER_FLIGHT, TD_TUI_ST_SERVER_FLIGHT,
	TD_TUI_ST_SERVER_FLIGHT, TD_TUI_ST_CLIENT_FLIGHT, TD_TUI_ST_CLIENT_FLIGHT,
	TD_TUI_ST_CLIENT_FLIGHT, TD_TUI_ST_CLIENT_FLIGHT, TD_TUI_ST_CLIENT_FLIGHT,
	TD_TUI_ST_ALERT, TD_TUI_ST_ALERT, TD_TUI_ST_ALERT,
};

static struct td_conn *tls12_failure(bool check_states)
{
	struct td_conn *c = mk_conn(1, "tls-server.local");
	const struct { enum td_dir d; enum td_event_kind k; uint8_t hs; uint64_t t; } ev[] = {
		{ TD_DIR_C2S, TD_EV_TCP_SYN, 0, 0 }, { TD_DIR_S2C, TD_EV_TCP_SYNACK, 0, 14 },
		{ TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 3575 },
		{ TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO, 3794 },
		{ TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_CERTIFICATE, 11299 },
		{ TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_KEY_EXCHANGE, 11299 },
		{ TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_CERTIFICATE_REQUEST, 11299 },
		{ TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO_DONE, 11299 },
		{ TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CERTIFICATE, 20288 },
		{ TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_KEY_EXCHANGE, 20288 },
		{ TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CERTIFICATE_VERIFY, 20288 },
		{ TD_DIR_C2S, TD_EV_CCS, 0, 20288 },
		{ TD_DIR_C2S, TD_EV_ENCRYPTED, 0, 20288 },
		{ TD_DIR_S2C, TD_EV_ALERT, 0, 20858 },
		{ TD_DIR_S2C, TD_EV_TCP_FIN, 0, 20933 }, { TD_DIR_C2S, TD_EV_TCP_FIN, 0, 21154 },
	};
	for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
		struct td_event *e = add_ev(c, ev[i].d, ev[i].k, ev[i].hs, ev[i].t);
		if (ev[i].k == TD_EV_ENCRYPTED) {
			e->encrypted = true;
			e->inferred = td_inf_finished;
		}
		if (ev[i].k == TD_EV_ALERT) {
			e->alert_level = 2;
			e->alert_desc = UNKNOWN_CA;
			e->length = 2;
		}
		if (ev[i].k == TD_EV_HANDSHAKE && ev[i].hs == TD_HS_SERVER_HELLO)
			c->version = TD_VERSION_TLS12;
		if (check_states)
			CU_ASSERT_EQUAL(td_tui_state_of(c, false), tls12_states[i]);
	}
	return c;
}

/* ...and as the engine hands it over at the end. */
static struct td_conn *tls12_failure_done(void)
{
	struct td_conn *c = tls12_failure(false);
	c->cipher = 0xc02f;
	c->cr.present = true;
	CU_ASSERT_EQUAL(td_strlist_add(&c->cr.ca_names, "O=LMT Corp,CN=clientCA"), TD_OK);
	add_diag(c, "CLIENT_CERT_UNTRUSTED", TD_SEV_ERROR,
		 "Use a client certificate issued by 'O=LMT Corp,CN=clientCA'; this one is "
		 "issued by 'O=Rogue Corp,CN=rogueClientCA'.", 13);
	add_diag(c, "CLIENT_CERT_NOT_ACCEPTABLE", TD_SEV_WARNING, NULL, 8);
	td_test_fate(c, TD_OUTCOME_FAILED);
	return c;
}

/* ---- state and class ------------------------------------------------------ */

static void test_state_tls12_failure(void)
{
	struct td_conn *c = tls12_failure(true);
	td_fate_judge(c, false);  /* as the engine does for a live update */
	CU_ASSERT_EQUAL(td_tui_class_of(c, td_tui_state_of(c, false), false), TD_TUI_FAIL);
	td_fate_judge(c, true);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_FAILED);
	CU_ASSERT_EQUAL(td_tui_state_of(c, true), TD_TUI_ST_FAILED);
	CU_ASSERT_EQUAL(td_tui_class_of(c, TD_TUI_ST_FAILED, true), TD_TUI_FAIL);
	CU_ASSERT_STRING_EQUAL(td_tui_state_name(TD_TUI_ST_FAILED, false), "failed");
	CU_ASSERT_EQUAL(td_tui_class_symbol(TD_TUI_FAIL), 'X');
	td_conn_free(c);
}

static void test_state_tls13_established(void)
{
	struct td_conn *c = mk_conn(2, "a.example");
	const enum td_tui_state want[] = {
		TD_TUI_ST_TCP, TD_TUI_ST_TCP, TD_TUI_ST_HELLO, TD_TUI_ST_SERVER_FLIGHT,
		TD_TUI_ST_SERVER_FLIGHT, TD_TUI_ST_SERVER_FLIGHT, TD_TUI_ST_CLIENT_FLIGHT,
		TD_TUI_ST_CLIENT_FLIGHT, TD_TUI_ST_CLIENT_FLIGHT, TD_TUI_ST_ESTABLISHED,
		TD_TUI_ST_ESTABLISHED,
	};
	add_ev(c, TD_DIR_C2S, TD_EV_TCP_SYN, 0, 0);
	CU_ASSERT_EQUAL(td_tui_state_of(c, false), want[0]);
	add_ev(c, TD_DIR_S2C, TD_EV_TCP_SYNACK, 0, 1);
	CU_ASSERT_EQUAL(td_tui_state_of(c, false), want[1]);
	add_ev(c, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 2);
	CU_ASSERT_EQUAL(td_tui_state_of(c, false), want[2]);
	add_ev(c, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO, 3);
	CU_ASSERT_EQUAL(td_tui_state_of(c, false), want[3]);
	add_ev(c, TD_DIR_S2C, TD_EV_CCS, 0, 3);
	CU_ASSERT_EQUAL(td_tui_state_of(c, false), want[4]);
	add_ev(c, TD_DIR_S2C, TD_EV_ENCRYPTED, 0, 3)->encrypted = true;
	CU_ASSERT_EQUAL(td_tui_state_of(c, false), want[5]);
	add_ev(c, TD_DIR_C2S, TD_EV_CCS, 0, 4);
	CU_ASSERT_EQUAL(td_tui_state_of(c, false), want[6]);
	add_ev(c, TD_DIR_C2S, TD_EV_ENCRYPTED, 0, 4)->encrypted = true;
	CU_ASSERT_EQUAL(td_tui_state_of(c, false), want[7]);
	/* A server record after the client's flight (a ticket) keeps it. */
	add_ev(c, TD_DIR_S2C, TD_EV_ENCRYPTED, 0, 5)->encrypted = true;
	CU_ASSERT_EQUAL(td_tui_state_of(c, false), want[8]);
	add_ev(c, TD_DIR_C2S, TD_EV_APPDATA, 0, 6);
	CU_ASSERT_EQUAL(td_tui_state_of(c, false), want[9]);
	c->finished[TD_DIR_C2S] = c->finished[TD_DIR_S2C] = true;
	td_fate_judge(c, false);
	CU_ASSERT_EQUAL(td_tui_class_of(c, want[9], false), TD_TUI_OK);
	/* A normal close after the handshake does not turn it into "closed". */
	add_ev(c, TD_DIR_C2S, TD_EV_TCP_FIN, 0, 7);
	CU_ASSERT_EQUAL(td_tui_state_of(c, false), want[10]);
	c->handshake_done = true;
	td_fate_judge(c, true);
	CU_ASSERT_EQUAL(td_tui_state_of(c, true), TD_TUI_ST_ESTABLISHED);
	CU_ASSERT_EQUAL(td_tui_class_of(c, TD_TUI_ST_ESTABLISHED, true), TD_TUI_OK);
	add_diag(c, "CERT_EXPIRING_SOON", TD_SEV_WARNING, NULL, 0);
	td_fate_judge(c, true);
	CU_ASSERT_EQUAL(td_tui_class_of(c, TD_TUI_ST_ESTABLISHED, true), TD_TUI_WARN);
	/* An error diagnosis on an established connection: a warning row,
	 * not a failure (its fate is established, conn.h). */
	add_diag(c, "SOME_ERROR", TD_SEV_ERROR, NULL, 0);
	td_fate_judge(c, true);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_ESTABLISHED);
	CU_ASSERT_EQUAL(td_tui_class_of(c, TD_TUI_ST_ESTABLISHED, true), TD_TUI_WARN);
	td_conn_free(c);
}

static void test_state_closed_and_incomplete(void)
{
	struct td_conn *c = mk_conn(3, NULL);
	add_ev(c, TD_DIR_C2S, TD_EV_TCP_SYN, 0, 0);
	add_ev(c, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 1);
	add_ev(c, TD_DIR_S2C, TD_EV_TCP_RST, 0, 2);
	CU_ASSERT_EQUAL(td_tui_state_of(c, false), TD_TUI_ST_CLOSED);
	c->ch.present = true;
	td_fate_judge(c, false);
	CU_ASSERT_EQUAL(td_tui_class_of(c, TD_TUI_ST_CLOSED, false), TD_TUI_FAIL);
	/* A close_notify is no failure; an encrypted alert mid-handshake is. */
	struct td_conn *d = mk_conn(4, NULL);
	add_ev(d, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 1);
	struct td_event *a = add_ev(d, TD_DIR_S2C, TD_EV_ALERT, 0, 2);
	a->alert_level = 1;
	a->alert_desc = CLOSE_NOTIFY;
	CU_ASSERT_EQUAL(td_tui_state_of(d, false), TD_TUI_ST_HELLO);
	add_ev(d, TD_DIR_S2C, TD_EV_ALERT, 0, 3)->encrypted = true;
	CU_ASSERT_EQUAL(td_tui_state_of(d, false), TD_TUI_ST_ALERT);
	d->ch.present = true;
	td_fate_judge(d, true);
	CU_ASSERT_EQUAL(td_tui_state_of(d, true), TD_TUI_ST_INCOMPLETE);
	CU_ASSERT_EQUAL(td_tui_class_of(d, TD_TUI_ST_INCOMPLETE, true), TD_TUI_WARN);
	/* An error diagnosis on a handshake that stopped is its verdict. */
	add_diag(d, "SERVER_SILENT", TD_SEV_ERROR, NULL, 0);
	td_fate_judge(d, true);
	CU_ASSERT_EQUAL(td_tui_state_of(d, true), TD_TUI_ST_FAILED);
	CU_ASSERT_EQUAL(td_tui_class_of(d, TD_TUI_ST_FAILED, true), TD_TUI_FAIL);
	td_conn_free(c);
	td_conn_free(d);
}

/* ---- the model ---------------------------------------------------------------- */

static void test_model_rows_by_id(void)
{
	struct td_tui_model m;
	CU_ASSERT_EQUAL_FATAL(td_tui_model_init(&m, 8, 1u << 20), TD_OK);
	struct td_conn *c = tls12_failure(false);
	CU_ASSERT_EQUAL(td_tui_model_update(&m, c, false), TD_OK);
	const struct td_tui_row *r = td_tui_model_row(&m, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	const struct td_conn *copy = r->conn;
	uint32_t gen = r->gen;
	CU_ASSERT_PTR_NOT_NULL(copy);
	CU_ASSERT_PTR_NOT_EQUAL(copy, c);
	CU_ASSERT_STRING_EQUAL(r->sni, "tls-server.local");
	CU_ASSERT_STRING_EQUAL(r->client, "127.0.0.1:44634");
	CU_ASSERT_STRING_EQUAL(r->client_ip, "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(r->server, "127.0.0.1:8443");
	CU_ASSERT_EQUAL(r->state, TD_TUI_ST_ALERT);
	CU_ASSERT_FALSE(r->done);
	/* The same connection again, unchanged: same row, no new copy. */
	CU_ASSERT_EQUAL(td_tui_model_update(&m, c, false), TD_OK);
	CU_ASSERT_EQUAL(m.next, 1);
	CU_ASSERT_PTR_EQUAL(r->conn, copy);
	CU_ASSERT_EQUAL(r->gen, gen);
	/* A change: a new copy. */
	add_ev(c, TD_DIR_S2C, TD_EV_TCP_RST, 0, 30000);
	CU_ASSERT_EQUAL(td_tui_model_update(&m, c, false), TD_OK);
	CU_ASSERT_EQUAL(m.next, 1);
	CU_ASSERT_NOT_EQUAL(r->gen, gen);
	CU_ASSERT_EQUAL(r->conn->n_events, c->n_events);
	/* Done: final, counted, out of the hash (a later id makes a new row). */
	td_test_fate(c, TD_OUTCOME_FAILED);
	CU_ASSERT_EQUAL(td_tui_model_update(&m, c, true), TD_OK);
	CU_ASSERT_TRUE(r->done);
	CU_ASSERT_EQUAL(r->state, TD_TUI_ST_FAILED);
	CU_ASSERT_EQUAL(r->cls, TD_TUI_FAIL);
	CU_ASSERT_EQUAL(m.failures, 1);
	CU_ASSERT_EQUAL(m.hn, 0);
	struct td_conn *c2 = mk_conn(2, "b.example");
	CU_ASSERT_EQUAL(td_tui_model_update(&m, c2, false), TD_OK);
	CU_ASSERT_EQUAL(m.next, 2);
	CU_ASSERT_EQUAL(m.total, 2);
	CU_ASSERT_EQUAL(m.hn, 1);
	td_conn_free(c);
	td_conn_free(c2);
	td_tui_model_cleanup(&m);
}

static void test_model_ring_and_caps(void)
{
	struct td_tui_model m;
	CU_ASSERT_EQUAL_FATAL(td_tui_model_init(&m, 3, 1u << 30), TD_OK);
	for (uint64_t id = 1; id <= 5; id++) {
		struct td_conn *c = mk_conn(id, "x.example");
		CU_ASSERT_EQUAL(td_tui_model_update(&m, c, false), TD_OK);
		td_conn_free(c);
	}
	CU_ASSERT_EQUAL(m.head, 2);
	CU_ASSERT_EQUAL(m.next, 5);
	CU_ASSERT_EQUAL(m.rows_dropped, 2);
	CU_ASSERT_EQUAL(m.hn, 3);  /* the dropped running rows left the hash */
	CU_ASSERT_PTR_NULL(td_tui_model_row(&m, 1));
	CU_ASSERT_EQUAL(td_tui_model_row(&m, 2)->id, 3);
	/* An update of a dropped running connection makes a new row. */
	struct td_conn *c = mk_conn(1, "x.example");
	CU_ASSERT_EQUAL(td_tui_model_update(&m, c, true), TD_OK);
	CU_ASSERT_EQUAL(td_tui_model_row(&m, 5)->id, 1);
	td_conn_free(c);
	td_tui_model_cleanup(&m);

	/* The byte cap drops the oldest finished rows' copies, not rows. */
	CU_ASSERT_EQUAL_FATAL(td_tui_model_init(&m, 100, 1), TD_OK);
	for (uint64_t id = 1; id <= 4; id++) {
		struct td_conn *k = mk_conn(id, "y.example");
		CU_ASSERT_EQUAL(td_tui_model_update(&m, k, id != 4), TD_OK);
		td_conn_free(k);
	}
	CU_ASSERT_EQUAL(m.next, 4);
	CU_ASSERT_EQUAL(m.copies_dropped, 3);
	CU_ASSERT_PTR_NULL(td_tui_model_row(&m, 0)->conn);
	CU_ASSERT_PTR_NOT_NULL(td_tui_model_row(&m, 3)->conn);  /* running: kept */
	CU_ASSERT_EQUAL(m.bytes, td_tui_model_row(&m, 3)->conn_bytes);
	td_tui_model_cleanup(&m);
}

/* Many connections in flight, finished in a scattered order: every
 * update must find its own row (the hash's removal keeps probe chains). */
static void test_model_hash_churn(void)
{
	enum { N = 2000 };
	struct td_tui_model m;
	CU_ASSERT_EQUAL_FATAL(td_tui_model_init(&m, N, 1u << 30), TD_OK);
	struct td_conn *c = mk_conn(1, NULL);
	for (uint64_t id = 1; id <= N; id++) {
		c->id = id;
		CU_ASSERT_EQUAL(td_tui_model_update(&m, c, false), TD_OK);
	}
	for (uint64_t k = 0; k < N; k += 3) {  /* a third finish, scattered */
		c->id = (k * 7919u) % N + 1;
		CU_ASSERT_EQUAL(td_tui_model_update(&m, c, true), TD_OK);
	}
	uint64_t total = m.total;
	CU_ASSERT_EQUAL(total, N);
	bool ok = true;
	for (uint64_t id = 1; id <= N; id++) {  /* every id updates its own row */
		c->id = id;
		add_ev(c, TD_DIR_C2S, TD_EV_TCP_SYN, 0, id);
		CU_ASSERT_EQUAL(td_tui_model_update(&m, c, true), TD_OK);
		c->n_events = 0;
	}
	for (uint64_t s = m.head; s < m.next; s++)
		ok = ok && td_tui_model_row(&m, s)->done;
	/* the finished third were new rows; the rest found theirs */
	CU_ASSERT_EQUAL(m.total, N + (N + 2) / 3);
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_EQUAL(m.hn, 0);
	td_conn_free(c);
	td_tui_model_cleanup(&m);
}

/* ---- filter and view ------------------------------------------------------------- */

static void test_filter_and_view(void)
{
	struct td_tui_model m;
	CU_ASSERT_EQUAL_FATAL(td_tui_model_init(&m, 16, 1u << 30), TD_OK);
	struct td_conn *f = tls12_failure_done();
	CU_ASSERT_EQUAL(td_tui_model_update(&m, f, true), TD_OK);
	struct td_conn *ok = mk_conn(2, "API.Example.com");
	td_test_fate(ok, TD_OUTCOME_ESTABLISHED);
	ok->server_addr.b[3] = 9;
	CU_ASSERT_EQUAL(td_tui_model_update(&m, ok, true), TD_OK);
	struct td_conn *run = mk_conn(3, "other.test");
	CU_ASSERT_EQUAL(td_tui_model_update(&m, run, false), TD_OK);

	struct td_tui_filter fl;
	memset(&fl, 0, sizeof fl);
	const struct td_tui_row *r0 = td_tui_model_row(&m, 0), *r1 = td_tui_model_row(&m, 1);
	CU_ASSERT_TRUE(td_tui_row_matches(r0, &fl));
	fl.failures_only = true;
	CU_ASSERT_TRUE(td_tui_row_matches(r0, &fl));
	CU_ASSERT_FALSE(td_tui_row_matches(r1, &fl));
	fl.failures_only = false;
	snprintf(fl.text, sizeof fl.text, "api.example");  /* SNI, any case */
	CU_ASSERT_FALSE(td_tui_row_matches(r0, &fl));
	CU_ASSERT_TRUE(td_tui_row_matches(r1, &fl));
	snprintf(fl.text, sizeof fl.text, "127.0.0.9");  /* an address */
	CU_ASSERT_TRUE(td_tui_row_matches(r1, &fl));
	CU_ASSERT_FALSE(td_tui_row_matches(r0, &fl));
	snprintf(fl.text, sizeof fl.text, "not_acceptable");  /* a code past the first */
	CU_ASSERT_TRUE(td_tui_row_matches(r0, &fl));
	snprintf(fl.text, sizeof fl.text, ":44634");  /* the client's port */
	CU_ASSERT_TRUE(td_tui_row_matches(r0, &fl));

	struct td_tui_view v = { 0 };
	fl.text[0] = '\0';
	CU_ASSERT_EQUAL(td_tui_view_build(&v, &m, &fl, UINT64_MAX), TD_OK);
	CU_ASSERT_EQUAL(v.n, 3);
	fl.failures_only = true;
	CU_ASSERT_EQUAL(td_tui_view_build(&v, &m, &fl, UINT64_MAX), TD_OK);
	CU_ASSERT_EQUAL(v.n, 1);
	CU_ASSERT_EQUAL(v.seq[0], 0);
	fl.failures_only = false;
	CU_ASSERT_EQUAL(td_tui_view_build(&v, &m, &fl, 2), TD_OK);  /* paused at seq 2 */
	CU_ASSERT_EQUAL(v.n, 2);
	CU_ASSERT_EQUAL(td_tui_view_find(&v, 1), 1);
	CU_ASSERT_EQUAL(td_tui_view_find(&v, 7), 2);
	td_tui_view_cleanup(&v);
	td_conn_free(f);
	td_conn_free(ok);
	td_conn_free(run);
	td_tui_model_cleanup(&m);
}

/* ---- the list's rows -------------------------------------------------------------- */

static void row_text(const struct td_tui_row *r, size_t width, struct td_tui_lb *b,
		     struct td_tui_lb *h)
{
	const struct td_tui_row *rows[1] = { r };
	struct td_tui_cols k;
	td_tui_cols_fit(&k, width, rows, 1);
	td_tui_row_line(b, r, &k);
	td_tui_cols_header(h, &k);
}

static void test_rows_widths(void)
{
	struct td_tui_model m;
	CU_ASSERT_EQUAL_FATAL(td_tui_model_init(&m, 4, 1u << 30), TD_OK);
	struct td_conn *c = tls12_failure_done();
	CU_ASSERT_EQUAL(td_tui_model_update(&m, c, true), TD_OK);
	const struct td_tui_row *r = td_tui_model_row(&m, 0);
	struct td_tui_lb b, h;
	const size_t widths[] = { 40, 80, 100, 120, 250 };
	for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		row_text(r, widths[i], &b, &h);
		CU_ASSERT_EQUAL(b.cols, widths[i]);
		CU_ASSERT_EQUAL(h.cols, widths[i]);
		CU_ASSERT_EQUAL(strlen(b.s), widths[i]);  /* ASCII here: bytes == columns */
		CU_ASSERT_EQUAL(b.s[0], 'X');
	}
	/* 80 columns: no STATE column (the symbol says failed), so the client
	 * and its port fit beside the server and the whole code. */
	row_text(r, 80, &b, &h);
	CU_ASSERT_STRING_EQUAL(b.s, "X 05:18:09 127.0.0.1:44634 -> 127.0.0.1:8443 tls-serv~ 1.2 "
			       "CLIENT_CERT_UNTRUSTED");
	CU_ASSERT_PTR_NULL(strstr(b.s, " failed "));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.s, " CLIENT -> SERVER "));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.s, " DIAGNOSIS/STATE"));
	CU_ASSERT_PTR_NULL(strstr(h.s, " STATE "));
	row_text(r, 250, &b, &h);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, " 05:18:09.362 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "127.0.0.1:44634 -> 127.0.0.1:8443"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, " tls-server.local "));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, " TLS 1.2 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, " failed "));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.s, "CLIENT -> SERVER"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.s, " STATE "));

	/* Narrow, a row without a code shows its state where the code goes;
	 * a longer code still comes whole, the client's port gives way. */
	struct td_conn *run = tls12_failure(false);
	run->id = 2;
	run->client_port = 44635;
	CU_ASSERT_EQUAL(td_tui_model_update(&m, run, false), TD_OK);
	const struct td_tui_row *rr = td_tui_model_row(&m, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rr);
	row_text(rr, 80, &b, &h);
	CU_ASSERT_EQUAL(b.cols, 80);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "127.0.0.1:44635 -> 127.0.0.1:8443"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, " 1.2 alert "));
	const struct td_tui_row *both[2] = { r, rr };
	struct td_tui_row longer = *r;
	longer.code = "CLIENT_CERT_NOT_ACCEPTABLE";
	both[1] = &longer;
	struct td_tui_cols k;
	td_tui_cols_fit(&k, 80, both, 2);
	td_tui_row_line(&b, &longer, &k);
	CU_ASSERT_EQUAL(b.cols, 80);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, " CLIENT_CERT_NOT_ACCEPTABLE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, " 127.0.0.1 -> 127.0.0.1:8443 "));
	td_conn_free(run);

	/* The endpoints shorten the client first. */
	td_tui_lb_init(&b);
	td_tui_ends(&b, r, 100);
	CU_ASSERT_EQUAL(b.cols, 100);  /* padded */
	CU_ASSERT_EQUAL(strncmp(b.s, "127.0.0.1:44634 -> 127.0.0.1:8443   ", 36), 0);
	td_tui_lb_init(&b);
	td_tui_ends(&b, r, 27);
	CU_ASSERT_STRING_EQUAL(b.s, "127.0.0.1 -> 127.0.0.1:8443");
	td_tui_lb_init(&b);
	td_tui_ends(&b, r, 23);
	CU_ASSERT_STRING_EQUAL(b.s, "~.0.1 -> 127.0.0.1:8443");
	td_tui_lb_init(&b);
	td_tui_ends(&b, r, 20);
	CU_ASSERT_STRING_EQUAL(b.s, "-> 127.0.0.1:8443   ");
	td_tui_lb_init(&b);
	td_tui_ends(&b, r, 10);
	CU_ASSERT_STRING_EQUAL(b.s, "127.0.0.1~");
	td_conn_free(c);
	td_tui_model_cleanup(&m);
}

static void test_cells(void)
{
	struct td_tui_lb b;
	td_tui_lb_init(&b);
	td_tui_lb_cell(&b, "tls-server.local", 10, false);
	CU_ASSERT_STRING_EQUAL(b.s, "tls-serve~");
	td_tui_lb_init(&b);
	td_tui_lb_cell(&b, "ab", 5, true);
	CU_ASSERT_STRING_EQUAL(b.s, "   ab");
	/* UTF-8 counts one column a code point; controls and bad bytes are '?'. */
	td_tui_lb_init(&b);
	td_tui_lb_put(&b, "d\xc3\xa9j\xc3\xa0 vu", 4);
	CU_ASSERT_STRING_EQUAL(b.s, "d\xc3\xa9j~");
	CU_ASSERT_EQUAL(b.cols, 4);
	td_tui_lb_init(&b);
	td_tui_lb_put(&b, "a\x1b[31mb\xff", 20);
	CU_ASSERT_STRING_EQUAL(b.s, "a?[31mb?");
	CU_ASSERT_EQUAL(td_tui_str_cols("\xe2\x86\x92x"), 2);
	/* Never past TD_TUI_LINE columns. */
	td_tui_lb_init(&b);
	td_tui_lb_fill(&b, 'x', TD_TUI_LINE + 50);
	CU_ASSERT_EQUAL(b.cols, TD_TUI_LINE);
}

/* ---- the ladder -------------------------------------------------------------------- */

/* Event lines of the ladder: after the two header lines and the legend. */
enum { LADDER_HEAD = 3 };

static void check_ladder(size_t width)
{
	struct td_conn *c = tls12_failure_done();
	struct td_tui_doc d;
	td_tui_doc_init(&d, width);
	td_tui_ladder(&d, c);
	CU_ASSERT_FALSE(d.nomem);
	CU_ASSERT_EQUAL_FATAL(d.n, LADDER_HEAD + c->n_events);
	for (size_t i = 0; i < d.n; i++)
		CU_ASSERT(td_tui_str_cols(d.v[i].text) <= width);
	const char *first = d.v[LADDER_HEAD].text;
	size_t x0 = (size_t)(strchr(first, '|') - first);
	size_t x1 = (size_t)(strrchr(first, '|') - first);
	CU_ASSERT(x1 > x0 + 10);
	/* The header's "server" ends over the server's column. */
	CU_ASSERT_EQUAL(strlen(d.v[0].text), x1 + 1);
	for (size_t i = 0; i < c->n_events; i++) {
		const char *l = d.v[LADDER_HEAD + i].text;
		const struct td_event *e = &c->events[i];
		CU_ASSERT_FATAL(strlen(l) > x1);
		CU_ASSERT_EQUAL(l[x0], '|');
		CU_ASSERT_EQUAL(l[x1], '|');
		if (e->dir == TD_DIR_C2S) {
			CU_ASSERT_EQUAL(l[x1 - 1], '>');
		} else {
			CU_ASSERT_EQUAL(l[x0 + 1], '<');
		}
		bool tcp = e->kind == TD_EV_TCP_SYN || e->kind == TD_EV_TCP_SYNACK ||
			   e->kind == TD_EV_TCP_FIN;
		char fill = e->kind == TD_EV_ENCRYPTED ? '=' : tcp ? '.' : '-';
		CU_ASSERT_EQUAL(l[e->dir == TD_DIR_C2S ? x0 + 1 : x1 - 1], fill);
		bool failing = i == 13;
		CU_ASSERT_EQUAL(strncmp(l, ">> ", 3) == 0, failing);
		CU_ASSERT_EQUAL(d.v[LADDER_HEAD + i].attr, failing ? TD_TUI_A_MARK
				: tcp ? TD_TUI_A_DIM : TD_TUI_A_NORMAL);
	}
	CU_ASSERT_EQUAL(d.mark_line, LADDER_HEAD + 13);
	const char *alert = d.v[LADDER_HEAD + 13].text;
	if (width >= 80) {
		CU_ASSERT_PTR_NOT_NULL(strstr(alert, "Alert fatal unknown_ca"));
		CU_ASSERT_PTR_NOT_NULL(strstr(d.v[LADDER_HEAD + 2].text, "ClientHello, 100 B"));
		CU_ASSERT_PTR_NOT_NULL(strstr(d.v[LADDER_HEAD + 12].text, "~Finished"));
		CU_ASSERT_PTR_NOT_NULL(strstr(alert, "+0.020858"));
	} else {
		CU_ASSERT_PTR_NOT_NULL(strstr(alert, "fatal"));
	}
	/* Wide screens: a notes column names the root cause. */
	CU_ASSERT_EQUAL(strstr(alert, "<- CLIENT_CERT_UNTRUSTED") != NULL, width >= 120);
	td_tui_doc_cleanup(&d);
	td_conn_free(c);
}

static void test_ladder_40(void) { check_ladder(40); }
static void test_ladder_80(void) { check_ladder(80); }
static void test_ladder_250(void) { check_ladder(250); }

static void test_failing_fallback(void)
{
	/* No diagnosis pointing anywhere: the fate's end event of a failure
	 * (a fatal alert, else an encrypted alert, else a reset). */
	struct td_conn *c = tls12_failure(false);
	c->ch.present = true;
	td_fate_judge(c, true);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_FAILED);
	bool mark[32];
	td_tui_failing_events(c, mark, c->n_events);
	for (size_t i = 0; i < c->n_events; i++)
		CU_ASSERT_EQUAL(mark[i], i == 13);
	c->events[13].encrypted = true;
	td_fate_judge(c, true);
	td_tui_failing_events(c, mark, c->n_events);
	CU_ASSERT_TRUE(mark[13]);
	c->events[13].kind = TD_EV_TCP_RST;
	td_fate_judge(c, true);
	td_tui_failing_events(c, mark, c->n_events);
	CU_ASSERT_TRUE(mark[13]);
	c->handshake_done = true;  /* nothing failed: nothing marked */
	td_fate_judge(c, true);
	td_tui_failing_events(c, mark, c->n_events);
	for (size_t i = 0; i < c->n_events; i++)
		CU_ASSERT_FALSE(mark[i]);
	td_conn_free(c);
}

/* ---- the details document ------------------------------------------------------------ */

static long find_line(const struct td_tui_doc *d, const char *s)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->v[i].text, s))
			return (long)i;
	return -1;
}

static void test_details(void)
{
	struct td_conn *c = tls12_failure_done();
	const size_t widths[] = { 30, 80, 250 };
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		struct td_tui_doc d;
		td_tui_doc_init(&d, widths[w]);
		td_tui_details(&d, c, true);
		CU_ASSERT_FALSE(d.nomem);
		for (size_t i = 0; i < d.n; i++)
			CU_ASSERT(td_tui_str_cols(d.v[i].text) <= widths[w]);
		long e = find_line(&d, "ERROR CLIENT_CERT_UNTRUSTED");
		CU_ASSERT_FATAL(e >= 0);
		CU_ASSERT_EQUAL(d.v[e].attr, TD_TUI_A_FAIL);
		long f = find_line(&d, "fix: Use a");
		CU_ASSERT_FATAL(f > e);
		CU_ASSERT_EQUAL(d.v[f].attr, TD_TUI_A_FIX);
		/* The diagnoses open the document: heading, then the root one. */
		CU_ASSERT_EQUAL(d.diag_line, 0);
		CU_ASSERT_STRING_EQUAL(d.v[0].text, "diagnoses");
		CU_ASSERT_EQUAL(e, 1);
		CU_ASSERT(d.mark_line > f);  /* the ladder after them */
		CU_ASSERT(find_line(&d, "X FAILED") > f);
		long ca = find_line(&d, "acceptable client CAs (1)");
		CU_ASSERT_FATAL(ca > f && (size_t)ca + 1 < d.n);
		CU_ASSERT_STRING_EQUAL(d.v[ca + 1].text, "    O=LMT Corp,CN=clientCA");
		CU_ASSERT(find_line(&d, "why: the client sent") > f);
		td_tui_doc_cleanup(&d);
	}
	/* A running connection: no diagnosis yet. */
	struct td_conn *r = tls12_failure(false);
	struct td_tui_doc d;
	td_tui_doc_init(&d, 80);
	td_tui_details(&d, r, false);
	CU_ASSERT(find_line(&d, "in progress: alert") >= 0);
	CU_ASSERT(find_line(&d, "diagnosed when the handshake is over") >= 0);
	td_tui_doc_cleanup(&d);
	td_conn_free(r);
	td_conn_free(c);
}

static void test_wrap(void)
{
	struct td_tui_doc d;
	td_tui_doc_init(&d, 20);
	const char *hex = "9e4569a20e5ea5014a1df9e706d8d8423197072643c79afb1e5ebeb899b25fe1";
	td_tui_doc_wrap(&d, "sha256 ", hex, 2, TD_TUI_A_DIM);
	td_tui_doc_wrap(&d, "fix: ", "one two three four five six seven", 5, TD_TUI_A_FIX);
	CU_ASSERT_FALSE(d.nomem);
	char joined[256] = "";
	size_t i = 0;
	for (; i < d.n && strncmp(d.v[i].text, "fix", 3) != 0; i++) {
		CU_ASSERT(td_tui_str_cols(d.v[i].text) <= 20);
		const char *t = d.v[i].text + (i == 0 ? strlen("sha256 ") : 2);
		strncat(joined, t, sizeof joined - strlen(joined) - 1);
	}
	CU_ASSERT_STRING_EQUAL(joined, hex);  /* split, never cut */
	CU_ASSERT_FATAL(i + 2 < d.n);
	CU_ASSERT_STRING_EQUAL(d.v[i].text, "fix: one two three");
	CU_ASSERT_STRING_EQUAL(d.v[i + 1].text, "     four five six");
	CU_ASSERT_STRING_EQUAL(d.v[i + 2].text, "     seven");
	td_tui_doc_cleanup(&d);
}

/* ---- keys ---------------------------------------------------------------------------- */

static void test_keys(void)
{
	uint64_t seqs[10];
	for (size_t i = 0; i < 10; i++)
		seqs[i] = 10 + i;
	struct td_tui_view v = { .seq = seqs, .n = 10, .alloc = 10 };
	struct td_tui_ui u;
	td_tui_ui_init(&u);
	u.list_h = 4;
	u.detail_h = 5;
	td_tui_ui_sync(&u, &v);
	CU_ASSERT_TRUE(u.follow);
	CU_ASSERT_EQUAL(u.sel, 9);
	CU_ASSERT_EQUAL(u.top, 6);
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v, NULL, TD_KEY_UP, 20), TD_ACT_REDRAW);
	CU_ASSERT_FALSE(u.follow);
	CU_ASSERT_EQUAL(u.sel_seq, 18);
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v, NULL, 'k', 20), TD_ACT_REDRAW);
	CU_ASSERT_EQUAL(u.sel_seq, 17);
	/* New rows do not move a selection the user made. */
	uint64_t more[12];
	for (size_t i = 0; i < 12; i++)
		more[i] = 10 + i;
	struct td_tui_view v2 = { .seq = more, .n = 12, .alloc = 12 };
	td_tui_ui_sync(&u, &v2);
	CU_ASSERT_EQUAL(u.sel_seq, 17);
	CU_ASSERT_EQUAL(u.sel, 7);
	td_tui_ui_key(&u, &v2, NULL, TD_KEY_HOME, 22);
	CU_ASSERT_EQUAL(u.sel, 0);
	td_tui_ui_sync(&u, &v2);
	CU_ASSERT_EQUAL(u.top, 0);
	td_tui_ui_key(&u, &v2, NULL, TD_KEY_PGDN, 22);
	CU_ASSERT_EQUAL(u.sel, 3);
	td_tui_ui_key(&u, &v2, NULL, TD_KEY_END, 22);
	CU_ASSERT_TRUE(u.follow);
	CU_ASSERT_EQUAL(u.sel, 11);
	td_tui_ui_key(&u, &v2, NULL, 'j', 22);  /* down on the last row: still following */
	CU_ASSERT_TRUE(u.follow);
	/* The selected row filtered out: the next one shown is selected. */
	td_tui_ui_key(&u, &v2, NULL, TD_KEY_UP, 22);
	td_tui_ui_key(&u, &v2, NULL, TD_KEY_UP, 22);  /* seq 19 */
	uint64_t odd[] = { 11, 13, 15, 17, 21 };
	struct td_tui_view v3 = { .seq = odd, .n = 5, .alloc = 5 };
	td_tui_ui_sync(&u, &v3);
	CU_ASSERT_EQUAL(u.sel_seq, 21);

	/* Panes, details scrolling, clamped. */
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v3, NULL, TD_KEY_TAB, 22), TD_ACT_REDRAW);
	CU_ASSERT_EQUAL(u.pane, TD_PANE_DETAILS);
	u.doc_lines = 12;
	td_tui_ui_key(&u, &v3, NULL, TD_KEY_PGDN, 22);
	CU_ASSERT_EQUAL(u.dscroll, 4);
	td_tui_ui_key(&u, &v3, NULL, TD_KEY_PGDN, 22);
	CU_ASSERT_EQUAL(u.dscroll, 7);  /* 12 lines, 5 shown */
	td_tui_ui_key(&u, &v3, NULL, TD_KEY_DOWN, 22);
	CU_ASSERT_EQUAL(u.dscroll, 7);
	td_tui_ui_key(&u, &v3, NULL, TD_KEY_HOME, 22);
	CU_ASSERT_EQUAL(u.dscroll, 0);
	CU_ASSERT_EQUAL(u.sel_seq, 21);  /* the list did not move */
	td_tui_ui_key(&u, &v3, NULL, TD_KEY_ENTER, 22);
	CU_ASSERT_EQUAL(u.pane, TD_PANE_LIST);

	/* f, /, Esc, p, s, ?, q. */
	td_tui_ui_key(&u, &v3, NULL, 'f', 22);
	CU_ASSERT_TRUE(u.filter.failures_only);
	CU_ASSERT_TRUE(u.view_dirty);
	td_tui_ui_key(&u, &v3, NULL, '/', 22);
	CU_ASSERT_TRUE(u.prompt);
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v3, NULL, 'q', 22), TD_ACT_REDRAW);  /* typed, not quit */
	td_tui_ui_key(&u, &v3, NULL, 0xe9, 22);  /* é */
	CU_ASSERT_STRING_EQUAL(u.filter.text, "q\xc3\xa9");  /* applied as typed */
	td_tui_ui_key(&u, &v3, NULL, TD_KEY_BACKSPACE, 22);
	CU_ASSERT_STRING_EQUAL(u.filter.text, "q");
	td_tui_ui_key(&u, &v3, NULL, TD_KEY_ESC, 22);
	CU_ASSERT_FALSE(u.prompt);
	CU_ASSERT_STRING_EQUAL(u.filter.text, "");  /* Esc: the one before */
	td_tui_ui_key(&u, &v3, NULL, '/', 22);
	td_tui_ui_key(&u, &v3, NULL, 'x', 22);
	td_tui_ui_key(&u, &v3, NULL, TD_KEY_ENTER, 22);
	CU_ASSERT_FALSE(u.prompt);
	CU_ASSERT_STRING_EQUAL(u.filter.text, "x");
	td_tui_ui_key(&u, &v3, NULL, TD_KEY_ESC, 22);  /* outside the prompt: clears it */
	CU_ASSERT_STRING_EQUAL(u.filter.text, "");
	td_tui_ui_key(&u, &v3, NULL, 'p', 22);
	CU_ASSERT_TRUE(u.paused);
	CU_ASSERT_EQUAL(u.pause_until, 22);
	td_tui_ui_key(&u, &v3, NULL, 'p', 30);
	CU_ASSERT_FALSE(u.paused);
	CU_ASSERT_EQUAL(u.pause_until, UINT64_MAX);
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v3, NULL, 's', 22), TD_ACT_SAVE);
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v3, NULL, '?', 22), TD_ACT_REDRAW);
	CU_ASSERT_TRUE(u.help);
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v3, NULL, 'j', 22), TD_ACT_REDRAW);  /* closes help only */
	CU_ASSERT_FALSE(u.help);
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v3, NULL, 'q', 22), TD_ACT_QUIT);

	/* An empty view: nothing to select, nothing breaks. */
	struct td_tui_view none = { 0 };
	td_tui_ui_init(&u);
	td_tui_ui_sync(&u, &none);
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &none, NULL, TD_KEY_DOWN, 0), TD_ACT_REDRAW);
	CU_ASSERT_EQUAL(u.sel, 0);
}

/* Space, b, Ctrl-D, Ctrl-U on either pane; n and N over a model whose
 * rows 2, 5 and 6 failed. */
static void test_keys_less(void)
{
	enum { ROWS = 9, CTRL_D = 0x04, CTRL_U = 0x15 };
	struct td_tui_model m;
	CU_ASSERT_EQUAL_FATAL(td_tui_model_init(&m, 16, 1u << 30), TD_OK);
	for (uint64_t i = 0; i < ROWS; i++) {
		struct td_conn *c = mk_conn(i + 1, "tls-server.local");
		td_test_fate(c, i == 2 || i == 5 || i == 6 ? TD_OUTCOME_FAILED
			     : TD_OUTCOME_ESTABLISHED);
		CU_ASSERT_EQUAL(td_tui_model_update(&m, c, true), TD_OK);
		td_conn_free(c);
	}
	struct td_tui_view v = { 0 };
	struct td_tui_filter fl = { 0 };
	CU_ASSERT_EQUAL_FATAL(td_tui_view_build(&v, &m, &fl, UINT64_MAX), TD_OK);
	CU_ASSERT_EQUAL_FATAL(v.n, ROWS);
	struct td_tui_ui u;
	td_tui_ui_init(&u);
	u.list_h = 4;     /* a page: 3 rows; half: 2 */
	u.detail_h = 7;   /* a page: 6 lines; half: 3 */
	td_tui_ui_sync(&u, &v);
	CU_ASSERT_EQUAL(u.sel, 8);
	td_tui_ui_key(&u, &v, &m, 'g', 9);
	CU_ASSERT_EQUAL(u.sel, 0);
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v, &m, ' ', 9), TD_ACT_REDRAW);
	CU_ASSERT_EQUAL(u.sel, 3);
	td_tui_ui_key(&u, &v, &m, CTRL_D, 9);
	CU_ASSERT_EQUAL(u.sel, 5);
	td_tui_ui_key(&u, &v, &m, 'b', 9);
	CU_ASSERT_EQUAL(u.sel, 2);
	td_tui_ui_key(&u, &v, &m, CTRL_U, 9);
	CU_ASSERT_EQUAL(u.sel, 0);
	td_tui_ui_key(&u, &v, &m, 'b', 9);  /* clamped at the top */
	CU_ASSERT_EQUAL(u.sel, 0);
	CU_ASSERT_FALSE(u.follow);

	/* n and N: the next and previous failure, no wrapping. */
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v, &m, 'n', 9), TD_ACT_REDRAW);
	CU_ASSERT_EQUAL(u.sel, 2);
	CU_ASSERT_EQUAL(u.sel_seq, v.seq[2]);
	td_tui_ui_key(&u, &v, &m, 'n', 9);
	CU_ASSERT_EQUAL(u.sel, 5);
	td_tui_ui_key(&u, &v, &m, 'n', 9);
	CU_ASSERT_EQUAL(u.sel, 6);
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v, &m, 'n', 9), TD_ACT_NOT_FOUND);
	CU_ASSERT_EQUAL(u.sel, 6);  /* stays */
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v, &m, 'N', 9), TD_ACT_REDRAW);
	CU_ASSERT_EQUAL(u.sel, 5);
	td_tui_ui_key(&u, &v, &m, 'N', 9);
	CU_ASSERT_EQUAL(u.sel, 2);
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v, &m, 'N', 9), TD_ACT_NOT_FOUND);
	CU_ASSERT_EQUAL(u.sel, 2);
	CU_ASSERT_EQUAL(td_tui_ui_key(&u, &v, NULL, 'n', 9), TD_ACT_NOT_FOUND);
	td_tui_ui_key(&u, &v, &m, 'G', 9);
	CU_ASSERT_EQUAL(u.sel, 8);
	CU_ASSERT_TRUE(u.follow);

	/* The details pane: the same keys scroll it; n still moves the list. */
	td_tui_ui_key(&u, &v, &m, TD_KEY_TAB, 9);
	u.doc_lines = 20;  /* 13 the furthest down */
	td_tui_ui_key(&u, &v, &m, ' ', 9);
	CU_ASSERT_EQUAL(u.dscroll, 6);
	td_tui_ui_key(&u, &v, &m, CTRL_D, 9);
	CU_ASSERT_EQUAL(u.dscroll, 9);
	td_tui_ui_key(&u, &v, &m, ' ', 9);
	CU_ASSERT_EQUAL(u.dscroll, 13);
	td_tui_ui_key(&u, &v, &m, CTRL_U, 9);
	CU_ASSERT_EQUAL(u.dscroll, 10);
	td_tui_ui_key(&u, &v, &m, 'b', 9);
	CU_ASSERT_EQUAL(u.dscroll, 4);
	td_tui_ui_key(&u, &v, &m, 'G', 9);
	CU_ASSERT_EQUAL(u.dscroll, 13);
	td_tui_ui_key(&u, &v, &m, 'g', 9);
	CU_ASSERT_EQUAL(u.dscroll, 0);
	CU_ASSERT_EQUAL(u.sel, 8);  /* the list did not move */
	td_tui_ui_key(&u, &v, &m, 'N', 9);
	CU_ASSERT_EQUAL(u.sel, 6);
	CU_ASSERT_EQUAL(u.pane, TD_PANE_DETAILS);
	/* In the / prompt they are text. */
	td_tui_ui_key(&u, &v, &m, '/', 9);
	td_tui_ui_key(&u, &v, &m, 'n', 9);
	td_tui_ui_key(&u, &v, &m, ' ', 9);
	CU_ASSERT_STRING_EQUAL(u.filter.text, "n ");
	CU_ASSERT_EQUAL(u.sel, 6);
	td_tui_view_cleanup(&v);
	td_tui_model_cleanup(&m);
}

/* ---- capture, engine and model together ---------------------------------------------- */

struct frames {
	size_t n, ticks;
	uint64_t last_ts;
	struct td_engine *eng;
};

static void count_frame(void *ctx, enum td_link link, uint64_t ts, const uint8_t *data,
			size_t caplen, size_t wirelen)
{
	struct frames *f = ctx;
	if (!data) {
		f->ticks++;
		return;
	}
	f->n++;
	f->last_ts = ts;
	if (f->eng)
		td_engine_frame(f->eng, link, ts, data, caplen, wirelen);
}

static void capture_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/../../../captures/%s", td_test_datadir(), name);
}

static void test_capture_dispatch(void)
{
	char path[4096], err[512];
	capture_path(path, sizeof path, "tls12-client-cert-untrusted.pcap");
	struct td_capture *cap = NULL;
	CU_ASSERT_EQUAL_FATAL(td_capture_open_file(&cap, path, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_capture_fd(cap), -1);
	CU_ASSERT_EQUAL(td_capture_set_nonblock(cap, err, sizeof err), TD_OK);
	uint64_t recv, drop;
	CU_ASSERT_FALSE(td_capture_stats(cap, &recv, &drop));
	uint64_t ts0 = 0, ts;
	CU_ASSERT_EQUAL_FATAL(td_capture_next_ts(cap, &ts0, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(ts0 % 1000000u, 362934u);
	CU_ASSERT_EQUAL(td_capture_next_ts(cap, &ts, err, sizeof err), TD_OK);  /* not consumed */
	CU_ASSERT_EQUAL(ts, ts0);
	struct frames f = { 0 };
	size_t n;
	bool eof;
	/* Paced: only the frames stamped up to ts0 + 14 us (SYN, SYN-ACK). */
	CU_ASSERT_EQUAL(td_capture_dispatch(cap, 100, ts0 + 14, count_frame, &f, &n, &eof,
					    err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_FALSE(eof);
	/* At most max frames per call. */
	CU_ASSERT_EQUAL(td_capture_dispatch(cap, 5, UINT64_MAX, count_frame, &f, &n, &eof,
					    err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_FALSE(eof);
	CU_ASSERT_EQUAL(td_capture_dispatch(cap, 100, UINT64_MAX, count_frame, &f, &n, &eof,
					    err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(n, 7);
	CU_ASSERT_TRUE(eof);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(f.n, 14);
	CU_ASSERT_EQUAL(f.ticks, 0);  /* files have no clock ticks */
	CU_ASSERT_EQUAL(td_capture_next_ts(cap, &ts, err, sizeof err), TD_SKIP);
	td_capture_close(cap);
}

/* A sink that feeds the model, as the TUI's does. */
struct model_sink {
	struct td_sink base;
	struct td_tui_model m;
	size_t updates;
};

static void ms_update(struct td_sink *s, const struct td_conn *c)
{
	struct model_sink *ms = (struct model_sink *)s;
	ms->updates++;
	CU_ASSERT_EQUAL(td_tui_model_update(&ms->m, c, false), TD_OK);
}

static void ms_done(struct td_sink *s, const struct td_conn *c)
{
	struct model_sink *ms = (struct model_sink *)s;
	CU_ASSERT_EQUAL(td_tui_model_update(&ms->m, c, true), TD_OK);
}

static void ms_free(struct td_sink *s)
{
	(void)s;
}

static void test_engine_to_ladder(void)
{
	char path[4096], err[512];
	CU_ASSERT_EQUAL_FATAL(td_x509_global_init(), TD_OK);
	struct td_diag_opts o = { .no_system_store = true };
	struct td_diagnoser *dg = NULL;
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&dg, &o, err, sizeof err), TD_OK);
	struct td_config cfg;
	td_config_defaults(&cfg);
	cfg.diagnoser = dg;
	struct model_sink ms = { .base = { .conn_update = ms_update, .conn_done = ms_done, .free = ms_free } };
	CU_ASSERT_EQUAL_FATAL(td_tui_model_init(&ms.m, 16, 1u << 30), TD_OK);
	struct td_engine *e = td_engine_new(&cfg, &ms.base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	capture_path(path, sizeof path, "tls12-client-cert-untrusted.pcap");
	struct td_capture *cap = NULL;
	CU_ASSERT_EQUAL_FATAL(td_capture_open_file(&cap, path, err, sizeof err), TD_OK);
	struct frames f = { .eng = e };
	size_t n;
	bool eof = false;
	/* Frame by frame: the row's state moves while the handshake runs. */
	bool seen_hello = false, seen_server = false, seen_alert = false;
	while (!eof) {
		CU_ASSERT_EQUAL_FATAL(td_capture_dispatch(cap, 1, UINT64_MAX, count_frame, &f, &n,
							  &eof, err, sizeof err), TD_OK);
		const struct td_tui_row *r = td_tui_model_row(&ms.m, 0);
		if (r && !r->done) {
			seen_hello |= r->state == TD_TUI_ST_HELLO;
			seen_server |= r->state == TD_TUI_ST_SERVER_FLIGHT;
			seen_alert |= r->state == TD_TUI_ST_ALERT;
		}
	}
	td_engine_finish(e);
	CU_ASSERT_TRUE(seen_hello);
	CU_ASSERT_TRUE(seen_server);
	CU_ASSERT_TRUE(seen_alert);
	CU_ASSERT(ms.updates > 5);
	CU_ASSERT_EQUAL(ms.m.next, 1);
	const struct td_tui_row *r = td_tui_model_row(&ms.m, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_TRUE(r->done);
	CU_ASSERT_EQUAL(r->state, TD_TUI_ST_FAILED);
	CU_ASSERT_EQUAL(r->cls, TD_TUI_FAIL);
	CU_ASSERT_STRING_EQUAL(r->code, "CLIENT_CERT_UNTRUSTED");
	CU_ASSERT_EQUAL(ms.m.failures, 1);
	struct td_tui_doc d;
	td_tui_doc_init(&d, 80);
	td_tui_details(&d, r->conn, r->done);
	CU_ASSERT_FATAL(d.mark_line >= 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.v[d.mark_line].text, "Alert fatal unknown_ca"));
	CU_ASSERT_EQUAL(strncmp(d.v[d.mark_line].text, ">> ", 3), 0);
	long fix = find_line(&d, "fix: Use a client certificate issued by");
	CU_ASSERT(fix > d.diag_line && fix < d.mark_line);  /* the diagnoses first */
	td_tui_doc_cleanup(&d);
	td_capture_close(cap);
	td_engine_free(e);
	td_tui_model_cleanup(&ms.m);
	td_diagnoser_free(dg);
}

/* ---- privileges ---------------------------------------------------------------------- */

/* Run fn in a child; its exit status. */
static int in_child(int (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 255;
	return WEXITSTATUS(st);
}

static int child_drop(void)
{
	char note[256], err[256];
	enum td_result r = td_privdrop("nobody", note, sizeof note, err, sizeof err);
	if (r != TD_OK)
		return 1;
	if (getuid() != 0 && geteuid() != 0 && note[0] == '\0' && getuid() == 0)
		return 2;
	if (geteuid() == 0 || getuid() == 0)
		return 3;  /* root kept */
	if (setuid(0) == 0 || seteuid(0) == 0)
		return 4;  /* root regained */
	return 0;
}

static int child_unknown(void)
{
	char note[256], err[256];
	enum td_result r = td_privdrop("no-such-user-tlsdiag", note, sizeof note, err, sizeof err);
	if (r != TD_ERR_USAGE)
		return 1;
	if (!strstr(err, "unknown user 'no-such-user-tlsdiag'"))
		return 2;
	return 0;
}

static int child_not_root_note(void)
{
	char note[256], err[256];
	enum td_result r = td_privdrop("nobody", note, sizeof note, err, sizeof err);
	return r == TD_OK && strstr(note, "not running as root") ? 0 : 1;
}

static void test_privdrop(void)
{
	CU_ASSERT_EQUAL(in_child(child_unknown), 0);
	if (geteuid() == 0) {
		CU_ASSERT_EQUAL(in_child(child_drop), 0);
	} else {
		CU_ASSERT_EQUAL(in_child(child_not_root_note), 0);
	}
	char note[8], err[64];
	CU_ASSERT_EQUAL(td_privdrop("", note, sizeof note, err, sizeof err), TD_ERR_USAGE);
}

void td_suite_tui(void)
{
	CU_pSuite s = td_test_suite("tui");
	td_test_add(s, "state: TLS 1.2 client certificate failure, event by event",
		    test_state_tls12_failure);
	td_test_add(s, "state: TLS 1.3 established", test_state_tls13_established);
	td_test_add(s, "state: closed, alerts, incomplete", test_state_closed_and_incomplete);
	td_test_add(s, "model: one row per id, copies when changed", test_model_rows_by_id);
	td_test_add(s, "model: ring and byte caps, counted", test_model_ring_and_caps);
	td_test_add(s, "model: id hash under churn", test_model_hash_churn);
	td_test_add(s, "filter: failures, SNI, address, code; view, pause", test_filter_and_view);
	td_test_add(s, "rows: columns at 40 to 250 columns", test_rows_widths);
	td_test_add(s, "cells: cut, pad, UTF-8, controls", test_cells);
	td_test_add(s, "ladder at 40 columns", test_ladder_40);
	td_test_add(s, "ladder at 80 columns", test_ladder_80);
	td_test_add(s, "ladder at 250 columns", test_ladder_250);
	td_test_add(s, "failing step without a diagnosis", test_failing_fallback);
	td_test_add(s, "details: diagnoses, fix, CAs at 30/80/250", test_details);
	td_test_add(s, "wrap: words and long words", test_wrap);
	td_test_add(s, "keys: follow, select, panes, filters, pause", test_keys);
	td_test_add(s, "keys: Space, b, Ctrl-D, Ctrl-U, g, G, n, N on both panes", test_keys_less);
	td_test_add(s, "capture: non-blocking dispatch, pacing, eof", test_capture_dispatch);
	td_test_add(s, "engine -> model -> ladder over a lab capture", test_engine_to_ladder);
	td_test_add(s, "privilege drop (in a child)", test_privdrop);
}
