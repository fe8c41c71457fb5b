/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tui_int.h - the TUI's insides, private to src/tui/ and its unit tests
 * (tests/unit/test_tui.c).  Nothing here includes curses: the model, the
 * rows, the ladder and the key handling are plain functions of plain
 * data, so they are tested without a terminal; draw.c and loop.c are the
 * only curses files.
 *
 *   model.c    the ring of rows (one per connection, keyed by id), their
 *              state and class, the filter, the view (rows shown)
 *   rows.c     text cells and the connection list's columns
 *   ladder.c   the ladder diagram: one arrow per timeline event
 *   details.c  the bottom pane's document: diagnoses, header, ladder,
 *              certificate chains, acceptable CAs, anomalies
 *   ui.c       selection, scrolling, panes, filter editing: keys in,
 *              state out
 */
#ifndef TD_TUI_INT_H
#define TD_TUI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "conn.h"
#include "result.h"
#include "sink.h"
#include "tui.h"

/* ---- rows (model.c) ---------------------------------------------------- */

/* Where a handshake is.  While it runs the state follows its latest
 * event; when the engine is done with it, its outcome. */
enum td_tui_state {
	TD_TUI_ST_TCP,            /* TCP only so far */
	TD_TUI_ST_HELLO,          /* the ClientHello is out */
	TD_TUI_ST_SERVER_FLIGHT,  /* the server answers (ServerHello ...) */
	TD_TUI_ST_CLIENT_FLIGHT,  /* the client's second flight (certificate, Finished) */
	TD_TUI_ST_ESTABLISHED,
	TD_TUI_ST_ALERT,          /* a fatal or encrypted alert, still open */
	TD_TUI_ST_CLOSED,         /* closed or reset before the handshake ended, still open */
	TD_TUI_ST_FAILED,         /* final */
	TD_TUI_ST_INCOMPLETE      /* final */
};

/* What a row's colour and symbol say. */
enum td_tui_class {
	TD_TUI_RUNNING,   /* '~' default colour */
	TD_TUI_OK,        /* '+' green: established, nothing to say */
	TD_TUI_WARN,      /* '!' yellow: incomplete, or a warning diagnosis */
	TD_TUI_FAIL       /* 'X' red: failed, or an error diagnosis */
};

/* Endpoint text: "[v6 address]:port" fits in 48 bytes (td_addr_format). */
#define TD_TUI_ADDR 48

struct td_tui_row {
	uint64_t seq;              /* insertion order: the ring's key */
	uint64_t id;               /* the connection's id (conn.h) */
	uint64_t start_us;         /* first packet */
	char client[TD_TUI_ADDR];  /* "192.0.2.1:51234", formatted once (filters read it) */
	char client_ip[TD_TUI_ADDR]; /* without the port, for narrow screens */
	char server[TD_TUI_ADDR];
	char *sni;                 /* owned copy, NULL when none */
	uint16_t version;          /* negotiated, 0 until known */
	enum td_tui_state state;
	enum td_tui_class cls;
	const char *code;          /* root diagnosis code (static), NULL when none */
	bool done;                 /* conn_done seen: the row is final */
	uint32_t gen;              /* bumped on every change; caches key on it */
	uint64_t fp;               /* fingerprint of the last copy (model.c) */
	struct td_conn *conn;      /* owned copy, NULL when dropped by the byte cap */
	size_t conn_bytes;         /* its estimated size */
};

struct td_tui_slot;

struct td_tui_model {
	struct td_tui_row *rows;   /* ring of cap rows: seq s lives at s % cap */
	size_t cap;
	uint64_t head, next;       /* the rows kept are seqs [head, next) */
	struct td_tui_slot *hash;  /* id -> seq of rows still running */
	size_t hcap, hn;
	size_t bytes, max_bytes;   /* copies kept, and their cap */
	uint64_t trim;             /* first seq whose copy may still be dropped */
	uint64_t gen;              /* bumped on every change */
	/* counters for the status line */
	uint64_t total;            /* rows ever made */
	uint64_t failures;         /* finished rows of class FAIL */
	uint64_t rows_dropped;     /* rows pushed out of the ring */
	uint64_t copies_dropped;   /* details dropped by the byte cap */
	uint64_t nomem;            /* copies that could not be made */
};

