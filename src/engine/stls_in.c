/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stls_in.c - STARTTLS, a room of the TCP transport (issue 17): between
 * TCP reassembly and the TLS layer's seam (tls_input.h), each side's
 * in-order bytes pass through the STARTTLS recogniser (starttls.h),
 * which keeps a plaintext preamble and hands TLS what follows the
 * server's go-ahead.  Its steps become TD_EV_STARTTLS events; its facts
 * go to the connection once, when the flow ends.
 *
 * No recogniser is made for a stream whose first bytes are TLS (the
 * common case: nothing is allocated) or for a flow picked up after its
 * start (a preamble is only known from its beginning).
 *
 * FTP can leave TLS again: after AUTH TLS, "CCC" (Clear Command Channel,
 * RFC 4217 12.3) answered 200 makes both sides close TLS (close_notify)
 * and go on in plaintext on the same connection, so that firewalls can
 * read the PORT and PASV replies.  Without keys the CCC itself is
 * encrypted; what shows is a side's TLS alert, then plain FTP from it (a
 * command from the client, a reply from the server).  That is one step,
 * "back to plaintext", told once; the plaintext after it is counted, not
 * read, and is no "non-TLS bytes" anomaly.
 */
#include "config.h"

#include <stdio.h>

#include "app.h"
#include "flow.h"
#include "reader.h"
#include "starttls.h"
#include "tls_input.h"

/* close_notify (RFC 8446 6.1). */
#define ALERT_CLOSE_NOTIFY 0u

/* One STARTTLS step into the timeline (text copied), for the sinks. */
static void step_event(struct flow *f, enum td_dir dir, enum td_stls_role role, size_t bytes,
		       char *text)
{
	struct td_event ev = {
		.kind = TD_EV_STARTTLS,
		.content_type = (uint8_t)role,
		.length = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes,
		.detail = text,  /* copied by td_conn_add_event */
	};
	td_fl_add_event(f, dir, &ev);
	f->conn->changes++;
}
/* Direction dir ended its TLS session: its last alert is a close_notify,
 * or one left encrypted (what else a side sends before plaintext). */
static bool tls_closed(const struct td_conn *c, enum td_dir dir)
{
	for (size_t i = c->n_events; i-- > 0;) {
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_ALERT && e->dir == dir)
			return (e->encrypted && !e->decrypted) || e->alert_desc == ALERT_CLOSE_NOTIFY;
	}
	return false;
}

/* The bytes start with an FTP command (client) or reply (server): *what
 * is its verb or code, never an argument. */
static bool ftp_line(enum td_dir dir, const uint8_t *p, size_t n, char *what, size_t wn)
{
	struct td_app_msg m;
	size_t used = 0;
	if (dir == TD_DIR_C2S) {
		if (td_app_text_command(TD_APP_FTP, p, n, true, &m, &used) != TD_APP_FOUND)
			return false;
		snprintf(what, wn, "%s", m.command ? m.command : "?");
		td_app_msg_cleanup(&m);
		return true;
	}
	enum td_app_status st = td_app_text_reply(TD_APP_FTP, p, n, true, &m, &used);
	td_app_msg_cleanup(&m);
	if (st != TD_APP_FOUND && st != TD_APP_SKIP)
		return false;
	struct td_reader r = td_rd_make(p, n);  /* the code, 3 digits: checked above */
	snprintf(what, wn, "%c%c%c", (char)td_rd_peek(&r, 0), (char)td_rd_peek(&r, 1),
		 (char)td_rd_peek(&r, 2));
	return true;
}

/* After STARTTLS FTP: the bytes of dir are its control channel in
 * plaintext again (see the top of the file).  The first such bytes of
 * the connection are told as a step. */
static bool cleared(struct flow *f, enum td_dir dir, const uint8_t *p, size_t n)
{
	if (f->stls_clear[dir]) {
		f->stls_clear_bytes[dir] += n;
		return true;
	}
	char what[16];
	if (!f->conn || td_stls_proto(f->stls) != TD_STLS_FTP || !tls_closed(f->conn, dir) ||
	    !ftp_line(dir, p, n, what, sizeof what))
		return false;
	if (!f->stls_clear[1 - dir]) {
		char detail[128];
		snprintf(detail, sizeof detail, "%s (plaintext again after TLS: FTP CCC, RFC 4217 12.3)",
			 what);
		step_event(f, dir, TD_STLS_CLEARED, n, detail);
	}
	f->stls_clear[dir] = true;
	f->stls_clear_bytes[dir] += n;
	return true;
}

static void to_tls(void *ctx, enum td_dir dir, const uint8_t *p, size_t n)
{
	struct flow *f = ctx;
	if (cleared(f, dir, p, n))
		return;
	td_tls_in_records(f, td_fl_dir_side(f, dir), p, n);
}

static void on_step(void *ctx, enum td_dir dir, char *text, size_t bytes,
		    enum td_stls_role role)
{
	struct flow *f = ctx;
	if (f->conn)
		step_event(f, dir, role, bytes, text);
}

void td_fl_stls_bytes(struct flow *f, int side, const uint8_t *data, size_t len)
{
	if (!f->stls) {
		if (f->stls_off || !f->conn || f->conn->partial || td_stls_never(data, len)) {
			f->stls_off = true;
			td_tls_in_records(f, side, data, len);
			return;
		}
		f->stls = td_stls_new(f->conn->server_port);
		if (!f->stls) {
			f->stls_off = true;
			td_tls_in_records(f, side, data, len);
			return;
		}
	}
	if (!td_stls_active(f->stls)) {
		td_tls_in_records(f, side, data, len);
		return;
	}
	struct td_stls_out out = { f, to_tls, on_step };
	td_stls_feed(f->stls, td_fl_side_dir(f, side), data, len, &out);
	td_fl_notify(f);
}

void td_fl_stls_gap(struct flow *f, int side)
{
	if (!f->stls || !td_stls_active(f->stls))
		return;
	struct td_stls_out out = { f, to_tls, on_step };
	td_stls_gap(f->stls, td_fl_side_dir(f, side), &out);
}

void td_fl_stls_facts_now(const struct flow *f, struct td_conn *copy)
{
	if (f->stls)
		td_fl_nomem(copy, td_stls_facts(f->stls, false, &copy->starttls));
}

void td_fl_stls_end(struct flow *f)
{
	if (!f->stls)
		return;
	if (f->conn) {
		const struct side *srv = &f->s[td_fl_dir_side(f, TD_DIR_S2C)];
		td_fl_nomem(f->conn, td_stls_facts(f->stls, srv->fin || srv->rst,
						   &f->conn->starttls));
		for (int d = 0; d < 2; d++)
			f->conn->starttls.bytes[d] += f->stls_clear_bytes[d];
	}
	td_stls_free(f->stls);
	f->stls = NULL;
	f->stls_off = true;
}
