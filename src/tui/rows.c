/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rows.c - text cells and the connection list (tui_int.h).
 *
 *   S TIME     CLIENT -> SERVER           SNI              VER  STATE       DIAGNOSIS
 *   X 05:18:09 127.0.0.1 -> 127.0.0.1:8443 tls-server.local 1.2  failed      CLIENT_CERT_UNTRUSTED
 *
 * Every line is built in a struct td_tui_lb, counted in columns (one per
 * code point), never wider than asked: a cell that does not fit is cut
 * and ends with '~'.  Model strings are already printable UTF-8 (text.h);
 * the line builder still writes anything else as '?', so no byte from
 * the wire reaches the terminal as a control sequence.
 *
 * Below 120 columns the list is "narrow": time without milliseconds,
 * version without "TLS ", and no STATE column: its 12 columns are what
 * the client's address needs at 80, and the row's symbol already says
 * failed, warning, established or running.  The last column then shows
 * the diagnosis code, or the (brief) state when there is none:
 *
 *   S TIME     CLIENT -> SERVER                  SNI       VER DIAGNOSIS/STATE
 *   X 05:18:09 127.0.0.1:44634 -> 127.0.0.1:8443 tls-serv~ 1.2 CLIENT_CERT_UNTRUSTED
 *   + 05:18:10 127.0.0.1:56998 -> 127.0.0.1:8443 tls-serv~ 1.2 established
 *
 * The flexible columns (endpoints, SNI, code) take their widest content
 * among the rows on screen.  When the screen is too narrow, the code is
 * served first, as it is what the list is for, then the endpoints (who
 * connected where), and the SNI takes what is left: the details pane's
 * bar names the selected row's SNI in full.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "text.h"
#include "tls_names.h"
#include "tui_int.h"

/* ---- the line builder --------------------------------------------------- */

void td_tui_lb_init(struct td_tui_lb *b)
{
	b->s[0] = '\0';
	b->len = 0;
	b->cols = 0;
}

size_t td_tui_str_cols(const char *s)
{
	return td_text_cols(s);
}

/* Put one code point (k bytes at s, or '?' when k is 0). */
static void put_cp(struct td_tui_lb *b, const char *s, size_t k)
{
	if (b->cols >= TD_TUI_LINE)
		return;
	if (k == 0) {
		s = "?";
		k = 1;
	}
	memcpy(b->s + b->len, s, k);
	b->len += k;
	b->s[b->len] = '\0';
	b->cols++;
}

void td_tui_lb_put(struct td_tui_lb *b, const char *s, size_t max)
{
	size_t n = strlen(s);
	bool cut = td_tui_str_cols(s) > max;
	size_t room = cut ? (max > 0 ? max - 1 : 0) : max;
	for (size_t i = 0, c = 0; i < n && c < room; c++) {
		bool printable;
		size_t k = td_text_next((const uint8_t *)s + i, n - i, &printable);
		put_cp(b, s + i, printable ? k : 0);
		i += k;
	}
	if (cut && max > 0)
		put_cp(b, "~", 1);
}

void td_tui_lb_fill(struct td_tui_lb *b, char ch, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_cp(b, &ch, 1);
}

void td_tui_lb_pad(struct td_tui_lb *b, size_t w)
{
	if (b->cols < w)
		td_tui_lb_fill(b, ' ', w - b->cols);
}

void td_tui_lb_cell(struct td_tui_lb *b, const char *s, size_t w, bool right)
{
	size_t cols = td_tui_str_cols(s);
	size_t start = b->cols;
	if (right && cols < w)
		td_tui_lb_fill(b, ' ', w - cols);
	td_tui_lb_put(b, s, w);
	td_tui_lb_pad(b, start + w);
}

/* ---- columns ------------------------------------------------------------ */

enum {
	NARROW_BELOW = 120,   /* screens narrower than this get the brief forms */
	MIN_ENDS = 20, MIN_SNI = 8, MIN_CODE = 16,
	MAX_ENDS = 100, MAX_SNI = 48, MAX_CODE = 32,
	TIME_COLS = 8, TIME_MS_COLS = 12,     /* "05:18:09", "05:18:09.362" */
	VER_COLS = 3, VER_LONG_COLS = 7,      /* "1.2", "TLS 1.2" */
	STATE_COLS = 13,                      /* "server flight" */
	GAPS = 6              /* one space between the 7 columns (6 when narrow) */
};

