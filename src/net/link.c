/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link.c - link layers: from a captured frame to the IP packet inside.
 *
 * Ethernet II (IEEE 802.3 clause 3.1.1, with IEEE 802.1Q / 802.1ad
 * tags stacked any number deep):
 *
 *   +----------+----------+------+-----+------+-----+------+---------
 *   | dst MAC  | src MAC  | TPID | TCI | TPID | TCI | type | payload
 *   |    6     |    6     |  2   |  2  |  2   |  2  |  2   |
 *   +----------+----------+------+-----+------+-----+------+---------
 *                          \___ zero or more tags ___/
 *   TPID: 0x8100 (802.1Q), 0x88a8 (802.1ad), 0x9100 (pre-standard QinQ)
 *   Cisco MetaData (ethertype 0x8909, TrustSec SGT; draft-smith-kandula-sxp)
 *   is walked the same way: | 0x8909 | ver 1 | len 1 | opt 2 | SGT 2 | type |
 *   type: 0x0800 IPv4, 0x86dd IPv6; below 0x0600 it is an 802.3 length
 *   (LLC follows), which we skip like any other non-IP ethertype.
 *
 * Linux cooked v1 (LINKTYPE_LINUX_SLL, 16 bytes):
 *
 *   | pkttype 2 | ARPHRD 2 | addr len 2 | addr 8 | protocol 2 | payload
 *
 * Linux cooked v2 (LINKTYPE_LINUX_SLL2, 20 bytes):
 *
 *   | protocol 2 | reserved 2 | ifindex 4 | ARPHRD 2 | pkttype 1 |
 *   | addr len 1 | addr 8 | payload
 *
 * BSD loopback (LINKTYPE_NULL) and OpenBSD loopback (LINKTYPE_LOOP):
 *
 *   | AF_ value 4 | payload
 *
 *   NULL writes the value in the byte order of the capturing host, LOOP
 *   in network order.  AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD,
 *   OpenBSD), 28 (FreeBSD) or 30 (macOS).
 *
 * Raw IP (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6): the IP header
 * starts at offset 0.
 *
 * PPP (LINKTYPE_PPP, RFC 1661; RFC 1662's HDLC-like framing when it
 * starts with ff 03; neither octet- nor bit-stuffed in a capture):
 *
 *   [ address 0xff 1 | control 0x03 1 ] | protocol 1 or 2 | payload
 *
 *   The protocol field is one byte when compressed (RFC 1661 section
 *   6.5: the low bit of the first byte is set).  0x0021 IPv4, 0x0057
 *   IPv6; anything else (LCP, IPCP...) is skipped.
 *
 * Every byte is read through the bounded reader (reader.h).
 */
#include "config.h"

#include <string.h>

#include "packet.h"
#include "reader.h"

enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_8021Q = 0x8100,
	ETHERTYPE_8021AD = 0x88a8,
	ETHERTYPE_QINQ = 0x9100,
	ETHERTYPE_CISCO_MD = 0x8909,
	CISCO_MD_LEN = 6,             /* version, length, option type, SGT */
	ETH_ADDRS_LEN = 12,           /* destination + source MAC */
	SLL_ADDR_PART = 14,           /* SLL v1 bytes before the protocol */
	SLL2_AFTER_PROTO = 18,        /* SLL v2 bytes after the protocol */
	PPP_ADDRESS = 0xff,           /* RFC 1662 all-stations address */
	PPP_CONTROL = 0x03,           /* RFC 1662 unnumbered information */
	PPP_PROTO_IPV4 = 0x0021,
	PPP_PROTO_IPV6 = 0x0057,
	AF_BSD_INET = 2,
	AF_BSD_INET6_NETBSD = 24,     /* also OpenBSD */
	AF_BSD_INET6_FREEBSD = 28,
	AF_BSD_INET6_DARWIN = 30
};

/* Which IP version the link layer announced: 0 when it did not say
 * (raw IP), TD_SKIP-worthy values are handled before. */
enum ip_hint {
	HINT_ANY = 0,
	HINT_V4 = 4,
	HINT_V6 = 6
};

static uint32_t bswap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

static bool is_vlan(uint16_t type)
{
	return type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD || type == ETHERTYPE_QINQ;
}

/*
 * An ethertype, possibly a tag with more behind it.  Walks any stack of
 * tags (each costs at least 4 bytes of the frame, so the walk is bounded
 * by caplen) and sets *hint for IPv4/IPv6.
 */
static enum td_result ethertype(struct td_reader *r, uint16_t type, enum ip_hint *hint)
{
	while (is_vlan(type) || type == ETHERTYPE_CISCO_MD) {
		/* VLAN: the TCI (priority, DEI, VLAN id); CMD: its fixed part,
		 * as Wireshark and Arkime read it. */
		td_rd_skip(r, type == ETHERTYPE_CISCO_MD ? CISCO_MD_LEN : 2);
		type = td_rd_u16(r);
		if (!td_rd_ok(r))
			return TD_ERR_TRUNCATED;
	}
	if (type == ETHERTYPE_IPV4) {
		*hint = HINT_V4;
		return TD_OK;
	}
	if (type == ETHERTYPE_IPV6) {
		*hint = HINT_V6;
		return TD_OK;
	}
	return TD_SKIP;
}

/* A BSD AF_ value, as read in network order; swapped tells whether to
 * also accept the other byte order (LINKTYPE_NULL from any host). */