/* A model of at most cap rows and max_bytes of copies.  TD_ERR_NOMEM. */
enum td_result td_tui_model_init(struct td_tui_model *m, size_t cap,
				 size_t max_bytes) TD_MUST_CHECK;
void td_tui_model_cleanup(struct td_tui_model *m);

/* Make or refresh the row of c (borrowed) from the engine's conn_update
 * (done false) or conn_done (done true).  c is copied when it changed
 * since the last copy.  TD_ERR_NOMEM when a copy could not be made (the
 * row is still updated, and counted in nomem). */
enum td_result td_tui_model_update(struct td_tui_model *m, const struct td_conn *c,
				   bool done) TD_MUST_CHECK;

/* The row with sequence number seq, NULL when not (or no longer) kept. */
const struct td_tui_row *td_tui_model_row(const struct td_tui_model *m, uint64_t seq);

/* The state of c from its latest events (running) or its outcome (done). */
enum td_tui_state td_tui_state_of(const struct td_conn *c, bool done);
/* The class of c given its state: FAIL when its fate (conn.h) is failed,
 * live or done; running, OK when established; done, WARN when incomplete
 * or established with a warning or error diagnosis. */
enum td_tui_class td_tui_class_of(const struct td_conn *c, enum td_tui_state st, bool done);
/* "server flight", or with brief "srv flight" (11 columns at most). */
const char *td_tui_state_name(enum td_tui_state s, bool brief);
/* 'X', '!', '+', '~'. */
char td_tui_class_symbol(enum td_tui_class k);

/* ---- filter and view (model.c) ------------------------------------------ */

#define TD_TUI_FILTER 128

struct td_tui_filter {
	bool failures_only;          /* f: class FAIL only */
	char text[TD_TUI_FILTER];    /* /: case-insensitive substring of the SNI, an
					address, or a diagnosis code; "" for none */
};

bool td_tui_row_matches(const struct td_tui_row *r, const struct td_tui_filter *f);

/* The rows shown, oldest first. */
struct td_tui_view {
	uint64_t *seq;
	size_t n, alloc;
};

/* Rebuild v from m: rows matching f, and with seq < until (the pause;
 * UINT64_MAX: no pause).  TD_ERR_NOMEM (v is then empty). */
enum td_result td_tui_view_build(struct td_tui_view *v, const struct td_tui_model *m,
				 const struct td_tui_filter *f, uint64_t until) TD_MUST_CHECK;
void td_tui_view_cleanup(struct td_tui_view *v);
/* Index of the first row with seq >= seq in v (v->n when none). */
size_t td_tui_view_find(const struct td_tui_view *v, uint64_t seq);

/* ---- text cells (rows.c) ------------------------------------------------ */

/* Longest line the TUI builds, in columns (wider screens are blank past it). */
#define TD_TUI_LINE 512

/* A line being built: UTF-8 bytes and the columns they take (one per code
 * point; bytes that are not valid printable UTF-8 are written as '?'). */
struct td_tui_lb {
	char s[TD_TUI_LINE * 4 + 1];
	size_t len;
	size_t cols;
};

void td_tui_lb_init(struct td_tui_lb *b);
/* Columns of s as td_tui_lb_put counts them. */
size_t td_tui_str_cols(const char *s);
/* Put s, at most max columns: a longer s is cut and ends with '~'. */
void td_tui_lb_put(struct td_tui_lb *b, const char *s, size_t max);
/* Put n spaces (or ch). */
void td_tui_lb_fill(struct td_tui_lb *b, char ch, size_t n);
/* Put s in exactly w columns: cut with '~', or padded (right-aligned
 * when right). */
void td_tui_lb_cell(struct td_tui_lb *b, const char *s, size_t w, bool right);
/* Pad with spaces up to column w. */
void td_tui_lb_pad(struct td_tui_lb *b, size_t w);

/* ---- the connection list (rows.c) --------------------------------------- */

