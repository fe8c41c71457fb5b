/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet.c - QUIC packet headers, packet numbers and the removal of
 * header and packet protection (RFC 9000 17, RFC 9001 5.3-5.4, RFC 9369).
 *
 * Long header (RFC 9000 17.2):
 *
 *   +-+-+-+-+-+-+-+-+
 *   |1|1|T T|X X X X|   form, fixed bit, type (v1: 0 Initial, 1 0-RTT,
 *   +-+-+-+-+-+-+-+-+   2 Handshake, 3 Retry; v2: 1, 2, 3, 0), and four
 *   |  Version (32) |   protected bits (reserved 2, packet number length 2)
 *   | DCID Len (8)  | Destination Connection ID (0..160)
 *   | SCID Len (8)  | Source Connection ID (0..160)
 *   Initial:   Token Length (i), Token, Length (i), Packet Number (8..32), Payload
 *   0-RTT, Handshake:                   Length (i), Packet Number, Payload
 *   Retry:     Retry Token, Retry Integrity Tag (128)
 *   Version 0: Version Negotiation, Supported Version (32) ...
 *
 * Short header (RFC 9000 17.3): |0|1|S|R R|K|P P|, DCID, Packet Number,
 * payload: it runs to the end of the datagram.
 *
 * Protection (RFC 9001 5.4.2): the sample is the 16 bytes that start 4
 * bytes after the packet number's start, whatever its length; the mask
 * unhides the low 4 bits of the first byte and the packet number, then
 * the AEAD opens the payload with nonce = iv XOR packet number and the
 * header (first byte to packet number, unprotected) as additional data.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "quic.h"
#include "quic_crypto.h"
#include "reader.h"

bool td_quic_version_known(uint32_t version)
{
	return version == TD_QUIC_V1 || version == TD_QUIC_V2;
}

const char *td_quic_version_name(uint32_t version)
{
	if (version == TD_QUIC_V1)
		return "QUICv1";
	if (version == TD_QUIC_V2)
		return "QUICv2";
	if ((version & 0xffffff00u) == 0xff000000u) {
		/* IETF drafts: 0xff0000NN (RFC 9000 15). */
		static const char *const drafts[] = { "draft-27", "draft-28", "draft-29",
						      "draft-30", "draft-31", "draft-32",
						      "draft-33", "draft-34" };
		unsigned n = version & 0xffu;
		if (n >= 27 && n <= 34)
			return drafts[n - 27];
	}
	if ((version & 0x0f0f0f0fu) == 0x0a0a0a0au)
		return "reserved (greasing)";
	return NULL;
}

const char *td_quic_ptype_name(enum td_quic_ptype t)
{
	switch (t) {
	case TD_QP_INITIAL: return "initial";
	case TD_QP_0RTT: return "0rtt";
	case TD_QP_HANDSHAKE: return "handshake";
	case TD_QP_RETRY: return "retry";
	case TD_QP_VERSION_NEG: return "version_negotiation";
	case TD_QP_1RTT: return "1rtt";
	case TD_QP_OTHER:
	case TD_QP_N:
		break;
	}
	return "other";
}

const char *td_quic_ptype_label(enum td_quic_ptype t)
{
	switch (t) {
	case TD_QP_INITIAL: return "Initial";
	case TD_QP_0RTT: return "0-RTT";
	case TD_QP_HANDSHAKE: return "Handshake";
	case TD_QP_RETRY: return "Retry";
	case TD_QP_VERSION_NEG: return "Version Negotiation";
	case TD_QP_1RTT: return "1-RTT";
	case TD_QP_OTHER:
	case TD_QP_N:
		break;
	}
	return "long header";
}

/* The long-header type bits to a packet type (RFC 9369 3.2 swaps them). */
static enum td_quic_ptype long_type(uint32_t version, unsigned bits)
{
	static const enum td_quic_ptype v1[4] = { TD_QP_INITIAL, TD_QP_0RTT, TD_QP_HANDSHAKE,
						  TD_QP_RETRY };
	static const enum td_quic_ptype v2[4] = { TD_QP_RETRY, TD_QP_INITIAL, TD_QP_0RTT,
						  TD_QP_HANDSHAKE };
	return version == TD_QUIC_V2 ? v2[bits & 3u] : v1[bits & 3u];
}

