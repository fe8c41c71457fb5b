/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * starttls.c - the STARTTLS recogniser's life (see starttls.h): telling
 * the protocol from a connection's first bytes, cutting each direction
 * into frames, the caps, the steps and the facts.
 *
 * Frames, by protocol:
 *
 *   SMTP, FTP, IMAP, POP3   a line: bytes up to and including LF
 *                           (RFC 5321 2.3.8, RFC 959, RFC 9051 2.2,
 *                           RFC 1939 3: CR LF; a bare LF is taken too)
 *   XMPP                    an XML tag: bytes up to and including '>'
 *                           (the stream is never a whole document)
 *   PostgreSQL, MySQL, LDAP length-prefixed messages (binary.c says how
 *                           long from their first bytes)
 *
 * A frame keeps its first TD_CAP_STLS_LINE bytes; the rest is passed
 * over and counted (cap_dropped).  A direction reads at most
 * TD_CAP_STLS_PREAMBLE plaintext bytes; past them the recogniser is done
 * and counts the rest.  Nothing here grows: a peer that talks forever in
 * plaintext costs a counter.
 *
 * Deciding: while the protocol is unknown, a direction's first bytes
 * wait in its frame buffer (a few bytes: a 3-digit code, "* OK",
 * PostgreSQL's 8-byte SSLRequest; at most one LDAP message).  Once they
 * tell, they are read as frames; when they cannot be a STARTTLS
 * protocol, they and everything after go to TLS unchanged, in order.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "starttls_int.h"
#include "text.h"

/* TLS record content types 20..24 (RFC 8446 5.1) and an SSLv2 hello's
 * first byte (high bit set, RFC 5246 E.2). */
enum { TLS_CT_MIN = 20, TLS_CT_MAX = 24, TLS_MAJOR = 3, SSLV2_BIT = 0x80 };
/* The TLS handshake content type: a client going ahead with its hello. */
enum { TLS_CT_HANDSHAKE = 22 };

struct td_stls *td_stls_new(uint16_t server_port)
{
	struct td_stls *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->port = server_port;
	return s;
}

void td_stls_free(struct td_stls *s)
{
	free(s);
}

bool td_stls_active(const struct td_stls *s)
{
	return s->state != ST_NOT || s->proto != TD_STLS_NONE;
}

bool td_stls_never(const uint8_t *p, size_t n)
{
	struct td_reader r = td_rd_make(p, n);
	uint8_t b0 = td_rd_u8(&r);
	if (!td_rd_ok(&r))
		return false;
	if (b0 & SSLV2_BIT)
		return true;
	if (b0 < TLS_CT_MIN || b0 > TLS_CT_MAX)
		return false;
	/* A MySQL greeting of 20 to 24 bytes would start so too, but its
	 * second byte is 0 (a 3-byte little-endian length), never 3. */
	uint8_t b1 = td_rd_u8(&r);
	return !td_rd_ok(&r) || b1 == TLS_MAJOR;
}

static enum td_starttls_result result_of(const struct td_stls *s, bool server_closed)
{
	if (s->agreed)
		return TD_STLS_UPGRADED;
	if (s->refused)
		return TD_STLS_REFUSED;
	if (s->asked && !s->answered)
		return server_closed ? TD_STLS_SERVER_CLOSED : TD_STLS_INCOMPLETE;
	if (!s->asked && s->caps_seen && !s->offered)
		return TD_STLS_NOT_OFFERED;
	if (!s->asked && s->offered && s->plaintext_after)
		return TD_STLS_NOT_USED;
	return TD_STLS_INCOMPLETE;
}

/* A new copy of a quote, NULL for "" (none); *ok false when memory ran out. */
static char *quote_dup(const char *q, bool *ok)
{
	if (!q[0])
		return NULL;
	char *d = strdup(q);
	if (!d)
		*ok = false;
	return d;
}

enum td_starttls_proto td_stls_proto(const struct td_stls *s)
{
	/* A 3-digit greeting the client never answered: the port says. */
	if (s->smtp_or_ftp && (s->port == 21 || s->port == 990))
		return TD_STLS_FTP;
	return s->proto;
}

enum td_result td_stls_facts(const struct td_stls *s, bool server_closed, struct td_starttls *out)
{
	memset(out, 0, sizeof *out);
	if (s->proto == TD_STLS_NONE)
		return TD_OK;
	out->proto = td_stls_proto(s);
	out->result = result_of(s, server_closed);
	out->offered = s->offered;
	out->asked = s->asked;
	out->plaintext_after = s->plaintext_after;
	bool ok = true;
	out->answer = quote_dup(s->answer, &ok);
	out->after = quote_dup(s->after, &ok);
	for (int d = 0; d < 2; d++)
		out->bytes[d] = s->d[d].bytes;
	out->steps_dropped = s->steps_dropped;
	out->cap_dropped = s->cap_dropped;
	return ok ? TD_OK : TD_ERR_NOMEM;
}

/* ---- deciding ---- */

enum verdict { V_NO, V_YES, V_MORE };

/* The n bytes at p start with w, or could (V_MORE: p is a prefix of w). */
static enum verdict prefix(const uint8_t *p, size_t n, const char *w)
{
	size_t wl = strlen(w);
	size_t k = n < wl ? n : wl;
	char head[32];
	if (k >= sizeof head)
		return V_NO;
	memcpy(head, w, k);  /* the first k letters of w: p must start so */
	head[k] = '\0';
	if (!stls_prefix_ci(p, k, head))
		return V_NO;
	return k == wl ? V_YES : V_MORE;
}

static enum verdict any_prefix(const uint8_t *p, size_t n, const char *const *w, size_t nw)
{
	enum verdict v = V_NO;
	for (size_t i = 0; i < nw; i++) {
		enum verdict x = prefix(p, n, w[i]);
		if (x == V_YES)
			return V_YES;
		if (x == V_MORE)
			v = V_MORE;
	}
	return v;
}

static bool digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* The first bytes of a direction, in order: which protocol, if any. */
static enum td_starttls_proto detect(struct td_stls *s, enum td_dir dir, const uint8_t *p,
				     size_t n, bool *more)
{
	*more = false;
	if (td_stls_never(p, n))
		return TD_STLS_NONE;
	if (dir == TD_DIR_S2C) {
		/* SMTP and FTP: a 3-digit code, then a space or a '-'. */
		bool code = true;
		for (size_t i = 0; i < 3 && i < n; i++)
			code = code && digit(stls_at(p, n, i));
		if (code && (n < 4 || stls_at(p, n, 3) == ' ' || stls_at(p, n, 3) == '-')) {
			if (n < 4) {
				*more = true;
				return TD_STLS_NONE;
			}
			s->smtp_or_ftp = true;
			return s->port == 21 || s->port == 990 ? TD_STLS_FTP : TD_STLS_SMTP;
		}
		static const char *const imap[] = { "* ok", "* preauth", "* bye" };
		static const char *const pop[] = { "+ok", "-err" };
		enum verdict v = any_prefix(p, n, imap, 3);
		if (v == V_YES)
			return TD_STLS_IMAP;
		enum verdict w = any_prefix(p, n, pop, 2);
		if (w == V_YES)
			return TD_STLS_POP3;
		bool m = false;
		enum td_starttls_proto b = stls_detect_binary(dir, p, n, &m);
		*more = b == TD_STLS_NONE && (v == V_MORE || w == V_MORE || m);
		return b;
	}
	static const char *const xmpp[] = { "<?xml", "<stream:stream" };
	enum verdict v = any_prefix(p, n, xmpp, 2);
	if (v == V_YES)
		return TD_STLS_XMPP;
	bool m = false;
	enum td_starttls_proto b = stls_detect_binary(dir, p, n, &m);
	*more = b == TD_STLS_NONE && (v == V_MORE || m);
	return b;
}

static void reset_frame(struct stls_dir *d)
{
	d->len = d->need = d->got = 0;
	d->cut = false;
}

/* Stand aside: what the directions hold goes to TLS (a partial frame's
 * kept bytes; a cut frame's are no longer whole and go nowhere), and so
 * does everything after. */
static void stand_aside(struct td_stls *s, enum td_dir first)
{
	s->state = ST_NOT;
	for (int i = 0; i < 2; i++) {
		enum td_dir dir = i == 0 ? first : (enum td_dir)(1 - first);
		struct stls_dir *d = &s->d[dir];
		if (d->len > 0 && !d->cut && !d->tls && s->out)
			s->out->tls(s->out->ctx, dir, d->buf, d->len);
		reset_frame(d);
	}
}

static void feed_frames(struct td_stls *s, enum td_dir dir, const uint8_t *p, size_t n);

/* Undecided: keep the first bytes until they tell.  Returns the bytes
 * taken from p. */
static size_t decide(struct td_stls *s, enum td_dir dir, const uint8_t *p, size_t n)
{
	struct stls_dir *d = &s->d[dir];
	size_t room = sizeof d->buf - d->len;
	size_t k = n < room ? n : room;
	memcpy(d->buf + d->len, p, k);
	d->len += k;
	bool more = false;
	enum td_starttls_proto proto = detect(s, dir, d->buf, d->len, &more);
	if (proto == TD_STLS_NONE) {
		if (!more || d->len == sizeof d->buf)
			stand_aside(s, (enum td_dir)(1 - dir));
		return k;
	}
	s->proto = proto;
	s->state = ST_ON;
	/* Read what waited as frames: the other direction's first (it came
	 * first), then this one's. */
	uint8_t held[TD_CAP_STLS_LINE];
	for (int i = 0; i < 2; i++) {
		enum td_dir hd = i == 0 ? (enum td_dir)(1 - dir) : dir;
		struct stls_dir *h = &s->d[hd];
		size_t hl = h->len;
		memcpy(held, h->buf, hl);
		reset_frame(h);
		feed_frames(s, hd, held, hl);
	}
	return k;
}

/* ---- frames ---- */

static bool text_proto(enum td_starttls_proto p)
{
	return p == TD_STLS_SMTP || p == TD_STLS_FTP || p == TD_STLS_IMAP || p == TD_STLS_POP3 ||
	       p == TD_STLS_XMPP;
}

/* Keep k more bytes of the frame (its first TD_CAP_STLS_LINE). */
static void take(struct td_stls *s, struct stls_dir *d, const uint8_t *p, size_t k)
{
	size_t room = sizeof d->buf - d->len;
	size_t c = k < room ? k : room;
	memcpy(d->buf + d->len, p, c);
	d->len += c;
	if (c < k) {
		d->cut = true;
		s->cap_dropped += k - c;
	}
	d->got += k;
}

static void deliver(struct td_stls *s, enum td_dir dir)
{
	struct stls_dir *d = &s->d[dir];
	struct frame fr = { dir, d->buf, d->len, d->got, d->cut };
	d->frames++;
	if (s->smtp_or_ftp && dir == TD_DIR_C2S)
		(void)stls_smtp_or_ftp(s, fr.p, fr.len);
	if (text_proto(s->proto))
		stls_line(s, &fr);
	else
		stls_binary(s, &fr);
	reset_frame(d);
}

/* Bytes of a recognised protocol's direction, frame by frame. */
static void feed_frames(struct td_stls *s, enum td_dir dir, const uint8_t *p, size_t n)
{
	while (n > 0) {
		struct stls_dir *d = &s->d[dir];
		if (s->state == ST_NOT || d->tls) {
			if (s->out)
				s->out->tls(s->out->ctx, dir, p, n);
			return;
		}
		if (s->state == ST_DONE) {
			/* After the cap, not only its first chunk is dropped: the
			 * rest of both directions is (tests/adversarial: stls-*). */
			if (s->capped)
				s->cap_dropped += n;
			d->bytes += n;
			return;
		}
		if (d->bytes >= TD_CAP_STLS_PREAMBLE) {
			/* Talking forever in plaintext: done, the rest counted. */
			s->cap_dropped += n;
			d->bytes += n;
			s->capped = true;
			s->state = ST_DONE;
			return;
		}
		/* The client went ahead with its ClientHello before the answer
		 * was seen (or the answer was not captured). */
		if (dir == TD_DIR_C2S && s->asked && !s->answered && d->got == 0 &&
		    stls_at(p, n, 0) == TLS_CT_HANDSHAKE) {
			d->tls = true;
			continue;
		}
		size_t k;
		bool whole;
		if (text_proto(s->proto)) {
			uint8_t end = s->proto == TD_STLS_XMPP ? '>' : '\n';
			struct td_reader r = td_rd_make(p, n);
			size_t i = 0;
			while (i < n && td_rd_peek(&r, i) != end)
				i++;
			whole = i < n;
			k = whole ? i + 1 : n;
		} else {
			if (d->need == 0) {
				k = 1;  /* a header byte at a time, until its length is known */
			} else {
				size_t want = d->need - d->got;
				k = n < want ? n : want;
			}
			whole = false;
		}
		uint64_t left = TD_CAP_STLS_PREAMBLE - d->bytes;
		if (k > left)
			k = (size_t)left;
		take(s, d, p, k);
		d->bytes += k;
		p += k;
		n -= k;
		if (!text_proto(s->proto)) {
			if (d->need == 0) {
				size_t need = stls_frame_len(s, dir, d->buf, d->len);
				if (need == SIZE_MAX) {
					stand_aside(s, dir);
					continue;
				}
				d->need = need;
			}
			whole = d->need != 0 && d->got >= d->need;
		}
		if (whole)
			deliver(s, dir);
	}
}

void td_stls_feed(struct td_stls *s, enum td_dir dir, const uint8_t *p, size_t n,
		  const struct td_stls_out *out)
{
	s->out = out;
	while (n > 0 && s->state == ST_UNDECIDED) {
		size_t k = decide(s, dir, p, n);
		p += k;
		n -= k;
	}
	if (n > 0)
		feed_frames(s, dir, p, n);
	s->out = NULL;
}

void td_stls_gap(struct td_stls *s, enum td_dir dir, const struct td_stls_out *out)
{
	if (s->state == ST_NOT || s->d[dir].tls)
		return;
	s->out = out;
	if (s->state == ST_DONE) {
		s->state = ST_NOT;  /* TLS's scan will find its way, if any */
	} else {
		stand_aside(s, (enum td_dir)(1 - dir));
	}
	s->out = NULL;
}
