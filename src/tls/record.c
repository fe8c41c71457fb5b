/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * record.c - the TLS record layer over one direction of a TCP stream
 * (RFC 8446 5.1, RFC 5246 6.2, SSLv2-compatible hello: RFC 5246 E.2).
 *
 *   TLSPlaintext / TLSCiphertext:
 *   +------+---------+---------+------------------------+
 *   | type | version | length  | fragment[length]       |
 *   | 1    | 2       | 2       | <= 2^14 + 2048         |
 *   +------+---------+---------+------------------------+
 *
 *   SSLv2-compatible ClientHello (first message of a stream only):
 *   +------------------+----------+---------+-----------+-----+
 *   | 1 | length (15b) | msg_type | version | 3 lengths | ... |
 *   +------------------+----------+---------+-----------+-----+
 *     high bit set        = 1       0x0002, 0x0300..0x0303
 *
 * The stream takes bytes in whatever pieces TCP delivers them.  Whole
 * records inside one piece are handed to the callback in place; only the
 * unfinished tail (a partial record, or the few bytes a scan needs to
 * judge a candidate) is copied into s->buf, so the copy is bounded by
 * one record.
 *
 * States: START decides on the first bytes (a plausible header: SYNCED,
 * anything else: SCANNING).  SCANNING looks for a strict record
 * boundary, because a loose one would turn clear-text STARTTLS chatter
 * or ciphertext into bogus records; after TD_CAP_RESYNC_SCAN bytes
 * without one it gives up (GAVE_UP) and drops the rest cheaply.
 */
#include "config.h"

#include <string.h>

#include "caps.h"
#include "reader.h"
#include "tls_names.h"
#include "tls_record.h"

enum {
	HDR = 5,               /* TLS record header */
	SSLV2_HDR = 2,         /* SSLv2 two-byte header */
	HS_HDR = 4,            /* handshake message header */
	/* msg_type, version, three lengths, one cipher spec, a 16-byte
	 * challenge: the smallest SSLv2 ClientHello. */
	SSLV2_MIN_BODY = 1 + 2 + 6 + 3 + 16,
	SSLV2_CLIENT_HELLO = 1
};

/* The largest partial ever kept: a header and all but one body byte. */
#define BUF_CAP ((size_t)TD_CAP_RECORD + HDR)

enum cand { CAND_NO, CAND_YES, CAND_MORE };

static bool type_ok(uint8_t t)
{
	return t >= TD_CT_CHANGE_CIPHER_SPEC && t <= TD_CT_HEARTBEAT;
}

static bool version_ok(uint16_t v)
{
	return v >= TD_VERSION_SSL3 && v <= TD_VERSION_TLS13;
}

/* RFC 5246 6.2.1: only application data may be empty. */
static bool length_ok(uint8_t type, size_t len)
{
	return len <= TD_CAP_RECORD && (len > 0 || type == TD_CT_APPLICATION_DATA);
}

/* A plausible 5-byte TLS record header at the start of the n bytes. */
static bool tls_header_plausible(const uint8_t *p, size_t n)
{
	struct td_reader r = td_rd_make(p, n);
	uint8_t type = td_rd_u8(&r);
	uint16_t version = td_rd_u16(&r);
	uint16_t len = td_rd_u16(&r);
	return td_rd_ok(&r) && type_ok(type) && version_ok(version) && length_ok(type, len);
}

/* The body length of an SSLv2-compatible ClientHello starting at p, or 0
 * when the bytes are not one.  The version is checked when present. */
static size_t sslv2_hello_len(const uint8_t *p, size_t n)
{
	struct td_reader r = td_rd_make(p, n);
	uint16_t h = td_rd_u16(&r);
	uint8_t msg_type = td_rd_u8(&r);
	if (!td_rd_ok(&r) || !(h & 0x8000) || msg_type != SSLV2_CLIENT_HELLO)
		return 0;
	size_t len = h & 0x7fffu;
	if (len < SSLV2_MIN_BODY || len > TD_CAP_RECORD)
		return 0;
	if (td_rd_left(&r) >= 2) {
		uint16_t v = td_rd_u16(&r);
		if (v != TD_VERSION_SSL2 && (v < TD_VERSION_SSL3 || v > TD_VERSION_TLS12))
			return 0;
	}
	return len;
}

bool td_tls_plausible_header(const uint8_t *p, size_t n)
{
	struct td_reader r = td_rd_make(p, n);
	if (td_rd_left(&r) < 3)
		return false;
	if (td_rd_peek(&r, 0) & 0x80)
		return sslv2_hello_len(p, n) > 0;
	return tls_header_plausible(p, n);
}

