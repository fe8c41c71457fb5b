/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * handshake.c - joining handshake records into messages (RFC 8446 4,
 * RFC 5246 7.4; fragmentation: RFC 5246 6.2.1, RFC 8446 5.1).
 *
 *   Handshake, carried in one or more handshake records:
 *   +----------+-----------------+----------------------+
 *   | msg_type | length (uint24) | body[length]         |
 *   | 1        | 3               |                      |
 *   +----------+-----------------+----------------------+
 *
 * A record may hold several messages, and a message may be spread over
 * several records.  Messages wholly inside one record are delivered in
 * place; only an unfinished message is copied into h->buf.  A message
 * longer than TD_CAP_HS_MESSAGE is never buffered: its header is read,
 * and its body is skipped as it arrives (h->skip_left counts down over
 * records), so a hostile length costs no memory.
 */
#include "config.h"

#include "caps.h"
#include "reader.h"
#include "tls_handshake.h"

enum { HS_HDR = 4 };

void td_hs_reasm_init(struct td_hs_reasm *h)
{
	td_dynbuf_init(&h->buf, (size_t)TD_CAP_HS_MESSAGE + HS_HDR);
	h->skip_left = 0;
	h->messages = 0;
	h->oversize = 0;
}

void td_hs_reasm_cleanup(struct td_hs_reasm *h)
{
	td_dynbuf_cleanup(&h->buf);
}

void td_hs_reasm_reset(struct td_hs_reasm *h)
{
	td_dynbuf_reset(&h->buf);
	h->skip_left = 0;
}

bool td_hs_reasm_pending(const struct td_hs_reasm *h)
{
	return h->buf.len > 0 || h->skip_left > 0;
}

/* Type and length from the 4-byte message header at p; false when fewer
 * than 4 bytes are there. */
static bool header_len(const uint8_t *p, size_t n, uint8_t *type, uint32_t *len)
{
	struct td_reader r = td_rd_make(p, n);
	*type = td_rd_u8(&r);
	*len = td_rd_u24(&r);
	return td_rd_ok(&r);
}

/* A message announced longer than the cap: count it, skip its body. */
static void start_skip(struct td_hs_reasm *h, uint32_t len)
{
	h->oversize++;
	h->skip_left = len;
}

enum td_result td_hs_reasm_feed(struct td_hs_reasm *h, const uint8_t *data, size_t len,
				td_hs_msg_fn cb, void *ctx)
{
	struct td_reader in = td_rd_make(data, len);
	enum td_result res = TD_OK;
	uint8_t type;
	uint32_t mlen;

	while (td_rd_left(&in) > 0) {
		size_t avail = td_rd_left(&in);

		if (h->skip_left > 0) {
			size_t k = h->skip_left < avail ? h->skip_left : avail;
			td_rd_skip(&in, k);
			h->skip_left -= (uint32_t)k;
			continue;
		}

		if (h->buf.len > 0) {
			/* Finish the header first, then the body. */
			size_t want = HS_HDR;
			if (h->buf.len >= HS_HDR) {
				if (!header_len(h->buf.data, h->buf.len, &type, &mlen))
					return TD_ERR_MALFORMED;  /* cannot happen: 4 bytes are there */
				want = HS_HDR + (size_t)mlen;
			}
			size_t take = want - h->buf.len;
			if (take > avail)
				take = avail;
			enum td_result r = td_dynbuf_add(&h->buf, td_rd_bytes(&in, take), take);
			if (r != TD_OK)
				return r;
			if (h->buf.len < HS_HDR)
				continue;  /* the record ended inside the header */
			if (!header_len(h->buf.data, h->buf.len, &type, &mlen))
				return TD_ERR_MALFORMED;
			if (mlen > TD_CAP_HS_MESSAGE) {
				/* The header just completed: skip the body. */
				td_dynbuf_reset(&h->buf);
				start_skip(h, mlen);
				res = TD_ERR_CAP;
				continue;
			}
			if (h->buf.len < HS_HDR + (size_t)mlen)
				continue;  /* the record ended inside the body */
			struct td_reader m = td_rd_make(h->buf.data, h->buf.len);
			td_rd_skip(&m, HS_HDR);
			h->messages++;
			cb(ctx, type, td_rd_bytes(&m, mlen), mlen);
			td_dynbuf_reset(&h->buf);
			continue;
		}

		if (avail < HS_HDR) {
			enum td_result r = td_dynbuf_add(&h->buf, td_rd_bytes(&in, avail), avail);
			if (r != TD_OK)
				return r;
			break;
		}
		(void)header_len(in.p, avail, &type, &mlen);
		if (mlen > TD_CAP_HS_MESSAGE) {
			td_rd_skip(&in, HS_HDR);
			start_skip(h, mlen);
			res = TD_ERR_CAP;
			continue;
		}
		if (avail - HS_HDR < mlen) {
			/* The message goes on in a later record. */
			enum td_result r = td_dynbuf_add(&h->buf, td_rd_bytes(&in, avail), avail);
			if (r != TD_OK)
				return r;
			break;
		}
		td_rd_skip(&in, HS_HDR);
		h->messages++;
		cb(ctx, type, td_rd_bytes(&in, mlen), mlen);
	}
	return res;
}
