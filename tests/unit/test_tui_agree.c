/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tui_agree.c - the live view's verdict per connection, for
 * tests/e2e/fate-agree.sh (the view itself is drawn through a terminal;
 * its rows are its model, tui_int.h).
 *
 * A capture runs through an engine configured as tlsdiag configures it
 * (diagnoser with the system store, key log when given, ordered) into a
 * TUI model fed as the view feeds it: conn_update while a connection
 * runs, conn_done at its end.  Each row then gives "ID STATE CLASS": the
 * state the list shows ("established", "failed", "incomplete") and
 * whether the row is drawn as a failure ("fail") or not ("-").
 *
 * Suite "tui-verdicts": with TD_TUI_VERDICTS_PCAP (and
 * TD_TUI_VERDICTS_KEYLOG, optional) it writes those lines for that
 * capture to TD_TUI_VERDICTS_OUT; without, it checks on a lab capture
 * that the rows agree with the fate of the connections they copy.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "../../src/tui/tui_int.h"
#include "capture.h"
#include "diagnose.h"
#include "engine.h"
#include "keylog.h"
#include "tests.h"

struct tui_sink {
	struct td_sink base;   /* first */
	struct td_tui_model m;
	uint64_t done_failed;  /* conn_done with a failed fate, for the self-check */
};

static void ts_update(struct td_sink *s, const struct td_conn *c)
{
	struct tui_sink *t = (struct tui_sink *)s;
	CU_ASSERT_EQUAL(td_tui_model_update(&t->m, c, false), TD_OK);
}

static void ts_done(struct td_sink *s, const struct td_conn *c)
{
	struct tui_sink *t = (struct tui_sink *)s;
	CU_ASSERT_TRUE(c->fate.judged && c->fate.final);
	t->done_failed += c->fate.outcome == TD_OUTCOME_FAILED;
	CU_ASSERT_EQUAL(td_tui_model_update(&t->m, c, true), TD_OK);
}

static void ts_free(struct td_sink *s)
{
	(void)s;
}

static void feed(void *ctx, enum td_link link, uint64_t ts_us, const uint8_t *data,
		 size_t caplen, size_t wirelen)
{
	td_engine_frame(ctx, link, ts_us, data, caplen, wirelen);
}

/* Run pcap (keylog: NULL for none) into t's model. */
static void run(struct tui_sink *t, const char *pcap, const char *keylog)
{
	char err[512] = "";
	memset(t, 0, sizeof *t);
	t->base.conn_update = ts_update;
	t->base.conn_done = ts_done;
	t->base.free = ts_free;
	CU_ASSERT_EQUAL_FATAL(td_tui_model_init(&t->m, 1u << 16, (size_t)1 << 32), TD_OK);
	struct td_diag_opts dopts;
	memset(&dopts, 0, sizeof dopts);
	struct td_diagnoser *dg = NULL;
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&dg, &dopts, err, sizeof err), TD_OK);
	struct td_keylog *kl = NULL;
	if (keylog) {
		kl = td_keylog_new();
		CU_ASSERT_PTR_NOT_NULL_FATAL(kl);
		CU_ASSERT_EQUAL_FATAL(td_keylog_load_file(kl, keylog, err, sizeof err), TD_OK);
	}
	struct td_config cfg;
	td_config_defaults(&cfg);
	cfg.diagnoser = dg;
	cfg.keylog = kl;
	cfg.ordered = true;
	struct td_engine *e = td_engine_new(&cfg, &t->base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	struct td_capture *cap = NULL;
	if (td_capture_open_file(&cap, pcap, err, sizeof err) == TD_OK) {
		/* A capture cut short still reports what it held, as tlsdiag does. */
		enum td_result r = td_capture_run(cap, feed, e, err, sizeof err);
		if (r != TD_OK)
			td_engine_note_truncated(e, err);
		td_capture_close(cap);
	}
	td_engine_finish(e);
	td_engine_free(e);
	td_keylog_free(kl);
	td_diagnoser_free(dg);
}

static const char *state_word(enum td_tui_state s)
{
	return s == TD_TUI_ST_ESTABLISHED ? "established" : s == TD_TUI_ST_FAILED ? "failed"
		: s == TD_TUI_ST_INCOMPLETE ? "incomplete" : "running";
}

static void test_verdicts(void)
{
	const char *pcap = getenv("TD_TUI_VERDICTS_PCAP");
	const char *out = getenv("TD_TUI_VERDICTS_OUT");
	const char *keylog = getenv("TD_TUI_VERDICTS_KEYLOG");
	char lab[4200], labkeys[4200];
	if (!pcap || !out) {
		snprintf(lab, sizeof lab, "%s/../../../captures/tls13-client-cert-missing.pcap",
			 td_test_datadir());
		snprintf(labkeys, sizeof labkeys, "%s/../../../captures/tls13-client-cert-missing.keylog",
			 td_test_datadir());
		pcap = lab;
		keylog = labkeys;
		out = NULL;
	}
	static struct tui_sink t;
	run(&t, pcap, keylog && *keylog ? keylog : NULL);
	FILE *f = out ? fopen(out, "w") : NULL;
	CU_ASSERT_TRUE(!out || f);
	uint64_t failed = 0;
	for (uint64_t s = t.m.head; s < t.m.next; s++) {
		const struct td_tui_row *r = td_tui_model_row(&t.m, s);
		if (!r)
			continue;
		CU_ASSERT_TRUE(r->done);
		failed += r->cls == TD_TUI_FAIL;
		/* The row's state and colour are the fate of the copy it keeps. */
		if (r->conn)
			CU_ASSERT_EQUAL(r->state, td_tui_state_of(r->conn, true));
		CU_ASSERT_EQUAL(r->cls == TD_TUI_FAIL, r->state == TD_TUI_ST_FAILED);
		if (f)
			fprintf(f, "%llu %s %s\n", (unsigned long long)r->id, state_word(r->state),
				r->cls == TD_TUI_FAIL ? "fail" : "-");
	}
	CU_ASSERT_EQUAL(failed, t.done_failed);
	CU_ASSERT_EQUAL(t.m.failures, t.done_failed);
	if (!out)
		CU_ASSERT_EQUAL(failed, 1);  /* certificate_required, decrypted */
	if (f)
		fclose(f);
	td_tui_model_cleanup(&t.m);
}

void td_suite_tui_agree(void)
{
	CU_pSuite s = td_test_suite("tui-verdicts");
	td_test_add(s, "the live view's verdicts", test_verdicts);
}
