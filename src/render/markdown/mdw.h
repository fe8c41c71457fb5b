/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdw.h - the Markdown report's writer, private to src/render/markdown/ (out.h has
 * the public API: td_markdown_sink_new, td_markdown_write_conn).
 *
 *   mdw.c       inline text made inert, code spans, GFM tables
 *   markdown.c  the sink, the header, the summary table, the run's
 *               statistics
 *   mdconn.c    one connection's section: what happened in plain words,
 *               the diagnoses, the negotiation, the certificate chains,
 *               the acceptable CAs, the anomalies
 *   mermaid.c   the handshake as a Mermaid sequenceDiagram, and the
 *               timeline facts the other two share (how it ended)
 *
 * Target: GitHub- and GitLab-flavoured Markdown.  Every string from the
 * model goes through td_md_text() or td_md_code(), which make it inert:
 * no emphasis, link, HTML, math or table syntax can come out of a
 * certificate name or an SNI.  Tables are only written through struct
 * td_md_table, which gives every row exactly the header's cell count.
 * Nothing here allocates; output errors stay in the FILE's error flag.
 */
#ifndef TD_OUT_MDW_H
#define TD_OUT_MDW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "conn.h"
#include "out.h"

/* ---- escaping (mdw.c) ---- */

/* s as inline Markdown text: `\ * _ [ ] ~ $ |` get a backslash, `& < >`
 * become entities, control characters a space, bytes that are not
 * UTF-8 the text \xHH.  Safe in a paragraph, a list item or a table cell,
 * anywhere but at the start of a line (see td_md_text_start). */
void td_md_text(FILE *f, const char *s);

/* The same for text that starts a line or a list item: leading blanks
 * are dropped and a leading block marker (# - + = or "1." "1)") is
 * escaped, so the text cannot become a heading or a list. */
void td_md_text_start(FILE *f, const char *s);

/* s cut to at most max code points ("..." ending a cut one), as
 * td_md_text(). */
void td_md_text_max(FILE *f, const char *s, size_t max);

/* s as a code span (names, hashes); as td_md_text() when a code span
 * cannot hold it exactly (a backtick, a pipe, a backslash, blanks at
 * either end, or empty). */
void td_md_code(FILE *f, const char *s);

/* printf-formatted text of our own (no model strings in the format's
 * arguments unless they are safe), escaped as td_md_text().  Cut at 511
 * bytes. */
void td_md_textf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- GFM tables (mdw.c) ---- */

enum { TD_MD_MAX_COLS = 12 };

/* A table being written.  Each row gets exactly `cols` cells: missing
 * ones are written empty, and a cell past the last is refused
 * (td_md_cell() returns false, the shorthands write nothing). */
struct td_md_table {
	FILE *f;        /* borrowed */
	size_t cols;    /* 1..TD_MD_MAX_COLS */
	size_t cell;    /* cells begun in the current row */
};

/* Write the header row and the delimiter row.  head[] holds cols
 * plain-text titles (escaped here); align is NULL or cols characters,
 * 'l', 'r' or 'c'.  A blank line must precede (the caller's). */
void td_md_table_begin(struct td_md_table *t, FILE *f, const char *const *head,
		       const char *align, size_t cols);
void td_md_row_begin(struct td_md_table *t);
/* Begin the next cell; its content is then written to t->f by the
 * caller with td_md_text/td_md_code/fputs of safe text.  Returns false
 * (and the caller must write nothing) past the last column. */
bool td_md_cell(struct td_md_table *t);
/* Shorthands: one whole cell. */
void td_md_cell_text(struct td_md_table *t, const char *s);
void td_md_cell_code(struct td_md_table *t, const char *s);
/* Our own text, e.g. "RSA 4096", escaped. */
void td_md_cell_textf(struct td_md_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* End the row, padding it to t->cols cells. */
void td_md_row_end(struct td_md_table *t);
/* End the table with the blank line GFM needs after it. */
void td_md_table_end(struct td_md_table *t);

/* ---- timeline facts, shared (mermaid.c) ---- */

/* The root cause (the fate's root, conn.h): the first error diagnosis;
 * NULL when there is none. */
const struct td_diagnosis *td_md_root(const struct td_conn *c);

/* How a connection ended (its fate, conn.h), copied out of it so that
 * the summary table can be written after the connection is gone. */
struct td_md_fate {
	enum td_outcome outcome;
	enum td_end how;
	bool resumed;          /* PSK or session id echo */
	bool has_end;          /* end holds the fate's end event */
	struct td_event end;   /* its detail is always NULL */
};
void td_md_fate(struct td_md_fate *fa, const struct td_conn *c);

/* The outcome as a short phrase: "✅ established", "❌ failed: the
 * server sent the fatal alert `certificate_required`", "⚠️ incomplete". */
void td_md_outcome(FILE *f, const struct td_md_fate *fa);

/* Microseconds relative to the start as "+9.575 ms" (or "+3.513 s"
 * from a second on). */
void td_md_rel(char *buf, size_t len, int64_t us);

/* ---- one connection (mdconn.c) ---- */

/* The heading every link to a connection points at: "Connection N"
 * gives the anchor #connection-N on GitHub and GitLab. */
void td_md_conn_section(FILE *f, const struct td_conn *c, const struct td_md_opts *o);

/* ---- the diagram (mermaid.c) ---- */

/* The timeline as a ```mermaid sequenceDiagram block, the root cause
 * highlighted; at most TD_MD_ARROWS arrows. */
enum { TD_MD_ARROWS = 60 };
void td_md_mermaid(FILE *f, const struct td_conn *c);

/* The number the diagram's autonumber gives timeline event idx, or 0
 * when the event is not drawn. */
size_t td_md_mermaid_step(const struct td_conn *c, size_t idx);

#endif
