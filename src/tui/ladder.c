/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ladder.c - the handshake as a ladder diagram (tui_int.h), the way the
 * seed article draws it: a client column, a server column, and one
 * arrow per timeline event from the side that sent it.
 *
 *                client                                         server
 *                127.0.0.1:44634                        127.0.0.1:8443
 *   --> clear  ==> encrypted on the wire  ..> TCP  ~ inferred  >> failing step
 *    +0.000000  |..................... SYN ......................>|
 *    +0.000014  |<................... SYN-ACK .....................|
 *    +0.003575  |------------- ClientHello, 508 B ---------------->|
 *    +0.020288  |============== ~Finished, 40 B =================>|
 * >> +0.020858  |<---------- Alert fatal unknown_ca ---------------|
 *
 * The arrow between the columns is at most MAX_GAP wide; a wider screen
 * gets a notes column on the right (the root cause's code beside the
 * failing step, an event's detail).  A label that does not fit its arrow takes its brief
 * form ("ClientHello"), then is cut with '~'.  Encrypted records are
 * drawn with '=', TCP events with '.', labels the engine inferred from
 * record sizes (infer.h) start with '~'.  The failing step (the events
 * the root diagnosis points at) is marked ">>" and drawn as MARK.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "infer.h"
#include "quic.h"
#include "text.h"
#include "tls_names.h"
#include "tui_int.h"
#include "render.h"

enum {
	MARK_W = 3,     /* ">> " */
	MIN_GAP = 16,   /* the arrow, at least */
	MAX_GAP = 64,   /* ...and at most, so the ladder stays readable */
	MIN_NOTES = 16  /* a notes column narrower than this is left out */
};

/* How one event is drawn. */
struct arrow {
	char full[TD_CAP_STRING + 96];  /* the label with its size and notes */
	char brief[96];                 /* the label alone */
	char fill;                      /* '-' clear, '=' encrypted, '.' TCP */
	enum td_tui_attr attr;
};

static void describe(const struct td_event *e, struct arrow *a)
{
	char name[48], nb[32];
	a->fill = e->encrypted ? '=' : '-';
	a->attr = TD_TUI_A_NORMAL;
	const char *dec = e->decrypted ? ", decrypted" : "";
	switch (e->kind) {
	case TD_EV_TCP_SYN:
	case TD_EV_TCP_SYNACK:
	case TD_EV_TCP_FIN:
	case TD_EV_TCP_RST:
		snprintf(a->brief, sizeof a->brief, "%s", e->kind == TD_EV_TCP_SYN ? "SYN" :
			 e->kind == TD_EV_TCP_SYNACK ? "SYN-ACK" :
			 e->kind == TD_EV_TCP_FIN ? "FIN" : "RST");
		snprintf(a->full, sizeof a->full, "%s", a->brief);
		a->fill = '.';
		a->attr = TD_TUI_A_DIM;
		return;
	case TD_EV_TCP_GAP:
		snprintf(a->brief, sizeof a->brief, "gap");
		snprintf(a->full, sizeof a->full, "gap: %" PRIu32 " B not captured", e->length);
		a->fill = '.';
		a->attr = TD_TUI_A_WARN;
		return;
	case TD_EV_HANDSHAKE:
		td_tls_message_name(name, sizeof name, e->hs_type);
		snprintf(a->brief, sizeof a->brief, "%s", name);
		snprintf(a->full, sizeof a->full, "%s, %" PRIu32 " B%s", name, e->length, dec);
		return;
	case TD_EV_CCS:
		snprintf(a->brief, sizeof a->brief, "CCS");
		snprintf(a->full, sizeof a->full, "ChangeCipherSpec");
		return;
	case TD_EV_ALERT:
		if (e->encrypted && !e->decrypted) {
			snprintf(a->brief, sizeof a->brief, "Alert?");
			snprintf(a->full, sizeof a->full, "Alert (encrypted)");
			a->attr = TD_TUI_A_WARN;
			return;
		}
		{
			/* td_tls_name() returns the static name, or writes the
			 * number into the buffer: use what it returns. */
			const char *lv = td_tls_name(TD_REG_ALERT_LEVEL, e->alert_level, name,
						     sizeof name);
			const char *ds = td_tls_name(TD_REG_ALERT, e->alert_desc, nb, sizeof nb);
			snprintf(a->brief, sizeof a->brief, "%s %s", lv, ds);
			snprintf(a->full, sizeof a->full, "Alert %s %s%s", lv, ds, dec);
		}
		a->attr = e->alert_level == TD_ALERT_LEVEL_FATAL ? TD_TUI_A_FAIL
			: e->alert_desc == TD_ALERT_CLOSE_NOTIFY ? TD_TUI_A_NORMAL : TD_TUI_A_WARN;
		return;
	case TD_EV_ENCRYPTED:
		a->fill = '=';
		if (e->inferred) {
			snprintf(a->brief, sizeof a->brief, "~%s", e->inferred);
			snprintf(a->full, sizeof a->full, "~%s, %" PRIu32 " B", e->inferred, e->length);
			if (strcmp(e->inferred, td_inf_alert) == 0)
				a->attr = TD_TUI_A_WARN;
			return;
		}
		snprintf(a->brief, sizeof a->brief, "encrypted");
		snprintf(a->full, sizeof a->full, "encrypted %srecord, %" PRIu32 " B",
			 e->content_type == TD_CT_HANDSHAKE ? "handshake " : "", e->length);
		return;
	case TD_EV_APPDATA:
		a->fill = '=';
		snprintf(a->brief, sizeof a->brief, "app data");
		snprintf(a->full, sizeof a->full, "application data, %" PRIu32 " B%s", e->length, dec);
		return;
	case TD_EV_APPLICATION:
		a->fill = '=';
		if (e->app) {
			td_app_brief(e->app, a->brief, sizeof a->brief);
			if (td_app_is_error(e->app))
				a->attr = TD_TUI_A_WARN;
		} else {
			snprintf(a->brief, sizeof a->brief, "application");
		}
		snprintf(a->full, sizeof a->full, "%s%s", e->detail ? e->detail : a->brief, dec);
		return;
	case TD_EV_QUIC_PACKET:
		snprintf(a->brief, sizeof a->brief, "QUIC %s",
			 td_quic_ptype_label((enum td_quic_ptype)e->quic_type));
		snprintf(a->full, sizeof a->full, "QUIC %s packet, %" PRIu32 " B",
			 td_quic_ptype_label((enum td_quic_ptype)e->quic_type), e->length);
		return;
	case TD_EV_QUIC_CLOSE:
		snprintf(a->brief, sizeof a->brief, "QUIC close");
		snprintf(a->full, sizeof a->full, "%s", e->detail ? e->detail : "QUIC CONNECTION_CLOSE");
		a->attr = TD_TUI_A_WARN;
		return;
	case TD_EV_STARTTLS:
		/* A plaintext step before TLS: its first words, then whole. */
		snprintf(a->brief, sizeof a->brief, "%s", e->detail ? e->detail : "plaintext");
		snprintf(a->full, sizeof a->full, "%s: %s", e->dir == TD_DIR_C2S ? "C" : "S",
			 e->detail ? e->detail : "");
		if (e->content_type == TD_STLS_AFTER)
			a->attr = TD_TUI_A_FAIL;
		return;
	case TD_EV_SSLV2_HELLO:
		snprintf(a->brief, sizeof a->brief, "SSLv2 hello");
		snprintf(a->full, sizeof a->full, "SSLv2 ClientHello, %" PRIu32 " B", e->length);
		return;
	case TD_EV_MALFORMED:
		snprintf(a->brief, sizeof a->brief, "malformed");
		snprintf(a->full, sizeof a->full, "malformed%s%s", e->detail ? ": " : "",
			 e->detail ? e->detail : "");
		a->attr = TD_TUI_A_WARN;
		return;
	}
	snprintf(a->brief, sizeof a->brief, "event %d", (int)e->kind);
	snprintf(a->full, sizeof a->full, "%s", a->brief);
}

void td_tui_failing_events(const struct td_conn *c, bool *mark, size_t n)
{
	memset(mark, 0, n * sizeof *mark);
	bool any = false;
	if (c->fate.root < c->n_diags) {
		const struct td_diagnosis *d = &c->diags[c->fate.root];
		for (size_t k = 0; k < d->n_events && k < TD_DIAG_EVENTS; k++)
			if (d->events[k] < n) {
				mark[d->events[k]] = true;
				any = true;
			}
	}
	/* No pointer from the root cause: what ended the handshake. */
	if (!any && c->fate.outcome == TD_OUTCOME_FAILED && c->fate.end < n)
		mark[c->fate.end] = true;
}

/* The arrow's body, exactly gap columns: head, fill, label centred. */
static void put_arrow(struct td_tui_lb *b, const struct arrow *a, enum td_dir dir, size_t gap)
{
	const char *label = a->full;
	if (td_tui_str_cols(label) + 6 > gap)
		label = a->brief;
	size_t room = gap > 6 ? gap - 6 : 0;  /* head, two fills each side, spaces */
	struct td_tui_lb t;
	td_tui_lb_init(&t);
	td_tui_lb_put(&t, label, room);
	char text[sizeof t.s + 2];
	snprintf(text, sizeof text, " %s ", t.s);
	size_t tc = t.cols + 2;
	if (tc > gap)
		tc = gap;
	size_t start = (gap - tc) / 2;
	if (dir == TD_DIR_S2C) {
		td_tui_lb_fill(b, '<', 1);
		td_tui_lb_fill(b, a->fill, start > 1 ? start - 1 : 0);
	} else {
		td_tui_lb_fill(b, a->fill, start);
	}
	td_tui_lb_put(b, text, tc);
	size_t rest = gap - start - tc;
	if (dir == TD_DIR_C2S) {
		td_tui_lb_fill(b, a->fill, rest > 1 ? rest - 1 : 0);
		td_tui_lb_fill(b, '>', 1);
	} else {
		td_tui_lb_fill(b, a->fill, rest);
	}
}

void td_tui_ladder(struct td_tui_doc *d, const struct td_conn *c)
{
	size_t w = d->width;
	struct td_tui_lb b;
	char ts[32];
	size_t tw = 9;  /* "+0.000000" */
	for (size_t i = 0; i < c->n_events; i++) {
		td_text_rel_time(ts, sizeof ts, td_out_rel_us(c, c->events[i].ts_us));
		if (strlen(ts) > tw)
			tw = strlen(ts);
	}
	size_t x0 = MARK_W + tw + 2;  /* the client's column */
	size_t gap = w > x0 + 2 ? w - x0 - 2 : 0;
	if (gap > MAX_GAP)
		gap = MAX_GAP;
	if (gap < MIN_GAP)
		gap = MIN_GAP;  /* a very narrow pane cuts the lines instead */
	size_t x1 = x0 + 1 + gap;     /* the server's column */
	bool notes = w >= x1 + 3 + MIN_NOTES;

	char cli[TD_TUI_ADDR], srv[TD_TUI_ADDR];
	td_addr_format(cli, sizeof cli, &c->client_addr, c->client_port);
	td_addr_format(srv, sizeof srv, &c->server_addr, c->server_port);
	td_tui_lb_init(&b);
	td_tui_lb_fill(&b, ' ', x0);
	td_tui_lb_put(&b, "client", gap);
	td_tui_lb_pad(&b, x1 + 1 - 6);
	td_tui_lb_put(&b, "server", 6);
	td_tui_doc_add(d, &b, TD_TUI_A_HEAD);
	td_tui_lb_init(&b);
	td_tui_lb_fill(&b, ' ', x0);
	size_t half = gap / 2;
	td_tui_lb_put(&b, cli, half);
	size_t sc = td_tui_str_cols(srv) < half ? td_tui_str_cols(srv) : half;
	td_tui_lb_pad(&b, x1 + 1 - sc);
	td_tui_lb_put(&b, srv, half);
	td_tui_doc_add(d, &b, TD_TUI_A_HEAD);
	td_tui_lb_init(&b);
	td_tui_lb_put(&b, "--> clear  ==> encrypted on the wire  ..> TCP  ~ inferred  "
		      ">> failing step", w);
	td_tui_doc_add(d, &b, TD_TUI_A_DIM);

	if (c->n_events == 0) {
		td_tui_lb_init(&b);
		td_tui_lb_fill(&b, ' ', x0);
		td_tui_lb_put(&b, "(no timeline event yet)", w > x0 ? w - x0 : 0);
		td_tui_doc_add(d, &b, TD_TUI_A_DIM);
		return;
	}
	bool mark[TD_CAP_EVENTS];
	size_t n = c->n_events < TD_CAP_EVENTS ? c->n_events : TD_CAP_EVENTS;
	td_tui_failing_events(c, mark, n);
	const char *root = c->fate.root < c->n_diags ? c->diags[c->fate.root].code : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct td_event *e = &c->events[i];
		struct arrow a;
		describe(e, &a);
		td_tui_lb_init(&b);
		td_tui_lb_put(&b, mark[i] ? ">> " : "   ", MARK_W);
		td_text_rel_time(ts, sizeof ts, td_out_rel_us(c, e->ts_us));
		td_tui_lb_cell(&b, ts, tw, true);
		td_tui_lb_put(&b, "  |", 3);
		put_arrow(&b, &a, e->dir, gap);
		td_tui_lb_put(&b, "|", 1);
		if (notes) {
			char note[TD_CAP_STRING + 96];
			note[0] = '\0';
			if (mark[i] && root)
				snprintf(note, sizeof note, "<- %s", root);
			else if (e->detail && e->kind != TD_EV_MALFORMED)
				snprintf(note, sizeof note, "%s", e->detail);
			if (note[0]) {
				td_tui_lb_put(&b, "  ", 2);
				td_tui_lb_put(&b, note, w - x1 - 3);
			}
		}
		if (mark[i] && d->mark_line < 0)
			d->mark_line = (long)d->n;
		td_tui_doc_add(d, &b, mark[i] ? TD_TUI_A_MARK : a.attr);
	}
	if (c->dropped_events) {
		char buf[96];
		td_tui_lb_init(&b);
		td_tui_lb_fill(&b, ' ', x0);
		snprintf(buf, sizeof buf, "... %zu later events not kept (cap %u per connection)",
			 c->dropped_events, TD_CAP_EVENTS);
		td_tui_lb_put(&b, buf, w > x0 ? w - x0 : 0);
		td_tui_doc_add(d, &b, TD_TUI_A_WARN);
	}
}
