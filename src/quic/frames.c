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
 * and, passed over so that a CONNECTION_CLOSE after them in a 1-RTT
 * packet is still read:
 *
 *   RESET_STREAM (0x04)  Stream ID (i), Application Error (i), Final Size (i)
 *   STOP_SENDING (0x05)  Stream ID (i), Application Error (i)
 *   STREAM (0x08-0x0f)   Stream ID (i), [Offset (i) if 0x04], [Length (i)
 *                        if 0x02, else the data runs to the end], Data
 *   MAX_DATA, MAX_STREAMS (0x12, 0x13), DATA_BLOCKED, STREAMS_BLOCKED
 *     (0x16, 0x17), RETIRE_CONNECTION_ID (0x10, 0x14, 0x19): one (i)
 *   MAX_STREAM_DATA, STREAM_DATA_BLOCKED (0x11, 0x15): two (i)
 *   NEW_CONNECTION_ID (0x18) Sequence (i), Retire Prior To (i), Length (8),
 *                        Connection ID, Stateless Reset Token (128)
 *   PATH_CHALLENGE, PATH_RESPONSE (0x1a, 0x1b): 8 bytes
 *   DATAGRAM (0x30, 0x31; RFC 9221): 0x31 Length (i), Data; 0x30 to the end
 *
 * (i) is a variable-length integer (RFC 9000 16).  Initial and Handshake
 * packets may carry only PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE
 * (RFC 9000 12.4); the walk does not police that.  Any other type stops
 * the walk, cleanly.
 */
#include "config.h"

#include <string.h>

#include "quic.h"
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
	FT_RESET_STREAM = 0x04,
	FT_STOP_SENDING = 0x05,
	FT_STREAM = 0x08,           /* to 0x0f: the low bits are OFF, LEN, FIN */
	FT_STREAM_LAST = 0x0f,
	FT_MAX_DATA = 0x10,
	FT_MAX_STREAM_DATA = 0x11,
	FT_MAX_STREAMS_BIDI = 0x12,
	FT_MAX_STREAMS_UNI = 0x13,
	FT_DATA_BLOCKED = 0x14,
	FT_STREAM_DATA_BLOCKED = 0x15,
	FT_STREAMS_BLOCKED_BIDI = 0x16,
	FT_STREAMS_BLOCKED_UNI = 0x17,
	FT_NEW_CONNECTION_ID = 0x18,
	FT_RETIRE_CONNECTION_ID = 0x19,
	FT_PATH_CHALLENGE = 0x1a,
	FT_PATH_RESPONSE = 0x1b,
	FT_HANDSHAKE_DONE = 0x1e,
	FT_DATAGRAM = 0x30,
	FT_DATAGRAM_LEN = 0x31
};

/* The frames carrying no information tlsdiag reads, passed over; false
 * for a type that is not one of them. */
static bool skip_other(struct td_reader *r, uint64_t type)
{
	size_t varints = 0;
	switch (type) {
	case FT_RESET_STREAM:
		varints = 3;
		break;
	case FT_STOP_SENDING:
	case FT_MAX_STREAM_DATA:
	case FT_STREAM_DATA_BLOCKED:
		varints = 2;
		break;
	case FT_MAX_DATA:
	case FT_MAX_STREAMS_BIDI:
	case FT_MAX_STREAMS_UNI:
	case FT_DATA_BLOCKED:
	case FT_STREAMS_BLOCKED_BIDI:
	case FT_STREAMS_BLOCKED_UNI:
	case FT_RETIRE_CONNECTION_ID:
		varints = 1;
		break;
	case FT_PATH_CHALLENGE:
	case FT_PATH_RESPONSE:
		td_rd_skip(r, 8);
		return true;
	case FT_NEW_CONNECTION_ID: {
		(void)td_rd_varint(r);
		(void)td_rd_varint(r);
		uint8_t len = td_rd_u8(r);
		td_rd_skip(r, (size_t)len + 16);
		return true;
	}
	case FT_DATAGRAM:
		td_rd_skip(r, td_rd_left(r));
		return true;
	case FT_DATAGRAM_LEN: {
		uint64_t len = td_rd_varint(r);
		if (len > td_rd_left(r))
			td_rd_fail(r);
		else
			td_rd_skip(r, (size_t)len);
		return true;
	}
	default:
		if (type < FT_STREAM || type > FT_STREAM_LAST)
			return false;
		(void)td_rd_varint(r);  /* stream id */
		if (type & 0x04u)
			(void)td_rd_varint(r);  /* offset */
		if (type & 0x02u) {
			uint64_t len = td_rd_varint(r);
			if (len > td_rd_left(r))
				td_rd_fail(r);
			else
				td_rd_skip(r, (size_t)len);
		} else {
			td_rd_skip(r, td_rd_left(r));
		}
		return true;
	}
	for (size_t i = 0; i < varints; i++)
		(void)td_rd_varint(r);
	return true;
}

/* An ACK frame's body; false when it does not fit. */
static bool skip_ack(struct td_reader *r, bool ecn)
{
	(void)td_rd_varint(r);  /* largest acknowledged */
	(void)td_rd_varint(r);  /* delay */
	uint64_t ranges = td_rd_varint(r);
	(void)td_rd_varint(r);  /* first range */
	/* Each range is two varints, at least two bytes: the count is
	 * bounded by what is left, so a huge count fails fast. */
	if (ranges > td_rd_left(r) / 2) {
		td_rd_fail(r);
		return false;
	}
	for (uint64_t i = 0; i < ranges && td_rd_ok(r); i++) {
		(void)td_rd_varint(r);
		(void)td_rd_varint(r);
	}
	if (ecn)
		for (int i = 0; i < 3; i++)
			(void)td_rd_varint(r);
	return td_rd_ok(r);
}

enum td_result td_quic_frames(const uint8_t *p, size_t n, const struct td_quic_frame_cb *cb,
			      struct td_quic_frame_info *info)
{
	memset(info, 0, sizeof *info);
	struct td_reader r = td_rd_make(p, n);
	while (td_rd_left(&r) > 0) {
		uint64_t type = td_rd_varint(&r);
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
			uint64_t off = td_rd_varint(&r);
			uint64_t len = td_rd_varint(&r);
			if (!td_rd_ok(&r) || len > td_rd_left(&r))
				return TD_ERR_MALFORMED;
			const uint8_t *data = td_rd_bytes(&r, (size_t)len);
			info->ack_eliciting = true;
			if (cb && cb->crypto && len > 0)
				cb->crypto(cb->ctx, off, data, (size_t)len);
			break;
		}
		case FT_NEW_TOKEN: {
			uint64_t len = td_rd_varint(&r);
			if (!td_rd_ok(&r) || len > td_rd_left(&r))
				return TD_ERR_MALFORMED;
			td_rd_skip(&r, (size_t)len);
			info->ack_eliciting = true;
			break;
		}
		case FT_CLOSE:
		case FT_CLOSE_APP: {
			struct td_quic_close cl = { .app = type == FT_CLOSE_APP };
			cl.error = td_rd_varint(&r);
			if (!cl.app)
				cl.frame_type = td_rd_varint(&r);
			uint64_t len = td_rd_varint(&r);
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
			info->handshake_done = true;
			break;
		default:
			if (!skip_other(&r, type)) {
				info->unknown_type = type;
				return TD_SKIP;
			}
			info->ack_eliciting = true;
			break;
		}
		if (!td_rd_ok(&r))
			return TD_ERR_MALFORMED;
	}
	return TD_OK;
}
