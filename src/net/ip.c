/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ip.c - IPv4 (RFC 791 section 3.1) and IPv6 (RFC 8200 sections 3-4)
 * down to the TCP header.
 *
 * IPv4:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   |         Identification        |Flags|      Fragment Offset    |
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 *   |                    Options (IHL > 5)                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IPv6 fixed header (40 bytes), then a chain of extension headers:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version| Traffic Class |           Flow Label                  |
 *   |         Payload Length        |  Next Header  |   Hop Limit   |
 *   |                   Source Address (16)                         |
 *   |                Destination Address (16)                       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   generic extension header (hop-by-hop 0, routing 43, destination
 *   options 60; RFC 6564 format for 135, 139, 140, 253, 254):
 *   | Next Header | Hdr Ext Len (8-octet units, not counting the first) | ...
 *   fragment (44): | Next | Reserved | Offset(13) Res(2) M(1) | Ident(32) |
 *   AH (51, RFC 4302): | Next | Payload Len (4-octet units, minus 2) | ...
 *
 * Lengths: the IP header says how long the packet is; bytes after that
 * in the frame are link padding (Ethernet pads to 60 bytes) and are not
 * TCP payload.  The frame may also have been cut by the snaplen: the
 * difference between what the IP lengths promise and what was captured
 * becomes td_segment.missing in tcp.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "packet.h"
#include "reader.h"

enum {
	IPV4_MIN_HDR = 20,
	IPV6_HDR = 40,
	IPV4_MF = 0x2000,
	IPV4_OFFSET_MASK = 0x1fff,
	IPV6_FRAG_OFFSET_MASK = 0xfff8,
	IPV6_FRAG_M = 0x0001,
	IPV6_FRAG_HDR = 8,
	PROTO_HOPOPTS = 0,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	PROTO_ROUTING = 43,
	PROTO_FRAGMENT = 44,
	PROTO_ESP = 50,
	PROTO_AH = 51,
	PROTO_NONE = 59,
	PROTO_DSTOPTS = 60,
	PROTO_MOBILITY = 135,
	PROTO_HIP = 139,
	PROTO_SHIM6 = 140,
	PROTO_EXP1 = 253,
	PROTO_EXP2 = 254
};

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * The IP length of a packet whose header claims `claimed` bytes:
 * 0 means "not filled in" (TCP segmentation offload on the capturing
 * host, IPv6 jumbograms), so the wire length is all we know.  A claim
 * longer than the wire is believed only as far as the wire goes.
 */
static size_t ip_length(size_t claimed, size_t wire_left)
{
	if (claimed == 0)
		return wire_left;
	return min_size(claimed, wire_left);
}

/* Hand the TCP part to tcp.c: r holds exactly the captured bytes of the
 * IP payload, wire is how many of them the IP lengths promise. */
static enum td_result to_tcp(struct td_reader *r, size_t wire, uint8_t proto,
			    struct td_segment *seg)
{
	size_t cap = td_rd_left(r);
	const uint8_t *p = td_rd_bytes(r, cap);
	return proto == PROTO_UDP ? td_udp_decode(p, cap, wire, seg)
				  : td_tcp_decode(p, cap, wire, seg);
}

static enum td_result ipv4(struct td_reader *r, size_t wire_left, struct td_segment *seg)
{
	size_t caplen = td_rd_left(r);
	uint8_t vihl = td_rd_u8(r);
	td_rd_skip(r, 1);  /* type of service */
	uint16_t total = td_rd_u16(r);
	td_rd_skip(r, 2);  /* identification */
	uint16_t frag = td_rd_u16(r);
	td_rd_skip(r, 1);  /* time to live */
	uint8_t proto = td_rd_u8(r);
	td_rd_skip(r, 2);  /* header checksum: not ours to judge */
	const uint8_t *src = td_rd_bytes(r, 4);
	const uint8_t *dst = td_rd_bytes(r, 4);
	if (!td_rd_ok(r) || !src || !dst)
		return TD_ERR_TRUNCATED;

	seg->src.family = 4;
	memcpy(seg->src.b, src, 4);
	seg->dst.family = 4;
	memcpy(seg->dst.b, dst, 4);

	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	if (ihl < IPV4_MIN_HDR)
		return TD_ERR_MALFORMED;
	size_t ip_len = ip_length(total, wire_left);
	if (ihl > ip_len)
		return TD_ERR_MALFORMED;
	/* Only a whole datagram is a whole TCP segment: the first fragment
	 * lacks the rest and later ones lack the TCP header. */
	if ((frag & IPV4_MF) || (frag & IPV4_OFFSET_MASK))
		return TD_SKIP;
	if (proto != PROTO_TCP && proto != PROTO_UDP)
		return TD_SKIP;

	/* Captured bytes of this datagram: not the link padding after it. */
	size_t cap_ip = min_size(caplen, ip_len);
	struct td_reader body = td_rd_sub(r, cap_ip - IPV4_MIN_HDR);
	td_rd_skip(&body, ihl - IPV4_MIN_HDR);  /* options */
	if (!td_rd_ok(&body))
		return TD_ERR_TRUNCATED;
	return to_tcp(&body, ip_len - ihl, proto, seg);
}

