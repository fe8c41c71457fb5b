/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * draw.c - one frame of the TUI on the curses screen.
 *
 *   tlsdiag 0.1.0  live on lo                                ? help  q quit
 *   S TIME     CLIENT -> SERVER            SNI   VER  DIAGNOSIS/STATE  (list)
 *   X 05:18:09 127.0.0.1:44634 -> 127.0.0.1:8443 ...
 *    #1 tls-server.local  failed                           lines 1-12 of 60
 *   <the selected connection's document: diagnoses, ladder, chains>
 *    packets 14  kernel drops 0  conns 1  failures 1  filter: tcp port 8443
 *   q quit  ? help  jk/arrows select  Tab pane  f failures  / filter ...
 *
 * A frame is a function of (model, view state, screen size): nothing is
 * remembered between frames but the caches (the view, the document),
 * which are keyed on what they were built from.  The loop calls this at
 * most TD_TUI_FPS times a second, so a burst of connections costs one
 * frame, not one per connection.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui_int.h"

enum { PAIR_RED = 1, PAIR_YELLOW, PAIR_GREEN, PAIR_CYAN };

void td_tui_draw_init(struct td_tui *t)
{
	t->colors = false;
	if (!t->opts.color || !has_colors() || start_color() == ERR)
		return;
	use_default_colors();
	init_pair(PAIR_RED, COLOR_RED, -1);
	init_pair(PAIR_YELLOW, COLOR_YELLOW, -1);
	init_pair(PAIR_GREEN, COLOR_GREEN, -1);
	init_pair(PAIR_CYAN, COLOR_CYAN, -1);
	t->colors = true;
}

static attr_t attr_of(const struct td_tui *t, enum td_tui_attr a)
{
	bool c = t->colors;
	switch (a) {
	case TD_TUI_A_NORMAL: return A_NORMAL;
	case TD_TUI_A_HEAD: return A_BOLD;
	case TD_TUI_A_DIM: return A_DIM;
	case TD_TUI_A_OK: return c ? COLOR_PAIR(PAIR_GREEN) : A_NORMAL;
	case TD_TUI_A_WARN: return c ? COLOR_PAIR(PAIR_YELLOW) : A_NORMAL;
	case TD_TUI_A_FAIL: return (c ? COLOR_PAIR(PAIR_RED) : A_NORMAL) | A_BOLD;
	case TD_TUI_A_MARK: return (c ? COLOR_PAIR(PAIR_RED) : A_NORMAL) | A_BOLD | A_REVERSE;
	case TD_TUI_A_FIX: return (c ? COLOR_PAIR(PAIR_CYAN) : A_NORMAL) | A_BOLD;
	}
	return A_NORMAL;
}

static enum td_tui_attr class_attr(enum td_tui_class k)
{
	switch (k) {
	case TD_TUI_FAIL: return TD_TUI_A_FAIL;
	case TD_TUI_WARN: return TD_TUI_A_WARN;
	case TD_TUI_OK: return TD_TUI_A_OK;
	case TD_TUI_RUNNING: return TD_TUI_A_NORMAL;
	}
	return TD_TUI_A_NORMAL;
}

/* Write s on line y from column 0, at most w columns.  A terminal that
 * does not take UTF-8 gets '?' for every byte past ASCII. */
static void put(const struct td_tui *t, int y, const char *s, size_t w, attr_t a)
{
	char buf[TD_TUI_LINE * 4 + 1];
	struct td_tui_lb b;
	td_tui_lb_init(&b);
	td_tui_lb_put(&b, s, w);
	snprintf(buf, sizeof buf, "%s", b.s);
	if (!t->utf8) {
		size_t o = 0;
		for (size_t i = 0; buf[i]; i++) {
			unsigned char ch = (unsigned char)buf[i];
			if (ch < 0x80)
				buf[o++] = (char)ch;
			else if ((ch & 0xc0) != 0x80)
				buf[o++] = '?';
		}
		buf[o] = '\0';
	}
	attrset((int)a);
	mvaddstr(y, 0, buf);
	attrset(A_NORMAL);
}

