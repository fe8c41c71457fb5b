/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_fate.c - td_fate_judge() (diagnose.h): the one place that decides
 * how a connection ended (conn.h, struct td_fate), table-driven over
 * connections built event by event.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "conn.h"
#include "diagnose.h"
#include "tests.h"
#include "tls_names.h"

enum { FATAL = 2, WARNING = 1, UNKNOWN_CA = 48, CLOSE_NOTIFY = 0, DECODE_ERROR = 50,
       BAD_CERT = 42, NO = SIZE_MAX };
#define MAX_EV 14

/* One timeline entry: ALERT level/desc, ENCRYPTED/APPDATA length. */
struct ev {
	bool used;             /* false: past the last entry */
	enum td_dir dir;
	enum td_event_kind kind;
	uint8_t hs;            /* handshake type */
	uint8_t level, desc;   /* alert */
	uint32_t len;          /* encrypted record length */
	bool enc;              /* the alert was encrypted and not decrypted */
};

struct fate_case {
	const char *name;
	struct ev ev[MAX_EV];
	bool tls13;            /* the ServerHello chose TLS 1.3 */
	bool done;             /* the engine: handshake_done */
	bool quit;             /* the engine: client_quit_after_handshake */
	bool resumed;          /* the ServerHello resumed (PSK) */
	bool cleartext;        /* the client sent cleartext */
	bool upgraded;         /* STARTTLS upgraded, and the client wrote bytes that are
				  not TLS after TLS began (TD_AN_NON_TLS_BYTES) */
	bool alpn;             /* the client offered ALPN */
	bool late;             /* the last two events come 5 s after the others */
	int diag;              /* -1: none, else a diagnosis of that severity */
	enum td_stop stop;
	bool live;             /* judged as a live update */
	/* The fate wanted. */
	enum td_outcome outcome;
	size_t end;
	enum td_end how;
	enum td_party by;
	enum td_party first_closer;
	size_t reaction;       /* 0: none (no case has a reaction at entry 0) */
	enum td_quit want_quit;
	enum td_quit_sign sign;
	size_t quit_at;        /* 0: none */
};

#define C TD_DIR_C2S
#define S TD_DIR_S2C
#define SYN { true, C, TD_EV_TCP_SYN, 0, 0, 0, 0, false }
#define SYNACK { true, S, TD_EV_TCP_SYNACK, 0, 0, 0, 0, false }
#define CH { true, C, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 0, 0, 0, false }
#define SH { true, S, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO, 0, 0, 0, false }
#define CERT(d) { true, d, TD_EV_HANDSHAKE, TD_HS_CERTIFICATE, 0, 0, 0, false }
#define CCS(d) { true, d, TD_EV_CCS, 0, 0, 0, 1, false }
#define FIN(d) { true, d, TD_EV_TCP_FIN, 0, 0, 0, 0, false }
#define RST(d) { true, d, TD_EV_TCP_RST, 0, 0, 0, 0, false }
#define ALERT(d, lv, ds) { true, d, TD_EV_ALERT, 0, lv, ds, 2, false }
#define ENC_ALERT(d) { true, d, TD_EV_ALERT, 0, FATAL, UNKNOWN_CA, 26, true }
#define REC(d, n) { true, d, TD_EV_ENCRYPTED, 0, 0, 0, n, false }
#define DATA(d, n) { true, d, TD_EV_APPDATA, 0, 0, 0, n, false }

