/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http2.c - the first HTTP/2 frames of a direction (RFC 9113):
 *
 *   client preface: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (3.4), then frames
 *   frame (4.1):  length (24) | type (8) | flags (8) | R (1) stream (31) | payload
 *   RST_STREAM (6.4): error code (32)
 *   GOAWAY (6.8):     R (1) last stream (31) | error code (32) | debug data
 *   HEADERS (6.2):    [pad length (8)] [E stream dependency (32) weight (8)]
 *                     field block | padding
 *
 * GOAWAY and RST_STREAM carry an error code and need nothing else.  A
 * response's :status sits in a HEADERS frame's field block, compressed
 * with HPACK (RFC 7541); no Debian library tlsdiag links decodes it, so
 * only the two forms that need no decoder are read: the status as a
 * static-table entry (indexes 8-14: 200, 204, 206, 304, 400, 404, 500),
 * or a literal with the static name :status and a plain (not Huffman)
 * three-digit value, which is how nginx sends the others.  The field
 * must come first, as pseudo-header fields do (RFC 9113 8.3), after at
 * most one dynamic table size update.
 */
#include "config.h"

#include <string.h>

#include "app_int.h"

#define PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define FRAME_HEADER 9u

enum {
	FT_HEADERS = 1,
	FT_RST_STREAM = 3,
	FT_GOAWAY = 7,
};
#define FLAG_PADDED 0x08u
#define FLAG_PRIORITY 0x20u
#define STREAM_MASK 0x7fffffffu

/* RFC 7541 Appendix A: the :status entries of the static table. */
#define STATIC_STATUS_FIRST 8u
static const uint16_t static_status[] = { 200, 204, 206, 304, 400, 404, 500 };

enum td_app_status td_app_h2_preface(const uint8_t *p, size_t n, struct td_app_msg *m,
				     size_t *used)
{
	memset(m, 0, sizeof *m);
	struct td_reader r = td_rd_make(p, n);
	bool whole = false;
	if (!td_app_prefix(&r, PREFACE, &whole))
		return TD_APP_NO;
	if (!whole)
		return TD_APP_MORE;
	m->proto = TD_APP_HTTP2;
	m->kind = TD_APP_H2_PREFACE;
	*used = strlen(PREFACE);
	return TD_APP_FOUND;
}

/* The :status of a field block's first field, 0 when it cannot be read
 * without a decoder (see above). */
static unsigned first_status(struct td_reader *b)
{
	uint8_t first = td_rd_u8(b);
	if ((first & 0xe0u) == 0x20u) {
		/* A dynamic table size update (6.3): a 5-bit prefix integer,
		 * continued by bytes with the top bit set (at most 4 here). */
		if ((first & 0x1fu) == 0x1fu)
			for (int i = 0; i < 4 && (td_rd_u8(b) & 0x80u); i++)
				;
		first = td_rd_u8(b);
	}
	if (!td_rd_ok(b))
		return 0;
	/* Indexed (6.1): 1xxxxxxx, the index in 7 bits. */
	if ((first & 0x80u) && (first & 0x7fu) >= STATIC_STATUS_FIRST &&
	    (first & 0x7fu) < STATIC_STATUS_FIRST + sizeof static_status / sizeof static_status[0])
		return static_status[(first & 0x7fu) - STATIC_STATUS_FIRST];
	/* A literal whose name is static entry 8 (:status): with incremental
	 * indexing 01000000 | 8, without indexing 0000 | 8, never indexed
	 * 0001 | 8 (6.2.1-6.2.3). */
	if (first != 0x48u && first != 0x08u && first != 0x18u)
		return 0;
	uint8_t len = td_rd_u8(b);
	if (len != 3)  /* Huffman (top bit) or not three digits */
		return 0;
	unsigned status = 0;
	for (int i = 0; i < 3; i++) {
		uint8_t c = td_rd_u8(b);
		if (c < '0' || c > '9')
			return 0;
		status = status * 10 + (unsigned)(c - '0');
	}
	return td_rd_ok(b) && status >= 100 ? status : 0;
}

enum td_app_status td_app_h2_frame(const uint8_t *p, size_t n, bool server,
				   struct td_app_msg *m, size_t *used)
{
	memset(m, 0, sizeof *m);
	struct td_reader r = td_rd_make(p, n);
	if (n < FRAME_HEADER)
		return TD_APP_MORE;
	uint32_t length = td_rd_u24(&r);
	uint8_t type = td_rd_u8(&r);
	uint8_t flags = td_rd_u8(&r);
	uint32_t stream = td_rd_u32(&r) & STREAM_MASK;
	size_t whole = FRAME_HEADER + (size_t)length;
	/* What the frame needs of its payload to be read here. */
	size_t need = type == FT_RST_STREAM ? 4u : type == FT_GOAWAY ? 8u : 0u;
	if (type == FT_RST_STREAM && length != 4)
		return TD_APP_NO;  /* FRAME_SIZE_ERROR (6.4) */
	if (type == FT_GOAWAY && length < 8)
		return TD_APP_NO;
	if (type == FT_HEADERS && server) {
		/* Pad length, priority, and a :status literal of 5 bytes
		 * after at most 5 bytes of table size update. */
		need = length < 1 + 5 + 10 ? length : 1 + 5 + 10;
	}
	if (td_rd_left(&r) < need)
		return TD_APP_MORE;
	struct td_reader payload = td_rd_sub(&r, need);
	m->proto = TD_APP_HTTP2;
	m->stream = stream;
	*used = whole;
	switch (type) {
	case FT_RST_STREAM:
		m->kind = TD_APP_H2_RST_STREAM;
		m->error_code = td_rd_u32(&payload);
		return TD_APP_FOUND;
	case FT_GOAWAY: {
		m->kind = TD_APP_H2_GOAWAY;
		m->stream = td_rd_u32(&payload) & STREAM_MASK;
		m->error_code = td_rd_u32(&payload);
		/* The debug data, as far as it came (often words). */
		size_t debug = length - 8u;
		size_t have = td_rd_left(&r) < debug ? td_rd_left(&r) : debug;
		m->message = td_app_text(td_rd_sub(&r, have));
		return TD_APP_FOUND;
	}
	case FT_HEADERS:
		if (server) {
			if (flags & FLAG_PADDED)
				td_rd_skip(&payload, 1);
			if (flags & FLAG_PRIORITY)
				td_rd_skip(&payload, 5);
			unsigned status = first_status(&payload);
			if (status) {
				m->kind = TD_APP_RESPONSE;
				m->status = (uint16_t)status;
				return TD_APP_FOUND;
			}
		}
		break;
	default:
		break;
	}
	memset(m, 0, sizeof *m);
	return TD_APP_SKIP;
}
