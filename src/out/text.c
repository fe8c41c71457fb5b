/*
 * text.c - the readable report: one block per connection, then a summary.
 *
 *   #1  192.0.2.1:51234 -> 192.0.2.10:8443  tls-server.local  2026-11-27T04:49:23.123456Z
 *       TLS 1.2  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256  ALPN h2  4.200 ms
 *       FAILED: server sent fatal alert unknown_ca
 *       client offered: TLS 1.3, TLS 1.2; 4 suites; groups x25519, secp256r1, secp384r1;
 *                       key share x25519; ALPN h2, http/1.1
 *       timeline
 *         +0.000302  C -> S  ClientHello (517 bytes)     C -> S: the client sent it
 *         +0.004100  C <- S  Alert fatal unknown_ca      C <- S: the server sent it
 *       server certificates (2)
 *         [0] O=LMT Corp,CN=tls-server.local
 *             issuer  O=LMT Corp,CN=intermediateCA
 *             valid   2024-02-29 .. 2025-02-28  (expired at capture time)
 *             key     RSA 4096, signature sha256WithRSAEncryption
 *             SAN / EKU / sha256 (verbose: usage, serial, DER length too)
 *       certificate request (TLS 1.2 or older), its sig algs and cert types
 *       acceptable client CAs (1)
 *       client certificates (1) ... | none sent (empty Certificate)
 *       anomalies (N), caps dropped: ...
 *
 * then, from finish(), the run: connections by outcome, capture
 * counters, and every drop by a cap.
 *
 * Every line fits in 100 columns: lists stop with "... (N more)" (all
 * of them, wrapped, with the verbose option), long names are cut with
 * "..." (wrapped with verbose), and the line writer below cuts anything
 * that still overflows.
 * Columns are counted in code points.  Colour, only when asked: red for
 * failure and fatal alerts, green for established, yellow for warnings,
 * dim for TCP events.  Model strings are already printable (text.h);
 * control characters are still replaced here so that nothing can ever
 * reach the terminal as an escape sequence.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "jsonw.h"
#include "out.h"
#include "packet.h"
#include "sink.h"
#include "text.h"
#include "tls_names.h"

enum {
	WIDTH = 100,     /* columns per line, never exceeded */
	IND_BLOCK = 4,   /* the lines of a connection block */
	IND_SUB = 6,     /* lines under a heading */
	IND_VALUE = 18,  /* values after a label column ("      sig algs    ") */
	IND_CERT = 10,   /* the lines of one certificate */
	LIST_SHORT = 8   /* lines of a long list shown without --verbose */
};

enum color { C_RESET, C_RED, C_GREEN, C_YELLOW, C_DIM };

/* ---- the line writer ---- */

/* One output line being built.  Columns are counted past WIDTH (so a
 * caller can measure), bytes are stored only up to WIDTH columns, and
 * tw_end() cuts an overflowing line to WIDTH - 3 columns plus "...".
 * With f == NULL nothing is printed: the line is only measured. */
struct tw {
	FILE *f;
	bool color;
	char buf[1024];   /* WIDTH code points of at most 4 bytes, plus escapes */
	size_t len;       /* bytes in buf */
	size_t cols;      /* columns put on this line, may exceed WIDTH */
	size_t cut;       /* byte offset where column WIDTH - 3 starts */
	bool esc;         /* an escape sequence is in buf */
	size_t mark;      /* column where the current list of items starts */
};

static void tw_init(struct tw *t, FILE *f, bool color)
{
	memset(t, 0, sizeof *t);
	t->f = f;
	t->color = color;
}

static void tw_append(struct tw *t, const char *s, size_t n)
{
	if (n <= sizeof t->buf - t->len) {
		memcpy(t->buf + t->len, s, n);
		t->len += n;
	}
}

/* Put n bytes, one column per code point.  Anything that is not
 * printable UTF-8 becomes '?'. */
static void tw_putn(struct tw *t, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;
	while (i < n) {
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
		if (t->cols == WIDTH - 3)
			t->cut = t->len;
		if (t->cols < WIDTH)
			tw_append(t, out, outlen);
		t->cols++;
		i += k;
	}
}

static void tw_put(struct tw *t, const char *s)
{
	tw_putn(t, s, strlen(s));
}

static void tw_printf(struct tw *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tw_printf(struct tw *t, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		tw_put(t, tmp);
}

static void tw_spaces(struct tw *t, size_t n)
{
	while (n-- > 0)
		tw_put(t, " ");
}

static void tw_color(struct tw *t, enum color c)
{
	static const char *const seq[] = {
		[C_RESET] = "\033[0m", [C_RED] = "\033[31m", [C_GREEN] = "\033[32m",
		[C_YELLOW] = "\033[33m", [C_DIM] = "\033[2m",
	};
	if (!t->color)
		return;
	/* Escapes take no column; keep room for the final reset. */
	size_t n = strlen(seq[c]);
	if (n + 8 <= sizeof t->buf - t->len) {
		tw_append(t, seq[c], n);
		t->esc = true;
	}
}

/* Text in a colour (C_RESET: plain). */
static void tw_colored(struct tw *t, enum color c, const char *s)
{
	if (c != C_RESET)
		tw_color(t, c);
	tw_put(t, s);
	if (c != C_RESET)
		tw_color(t, C_RESET);
}

static void tw_end(struct tw *t)
{
	if (t->cols > WIDTH) {
		t->len = t->cut;
		tw_append(t, "...", 3);
		if (t->esc)
			tw_append(t, "\033[0m", 4);
	}
	if (t->f) {
		fwrite(t->buf, 1, t->len, t->f);
		fputc('\n', t->f);
	}
	t->len = 0;
	t->cols = 0;
	t->cut = 0;
	t->esc = false;
	t->mark = 0;
}

/* Columns of a string as tw_put counts them. */
static size_t str_cols(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s), cols = 0;
	for (size_t i = 0; i < n; cols++) {
		uint32_t cp;
		size_t k = td_text_utf8(p + i, n - i, &cp);
		i += k ? k : 1;
	}
	return cols;
}

