/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet.h - from a captured frame to a TCP segment or a UDP datagram.
 *
 * The capture layer hands each frame over with its link type (our own
 * enum, so nothing above capture/ sees libpcap).  td_packet_decode()
 * walks link layer -> IPv4/IPv6 -> TCP through bounded readers and
 * fills a struct td_segment whose payload points into the frame
 * (borrowed: valid only during the call that received the frame).
 *
 * Files: src/net/link.c (link layers), src/net/ip.c (IPv4, IPv6 and its
 * extension headers), src/net/tcp.c (the TCP header).
 */
#ifndef TD_PACKET_H
#define TD_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "result.h"

enum td_link {
	TD_LINK_ETHERNET,  /* Ethernet II, with any number of 802.1Q/802.1ad tags */
	TD_LINK_SLL,       /* Linux cooked v1 (tcpdump -i any, older libpcap) */
	TD_LINK_SLL2,      /* Linux cooked v2 */
	TD_LINK_NULL,      /* BSD loopback: 4-byte AF_ value in host byte order */
	TD_LINK_LOOP,      /* OpenBSD loopback: 4-byte AF_ value in network order */
	TD_LINK_RAW,       /* raw IP, version from the first nibble */
	TD_LINK_IPV4,
	TD_LINK_IPV6,
	TD_LINK_PPP        /* PPP (RFC 1661), with or without HDLC-like framing (RFC 1662) */
};

/* An IP address: family 4 or 6; IPv4 uses the first 4 bytes. */
struct td_addr {
	uint8_t family;
	uint8_t b[16];
};

/* The same address: the family, then its 4 or 16 bytes (an IPv4
 * address's unused bytes are not compared). */
static inline bool td_addr_equal(const struct td_addr *x, const struct td_addr *y)
{
	if (x->family != y->family)
		return false;
	if (x->family != 6) {
		uint32_t a, b;  /* IPv4: one word, not a call to memcmp */
		memcpy(&a, x->b, 4);
		memcpy(&b, y->b, 4);
		return a == b;
	}
	return memcmp(x->b, y->b, 16) == 0;
}

/* TCP flags, as on the wire. */
enum {
	TD_TCP_FIN = 0x01,
	TD_TCP_SYN = 0x02,
	TD_TCP_RST = 0x04,
	TD_TCP_PSH = 0x08,
	TD_TCP_ACK = 0x10
};

/* The transport of a decoded frame (IANA protocol numbers). */
enum td_proto {
	TD_PROTO_TCP = 6,
	TD_PROTO_UDP = 17        /* seq, ack and flags are 0; payload is the datagram's */
};

struct td_segment {
	uint64_t ts_us;          /* capture time, microseconds since the epoch */
	enum td_proto proto;
	struct td_addr src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;           /* TD_TCP_* */
	const uint8_t *payload;  /* borrowed; the captured TCP payload */
	size_t len;              /* captured payload bytes */
	size_t missing;          /* payload bytes on the wire but not captured (snaplen) */
};

/*
 * Decode one frame.  caplen bytes are at data; wirelen is the frame's
 * length on the wire.  Returns TD_OK with *seg filled for a TCP segment
 * or a UDP datagram (seg->proto says which); TD_SKIP for anything else
 * (ARP, ICMP, IP fragments
 * after the first...); TD_ERR_MALFORMED or TD_ERR_TRUNCATED when headers
 * do not fit.  Never reads outside data[0..caplen).
 */
enum td_result td_packet_decode(enum td_link link, uint64_t ts_us,
				const uint8_t *data, size_t caplen, size_t wirelen,
				struct td_segment *seg) TD_MUST_CHECK;

/* Lower layers, exposed for unit tests.  Each takes the bytes of its
 * layer; wire_left is how many bytes of this layer were on the wire. */
enum td_result td_ip_decode(const uint8_t *data, size_t caplen, size_t wire_left,
			    struct td_segment *seg) TD_MUST_CHECK;
enum td_result td_tcp_decode(const uint8_t *data, size_t caplen, size_t wire_left,
			     struct td_segment *seg) TD_MUST_CHECK;
enum td_result td_udp_decode(const uint8_t *data, size_t caplen, size_t wire_left,
			     struct td_segment *seg) TD_MUST_CHECK;

/* "192.0.2.1:443" or "[2001:db8::1]:443" into out (at least 48 bytes). */
void td_addr_format(char *out, size_t outlen, const struct td_addr *a, uint16_t port);

/* A printable name for a link type ("Ethernet", "Linux cooked v2"...). */
const char *td_link_name(enum td_link link);

#endif
