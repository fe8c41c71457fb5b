/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_packet.c - td_packet_decode(): link layers, IPv4, IPv6 and its
 * extension headers, TCP; truncation sweeps over every prefix.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "packet.h"
#include "tests.h"

static const uint8_t PAYLOAD[] = "\x16\x03\x01\x00\x05hello TLS";  /* 14 bytes + NUL */

/* Build, decode, and check every field of the segment. */
static void check_roundtrip(const struct td_frame_spec *s)
{
	static uint8_t buf[TD_FRAME_MAX];
	size_t n = td_frame_build(buf, sizeof buf, s);
	CU_ASSERT_FATAL(n > 0);
	struct td_segment seg;
	CU_ASSERT_EQUAL_FATAL(td_packet_decode(s->link, 123456789, buf, n, n, &seg), TD_OK);

	struct td_addr src, dst;
	CU_ASSERT_FATAL(td_frame_addr(&src, s->src) && td_frame_addr(&dst, s->dst));
	CU_ASSERT_EQUAL(seg.ts_us, 123456789);
	CU_ASSERT_EQUAL(seg.src.family, src.family);
	CU_ASSERT_EQUAL(seg.dst.family, dst.family);
	CU_ASSERT(memcmp(seg.src.b, src.b, 16) == 0);
	CU_ASSERT(memcmp(seg.dst.b, dst.b, 16) == 0);
	CU_ASSERT_EQUAL(seg.sport, s->sport);
	CU_ASSERT_EQUAL(seg.dport, s->dport);
	CU_ASSERT_EQUAL(seg.seq, s->seq);
	CU_ASSERT_EQUAL(seg.ack, s->ack);
	CU_ASSERT_EQUAL(seg.flags, s->flags);
	CU_ASSERT_EQUAL(seg.len, s->payload_len);
	CU_ASSERT_EQUAL(seg.missing, 0);
	if (s->payload_len) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(seg.payload);
		CU_ASSERT(memcmp(seg.payload, s->payload, s->payload_len) == 0);
	}
	/* The payload starts where the builder says the headers end. */
	CU_ASSERT_EQUAL(td_frame_header_len(s) + s->payload_len + s->trailer_len, n);
}

static void spec4(struct td_frame_spec *s, enum td_link link)
{
	td_frame_spec_init(s, link, "192.0.2.10", 51000, "198.51.100.7", 443);
	s->seq = 0x89abcdef;
	s->ack = 0x01020304;
	s->payload = PAYLOAD;
	s->payload_len = sizeof PAYLOAD - 1;
}

static void spec6(struct td_frame_spec *s, enum td_link link)
{
	td_frame_spec_init(s, link, "2001:db8::1", 51001, "2001:db8:ffff::abcd", 8443);
	s->seq = 0xfffffff0;
	s->ack = 7;
	s->flags = TD_TCP_ACK | TD_TCP_PSH | TD_TCP_FIN;
	s->payload = PAYLOAD;
	s->payload_len = sizeof PAYLOAD - 1;
}

static void test_links(void)
{
	static const enum td_link links[] = {
		TD_LINK_ETHERNET, TD_LINK_SLL, TD_LINK_SLL2, TD_LINK_NULL, TD_LINK_LOOP,
		TD_LINK_RAW, TD_LINK_PPP
	};
	struct td_frame_spec s;
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		spec4(&s, links[i]);
		check_roundtrip(&s);
		spec6(&s, links[i]);
		check_roundtrip(&s);
	}
	spec4(&s, TD_LINK_IPV4);
	check_roundtrip(&s);
	spec6(&s, TD_LINK_IPV6);
	check_roundtrip(&s);
	/* PPP without HDLC framing, protocol field compressed (RFC 1661 6.5, 6.6). */
	spec4(&s, TD_LINK_PPP);
	s.ppp_short = true;
	check_roundtrip(&s);
	spec6(&s, TD_LINK_PPP);
	s.ppp_short = true;
	check_roundtrip(&s);
}

/* PPP: a control protocol (LCP 0xc021) is skipped; a header cut in its
 * protocol field is truncated; IPv4 said, IPv6 carried is malformed. */
