/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_quic_fate.c - how a QUIC connection ended without a key log
 * (fate.c: td_fate_quic_completed(), td_fate_quic_refused()) and the
 * QUIC diagnoses that follow: SERVER_CERT_REJECTED (inferred) for a
 * client that answers with Handshake packets alone, CLIENT_CERT_REJECTED
 * (inferred) for a server that answers the client's 1-RTT packets with
 * Handshake ones (td_fate_quic_server_refused()), QUIC_VERSION_NEGOTIATION,
 * QUIC_TRANSPORT_ERROR.  Connections are built fact by fact, as the
 * engine (quic_in.c) leaves them; the datagram numbers mirror the lab's
 * captures (captures/quic-*.pcap).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "conn.h"
#include "diagnose.h"
#include "tests.h"
#include "tls_names.h"

#define C TD_DIR_C2S
#define S TD_DIR_S2C

/* A QUIC v1 connection whose ServerHello was read. */
static struct td_conn *quic_conn(void)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->tls = true;
	c->quic.present = true;
	c->quic.version = 1;
	c->ch.present = true;
	c->sh.present = true;
	c->version = 0x0304;  /* TLS 1.3 */
	c->stop = TD_STOP_CAPTURE_END;
	return c;
}

/* Datagram k from dir: long: it held an Initial or Handshake packet
 * (type), shrt: a 1-RTT one, as quic_in.c's datagram_order() counts. */
static void dgram(struct td_conn *c, enum td_dir dir, uint32_t k, enum td_quic_ptype type,
		  bool lng, bool shrt)
{
	struct td_quic_conn *q = &c->quic;
	q->datagrams = k;
	if (lng) {
		q->last_long[dir] = k;
		q->packets[dir][type]++;
	}
	if (shrt) {
		q->packets[dir][TD_QP_1RTT]++;
		if (!q->first_short[dir])
			q->first_short[dir] = k;
		if (!lng)
			q->last_short_only[dir] = k;
	}
	q->last_dgram[dir] = k;
	q->last_dgram_us[dir] = 1000u * k;
}

static struct td_diagnoser *diagnoser(void)
{
	struct td_diag_opts o = { .no_system_store = true };
	struct td_diagnoser *d = NULL;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&d, &o, err, sizeof err), TD_OK);
	return d;
}

static void run(struct td_conn *c)
{
	struct td_diagnoser *d = diagnoser();
	CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
	td_diagnoser_free(d);
}

/* quic-ok.pcap: the client's Handshake (Finished) and first 1-RTT in
 * one datagram, then the server's 1-RTT alone (HANDSHAKE_DONE). */
static void test_completed(void)
{
	struct td_conn *c = quic_conn();
	dgram(c, C, 1, TD_QP_INITIAL, true, false);
	dgram(c, S, 2, TD_QP_HANDSHAKE, true, false);
	dgram(c, C, 3, TD_QP_HANDSHAKE, true, false);
	/* 0.5-RTT: the server's 1-RTT beside its last Handshake packets. */
	dgram(c, S, 4, TD_QP_HANDSHAKE, true, true);
	CU_ASSERT_FALSE(td_fate_quic_completed(c));
	dgram(c, C, 5, TD_QP_HANDSHAKE, true, true);
	CU_ASSERT_FALSE(td_fate_quic_completed(c));
	dgram(c, S, 6, TD_QP_1RTT, false, true);
	CU_ASSERT_TRUE(td_fate_quic_completed(c));
	CU_ASSERT_FALSE(td_fate_quic_refused(c));
	c->handshake_done = true;  /* the engine's, from the same predicate */
	run(c);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_ESTABLISHED);
	CU_ASSERT_FALSE(c->fate.quic_refused);
	td_conn_free(c);
}

/* A server that refuses the client's flight closes in a Handshake
 * packet (coalesced with a 1-RTT one): not completed. */
static void test_server_closes_in_handshake(void)
{
	struct td_conn *c = quic_conn();
	dgram(c, C, 1, TD_QP_INITIAL, true, false);
	dgram(c, S, 2, TD_QP_HANDSHAKE, true, true);
	dgram(c, C, 3, TD_QP_HANDSHAKE, true, true);
	dgram(c, S, 4, TD_QP_HANDSHAKE, true, true);
	CU_ASSERT_FALSE(td_fate_quic_completed(c));
	CU_ASSERT_FALSE(td_fate_quic_refused(c));  /* the server spoke last */
	td_conn_free(c);
}

/* quic-chromium-server-untrusted.pcap: Handshake packets alone from the
 * client, which speaks last. */
