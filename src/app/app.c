/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * app.c - a connection's recogniser of its first application bytes (see
 * app.h): per direction, which protocol they are, then the parsers of
 * http1.c, http2.c and pgsql.c message by message; after STARTTLS, the
 * upgraded protocol's parsers (mail.c, ldap_mysql.c, xmpp.c), the protocol told
 * by the STARTTLS recogniser rather than guessed.
 *
 * Each direction keeps its bytes from the first one until they make a
 * whole message; a message longer than what is kept (an HTTP/2 DATA
 * frame, a PostgreSQL row) is passed over without keeping its bytes.  A
 * direction is done, and frees its bytes, when its protocol's messages
 * of interest have come (HTTP/1: the first request or response;
 * PostgreSQL's client: its StartupMessage; SMTP's client: DATA or BDAT,
 * after which a message body follows; MySQL's client: its login), after
 * TD_CAP_APP_MESSAGES,
 * when the protocol is not one of these, or when TD_CAP_APP_BYTES have
 * been kept.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "caps.h"
#include "dynbuf.h"

enum proto {
	P_UNKNOWN = 0,  /* not decided: too few bytes */
	P_NONE,         /* none tlsdiag reads */
	P_HTTP1,
	P_H2,
	P_PG,
	P_SMTP,         /* these after STARTTLS only */
	P_IMAP,
	P_POP3,
	P_FTP,
	P_LDAP,
	P_MYSQL,
	P_XMPP
};

struct dir_state {
	struct td_dynbuf buf;  /* bytes kept, from a message boundary */
	uint64_t skip;         /* bytes still to pass over (the rest of a
				  message longer than what was kept) */
	size_t taken;          /* bytes kept so far, all told */
	enum proto proto;
	bool preface;          /* HTTP/2 client: the preface was read */
	unsigned found;        /* messages reported */
	bool done;
};

struct td_app {
	struct dir_state d[2];  /* by td_dir */
};

struct td_app *td_app_new(struct td_budget *budget)
{
	struct td_app *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	for (int i = 0; i < 2; i++) {
		td_dynbuf_init(&a->d[i].buf, TD_CAP_APP_BYTES);
		td_dynbuf_set_budget(&a->d[i].buf, budget);
	}
	return a;
}

void td_app_free(struct td_app *a)
{
	if (!a)
		return;
	for (int i = 0; i < 2; i++)
		td_dynbuf_cleanup(&a->d[i].buf);
	free(a);
}

static void finish(struct dir_state *s)
{
	s->done = true;
	td_dynbuf_cleanup(&s->buf);
}

bool td_app_done(const struct td_app *a, enum td_dir dir)
{
	return a->d[dir].done;
}

void td_app_set_starttls(struct td_app *a, enum td_starttls_proto proto)
{
	enum proto p = P_UNKNOWN;
	switch (proto) {
	case TD_STLS_NONE: return;
	case TD_STLS_SMTP: p = P_SMTP; break;
	case TD_STLS_IMAP: p = P_IMAP; break;
	case TD_STLS_POP3: p = P_POP3; break;
	case TD_STLS_FTP: p = P_FTP; break;
	case TD_STLS_LDAP: p = P_LDAP; break;
	case TD_STLS_POSTGRES: p = P_PG; break;
	case TD_STLS_MYSQL: p = P_MYSQL; break;
	case TD_STLS_XMPP: p = P_XMPP; break;
	}
	for (int i = 0; i < 2; i++)
		a->d[i].proto = p;
}

/* The line protocols' model names. */
static enum td_app_proto text_proto(enum proto p)
{
	switch (p) {
	case P_SMTP: return TD_APP_SMTP;
	case P_IMAP: return TD_APP_IMAP;
	case P_POP3: return TD_APP_POP3;
	default: return TD_APP_FTP;
	}
}

/* The first bytes of the client: what the connection speaks. */
static enum proto detect_client(const uint8_t *p, size_t n)
{
	enum td_app_status (*const parsers[3])(const uint8_t *, size_t, struct td_app_msg *,
					       size_t *) = {
		td_app_h2_preface, td_app_http1_request, td_app_pg_startup,
	};
	const enum proto which[3] = { P_H2, P_HTTP1, P_PG };
	bool more = false;
	for (int i = 0; i < 3; i++) {
		struct td_app_msg m;
		size_t used = 0;
		enum td_app_status st = parsers[i](p, n, &m, &used);
		td_app_msg_cleanup(&m);
		if (st == TD_APP_FOUND || st == TD_APP_SKIP)
			return which[i];
		more = more || st == TD_APP_MORE;
	}
	return more ? P_UNKNOWN : P_NONE;
}

/* The first bytes of the server, when the client's did not tell (not
 * decrypted, or not come yet): an HTTP/1 status line, an HTTP/2 SETTINGS
 * frame on stream 0 (a server's first frame, RFC 9113 3.4), or a
 * PostgreSQL authentication request or ErrorResponse. */
static enum proto detect_server(const uint8_t *p, size_t n)
{
	struct td_reader r = td_rd_make(p, n);
	bool whole = false;
	if (td_app_prefix(&r, "HTTP/", &whole))
		return whole ? P_HTTP1 : P_UNKNOWN;
	if (n < 9)
		return P_UNKNOWN;
	uint8_t t = td_rd_peek(&r, 0);
	if ((t == 'R' || t == 'E') && td_rd_peek(&r, 1) == 0 && td_rd_peek(&r, 2) == 0)
		return P_PG;
	if (td_rd_peek(&r, 3) == 4 && td_rd_peek(&r, 5) == 0 && td_rd_peek(&r, 6) == 0 &&
	    td_rd_peek(&r, 7) == 0 && td_rd_peek(&r, 8) == 0)
		return P_H2;
	return P_NONE;
}

/* Parse one message at the start of s's bytes, by its protocol. */
static enum td_app_status parse(struct dir_state *s, enum td_dir dir, bool final,
				struct td_app_msg *m, size_t *used)
{
	const uint8_t *p = s->buf.data;
	size_t n = s->buf.len;
	bool client = dir == TD_DIR_C2S;
	switch (s->proto) {
	case P_HTTP1:
		return client ? td_app_http1_request(p, n, m, used)
			      : td_app_http1_response(p, n, final, m, used);
	case P_H2:
		if (client && !s->preface) {
			enum td_app_status st = td_app_h2_preface(p, n, m, used);
			s->preface = st == TD_APP_FOUND;
			return st;
		}
		return td_app_h2_frame(p, n, !client, m, used);
	case P_PG:
		return client ? td_app_pg_startup(p, n, m, used) : td_app_pg_backend(p, n, m, used);
	case P_SMTP:
	case P_IMAP:
	case P_POP3:
	case P_FTP:
		return client ? td_app_text_command(text_proto(s->proto), p, n, final, m, used)
			      : td_app_text_reply(text_proto(s->proto), p, n, final, m, used);
	case P_LDAP:
		return td_app_ldap(p, n, !client, final, m, used);
	case P_MYSQL:
		return td_app_mysql(p, n, !client, final, m, used);
	case P_XMPP:
		return td_app_xmpp(p, n, !client, final, m, used);
	case P_UNKNOWN:
	case P_NONE:
		break;
	}
	return TD_APP_NO;
}

/* After a message reported: is the direction done? */
static bool enough(const struct dir_state *s, enum td_dir dir, const struct td_app_msg *m)
{
	if (s->found >= TD_CAP_APP_MESSAGES)
		return true;
	if (s->proto == P_SMTP && dir == TD_DIR_C2S && m->command &&
	    (strcmp(m->command, "DATA") == 0 || strcmp(m->command, "BDAT") == 0))
		return true;  /* a message body follows: its lines are no commands */
	if (s->proto == P_MYSQL && dir == TD_DIR_C2S)
		return true;  /* the login; what follows may be auth data */
	if (s->proto == P_HTTP1)
		return true;  /* the first request or response */
	return s->proto == P_PG && dir == TD_DIR_C2S;  /* the StartupMessage */
}

/* Drop the first `used` bytes of what is kept; past them, pass over
 * the bytes still to come. */
static void consume(struct dir_state *s, size_t used)
{
	size_t have = s->buf.len;
	if (used >= have) {
		s->skip = used - have;
		td_dynbuf_reset(&s->buf);
	} else {
		td_dynbuf_consume(&s->buf, used);
	}
}

/* Read what s holds, message by message. */
static void run(struct td_app *a, enum td_dir dir, bool final, td_app_cb cb, void *ctx)
{
	struct dir_state *s = &a->d[dir];
	final = final || s->taken >= TD_CAP_APP_BYTES;
	while (!s->done && s->buf.len > 0) {
		if (s->proto == P_UNKNOWN) {
			enum proto other = a->d[TD_DIR_C2S].proto;
			if (dir == TD_DIR_C2S)
				s->proto = detect_client(s->buf.data, s->buf.len);
			else if (other == P_UNKNOWN)
				s->proto = detect_server(s->buf.data, s->buf.len);
			else
				s->proto = other;
			if (s->proto == P_UNKNOWN && final)
				s->proto = P_NONE;
			if (s->proto == P_UNKNOWN)
				return;
		}
		struct td_app_msg m;
		size_t used = 0;
		switch (parse(s, dir, final, &m, &used)) {
		case TD_APP_FOUND:
			s->found++;
			cb(ctx, dir, &m, used);
			bool done = enough(s, dir, &m);
			td_app_msg_cleanup(&m);
			consume(s, used);
			if (done)
				finish(s);
			break;
		case TD_APP_SKIP:
			consume(s, used);
			break;
		case TD_APP_MORE:
			if (final)
				finish(s);
			return;
		case TD_APP_NO:
			finish(s);
			return;
		}
	}
	if (!s->done && final && s->skip == 0)
		finish(s);
}

enum td_result td_app_feed(struct td_app *a, enum td_dir dir, const uint8_t *p, size_t n,
			   td_app_cb cb, void *ctx)
{
	struct dir_state *s = &a->d[dir];
	if (s->done || n == 0)
		return TD_OK;
	struct td_reader r = td_rd_make(p, n);
	/* The rest of a message passed over. */
	size_t pass = s->skip < td_rd_left(&r) ? (size_t)s->skip : td_rd_left(&r);
	td_rd_skip(&r, pass);
	s->skip -= pass;
	size_t room = TD_CAP_APP_BYTES - s->taken;
	size_t keep = td_rd_left(&r) < room ? td_rd_left(&r) : room;
	if (keep > 0) {
		enum td_result res = td_dynbuf_add(&s->buf, td_rd_bytes(&r, keep), keep);
		if (res != TD_OK) {
			finish(s);
			return res;
		}
		s->taken += keep;
	}
	run(a, dir, false, cb, ctx);
	return TD_OK;
}

void td_app_end(struct td_app *a, td_app_cb cb, void *ctx)
{
	for (int d = 0; d < 2; d++)
		if (!a->d[d].done)
			run(a, (enum td_dir)d, true, cb, ctx);
}