static const struct fate_case cases[] = {
	{ "fatal alert from the server", { SYN, SYNACK, CH, SH, CERT(S), ALERT(S, FATAL, UNKNOWN_CA),
	  FIN(S), FIN(C) }, .diag = TD_SEV_ERROR,
	  .outcome = TD_OUTCOME_FAILED, .end = 5, .how = TD_END_FATAL_ALERT,
	  .by = TD_PARTY_SERVER, .first_closer = TD_PARTY_SERVER },
	{ "fatal alert from the client", { SYN, SYNACK, CH, SH, CERT(S), ALERT(C, FATAL, UNKNOWN_CA),
	  RST(C) }, .diag = TD_SEV_ERROR,
	  .outcome = TD_OUTCOME_FAILED, .end = 5, .how = TD_END_FATAL_ALERT,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT },
	{ "FIN first from the client", { SYN, SYNACK, CH, SH, FIN(C), FIN(S) }, .diag = -1,
	  .outcome = TD_OUTCOME_FAILED, .end = 4, .how = TD_END_FIN,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT },
	{ "FIN first from the server", { SYN, SYNACK, CH, FIN(S), FIN(C) }, .diag = -1,
	  .outcome = TD_OUTCOME_FAILED, .end = 3, .how = TD_END_FIN,
	  .by = TD_PARTY_SERVER, .first_closer = TD_PARTY_SERVER },
	/* Causality (issue 15): the first close in time ended it; a reset
	 * after the peer's FIN is its echo (a kernel with unread data). */
	{ "reset after a FIN", { SYN, SYNACK, CH, FIN(C), RST(S) }, .diag = -1,
	  .outcome = TD_OUTCOME_FAILED, .end = 3, .how = TD_END_FIN,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT },
	{ "refused: SYN answered by a reset", { SYN, RST(S) }, .diag = TD_SEV_ERROR,
	  .outcome = TD_OUTCOME_FAILED, .end = 1, .how = TD_END_RST,
	  .by = TD_PARTY_SERVER, .first_closer = TD_PARTY_SERVER },
	/* Causality: an alert after the peer's FIN is a reaction to it, not
	 * the reason; the FIN's sender gave up first. */
	{ "fatal alert after the peer's FIN", { SYN, SYNACK, CH, SH, FIN(S),
	  ALERT(C, FATAL, UNKNOWN_CA) }, .diag = TD_SEV_ERROR,
	  .outcome = TD_OUTCOME_FAILED, .end = 4, .how = TD_END_FIN,
	  .by = TD_PARTY_SERVER, .first_closer = TD_PARTY_SERVER, .reaction = 5 },
	/* ...the OpenSSL server's way: the client hangs up after the
	 * server's flight, the server answers the FIN with an alert. */
	{ "the server's alert answers the client's FIN", { SYN, SYNACK, CH, SH, CERT(S),
	  FIN(C), ALERT(S, FATAL, DECODE_ERROR), FIN(S) }, .diag = -1,
	  .outcome = TD_OUTCOME_FAILED, .end = 5, .how = TD_END_FIN,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT, .reaction = 6 },
	/* ...and after a RST, even an encrypted alert answers it. */
	{ "encrypted alert after the peer's RST", { CH, SH, REC(S, 2000), RST(C), ENC_ALERT(S) },
	  .tls13 = true, .diag = -1, .outcome = TD_OUTCOME_FAILED, .end = 3, .how = TD_END_RST,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT, .reaction = 4 },
	/* A client's FIN after its whole flight is a half-close: the
	 * server's alert that follows judges that flight. */
	{ "alert after the client's half-close", { CH, SH, CERT(S), CCS(C), FIN(C),
	  ALERT(S, FATAL, UNKNOWN_CA) }, .diag = -1,
	  .outcome = TD_OUTCOME_FAILED, .end = 5, .how = TD_END_FATAL_ALERT,
	  .by = TD_PARTY_SERVER, .first_closer = TD_PARTY_CLIENT },
	/* The alert came first: the RST after it is its consequence. */
	{ "RST after an alert", { SYN, SYNACK, CH, SH, CERT(S), ALERT(C, FATAL, UNKNOWN_CA),
	  RST(S) }, .diag = -1, .outcome = TD_OUTCOME_FAILED, .end = 5,
	  .how = TD_END_FATAL_ALERT, .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_SERVER },
	/* Both close_notify after data: established, nobody gave up. */
	{ "both close_notify", { CH, SH, DATA(C, 300), DATA(S, 900),
	  ALERT(C, WARNING, CLOSE_NOTIFY), ALERT(S, WARNING, CLOSE_NOTIFY), FIN(C), FIN(S) },
	  .done = true, .diag = -1, .outcome = TD_OUTCOME_ESTABLISHED, .end = 6,
	  .how = TD_END_FIN, .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT },
	{ "incomplete: the capture ended mid-handshake", { SYN, SYNACK, CH, SH }, .diag = -1,
	  .stop = TD_STOP_CAPTURE_END, .outcome = TD_OUTCOME_INCOMPLETE, .end = NO,
	  .how = TD_END_CAPTURE, .by = TD_PARTY_NOBODY, .first_closer = TD_PARTY_NOBODY },
	{ "incomplete: the idle timeout", { CH }, .diag = -1, .stop = TD_STOP_IDLE,
	  .outcome = TD_OUTCOME_INCOMPLETE, .end = NO, .how = TD_END_IDLE,
	  .by = TD_PARTY_NOBODY, .first_closer = TD_PARTY_NOBODY },
	/* The same, but a rule found why it stopped: that is a verdict. */
	{ "stopped with an error diagnosis", { SYN, SYNACK, CH }, .diag = TD_SEV_ERROR,
	  .stop = TD_STOP_CAPTURE_END, .outcome = TD_OUTCOME_FAILED, .end = NO,
	  .how = TD_END_CAPTURE, .by = TD_PARTY_NOBODY, .first_closer = TD_PARTY_NOBODY },
	{ "stopped with a warning only", { SYN, SYNACK, CH }, .diag = TD_SEV_WARNING,
	  .stop = TD_STOP_CAPTURE_END, .outcome = TD_OUTCOME_INCOMPLETE, .end = NO,
	  .how = TD_END_CAPTURE, .by = TD_PARTY_NOBODY, .first_closer = TD_PARTY_NOBODY },
	{ "picked up after its handshake, then closed", { DATA(C, 100), FIN(C) }, .diag = -1,
	  .outcome = TD_OUTCOME_INCOMPLETE, .end = 1, .how = TD_END_FIN,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT },
	{ "established, then a normal close", { SYN, SYNACK, CH, SH, DATA(C, 300),
	  ALERT(C, WARNING, CLOSE_NOTIFY), FIN(C), FIN(S) }, .done = true, .diag = -1,
	  .outcome = TD_OUTCOME_ESTABLISHED, .end = 6, .how = TD_END_FIN,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT },
	/* An error diagnosis does not undo a handshake that completed. */
	{ "established with an error diagnosis", { CH, SH, DATA(C, 300) }, .done = true,
	  .diag = TD_SEV_ERROR, .outcome = TD_OUTCOME_ESTABLISHED, .end = NO,
	  .how = TD_END_NONE, .by = TD_PARTY_NOBODY, .first_closer = TD_PARTY_NOBODY },
	{ "resumed", { SYN, SYNACK, CH, SH, DATA(C, 300) }, .tls13 = true, .done = true,
	  .resumed = true, .diag = -1, .outcome = TD_OUTCOME_ESTABLISHED, .end = NO,
	  .how = TD_END_NONE, .by = TD_PARTY_NOBODY, .first_closer = TD_PARTY_NOBODY },
	/* Established means established: a client that completes the
	 * handshake and leaves without data is a probe unless something
	 * says it refused the server (TD_QUIT_CLOSED). */
	{ "a probe leaves right after the handshake", { CH, SH, REC(C, 19), FIN(C), FIN(S) },
	  .tls13 = true, .done = true, .quit = true, .diag = -1,
	  .outcome = TD_OUTCOME_ESTABLISHED, .end = 2, .how = TD_END_ALERT_SIZED,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT,
	  .want_quit = TD_QUIT_CLOSED, .quit_at = 2 },
	{ "a health check resets right after the handshake", { CH, SH, REC(S, 2000),
	  REC(C, 69), REC(S, 74), RST(C) }, .tls13 = true, .done = true, .quit = true,
	  .diag = -1, .outcome = TD_OUTCOME_ESTABLISHED, .end = 5, .how = TD_END_RST,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT,
	  .want_quit = TD_QUIT_CLOSED, .quit_at = 5 },
	/* ...a client that offered ALPN meant to send a request: leaving at
	 * once instead is a refusal (curl on a name mismatch). */
	{ "an HTTP client leaves right after the handshake", { CH, SH, REC(C, 19), FIN(C) },
	  .tls13 = true, .done = true, .quit = true, .alpn = true, .diag = TD_SEV_ERROR,
	  .outcome = TD_OUTCOME_FAILED, .end = 2, .how = TD_END_ALERT_SIZED,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT,
	  .want_quit = TD_QUIT_REJECTED, .sign = TD_SIGN_APP_PROTOCOL, .quit_at = 2 },
	/* ...but not when it drops the connection with a bare FIN, no alert
	 * (Chromium closing the spare one of two raced connections). */
	{ "a browser drops a spare connection", { CH, SH, REC(S, 2000), REC(C, 53), FIN(C) },
	  .tls13 = true, .done = true, .quit = true, .alpn = true, .diag = -1,
	  .outcome = TD_OUTCOME_ESTABLISHED, .end = 4, .how = TD_END_FIN,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT,
	  .want_quit = TD_QUIT_CLOSED, .quit_at = 4 },
	/* ...but a STARTTLS client that writes bytes that are not TLS and
	 * then its FIN left the session itself (libldap's unbindRequest in
	 * clear after its name check failed). */
	{ "an upgraded client leaves in clear", { CH, SH, REC(S, 2000), REC(C, 69), FIN(C),
	  REC(S, 19) }, .tls13 = true, .done = true, .quit = true, .upgraded = true,
	  .diag = TD_SEV_ERROR, .outcome = TD_OUTCOME_FAILED, .end = 5,
	  .how = TD_END_ALERT_SIZED, .by = TD_PARTY_SERVER, .first_closer = TD_PARTY_CLIENT,
	  .want_quit = TD_QUIT_REJECTED, .sign = TD_SIGN_APP_PROTOCOL, .quit_at = 4 },
	/* ...nor when it leaves an idle connection seconds later. */
	{ "an HTTP client closes an idle connection", { CH, SH, REC(C, 19), FIN(C) },
	  .tls13 = true, .done = true, .quit = true, .alpn = true, .late = true, .diag = -1,
	  .outcome = TD_OUTCOME_ESTABLISHED, .end = 2, .how = TD_END_ALERT_SIZED,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT,
	  .want_quit = TD_QUIT_CLOSED, .quit_at = 2 },
	/* ...and an alert read that is not close_notify says it outright. */
	{ "a warning alert right after the handshake", { CH, SH, ALERT(C, WARNING, BAD_CERT),
	  FIN(C) }, .done = true, .quit = true, .diag = -1,
	  .outcome = TD_OUTCOME_FAILED, .end = 3, .how = TD_END_FIN,
	  .by = TD_PARTY_CLIENT, .first_closer = TD_PARTY_CLIENT,
	  .want_quit = TD_QUIT_REJECTED, .sign = TD_SIGN_ALERT, .quit_at = 2 },
	/* The server left first: the client's close answers it. */
	{ "the server closes first after the handshake", { CH, SH, FIN(S), FIN(C) },
	  .done = true, .quit = true, .alpn = true, .diag = -1,
	  .outcome = TD_OUTCOME_ESTABLISHED, .end = 2, .how = TD_END_FIN,
	  .by = TD_PARTY_SERVER, .first_closer = TD_PARTY_SERVER },
	{ "a fatal alert after the handshake", { CH, SH, DATA(C, 300),
	  ALERT(S, FATAL, UNKNOWN_CA) }, .done = true, .diag = -1,
	  .outcome = TD_OUTCOME_FAILED, .end = 3, .how = TD_END_FATAL_ALERT,
	  .by = TD_PARTY_SERVER, .first_closer = TD_PARTY_NOBODY },
	/* TLS 1.3 without keys: the server's flight, the client's, then an
	 * alert-sized record from the server and its close. */
	{ "alert-sized record without keys", { SYN, SYNACK, CH, SH, REC(S, 2000), REC(C, 60),
	  REC(S, 19), FIN(S), FIN(C) }, .tls13 = true, .diag = TD_SEV_ERROR,
	  .outcome = TD_OUTCOME_FAILED, .end = 6, .how = TD_END_ALERT_SIZED,
	  .by = TD_PARTY_SERVER, .first_closer = TD_PARTY_SERVER },
	/* ...that a longer record from the same side shows was data. */
	{ "alert-sized record, then data", { CH, SH, REC(S, 19), REC(S, 500), FIN(S) },
	  .tls13 = true, .diag = -1, .outcome = TD_OUTCOME_FAILED, .end = 4, .how = TD_END_FIN,
	  .by = TD_PARTY_SERVER, .first_closer = TD_PARTY_SERVER },
	/* TLS 1.2: an alert record after ChangeCipherSpec, not decrypted. */
	{ "encrypted alert from the server", { CH, SH, ENC_ALERT(S), RST(C) }, .diag = -1,
	  .outcome = TD_OUTCOME_FAILED, .end = 2, .how = TD_END_ENCRYPTED_ALERT,
	  .by = TD_PARTY_SERVER, .first_closer = TD_PARTY_CLIENT },
	{ "SYN never answered", { SYN, SYN }, .diag = -1, .stop = TD_STOP_IDLE,
	  .outcome = TD_OUTCOME_FAILED, .end = NO, .how = TD_END_IDLE,
	  .by = TD_PARTY_NOBODY, .first_closer = TD_PARTY_NOBODY },
	/* Live, the answer may still come. */
	{ "SYN not answered yet (live)", { SYN }, .diag = -1, .live = true,
	  .outcome = TD_OUTCOME_INCOMPLETE, .end = NO, .how = TD_END_NONE,
	  .by = TD_PARTY_NOBODY, .first_closer = TD_PARTY_NOBODY },
	{ "cleartext to a TLS port, then a close", { SYN, SYNACK, FIN(S) }, .cleartext = true,
	  .diag = -1, .outcome = TD_OUTCOME_FAILED, .end = 2, .how = TD_END_FIN,
	  .by = TD_PARTY_SERVER, .first_closer = TD_PARTY_SERVER },
};

