/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flow.c - a flow's life and the helpers the engine's files share (see
 * flow.h): recording events and malformations on the connection, the
 * roles of the two sides, telling the sink of a change.  It calls
 * nothing of engine.c, records.c or decrypt.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "conn.h"
#include "diagnose.h"
#include "flow.h"
#include "infer.h"
#include "starttls.h"
#include "sink.h"
#include "tls_registry.h"

struct flow *td_fl_new(struct td_engine *e, uint64_t start_us)
{
	struct flow *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->eng = e;
	f->conn = td_conn_new(0);
	if (!f->conn) {
		free(f);
		return NULL;
	}
	for (int i = 0; i < 2; i++) {
		td_tls_stream_init(&f->s[i].tls);
		td_hs_reasm_init(&f->s[i].hs);
		/* Partial records and messages count against --max-memory too. */
		td_dynbuf_set_budget(&f->s[i].tls.buf, &e->budget);
		td_dynbuf_set_budget(&f->s[i].hs.buf, &e->budget);
	}
	f->first_us = start_us;
	f->conn->start_us = start_us;
	return f;
}

void td_fl_established(struct flow *f)
{
	struct td_engine *e = f->eng;
	if (f->established_us)
		return;
	f->established_us = e->now_us;
	if (!e->cfg.stream || !f->conn || f->conn->early.reported || f->due_listed)
		return;
	/* now_us never goes back: appending keeps the list oldest first. */
	f->due_prev = e->due_tail;
	f->due_next = NULL;
	if (e->due_tail)
		e->due_tail->due_next = f;
	else
		e->due_head = f;
	e->due_tail = f;
	f->due_listed = true;
}

void td_fl_due_unlink(struct flow *f)
{
	struct td_engine *e = f->eng;
	if (!f->due_listed)
		return;
	if (f->due_prev)
		f->due_prev->due_next = f->due_next;
	else
		e->due_head = f->due_next;
	if (f->due_next)
		f->due_next->due_prev = f->due_prev;
	else
		e->due_tail = f->due_prev;
	f->due_prev = f->due_next = NULL;
	f->due_listed = false;
}

void td_fl_free(struct flow *f)
{
	if (!f)
		return;
	td_fl_due_unlink(f);
	if (f->eng->report_now == f)
		f->eng->report_now = NULL;
	for (int i = 0; i < 2; i++) {
		td_tls_stream_cleanup(&f->s[i].tls);
		td_hs_reasm_cleanup(&f->s[i].hs);
		struct side_keys *k = f->s[i].k;
		if (k) {
			td_tls13_keys_cleanup(&k->keys);
			td_tls13_keys_cleanup(&k->early);
			td_tls12_keys_cleanup(&k->keys12);
			td_dynbuf_cleanup(&k->held);
			free(k);
		}
	}
	td_app_free(f->app);
	td_stls_free(f->stls);
	td_fl_conn_free(f->eng, f->conn);
	free(f);
}

struct side_keys *td_fl_side_keys(struct flow *f, int side)
{
	struct side *sd = &f->s[side];
	if (sd->k)
		return sd->k;
	struct side_keys *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	td_dynbuf_init(&k->held, TD_CAP_HELD_RECORDS);
	/* Held records count against --max-memory. */
	td_dynbuf_set_budget(&k->held, &f->eng->budget);
	sd->k = k;
	return k;
}

void td_fl_conn_unbudget(struct td_engine *e, const struct td_conn *c)
{
	const struct td_chain *chains[2] = { &c->server_chain, &c->client_chain };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < chains[k]->n; i++)
			if (chains[k]->certs[i]->der)
				td_budget_give(&e->budget, chains[k]->certs[i]->der_len);
}

void td_fl_conn_free(struct td_engine *e, struct td_conn *c)
{
	if (!c)
		return;
	td_fl_conn_unbudget(e, c);
	td_conn_free(c);
}