static const char H_ENDS[] = "CLIENT -> SERVER";
static const char H_CODE[] = "DIAGNOSIS", H_CODE_STATE[] = "DIAGNOSIS/STATE";

/* The last column's text: the root diagnosis code; when narrow (no STATE
 * column) the brief state when there is no code. */
static const char *code_cell(const struct td_tui_row *r, bool narrow)
{
	if (r->code)
		return r->code;
	if (narrow)
		return td_tui_state_name(r->state, true);
	return r->done ? "-" : "";
}

static size_t ends_cols(const struct td_tui_row *r)
{
	return td_tui_str_cols(r->client) + 4 + td_tui_str_cols(r->server);
}

static size_t clamp(size_t v, size_t lo, size_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

void td_tui_cols_fit(struct td_tui_cols *k, size_t width,
		     const struct td_tui_row *const *rows, size_t n)
{
	if (width > TD_TUI_LINE)
		width = TD_TUI_LINE;
	k->width = width;
	k->narrow = width < NARROW_BELOW;
	k->time = k->narrow ? TIME_COLS : TIME_MS_COLS;
	k->ver = k->narrow ? VER_COLS : VER_LONG_COLS;
	k->state = k->narrow ? 0 : STATE_COLS;  /* 0: no STATE column */
	/* At least the headers' widths. */
	size_t ie = sizeof H_ENDS - 1, is = 3;
	size_t ic = k->narrow ? sizeof H_CODE_STATE - 1 : sizeof H_CODE - 1;
	for (size_t i = 0; i < n; i++) {
		const struct td_tui_row *r = rows[i];
		ie = ie > ends_cols(r) ? ie : ends_cols(r);
		if (r->sni && td_tui_str_cols(r->sni) > is)
			is = td_tui_str_cols(r->sni);
		size_t cc = td_tui_str_cols(code_cell(r, k->narrow));
		ic = ic > cc ? ic : cc;
	}
	ie = clamp(ie, 1, MAX_ENDS);
	is = clamp(is, 1, MAX_SNI);
	ic = clamp(ic, 1, MAX_CODE);
	size_t fixed = 1 + k->time + k->ver + (k->state ? k->state + GAPS : GAPS - 1);
	size_t avail = width > fixed ? width - fixed : 0;
	k->ends = min_sz(ie, MIN_ENDS);
	k->sni = min_sz(is, MIN_SNI);
	k->code = min_sz(ic, MIN_CODE);
	size_t used = k->ends + k->sni + k->code;
	if (used >= avail)
		return;  /* tiny screens: the line is cut at its width */
	size_t extra = avail - used, give;
	give = min_sz(extra, ic - k->code);
	k->code += give;
	extra -= give;
	give = min_sz(extra, ie - k->ends);
	k->ends += give;
	extra -= give;
	give = min_sz(extra, is - k->sni);
	k->sni += give;
}

/* Exactly w columns: never wider than the screen, whatever the columns
 * came to on a tiny one. */
static void fit_width(struct td_tui_lb *b, size_t w)
{
	if (b->cols > w) {
		struct td_tui_lb t = *b;
		td_tui_lb_init(b);
		td_tui_lb_put(b, t.s, w);
	}
	td_tui_lb_pad(b, w);
}

void td_tui_cols_header(struct td_tui_lb *b, const struct td_tui_cols *k)
{
	td_tui_lb_init(b);
	td_tui_lb_cell(b, "S", 1, false);
	td_tui_lb_put(b, " ", 1);
	td_tui_lb_cell(b, "TIME", k->time, false);
	td_tui_lb_put(b, " ", 1);
	td_tui_lb_cell(b, H_ENDS, k->ends, false);
	td_tui_lb_put(b, " ", 1);
	td_tui_lb_cell(b, "SNI", k->sni, false);
	td_tui_lb_put(b, " ", 1);
	td_tui_lb_cell(b, "VER", k->ver, false);
	td_tui_lb_put(b, " ", 1);
	if (k->state) {
		td_tui_lb_cell(b, "STATE", k->state, false);
		td_tui_lb_put(b, " ", 1);
	}
	td_tui_lb_cell(b, k->state ? H_CODE : H_CODE_STATE, k->code, false);
	fit_width(b, k->width);
}

void td_tui_ends(struct td_tui_lb *b, const struct td_tui_row *r, size_t w)
{
	size_t start = b->cols;
	size_t cs = td_tui_str_cols(r->server);
	char buf[TD_TUI_ADDR * 2 + 8];
	if (ends_cols(r) <= w) {
		snprintf(buf, sizeof buf, "%s -> %s", r->client, r->server);
	} else if (td_tui_str_cols(r->client_ip) + 4 + cs <= w) {
		/* The client's port is the least telling part. */
		snprintf(buf, sizeof buf, "%s -> %s", r->client_ip, r->server);
	} else if (w >= cs + 4 + 1 + 4) {
		/* Keep the server whole and the end of the client's address. */
		size_t room = w - cs - 4 - 1, len = strlen(r->client_ip);
		size_t from = len > room ? len - room : 0;
		snprintf(buf, sizeof buf, "~%s -> %s", r->client_ip + from, r->server);
	} else if (w >= cs + 3) {
		/* A few characters of an address say nothing: the server alone. */
		snprintf(buf, sizeof buf, "-> %s", r->server);
	} else {
		snprintf(buf, sizeof buf, "%s -> %s", r->client_ip, r->server);
	}
	td_tui_lb_put(b, buf, w);
	td_tui_lb_pad(b, start + w);
}

/* "05:18:09" or "05:18:09.362" (UTC, as the text report's times). */
static void fmt_clock(char *buf, size_t len, uint64_t us, bool ms)
{
	time_t secs = (time_t)(us / 1000000u);
	struct tm tm;
	if (!gmtime_r(&secs, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	if (ms)
		snprintf(buf, len, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (unsigned)(us % 1000000u / 1000u));
	else
		snprintf(buf, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* "TLS 1.3", or "1.3" when narrow; "-" until known. */
static void fmt_version(char *buf, size_t len, uint16_t v, bool narrow)
{
	if (v == 0) {
		snprintf(buf, len, "-");
		return;
	}
	char nb[32];
	const char *n = td_tls_name(TD_REG_VERSION, v, nb, sizeof nb);
	if (narrow && strncmp(n, "TLS ", 4) == 0)
		n += 4;  /* "1.3"; a draft shows as "1.~" */
	else if (narrow && v == TD_VERSION_SSL3)
		n = "S3";
	snprintf(buf, len, "%s", n);
}

void td_tui_row_line(struct td_tui_lb *b, const struct td_tui_row *r,
		     const struct td_tui_cols *k)
{
	char sym[2] = { td_tui_class_symbol(r->cls), '\0' }, buf[48];
	td_tui_lb_init(b);
	td_tui_lb_cell(b, sym, 1, false);
	td_tui_lb_put(b, " ", 1);
	fmt_clock(buf, sizeof buf, r->start_us, !k->narrow);
	td_tui_lb_cell(b, buf, k->time, false);
	td_tui_lb_put(b, " ", 1);
	td_tui_ends(b, r, k->ends);
	td_tui_lb_put(b, " ", 1);
	td_tui_lb_cell(b, r->sni ? r->sni : "-", k->sni, false);
	td_tui_lb_put(b, " ", 1);
	fmt_version(buf, sizeof buf, r->version, k->narrow);
	td_tui_lb_cell(b, buf, k->ver, false);
	td_tui_lb_put(b, " ", 1);
	if (k->state) {
		td_tui_lb_cell(b, td_tui_state_name(r->state, false), k->state, false);
		td_tui_lb_put(b, " ", 1);
	}
	td_tui_lb_cell(b, code_cell(r, k->narrow), k->code, false);
	fit_width(b, k->width);
}