static void test_ppp(void)
{
	static uint8_t buf[TD_FRAME_MAX];
	struct td_frame_spec s;
	struct td_segment seg;
	spec4(&s, TD_LINK_PPP);
	s.ppp_proto = 0xc021;
	size_t n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_PPP, 0, buf, n, n, &seg), TD_SKIP);
	static const uint8_t cut[3] = { 0xff, 0x03, 0x00 };
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_PPP, 0, cut, sizeof cut, sizeof cut, &seg),
			TD_ERR_TRUNCATED);
	spec6(&s, TD_LINK_PPP);
	s.ppp_proto = 0x0021;
	n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_PPP, 0, buf, n, n, &seg), TD_ERR_MALFORMED);
	CU_ASSERT_STRING_EQUAL(td_link_name(TD_LINK_PPP), "PPP");
}

static void test_vlan(void)
{
	struct td_frame_spec s;
	spec4(&s, TD_LINK_ETHERNET);
	s.vlan_count = 1;
	s.vlan_id[0] = 100;
	check_roundtrip(&s);

	/* QinQ: 802.1ad outer, 802.1Q inner. */
	spec6(&s, TD_LINK_ETHERNET);
	s.vlan_count = 2;
	s.vlan_tpid[0] = 0x88a8;
	s.vlan_tpid[1] = 0x8100;
	s.vlan_id[0] = 10;
	s.vlan_id[1] = 20;
	check_roundtrip(&s);

	/* Three tags including the pre-standard 0x9100. */
	spec4(&s, TD_LINK_ETHERNET);
	s.vlan_count = 3;
	s.vlan_tpid[0] = 0x9100;
	s.vlan_tpid[1] = 0x88a8;
	s.vlan_tpid[2] = 0x8100;
	check_roundtrip(&s);

	/* Cisco MetaData (SGT) between VLAN tags, spliced in by hand. */
	static uint8_t plain[TD_FRAME_MAX], cmd[TD_FRAME_MAX];
	spec4(&s, TD_LINK_ETHERNET);
	s.vlan_count = 1;
	s.vlan_id[0] = 5;
	size_t n = td_frame_build(plain, sizeof plain, &s);
	static const uint8_t md[8] = { 0x89, 0x09, 0x01, 0x01, 0x00, 0x01, 0x00, 0x02 };
	memcpy(cmd, plain, 16);       /* MACs and the 802.1Q tag */
	memcpy(cmd + 16, md, 8);      /* ...whose inner type is now CMD */
	memcpy(cmd + 24, plain + 16, n - 16);
	struct td_segment seg;
	CU_ASSERT_EQUAL_FATAL(td_packet_decode(TD_LINK_ETHERNET, 0, cmd, n + 8, n + 8, &seg), TD_OK);
	CU_ASSERT_EQUAL(seg.seq, s.seq);
	CU_ASSERT_EQUAL(seg.len, s.payload_len);
	CU_ASSERT(memcmp(seg.payload, PAYLOAD, seg.len) == 0);
	for (size_t cut = 0; cut < 24 + 40; cut++)
		CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_ETHERNET, 0, cmd, cut, n + 8, &seg),
				TD_ERR_TRUNCATED);

	/* Tags after a cooked header. */
	spec4(&s, TD_LINK_SLL2);
	s.vlan_count = 1;
	check_roundtrip(&s);
	spec6(&s, TD_LINK_SLL);
	s.vlan_count = 2;
	check_roundtrip(&s);
}

static void test_bsd_af(void)
{
	static const uint32_t v6[] = { 24, 28, 30 };
	struct td_frame_spec s;
	for (int be = 0; be <= 1; be++) {
		spec4(&s, TD_LINK_NULL);
		s.null_big_endian = be;
		check_roundtrip(&s);
		for (size_t i = 0; i < 3; i++) {
			spec6(&s, TD_LINK_NULL);
			s.null_big_endian = be;
			s.bsd_af = v6[i];
			check_roundtrip(&s);
		}
	}
	for (size_t i = 0; i < 3; i++) {
		spec6(&s, TD_LINK_LOOP);
		s.bsd_af = v6[i];
		check_roundtrip(&s);
	}

	/* An AF that is not IP is skipped. */
	uint8_t buf[TD_FRAME_MAX];
	struct td_segment seg;
	spec4(&s, TD_LINK_NULL);
	s.bsd_af = 7;
	size_t n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_NULL, 0, buf, n, n, &seg), TD_SKIP);
	/* LOOP is network order only: a little-endian 2 is not AF_INET. */
	spec4(&s, TD_LINK_LOOP);
	s.bsd_af = 0x02000000;
	n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_LOOP, 0, buf, n, n, &seg), TD_SKIP);
}

