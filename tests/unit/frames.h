/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frames.h - build captured frames for unit tests.
 *
 * Tests describe a TCP segment (or a deliberately odd packet) in a
 * struct td_frame_spec and td_frame_build() writes the frame bytes as a
 * capture would hold them: link header (Ethernet with VLAN tags, Linux
 * cooked v1/v2, BSD/OpenBSD loopback, raw IP), IPv4 or IPv6 (with
 * optional IPv4 options or IPv6 extension headers), the TCP header
 * (with optional NOP options) and the payload.  IPv4 header and TCP
 * checksums are correct, so the frames may also be written to a pcap
 * and read by tshark.
 *
 *   struct td_frame_spec s;
 *   td_frame_spec_init(&s, TD_LINK_ETHERNET, "192.0.2.1", 40000, "192.0.2.2", 443);
 *   s.seq = 1000; s.flags = TD_TCP_ACK | TD_TCP_PSH;
 *   s.payload = hello; s.payload_len = sizeof hello;
 *   uint8_t buf[TD_FRAME_MAX];
 *   size_t n = td_frame_build(buf, sizeof buf, &s);   // 0 on error
 *   size_t hdr = td_frame_header_len(&s);            // bytes before the payload
 *
 * Addresses are text ("192.0.2.1", "2001:db8::1"); the IP version
 * follows from the source address (both must be of the same family).
 */
#ifndef TD_FRAMES_H
#define TD_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "packet.h"

enum {
	TD_FRAME_MAX = 70000,     /* a buffer this big holds any frame built here */
	TD_FRAME_MAX_VLAN = 8,
	TD_FRAME_MAX_EXT = 8
};

struct td_frame_spec {
	enum td_link link;

	/* Ethernet (and the protocol field of SLL/SLL2): VLAN tags,
	 * outermost first.  A tpid of 0 means 0x8100. */
	size_t vlan_count;
	uint16_t vlan_tpid[TD_FRAME_MAX_VLAN];
	uint16_t vlan_id[TD_FRAME_MAX_VLAN];
	/* Ethernet/SLL/SLL2 ethertype; 0 = 0x0800 or 0x86dd by IP version. */
	uint16_t ethertype;

	/* NULL/LOOP: the AF_ value; 0 = 2 (IPv4) or 30 (IPv6, macOS).
	 * NULL is written little-endian (a capture from an x86 host) unless
	 * null_big_endian; LOOP is always big-endian. */
	uint32_t bsd_af;
	bool null_big_endian;
	/* PPP: ppp_short drops the address and control bytes and compresses
	 * the protocol to one byte; ppp_proto overrides the protocol (0: IPv4
	 * or IPv6 by the address family). */
	bool ppp_short;
	uint16_t ppp_proto;

	/* IP */
	const char *src, *dst;    /* addresses as text */
	uint8_t ip_proto;         /* 0 = TCP; anything else: payload follows IP directly */
	uint16_t ipv4_frag;       /* IPv4 flags + fragment offset field (0x2000 = MF) */
	size_t ipv4_opt_len;      /* IPv4 option bytes (NOPs; rounded up to 4, max 40) */
	uint16_t ipv4_total_override; /* when non-zero, written as the total length */
	/* IPv6 extension headers before the transport, in order: 0 hop-by-hop
	 * (8 bytes), 43 routing (24), 60 destination options (16), 44
	 * fragment (8, offset/M field v6_frag), 51 AH (24), 50 ESP (8, then
	 * the payload), 59 no next header; other values get a generic
	 * 8-byte header. */
	size_t v6_ext_count;
	uint8_t v6_ext[TD_FRAME_MAX_EXT];
	uint16_t v6_frag;

	/* TCP */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;            /* TD_TCP_* */
	uint16_t window;
	size_t tcp_opt_len;       /* TCP option bytes (NOPs; rounded up to 4, max 40) */
	uint8_t tcp_doff_override;/* when non-zero, written as the data offset (4-byte words) */

	const uint8_t *payload;
	size_t payload_len;

	/* Bytes after the IP packet: Ethernet padding or an FCS (zeros). */
	size_t trailer_len;
};

/* Zero the spec and fill the usual fields: link, addresses, ports,
 * flags ACK|PSH, window 65535. */
void td_frame_spec_init(struct td_frame_spec *s, enum td_link link, const char *src,
			uint16_t sport, const char *dst, uint16_t dport);

/* Write the frame into out (outlen bytes).  Returns its length, or 0
 * when it does not fit or the spec is invalid (bad address text, too
 * many tags or extension headers). */
size_t td_frame_build(uint8_t *out, size_t outlen, const struct td_frame_spec *spec);

/* How many bytes of the frame precede the payload (link + IP + its
 * extensions + TCP header); 0 when the spec is invalid. */
size_t td_frame_header_len(const struct td_frame_spec *spec);

/* Parse address text into a struct td_addr; false when invalid. */
bool td_frame_addr(struct td_addr *a, const char *text);

#endif