/* Put s, cut to at most max columns with "..." at the end. */
static void tw_put_max(struct tw *t, const char *s, size_t max)
{
	if (str_cols(s) <= max || max < 4) {
		tw_put(t, s);
		return;
	}
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s), i = 0;
	for (size_t cols = 0; i < n && cols < max - 3; cols++) {
		uint32_t cp;
		size_t k = td_text_utf8(p + i, n - i, &cp);
		i += k ? k : 1;
	}
	tw_putn(t, s, i);
	tw_put(t, "...");
}

/* s in colour c; with wrap it goes on over lines indented by indent
 * instead of being cut at the end of the line (verbose output). */
static void tw_text(struct tw *t, const char *s, enum color c, bool wrap, size_t indent)
{
	if (!wrap) {
		tw_colored(t, c, s);
		return;
	}
	if (c != C_RESET)
		tw_color(t, c);
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = td_text_utf8(p + i, n - i, &cp);
		if (k == 0)
			k = 1;
		if (t->cols >= WIDTH) {
			/* Each line carries its own colour, so a pager cutting
			 * lines never leaves one open. */
			if (c != C_RESET)
				tw_color(t, C_RESET);
			tw_end(t);
			tw_spaces(t, indent);
			if (c != C_RESET)
				tw_color(t, c);
		}
		tw_putn(t, s + i, k);
		i += k;
	}
	if (c != C_RESET)
		tw_color(t, C_RESET);
}

/* Items of a list start here; see tw_item. */
static void tw_mark(struct tw *t)
{
	t->mark = t->cols;
}

/* One item of a list on lines that wrap: sep before it unless it opens
 * the list, or a new line indented by indent when it would not fit. */
static void tw_item(struct tw *t, const char *sep, const char *text, size_t indent,
		    enum color c)
{
	if (t->cols > t->mark) {
		if (t->cols + str_cols(sep) + str_cols(text) > WIDTH) {
			/* Keep the separator's punctuation on the line it ends. */
			size_t n = strlen(sep);
			while (n > 0 && sep[n - 1] == ' ')
				n--;
			if (t->cols + n <= WIDTH)
				tw_putn(t, sep, n);
			tw_end(t);
			tw_spaces(t, indent);
			tw_mark(t);
		} else {
			tw_put(t, sep);
		}
	}
	tw_colored(t, c, text);
}

/* ---- lists of code points and strings ---- */

struct items {
	const struct td_u16list *u;  /* either this, named from reg */
	enum td_tls_registry reg;
	const struct td_strlist *s;  /* or this */
	bool skip_grease;            /* leave GREASE values out (summaries) */
};

static size_t items_n(const struct items *it)
{
	return it->u ? it->u->n : it->s ? it->s->n : 0;
}

/* Item i, or NULL when it is skipped. */
static const char *items_get(const struct items *it, size_t i, char *buf, size_t len)
{
	if (it->s)
		return it->s->v[i];
	if (it->skip_grease && td_tls_is_grease(it->u->v[i]))
		return NULL;
	return td_out_code_name(it->reg, it->u->v[i], buf, len);
}

static size_t items_count(const struct items *it)
{
	size_t n = 0;
	char buf[32];
	for (size_t i = 0; i < items_n(it); i++)
		if (items_get(it, i, buf, sizeof buf))
			n++;
	return n;
}

/* Items the list cap refused (counted, not kept). */
static size_t items_dropped(const struct items *it)
{
	return it->u ? it->u->dropped : it->s ? it->s->dropped : 0;
}

static struct items u16_items(const struct td_u16list *l, enum td_tls_registry reg, bool skip)
{
	return (struct items){ .u = l, .reg = reg, .skip_grease = skip };
}

static struct items str_items(const struct td_strlist *l)
{
	return (struct items){ .s = l };
}

/* Every item, wrapped onto lines indented by indent. */
static void tw_list_wrap(struct tw *t, const struct items *it, size_t indent)
{
	tw_mark(t);
	size_t shown = 0;
	for (size_t i = 0; i < items_n(it); i++) {
		char buf[32];
		const char *s = items_get(it, i, buf, sizeof buf);
		if (s) {
			tw_item(t, ", ", s, indent, C_RESET);
			shown++;
		}
	}
	size_t dropped = items_dropped(it);
	if (dropped > 0) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s%zu more not kept (cap %u)", shown ? "" : "... ",
			 dropped, TD_CAP_LIST);
		tw_item(t, ", ", buf, indent, C_YELLOW);
	} else if (shown == 0) {
		tw_put(t, "(none)");
	}
}

/* At most max items, fewer when they would pass column limit, then
 * ", ... (N more)".  Returns how many were shown. */
static size_t tw_list_fit(struct tw *t, const struct items *it, size_t max, size_t limit)
{
	/* What the list cap refused is counted in "more" too. */
	size_t total = items_count(it) + items_dropped(it), shown = 0;
	for (size_t i = 0; i < items_n(it) && shown < max; i++) {
		char buf[32];
		const char *s = items_get(it, i, buf, sizeof buf);
		if (!s)
			continue;
		size_t need = (shown ? 2 : 0) + str_cols(s);
		if (shown + 1 < total) {
			char more[48];
			need += (size_t)snprintf(more, sizeof more, ", ... (%zu more)",
						 total - shown - 1);
		}
		if (shown > 0 && t->cols + need > limit)
			break;
		if (shown > 0)
			tw_put(t, ", ");
		tw_put(t, s);
		shown++;
	}
	if (shown < total)
		tw_printf(t, "%s... (%zu more)", shown ? ", " : "", total - shown);
	if (total == 0)
		tw_put(t, "(none)");
	return shown;
}