static void test_refused(void)
{
	struct td_conn *c = quic_conn();
	dgram(c, C, 1, TD_QP_INITIAL, true, false);
	dgram(c, S, 2, TD_QP_HANDSHAKE, true, true);
	dgram(c, C, 3, TD_QP_HANDSHAKE, true, false);
	dgram(c, S, 4, TD_QP_HANDSHAKE, true, false);
	CU_ASSERT_FALSE(td_fate_quic_refused(c));  /* the server spoke last */
	dgram(c, C, 5, TD_QP_HANDSHAKE, true, false);
	CU_ASSERT_TRUE(td_fate_quic_refused(c));
	run(c);
	CU_ASSERT_TRUE(c->fate.quic_refused);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_FAILED);
	CU_ASSERT_TRUE_FATAL(c->n_diags > 0);
	CU_ASSERT_STRING_EQUAL(c->diags[0].code, "SERVER_CERT_REJECTED");
	CU_ASSERT_EQUAL(c->diags[0].stage, TD_STAGE_SERVER_CERTIFICATE);
	CU_ASSERT_EQUAL(c->diags[0].gave_up, TD_PARTY_CLIENT);
	CU_ASSERT_EQUAL(c->diags[0].confidence, TD_CONF_INFERRED);
	td_conn_free(c);

	/* A client that sent a 1-RTT packet accepted the server: no refusal. */
	c = quic_conn();
	dgram(c, C, 1, TD_QP_INITIAL, true, false);
	dgram(c, S, 2, TD_QP_HANDSHAKE, true, false);
	dgram(c, C, 3, TD_QP_HANDSHAKE, true, true);
	dgram(c, C, 4, TD_QP_HANDSHAKE, true, false);
	CU_ASSERT_FALSE(td_fate_quic_refused(c));
	run(c);
	CU_ASSERT_FALSE(c->fate.quic_refused);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_INCOMPLETE);
	td_conn_free(c);

	/* Over TCP the QUIC signs do not apply. */
	c = quic_conn();
	c->quic.present = false;
	CU_ASSERT_FALSE(td_fate_quic_completed(c));
	CU_ASSERT_FALSE(td_fate_quic_refused(c));
	td_conn_free(c);
}

/* quic-caddy-client-cert-missing.pcap (tshark, keyless): the client's
 * Handshake flight, then its 1-RTT packets; the server's Handshake
 * packets (each with a 1-RTT one) after them, never 1-RTT alone. */
static void server_refusal(struct td_conn *c)
{
	dgram(c, C, 1, TD_QP_INITIAL, true, false);
	dgram(c, S, 2, TD_QP_HANDSHAKE, true, false);
	dgram(c, S, 3, TD_QP_HANDSHAKE, true, false);
	dgram(c, S, 4, TD_QP_HANDSHAKE, true, false);
	dgram(c, C, 5, TD_QP_INITIAL, true, false);
	dgram(c, S, 6, TD_QP_HANDSHAKE, true, false);
	dgram(c, S, 7, TD_QP_HANDSHAKE, true, true);   /* 0.5-RTT */
	for (uint32_t k = 8; k <= 10; k++)
		dgram(c, C, k, TD_QP_HANDSHAKE, true, false);
	dgram(c, S, 11, TD_QP_HANDSHAKE, true, false);
	dgram(c, S, 12, TD_QP_HANDSHAKE, true, true);
	for (uint32_t k = 13; k <= 16; k++)
		dgram(c, C, k, TD_QP_1RTT, false, true);
}

static void test_server_refused(void)
{
	struct td_conn *c = quic_conn();
	server_refusal(c);
	CU_ASSERT_FALSE(td_fate_quic_server_refused(c));  /* the client spoke last */
	for (uint32_t k = 17; k <= 19; k++)
		dgram(c, S, k, TD_QP_HANDSHAKE, true, true);
	CU_ASSERT_FALSE(td_fate_quic_completed(c));
	CU_ASSERT_FALSE(td_fate_quic_refused(c));
	CU_ASSERT_TRUE(td_fate_quic_server_refused(c));
	run(c);
	CU_ASSERT_TRUE(c->fate.quic_server_refused);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_FAILED);
	CU_ASSERT_TRUE_FATAL(c->n_diags > 0);
	CU_ASSERT_STRING_EQUAL(c->diags[0].code, "CLIENT_CERT_REJECTED");
	CU_ASSERT_EQUAL(c->diags[0].stage, TD_STAGE_CLIENT_CERTIFICATE);
	CU_ASSERT_EQUAL(c->diags[0].gave_up, TD_PARTY_SERVER);
	CU_ASSERT_EQUAL(c->diags[0].confidence, TD_CONF_INFERRED);
	td_conn_free(c);

	/* Then a datagram of 1-RTT packets alone from the server (its
	 * HANDSHAKE_DONE after a lost Finished was sent again): completed. */
	c = quic_conn();
	server_refusal(c);
	dgram(c, S, 17, TD_QP_HANDSHAKE, true, true);
	dgram(c, S, 18, TD_QP_1RTT, false, true);
	CU_ASSERT_TRUE(td_fate_quic_completed(c));
	CU_ASSERT_FALSE(td_fate_quic_server_refused(c));
	td_conn_free(c);

	/* A close that was read (with keys) says itself. */
	c = quic_conn();
	server_refusal(c);
	dgram(c, S, 17, TD_QP_HANDSHAKE, true, true);
	c->quic.close.seen = true;
	CU_ASSERT_FALSE(td_fate_quic_server_refused(c));
	td_conn_free(c);
}