/*
 * Does a record start at p?  Stricter than td_tls_plausible_header()
 * because the scan runs over bytes that are not TLS:
 *  - type 20..23, version 3.0..3.4, length 1..TD_CAP_RECORD; a
 *    ChangeCipherSpec is 1 byte, an alert 2 (or >= 16 when encrypted);
 *  - a handshake record whose first message has a known type and fits
 *    in the record is accepted at once (a ClientHello after STARTTLS);
 *  - otherwise the header that should follow the record must be
 *    plausible when it is already here; when it is not here yet the
 *    checks above are all there is to go on.
 * CAND_MORE asks for *need bytes from p.
 */
static enum cand scan_candidate(const uint8_t *p, size_t n, size_t *need)
{
	struct td_reader r = td_rd_make(p, n);
	uint8_t type = td_rd_u8(&r);
	if (type < TD_CT_CHANGE_CIPHER_SPEC || type > TD_CT_APPLICATION_DATA)
		return CAND_NO;
	uint8_t major = td_rd_u8(&r);
	if (td_rd_ok(&r) && major != TD_VERSION_SSL3 >> 8)
		return CAND_NO;
	uint8_t minor = td_rd_u8(&r);
	if (td_rd_ok(&r) && minor > 4)
		return CAND_NO;
	uint16_t len = td_rd_u16(&r);
	if (!td_rd_ok(&r)) {
		*need = HDR;
		return CAND_MORE;
	}
	if (len == 0 || len > TD_CAP_RECORD)
		return CAND_NO;
	if (type == TD_CT_CHANGE_CIPHER_SPEC && len != 1)
		return CAND_NO;
	if (type == TD_CT_ALERT && len != 2 && len < 16)
		return CAND_NO;
	if (type == TD_CT_HANDSHAKE && len >= HS_HDR) {
		uint8_t hs_type = td_rd_u8(&r);
		uint32_t hs_len = td_rd_u24(&r);
		if (!td_rd_ok(&r)) {
			*need = HDR + HS_HDR;
			return CAND_MORE;
		}
		if (td_tls_lookup(TD_REG_HANDSHAKE, hs_type) && hs_len <= (size_t)len - HS_HDR)
			return CAND_YES;
	}
	struct td_reader after = td_rd_make(p, n);
	td_rd_skip(&after, HDR + (size_t)len);
	if (td_rd_left(&after) < HDR)
		return CAND_YES;
	return tls_header_plausible(td_rd_bytes(&after, HDR), HDR) ? CAND_YES : CAND_NO;
}

static void deliver(struct td_tls_stream *s, uint8_t type, uint16_t version, bool sslv2,
		    const uint8_t *body, size_t len, td_tls_record_fn cb, void *ctx)
{
	struct td_tls_record rec = { type, version, sslv2, body, len };
	s->records++;
	cb(ctx, &rec);
}

static void start_scan(struct td_tls_stream *s)
{
	s->state = TD_TS_SCANNING;
	s->scanned = 0;
}

/* Count one skipped byte, keep it as evidence while the prefix has room,
 * and give up when the scan has gone on too long. */
static void skip_byte(struct td_tls_stream *s, uint8_t b)
{
	if (s->prefix_len < TD_TLS_PREFIX_KEEP)
		s->prefix[s->prefix_len++] = b;
	s->skipped++;
	s->scanned++;
	if (s->scanned >= TD_CAP_RESYNC_SCAN)
		s->state = TD_TS_GAVE_UP;
}

/*
 * Work through the n bytes at p: deliver whole records, skip scanned
 * bytes.  Returns the bytes consumed; when it stops short, *more is how
 * many bytes (counted from the first unconsumed one, and more than are
 * left) it needs to go on.
 */