/* "      label       " then the list: all of it wrapped when verbose. */
static void tw_list_row(struct tw *t, bool verbose, const char *label, const struct items *it)
{
	tw_spaces(t, IND_SUB);
	tw_printf(t, "%-*s", IND_VALUE - IND_SUB - 1, label);
	tw_put(t, " ");
	if (verbose)
		tw_list_wrap(t, it, IND_VALUE);
	else
		tw_list_fit(t, it, SIZE_MAX, WIDTH);
	tw_end(t);
}

/* ---- small formatters ---- */

/* Microseconds as "[+-]S.ffffff". */
static void fmt_rel(char *buf, size_t len, int64_t us)
{
	uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	snprintf(buf, len, "%c%" PRIu64 ".%06" PRIu64, us < 0 ? '-' : '+', mag / 1000000u,
		 mag % 1000000u);
}

/* Microseconds as "12.345 ms". */
static void fmt_ms(char *buf, size_t len, int64_t us)
{
	uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	snprintf(buf, len, "%s%" PRIu64 ".%03" PRIu64 " ms", us < 0 ? "-" : "", mag / 1000u,
		 mag % 1000u);
}

/* A handshake type as its message name: "client_hello" -> "ClientHello". */
static void hs_display(char *buf, size_t len, uint8_t type)
{
	const char *n = td_tls_lookup(TD_REG_HANDSHAKE, type);
	if (!n) {
		snprintf(buf, len, "handshake type %u", (unsigned)type);
		return;
	}
	size_t o = 0;
	bool up = true;
	for (size_t i = 0; n[i] && o + 1 < len; i++) {
		if (n[i] == '_') {
			up = true;
			continue;
		}
		char ch = n[i];
		if (up && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		buf[o++] = ch;
		up = false;
	}
	buf[o] = '\0';
}

static bool alert_known(const struct td_event *e)
{
	return !e->encrypted || e->decrypted;
}

/* Alert level and description values the report singles out. */
enum { ALERT_FATAL = 2, ALERT_CLOSE_NOTIFY = 0 };

/* Why a failed connection failed, as the wire shows it: the first fatal
 * alert, else the first encrypted alert, else a reset or a close. */
static bool fail_reason(const struct td_conn *c, char *buf, size_t len)
{
	const struct td_event *enc = NULL, *rst = NULL, *fin = NULL;
	for (size_t i = 0; i < c->n_events; i++) {
		/* Event text is one line; with verbose, a long one wraps under
		 * its own start. */
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_ALERT && alert_known(e) && e->alert_level == ALERT_FATAL) {
			char nb[32];
			snprintf(buf, len, "%s sent fatal alert %s", td_dir_from(e->dir),
				 td_tls_name(TD_REG_ALERT, e->alert_desc, nb, sizeof nb));
			return true;
		}
		if (e->kind == TD_EV_ALERT && !alert_known(e) && !enc)
			enc = e;
		if (e->kind == TD_EV_TCP_RST && !rst)
			rst = e;
		if (e->kind == TD_EV_TCP_FIN && !fin)
			fin = e;
	}
	if (enc)
		snprintf(buf, len, "%s sent an encrypted alert", td_dir_from(enc->dir));
	else if (rst)
		snprintf(buf, len, "%s reset the connection", td_dir_from(rst->dir));
	else if (fin)
		snprintf(buf, len, "%s closed the connection", td_dir_from(fin->dir));
	else
		return false;
	return true;
}

/* ---- one connection ---- */

static void print_header(struct tw *t, const struct td_conn *c)
{
	char cli[64], srv[64], ts[40];
	td_addr_format(cli, sizeof cli, &c->client_addr, c->client_port);
	td_addr_format(srv, sizeof srv, &c->server_addr, c->server_port);
	td_text_time(ts, sizeof ts, c->start_us);
	tw_printf(t, "#%" PRIu64 "  %s", c->id, cli);
	/* Two long IPv6 addresses do not share a line: the server's goes
	 * under, whole, rather than losing its port to the cut. */
	char to[80];
	snprintf(to, sizeof to, "-> %s", srv);
	tw_item(t, " ", to, IND_BLOCK, C_RESET);
	const char *sni = c->ch.present ? c->ch.sni : NULL;
	const char *name = sni ? sni : "(no SNI)";
	/* The name gets what the time leaves, but at least 20 columns; when
	 * even that does not fit (long IPv6 addresses), name and time go on
	 * a line of their own. */
	size_t tcols = str_cols(ts);
	size_t room = WIDTH > t->cols + 4 + tcols ? WIDTH - t->cols - 4 - tcols : 0;
	if (room < 20)
		room = 20;
	size_t ncols = str_cols(name) < room ? str_cols(name) : room;
	if (t->cols + 2 + ncols > WIDTH) {
		tw_end(t);
		tw_spaces(t, IND_BLOCK);
		room = WIDTH - IND_BLOCK - 2 - tcols;
	} else {
		tw_put(t, "  ");
	}
	tw_mark(t);
	tw_put_max(t, name, room);
	tw_item(t, "  ", ts, IND_BLOCK, C_RESET);
	tw_end(t);
}