static enum td_result bsd_af(uint32_t af, bool swapped, enum ip_hint *hint)
{
	uint32_t alt = swapped ? bswap32(af) : af;
	if (af == AF_BSD_INET || alt == AF_BSD_INET) {
		*hint = HINT_V4;
		return TD_OK;
	}
	static const uint32_t v6[] = {
		AF_BSD_INET6_NETBSD, AF_BSD_INET6_FREEBSD, AF_BSD_INET6_DARWIN
	};
	for (size_t i = 0; i < sizeof v6 / sizeof v6[0]; i++) {
		if (af == v6[i] || alt == v6[i]) {
			*hint = HINT_V6;
			return TD_OK;
		}
	}
	return TD_SKIP;
}

/* PPP's header: the optional HDLC-like address and control, then a one
 * or two byte protocol. */
static enum td_result ppp_header(struct td_reader *r, enum ip_hint *hint)
{
	if (td_rd_left(r) >= 2 && td_rd_peek(r, 0) == PPP_ADDRESS && td_rd_peek(r, 1) == PPP_CONTROL)
		td_rd_skip(r, 2);
	unsigned proto = td_rd_u8(r);
	if ((proto & 1u) == 0)  /* not compressed: a second byte follows */
		proto = proto << 8 | td_rd_u8(r);
	if (!td_rd_ok(r))
		return TD_ERR_TRUNCATED;
	if (proto == PPP_PROTO_IPV4)
		*hint = HINT_V4;
	else if (proto == PPP_PROTO_IPV6)
		*hint = HINT_V6;
	else
		return TD_SKIP;
	return TD_OK;
}

/* Consume the link header from r and say what follows. */
static enum td_result link_header(enum td_link link, struct td_reader *r, enum ip_hint *hint)
{
	uint16_t type;

	*hint = HINT_ANY;
	switch (link) {
	case TD_LINK_ETHERNET:
		td_rd_skip(r, ETH_ADDRS_LEN);
		type = td_rd_u16(r);
		if (!td_rd_ok(r))
			return TD_ERR_TRUNCATED;
		return ethertype(r, type, hint);
	case TD_LINK_SLL:
		td_rd_skip(r, SLL_ADDR_PART);
		type = td_rd_u16(r);
		if (!td_rd_ok(r))
			return TD_ERR_TRUNCATED;
		return ethertype(r, type, hint);
	case TD_LINK_SLL2:
		type = td_rd_u16(r);
		td_rd_skip(r, SLL2_AFTER_PROTO);
		if (!td_rd_ok(r))
			return TD_ERR_TRUNCATED;
		return ethertype(r, type, hint);
	case TD_LINK_NULL:
	case TD_LINK_LOOP: {
		uint32_t af = td_rd_u32(r);
		if (!td_rd_ok(r))
			return TD_ERR_TRUNCATED;
		/* Files travel between hosts of either byte order, so NULL
		 * accepts both; LOOP is defined as network order. */
		return bsd_af(af, link == TD_LINK_NULL, hint);
	}
	case TD_LINK_RAW:
		return TD_OK;
	case TD_LINK_IPV4:
		*hint = HINT_V4;
		return TD_OK;
	case TD_LINK_IPV6:
		*hint = HINT_V6;
		return TD_OK;
	case TD_LINK_PPP:
		return ppp_header(r, hint);
	}
	return TD_ERR_UNSUPPORTED;
}

enum td_result td_packet_decode(enum td_link link, uint64_t ts_us,
				const uint8_t *data, size_t caplen, size_t wirelen,
				struct td_segment *seg)
{
	memset(seg, 0, sizeof *seg);
	seg->ts_us = ts_us;
	/* A frame cannot be shorter on the wire than in the file; a file
	 * that says so is wrong about wirelen, not about the bytes. */
	if (wirelen < caplen)
		wirelen = caplen;

	struct td_reader r = td_rd_make(data, caplen);
	enum ip_hint hint;
	enum td_result res = link_header(link, &r, &hint);
	if (res != TD_OK)
		return res;

	size_t hdr = caplen - td_rd_left(&r);
	struct td_reader ip = td_rd_rest(&r);
	size_t left = td_rd_left(&ip);
	if (left == 0)
		return TD_ERR_TRUNCATED;
	unsigned version = td_rd_peek(&ip, 0) >> 4;
	if (hint == HINT_ANY && version != 4 && version != 6)
		return TD_SKIP;  /* raw link carrying something else */
	if (hint != HINT_ANY && version != (unsigned)hint)
		return TD_ERR_MALFORMED;  /* link layer and IP disagree */
	return td_ip_decode(td_rd_bytes(&ip, left), left, wirelen - hdr, seg);
}

const char *td_link_name(enum td_link link)
{
	switch (link) {
	case TD_LINK_ETHERNET:
		return "Ethernet";
	case TD_LINK_SLL:
		return "Linux cooked v1";
	case TD_LINK_SLL2:
		return "Linux cooked v2";
	case TD_LINK_NULL:
		return "BSD loopback";
	case TD_LINK_LOOP:
		return "OpenBSD loopback";
	case TD_LINK_RAW:
		return "Raw IP";
	case TD_LINK_IPV4:
		return "Raw IPv4";
	case TD_LINK_IPV6:
		return "Raw IPv6";
	case TD_LINK_PPP:
		return "PPP";
	}
	return "unknown link type";
}