/* quic-version-negotiation.pcap: an Initial of 0x1a2a3a4a, answered
 * by a Version Negotiation packet. */
static void test_version_negotiation(void)
{
	struct td_conn *c = quic_conn();
	c->ch.present = false;
	c->sh.present = false;
	c->version = 0;
	c->quic.version = 0x1a2a3a4au;
	c->quic.vn_versions[0] = 0xba5afa9au;
	c->quic.vn_versions[1] = 1;
	c->quic.n_vn = 2;
	dgram(c, C, 1, TD_QP_OTHER, true, false);
	dgram(c, S, 2, TD_QP_VERSION_NEG, true, false);
	run(c);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_FAILED);
	CU_ASSERT_TRUE_FATAL(c->n_diags > 0);
	const struct td_diagnosis *g = &c->diags[0];
	CU_ASSERT_STRING_EQUAL(g->code, "QUIC_VERSION_NEGOTIATION");
	CU_ASSERT_EQUAL(g->stage, TD_STAGE_CLIENT_HELLO);
	CU_ASSERT_EQUAL(g->gave_up, TD_PARTY_SERVER);
	CU_ASSERT_EQUAL(g->confidence, TD_CONF_CERTAIN);
	CU_ASSERT_PTR_NOT_NULL(strstr(g->summary, "0x1a2a3a4a"));
	CU_ASSERT_PTR_NOT_NULL(g->fix);
	CU_ASSERT_PTR_NOT_NULL(strstr(g->fix, "QUICv1"));
	td_conn_free(c);
}

/* A server's CONNECTION_CLOSE with a transport error in an Initial. */
static void test_transport_error(void)
{
	CU_ASSERT_STRING_EQUAL(td_quic_transport_error_name(0x02), "CONNECTION_REFUSED");
	CU_ASSERT_STRING_EQUAL(td_quic_transport_error_name(0x0b), "INVALID_TOKEN");
	CU_ASSERT_STRING_EQUAL(td_quic_transport_error_name(0x10), "NO_VIABLE_PATH");
	CU_ASSERT_PTR_NULL(td_quic_transport_error_name(0x100));

	struct td_conn *c = quic_conn();
	c->sh.present = false;
	dgram(c, C, 1, TD_QP_INITIAL, true, false);
	dgram(c, S, 2, TD_QP_INITIAL, true, false);
	c->quic.close.seen = true;
	c->quic.close.dir = S;
	c->quic.close.in = TD_QP_INITIAL;
	c->quic.close.error = 0x02;
	snprintf(c->quic.close.reason, sizeof c->quic.close.reason, "busy");
	td_test_event(c, 2000, S, TD_EV_QUIC_CLOSE, 0, 0, "QUIC CONNECTION_CLOSE");
	run(c);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_FAILED);
	CU_ASSERT_TRUE_FATAL(c->n_diags > 0);
	const struct td_diagnosis *g = &c->diags[0];
	CU_ASSERT_STRING_EQUAL(g->code, "QUIC_TRANSPORT_ERROR");
	CU_ASSERT_EQUAL(g->gave_up, TD_PARTY_SERVER);
	CU_ASSERT_PTR_NOT_NULL(strstr(g->summary, "CONNECTION_REFUSED (0x2)"));
	td_conn_free(c);

	/* NO_ERROR (a client's idle timeout) is no cause: no diagnosis, but
	 * the close before the handshake completed still fails it. */
	c = quic_conn();
	c->sh.present = false;
	c->quic.close.seen = true;
	c->quic.close.dir = C;
	c->quic.close.in = TD_QP_INITIAL;
	c->quic.close.error = 0;
	td_test_event(c, 4000000, C, TD_EV_QUIC_CLOSE, 0, 0, "QUIC CONNECTION_CLOSE");
	run(c);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_FAILED);
	for (size_t i = 0; i < c->n_diags; i++)
		CU_ASSERT_STRING_NOT_EQUAL(c->diags[i].code, "QUIC_TRANSPORT_ERROR");
	td_conn_free(c);

	/* A crypto error is a TLS alert's business, not this rule's. */
	c = quic_conn();
	c->quic.close.seen = true;
	c->quic.close.dir = C;
	c->quic.close.error = 0x12e;
	run(c);
	for (size_t i = 0; i < c->n_diags; i++)
		CU_ASSERT_STRING_NOT_EQUAL(c->diags[i].code, "QUIC_TRANSPORT_ERROR");
	td_conn_free(c);
}

void td_suite_quic_fate(void)
{
	CU_pSuite s = td_test_suite("quic_fate");
	td_test_add(s, "QUIC completed without keys", test_completed);
	td_test_add(s, "QUIC server closing in a Handshake packet", test_server_closes_in_handshake);
	td_test_add(s, "QUIC client refusing the server", test_refused);
	td_test_add(s, "QUIC server refusing the client's flight", test_server_refused);
	td_test_add(s, "QUIC Version Negotiation", test_version_negotiation);
	td_test_add(s, "QUIC transport error", test_transport_error);
}