static void print_summary(struct tw *t, const struct td_conn *c)
{
	char nb[32], buf[160];
	tw_spaces(t, IND_BLOCK);
	tw_mark(t);
	if (c->version)
		tw_item(t, "  ", td_out_code_name(TD_REG_VERSION, c->version, nb, sizeof nb),
			IND_BLOCK, C_RESET);
	else
		tw_item(t, "  ", "version unknown", IND_BLOCK, C_RESET);
	if (c->cipher || c->sh.present)
		tw_item(t, "  ", td_out_code_name(TD_REG_CIPHER, c->cipher, nb, sizeof nb),
			IND_BLOCK, C_RESET);
	if (c->sh.present && c->sh.alpn) {
		snprintf(buf, sizeof buf, "ALPN %s", c->sh.alpn);
		tw_item(t, "  ", buf, IND_BLOCK, C_RESET);
	}
	fmt_ms(buf, sizeof buf, td_out_rel_us(c, c->last_us));
	tw_item(t, "  ", buf, IND_BLOCK, C_RESET);
	if (c->sh.present && c->sh.hrr)
		tw_item(t, "  ", "HelloRetryRequest", IND_BLOCK, C_RESET);
	if (c->sh.present && (c->sh.psk || c->sh.session_id_echo))
		tw_item(t, "  ", "resumed", IND_BLOCK, C_RESET);
	if (c->partial)
		tw_item(t, "  ", "partial capture", IND_BLOCK, C_YELLOW);
	switch (c->outcome) {
	case TD_OUTCOME_ESTABLISHED:
		tw_item(t, "  ", "ESTABLISHED", IND_BLOCK, C_GREEN);
		break;
	case TD_OUTCOME_FAILED: {
		char why[120];
		if (fail_reason(c, why, sizeof why))
			snprintf(buf, sizeof buf, "FAILED: %s", why);
		else
			snprintf(buf, sizeof buf, "FAILED");
		tw_item(t, "  ", buf, IND_BLOCK, C_RED);
		break;
	}
	case TD_OUTCOME_INCOMPLETE:
		tw_item(t, "  ", "INCOMPLETE", IND_BLOCK, C_YELLOW);
		break;
	}
	tw_end(t);
}

/* One part of the offer summary: label and a list shortened to fit
 * part_cols columns, as a string in buf. */
static void offer_part(char *buf, size_t len, const char *label, const struct items *it,
		       size_t part_cols)
{
	struct tw m;
	tw_init(&m, NULL, false);
	tw_put(&m, label);
	tw_list_fit(&m, it, SIZE_MAX, part_cols);
	/* m.buf holds the first WIDTH columns: more than a line can show. */
	snprintf(buf, len, "%.*s", (int)m.len, m.buf);
}

/* "client offered: TLS 1.3, TLS 1.2; 31 suites; groups ...; ALPN ...",
 * its parts wrapped under the first one. */
static void print_offer(struct tw *t, const struct td_conn *c)
{
	const struct td_client_hello *ch = &c->ch;
	const size_t indent = IND_BLOCK + sizeof "client offered: " - 1;
	const size_t part_cols = WIDTH - indent;
	char buf[WIDTH * 4 + 1], nb[32];
	tw_spaces(t, IND_BLOCK);
	tw_put(t, "client offered: ");
	tw_mark(t);
	if (ch->sslv2)
		tw_item(t, "; ", "SSLv2-compatible hello", indent, C_RESET);
	struct items it = u16_items(&ch->versions, TD_REG_VERSION, true);
	if (items_count(&it) > 0) {
		offer_part(buf, sizeof buf, "", &it, part_cols);
		tw_item(t, "; ", buf, indent, C_RESET);
	} else {
		tw_item(t, "; ", td_out_code_name(TD_REG_VERSION, ch->legacy_version, nb, sizeof nb),
			indent, C_RESET);
	}
	it = u16_items(&ch->suites, TD_REG_CIPHER, true);
	/* Suites the list cap refused were offered too. */
	size_t ns = items_count(&it) + ch->suites.dropped;
	snprintf(buf, sizeof buf, "%zu suite%s", ns, ns == 1 ? "" : "s");
	tw_item(t, "; ", buf, indent, C_RESET);
	it = u16_items(&ch->groups, TD_REG_GROUP, true);
	if (items_count(&it) > 0) {
		offer_part(buf, sizeof buf, "groups ", &it, part_cols);
		tw_item(t, "; ", buf, indent, C_RESET);
	}
	it = u16_items(&ch->key_share_groups, TD_REG_GROUP, true);
	if (items_count(&it) > 0) {
		offer_part(buf, sizeof buf, "key share ", &it, part_cols);
		tw_item(t, "; ", buf, indent, C_RESET);
	}
	it = str_items(&ch->alpn);
	if (items_count(&it) > 0) {
		offer_part(buf, sizeof buf, "ALPN ", &it, part_cols);
		tw_item(t, "; ", buf, indent, C_RESET);
	}
	if (ch->psk)
		tw_item(t, "; ", "PSK", indent, C_RESET);
	if (ch->early_data)
		tw_item(t, "; ", "early data", indent, C_RESET);
	if (ch->ech)
		tw_item(t, "; ", "ECH", indent, C_RESET);
	tw_end(t);
}

