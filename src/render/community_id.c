/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * community_id.c - the Community ID v1 flow hash and base64 (render.h).
 *
 * The hashed bytes (community-id-spec, "Pseudo code"), 32-bit aligned:
 *
 *   +--------+-------------+-------------+-------+-----+--------+--------+
 *   | seed 2 | addr 4 / 16 | addr 4 / 16 | proto | 0   | port 2 | port 2 |
 *   +--------+-------------+-------------+-------+-----+--------+--------+
 *
 * the smaller address first (the ports decide between equal addresses),
 * each port staying with its address.  Log stores join tlsdiag's records
 * with Zeek's and Suricata's on it, so it must be bit for bit theirs:
 * the unit tests hold the specification's baseline vectors, and
 * tests/e2e/community-id.py tshark's values for the captures.
 */
#include "config.h"

#include <string.h>

#include "filehash.h"
#include "render.h"

enum { SHA1_LEN = 20 };

/* Is (a, ap) before (b, bp)?  Addresses compare as unsigned bytes in
 * network order, which is their numeric order. */
static bool endpoint_before(const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp,
			    size_t alen)
{
	int d = memcmp(a, b, alen);
	return d < 0 || (d == 0 && ap < bp);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

enum td_result td_community_id(char out[TD_COMMUNITY_ID_SIZE], const struct td_addr *a,
			       uint16_t aport, const struct td_addr *b, uint16_t bport,
			       uint8_t proto, uint16_t seed)
{
	out[0] = '\0';
	if (a->family != b->family || (a->family != 4 && a->family != 6))
		return TD_ERR_USAGE;
	size_t alen = a->family == 4 ? 4 : 16;
	const uint8_t *lo = a->b, *hi = b->b;
	uint16_t lop = aport, hip = bport;
	if (!endpoint_before(a->b, aport, b->b, bport, alen)) {
		lo = b->b;
		hi = a->b;
		lop = bport;
		hip = aport;
	}
	uint8_t in[2 + 16 + 16 + 2 + 4];
	size_t n = 0;
	put16(in, seed);
	n += 2;
	memcpy(in + n, lo, alen);
	n += alen;
	memcpy(in + n, hi, alen);
	n += alen;
	in[n++] = proto;
	in[n++] = 0;
	put16(in + n, lop);
	n += 2;
	put16(in + n, hip);
	n += 2;

	uint8_t digest[SHA1_LEN];
	enum td_result r = td_sha1(in, n, digest);
	if (r != TD_OK)
		return r;
	memcpy(out, "1:", 2);
	/* 2 + TD_BASE64_SIZE(20) == TD_COMMUNITY_ID_SIZE: it always fits. */
	if (td_out_base64(out + 2, TD_COMMUNITY_ID_SIZE - 2, digest, sizeof digest) == 0) {
		out[0] = '\0';
		return TD_ERR_USAGE;
	}
	return TD_OK;
}

enum td_result td_out_community_id(char out[TD_COMMUNITY_ID_SIZE], const struct td_conn *c)
{
	/* IANA protocol numbers: QUIC runs over UDP (17), the rest over TCP (6). */
	uint8_t proto = c->quic.present ? TD_PROTO_UDP : TD_PROTO_TCP;
	return td_community_id(out, &c->client_addr, c->client_port, &c->server_addr,
			       c->server_port, proto, 0);
}

size_t td_out_base64(char *out, size_t len, const uint8_t *in, size_t n)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	if (n > (SIZE_MAX - 1) / 4 * 3 - 2 || len < TD_BASE64_SIZE(n)) {
		if (len > 0)
			out[0] = '\0';
		return 0;
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		size_t k = n - i < 3 ? n - i : 3;
		uint32_t v = (uint32_t)in[i] << 16;
		if (k > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (k > 2)
			v |= in[i + 2];
		out[o++] = digits[(v >> 18) & 63];
		out[o++] = digits[(v >> 12) & 63];
		out[o++] = k > 1 ? digits[(v >> 6) & 63] : '=';
		out[o++] = k > 2 ? digits[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}