/* A full-width bar (reverse video) with text on the left and right. */
static void bar(const struct td_tui *t, int y, size_t w, const char *left, const char *right,
		attr_t extra)
{
	struct td_tui_lb b;
	td_tui_lb_init(&b);
	size_t rc = right ? td_tui_str_cols(right) : 0;
	td_tui_lb_put(&b, left, w > rc + 1 ? w - rc - 1 : w);
	if (right && b.cols + rc + 1 <= w) {
		td_tui_lb_pad(&b, w - rc - 1);
		td_tui_lb_put(&b, right, rc);
	}
	td_tui_lb_pad(&b, w);
	put(t, y, b.s, w, A_REVERSE | extra);
}

void td_tui_refresh(struct td_tui *t, size_t width)
{
	struct td_tui_ui *u = &t->ui;
	if (!t->view_valid || u->view_dirty || t->view_gen != t->model.gen) {
		if (td_tui_view_build(&t->view, &t->model, &u->filter,
				      u->paused ? u->pause_until : UINT64_MAX) != TD_OK)
			snprintf(t->note, sizeof t->note, "out of memory: the list is empty");
		t->view_gen = t->model.gen;
		t->view_valid = true;
		u->view_dirty = false;
	}
	td_tui_ui_sync(u, &t->view);
	const struct td_tui_row *r = t->view.n ? td_tui_model_row(&t->model, u->sel_seq) : NULL;
	if (t->doc_valid && r && r->seq == t->doc_seq && r->gen == t->doc_gen &&
	    t->doc.width == width)
		return;
	if (!r && t->doc_valid && t->doc_seq == UINT64_MAX && t->doc.width == width)
		return;
	if (!r || r->seq != t->doc_seq)
		u->dscroll = 0;
	td_tui_doc_cleanup(&t->doc);
	td_tui_doc_init(&t->doc, width);
	if (!r) {
		struct td_tui_lb b;
		td_tui_lb_init(&b);
		td_tui_lb_put(&b, t->view.n || !t->model.total ? "no connection yet"
			      : "no connection matches the filter", width);
		td_tui_doc_add(&t->doc, &b, TD_TUI_A_DIM);
	} else if (!r->conn) {
		struct td_tui_lb b;
		td_tui_lb_init(&b);
		char buf[160];
		snprintf(buf, sizeof buf, "details dropped: the view keeps at most %zu MiB of "
			 "connection copies, the oldest go first (the row stays)",
			 t->model.max_bytes >> 20);
		td_tui_lb_put(&b, buf, width);
		td_tui_doc_add(&t->doc, &b, TD_TUI_A_WARN);
	} else {
		td_tui_details(&t->doc, r->conn, r->done);
	}
	t->doc_valid = true;
	t->doc_seq = r ? r->seq : UINT64_MAX;
	t->doc_gen = r ? r->gen : 0;
	u->doc_lines = t->doc.n;
	td_tui_ui_sync(u, &t->view);
}