void td_fl_add_event(struct flow *f, enum td_dir dir, struct td_event *ev)
{
	if (!f->conn)
		return;
	ev->ts_us = f->eng->now_us;
	ev->dir = dir;
	td_fl_nomem(f->conn, td_conn_add_event(f->conn, ev, NULL));
	/* Streaming: a fatal alert read is the handshake's outcome. */
	if (f->eng->cfg.stream && ev->kind == TD_EV_ALERT && (!ev->encrypted || ev->decrypted) &&
	    ev->alert_level == TD_ALERT_LEVEL_FATAL && !f->conn->early.reported)
		f->eng->report_now = f;
}

void td_fl_add_simple(struct flow *f, enum td_dir dir, enum td_event_kind k, uint32_t len)
{
	struct td_event ev = { .kind = k, .length = len };
	td_fl_add_event(f, dir, &ev);
}

void td_fl_malformed(struct flow *f, enum td_dir dir, const char *what, enum td_result r)
{
	struct td_conn *c = f->conn;
	if (!c)
		return;
	if (r == TD_ERR_NOMEM) {
		td_fl_nomem(c, r);
		return;
	}
	char detail[160];
	snprintf(detail, sizeof detail, "%s from the %s: %s", what, td_dir_from(dir),
		 td_result_str(r));
	c->malformed = true;
	td_fl_nomem(c, td_conn_anomaly(c, TD_AN_MALFORMED, dir, 0, what, td_result_str(r)));
	struct td_event ev = { .kind = TD_EV_MALFORMED, .detail = detail };
	td_fl_add_event(f, dir, &ev);
}

void td_fl_set_endpoints(struct flow *f)
{
	struct td_conn *c = f->conn;
	if (!c)
		return;
	const struct side *cl = &f->s[f->a_is_client ? 0 : 1];
	const struct side *sv = &f->s[f->a_is_client ? 1 : 0];
	c->client_addr = cl->addr;
	c->client_port = cl->port;
	c->server_addr = sv->addr;
	c->server_port = sv->port;
}

void td_fl_set_client(struct flow *f, int side, bool is_client)
{
	bool a_is_client = (side == 0) == is_client;
	if (f->roles_known || a_is_client == f->a_is_client) {
		f->roles_known = true;
		return;
	}
	f->a_is_client = a_is_client;
	f->roles_known = true;
	if (f->conn) {
		for (size_t i = 0; i < f->conn->n_events; i++)
			f->conn->events[i].dir = f->conn->events[i].dir == TD_DIR_C2S
				? TD_DIR_S2C : TD_DIR_C2S;
		struct td_side tmp = f->conn->side[0];
		f->conn->side[0] = f->conn->side[1];
		f->conn->side[1] = tmp;
		f->conn->changes++;  /* every event changed direction */
	}
	td_fl_set_endpoints(f);
}

void td_fl_sort_timeline(struct td_conn *c)
{
	if (!c)
		return;
	/* Short (TD_CAP_EVENTS) and nearly sorted: insertion sort. */
	for (size_t i = 1; i < c->n_events; i++) {
		struct td_event ev = c->events[i];
		size_t j = i;
		for (; j > 0 && c->events[j - 1].ts_us > ev.ts_us; j--)
			c->events[j] = c->events[j - 1];
		c->events[j] = ev;
	}
}

void td_fl_notify(struct flow *f)
{
	struct td_conn *c = f->conn;
	struct td_sink *sink = f->eng->sink;
	/* Only a connection that spoke TLS: the others may never be reported
	 * (td_engine's finish decides), and a live row must end in a report. */
	if (!c || !c->tls || !sink->conn_update || c->changes == f->notified)
		return;
	f->notified = c->changes;
	td_early_judge(c);        /* ...and what became of 0-RTT */
	td_fate_judge(c, false);  /* the live view shows a fate too */
	sink->conn_update(sink, c);
}