static void test_ipv6_ext(void)
{
	struct td_frame_spec s;
	spec6(&s, TD_LINK_ETHERNET);
	s.v6_ext_count = 3;
	s.v6_ext[0] = 0;   /* hop-by-hop */
	s.v6_ext[1] = 60;  /* destination options */
	s.v6_ext[2] = 43;  /* routing */
	check_roundtrip(&s);

	/* All of them, with an atomic fragment and AH. */
	s.v6_ext_count = 6;
	s.v6_ext[3] = 44;
	s.v6_ext[4] = 51;
	s.v6_ext[5] = 60;
	s.v6_frag = 0;
	check_roundtrip(&s);

	uint8_t buf[TD_FRAME_MAX];
	struct td_segment seg;
	size_t n;
	/* A real fragment: first (M=1) and later (offset 185*8). */
	static const uint16_t frags[] = { 0x0001, 185 << 3, (185 << 3) | 1 };
	for (size_t i = 0; i < 3; i++) {
		spec6(&s, TD_LINK_RAW);
		s.v6_ext_count = 2;
		s.v6_ext[0] = 0;
		s.v6_ext[1] = 44;
		s.v6_frag = frags[i];
		n = td_frame_build(buf, sizeof buf, &s);
		CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_RAW, 0, buf, n, n, &seg), TD_SKIP);
	}
	/* ESP and No Next Header. */
	static const uint8_t stop[] = { 50, 59 };
	for (size_t i = 0; i < 2; i++) {
		spec6(&s, TD_LINK_IPV6);
		s.v6_ext_count = 1;
		s.v6_ext[0] = stop[i];
		n = td_frame_build(buf, sizeof buf, &s);
		CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_IPV6, 0, buf, n, n, &seg), TD_SKIP);
	}
	/* An extension header longer than the payload length says. */
	spec6(&s, TD_LINK_RAW);
	s.v6_ext_count = 1;
	s.v6_ext[0] = 60;
	n = td_frame_build(buf, sizeof buf, &s);
	buf[41] = 200;  /* Hdr Ext Len: 201 * 8 bytes */
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_RAW, 0, buf, n, n, &seg), TD_ERR_MALFORMED);
}

static void test_ipv4(void)
{
	uint8_t buf[TD_FRAME_MAX];
	struct td_segment seg;
	struct td_frame_spec s;
	size_t n;

	/* Options are skipped. */
	spec4(&s, TD_LINK_ETHERNET);
	s.ipv4_opt_len = 12;
	s.tcp_opt_len = 20;
	check_roundtrip(&s);

	/* DF alone is fine; MF or an offset means a fragment. */
	spec4(&s, TD_LINK_RAW);
	s.ipv4_frag = 0x4000;
	check_roundtrip(&s);
	static const uint16_t frags[] = { 0x2000, 0x0001, 0x20b9, 0x4000 | 0x2000 };
	for (size_t i = 0; i < 4; i++) {
		s.ipv4_frag = frags[i];
		n = td_frame_build(buf, sizeof buf, &s);
		CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_RAW, 0, buf, n, n, &seg), TD_SKIP);
	}

	/* UDP is decoded (for QUIC), ICMP is not ours. */
	spec4(&s, TD_LINK_ETHERNET);
	s.ip_proto = 17;
	n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_ETHERNET, 0, buf, n, n, &seg), TD_OK);
	CU_ASSERT_EQUAL(seg.proto, TD_PROTO_UDP);
	s.ip_proto = 1;
	n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_ETHERNET, 0, buf, n, n, &seg), TD_SKIP);

	/* IHL below 5, and a total length shorter than the header. */
	spec4(&s, TD_LINK_RAW);
	n = td_frame_build(buf, sizeof buf, &s);
	buf[0] = 0x44;
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_RAW, 0, buf, n, n, &seg), TD_ERR_MALFORMED);
	s.ipv4_total_override = 19;
	n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_RAW, 0, buf, n, n, &seg), TD_ERR_MALFORMED);

	/* Total length 0 (TSO on the capturing host): the wire length rules. */
	s.ipv4_total_override = 0;
	n = td_frame_build(buf, sizeof buf, &s);
	buf[2] = buf[3] = 0;
	CU_ASSERT_EQUAL_FATAL(td_packet_decode(TD_LINK_RAW, 0, buf, n, n, &seg), TD_OK);
	CU_ASSERT_EQUAL(seg.len, s.payload_len);

	/* A version nibble the link layer did not announce. */
	spec6(&s, TD_LINK_ETHERNET);
	s.ethertype = 0x0800;
	n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_ETHERNET, 0, buf, n, n, &seg), TD_ERR_MALFORMED);
	spec6(&s, TD_LINK_IPV4);
	n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_IPV4, 0, buf, n, n, &seg), TD_ERR_MALFORMED);
	/* Raw link with a version that is not IP. */
	spec4(&s, TD_LINK_RAW);
	n = td_frame_build(buf, sizeof buf, &s);
	buf[0] = 0x55;
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_RAW, 0, buf, n, n, &seg), TD_SKIP);
	/* And a version 5 handed straight to td_ip_decode(). */
	CU_ASSERT_EQUAL(td_ip_decode(buf, n, n, &seg), TD_ERR_MALFORMED);
}

