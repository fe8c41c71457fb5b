/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_later.c - handshakes after the first (issue 15, Must 6):
 * renegotiation and TLS 1.3 post-handshake authentication.
 *
 * The engine over the real Apache captures (captures/real, README.md:
 * tshark's facts in expected/NAME.facts and NAME.decrypted.facts), with
 * and without their key logs: which timeline entries belong to the later
 * handshake, the counters, the first handshake's facts kept, the
 * outcome and the root diagnosis.  Then the fate's "a later handshake
 * failed" and the CLIENT_CERT_REJECTED rule on connections built by
 * hand (the cases the lab did not stage: a renegotiation the client
 * started, one that completed, an alert before the later handshake).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "conn.h"
#include "diagnose.h"
#include "engine.h"
#include "keylog.h"
#include "sink.h"
#include "tests.h"
#include "tls_names.h"

static struct td_diagnoser *diagnoser(bool keyed)
{
	struct td_diag_opts o = { .no_system_store = true, .keylog_given = keyed };
	struct td_diagnoser *d = NULL;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&d, &o, err, sizeof err), TD_OK);
	return d;
}

/* ---- the engine over captures/real ------------------------------------- */

struct one_sink {
	struct td_sink base;
	struct td_conn *c;   /* the capture's one connection (a clone) */
	size_t n;
};

static void one_done(struct td_sink *s, const struct td_conn *c)
{
	struct one_sink *o = (struct one_sink *)s;
	if (o->n++ == 0)
		o->c = td_conn_clone(c);
}

static void one_free(struct td_sink *s)
{
	struct one_sink *o = (struct one_sink *)s;
	td_conn_free(o->c);
	o->c = NULL;
}

static void feed(void *ctx, enum td_link link, uint64_t ts_us, const uint8_t *data,
		 size_t caplen, size_t wirelen)
{
	td_engine_frame(ctx, link, ts_us, data, caplen, wirelen);
}

/* captures/real/NAME.pcap through the engine and the diagnoser, with
 * NAME.keylog when keyed. */
static void run(const char *name, bool keyed, struct one_sink *out)
{
	char pcap[4200], kl[4200], err[256] = "";
	snprintf(pcap, sizeof pcap, "%s/../../../captures/real/%s.pcap", td_test_datadir(), name);
	snprintf(kl, sizeof kl, "%s/../../../captures/real/%s.keylog", td_test_datadir(), name);
	memset(out, 0, sizeof *out);
	out->base.conn_done = one_done;
	out->base.free = one_free;
	struct td_config cfg;
	td_config_defaults(&cfg);
	struct td_keylog *keys = NULL;
	if (keyed) {
		keys = td_keylog_new();
		CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
		CU_ASSERT_EQUAL_FATAL(td_keylog_load_file(keys, kl, err, sizeof err), TD_OK);
		cfg.keylog = keys;
	}
	struct td_diagnoser *d = diagnoser(keyed);
	cfg.diagnoser = d;
	struct td_engine *e = td_engine_new(&cfg, &out->base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	struct td_capture *cap = NULL;
	CU_ASSERT_EQUAL_FATAL(td_capture_open_file(&cap, pcap, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_capture_run(cap, feed, e, err, sizeof err), TD_OK);
	td_capture_close(cap);
	td_engine_finish(e);
	td_engine_free(e);
	td_diagnoser_free(d);
	td_keylog_free(keys);
	CU_ASSERT_EQUAL_FATAL(out->n, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out->c);
}

/* The later handshake's entries, in order, as "s:0 c:1 s:2 ..." (the
 * handshake type of a message, "ccs" for a ChangeCipherSpec, "eN" for
 * an encrypted record of N bytes). */
static void later_entries(const struct td_conn *c, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->phase == TD_PHASE_FIRST)
			continue;
		char one[32];
		char d = e->dir == TD_DIR_C2S ? 'c' : 's';
		if (e->kind == TD_EV_HANDSHAKE)
			snprintf(one, sizeof one, "%s%c:%u", buf[0] ? " " : "", d, e->hs_type);
		else if (e->kind == TD_EV_CCS)
			snprintf(one, sizeof one, "%s%c:ccs", buf[0] ? " " : "", d);
		else
			snprintf(one, sizeof one, "%s%c:e%u", buf[0] ? " " : "", d, e->length);
		strncat(buf, one, len - strlen(buf) - 1);
	}
}

