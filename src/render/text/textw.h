/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * textw.h - the line writer of the text report (text.c): lines of at
 * most a chosen width, optional colour, and lists that wrap or shorten
 * themselves to fit.
 *
 * A line is built in a struct td_tw, then written by td_tw_end().
 * Columns are counted in code points; colour escapes take none.
 * Nothing a caller puts can make a line wider than the writer's width:
 * a line that overflows is cut to width - 3 columns plus "..." when it
 * ends, and no line ends in a space (trailing spaces are dropped, also
 * before a final colour reset).  Bytes that are not printable UTF-8
 * (invalid sequences, C0/C1 controls, DEL) are written as '?', so no
 * string can reach the terminal as an escape sequence; the only escapes
 * written are the colour ones, and only when colour was asked for.  A
 * line that was cut while coloured ends with a reset.
 *
 * Nothing here allocates or fails: output errors are left in the
 * FILE's error flag for the caller to check.
 */
#ifndef TD_TEXTW_H
#define TD_TEXTW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "list.h"
#include "out.h"
#include "tls_names.h"

/* Bytes of one line: TD_TEXT_WIDTH_MAX code points of up to 4 bytes,
 * and room for the colour escapes of its items. */
enum { TD_TW_BUF = TD_TEXT_WIDTH_MAX * 4 + 4096 };

/* TD_TW_RESET is plain text: it both means "no colour" and ends one. */
enum td_tw_color { TD_TW_RESET, TD_TW_RED, TD_TW_GREEN, TD_TW_YELLOW, TD_TW_DIM };

/* One output line being built.  Columns are counted past width (so a
 * caller can measure), bytes are stored only up to width columns, and
 * td_tw_end() cuts an overflowing line to width - 3 columns plus "...".
 * With f == NULL nothing is printed: the line is only measured (and
 * buf/len hold its first width columns).  Callers embed it and may read
 * width, cols, mark, buf and len; only the td_tw_* functions write it. */
struct td_tw {
	FILE *f;          /* borrowed; NULL: measure only */
	bool color;       /* write colour escapes */
	size_t width;     /* columns per line, TD_TEXT_WIDTH_MIN..MAX; never exceeded */
	char buf[TD_TW_BUF]; /* width code points of at most 4 bytes, plus escapes */
	size_t len;       /* bytes in buf */
	size_t cols;      /* columns put on this line, may exceed width */
	size_t cut;       /* byte offset where column width - 3 starts */
	bool esc;         /* an escape sequence is in buf */
	size_t mark;      /* column where the current list of items starts */
};

/* Start an empty line writer on f (borrowed, or NULL to only measure)
 * for lines of width columns (0: TD_TEXT_WIDTH_DEFAULT; brought within
 * TD_TEXT_WIDTH_MIN..MAX); colour escapes are written only when color
 * is true. */
void td_tw_init(struct td_tw *t, FILE *f, bool color, size_t width);

/* Put n bytes of s, one column per code point; anything that is not
 * printable UTF-8 becomes '?'. */
void td_tw_putn(struct td_tw *t, const char *s, size_t n);

/* Put the NUL-terminated string s, as td_tw_putn(). */
void td_tw_put(struct td_tw *t, const char *s);