static void test_non_ip(void)
{
	uint8_t buf[TD_FRAME_MAX];
	struct td_segment seg;
	struct td_frame_spec s;
	static const uint16_t types[] = { 0x0806 /* ARP */, 0x0030 /* 802.3 length: LLC */,
					  0x8847 /* MPLS */, 0x88cc /* LLDP */ };
	static const enum td_link links[] = { TD_LINK_ETHERNET, TD_LINK_SLL, TD_LINK_SLL2 };
	for (size_t l = 0; l < 3; l++) {
		for (size_t i = 0; i < 4; i++) {
			spec4(&s, links[l]);
			s.ethertype = types[i];
			s.vlan_count = i & 1;  /* also behind a tag */
			size_t n = td_frame_build(buf, sizeof buf, &s);
			CU_ASSERT_EQUAL(td_packet_decode(links[l], 0, buf, n, n, &seg), TD_SKIP);
		}
	}
}

static void test_padding(void)
{
	static const uint8_t three[] = { 'a', 'b', 'c' };
	struct td_frame_spec s;
	uint8_t buf[TD_FRAME_MAX];
	struct td_segment seg;

	/* 14 + 20 + 20 + 3 = 57 bytes, padded to 60 plus a 4-byte FCS. */
	spec4(&s, TD_LINK_ETHERNET);
	s.payload = three;
	s.payload_len = 3;
	s.trailer_len = 7;
	check_roundtrip(&s);
	size_t n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL(n, 64);
	CU_ASSERT_EQUAL_FATAL(td_packet_decode(TD_LINK_ETHERNET, 0, buf, n, n, &seg), TD_OK);
	CU_ASSERT_EQUAL(seg.len, 3);
	CU_ASSERT_EQUAL(seg.missing, 0);

	/* A pure ACK padded to 60 bytes carries no payload. */
	s.payload_len = 0;
	s.trailer_len = 6;
	n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL_FATAL(td_packet_decode(TD_LINK_ETHERNET, 0, buf, n, n, &seg), TD_OK);
	CU_ASSERT_EQUAL(seg.len, 0);
	CU_ASSERT_PTR_NULL(seg.payload);

	/* IPv6 too. */
	spec6(&s, TD_LINK_ETHERNET);
	s.payload = three;
	s.payload_len = 3;
	s.trailer_len = 4;
	check_roundtrip(&s);
}

static void test_tcp(void)
{
	uint8_t buf[TD_FRAME_MAX];
	struct td_segment seg;
	struct td_frame_spec s;

	spec4(&s, TD_LINK_RAW);
	s.tcp_opt_len = 40;
	s.flags = TD_TCP_SYN;
	check_roundtrip(&s);

	/* Data offset below 5, and beyond the segment. */
	s.tcp_opt_len = 0;
	s.tcp_doff_override = 4;
	size_t n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_RAW, 0, buf, n, n, &seg), TD_ERR_MALFORMED);
	s.payload_len = 0;
	s.tcp_doff_override = 6;
	n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_RAW, 0, buf, n, n, &seg), TD_ERR_MALFORMED);
}

