/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * textw.c - the line writer of the text report (see textw.h): lines
 * that never pass the writer's width nor end in a space, optional
 * colour, and lists that wrap or shorten themselves to fit.
 *
 * Columns are counted in code points (td_text_utf8).  Bytes that are
 * not printable UTF-8 are replaced here even though the model's strings
 * are already sanitized (text.h): this file is the last step before the
 * terminal, so it does not rely on every caller.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "caps.h"
#include "text.h"
#include "textw.h"
#include "render.h"

/* ---- the line writer ---- */

void td_tw_init(struct td_tw *t, FILE *f, bool color, size_t width)
{
	/* Only the fields: buf is written before it is read, and clearing
	 * its 8 KiB for every line writer would be wasted. */
	t->f = f;
	t->color = color;
	if (width == 0)
		width = TD_TEXT_WIDTH_DEFAULT;
	t->width = width < TD_TEXT_WIDTH_MIN ? TD_TEXT_WIDTH_MIN
		 : width > TD_TEXT_WIDTH_MAX ? TD_TEXT_WIDTH_MAX : width;
	t->len = 0;
	t->cols = 0;
	t->cut = 0;
	t->esc = false;
	t->mark = 0;
}

static void append(struct td_tw *t, const char *s, size_t n)
{
	if (n <= sizeof t->buf - t->len) {
		memcpy(t->buf + t->len, s, n);
		t->len += n;
	}
}

/* Put n bytes, one column per code point.  Anything that is not
 * printable UTF-8 becomes '?'. */
void td_tw_putn(struct td_tw *t, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;
	while (i < n) {
		/* A run of printable ASCII goes in at once, with the same cut
		 * point and the same bytes kept as one code point at a time
		 * would give. */
		size_t run = td_text_ascii_run(p + i, n - i);
		if (run > 0) {
			if (t->cols <= t->width - 3 && t->cols + run > t->width - 3)
				t->cut = t->len + (t->width - 3 - t->cols);
			size_t keep = t->cols < t->width ? t->width - t->cols : 0;
			if (keep > run)
				keep = run;
			if (keep > sizeof t->buf - t->len)
				keep = sizeof t->buf - t->len;
			append(t, s + i, keep);
			t->cols += run;
			i += run;
			continue;
		}
		uint32_t cp = 0;
		size_t k = td_text_utf8(p + i, n - i, &cp);
		const char *out = s + i;
		size_t outlen = k;
		if (k == 0 || td_text_is_control(cp)) {
			out = "?";
			outlen = 1;
			if (k == 0)
				k = 1;
		}
		if (t->cols == t->width - 3)
			t->cut = t->len;
		if (t->cols < t->width)
			append(t, out, outlen);
		t->cols++;
		i += k;
	}
}

void td_tw_put(struct td_tw *t, const char *s)
{
	td_tw_putn(t, s, strlen(s));
}

void td_tw_printf(struct td_tw *t, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		td_tw_put(t, tmp);
}

void td_tw_spaces(struct td_tw *t, size_t n)
{
	static const char sp[] = "                                ";  /* 32 */
	while (n > 0) {
		size_t k = n < sizeof sp - 1 ? n : sizeof sp - 1;
		td_tw_putn(t, sp, k);
		n -= k;
	}
}

/* The decimal digits of v, written backwards ending at end; returns
 * where they start. */
static char *digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	return end;
}

void td_tw_uint(struct td_tw *t, uint64_t v)
{
	char buf[24];
	char *p = digits(buf + sizeof buf, v);
	td_tw_putn(t, p, (size_t)(buf + sizeof buf - p));
}

void td_tw_pad(struct td_tw *t, const char *s, size_t width)
{
	size_t n = strlen(s);
	td_tw_putn(t, s, n);
	if (n < width)
		td_tw_spaces(t, width - n);
}

char *td_tw_cat(char *d, const char *end, const char *s)
{
	size_t room = (size_t)(end - d) - 1, n = strlen(s);
	if (n > room)
		n = room;
	memcpy(d, s, n);
	d[n] = '\0';
	return d + n;
}

char *td_tw_cat_u64(char *d, const char *end, uint64_t v)
{
	char buf[24];
	buf[sizeof buf - 1] = '\0';
	return td_tw_cat(d, end, digits(buf + sizeof buf - 1, v));
}