static void print_hellos_verbose(struct tw *t, const struct td_conn *c)
{
	const struct td_client_hello *ch = &c->ch;
	const struct td_server_hello *sh = &c->sh;
	char a[32], b[32];
	tw_spaces(t, IND_BLOCK);
	tw_put(t, "client hello");
	tw_mark(t);
	tw_printf(t, "  record %s, legacy_version %s, session id %u bytes",
		  td_out_code_name(TD_REG_VERSION, ch->record_version, a, sizeof a),
		  td_out_code_name(TD_REG_VERSION, ch->legacy_version, b, sizeof b),
		  (unsigned)ch->session_id_len);
	if (ch->sslv2)
		tw_item(t, ", ", "SSLv2-compatible", IND_VALUE, C_RESET);
	tw_end(t);
	struct items it = u16_items(&ch->versions, TD_REG_VERSION, false);
	tw_list_row(t, true, "versions", &it);
	it = u16_items(&ch->suites, TD_REG_CIPHER, false);
	tw_list_row(t, true, "suites", &it);
	it = u16_items(&ch->extensions, TD_REG_EXTENSION, false);
	tw_list_row(t, true, "extensions", &it);
	it = u16_items(&ch->groups, TD_REG_GROUP, false);
	tw_list_row(t, true, "groups", &it);
	it = u16_items(&ch->key_share_groups, TD_REG_GROUP, false);
	tw_list_row(t, true, "key shares", &it);
	it = u16_items(&ch->sig_algs, TD_REG_SIGALG, false);
	tw_list_row(t, true, "sig algs", &it);
	it = str_items(&ch->alpn);
	tw_list_row(t, true, "ALPN", &it);
	if (ch->session_ticket || ch->psk || ch->early_data || ch->ech) {
		tw_spaces(t, IND_SUB);
		tw_printf(t, "%-*s", IND_VALUE - IND_SUB, "flags");
		tw_mark(t);
		if (ch->session_ticket)
			tw_item(t, ", ", ch->session_ticket_data ? "session ticket (resuming)"
				: "session ticket", IND_VALUE, C_RESET);
		if (ch->psk)
			tw_item(t, ", ", "PSK", IND_VALUE, C_RESET);
		if (ch->early_data)
			tw_item(t, ", ", "early data", IND_VALUE, C_RESET);
		if (ch->ech)
			tw_item(t, ", ", "ECH", IND_VALUE, C_RESET);
		tw_end(t);
	}
	if (!sh->present)
		return;
	tw_spaces(t, IND_BLOCK);
	tw_put(t, sh->hrr ? "server hello (HelloRetryRequest)" : "server hello");
	tw_mark(t);
	tw_printf(t, "  legacy_version %s",
		  td_out_code_name(TD_REG_VERSION, sh->legacy_version, a, sizeof a));
	char buf[64];
	if (sh->selected_version) {
		snprintf(buf, sizeof buf, "selected %s",
			 td_out_code_name(TD_REG_VERSION, sh->selected_version, a, sizeof a));
		tw_item(t, ", ", buf, IND_VALUE, C_RESET);
	}
	if (sh->key_share_group) {
		snprintf(buf, sizeof buf, "key share %s",
			 td_out_code_name(TD_REG_GROUP, sh->key_share_group, a, sizeof a));
		tw_item(t, ", ", buf, IND_VALUE, C_RESET);
	}
	if (sh->psk)
		tw_item(t, ", ", "PSK accepted", IND_VALUE, C_RESET);
	if (sh->session_id_echo)
		tw_item(t, ", ", "session id echoed (resumption)", IND_VALUE, C_RESET);
	tw_end(t);
	it = u16_items(&sh->extensions, TD_REG_EXTENSION, false);
	tw_list_row(t, true, "extensions", &it);
}

/* The description of one timeline event and its colour. */
static enum color event_text(const struct td_event *e, char *buf, size_t len)
{
	char nb[32], name[48];
	switch (e->kind) {
	case TD_EV_TCP_SYN:
		snprintf(buf, len, "TCP SYN");
		return C_DIM;
	case TD_EV_TCP_SYNACK:
		snprintf(buf, len, "TCP SYN-ACK");
		return C_DIM;
	case TD_EV_TCP_FIN:
		snprintf(buf, len, "TCP FIN");
		return C_DIM;
	case TD_EV_TCP_RST:
		snprintf(buf, len, "TCP RST");
		return C_DIM;
	case TD_EV_TCP_GAP:
		snprintf(buf, len, "TCP gap: %" PRIu32 " bytes not captured", e->length);
		return C_YELLOW;
	case TD_EV_HANDSHAKE:
		hs_display(name, sizeof name, e->hs_type);
		snprintf(buf, len, "%s (%" PRIu32 " bytes%s)", name, e->length,
			 e->decrypted ? ", decrypted" : e->encrypted ? ", encrypted" : "");
		return C_RESET;
	case TD_EV_CCS:
		snprintf(buf, len, "ChangeCipherSpec");
		return C_RESET;
	case TD_EV_ALERT:
		if (!alert_known(e)) {
			snprintf(buf, len, "Alert (encrypted)");
			return C_YELLOW;
		}
		snprintf(buf, len, "Alert %s %s%s",
			 td_tls_name(TD_REG_ALERT_LEVEL, e->alert_level, name, sizeof name),
			 td_tls_name(TD_REG_ALERT, e->alert_desc, nb, sizeof nb),
			 e->decrypted ? " (decrypted)" : "");
		if (e->alert_level == ALERT_FATAL)
			return C_RED;
		/* close_notify is the normal end of a connection. */
		return e->alert_desc == ALERT_CLOSE_NOTIFY ? C_RESET : C_YELLOW;
	case TD_EV_ENCRYPTED:
		snprintf(buf, len, "encrypted %srecord, %" PRIu32 " bytes",
			 e->content_type == TD_CT_HANDSHAKE ? "handshake " : "", e->length);
		return C_RESET;
	case TD_EV_APPDATA:
		snprintf(buf, len, "application data, %" PRIu32 " bytes", e->length);
		return C_RESET;
	case TD_EV_SSLV2_HELLO:
		snprintf(buf, len, "SSLv2-compatible ClientHello (%" PRIu32 " bytes)", e->length);
		return C_RESET;
	case TD_EV_MALFORMED:
		snprintf(buf, len, "malformed%s%s", e->detail ? ": " : "",
			 e->detail ? e->detail : "");
		return C_YELLOW;
	}
	snprintf(buf, len, "event %d", (int)e->kind);
	return C_RESET;
}

static void print_timeline(struct tw *t, const struct td_conn *c, bool verbose)
{
	if (c->n_events == 0 && c->dropped_events == 0)
		return;
	tw_spaces(t, IND_BLOCK);
	tw_put(t, "timeline");
	tw_end(t);
	/* Right-align the times so the arrows line up. */
	size_t tcols = 0;
	char ts[32];
	for (size_t i = 0; i < c->n_events; i++) {
		fmt_rel(ts, sizeof ts, td_out_rel_us(c, c->events[i].ts_us));
		if (strlen(ts) > tcols)
			tcols = strlen(ts);
	}
	for (size_t i = 0; i < c->n_events; i++) {
		/* Event text is one line; with verbose, a long one wraps under
		 * its own start. */
		const struct td_event *e = &c->events[i];
		char desc[TD_CAP_STRING + 128];
		enum color col = event_text(e, desc, sizeof desc);
		fmt_rel(ts, sizeof ts, td_out_rel_us(c, e->ts_us));
		tw_spaces(t, IND_SUB);
		tw_printf(t, "%*s  %s  ", (int)tcols, ts, e->dir == TD_DIR_C2S ? "C -> S" : "C <- S");
		size_t at = t->cols;
		tw_text(t, desc, col, verbose, at);
		if (e->detail && e->kind != TD_EV_MALFORMED) {
			tw_put(t, " - ");
			tw_text(t, e->detail, C_RESET, verbose, at);
		}
		tw_end(t);
	}
	if (c->dropped_events) {
		tw_spaces(t, IND_SUB);
		char buf[96];
		snprintf(buf, sizeof buf, "... %zu later events not kept (cap %u per connection)",
			 c->dropped_events, TD_CAP_EVENTS);
		tw_colored(t, C_YELLOW, buf);
		tw_end(t);
	}
}

