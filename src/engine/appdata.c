/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * appdata.c - the first decrypted application bytes of a flow, handed
 * to the application recognisers (app.h), and what they find put on the
 * timeline as TD_EV_APPLICATION events (see flow.h).
 *
 * Only what decrypt.c opens reaches here: the first TD_CAP_APP_RECORDS
 * application records of each direction (bulk data is never
 * decrypted).  The recogniser is made at the first such bytes and freed
 * with the flow, or as soon as both directions are done with.  A
 * message whose end never came (an error page cut short) is reported
 * when the flow ends, at the time its last bytes came.  It calls
 * nothing of engine.c, records.c or decrypt.c.
 */
#include "config.h"

#include <stdlib.h>

#include "app.h"
#include "caps.h"
#include "conn.h"
#include "flow.h"
#include "starttls.h"

struct found_ctx {
	struct flow *f;
	bool late;  /* reported at the end: put it back in time order */
};

/* Move the last event back among the earlier ones by its time (it was
 * stamped with an earlier time than events added since). */
static void place_last(struct td_conn *c)
{
	if (c->n_events < 2)
		return;
	size_t j = c->n_events - 1;
	struct td_event ev = c->events[j];
	for (; j > 0 && c->events[j - 1].ts_us > ev.ts_us; j--)
		c->events[j] = c->events[j - 1];
	c->events[j] = ev;
}

static void on_found(void *ctx, enum td_dir dir, struct td_app_msg *m, size_t len)
{
	struct found_ctx *fc = ctx;
	struct flow *f = fc->f;
	if (!f->conn)
		return;
	char detail[TD_CAP_STRING];
	td_app_describe(m, detail, sizeof detail);
	struct td_event ev = {
		.kind = TD_EV_APPLICATION,
		.content_type = TD_CT_APPLICATION_DATA,
		.encrypted = true,
		.decrypted = true,
		.length = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len,
		.detail = detail,
		/* td_conn_add_event copies it; the message stays the caller's. */
		.app = m,
	};
	uint64_t now = f->eng->now_us;
	if (fc->late)
		f->eng->now_us = f->app_us[dir];
	td_fl_add_event(f, dir, &ev);
	f->eng->now_us = now;
	if (fc->late)
		place_last(f->conn);
}

void td_fl_app_data(struct flow *f, enum td_dir dir, const uint8_t *p, size_t n)
{
	if (!f->conn || n == 0)
		return;
	if (!f->app) {
		if (f->app_over)
			return;
		f->app = td_app_new(&f->eng->budget);
		if (!f->app) {
			f->app_over = true;
			td_fl_nomem(f->conn, TD_ERR_NOMEM);
			return;
		}
		/* An upgraded connection speaks the protocol its preamble did. */
		if (f->stls)
			td_app_set_starttls(f->app, td_stls_proto(f->stls));
	}
	f->app_us[dir] = f->eng->now_us;
	struct found_ctx fc = { f, false };
	/* The budget full or memory short: this direction is not read any
	 * further, as the cap says; the report still counts the bytes
	 * dropped (td_budget.dropped) for the budget. */
	enum td_result r = td_app_feed(f->app, dir, p, n, on_found, &fc);
	if (r == TD_ERR_NOMEM)
		td_fl_nomem(f->conn, r);
	if (td_app_done(f->app, TD_DIR_C2S) && td_app_done(f->app, TD_DIR_S2C)) {
		td_app_free(f->app);
		f->app = NULL;
		f->app_over = true;
	}
}

void td_fl_app_end(struct flow *f)
{
	if (!f->app)
		return;
	struct found_ctx fc = { f, true };
	td_app_end(f->app, on_found, &fc);
	td_app_free(f->app);
	f->app = NULL;
	f->app_over = true;
}