static bool read_cid(struct td_reader *r, struct td_quic_cid *cid, bool known)
{
	uint8_t len = td_rd_u8(r);
	/* Versions 1 and 2 cap it at 20; another version may use up to 255
	 * (RFC 8999 5.1), which is skipped. */
	if (known && len > TD_QUIC_CID_MAX) {
		td_rd_fail(r);
		return false;
	}
	const uint8_t *p = td_rd_bytes(r, len);
	if (!p)
		return false;
	cid->len = len > TD_QUIC_CID_MAX ? TD_QUIC_CID_MAX : len;
	memcpy(cid->b, p, cid->len);
	return true;
}

bool td_quic_looks_initial(const uint8_t *d, size_t n)
{
	struct td_quic_hdr h;
	if (n < 7 || (d[0] & 0xc0u) != 0xc0u)
		return false;
	if (td_quic_parse(d, n, &h) != TD_OK)
		return false;
	/* A client's first Destination Connection ID is at least 8 bytes
	 * (RFC 9000 7.2). */
	return h.type == TD_QP_INITIAL && td_quic_version_known(h.version) && h.dcid.len >= 8;
}

enum td_result td_quic_parse(const uint8_t *d, size_t n, struct td_quic_hdr *h)
{
	memset(h, 0, sizeof *h);
	struct td_reader r = td_rd_make(d, n);
	if (td_rd_left(&r) == 0)
		return TD_ERR_TRUNCATED;
	uint8_t first = td_rd_u8(&r);
	if (first == 0)
		return TD_SKIP;
	if (!(first & 0x80u)) {
		h->type = TD_QP_1RTT;
		h->size = n;
		return TD_OK;
	}
	h->version = td_rd_u32(&r);
	bool known = td_quic_version_known(h->version);
	if (!read_cid(&r, &h->dcid, known || h->version == 0) ||
	    !read_cid(&r, &h->scid, known || h->version == 0))
		return TD_ERR_TRUNCATED;
	if (h->version == 0) {
		h->type = TD_QP_VERSION_NEG;
		h->versions = r.p;
		h->n_versions = td_rd_left(&r) / 4;
		h->size = n;
		return TD_OK;
	}
	if (!known) {
		h->type = TD_QP_OTHER;
		h->size = n;
		return TD_OK;
	}
	h->type = long_type(h->version, (first >> 4) & 3u);
	if (h->type == TD_QP_RETRY) {
		size_t rest = td_rd_left(&r);
		if (rest < TD_QUIC_TAG_LEN)
			return TD_ERR_TRUNCATED;
		h->token = r.p;
		h->token_len = rest - TD_QUIC_TAG_LEN;
		h->size = n;
		return TD_OK;
	}
	if (h->type == TD_QP_INITIAL) {
		uint64_t tlen = td_rd_varint(&r);
		if (tlen > td_rd_left(&r))
			return TD_ERR_TRUNCATED;
		h->token_len = (size_t)tlen;
		h->token = td_rd_bytes(&r, h->token_len);
	}
	uint64_t len = td_rd_varint(&r);
	if (!td_rd_ok(&r))
		return TD_ERR_TRUNCATED;
	h->pn_offset = n - td_rd_left(&r);
	if (len > td_rd_left(&r))
		return TD_ERR_TRUNCATED;
	/* The packet number and an AEAD tag at least. */
	if (len < 1 + TD_QUIC_TAG_LEN)
		return TD_ERR_MALFORMED;
	h->size = h->pn_offset + (size_t)len;
	return TD_OK;
}

uint64_t td_quic_pn_decode(uint64_t largest, uint64_t truncated, unsigned nbits)
{
	if (nbits == 0 || nbits > 32)
		return truncated;
	uint64_t expected = largest == UINT64_MAX ? 0 : largest + 1;
	uint64_t win = (uint64_t)1 << nbits;
	uint64_t hwin = win / 2;
	uint64_t mask = win - 1;
	uint64_t candidate = (expected & ~mask) | truncated;
	/* RFC 9000 A.3, written without signed arithmetic. */
	if (expected >= hwin && candidate <= expected - hwin && candidate < ((uint64_t)1 << 62) - win)
		return candidate + win;
	if (candidate > expected + hwin && candidate >= win)
		return candidate - win;
	return candidate;
}

/* Header protection off (first byte masked with first_mask), then the
 * AEAD with the keys of the key phase bit (by_phase[phase bit]; both the
 * same for long headers).  The header protection key never changes with
 * a key update (RFC 9001 6), so by_phase[0]'s is used for both. */