static struct td_conn *build(const struct fate_case *k)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (size_t i = 0; i < MAX_EV && k->ev[i].used; i++) {
		const struct ev *x = &k->ev[i];
		size_t n = 0;
		while (n < MAX_EV && k->ev[n].used)
			n++;
		uint64_t ts = 1000u * i + (k->late && i + 2 >= n ? 5000000u : 0u);
		struct td_event e = { .ts_us = ts, .dir = x->dir, .kind = x->kind, .hs_type = x->hs,
				      .alert_level = x->level, .alert_desc = x->desc,
				      .length = x->len, .encrypted = x->enc };
		if (x->kind == TD_EV_ENCRYPTED || x->kind == TD_EV_APPDATA) {
			e.content_type = TD_CT_APPLICATION_DATA;
			e.encrypted = true;
		}
		if (x->kind == TD_EV_HANDSHAKE && x->hs == TD_HS_CLIENT_HELLO)
			c->ch.present = true;
		if (x->kind == TD_EV_HANDSHAKE && x->hs == TD_HS_SERVER_HELLO) {
			c->sh.present = true;
			c->version = k->tls13 ? TD_VERSION_TLS13 : TD_VERSION_TLS12;
			c->sh.psk = k->resumed;
		}
		CU_ASSERT_EQUAL_FATAL(td_conn_add_event(c, &e, NULL), TD_OK);
	}
	c->handshake_done = k->done;
	c->client_quit_after_handshake = k->quit;
	c->stop = k->stop;
	if (k->alpn)
		CU_ASSERT_EQUAL_FATAL(td_strlist_add(&c->ch.alpn, "http/1.1"), TD_OK);
	if (k->cleartext) {
		c->cleartext[TD_DIR_C2S] = strdup("GET / HTTP/1.1");
		CU_ASSERT_PTR_NOT_NULL_FATAL(c->cleartext[TD_DIR_C2S]);
	}
	if (k->upgraded) {
		c->starttls.result = TD_STLS_UPGRADED;
		CU_ASSERT_EQUAL_FATAL(td_anomalies_add(&c->anomalies, TD_AN_NON_TLS_BYTES,
						       TD_DIR_C2S, 7, "0", NULL), TD_OK);
	}
	if (k->diag >= 0) {
		struct td_diagnosis d = { .code = "SOME_CODE", .severity = (enum td_severity)k->diag };
		CU_ASSERT_EQUAL_FATAL(td_conn_add_diagnosis(c, &d), TD_OK);
	}
	return c;
}

