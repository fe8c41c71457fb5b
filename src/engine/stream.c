/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream.c - streaming reports (engine.h: td_config.stream): a TLS
 * connection reported to the sink as soon as its handshake's outcome is
 * known, on a copy, while the flow goes on; emit() (engine.c) hands its
 * final state to the sink's conn_end when it ends.  Which flows are due
 * is kept by flow.c (td_fl_established, the due list) and records' fatal
 * alerts (td_engine.report_now).
 */
#include "config.h"

#include "conn.h"
#include "diagnose.h"
#include "flow.h"
#include "infer.h"
#include "sink.h"

/*
 * Streaming: the connection is reported now, as its handshake ended, on a
 * copy judged and diagnosed as at the end of a flow (without ending
 * anything: the flow's reassembly, STARTTLS and TLS state go on).  The
 * flow keeps its connection; when it ends, emit() hands the final state
 * to the sink's conn_end.
 */
static void report_early(struct flow *f)
{
	struct td_engine *e = f->eng;
	struct td_conn *c = f->conn;
	td_fl_due_unlink(f);
	if (!c || c->early.reported || !c->tls)
		return;
	struct td_conn *copy = td_conn_clone(c);
	if (!copy) {
		/* Out of memory: the connection is reported once, at its end. */
		td_fl_nomem(c, TD_ERR_NOMEM);
		return;
	}
	td_fl_stls_facts_now(f, copy);
	td_fl_handshake_facts(f, copy);
	td_infer_records(copy);
	td_early_judge(copy);
	if (e->cfg.diagnoser)
		td_fl_nomem(copy, td_diagnose(e->cfg.diagnoser, copy));
	else
		td_fate_judge(copy, true);
	c->early.reported = true;
	c->early.at_us = e->now_us;
	c->early.n_events = c->n_events;
	c->early.outcome = copy->fate.outcome;
	copy->early = c->early;
	if ((unsigned)copy->fate.outcome < 3)
		e->st.reported[copy->fate.outcome]++;
	if (e->sink->conn_take) {
		e->sink->conn_take(e->sink, copy, false);
		return;
	}
	e->sink->conn_done(e->sink, copy);
	/* Not td_fl_conn_free(): the copy shares the certificates, whose
	 * bytes the connection still counts against the budget. */
	td_conn_free(copy);
}

/* Streaming: the handshakes whose grace ran out (oldest first), and the
 * flow whose fatal alert this frame read. */
void td_fl_report_due(struct td_engine *e)
{
	if (e->report_now) {
		struct flow *f = e->report_now;
		e->report_now = NULL;
		report_early(f);
	}
	while (e->due_head && e->due_head->established_us + e->cfg.report_grace_us <= e->now_us)
		report_early(e->due_head);
}
