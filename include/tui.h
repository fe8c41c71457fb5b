/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tui.h - the live full-screen view: every TLS handshake as it happens.
 *
 * The TUI is one more sink (sink.h): the engine tells it when a
 * connection changed (conn_update, while a handshake runs) and when it is
 * over (conn_done).  It keeps its own copies (td_conn_clone) in a bounded
 * ring, so drawing never touches engine memory and never stalls capture.
 * Only src/tui/ includes curses.
 *
 *   td_tui_new()   the TUI and its sink; nothing is drawn yet
 *   td_tui_sink()  the sink to give td_engine_new()
 *   td_tui_run()   the terminal session: one poll(2) loop over the
 *                  capture's descriptor and the keyboard, until q, a
 *                  signal or an error; then the terminal is restored (and
 *                  with summary_on_quit the end summary printed)
 *
 * Files: src/tui/model.c (the ring of rows, their state, filters),
 * src/tui/rows.c (the connection list's columns), src/tui/ladder.c (the
 * ladder diagram), src/tui/details.c (the bottom pane's document),
 * src/tui/ui.c (what the keys do), src/tui/draw.c (curses drawing),
 * src/tui/loop.c (the terminal, signals, the sink, the poll loop, the s
 * report).  src/tui/tui_int.h declares what they share.
 */
#ifndef TD_TUI_H
#define TD_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include "capture.h"
#include "caps.h"
#include "engine.h"
#include "out.h"
#include "result.h"
#include "sink.h"

struct td_tui_opts {
	bool color;              /* colours allowed (--color, NO_COLOR); symbols are always shown */
	bool live;               /* capturing on an interface (else a file) */
	bool replay;             /* a file at capture pace (--replay) rather than all at once */
	const char *source;      /* the interface or the file name, for the title */
	const char *filter;      /* the BPF expression, for the status line; NULL: none */
	struct td_md_opts md;    /* the s key's Markdown report header (strings borrowed) */
	struct td_text_opts summary; /* the end summary (the text report's) on quit */
	bool summary_on_quit;    /* --summary: print that summary after leaving the
				    screen; otherwise nothing is printed on stdout */
	size_t max_rows;         /* 0: TD_TUI_MAX_ROWS */
	size_t max_bytes;        /* 0: TD_TUI_MAX_BYTES */
	bool force;              /* s replaces tlsdiag-conn-ID.md when it exists (--force);
				    otherwise a new name is chosen, never overwriting */
};

struct td_tui;

/* A new TUI; strings in opts are borrowed and must outlive it.  NULL when
 * memory runs out.  Free it with td_sink_free(td_tui_sink(t)): the sink
 * owns the TUI. */
struct td_tui *td_tui_new(const struct td_tui_opts *opts);

/* The TUI's sink (for td_engine_new()).  Its free() frees the TUI. */
struct td_sink *td_tui_sink(struct td_tui *t);

/*
 * Run the view on the terminal (stdout, keys from stdin or /dev/tty)
 * until the user quits (q), SIGINT/SIGTERM/SIGHUP, or an error; cap and
 * eng are borrowed.  A file is read in batches between key presses (or
 * paced by its timestamps with opts.replay), then td_engine_finish() is
 * called at its end and the view stays until q.  A live capture is
 * polled without blocking; on quit td_engine_finish() reports what is
 * still open.  The terminal is restored on every path (also from atexit
 * and on fatal signals); then, with opts.summary_on_quit only, the text
 * report's end summary is printed on stdout (nothing else ever is).  The
 * caller must not call td_engine_finish() again.
 *
 * TD_OK (err may hold a warning, e.g. a file cut short);
 * TD_ERR_USAGE when stdout is not a terminal; TD_ERR_IO when the
 * terminal cannot be set up or the capture fails (err says why);
 * TD_ERR_NOMEM.  The exit status is then decided as for the text report,
 * from td_engine_stats().
 */
enum td_result td_tui_run(struct td_tui *t, struct td_capture *cap, struct td_engine *eng,
			  char *err, size_t errlen) TD_MUST_CHECK;

#endif