static void test_table(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct fate_case *k = &cases[i];
		struct td_conn *c = build(k);
		td_fate_judge(c, !k->live);
		const struct td_fate *f = &c->fate;
		bool ok = f->judged && f->final == !k->live && f->outcome == k->outcome &&
			  f->end == k->end && f->how == k->how && f->by == k->by &&
			  f->first_closer == k->first_closer &&
			  f->root == (k->diag == TD_SEV_ERROR ? 0 : NO) &&
			  f->reaction == (k->reaction ? k->reaction : NO) &&
			  f->quit == k->want_quit && f->quit_sign == k->sign &&
			  f->quit_at == (k->quit_at ? k->quit_at : NO);
		if (!ok)
			fprintf(stderr, "\nfate case \"%s\": outcome %s end %zu how %d by %d first %d "
				"root %zu reaction %zu quit %d sign %d at %zu\n", k->name,
				td_outcome_name(f->outcome), f->end, (int)f->how, (int)f->by,
				(int)f->first_closer, f->root, f->reaction, (int)f->quit,
				(int)f->quit_sign, f->quit_at);
		CU_ASSERT_TRUE(ok);
		/* Judging again changes nothing. */
		struct td_fate again = c->fate;
		td_fate_judge(c, !k->live);
		CU_ASSERT_EQUAL(memcmp(&again, &c->fate, sizeof again), 0);
		td_conn_free(c);
	}
}

/* A new connection's fate is unjudged and points at nothing; a copy
 * keeps the fate. */
static void test_new_and_clone(void)
{
	struct td_conn *c = td_conn_new(7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FALSE(c->fate.judged);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_INCOMPLETE);
	CU_ASSERT_EQUAL(c->fate.end, NO);
	CU_ASSERT_EQUAL(c->fate.root, NO);
	td_test_event(c, 0, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 200, NULL);
	td_test_event(c, 5, TD_DIR_S2C, TD_EV_TCP_RST, 0, 0, NULL);
	c->ch.present = true;
	td_fate_judge(c, true);
	struct td_conn *d = td_conn_clone(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(memcmp(&c->fate, &d->fate, sizeof c->fate), 0);
	CU_ASSERT_EQUAL(d->fate.outcome, TD_OUTCOME_FAILED);
	CU_ASSERT_EQUAL(d->fate.how, TD_END_RST);
	td_conn_free(d);
	td_conn_free(c);
}

void td_suite_fate(void)
{
	CU_pSuite s = td_test_suite("fate");
	td_test_add(s, "how connections end", test_table);
	td_test_add(s, "a new connection and a copy", test_new_and_clone);
}
