/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_app.c - libFuzzer harness: the application parsers (app.h), each
 * on the whole input, and a connection's recogniser fed both directions
 * in pieces.
 *
 * Input: mode   1 byte  bit 0: the server's bytes go first; bit 1: end
 *                       with td_app_end; bits 2-5: the STARTTLS protocol
 *                       the connection was upgraded from (enum
 *                       td_starttls_proto, modulo its 9 values; 0: none)
 *        piece  1 byte  bytes per td_app_feed call (1..256)
 *        split  2 bytes how many of the rest are the client's
 *        bytes  the rest: the client's bytes, then the server's
 *
 * The parsers of what follows a STARTTLS upgrade (SMTP, IMAP, POP3, FTP
 * lines, LDAP, MySQL) run on the whole input too, both ways.
 *
 * Oracles, besides the sanitizers: every string of a message found is
 * printable UTF-8 (text.h) of bounded length, and so is its description;
 * a parser that takes a message whole (HTTP/1, a StartupMessage, an
 * ErrorResponse) never says it used more bytes than it was given; a
 * parser given final never asks for more (HTTP/1 responses).
 */
#include "config.h"

#include <string.h>

#include "app.h"
#include "fuzz_common.h"
#include "reader.h"
#include "text.h"

/* A sanitized string is at most 4 bytes per byte kept, plus "...". */
#define STRING_MAX (4u * TD_APP_TEXT_MAX + 4u)

static void check_text(const char *what, const char *s)
{
	if (!s)
		return;
	size_t n = strlen(s);
	if (n > STRING_MAX && strcmp(what, "description") != 0)
		td_fuzz_fail("%s: %zu bytes", what, n);
	const uint8_t *p = (const uint8_t *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k = td_text_utf8(p + i, n - i, &cp);
		if (k == 0 || td_text_is_control(cp))
			td_fuzz_fail("%s: byte %zu is not printable UTF-8", what, i);
		i += k;
	}
}

static void check_msg(const struct td_app_msg *m)
{
	check_text("version", m->version);
	check_text("method", m->method);
	check_text("target", m->target);
	check_text("reason", m->reason);
	check_text("title", m->title);
	check_text("severity", m->severity);
	check_text("message", m->message);
	check_text("user", m->user);
	check_text("command", m->command);
	check_text("mechanism", m->mechanism);
	if (m->sqlstate[sizeof m->sqlstate - 1] != '\0')
		td_fuzz_fail("sqlstate not terminated");
	check_text("sqlstate", m->sqlstate);
	char d[TD_CAP_STRING];
	td_app_describe(m, d, sizeof d);
	check_text("description", d);
	td_app_brief(m, d, 64);
	check_text("description", d);
}

static void on_msg(void *ctx, enum td_dir dir, struct td_app_msg *m, size_t len)
{
	(void)dir;
	(void)len;
	size_t *count = ctx;
	if (++*count > 2 * TD_CAP_APP_MESSAGES)
		td_fuzz_fail("%zu messages, more than the cap", *count);
	check_msg(m);
}

/* One parser on p[0..n): the oracles on what it says. */
static void parse_one(int which, const uint8_t *p, size_t n, bool final)
{
	struct td_app_msg m;
	size_t used = 0;
	enum td_app_status st;
	bool whole = true;  /* takes its message whole: used <= n */
	switch (which) {
	case 0: st = td_app_http1_request(p, n, &m, &used); break;
	case 1: st = td_app_http1_response(p, n, final, &m, &used); break;
	case 2: st = td_app_h2_preface(p, n, &m, &used); break;
	case 3: st = td_app_h2_frame(p, n, final, &m, &used); whole = false; break;
	case 4: st = td_app_pg_startup(p, n, &m, &used); break;
	case 5: st = td_app_pg_backend(p, n, &m, &used); whole = st == TD_APP_FOUND; break;
	/* After STARTTLS: an IMAP line may announce a literal past n, an
	 * LDAP message or MySQL packet too long to keep is skipped whole. */
	case 6: case 7: case 8: case 9: {
		static const enum td_app_proto lp[4] = { TD_APP_SMTP, TD_APP_IMAP, TD_APP_POP3,
							 TD_APP_FTP };
		st = td_app_text_reply(lp[which - 6], p, n, final, &m, &used);
		whole = lp[which - 6] != TD_APP_IMAP;
		break;
	}
	case 10: case 11: case 12: case 13: {
		static const enum td_app_proto lp[4] = { TD_APP_SMTP, TD_APP_IMAP, TD_APP_POP3,
							 TD_APP_FTP };
		st = td_app_text_command(lp[which - 10], p, n, final, &m, &used);
		whole = lp[which - 10] != TD_APP_IMAP;
		break;
	}
	case 14: case 15: st = td_app_ldap(p, n, which == 15, final, &m, &used); whole = false; break;
	case 16: case 17: st = td_app_mysql(p, n, which == 17, final, &m, &used); whole = false; break;
	default: st = td_app_xmpp(p, n, which == 19, final, &m, &used); break;
	}
	if (st == TD_APP_FOUND) {
		check_msg(&m);
		if (whole && used > n)
			td_fuzz_fail("parser %d used %zu of %zu bytes", which, used, n);
		if (used == 0)
			td_fuzz_fail("parser %d found a message of no bytes", which);
	}
	if (st == TD_APP_SKIP && used == 0)
		td_fuzz_fail("parser %d skipped nothing", which);
	if (which == 1 && final && st == TD_APP_MORE)
		td_fuzz_fail("an HTTP/1 response asked for more after the end");
	td_app_msg_cleanup(&m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_reader r = td_rd_make(data, size);
	uint8_t mode = td_rd_u8(&r);
	size_t piece = (size_t)td_rd_u8(&r) + 1;
	size_t split = td_rd_u16(&r);
	if (!td_rd_ok(&r))
		return 0;
	size_t rest = td_rd_left(&r);
	const uint8_t *bytes = td_rd_bytes(&r, rest);
	if (split > rest)
		split = rest;

	for (int which = 0; which < 20; which++) {
		parse_one(which, bytes, rest, false);
		parse_one(which, bytes, rest, true);
	}

	struct td_budget budget = { .cap = 3u * TD_CAP_APP_BYTES / 2u };
	struct td_app *a = td_app_new(&budget);
	if (!a)
		td_fuzz_fail("out of memory");
	td_app_set_starttls(a, (enum td_starttls_proto)((mode >> 2) % 9u));
	size_t count = 0;
	const uint8_t *side[2] = { bytes, bytes + split };
	size_t left[2] = { split, rest - split };
	int d = mode & 1 ? TD_DIR_S2C : TD_DIR_C2S;
	while (left[0] || left[1]) {
		if (!left[d])
			d = !d;
		size_t k = left[d] < piece ? left[d] : piece;
		enum td_result res = td_app_feed(a, (enum td_dir)d, side[d], k, on_msg, &count);
		if (res != TD_OK && res != TD_ERR_CAP && res != TD_ERR_NOMEM)
			td_fuzz_fail("td_app_feed: %d", (int)res);
		side[d] += k;
		left[d] -= k;
		d = !d;
	}
	if (mode & 2)
		td_app_end(a, on_msg, &count);
	td_app_free(a);
	if (budget.used != 0)
		td_fuzz_fail("%zu bytes of the budget not given back", budget.used);
	return 0;
}