static size_t process(struct td_tls_stream *s, const uint8_t *p, size_t n,
		      td_tls_record_fn cb, void *ctx, size_t *more)
{
	struct td_reader r = td_rd_make(p, n);
	*more = 0;
	for (;;) {
		size_t left = td_rd_left(&r);
		if (left == 0)
			break;
		struct td_reader h = td_rd_make(r.p, left);  /* look ahead */
		switch (s->state) {
		case TD_TS_GAVE_UP:
			s->skipped += left;
			td_rd_skip(&r, left);
			break;
		case TD_TS_START: {
			if (left < HDR) {
				*more = HDR;
				return n - left;
			}
			size_t v2 = sslv2_hello_len(r.p, left);
			if (v2 > 0) {
				if (left - SSLV2_HDR < v2) {
					*more = SSLV2_HDR + v2;
					return n - left;
				}
				td_rd_skip(&r, SSLV2_HDR);
				const uint8_t *body = td_rd_bytes(&r, v2);
				s->state = TD_TS_SYNCED;
				deliver(s, 0, TD_VERSION_SSL2, true, body, v2, cb, ctx);
			} else {
				/* SYNCED checks the header and falls back to
				 * scanning (flagging an oversize one). */
				s->state = TD_TS_SYNCED;
			}
			break;
		}
		case TD_TS_SYNCED: {
			uint8_t type = td_rd_u8(&h);
			uint16_t version = td_rd_u16(&h);
			size_t len = td_rd_u16(&h);
			if (!td_rd_ok(&h)) {
				*more = HDR;
				return n - left;
			}
			if (!type_ok(type) || !version_ok(version) ||
			    (len == 0 && type != TD_CT_APPLICATION_DATA)) {
				start_scan(s);
				break;
			}
			if (len > TD_CAP_RECORD) {
				s->oversize = true;
				start_scan(s);
				break;
			}
			if (td_rd_left(&h) < len && s->skip_appdata &&
			    type == TD_CT_APPLICATION_DATA && len > TD_TLS_READ_SMALL) {
				/* Not read: what is here is passed over now,
				 * the rest as it comes (td_tls_stream_feed). */
				s->skip_left = len - td_rd_left(&h);
				s->skip_version = version;
				s->skip_len = len;
				return n;
			}
			if (td_rd_left(&h) < len) {
				*more = HDR + len;
				return n - left;
			}
			td_rd_skip(&r, HDR);
			deliver(s, type, version, false, td_rd_bytes(&r, len), len, cb, ctx);
			break;
		}
		case TD_TS_SCANNING: {
			size_t need = 0;
			enum cand c = scan_candidate(r.p, left, &need);
			if (c == CAND_YES) {
				s->state = TD_TS_SYNCED;
			} else if (c == CAND_MORE) {
				*more = need;
				return n - left;
			} else {
				skip_byte(s, td_rd_u8(&r));
			}
			break;
		}
		}
	}
	return n;
}

void td_tls_stream_init(struct td_tls_stream *s)
{
	memset(s, 0, sizeof *s);
	s->state = TD_TS_START;
	td_dynbuf_init(&s->buf, BUF_CAP);
}

void td_tls_stream_cleanup(struct td_tls_stream *s)
{
	td_dynbuf_cleanup(&s->buf);
}

enum td_result td_tls_stream_feed(struct td_tls_stream *s, const uint8_t *data,
				  size_t len, td_tls_record_fn cb, void *ctx)
{
	struct td_reader in = td_rd_make(data, len);
	enum td_result res = TD_OK;
	size_t more = 0;

	for (;;) {
		if (s->skip_left > 0) {
			/* An application_data record passed over unread. */
			size_t take = td_rd_left(&in);
			if (take == 0)
				break;
			if (take > s->skip_left)
				take = s->skip_left;
			td_rd_skip(&in, take);
			s->skip_left -= take;
			if (s->skip_left == 0)
				deliver(s, TD_CT_APPLICATION_DATA, s->skip_version, false, NULL,
					s->skip_len, cb, ctx);
			continue;
		}
		if (s->buf.len > 0) {
			/* A partial is waiting: top it up to what it needs. */
			size_t used = process(s, s->buf.data, s->buf.len, cb, ctx, &more);
			td_dynbuf_consume(&s->buf, used);
			if (s->skip_left > 0)
				continue;  /* the partial was a record to pass over */
			if (s->buf.len > 0) {
				size_t avail = td_rd_left(&in);
				if (avail == 0)
					break;
				size_t take = more - s->buf.len;
				if (take > avail)
					take = avail;
				res = td_dynbuf_add(&s->buf, td_rd_bytes(&in, take), take);
				if (res != TD_OK)
					break;
				continue;
			}
		}
		/* Nothing waiting: work in place, keep only the tail. */
		size_t avail = td_rd_left(&in);
		if (avail == 0)
			break;
		size_t used = process(s, in.p, avail, cb, ctx, &more);
		td_rd_skip(&in, used);
		avail -= used;
		if (avail > 0)
			res = td_dynbuf_add(&s->buf, td_rd_bytes(&in, avail), avail);
		break;
	}
	if (s->buf.len == 0)
		td_dynbuf_reset(&s->buf);  /* idle flows hold no memory */
	return res;
}

void td_tls_stream_gap(struct td_tls_stream *s)
{
	td_dynbuf_reset(&s->buf);
	s->skip_left = 0;  /* the record lost with the gap is not delivered */
	if (s->state != TD_TS_GAVE_UP)
		start_scan(s);
}
