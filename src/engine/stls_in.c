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
 */
#include "config.h"

#include "flow.h"
#include "starttls.h"
#include "tls_input.h"

static void to_tls(void *ctx, enum td_dir dir, const uint8_t *p, size_t n)
{
	struct flow *f = ctx;
	td_tls_in_records(f, td_fl_dir_side(f, dir), p, n);
}

static void on_step(void *ctx, enum td_dir dir, char *text, size_t bytes,
		    enum td_stls_role role)
{
	struct flow *f = ctx;
	if (!f->conn)
		return;
	struct td_event ev = {
		.kind = TD_EV_STARTTLS,
		.content_type = (uint8_t)role,
		.length = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes,
		.detail = text,  /* copied by td_conn_add_event */
	};
	td_fl_add_event(f, dir, &ev);
	f->conn->changes++;
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
	}
	td_stls_free(f->stls);
	f->stls = NULL;
	f->stls_off = true;
}