/* Column widths of the list for one screen width. */
struct td_tui_cols {
	size_t width;                 /* the screen's */
	bool narrow;                  /* below 120 columns: brief time and version, no
					 STATE column (the code column shows the
					 state of a row without a code) */
	size_t time, ends, sni, ver, state, code;  /* state 0: no STATE column */
};

/* Fit the columns to width, the flexible ones (endpoints, SNI, code) to
 * the n rows shown (borrowed pointers). */
void td_tui_cols_fit(struct td_tui_cols *k, size_t width,
		     const struct td_tui_row *const *rows, size_t n);
/* The header line, width columns. */
void td_tui_cols_header(struct td_tui_lb *b, const struct td_tui_cols *k);
/* One row, exactly width columns, e.g. at 80:
 * "X 05:18:09 127.0.0.1:44634 -> 127.0.0.1:8443 tls-serv~ 1.2 CLIENT_CERT_UNTRUSTED" */
void td_tui_row_line(struct td_tui_lb *b, const struct td_tui_row *r,
		     const struct td_tui_cols *k);
/* "client -> server" in at most w columns (the client shortened first). */
void td_tui_ends(struct td_tui_lb *b, const struct td_tui_row *r, size_t w);

/* ---- the details document (ladder.c, details.c) ------------------------- */

/* How a line is drawn.  Colours where available; MARK and FAIL are also
 * bold/reverse so they stand out on a monochrome terminal. */
enum td_tui_attr {
	TD_TUI_A_NORMAL,
	TD_TUI_A_HEAD,     /* a section heading (bold) */
	TD_TUI_A_DIM,      /* TCP events, evidence */
	TD_TUI_A_OK,       /* green */
	TD_TUI_A_WARN,     /* yellow */
	TD_TUI_A_FAIL,     /* red */
	TD_TUI_A_MARK,     /* the failing step: red, reverse */
	TD_TUI_A_FIX       /* what to change (cyan, bold) */
};

struct td_tui_line {
	char *text;               /* owned, printable UTF-8, at most the doc's width */
	enum td_tui_attr attr;
};

struct td_tui_doc {
	struct td_tui_line *v;
	size_t n, alloc;
	size_t width;             /* columns it was laid out for */
	long mark_line;           /* first failing-step line, -1 if none */
	long diag_line;           /* first line of the diagnoses, -1 if none */
	bool nomem;               /* sticky: a line could not be added */
};

void td_tui_doc_init(struct td_tui_doc *d, size_t width);
void td_tui_doc_cleanup(struct td_tui_doc *d);
/* Append a copy of the line built in b (doc.c, like the rest of the
 * document's functions). */
void td_tui_doc_add(struct td_tui_doc *d, const struct td_tui_lb *b, enum td_tui_attr a);
/* Append s as one line, cut to the doc's width. */
void td_tui_doc_text(struct td_tui_doc *d, const char *s, enum td_tui_attr a);
/* Append s word-wrapped to the doc's width: the first line after prefix
 * (put as is), the next ones indented by indent columns. */
void td_tui_doc_wrap(struct td_tui_doc *d, const char *prefix, const char *s,
		     size_t indent, enum td_tui_attr a);

/* Timeline entries the failing step is made of: the root diagnosis's
 * events (c->fate.root), else the end event of a failed connection
 * (c->fate.end).  Sets mark[i] for event i (n = c->n_events). */
void td_tui_failing_events(const struct td_conn *c, bool *mark, size_t n);

/* The ladder of c: a client column and a server column, one arrow per
 * event with its relative time; encrypted records drawn with '=', TCP
 * with '.', inferred labels with '~', the failing step marked ">>". */
void td_tui_ladder(struct td_tui_doc *d, const struct td_conn *c);

/* The whole bottom pane for c: diagnoses (summary, fix, evidence) first,
 * then header, ladder, server chain, certificate request and acceptable CAs,
 * client chain, anomalies.  done: the engine is finished with c (else
 * the state is "in progress").  Check d->nomem. */
void td_tui_details(struct td_tui_doc *d, const struct td_conn *c, bool done);

/* ---- keys and the view's state (ui.c) ----------------------------------- */

