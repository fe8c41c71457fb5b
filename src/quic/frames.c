/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frames.c - the frames of a decrypted QUIC payload (RFC 9000 12.4, 19).
 *
 *   PADDING (0x00)       one zero byte
 *   PING (0x01)          nothing more
 *   ACK (0x02, 0x03)     Largest Acknowledged (i), ACK Delay (i),
 *                        ACK Range Count (i), First ACK Range (i),
 *                        ACK Range (Gap (i), ACK Range Length (i)) ...,
 *                        0x03: ECN Counts (ECT0 (i), ECT1 (i), ECN-CE (i))
 *   CRYPTO (0x06)        Offset (i), Length (i), Crypto Data
 *   NEW_TOKEN (0x07)     Token Length (i), Token
 *   CONNECTION_CLOSE     Error Code (i), [0x1c only: Frame Type (i)],
 *     (0x1c, 0x1d)       Reason Phrase Length (i), Reason Phrase
 *   HANDSHAKE_DONE (0x1e)
 *
 * (i) is a variable-length integer (RFC 9000 16).  Initial and Handshake
 * packets may carry only PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE
 * (RFC 9000 12.4); anything else stops the walk, cleanly.
 */
#include "config.h"

#include <string.h>

#include "quic.h"
#include "quic_int.h"
#include "reader.h"

enum {
	FT_PADDING = 0x00,
	FT_PING = 0x01,
	FT_ACK = 0x02,
	FT_ACK_ECN = 0x03,
	FT_CRYPTO = 0x06,
	FT_NEW_TOKEN = 0x07,
	FT_CLOSE = 0x1c,
	FT_CLOSE_APP = 0x1d,
	FT_HANDSHAKE_DONE = 0x1e
};

/* An ACK frame's body; false when it does not fit. */
static bool skip_ack(struct td_reader *r, bool ecn)
{
	(void)td_quic_rd_varint(r);  /* largest acknowledged */
	(void)td_quic_rd_varint(r);  /* delay */
	uint64_t ranges = td_quic_rd_varint(r);
	(void)td_quic_rd_varint(r);  /* first range */
	/* Each range is two varints, at least two bytes: the count is
	 * bounded by what is left, so a huge count fails fast. */
	if (ranges > td_rd_left(r) / 2) {
		td_rd_fail(r);
		return false;
	}
	for (uint64_t i = 0; i < ranges && td_rd_ok(r); i++) {
		(void)td_quic_rd_varint(r);
		(void)td_quic_rd_varint(r);
	}
	if (ecn)
		for (int i = 0; i < 3; i++)
			(void)td_quic_rd_varint(r);
	return td_rd_ok(r);
}

enum td_result td_quic_frames(const uint8_t *p, size_t n, const struct td_quic_frame_cb *cb,
			      struct td_quic_frame_info *info)
{
	memset(info, 0, sizeof *info);
	struct td_reader r = td_rd_make(p, n);
	while (td_rd_left(&r) > 0) {
		uint64_t type = td_quic_rd_varint(&r);
		if (!td_rd_ok(&r))
			return TD_ERR_MALFORMED;
		info->frames++;
		switch (type) {
		case FT_PADDING:
			/* A run of padding is one frame for the count. */
			while (td_rd_left(&r) > 0 && td_rd_peek(&r, 0) == 0)
				td_rd_skip(&r, 1);
			break;
		case FT_PING:
			info->ack_eliciting = true;
			break;
		case FT_ACK:
		case FT_ACK_ECN:
			if (!skip_ack(&r, type == FT_ACK_ECN))
				return TD_ERR_MALFORMED;
			break;
		case FT_CRYPTO: {
			uint64_t off = td_quic_rd_varint(&r);
			uint64_t len = td_quic_rd_varint(&r);
			if (!td_rd_ok(&r) || len > td_rd_left(&r))
				return TD_ERR_MALFORMED;
			const uint8_t *data = td_rd_bytes(&r, (size_t)len);
			info->ack_eliciting = true;
			if (cb && cb->crypto && len > 0)
				cb->crypto(cb->ctx, off, data, (size_t)len);
			break;
		}
		case FT_NEW_TOKEN: {
			uint64_t len = td_quic_rd_varint(&r);
			if (!td_rd_ok(&r) || len > td_rd_left(&r))
				return TD_ERR_MALFORMED;
			td_rd_skip(&r, (size_t)len);
			info->ack_eliciting = true;
			break;
		}
		case FT_CLOSE:
		case FT_CLOSE_APP: {
			struct td_quic_close cl = { .app = type == FT_CLOSE_APP };
			cl.error = td_quic_rd_varint(&r);
			if (!cl.app)
				cl.frame_type = td_quic_rd_varint(&r);
			uint64_t len = td_quic_rd_varint(&r);
			if (!td_rd_ok(&r) || len > td_rd_left(&r))
				return TD_ERR_MALFORMED;
			cl.reason_len = (size_t)len;
			cl.reason = td_rd_bytes(&r, cl.reason_len);
			if (cb && cb->close)
				cb->close(cb->ctx, &cl);
			break;
		}
		case FT_HANDSHAKE_DONE:
			info->ack_eliciting = true;
			break;
		default:
			info->unknown_type = type;
			return TD_SKIP;
		}
		if (!td_rd_ok(&r))
			return TD_ERR_MALFORMED;
	}
	return TD_OK;
}
