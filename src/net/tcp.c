/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcp.c - the TCP header (RFC 9293 section 3.1).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Source Port          |       Destination Port        |
 *   |                        Sequence Number                        |
 *   |                    Acknowledgment Number                      |
 *   |  Data |       |C|E|U|A|P|R|S|F|                               |
 *   | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *   |       |       |R|E|G|K|H|T|N|N|                               |
 *   |           Checksum            |         Urgent Pointer        |
 *   |                    Options (Data Offset > 5)                  |
 *   |                             data                              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Options are skipped: reassembly needs only sequence numbers, flags
 * and the payload.  The checksum is not verified: captures taken on
 * the sending host routinely carry offloaded (wrong) checksums.
 */
#include "config.h"

#include "packet.h"
#include "reader.h"

enum {
	TCP_MIN_HDR = 20
};

enum td_result td_tcp_decode(const uint8_t *data, size_t caplen, size_t wire_left,
			     struct td_segment *seg)
{
	/* Bytes past the IP length are not ours (ip.c trims them; a direct
	 * caller may not have). */
	if (caplen > wire_left)
		caplen = wire_left;
	if (wire_left < TCP_MIN_HDR)
		return TD_ERR_MALFORMED;

	struct td_reader r = td_rd_make(data, caplen);
	uint16_t sport = td_rd_u16(&r);
	uint16_t dport = td_rd_u16(&r);
	uint32_t seq = td_rd_u32(&r);
	uint32_t ack = td_rd_u32(&r);
	uint8_t off = td_rd_u8(&r);
	uint8_t flags = td_rd_u8(&r);
	td_rd_skip(&r, 6);  /* window, checksum, urgent pointer */
	if (!td_rd_ok(&r))
		return TD_ERR_TRUNCATED;

	seg->proto = TD_PROTO_TCP;
	seg->sport = sport;
	seg->dport = dport;
	seg->seq = seq;
	seg->ack = ack;
	seg->flags = flags;

	size_t hlen = (size_t)(off >> 4) * 4;
	if (hlen < TCP_MIN_HDR || hlen > wire_left)
		return TD_ERR_MALFORMED;
	td_rd_skip(&r, hlen - TCP_MIN_HDR);  /* options */
	if (!td_rd_ok(&r))
		return TD_ERR_TRUNCATED;

	size_t len = td_rd_left(&r);
	const uint8_t *payload = td_rd_bytes(&r, len);
	seg->payload = len ? payload : NULL;
	seg->len = len;
	/* caplen <= wire_left, so what the lengths promise beyond the
	 * captured bytes is what the snaplen cut off. */
	seg->missing = (wire_left - hlen) - len;
	return TD_OK;
}