/* Keys, as loop.c translates them from curses. */
enum td_tui_key {
	TD_KEY_NONE = 0,
	TD_KEY_UP = 0x110000, TD_KEY_DOWN, TD_KEY_PGUP, TD_KEY_PGDN, TD_KEY_HOME,
	TD_KEY_END, TD_KEY_ENTER, TD_KEY_TAB, TD_KEY_BACKSPACE, TD_KEY_ESC,
	TD_KEY_RESIZE
	/* anything else: a Unicode code point (printable keys) */
};

enum td_tui_pane { TD_PANE_LIST, TD_PANE_DETAILS };

/* What a key asked the loop to do besides changing the state. */
enum td_tui_action {
	TD_ACT_NONE, TD_ACT_QUIT, TD_ACT_SAVE, TD_ACT_REDRAW,
	TD_ACT_NOT_FOUND   /* n/N: no failed connection that way (say so) */
};

struct td_tui_ui {
	enum td_tui_pane pane;
	bool follow;               /* the selection follows the newest row */
	uint64_t sel_seq;          /* the selected row (when not following) */
	size_t sel;                /* its index in the view (set by td_tui_ui_sync) */
	size_t top;                /* first row shown */
	size_t list_h;             /* rows of the list on screen */
	size_t detail_h;           /* lines of the details pane */
	size_t dscroll;            /* first details line shown */
	size_t doc_lines;          /* lines of the selected row's document */
	bool help;                 /* the help is shown */
	bool prompt;               /* editing the / filter */
	char prompt_text[TD_TUI_FILTER];
	char prompt_saved[TD_TUI_FILTER]; /* to restore on Esc */
	bool paused;
	uint64_t pause_until;      /* rows with seq >= it are not shown while paused */
	struct td_tui_filter filter;
	bool view_dirty;           /* the filter or the pause changed */
};

void td_tui_ui_init(struct td_tui_ui *u);
/* Keep the selection valid and visible after the view changed. */
void td_tui_ui_sync(struct td_tui_ui *u, const struct td_tui_view *v);
/* One key.  m holds the rows of v (read by n and N, which look for a
 * row of class FAIL; NULL: none is found); next_seq is the model's next
 * seq (for p). */
enum td_tui_action td_tui_ui_key(struct td_tui_ui *u, const struct td_tui_view *v,
				 const struct td_tui_model *m, uint32_t key, uint64_t next_seq);

/* ---- the running TUI (loop.c, draw.c) ----------------------------------- */

struct td_tui {
	struct td_sink sink;         /* first: the engine holds a pointer to it */
	struct td_tui_opts opts;
	struct td_tui_model model;
	struct td_tui_view view;
	uint64_t view_gen;           /* model gen the view was built from */
	bool view_valid;
	struct td_tui_ui ui;
	/* the selected row's document, cached by (seq, row gen, width) */
	struct td_tui_doc doc;
	bool doc_valid;
	uint64_t doc_seq;
	uint32_t doc_gen;
	/* the run */
	struct td_capture *cap;      /* borrowed, during td_tui_run */
	struct td_engine *eng;
	bool colors;                 /* curses colours in use */
	bool utf8;                   /* the terminal takes UTF-8 */
	bool capture_done;           /* end of the file, or the capture failed or stopped */
	bool finished;               /* td_engine_finish() was called */
	bool have_stats;
	struct td_stats stats;       /* from the engine's finish (copied) */
	struct td_sink *summary;     /* the text report's sink, for the end summary;
					NULL without opts.summary_on_quit */
	FILE *gate;                  /* its output (unbuffered): discarded until the
					summary; NULL with summary */
	bool gate_open;
	uint64_t kernel_recv, kernel_drop;
	bool have_kernel;
	char note[600];              /* a capture warning or error, for the status line */
	char msg[4400];              /* a message (s: the file name), shown until msg_until */
	uint64_t msg_until;          /* monotonic microseconds */
	uint64_t frames;             /* frames read (engine statistics) */
};

/* draw.c: colours (when wanted and the terminal has them) and one frame. */
void td_tui_draw_init(struct td_tui *t);
void td_tui_draw(struct td_tui *t, uint64_t now);
/* Rebuild the view and the selected row's document when stale. */
void td_tui_refresh(struct td_tui *t, size_t width);

#endif