void td_tw_color(struct td_tw *t, enum td_tw_color c)
{
	static const char *const seq[] = {
		[TD_TW_RESET] = "\033[0m", [TD_TW_RED] = "\033[31m", [TD_TW_GREEN] = "\033[32m",
		[TD_TW_YELLOW] = "\033[33m", [TD_TW_DIM] = "\033[2m",
	};
	if (!t->color)
		return;
	/* Escapes take no column; keep room for the final reset. */
	size_t n = strlen(seq[c]);
	if (n + 8 <= sizeof t->buf - t->len) {
		append(t, seq[c], n);
		t->esc = true;
	}
}

/* Text in a colour (TD_TW_RESET: plain). */
void td_tw_colored(struct td_tw *t, enum td_tw_color c, const char *s)
{
	if (c != TD_TW_RESET)
		td_tw_color(t, c);
	td_tw_put(t, s);
	if (c != TD_TW_RESET)
		td_tw_color(t, TD_TW_RESET);
}

/* Where the colour escape that ends at buf[end] starts, or end when
 * none does.  Only our own escapes reach buf ("\033[" digits "m"):
 * a control byte from a string was replaced by '?'. */
static size_t esc_before(const struct td_tw *t, size_t end)
{
	if (!t->esc || end == 0 || t->buf[end - 1] != 'm')
		return end;
	size_t i = end - 1;
	while (i > 0 && t->buf[i - 1] >= '0' && t->buf[i - 1] <= '9')
		i--;
	if (i >= 2 && t->buf[i - 1] == '[' && t->buf[i - 2] == '\033')
		return i - 2;
	return end;
}

/* Drop the spaces at the end of the line, and those between the
 * colour escapes that end it ("text \033[0m" becomes "text\033[0m"):
 * a trailing space is invisible on a terminal but not in a diff, a
 * pager's search or a mail. */
static void trim_end(struct td_tw *t)
{
	size_t start = t->len;  /* the tail of spaces and escapes */
	for (;;) {
		if (start > 0 && (t->buf[start - 1] == ' ' || t->buf[start - 1] == '\t')) {
			start--;
			continue;
		}
		size_t e = esc_before(t, start);
		if (e == start)
			break;
		start = e;
	}
	size_t o = start;
	for (size_t i = start; i < t->len; i++)
		if (t->buf[i] != ' ' && t->buf[i] != '\t')
			t->buf[o++] = t->buf[i];
	t->len = o;
}

void td_tw_end(struct td_tw *t)
{
	if (t->cols > t->width) {
		t->len = t->cut;
		append(t, "...", 3);
		if (t->esc)
			append(t, "\033[0m", 4);
	}
	trim_end(t);
	if (t->f) {
		/* The line and its newline in one call: a report is a million
		 * short lines, and each stdio call takes the FILE's lock. */
		if (t->len < sizeof t->buf) {
			t->buf[t->len] = '\n';
			fwrite(t->buf, 1, t->len + 1, t->f);
		} else {
			fwrite(t->buf, 1, t->len, t->f);
			fputc('\n', t->f);
		}
	}
	t->len = 0;
	t->cols = 0;
	t->cut = 0;
	t->esc = false;
	t->mark = 0;
}

/* Columns of the n bytes at p as td_tw_putn counts them: one per code
 * point (an ASCII byte is one), one per byte that is not UTF-8. */
static size_t cols_n(const uint8_t *p, size_t n)
{
	return td_text_cols_n(p, n);
}

/* Columns of a string as td_tw_put counts them. */
size_t td_tw_str_cols(const char *s)
{
	return cols_n((const uint8_t *)s, strlen(s));
}

/* Put s, cut to at most max columns with "..." at the end. */
void td_tw_put_max(struct td_tw *t, const char *s, size_t max)
{
	if (td_tw_str_cols(s) <= max || max < 4) {
		td_tw_put(t, s);
		return;
	}
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s), i = 0;
	for (size_t cols = 0; i < n && cols < max - 3; cols++) {
		uint32_t cp;
		size_t k = td_text_utf8(p + i, n - i, &cp);
		i += k ? k : 1;
	}
	td_tw_putn(t, s, i);
	td_tw_put(t, "...");
}

/* Start a continuation line at indent, keeping the colour per line. */
static void wrap_line(struct td_tw *t, enum td_tw_color c, size_t indent)
{
	/* Each line carries its own colour, so a pager cutting lines never
	 * leaves one open. */
	if (c != TD_TW_RESET)
		td_tw_color(t, TD_TW_RESET);
	td_tw_end(t);
	td_tw_spaces(t, indent);
	if (c != TD_TW_RESET)
		td_tw_color(t, c);
}