static bool ipv6_generic_ext(uint8_t nh)
{
	return nh == PROTO_HOPOPTS || nh == PROTO_ROUTING || nh == PROTO_DSTOPTS ||
	       nh == PROTO_MOBILITY || nh == PROTO_HIP || nh == PROTO_SHIM6 ||
	       nh == PROTO_EXP1 || nh == PROTO_EXP2;
}

static enum td_result ipv6(struct td_reader *r, size_t wire_left, struct td_segment *seg)
{
	size_t caplen = td_rd_left(r);
	td_rd_skip(r, 4);  /* version, traffic class, flow label */
	uint16_t plen = td_rd_u16(r);
	uint8_t nh = td_rd_u8(r);
	td_rd_skip(r, 1);  /* hop limit */
	const uint8_t *src = td_rd_bytes(r, 16);
	const uint8_t *dst = td_rd_bytes(r, 16);
	if (!td_rd_ok(r) || !src || !dst)
		return TD_ERR_TRUNCATED;

	seg->src.family = 6;
	memcpy(seg->src.b, src, 16);
	seg->dst.family = 6;
	memcpy(seg->dst.b, dst, 16);

	/* plen 0 is a jumbogram (RFC 2675) or an offloaded packet. */
	size_t ip_len = plen ? min_size(IPV6_HDR + (size_t)plen, wire_left) : wire_left;
	if (ip_len < IPV6_HDR)
		return TD_ERR_MALFORMED;
	size_t wire = ip_len - IPV6_HDR;  /* payload bytes the lengths promise */
	struct td_reader body = td_rd_sub(r, min_size(caplen, ip_len) - IPV6_HDR);

	/* Each extension header is at least 8 bytes of the packet, so the
	 * walk ends within ip_len / 8 steps. */
	for (;;) {
		size_t hlen;
		if (nh == PROTO_TCP || nh == PROTO_UDP)
			return to_tcp(&body, wire, nh, seg);
		if (ipv6_generic_ext(nh) || nh == PROTO_AH) {
			if (wire < 2)
				return TD_ERR_MALFORMED;
			uint8_t next = td_rd_peek(&body, 0);
			uint8_t len = td_rd_peek(&body, 1);
			if (td_rd_left(&body) < 2)
				return TD_ERR_TRUNCATED;
			hlen = nh == PROTO_AH ? ((size_t)len + 2) * 4 : ((size_t)len + 1) * 8;
			if (hlen > wire)
				return TD_ERR_MALFORMED;
			td_rd_skip(&body, hlen);
			nh = next;
		} else if (nh == PROTO_FRAGMENT) {
			if (wire < IPV6_FRAG_HDR)
				return TD_ERR_MALFORMED;
			uint8_t next = td_rd_u8(&body);
			td_rd_skip(&body, 1);  /* reserved */
			uint16_t offm = td_rd_u16(&body);
			td_rd_skip(&body, 4);  /* identification */
			if (!td_rd_ok(&body))
				return TD_ERR_TRUNCATED;
			/* An atomic fragment (offset 0, M 0; RFC 6946) is whole. */
			if ((offm & IPV6_FRAG_OFFSET_MASK) || (offm & IPV6_FRAG_M))
				return TD_SKIP;
			hlen = IPV6_FRAG_HDR;
			nh = next;
		} else {
			/* ESP (encrypted), No Next Header, UDP, ICMPv6... */
			return TD_SKIP;
		}
		if (!td_rd_ok(&body))
			return TD_ERR_TRUNCATED;
		wire -= hlen;
	}
}

enum td_result td_ip_decode(const uint8_t *data, size_t caplen, size_t wire_left,
			    struct td_segment *seg)
{
	struct td_reader r = td_rd_make(data, caplen);
	if (td_rd_left(&r) == 0)
		return TD_ERR_TRUNCATED;
	if (wire_left < caplen)
		wire_left = caplen;
	switch (td_rd_peek(&r, 0) >> 4) {
	case 4:
		return ipv4(&r, wire_left, seg);
	case 6:
		return ipv6(&r, wire_left, seg);
	default:
		return TD_ERR_MALFORMED;
	}
}

void td_addr_format(char *out, size_t outlen, const struct td_addr *a, uint16_t port)
{
	char ip[INET6_ADDRSTRLEN];

	if (outlen == 0)
		return;
	if (a->family == 4) {
		/* "255.255.255.255:65535" by hand (two per JSON line), then
		 * cut to outlen as snprintf would. */
		char tmp[24];
		char *p = tmp;
		for (int i = 0; i < 4; i++) {
			unsigned v = a->b[i];
			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = i < 3 ? '.' : ':';
		}
		char digits[5];
		int n = 0;
		unsigned v = port;
		do {
			digits[n++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (n > 0)
			*p++ = digits[--n];
		size_t len = (size_t)(p - tmp);
		if (len > outlen - 1)
			len = outlen - 1;
		memcpy(out, tmp, len);
		out[len] = '\0';
		return;
	}
	if (a->family == 6 && inet_ntop(AF_INET6, a->b, ip, sizeof ip))
		snprintf(out, outlen, "[%s]:%u", ip, (unsigned)port);
	else
		snprintf(out, outlen, "?:%u", (unsigned)port);
}