static void draw_help(size_t w, size_t h)
{
	static const char *const lines[] = {
		"tlsdiag: keys",
		"",
		"  Up/Down, k/j      select a connection, or scroll the details",
		"  PgDn/PgUp Space/b a page down / up",
		"  Ctrl-D/Ctrl-U     half a page down / up",
		"  Home/End, g/G     the first / the last (End follows new ones)",
		"  n/N               the next / previous failed connection (X)",
		"  Enter, Tab        switch between the list and the details",
		"  f                 failures only (on/off)",
		"  /                 filter by SNI, address or diagnosis code",
		"                    (Enter keeps it, Esc cancels; Esc later clears it)",
		"  p                 pause the list (capture goes on)",
		"  s                 save the selected connection as a Markdown report",
		"  ?                 this help",
		"  q                 quit (--summary: then print the end summary)",
		"",
		"Rows:  X failed   ! warning/incomplete   + established   ~ in progress",
		"Ladder: --> clear  ==> encrypted  ..> TCP  ~ inferred  >> failing step",
		"",
		"Any key closes this help.",
	};
	size_t n = sizeof lines / sizeof lines[0], bw = 74;
	if (bw + 2 > w)
		bw = w > 2 ? w - 2 : w;
	size_t y0 = h > n + 2 ? (h - n - 2) / 2 : 0, x0 = (w - bw) / 2;
	for (size_t i = 0; i < n + 2 && y0 + i < h; i++) {
		struct td_tui_lb b;
		td_tui_lb_init(&b);
		td_tui_lb_put(&b, i == 0 || i == n + 1 ? "+" : "|", 1);
		if (i == 0 || i == n + 1)
			td_tui_lb_fill(&b, '-', bw - 2);
		else
			td_tui_lb_put(&b, lines[i - 1], bw - 2);
		td_tui_lb_pad(&b, bw - 1);
		td_tui_lb_put(&b, i == 0 || i == n + 1 ? "+" : "|", 1);
		attrset(A_REVERSE);
		mvaddstr((int)(y0 + i), (int)x0, b.s);
		attrset(A_NORMAL);
	}
}

/* The title: what is read and how far. */
static void title(const struct td_tui *t, size_t w)
{
	char left[512];
	const char *state;
	if (t->opts.live)
		state = t->capture_done ? "capture stopped" : "live";
	else if (t->capture_done)
		state = "end of capture";
	else
		state = t->opts.replay ? "replaying" : "reading";
	snprintf(left, sizeof left, " tlsdiag %s  [%s%s]  %s",
		 t->opts.md.version ? t->opts.md.version : "", state,
		 t->ui.paused ? ", list paused" : "", t->opts.source ? t->opts.source : "?");
	bar(t, 0, w, left, "? help  q quit ", A_BOLD);
}

/* The status line: what was seen and dropped, then the view's filters,
 * then the capture filter (cut first when the line is too long). */