/* The chunk of s[i..n) that wraps as one: up to just after a ',' or a
 * ' ' (an RDN or a word).  Returns its end; *cols gets its columns
 * without the space that ends it, which may hang past the line. */
static size_t chunk(const uint8_t *p, size_t i, size_t n, size_t *cols)
{
	size_t j = i, c = 0;
	while (j < n) {
		if (p[j] < 0x80) {
			j++;
		} else {
			uint32_t cp = 0;
			size_t k = td_text_utf8(p + j, n - j, &cp);
			j += k ? k : 1;
		}
		if (p[j - 1] == ' ')
			break;
		c++;
		if (p[j - 1] == ',')
			break;
	}
	*cols = c;
	return j;
}

void td_tw_text(struct td_tw *t, const char *s, enum td_tw_color c, bool wrap, size_t indent)
{
	if (!wrap) {
		td_tw_colored(t, c, s);
		return;
	}
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s);
	if (c != TD_TW_RESET)
		td_tw_color(t, c);
	/* Most text fits where it starts: then no chunk wraps and no code
	 * point meets the end of the line, and one put gives the bytes
	 * that chunk by chunk would.  A string takes no more columns than
	 * bytes, so counting them is needed only for a long one. */
	if (t->cols < t->width && (n <= t->width - t->cols || cols_n(p, n) <= t->width - t->cols)) {
		td_tw_putn(t, s, n);
		n = 0;
	}
	for (size_t i = 0; i < n;) {
		/* A chunk moves to a new line when it would not fit here but
		 * fits there whole; one longer than that starts here and
		 * breaks where the lines end (no line left nearly empty). */
		size_t cols;
		size_t j = chunk(p, i, n, &cols);
		if (t->cols + cols > t->width && t->cols > indent && indent + cols <= t->width)
			wrap_line(t, c, indent);
		/* The chunk's code points, its closing space included, all
		 * before the end of the line: at once, as above. */
		if (t->cols + cols + (p[j - 1] == ' ' ? 1u : 0u) <= t->width) {
			td_tw_putn(t, s + i, j - i);
			i = j;
			continue;
		}
		while (i < j) {
			uint32_t cp;
			size_t k = td_text_utf8(p + i, n - i, &cp);
			if (k == 0)
				k = 1;
			if (t->cols >= t->width) {
				/* A space at the end of a line is the break
				 * itself: dropped, the next chunk wraps. */
				if (p[i] == ' ') {
					i++;
					continue;
				}
				/* Only a word longer than a line gets here. */
				wrap_line(t, c, indent);
			}
			td_tw_putn(t, s + i, k);
			i += k;
		}
	}
	if (c != TD_TW_RESET)
		td_tw_color(t, TD_TW_RESET);
}

/* Items of a list start here; see td_tw_item. */
void td_tw_mark(struct td_tw *t)
{
	t->mark = t->cols;
}

/* One item of a list on lines that wrap: sep before it unless it opens
 * the list, or a new line indented by indent when it would not fit; an
 * item longer than a whole line wraps at its own spaces (narrow
 * widths: "FAILED: server sent fatal alert" over two lines rather than
 * cut). */
void td_tw_item(struct td_tw *t, const char *sep, const char *text, size_t indent,
		enum td_tw_color c)
{
	if (t->cols > t->mark) {
		/* The separator's punctuation ends a line: an item is placed
		 * only where the next one's punctuation still fits after it
		 * (a list's last item may wrap one column early), so that no
		 * comma is lost at a line's end. */
		size_t punct = strlen(sep);
		while (punct > 0 && sep[punct - 1] == ' ')
			punct--;
		/* Bytes first: no more columns than bytes. */
		size_t ns = strlen(sep), nt = strlen(text);
		if (t->cols + ns + nt + punct > t->width &&
		    t->cols + cols_n((const uint8_t *)sep, ns) + cols_n((const uint8_t *)text, nt) + punct >
			    t->width) {
			if (t->cols + punct <= t->width)
				td_tw_putn(t, sep, punct);
			td_tw_end(t);
			td_tw_spaces(t, indent);
			td_tw_mark(t);
		} else {
			td_tw_put(t, sep);
		}
	}
	td_tw_text(t, text, c, true, indent);
}