/* Put printf-formatted text; the formatted text is cut at 511 bytes. */
void td_tw_printf(struct td_tw *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Put n spaces. */
void td_tw_spaces(struct td_tw *t, size_t n);

/* Put v in decimal (what "%" PRIu64 prints, without printf). */
void td_tw_uint(struct td_tw *t, uint64_t v);

/* Put s, then spaces up to width bytes: what "%-*s" prints. */
void td_tw_pad(struct td_tw *t, const char *s, size_t width);

/* Building a short string in a fixed buffer without printf (a report
 * formats a few million pieces): append s, or v in decimal, at d, the
 * end of the NUL-terminated string being built in a buffer that ends at
 * end (one past its last byte, end > d); returns the new end of the
 * string.  Cut as snprintf cuts, and always terminated. */
char *td_tw_cat(char *d, const char *end, const char *s);
char *td_tw_cat_u64(char *d, const char *end, uint64_t v);

/* Switch to colour c (TD_TW_RESET: back to plain).  Takes no column;
 * does nothing without colour, or when the buffer has no room left for
 * it and a final reset. */
void td_tw_color(struct td_tw *t, enum td_tw_color c);

/* Put s in colour c, then back to plain (TD_TW_RESET: just put s). */
void td_tw_colored(struct td_tw *t, enum td_tw_color c, const char *s);

/* End the line: cut it if it overflowed, drop its trailing spaces
 * (keeping the colour escapes after them), write it and '\n' (unless f
 * is NULL), and start a new empty line (cols and mark back to 0). */
void td_tw_end(struct td_tw *t);

/* Columns of s as td_tw_put() counts them (one per code point, one per
 * byte that is not valid UTF-8). */
size_t td_tw_str_cols(const char *s);

/* Put s, cut to at most max columns with "..." at the end (not cut
 * when max < 4). */
void td_tw_put_max(struct td_tw *t, const char *s, size_t max);

/* Put s in colour c.  Without wrap it is put as is (and cut at the end
 * of the line by td_tw_end()); with wrap it goes on over new lines
 * indented by indent, each line carrying its own colour and reset.  It
 * breaks after a space or a comma (words, RDNs), the space staying
 * behind; only a word longer than the room from indent to the end of a
 * line is broken inside: it starts where it is and breaks where the
 * lines end. */
void td_tw_text(struct td_tw *t, const char *s, enum td_tw_color c, bool wrap, size_t indent);

/* The items of a list start at the current column; see td_tw_item(). */
void td_tw_mark(struct td_tw *t);

/* One item of a list on lines that wrap: sep before it unless it is the
 * first since the mark, or, when sep and text would pass the line's
 * end, sep's punctuation (trailing spaces dropped) then a new line
 * indented by indent (which becomes the new mark).  text is put in
 * colour c, as td_tw_text() with wrap: one longer than the room from
 * indent goes on over lines indented by indent. */
void td_tw_item(struct td_tw *t, const char *sep, const char *text, size_t indent,
		enum td_tw_color c);


/* ---- lists of code points and strings ---- */

/* A list to print: either wire code points named from a registry, or
 * strings.  Borrows the list; build it with td_tw_items_u16() or
 * td_tw_items_str(). */
struct td_tw_items {
	const struct td_u16list *u;  /* either this, named from reg */
	enum td_tls_registry reg;
	const struct td_strlist *s;  /* or this */
	bool skip_grease;            /* leave GREASE values out (summaries) */
};

/* The code points of l (borrowed) named from reg; with skip, GREASE
 * values (RFC 8701) are left out. */
struct td_tw_items td_tw_items_u16(const struct td_u16list *l, enum td_tls_registry reg,
				    bool skip);

/* The strings of l (borrowed). */
struct td_tw_items td_tw_items_str(const struct td_strlist *l);

/* Items that would be shown: kept items minus skipped GREASE values
 * (items the list cap dropped are not counted). */
size_t td_tw_items_count(const struct td_tw_items *it);

/* Put every item, separated by ", ", wrapped onto lines indented by
 * indent; then, in yellow, how many the list cap refused.  "(none)"
 * for an empty list. */
void td_tw_list_wrap(struct td_tw *t, const struct td_tw_items *it, size_t indent);

/* Put at most max items, fewer when the next one (with the tail that
 * would follow it) would pass column limit, then ", ... (N more)",
 * where N counts the items the list cap refused too.  When not even the
 * first item fits with that tail: the first item alone when it fits,
 * its tail then on a new line indented by indent; or, with indent
 * SIZE_MAX (one line only), or when the first item does not fit alone,
 * "... (N more)" alone.  A list of one item always shows it.  "(none)"
 * for an empty list.  Returns how many items were shown. */
size_t td_tw_list_fit(struct td_tw *t, const struct td_tw_items *it, size_t max, size_t limit,
		      size_t indent);
#endif