struct later_case {
	const char *name;
	bool keyed;
	/* What the timeline's later entries are: from the facts' flight.5..
	 * lines (tshark), in order. */
	const char *entries;
	uint32_t reneg, pha;
	bool unfinished;
	enum td_outcome outcome;
	const char *code;            /* the root diagnosis, NULL: no error */
	enum td_stage stage;
	enum td_confidence conf;
};

#define RENEG_KEYED_START "s:0 c:1 s:2 s:11 s:12 s:13 s:14 "
#define RENEG_BARE_START "s:e28 c:e275 s:e145 s:e2725 s:e580 s:e118 s:e28 "

static const struct later_case later_cases[] = {
	/* flight.5-9: HelloRequest; ClientHello; ServerHello ... ServerHelloDone;
	 * Certificate ClientKeyExchange CertificateVerify CCS Finished; CCS Finished */
	{ "apache-tls12-reneg-ok", true,
	  RENEG_KEYED_START "c:11 c:16 c:15 c:ccs c:20 s:ccs s:20",
	  1, 0, false, TD_OUTCOME_ESTABLISHED, NULL, 0, 0 },
	{ "apache-tls12-reneg-ok", false,
	  RENEG_BARE_START "c:e1346 c:e61 c:e544 c:ccs c:e40 s:ccs s:e40",
	  1, 0, false, TD_OUTCOME_ESTABLISHED, NULL, 0, 0 },
	/* flight.8: Certificate (empty) ClientKeyExchange CCS Finished; then the
	 * server's handshake_failure */
	{ "apache-tls12-reneg-no-cert", true,
	  RENEG_KEYED_START "c:11 c:16 c:ccs c:20",
	  1, 0, true, TD_OUTCOME_FAILED, "CLIENT_CERT_MISSING", TD_STAGE_CLIENT_CERTIFICATE,
	  TD_CONF_CERTAIN },
	{ "apache-tls12-reneg-no-cert", false,
	  RENEG_BARE_START "c:e31 c:e61 c:ccs c:e40",
	  1, 0, true, TD_OUTCOME_FAILED, "CLIENT_CERT_REJECTED", TD_STAGE_AFTER_HANDSHAKE,
	  TD_CONF_INFERRED },
	{ "apache-tls12-reneg-untrusted", true,
	  RENEG_KEYED_START "c:11 c:16 c:15 c:ccs c:20",
	  1, 0, true, TD_OUTCOME_FAILED, "CLIENT_CERT_UNTRUSTED", TD_STAGE_CLIENT_CERTIFICATE,
	  TD_CONF_CERTAIN },
	{ "apache-tls12-reneg-untrusted", false,
	  RENEG_BARE_START "c:e1359 c:e61 c:e544 c:ccs c:e40",
	  1, 0, true, TD_OUTCOME_FAILED, "CLIENT_CERT_REJECTED", TD_STAGE_AFTER_HANDSHAKE,
	  TD_CONF_INFERRED },
	/* flight.3-4 (decrypted): CertificateRequest; Certificate CertificateVerify Finished */
	{ "apache-tls13-pha-ok", true, "s:13 c:11 c:15 c:20",
	  0, 1, false, TD_OUTCOME_ESTABLISHED, NULL, 0, 0 },
	/* Without keys a successful one is left as it was: application data. */
	{ "apache-tls13-pha-ok", false, "",
	  0, 0, false, TD_OUTCOME_ESTABLISHED, NULL, 0, 0 },
	/* flight.5-7: CertificateRequest; Certificate Finished; certificate_required */
	{ "apache-tls13-pha-no-cert", true, "s:13 c:11 c:20",
	  0, 1, true, TD_OUTCOME_FAILED, "CLIENT_CERT_MISSING", TD_STAGE_CLIENT_CERTIFICATE,
	  TD_CONF_CERTAIN },
	/* Encrypted(142); Encrypted(57) Encrypted(69); then Encrypted(19) */
	{ "apache-tls13-pha-no-cert", false, "s:e142 c:e57 c:e69",
	  0, 1, true, TD_OUTCOME_FAILED, "CLIENT_CERT_REJECTED", TD_STAGE_AFTER_HANDSHAKE,
	  TD_CONF_INFERRED },
	/* A client without post-handshake authentication: Apache's 403, no
	 * later handshake at all; with keys the 403 is read and is the
	 * refusal after the handshake (rules_app.c, captures/real/expected). */
	{ "apache-tls13-no-pha", true, "", 0, 0, false, TD_OUTCOME_ESTABLISHED,
	  "CLIENT_CERT_MISSING", TD_STAGE_AFTER_HANDSHAKE, TD_CONF_CERTAIN },
	{ "apache-tls13-no-pha", false, "", 0, 0, false, TD_OUTCOME_ESTABLISHED, NULL, 0, 0 },
};