/* ---- lists of code points and strings ---- */

static size_t items_n(const struct td_tw_items *it)
{
	return it->u ? it->u->n : it->s ? it->s->n : 0;
}

/* Item i, or NULL when it is skipped. */
static const char *items_get(const struct td_tw_items *it, size_t i, char *buf, size_t len)
{
	if (it->s)
		return it->s->v[i];
	if (it->skip_grease && td_tls_is_grease(it->u->v[i]))
		return NULL;
	return td_out_code_name(it->reg, it->u->v[i], buf, len);
}

size_t td_tw_items_count(const struct td_tw_items *it)
{
	/* items_get() skips only GREASE values: no name to look up. */
	size_t n = items_n(it);
	if (it->u && it->skip_grease)
		for (size_t i = 0; i < it->u->n; i++)
			if (td_tls_is_grease(it->u->v[i]))
				n--;
	return n;
}

/* Items the list cap refused (counted, not kept). */
static size_t items_dropped(const struct td_tw_items *it)
{
	return it->u ? it->u->dropped : it->s ? it->s->dropped : 0;
}

struct td_tw_items td_tw_items_u16(const struct td_u16list *l, enum td_tls_registry reg,
				    bool skip)
{
	return (struct td_tw_items){ .u = l, .reg = reg, .skip_grease = skip };
}

struct td_tw_items td_tw_items_str(const struct td_strlist *l)
{
	return (struct td_tw_items){ .s = l };
}

/* Every item, wrapped onto lines indented by indent. */
void td_tw_list_wrap(struct td_tw *t, const struct td_tw_items *it, size_t indent)
{
	td_tw_mark(t);
	size_t shown = 0;
	for (size_t i = 0; i < items_n(it); i++) {
		char buf[32];
		const char *s = items_get(it, i, buf, sizeof buf);
		if (s) {
			td_tw_item(t, ", ", s, indent, TD_TW_RESET);
			shown++;
		}
	}
	size_t dropped = items_dropped(it);
	if (dropped > 0) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s%zu more not kept (cap %u)", shown ? "" : "... ",
			 dropped, TD_CAP_LIST);
		td_tw_item(t, ", ", buf, indent, TD_TW_YELLOW);
	} else if (shown == 0) {
		td_tw_put(t, "(none)");
	}
}

/* At most max items, fewer when they would pass column limit, then
 * ", ... (N more)".  Returns how many were shown. */
size_t td_tw_list_fit(struct td_tw *t, const struct td_tw_items *it, size_t max, size_t limit,
		      size_t indent)
{
	/* What the list cap refused is counted in "more" too. */
	size_t total = td_tw_items_count(it) + items_dropped(it), shown = 0;
	for (size_t i = 0; i < items_n(it) && shown < max; i++) {
		char buf[32];
		const char *s = items_get(it, i, buf, sizeof buf);
		if (!s)
			continue;
		size_t need = (shown ? 2 : 0) + td_tw_str_cols(s);
		if (shown + 1 < total) {
			/* The columns of ", ... (N more)". */
			char num[24];
			need += sizeof ", ... ( more)" - 1 +
				(size_t)(num + sizeof num - digits(num + sizeof num, total - shown - 1));
		}
		/* The first item fits alone, its tail going under: a long
		 * SAN is worth the line. */
		bool alone = shown == 0 && indent != SIZE_MAX && t->cols + td_tw_str_cols(s) <= limit;
		/* Otherwise the first item too gives way to "... (N more)"
		 * when the two do not fit together: a count beats a name cut
		 * in half. */
		if ((shown > 0 || total > 1) && t->cols + need > limit && !alone)
			break;
		if (shown > 0)
			td_tw_put(t, ", ");
		td_tw_put(t, s);
		shown++;
	}
	if (shown < total) {
		char more[48];
		char *d = td_tw_cat(more, more + sizeof more, "... (");
		d = td_tw_cat_u64(d, more + sizeof more, total - shown);
		td_tw_cat(d, more + sizeof more, " more)");
		if (shown > 0 && indent != SIZE_MAX) {
			td_tw_item(t, ", ", more, indent, TD_TW_RESET);
		} else {
			if (shown)
				td_tw_put(t, ", ");
			td_tw_put(t, more);
		}
	}
	if (total == 0)
		td_tw_put(t, "(none)");
	return shown;
}