/* A snaplen cut: the captured payload and what the IP length promised. */
static void test_snaplen(void)
{
	static uint8_t big[1000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 7);
	struct td_frame_spec s;
	uint8_t buf[TD_FRAME_MAX];
	struct td_segment seg;

	spec6(&s, TD_LINK_SLL2);
	s.v6_ext_count = 1;
	s.v6_ext[0] = 0;
	s.payload = big;
	s.payload_len = sizeof big;
	size_t n = td_frame_build(buf, sizeof buf, &s);
	size_t hdr = td_frame_header_len(&s);
	CU_ASSERT_EQUAL_FATAL(td_packet_decode(TD_LINK_SLL2, 0, buf, hdr + 300, n, &seg), TD_OK);
	CU_ASSERT_EQUAL(seg.len, 300);
	CU_ASSERT_EQUAL(seg.missing, 700);
	CU_ASSERT(memcmp(seg.payload, big, 300) == 0);

	spec4(&s, TD_LINK_ETHERNET);
	s.payload = big;
	s.payload_len = sizeof big;
	n = td_frame_build(buf, sizeof buf, &s);
	hdr = td_frame_header_len(&s);
	CU_ASSERT_EQUAL_FATAL(td_packet_decode(TD_LINK_ETHERNET, 0, buf, hdr, n, &seg), TD_OK);
	CU_ASSERT_EQUAL(seg.len, 0);
	CU_ASSERT_EQUAL(seg.missing, 1000);
	CU_ASSERT_EQUAL(seg.seq, s.seq);
	/* With Ethernet padding on the wire, padding is not missing payload. */
	s.payload_len = 10;
	s.trailer_len = 4;
	n = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_EQUAL_FATAL(td_packet_decode(TD_LINK_ETHERNET, 0, buf, hdr + 4, n, &seg), TD_OK);
	CU_ASSERT_EQUAL(seg.len, 4);
	CU_ASSERT_EQUAL(seg.missing, 6);
}

/*
 * Every prefix of a valid frame, cut two ways: by the snaplen (the wire
 * had the whole frame) and on the wire itself.  Each prefix is copied to
 * a buffer of exactly its size so ASan catches any read past it.
 */