/* "          label   " for a certificate field. */
static void cert_label(struct tw *t, const char *label)
{
	tw_spaces(t, IND_CERT);
	tw_printf(t, "%-*s", IND_VALUE - IND_CERT, label);
	tw_mark(t);
}

static void print_cert(struct tw *t, const struct td_conn *c, const struct td_cert *cert,
		       size_t idx, bool verbose)
{
	char buf[256];
	tw_spaces(t, IND_SUB);
	tw_printf(t, "[%zu] ", idx);
	if (!cert->parsed) {
		snprintf(buf, sizeof buf, "unparsable certificate, %zu bytes: %s", cert->der_len,
			 cert->error ? cert->error : "unknown error");
		tw_colored(t, C_YELLOW, buf);
		tw_end(t);
		cert_label(t, "sha256");
		tw_put(t, cert->sha256);
		tw_end(t);
		return;
	}
	char tags[64] = "";
	if (cert->self_signed || cert->is_ca) {
		char pl[32] = "";
		if (cert->is_ca && cert->path_len >= 0)
			snprintf(pl, sizeof pl, ", path length %d", cert->path_len);
		snprintf(tags, sizeof tags, "(%s%s%s%s)", cert->self_signed ? "self-signed" : "",
			 cert->self_signed && cert->is_ca ? ", " : "", cert->is_ca ? "CA" : "", pl);
	}
	const char *subject = cert->subject ? cert->subject : "(no subject)";
	tw_mark(t);
	if (verbose)
		tw_text(t, subject, C_RESET, true, IND_CERT);
	else  /* cut, leaving room for the tags */
		tw_put_max(t, subject, WIDTH - t->cols - (tags[0] ? 2 + str_cols(tags) : 0));
	if (tags[0])
		tw_item(t, "  ", tags, IND_CERT, C_RESET);
	tw_end(t);

	cert_label(t, "issuer");
	tw_text(t, cert->issuer ? cert->issuer : "(none)", C_RESET, verbose, IND_VALUE);
	tw_end(t);

	char nb[40], na[40];
	cert_label(t, "valid");
	if (!td_out_cert_time(nb, sizeof nb, cert->not_before, !verbose))
		snprintf(nb, sizeof nb, "?");
	if (!td_out_cert_time(na, sizeof na, cert->not_after, !verbose))
		snprintf(na, sizeof na, "?");
	snprintf(buf, sizeof buf, "%s .. %s", nb, na);
	tw_put(t, buf);
	int64_t now = (int64_t)(c->start_us / 1000000u);
	if (now > cert->not_after)
		tw_item(t, "  ", "(expired at capture time)", IND_VALUE, C_YELLOW);
	else if (now < cert->not_before)
		tw_item(t, "  ", "(not yet valid at capture time)", IND_VALUE, C_YELLOW);
	tw_end(t);

	if (cert->key_type || cert->sig_alg) {
		cert_label(t, "key");
		if (td_out_cert_key(buf, sizeof buf, cert))
			tw_item(t, ", ", buf, IND_VALUE, C_RESET);
		if (cert->sig_alg) {
			snprintf(buf, sizeof buf, "signature %s", cert->sig_alg);
			tw_item(t, ", ", buf, IND_VALUE, C_RESET);
		}
		tw_end(t);
	}

	struct items it = str_items(&cert->san);
	if (it.s->n > 0 || verbose) {
		cert_label(t, "SAN");
		if (verbose)
			tw_list_wrap(t, &it, IND_VALUE);
		else
			tw_list_fit(t, &it, SIZE_MAX, WIDTH);
		tw_end(t);
	}
	if (verbose) {
		it = str_items(&cert->key_usage);
		cert_label(t, "usage");
		tw_list_wrap(t, &it, IND_VALUE);
		tw_end(t);
	}
	it = str_items(&cert->ext_key_usage);
	if (it.s->n > 0 || verbose) {
		cert_label(t, "EKU");
		if (verbose)
			tw_list_wrap(t, &it, IND_VALUE);
		else
			tw_list_fit(t, &it, SIZE_MAX, WIDTH);
		tw_end(t);
	}
	if (verbose) {
		cert_label(t, "serial");
		tw_put(t, cert->serial ? cert->serial : "?");
		tw_end(t);
		cert_label(t, "DER");
		tw_printf(t, "%zu bytes", cert->der_len);
		tw_end(t);
	}
	cert_label(t, "sha256");
	tw_put(t, cert->sha256);
	tw_end(t);
}

static void print_chain(struct tw *t, const struct td_conn *c, const struct td_chain *ch,
			const char *who, bool verbose)
{
	tw_spaces(t, IND_BLOCK);
	if (ch->n == 0 && ch->dropped == 0) {
		tw_printf(t, "%s certificates: ", who);
		/* An empty client Certificate after a request is the classic
		 * mTLS failure: the client had no certificate the server takes. */
		tw_colored(t, c->cr.present ? C_YELLOW : C_RESET, "none sent (empty Certificate)");
		if (ch->encrypted)
			tw_put(t, " (decrypted)");
		tw_end(t);
		return;
	}
	tw_printf(t, "%s certificates (%zu)%s", who, ch->n + ch->dropped,
		  ch->encrypted ? " (decrypted)" : "");
	tw_end(t);
	for (size_t i = 0; i < ch->n; i++)
		print_cert(t, c, &ch->certs[i], i, verbose);
	if (ch->dropped) {
		char buf[96];
		tw_spaces(t, IND_SUB);
		snprintf(buf, sizeof buf, "... %zu more certificates not kept (cap %u per chain)",
			 ch->dropped, TD_CAP_CHAIN);
		tw_colored(t, C_YELLOW, buf);
		tw_end(t);
	}
}