static void status(const struct td_tui *t, int y, size_t w)
{
	char buf[1024];
	const struct td_tui_model *m = &t->model;
	size_t o = (size_t)snprintf(buf, sizeof buf, " packets %" PRIu64, t->frames);
	if (t->opts.live)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  dropped %s%" PRIu64,
				      t->have_kernel ? "" : "?", t->kernel_drop);
	o += (size_t)snprintf(buf + o, sizeof buf - o, "  conns %" PRIu64 "  failures %" PRIu64,
			      m->total, m->failures);
	if (t->ui.filter.failures_only || t->ui.filter.text[0] || t->ui.paused)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  shown %zu%s%s%s%s", t->view.n,
				      t->ui.filter.failures_only ? " [f: failures only]" : "",
				      t->ui.filter.text[0] ? " [/" : "", t->ui.filter.text,
				      t->ui.filter.text[0] ? "]" : "");
	if (m->rows_dropped && o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  rows dropped %" PRIu64,
				      m->rows_dropped);
	if ((m->copies_dropped || m->nomem) && o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  details dropped %" PRIu64,
				      m->copies_dropped + m->nomem);
	if (t->note[0] && o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  %s", t->note);
	if (t->opts.filter && o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  filter: %s", t->opts.filter);
	(void)o;
	bar(t, y, w, buf, t->ui.paused ? "PAUSED " : t->ui.follow ? "FOLLOW " : "", A_NORMAL);
}

void td_tui_draw(struct td_tui *t, uint64_t now)
{
	size_t w = COLS > 0 ? (size_t)COLS : 0, h = LINES > 0 ? (size_t)LINES : 0;
	if (w > TD_TUI_LINE)
		w = TD_TUI_LINE;
	erase();
	if (w < 30 || h < 10) {
		put(t, 0, "terminal too small for tlsdiag (30x10 at least); q quits", w, A_BOLD);
		refresh();
		return;
	}
	struct td_tui_ui *u = &t->ui;
	size_t avail = h - 5;  /* title, list header, pane bar, status, last line */
	size_t lh = u->pane == TD_PANE_LIST ? avail * 2 / 5 : avail / 4;
	if (lh < 3)
		lh = 3;
	u->list_h = lh;
	u->detail_h = avail - lh;
	td_tui_refresh(t, w);

	title(t, w);
	/* The list: its columns fit the rows on screen. */
	const struct td_tui_row *shown[512];
	size_t ns = 0;
	for (size_t i = u->top; i < t->view.n && ns < lh && ns < 512; i++) {
		const struct td_tui_row *r = td_tui_model_row(&t->model, t->view.seq[i]);
		if (r)
			shown[ns++] = r;
	}
	struct td_tui_cols k;
	td_tui_cols_fit(&k, w, shown, ns);
	struct td_tui_lb b;
	td_tui_cols_header(&b, &k);
	put(t, 1, b.s, w, A_BOLD | (u->pane == TD_PANE_LIST ? A_UNDERLINE : A_NORMAL));
	for (size_t i = 0; i < ns; i++) {
		td_tui_row_line(&b, shown[i], &k);
		attr_t a = attr_of(t, class_attr(shown[i]->cls));
		if (shown[i]->seq == u->sel_seq)
			a |= A_REVERSE | (u->pane == TD_PANE_LIST ? A_BOLD : A_NORMAL);
		put(t, (int)(2 + i), b.s, w, a);
	}
	if (t->view.n == 0)
		put(t, 2, t->model.total ? "  (no connection matches: f or / to change the filter)"
		    : "  (waiting for TLS handshakes)", w, A_DIM);

	/* The details pane of the selected row. */
	int yb = (int)(2 + lh);
	char left[256], right[64];
	const struct td_tui_row *sel = t->view.n ? td_tui_model_row(&t->model, u->sel_seq) : NULL;
	if (sel)
		snprintf(left, sizeof left, " %s #%" PRIu64 "  %s  %s", u->pane == TD_PANE_DETAILS
			 ? "[details]" : "details", sel->id, sel->sni ? sel->sni : sel->server,
			 td_tui_state_name(sel->state, false));
	else
		snprintf(left, sizeof left, " details");
	size_t last = u->dscroll + u->detail_h < t->doc.n ? u->dscroll + u->detail_h : t->doc.n;
	snprintf(right, sizeof right, "lines %zu-%zu of %zu ", t->doc.n ? u->dscroll + 1 : 0,
		 last, t->doc.n);
	bar(t, yb, w, left, right, u->pane == TD_PANE_DETAILS ? A_BOLD : A_NORMAL);
	for (size_t i = 0; i < u->detail_h && u->dscroll + i < t->doc.n; i++) {
		const struct td_tui_line *l = &t->doc.v[u->dscroll + i];
		put(t, yb + 1 + (int)i, l->text, w, attr_of(t, l->attr));
	}

	status(t, (int)h - 2, w);
	/* The last line: the filter being typed, a message, or the keys.
	 * One column short of the corner, which some terminals scroll on. */
	char line[sizeof t->msg + TD_TUI_FILTER];
	attr_t la = A_NORMAL;
	if (u->prompt) {
		snprintf(line, sizeof line, "/ filter (SNI, address, code): %s_   Enter keeps, "
			 "Esc cancels", u->prompt_text);
		la = A_BOLD;
	} else if (t->msg[0] && now < t->msg_until) {
		snprintf(line, sizeof line, "%s", t->msg);
		la = A_BOLD;
	} else {
		snprintf(line, sizeof line, "q quit  ? help  Tab pane  Space/b page  n/N failure  "
			 "f failures  / filter  p pause  s save");
	}
	put(t, (int)h - 1, line, w - 1, la);
	if (u->help)
		draw_help(w, h);
	refresh();
}
