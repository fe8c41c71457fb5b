/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * doc.c - the document a pane scrolls (tui_int.h, struct td_tui_doc):
 * lines built with the line builder (rows.c), cut to the pane's width,
 * and text word-wrapped to it.  The details pane (details.c) and the
 * ladder (ladder.c) both write into one; neither calls the other for it,
 * so the calls go one way: details -> ladder -> doc.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "text.h"
#include "tui_int.h"

/* ---- the document --------------------------------------------------------- */

void td_tui_doc_init(struct td_tui_doc *d, size_t width)
{
	memset(d, 0, sizeof *d);
	d->width = width > TD_TUI_LINE ? TD_TUI_LINE : width;
	d->mark_line = -1;
	d->diag_line = -1;
}

void td_tui_doc_cleanup(struct td_tui_doc *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	size_t w = d->width;
	td_tui_doc_init(d, w);
}

void td_tui_doc_add(struct td_tui_doc *d, const struct td_tui_lb *b, enum td_tui_attr a)
{
	if (d->nomem)
		return;
	if (d->n == d->alloc) {
		size_t na = d->alloc ? d->alloc * 2 : 64;
		struct td_tui_line *v = realloc(d->v, na * sizeof *v);
		if (!v) {
			d->nomem = true;
			return;
		}
		d->v = v;
		d->alloc = na;
	}
	/* Never wider than the pane. */
	struct td_tui_lb cut;
	if (b->cols > d->width) {
		td_tui_lb_init(&cut);
		td_tui_lb_put(&cut, b->s, d->width);
		b = &cut;
	}
	char *s = strdup(b->s);
	if (!s) {
		d->nomem = true;
		return;
	}
	d->v[d->n].text = s;
	d->v[d->n].attr = a;
	d->n++;
}

void td_tui_doc_text(struct td_tui_doc *d, const char *s, enum td_tui_attr a)
{
	struct td_tui_lb b;
	td_tui_lb_init(&b);
	td_tui_lb_put(&b, s, d->width);
	td_tui_doc_add(d, &b, a);
}

/* Bytes of the word at s (up to a space or the end) and its columns. */
static size_t word_len(const char *s, size_t *cols)
{
	size_t n = 0;
	while (s[n] && s[n] != ' ')
		n++;
	char tmp[TD_CAP_STRING * 4 + 1];
	size_t k = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
	memcpy(tmp, s, k);
	tmp[k] = '\0';
	*cols = td_tui_str_cols(tmp);
	return n;
}

/* Bytes of the first k columns of s, as td_tui_str_cols counts them. */
static size_t cp_bytes(const char *s, size_t k)
{
	size_t n = strlen(s), i = 0;
	bool printable;
	for (size_t c = 0; c < k && i < n; c++)
		i += td_text_next((const uint8_t *)s + i, n - i, &printable);
	return i;
}

void td_tui_doc_wrap(struct td_tui_doc *d, const char *prefix, const char *s,
		     size_t indent, enum td_tui_attr a)
{
	size_t w = d->width;
	if (indent + 8 > w)
		indent = w > 8 ? w - 8 : 0;
	struct td_tui_lb b;
	td_tui_lb_init(&b);
	td_tui_lb_put(&b, prefix, w);
	size_t start = b.cols;  /* a line with nothing after its prefix yet */
	char word[TD_CAP_STRING * 4 + 1];
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		size_t cols, n = word_len(s, &cols);
		size_t k = n < sizeof word - 1 ? n : sizeof word - 1;
		memcpy(word, s, k);
		word[k] = '\0';
		size_t sep = b.cols > start ? 1 : 0;
		if (b.cols + sep + cols > w && b.cols > start) {
			td_tui_doc_add(d, &b, a);
			td_tui_lb_init(&b);
			td_tui_lb_fill(&b, ' ', indent);
			start = b.cols;
			sep = 0;
		}
		if (sep)
			td_tui_lb_put(&b, " ", 1);
		if (b.cols + cols <= w) {
			td_tui_lb_put(&b, word, cols);
		} else {
			/* A word longer than a line (a fingerprint, a long DN
			 * without spaces): split it, never cut it. */
			const char *p = word;
			while (*p) {
				size_t room = w > b.cols ? w - b.cols : 0;
				if (room == 0) {
					td_tui_doc_add(d, &b, a);
					td_tui_lb_init(&b);
					td_tui_lb_fill(&b, ' ', indent);
					continue;
				}
				char piece[4 * TD_TUI_LINE + 1];
				size_t pl = cp_bytes(p, room);
				if (pl > sizeof piece - 1)
					pl = sizeof piece - 1;
				memcpy(piece, p, pl);
				piece[pl] = '\0';
				td_tui_lb_put(&b, piece, room);
				p += pl;
				if (*p) {
					td_tui_doc_add(d, &b, a);
					td_tui_lb_init(&b);
					td_tui_lb_fill(&b, ' ', indent);
				}
			}
		}
		s += n;
	}
	td_tui_doc_add(d, &b, a);
}