/* A line saying why a chain is not shown; nothing when there is no
 * reason to expect one. */
static void print_no_chain(struct tw *t, const struct td_conn *c, bool server)
{
	const char *who = server ? "server" : "client";
	const char *why = NULL;
	enum color col = C_RESET;
	if (td_tls_version_is_13(c->version))
		why = "not visible (encrypted in TLS 1.3; a key log would show them)";
	else if (c->sh.present && (c->sh.psk || c->sh.session_id_echo))
		why = "none (resumed session)";
	else if (!server && c->cr.present) {
		why = "no Certificate message seen after the request";
		col = C_YELLOW;
	} else if (!server && c->sh.present)
		why = "not requested";
	else if (server && c->sh.present)
		why = "none seen";
	if (!why)
		return;
	tw_spaces(t, IND_BLOCK);
	tw_printf(t, "%s certificates: ", who);
	tw_colored(t, col, why);
	tw_end(t);
}

static void print_cert_request(struct tw *t, const struct td_conn *c, bool verbose)
{
	const struct td_cert_request *cr = &c->cr;
	if (!cr->present)
		return;
	tw_spaces(t, IND_BLOCK);
	tw_printf(t, "certificate request (%s)", cr->tls13 ? "TLS 1.3" : "TLS 1.2 or older");
	tw_end(t);
	struct items it = u16_items(&cr->sig_algs, TD_REG_SIGALG, false);
	tw_list_row(t, verbose, "sig algs", &it);
	if (!cr->tls13 || cr->cert_types.n > 0) {
		it = u16_items(&cr->cert_types, TD_REG_CERT_TYPE, false);
		tw_list_row(t, verbose, "cert types", &it);
	}
	tw_spaces(t, IND_BLOCK);
	if (cr->ca_names.n == 0 && cr->ca_names.dropped == 0) {
		tw_put(t, "acceptable client CAs: none listed (any CA the server trusts)");
		tw_end(t);
		return;
	}
	tw_printf(t, "acceptable client CAs (%zu)", cr->ca_names.n + cr->ca_names.dropped);
	tw_end(t);
	size_t show = verbose ? cr->ca_names.n : LIST_SHORT;
	for (size_t i = 0; i < cr->ca_names.n && i < show; i++) {
		tw_spaces(t, IND_SUB);
		tw_text(t, cr->ca_names.v[i], C_RESET, verbose, IND_SUB + 2);
		tw_end(t);
	}
	if (cr->ca_names.n > show) {
		tw_spaces(t, IND_SUB);
		tw_printf(t, "... (%zu more)", cr->ca_names.n - show);
		tw_end(t);
	}
	if (cr->ca_names.dropped) {
		char buf[96];
		tw_spaces(t, IND_SUB);
		snprintf(buf, sizeof buf, "... %zu more names not kept (cap %u)",
			 cr->ca_names.dropped, TD_CAP_CA_NAMES);
		tw_colored(t, C_YELLOW, buf);
		tw_end(t);
	}
}

static void print_anomalies(struct tw *t, const struct td_conn *c, bool verbose)
{
	const struct td_strlist *a = &c->anomalies;
	if (a->n == 0 && a->dropped == 0)
		return;
	tw_spaces(t, IND_BLOCK);
	tw_printf(t, "anomalies (%zu)", a->n + a->dropped);
	tw_end(t);
	for (size_t i = 0; i < a->n; i++) {
		tw_spaces(t, IND_SUB);
		tw_text(t, a->v[i], C_YELLOW, verbose, IND_SUB + 2);
		tw_end(t);
	}
	if (a->dropped) {
		char buf[96];
		tw_spaces(t, IND_SUB);
		snprintf(buf, sizeof buf, "... %zu more not kept (cap %u)", a->dropped,
			 TD_CAP_ANOMALIES);
		tw_colored(t, C_YELLOW, buf);
		tw_end(t);
	}
}

/* What the caps dropped on this connection. */
struct drops {
	uint64_t events, certs, items, anomalies, bytes;
};

static struct drops conn_drops(const struct td_conn *c)
{
	return (struct drops){
		.events = c->dropped_events,
		.certs = c->server_chain.dropped + c->client_chain.dropped,
		.items = td_out_list_dropped(c),
		.anomalies = c->anomalies.dropped,
		.bytes = c->side[TD_DIR_C2S].cap_dropped + c->side[TD_DIR_S2C].cap_dropped,
	};
}