static enum td_result unprotect(const struct td_quic_keys *const by_phase[2], uint8_t first_mask,
				const uint8_t *pkt, size_t pn_offset, size_t size,
				uint64_t largest, uint8_t *out, size_t *out_len, uint64_t *pn,
				unsigned *phase)
{
	const struct td_quic_keys *hk = by_phase[0];
	if (pn_offset + 4 + TD_QUIC_HP_SAMPLE > size)
		return TD_ERR_MALFORMED;
	uint8_t mask[TD_QUIC_HP_MASK];
	if (td_quic_hp_mask(hk->aead, hk->hp, hk->aead == TD_AEAD_CHACHA20_POLY1305 ? 32
										   : hk->key_len,
			    pkt + pn_offset + 4, mask) != TD_OK)
		return TD_ERR_UNSUPPORTED;

	/* The header, unprotected, is the additional data: copy it to out
	 * (which is as long as the packet) and unmask it there. */
	memcpy(out, pkt, pn_offset + 4);
	out[0] ^= mask[0] & first_mask;
	size_t pn_len = (size_t)(out[0] & 3u) + 1;
	uint64_t truncated = 0;
	for (size_t i = 0; i < pn_len; i++) {
		out[pn_offset + i] ^= mask[1 + i];
		truncated = truncated << 8 | out[pn_offset + i];
	}
	size_t hdr_len = pn_offset + pn_len;
	if (hdr_len + TD_QUIC_TAG_LEN > size)
		return TD_ERR_MALFORMED;
	*pn = td_quic_pn_decode(largest, truncated, (unsigned)(pn_len * 8));
	/* The key phase bit: 0x04 of a short header's first byte. */
	*phase = first_mask == 0x1fu ? (out[0] >> 2) & 1u : 0;
	const struct td_quic_keys *k = by_phase[*phase];
	if (!k->set)
		return TD_ERR_MALFORMED;

	uint8_t nonce[TD_TLS13_IV_LEN];
	memcpy(nonce, k->iv, sizeof nonce);
	for (size_t i = 0; i < 8; i++)
		nonce[TD_TLS13_IV_LEN - 1 - i] ^= (uint8_t)(*pn >> (8 * i));
	size_t ct_len = size - hdr_len - TD_QUIC_TAG_LEN;
	/* The additional data stays at the start of out; the plaintext goes
	 * after it: out holds size bytes and hdr_len + ct_len < size. */
	uint8_t *plain = out + hdr_len;
	static const uint8_t empty[1];
	enum td_result rc = td_aead_open(k->aead, k->key, k->key_len, nonce, out, hdr_len,
					 ct_len ? pkt + hdr_len : empty, ct_len,
					 pkt + hdr_len + ct_len, TD_QUIC_TAG_LEN,
					 ct_len ? plain : out + hdr_len);
	if (rc != TD_OK) {
		memset(out, 0, size);
		return TD_ERR_MALFORMED;
	}
	/* Move the payload to the start of out for the caller. */
	memmove(out, plain, ct_len);
	*out_len = ct_len;
	return TD_OK;
}

enum td_result td_quic_unprotect(const struct td_quic_keys *k, const uint8_t *pkt,
				 const struct td_quic_hdr *h, uint64_t largest, uint8_t *out,
				 size_t *out_len, uint64_t *pn)
{
	*out_len = 0;
	*pn = 0;
	if (!k->set || !(h->type == TD_QP_INITIAL || h->type == TD_QP_0RTT ||
			 h->type == TD_QP_HANDSHAKE))
		return TD_ERR_USAGE;
	const struct td_quic_keys *const both[2] = { k, k };
	unsigned phase = 0;
	return unprotect(both, 0x0fu, pkt, h->pn_offset, h->size, largest, out, out_len, pn,
			 &phase);
}

enum td_result td_quic_unprotect_short(const struct td_quic_keys *const by_phase[2],
				       const uint8_t *pkt, size_t len, size_t dcid_len,
				       uint64_t largest, uint8_t *out, size_t *out_len,
				       uint64_t *pn, unsigned *phase)
{
	*out_len = 0;
	*pn = 0;
	*phase = 0;
	if (!by_phase[0]->set || len == 0 || (pkt[0] & 0x80u))
		return TD_ERR_USAGE;
	return unprotect(by_phase, 0x1fu, pkt, 1 + dcid_len, len, largest, out, out_len, pn,
			 phase);
}