static void test_captures(void)
{
	for (size_t i = 0; i < sizeof later_cases / sizeof later_cases[0]; i++) {
		const struct later_case *v = &later_cases[i];
		struct one_sink o;
		run(v->name, v->keyed, &o);
		const struct td_conn *c = o.c;
		char got[512];
		later_entries(c, got, sizeof got);
		if (strcmp(got, v->entries) != 0)
			fprintf(stderr, "\n%s%s: later entries '%s', want '%s'\n", v->name,
				v->keyed ? " -k" : "", got, v->entries);
		CU_ASSERT_STRING_EQUAL(got, v->entries);
		CU_ASSERT_EQUAL(c->renegotiations, v->reneg);
		CU_ASSERT_EQUAL(c->post_handshake_auths, v->pha);
		CU_ASSERT_EQUAL(c->later_unfinished, v->unfinished);
		CU_ASSERT_EQUAL(c->fate.outcome, v->outcome);
		CU_ASSERT_TRUE(c->handshake_done);  /* the first handshake completed */
		const struct td_diagnosis *root = c->fate.root != SIZE_MAX ? &c->diags[c->fate.root]
									  : NULL;
		if (!v->code) {
			CU_ASSERT_PTR_NULL(root);
		} else {
			CU_ASSERT_PTR_NOT_NULL_FATAL(root);
			if (!root)
				return;
			if (strcmp(root->code, v->code) != 0)
				fprintf(stderr, "\n%s%s: root %s, want %s\n", v->name,
					v->keyed ? " -k" : "", root->code, v->code);
			CU_ASSERT_STRING_EQUAL(root->code, v->code);
			CU_ASSERT_EQUAL(root->stage, v->stage);
			CU_ASSERT_EQUAL(root->gave_up, TD_PARTY_SERVER);
			CU_ASSERT_EQUAL(root->confidence, v->conf);
		}
		/* The model keeps the first handshake: its ServerHello (in TLS
		 * 1.2 it carries the ALPN; the renegotiation's has none). */
		if (v->reneg) {
			CU_ASSERT_EQUAL(c->version, TD_VERSION_TLS12);
			CU_ASSERT_PTR_NOT_NULL(c->sh.alpn);
			if (c->sh.alpn)
				CU_ASSERT_STRING_EQUAL(c->sh.alpn, "http/1.1");
		}
		CU_ASSERT_FALSE(c->sh.hrr);
		/* The key log opened every record (the renegotiation's keys
		 * come from the second hellos): no mismatch. */
		for (size_t k = 0; k < c->anomalies.n; k++)
			CU_ASSERT_NOT_EQUAL(c->anomalies.v[k].code, TD_AN_KEYLOG_MISMATCH);
		/* A later handshake's request and the client's chain say so. */
		if (v->keyed && (v->reneg || v->pha)) {
			CU_ASSERT_TRUE(c->cr.present && c->cr.later);
			CU_ASSERT_TRUE(c->client_chain.present && c->client_chain.later);
		}
		one_free(&o.base);
	}
}