/* "N timeline events, N certificates, ..." items of non-zero drops. */
static void drop_items(struct tw *t, const struct drops *d, size_t indent)
{
	char buf[64];
	const struct { uint64_t n; const char *what; } v[] = {
		{ d->events, "timeline events" }, { d->certs, "certificates" },
		{ d->items, "list items" }, { d->anomalies, "anomalies" },
		{ d->bytes, "stream bytes" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		if (v[i].n == 0)
			continue;
		snprintf(buf, sizeof buf, "%" PRIu64 " %s", v[i].n, v[i].what);
		tw_item(t, ", ", buf, indent, C_YELLOW);
	}
}

static bool drops_any(const struct drops *d)
{
	return d->events || d->certs || d->items || d->anomalies || d->bytes;
}

/* ---- the sink ---- */

struct text_sink {
	struct td_sink base;       /* first: the engine holds a pointer to it */
	FILE *out;                 /* borrowed */
	struct td_text_opts opts;
	uint64_t conns;
	uint64_t outcome[3];       /* by enum td_outcome */
	struct drops drops;        /* summed over every connection */
};

static void text_conn_done(struct td_sink *s, const struct td_conn *c)
{
	struct text_sink *ts = (struct text_sink *)s;
	bool verbose = ts->opts.verbose;
	struct tw t;
	tw_init(&t, ts->out, ts->opts.color);

	ts->conns++;
	if ((unsigned)c->outcome < 3)
		ts->outcome[c->outcome]++;
	struct drops d = conn_drops(c);
	ts->drops.events += d.events;
	ts->drops.certs += d.certs;
	ts->drops.items += d.items;
	ts->drops.anomalies += d.anomalies;
	ts->drops.bytes += d.bytes;

	print_header(&t, c);
	print_summary(&t, c);
	if (!c->ch.present) {
		tw_spaces(&t, IND_BLOCK);
		tw_put(&t, c->partial ? "no ClientHello seen (the start of the stream was not captured)"
			   : "no ClientHello seen");
		tw_end(&t);
	} else if (verbose) {
		print_hellos_verbose(&t, c);
	} else {
		print_offer(&t, c);
	}
	print_timeline(&t, c, verbose);
	if (c->server_chain.present)
		print_chain(&t, c, &c->server_chain, "server", verbose);
	else
		print_no_chain(&t, c, true);
	print_cert_request(&t, c, verbose);
	if (c->client_chain.present)
		print_chain(&t, c, &c->client_chain, "client", verbose);
	else
		print_no_chain(&t, c, false);
	print_anomalies(&t, c, verbose);
	if (drops_any(&d)) {
		tw_spaces(&t, IND_BLOCK);
		tw_put(&t, "caps dropped: ");
		tw_mark(&t);
		drop_items(&t, &d, IND_SUB);
		tw_end(&t);
	}
	fputc('\n', ts->out);
	fflush(ts->out);
}

/* One "label: item, item, ..." line of the summary, items wrapped. */
static void stat_item(struct tw *t, uint64_t n, const char *what, enum color c)
{
	if (n == 0)
		return;
	char buf[128];
	snprintf(buf, sizeof buf, "%" PRIu64 " %s", n, what);
	tw_item(t, ", ", buf, IND_BLOCK, c);
}

static void text_finish(struct td_sink *s, const struct td_stats *st)
{
	struct text_sink *ts = (struct text_sink *)s;
	struct tw t;
	tw_init(&t, ts->out, ts->opts.color);

	tw_printf(&t, "%" PRIu64 " TLS connection%s: ", ts->conns, ts->conns == 1 ? "" : "s");
	char buf[64];
	const struct { enum td_outcome o; enum color c; } oc[] = {
		{ TD_OUTCOME_ESTABLISHED, C_GREEN }, { TD_OUTCOME_FAILED, C_RED },
		{ TD_OUTCOME_INCOMPLETE, C_YELLOW },
	};
	for (size_t i = 0; i < 3; i++) {
		uint64_t n = ts->outcome[oc[i].o];
		snprintf(buf, sizeof buf, "%" PRIu64 " %s", n, td_outcome_name(oc[i].o));
		if (i > 0)
			tw_put(&t, ", ");
		tw_colored(&t, n ? oc[i].c : C_RESET, buf);
	}
	tw_end(&t);
	if (!st) {
		fflush(ts->out);
		return;
	}

	tw_put(&t, "capture: ");
	tw_mark(&t);
	stat_item(&t, st->frames, "frames", C_RESET);
	stat_item(&t, st->bytes, "bytes", C_RESET);
	stat_item(&t, st->tcp_segments, "TCP segments", C_RESET);
	stat_item(&t, st->flows, "TCP flows", C_RESET);
	stat_item(&t, st->tls_connections, "with TLS", C_RESET);
	if (st->last_us > st->first_us) {
		char span[40];
		fmt_rel(span, sizeof span, (int64_t)((st->last_us - st->first_us) > INT64_MAX
			? INT64_MAX : st->last_us - st->first_us));
		snprintf(buf, sizeof buf, "%s s", span + 1);
		tw_item(&t, ", ", buf, IND_BLOCK, C_RESET);
	}
	if (t.cols == t.mark)
		tw_put(&t, "nothing read");
	tw_end(&t);

	if (st->skipped_frames || st->malformed_frames || st->flows_idle) {
		tw_put(&t, "not analysed: ");
		tw_mark(&t);
		stat_item(&t, st->skipped_frames, "frames not TCP over IP", C_RESET);
		stat_item(&t, st->malformed_frames, "frames with malformed headers", C_YELLOW);
		stat_item(&t, st->flows_idle, "flows ended by the idle timeout", C_RESET);
		tw_end(&t);
	}
	if (st->gap_bytes) {
		tw_put(&t, "gaps: ");
		tw_mark(&t);
		stat_item(&t, st->gap_bytes, "stream bytes never captured", C_YELLOW);
		tw_end(&t);
	}
	if (st->flows_evicted_full || st->reasm_cap_dropped || st->memory_cap_dropped ||
	    drops_any(&ts->drops)) {
		tw_put(&t, "dropped by caps: ");
		tw_mark(&t);
		stat_item(&t, st->flows_evicted_full, "flows evicted (flow table full)", C_YELLOW);
		stat_item(&t, st->reasm_cap_dropped, "bytes (per-flow buffer cap)", C_YELLOW);
		stat_item(&t, st->memory_cap_dropped, "bytes (memory cap)", C_YELLOW);
		drop_items(&t, &ts->drops, IND_BLOCK);
		tw_end(&t);
	}
	fflush(ts->out);
}

static void text_free(struct td_sink *s)
{
	free(s);
}

struct td_sink *td_text_sink_new(FILE *out, const struct td_text_opts *opts)
{
	struct text_sink *ts = calloc(1, sizeof *ts);
	if (!ts)
		return NULL;
	ts->out = out;
	if (opts)
		ts->opts = *opts;
	ts->base.conn_update = NULL;
	ts->base.conn_done = text_conn_done;
	ts->base.finish = text_finish;
	ts->base.free = text_free;
	return &ts->base;
}