static void sweep(const struct td_frame_spec *s)
{
	static uint8_t buf[TD_FRAME_MAX];
	size_t n = td_frame_build(buf, sizeof buf, s);
	size_t hdr = td_frame_header_len(s);
	CU_ASSERT_FATAL(n > 0 && hdr > 0 && hdr <= n);
	for (size_t cut = 0; cut <= n; cut++) {
		uint8_t *p = malloc(cut ? cut : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		memcpy(p, buf, cut);
		for (int onwire = 0; onwire <= 1; onwire++) {
			struct td_segment seg;
			enum td_result res = td_packet_decode(s->link, 0, p, cut, onwire ? cut : n, &seg);
			if (cut < hdr) {
				CU_ASSERT(res == TD_ERR_TRUNCATED || res == TD_ERR_MALFORMED);
				if (!onwire)  /* a snaplen cut is truncation, not malformation */
					CU_ASSERT_EQUAL(res, TD_ERR_TRUNCATED);
				continue;
			}
			CU_ASSERT_EQUAL(res, TD_OK);
			if (res != TD_OK)
				continue;
			size_t paylen = cut - hdr;
			if (paylen > s->payload_len)
				paylen = s->payload_len;  /* the trailer is not payload */
			CU_ASSERT_EQUAL(seg.len, paylen);
			CU_ASSERT_EQUAL(seg.missing, onwire ? 0 : s->payload_len - paylen);
			CU_ASSERT_EQUAL(seg.sport, s->sport);
			if (paylen)
				CU_ASSERT(memcmp(seg.payload, s->payload, paylen) == 0);
		}
		free(p);
	}
}

static void test_truncation(void)
{
	struct td_frame_spec s;
	static const enum td_link links[] = {
		TD_LINK_ETHERNET, TD_LINK_SLL, TD_LINK_SLL2, TD_LINK_NULL, TD_LINK_LOOP, TD_LINK_RAW
	};
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		spec4(&s, links[i]);
		s.ipv4_opt_len = 8;
		s.tcp_opt_len = 12;
		s.trailer_len = i;  /* some with padding */
		sweep(&s);
		spec6(&s, links[i]);
		s.v6_ext_count = 5;
		s.v6_ext[0] = 0;
		s.v6_ext[1] = 60;
		s.v6_ext[2] = 43;
		s.v6_ext[3] = 44;
		s.v6_ext[4] = 51;
		s.tcp_opt_len = 4;
		sweep(&s);
	}
	spec4(&s, TD_LINK_ETHERNET);
	s.vlan_count = 3;
	s.vlan_tpid[0] = 0x88a8;
	sweep(&s);
	spec6(&s, TD_LINK_IPV6);
	sweep(&s);
	spec4(&s, TD_LINK_IPV4);
	sweep(&s);

	/* Nothing at all, and a NULL pointer with caplen 0. */
	struct td_segment seg;
	CU_ASSERT_EQUAL(td_packet_decode(TD_LINK_RAW, 0, NULL, 0, 0, &seg), TD_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(td_ip_decode(NULL, 0, 0, &seg), TD_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(td_tcp_decode(NULL, 0, 0, &seg), TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(td_tcp_decode(NULL, 0, 20, &seg), TD_ERR_TRUNCATED);
}

static void test_format(void)
{
	char out[48];
	struct td_addr a;
	CU_ASSERT_FATAL(td_frame_addr(&a, "192.0.2.1"));
	td_addr_format(out, sizeof out, &a, 443);
	CU_ASSERT_STRING_EQUAL(out, "192.0.2.1:443");
	CU_ASSERT_FATAL(td_frame_addr(&a, "2001:db8::1"));
	td_addr_format(out, sizeof out, &a, 8443);
	CU_ASSERT_STRING_EQUAL(out, "[2001:db8::1]:8443");
	/* The longest IPv6 text still fits in 48 bytes. */
	CU_ASSERT_FATAL(td_frame_addr(&a, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));
	td_addr_format(out, sizeof out, &a, 65535);
	CU_ASSERT_STRING_EQUAL(out, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65535");
	a.family = 0;
	td_addr_format(out, sizeof out, &a, 1);
	CU_ASSERT_STRING_EQUAL(out, "?:1");
	/* IPv4 written by hand agrees with inet_ntop, for every octet value
	 * in every position and ports of every length; a short buffer cuts. */
	static const uint16_t ports[] = { 0, 7, 80, 443, 8443, 65535 };
	for (unsigned v = 0; v < 256; v++) {
		for (unsigned pos = 0; pos < 4; pos++) {
			memset(&a, 0, sizeof a);
			a.family = 4;
			a.b[0] = 10;
			a.b[1] = 200;
			a.b[2] = 3;
			a.b[3] = 45;
			a.b[pos] = (uint8_t)v;
			uint16_t port = ports[(v + pos) % 6];
			char ip[32], want[48];
			CU_ASSERT_FATAL(inet_ntop(AF_INET, a.b, ip, sizeof ip) != NULL);
			snprintf(want, sizeof want, "%s:%u", ip, (unsigned)port);
			td_addr_format(out, sizeof out, &a, port);
			CU_ASSERT_STRING_EQUAL(out, want);
		}
	}
	CU_ASSERT_FATAL(td_frame_addr(&a, "255.255.255.255"));
	td_addr_format(out, 22, &a, 65535);
	CU_ASSERT_STRING_EQUAL(out, "255.255.255.255:65535");
	td_addr_format(out, 10, &a, 65535);
	CU_ASSERT_STRING_EQUAL(out, "255.255.2");

	CU_ASSERT_STRING_EQUAL(td_link_name(TD_LINK_ETHERNET), "Ethernet");
	CU_ASSERT_STRING_EQUAL(td_link_name(TD_LINK_SLL2), "Linux cooked v2");
	CU_ASSERT_STRING_NOT_EQUAL(td_link_name(TD_LINK_NULL), td_link_name(TD_LINK_LOOP));
	CU_ASSERT_PTR_NOT_NULL(td_link_name((enum td_link)99));
}

void td_suite_packet(void)
{
	CU_pSuite s = td_test_suite("packet");
	td_test_add(s, "every link type", test_links);
	td_test_add(s, "PPP: framing, compression, other protocols", test_ppp);
	td_test_add(s, "VLAN and QinQ tags", test_vlan);
	td_test_add(s, "BSD loopback AF values", test_bsd_af);
	td_test_add(s, "IPv6 extension headers", test_ipv6_ext);
	td_test_add(s, "IPv4 options, fragments, lengths", test_ipv4);
	td_test_add(s, "non-IP ethertypes", test_non_ip);
	td_test_add(s, "Ethernet padding trimmed", test_padding);
	td_test_add(s, "TCP header", test_tcp);
	td_test_add(s, "snaplen cut sets missing", test_snaplen);
	td_test_add(s, "truncation sweep", test_truncation);
	td_test_add(s, "address and link names", test_format);
}