/* ---- by hand: the fate and the rule ------------------------------------ */

static void ev(struct td_conn *c, enum td_dir d, enum td_event_kind k, uint32_t len,
	       enum td_phase phase)
{
	struct td_event e = { .ts_us = 1000 + c->n_events, .dir = d, .kind = k, .length = len,
			      .phase = phase, .content_type = TD_CT_HANDSHAKE };
	if (k == TD_EV_ENCRYPTED || k == TD_EV_ALERT)
		e.encrypted = true;
	if (k == TD_EV_ALERT)
		e.content_type = TD_CT_ALERT;
	CU_ASSERT_EQUAL(td_conn_add_event(c, &e, NULL), TD_OK);
}

/* A TLS 1.2 connection whose first handshake completed (the records
 * without keys), then application data from the client. */
static struct td_conn *tls12_done(void)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->tls = true;
	c->ch.present = c->sh.present = true;
	c->version = c->sh.legacy_version = TD_VERSION_TLS12;
	c->cipher = 0xc030;
	c->handshake_done = true;
	struct td_event e = { .dir = TD_DIR_C2S, .kind = TD_EV_HANDSHAKE,
			      .hs_type = TD_HS_CLIENT_HELLO, .content_type = TD_CT_HANDSHAKE };
	CU_ASSERT_EQUAL(td_conn_add_event(c, &e, NULL), TD_OK);
	e = (struct td_event){ .ts_us = 1, .dir = TD_DIR_S2C, .kind = TD_EV_HANDSHAKE,
			       .hs_type = TD_HS_SERVER_HELLO, .content_type = TD_CT_HANDSHAKE };
	CU_ASSERT_EQUAL(td_conn_add_event(c, &e, NULL), TD_OK);
	ev(c, TD_DIR_C2S, TD_EV_CCS, 0, TD_PHASE_FIRST);
	ev(c, TD_DIR_C2S, TD_EV_ENCRYPTED, 40, TD_PHASE_FIRST);
	ev(c, TD_DIR_S2C, TD_EV_CCS, 0, TD_PHASE_FIRST);
	ev(c, TD_DIR_S2C, TD_EV_ENCRYPTED, 40, TD_PHASE_FIRST);
	ev(c, TD_DIR_C2S, TD_EV_APPDATA, 125, TD_PHASE_FIRST);
	return c;
}

/* The renegotiation: who starts it, whether the server answered the
 * client's flight with its CCS. */
static void reneg(struct td_conn *c, enum td_dir starter, bool server_ccs)
{
	enum td_phase R = TD_PHASE_RENEGOTIATION;
	c->renegotiations = 1;
	if (starter == TD_DIR_S2C)
		ev(c, TD_DIR_S2C, TD_EV_ENCRYPTED, 28, R);   /* HelloRequest */
	ev(c, TD_DIR_C2S, TD_EV_ENCRYPTED, 275, R);          /* ClientHello */
	ev(c, TD_DIR_S2C, TD_EV_ENCRYPTED, 2725, R);         /* the server's flight */
	ev(c, TD_DIR_C2S, TD_EV_ENCRYPTED, 31, R);
	ev(c, TD_DIR_C2S, TD_EV_CCS, 0, R);
	ev(c, TD_DIR_C2S, TD_EV_ENCRYPTED, 40, R);
	if (server_ccs) {
		ev(c, TD_DIR_S2C, TD_EV_CCS, 0, R);
		ev(c, TD_DIR_S2C, TD_EV_ENCRYPTED, 40, R);
	}
}

static void judge(struct td_conn *c, bool diagnose)
{
	if (diagnose) {
		struct td_diagnoser *d = diagnoser(false);
		CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
		td_diagnoser_free(d);
	} else {
		td_fate_judge(c, true);
	}
}

static const struct td_diagnosis *first_error(const struct td_conn *c)
{
	return c->fate.root != SIZE_MAX ? &c->diags[c->fate.root] : NULL;
}

/* The server refused the client's renegotiation flight: failed, and
 * CLIENT_CERT_REJECTED (inferred) pointing at the renegotiation and the
 * alert. */
