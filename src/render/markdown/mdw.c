/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdw.c - the Markdown writer's primitives (mdw.h): inline text made
 * inert, code spans, and GFM tables whose rows always have the header's
 * cell count.  Like textw.c for the text report and jsonw.c for JSON,
 * the last step before the output: it does not rely on the model's
 * strings being sanitized (text.h), though they are.
 *
 * Escaping follows CommonMark 0.31 (2.4 backslash escapes, 6.1 code
 * spans) and GFM 0.29 (4.10 tables: a pipe splits a cell even inside a
 * code span unless it is escaped), plus GitHub's $math$.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "mdw.h"
#include "text.h"

/* ---- escaping ---- */

static void put_ascii(FILE *f, char ch)
{
	switch (ch) {
	case '&':
		fputs("&amp;", f);
		break;
	case '<':
		fputs("&lt;", f);
		break;
	case '>':
		fputs("&gt;", f);
		break;
	case '\\': case '`': case '*': case '_': case '[': case ']': case '~': case '$': case '|':
		/* Emphasis, code, links, strikethrough, math (GitHub) and
		 * table cells: a backslash makes each literal (CommonMark 2.4,
		 * GFM 4.10 for the pipe, even inside a table). */
		fputc('\\', f);
		fputc(ch, f);
		break;
	default:
		fputc(ch, f);
	}
}

/* s escaped, at most max code points (0: no limit) with "…" ending a
 * cut string; start: s begins a line or a list item. */
static void put_escaped(FILE *f, const char *s, size_t max, bool start)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s), i = 0, cps = 0;
	size_t limit = SIZE_MAX;
	if (max > 0 && td_text_cols(s) > max)
		limit = max - 1;
	if (start) {
		/* Four blanks would start a code block, a marker a list or a
		 * heading: drop the blanks, escape the marker. */
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		size_t d = i;
		while (d < n && d - i < 10 && p[d] >= '0' && p[d] <= '9')
			d++;
		if (d > i && d < n && (p[d] == '.' || p[d] == ')')) {
			fwrite(p + i, 1, d - i, f);
			fputc('\\', f);
			fputc(p[d], f);
			cps += d - i + 1;
			i = d + 1;
		} else if (i < n && (p[i] == '#' || p[i] == '-' || p[i] == '+' || p[i] == '=')) {
			fputc('\\', f);
			fputc(p[i], f);
			cps++;
			i++;
		}
	}
	while (i < n && cps < limit) {
		uint32_t cp = 0;
		size_t k = td_text_utf8(p + i, n - i, &cp);
		if (k == 0) {
			/* Not UTF-8 (the model never holds such bytes; written as
			 * text.h would have). */
			fprintf(f, "\\\\x%02x", (unsigned)p[i]);
			i++;
		} else {
			if (td_text_is_control(cp))
				fputc(' ', f);
			else if (k == 1)
				put_ascii(f, (char)p[i]);
			else
				fwrite(p + i, 1, k, f);
			i += k;
		}
		cps++;
	}
	if (i < n)
		fputs("…", f);
}

void td_md_text(FILE *f, const char *s)
{
	put_escaped(f, s ? s : "", 0, false);
}

void td_md_text_start(FILE *f, const char *s)
{
	put_escaped(f, s ? s : "", 0, true);
}

void td_md_text_max(FILE *f, const char *s, size_t max)
{
	put_escaped(f, s ? s : "", max, false);
}

void td_md_code(FILE *f, const char *s)
{
	if (!s)
		s = "";
	size_t n = strlen(s);
	bool plain = n == 0 || s[0] == ' ' || s[n - 1] == ' ';
	const uint8_t *p = (const uint8_t *)s;
	for (size_t i = 0; i < n && !plain;) {
		uint32_t cp = 0;
		size_t k = td_text_utf8(p + i, n - i, &cp);
		/* A code span shows its bytes as they are: no escape works in
		 * it, and a table splits on a pipe even there. */
		if (k == 0 || td_text_is_control(cp) || cp == '`' || cp == '|' || cp == '\\')
			plain = true;
		i += k ? k : 1;
	}
	if (plain) {
		td_md_text(f, s);
		return;
	}
	fputc('`', f);
	fputs(s, f);
	fputc('`', f);
}

void td_md_textf(FILE *f, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		td_md_text(f, buf);
}

/* ---- GFM tables ---- */

void td_md_table_begin(struct td_md_table *t, FILE *f, const char *const *head,
		       const char *align, size_t cols)
{
	t->f = f;
	t->cols = cols < 1 ? 1 : cols > TD_MD_MAX_COLS ? TD_MD_MAX_COLS : cols;
	t->cell = 0;
	td_md_row_begin(t);
	for (size_t i = 0; i < t->cols; i++)
		td_md_cell_text(t, head[i]);
	td_md_row_end(t);
	fputc('|', f);
	for (size_t i = 0; i < t->cols; i++) {
		char a = align && strlen(align) > i ? align[i] : 'l';
		fputs(a == 'r' ? " ---: |" : a == 'c' ? " :---: |" : " :--- |", f);
	}
	fputc('\n', f);
}

void td_md_row_begin(struct td_md_table *t)
{
	t->cell = 0;
	fputc('|', t->f);
}

bool td_md_cell(struct td_md_table *t)
{
	if (t->cell >= t->cols)
		return false;
	if (t->cell > 0)
		fputs(" |", t->f);
	fputc(' ', t->f);
	t->cell++;
	return true;
}

void td_md_cell_text(struct td_md_table *t, const char *s)
{
	if (td_md_cell(t))
		td_md_text(t->f, s);
}

void td_md_cell_code(struct td_md_table *t, const char *s)
{
	if (td_md_cell(t))
		td_md_code(t->f, s);
}

void td_md_cell_textf(struct td_md_table *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (td_md_cell(t) && n > 0)
		td_md_text(t->f, buf);
}

void td_md_row_end(struct td_md_table *t)
{
	while (t->cell < t->cols)
		(void)td_md_cell(t);
	fputs(" |\n", t->f);
}

void td_md_table_end(struct td_md_table *t)
{
	fputc('\n', t->f);
}
