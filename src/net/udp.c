/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udp.c - the UDP header (RFC 768), for QUIC (quic.h).
 *
 *    0      7 8     15 16    23 24    31
 *   +--------+--------+--------+--------+
 *   |     Source      |   Destination   |
 *   |      Port       |      Port       |
 *   +--------+--------+--------+--------+
 *   |     Length      |    Checksum     |
 *   +--------+--------+--------+--------+
 *   |          data octets ...
 *
 * Length counts the header; the checksum is not verified (offloading,
 * as for TCP).  A length that disagrees with IP's is trusted only as far
 * as IP's: the datagram cannot be longer than its IP payload.
 */
#include "config.h"

#include "packet.h"
#include "reader.h"

enum {
	UDP_HDR = 8
};

enum td_result td_udp_decode(const uint8_t *data, size_t caplen, size_t wire_left,
			     struct td_segment *seg)
{
	if (caplen > wire_left)
		caplen = wire_left;
	if (wire_left < UDP_HDR)
		return TD_ERR_MALFORMED;
	struct td_reader r = td_rd_make(data, caplen);
	uint16_t sport = td_rd_u16(&r);
	uint16_t dport = td_rd_u16(&r);
	uint16_t len = td_rd_u16(&r);
	td_rd_skip(&r, 2);  /* checksum */
	if (!td_rd_ok(&r))
		return TD_ERR_TRUNCATED;
	if (len < UDP_HDR)
		return TD_ERR_MALFORMED;
	size_t wire = (size_t)len - UDP_HDR;
	if (wire > wire_left - UDP_HDR)
		wire = wire_left - UDP_HDR;
	size_t have = td_rd_left(&r) < wire ? td_rd_left(&r) : wire;
	seg->proto = TD_PROTO_UDP;
	seg->sport = sport;
	seg->dport = dport;
	seg->seq = seg->ack = 0;
	seg->flags = 0;
	seg->payload = have ? td_rd_bytes(&r, have) : NULL;
	seg->len = have;
	seg->missing = wire - have;
	return TD_OK;
}