static void test_reneg_refused(void)
{
	struct td_conn *c = tls12_done();
	reneg(c, TD_DIR_S2C, false);
	size_t alert = c->n_events;
	ev(c, TD_DIR_S2C, TD_EV_ALERT, 26, TD_PHASE_FIRST);
	ev(c, TD_DIR_S2C, TD_EV_TCP_FIN, 0, TD_PHASE_FIRST);
	c->later_unfinished = true;
	judge(c, true);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_FAILED);
	size_t at = SIZE_MAX;
	CU_ASSERT_TRUE(td_fate_later_failed(c, &at));
	CU_ASSERT_EQUAL(at, alert);
	const struct td_diagnosis *g = first_error(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	if (!g)
		return;
	CU_ASSERT_STRING_EQUAL(g->code, "CLIENT_CERT_REJECTED");
	CU_ASSERT_EQUAL(g->stage, TD_STAGE_AFTER_HANDSHAKE);
	CU_ASSERT_EQUAL(g->gave_up, TD_PARTY_SERVER);
	CU_ASSERT_EQUAL(g->confidence, TD_CONF_INFERRED);
	bool points_at_alert = false;
	for (size_t i = 0; i < g->n_events; i++)
		points_at_alert = points_at_alert || g->events[i] == alert;
	CU_ASSERT_TRUE(points_at_alert);
	CU_ASSERT_PTR_NOT_NULL(strstr(g->fix, "-k"));
	td_conn_free(c);
}

/* A renegotiation that completed (both CCS): the client's later close is
 * no failure; the engine says it finished (later_unfinished false). */
static void test_reneg_completed(void)
{
	struct td_conn *c = tls12_done();
	reneg(c, TD_DIR_S2C, true);
	ev(c, TD_DIR_S2C, TD_EV_APPDATA, 246, TD_PHASE_FIRST);
	ev(c, TD_DIR_C2S, TD_EV_ALERT, 26, TD_PHASE_FIRST);   /* close_notify, encrypted */
	ev(c, TD_DIR_C2S, TD_EV_TCP_FIN, 0, TD_PHASE_FIRST);
	judge(c, true);
	CU_ASSERT_FALSE(td_fate_later_failed(c, NULL));
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_ESTABLISHED);
	td_conn_free(c);
}

/* The client started the renegotiation (no HelloRequest): the server's
 * refusal is no request for a certificate, so no CLIENT_CERT_REJECTED;
 * the connection still failed in it. */
static void test_reneg_client_started(void)
{
	struct td_conn *c = tls12_done();
	reneg(c, TD_DIR_C2S, false);
	ev(c, TD_DIR_S2C, TD_EV_ALERT, 26, TD_PHASE_FIRST);
	ev(c, TD_DIR_S2C, TD_EV_TCP_FIN, 0, TD_PHASE_FIRST);
	c->later_unfinished = true;
	judge(c, true);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_FAILED);
	for (size_t i = 0; i < c->n_diags; i++)
		CU_ASSERT_STRING_NOT_EQUAL(c->diags[i].code, "CLIENT_CERT_REJECTED");
	td_conn_free(c);
}

/* A client whose renegotiation the server ignored, then an encrypted
 * alert from the client (close_notify or not, it cannot be told) and a
 * close: no failure (a STARTTLS capture of the Wireshark samples). */
static void test_reneg_ignored(void)
{
	struct td_conn *c = tls12_done();
	c->renegotiations = 1;
	c->later_unfinished = true;
	ev(c, TD_DIR_C2S, TD_EV_ENCRYPTED, 432, TD_PHASE_RENEGOTIATION);
	ev(c, TD_DIR_C2S, TD_EV_ALERT, 48, TD_PHASE_FIRST);
	ev(c, TD_DIR_C2S, TD_EV_TCP_FIN, 0, TD_PHASE_FIRST);
	ev(c, TD_DIR_S2C, TD_EV_TCP_FIN, 0, TD_PHASE_FIRST);
	CU_ASSERT_FALSE(td_fate_later_failed(c, NULL));
	judge(c, true);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_ESTABLISHED);
	/* A fatal alert read is one whoever sends it. */
	c->events[c->n_events - 3].encrypted = false;
	c->events[c->n_events - 3].alert_level = 2;
	c->events[c->n_events - 3].alert_desc = 40;
	CU_ASSERT_TRUE(td_fate_later_failed(c, NULL));
	td_conn_free(c);
}

/* An encrypted alert before any later handshake is not one that stopped
 * it: the later handshake's own end decides. */
static void test_alert_before_later(void)
{
	struct td_conn *c = tls12_done();
	ev(c, TD_DIR_C2S, TD_EV_ALERT, 26, TD_PHASE_FIRST);
	ev(c, TD_DIR_S2C, TD_EV_ENCRYPTED, 28, TD_PHASE_RENEGOTIATION);
	ev(c, TD_DIR_C2S, TD_EV_ENCRYPTED, 275, TD_PHASE_RENEGOTIATION);
	c->renegotiations = 1;
	c->later_unfinished = true;
	CU_ASSERT_FALSE(td_fate_later_failed(c, NULL));
	/* ...and nothing at all without the engine's word. */
	c->later_unfinished = false;
	ev(c, TD_DIR_S2C, TD_EV_ALERT, 26, TD_PHASE_FIRST);
	CU_ASSERT_FALSE(td_fate_later_failed(c, NULL));
	c->later_unfinished = true;
	CU_ASSERT_TRUE(td_fate_later_failed(c, NULL));
	td_conn_free(c);
}

/* TLS 1.3: the server's alert-sized record after the client's
 * post-handshake flight stops it. */
static void test_pha_refused(void)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->tls = c->ch.present = c->sh.present = true;
	c->version = c->sh.selected_version = TD_VERSION_TLS13;
	c->cipher = 0x1302;
	c->handshake_done = true;
	enum td_phase P = TD_PHASE_POST_HANDSHAKE_AUTH;
	ev(c, TD_DIR_C2S, TD_EV_APPDATA, 118, TD_PHASE_FIRST);
	ev(c, TD_DIR_S2C, TD_EV_ENCRYPTED, 142, P);
	ev(c, TD_DIR_C2S, TD_EV_ENCRYPTED, 57, P);
	ev(c, TD_DIR_C2S, TD_EV_ENCRYPTED, 69, P);
	size_t alert = c->n_events;
	ev(c, TD_DIR_S2C, TD_EV_ENCRYPTED, 19, TD_PHASE_FIRST);
	ev(c, TD_DIR_S2C, TD_EV_TCP_FIN, 0, TD_PHASE_FIRST);
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].kind == TD_EV_ENCRYPTED)
			c->events[i].content_type = TD_CT_APPLICATION_DATA;
	c->post_handshake_auths = 1;
	c->later_unfinished = true;
	judge(c, true);
	size_t at = SIZE_MAX;
	CU_ASSERT_TRUE(td_fate_later_failed(c, &at));
	CU_ASSERT_EQUAL(at, alert);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_FAILED);
	const struct td_diagnosis *g = first_error(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	if (!g)
		return;
	CU_ASSERT_STRING_EQUAL(g->code, "CLIENT_CERT_REJECTED");
	CU_ASSERT_EQUAL(g->confidence, TD_CONF_INFERRED);
	CU_ASSERT_PTR_NOT_NULL(strstr(g->summary, "post-handshake"));
	td_conn_free(c);
}

void td_suite_later(void)
{
	CU_pSuite s = td_test_suite("later handshakes");
	td_test_add(s, "Apache renegotiation and PHA captures", test_captures);
	td_test_add(s, "renegotiation refused: CLIENT_CERT_REJECTED", test_reneg_refused);
	td_test_add(s, "renegotiation completed: established", test_reneg_completed);
	td_test_add(s, "renegotiation the client started", test_reneg_client_started);
	td_test_add(s, "renegotiation ignored by the server", test_reneg_ignored);
	td_test_add(s, "an alert before the later handshake", test_alert_before_later);
	td_test_add(s, "post-handshake authentication refused", test_pha_refused);
}
