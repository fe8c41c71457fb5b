/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flight.c - the client's first flight over TCP (flow.h: td_fl_flight;
 * the facts: conn.h, struct td_tcp_flight).
 *
 * A ClientHello larger than one segment (post-quantum key shares make
 * Chrome's and Firefox's some 1,800 bytes) crosses paths that a small
 * one never tested: a link with a smaller MTU whose ICMP "fragmentation
 * needed" is filtered (an MTU black hole), a middlebox that drops or
 * resets big hellos.  What shows from the client's side is TCP alone:
 * its segments, the server's acknowledgements stopping short of the end
 * of the hello, the client sending the same bytes again, maybe a RST.
 * So, until the server sends data, count the client's data segments
 * (new or repeated, RFC 9293 3.10.7.4's retransmissions), the largest,
 * the highest byte sent and the highest the server acknowledged, all in
 * offsets from the client's first data byte (the SYN's number + 1).
 *
 *   client seq:  ISN | 0 ......... 1447 | 1448 ..... 1799 |
 *                SYN   segment 1           segment 2
 *   server ack:  ISN+1 (0 acknowledged), ... never 1800
 */
#include "config.h"

#include "flow.h"

/* a - b in serial number arithmetic (RFC 1982), when a is not before b;
 * false when it is. */
static bool seq_after(uint32_t a, uint32_t b, uint32_t *diff)
{
	uint32_t d = a - b;
	if (d > INT32_MAX)
		return false;
	*diff = d;
	return true;
}

void td_fl_flight(struct flow *f, int side, const struct td_segment *seg)
{
	struct td_conn *c = f->conn;
	struct side *sd = &f->s[side];
	if (!c)
		return;
	if ((seg->flags & TD_TCP_SYN) && !sd->syn_seen) {
		sd->syn_seen = true;
		sd->data_seq = seg->seq + 1u;
	}
	struct td_tcp_flight *fl = &c->flight;
	if (fl->answered || !f->roles_known)
		return;
	size_t len = seg->len + seg->missing;
	const struct side *client = &f->s[td_fl_dir_side(f, TD_DIR_C2S)];
	if (td_fl_side_dir(f, side) == TD_DIR_S2C) {
		/* The server's data ends the first flight: what it said is
		 * the TLS layer's to read.  Its ACKs until then say how much
		 * of the client's flight arrived. */
		if (len > 0) {
			fl->answered = true;
			return;
		}
		uint32_t acked;
		if ((seg->flags & TD_TCP_ACK) && client->syn_seen &&
		    seq_after(seg->ack, client->data_seq, &acked) && acked <= fl->sent &&
		    acked > fl->acked)
			fl->acked = acked;
		return;
	}
	if (!client->syn_seen || len == 0)
		return;
	/* Data on the SYN itself (TCP Fast Open) starts at the SYN's number + 1. */
	uint32_t start;
	if (!seq_after(seg->seq + ((seg->flags & TD_TCP_SYN) ? 1u : 0u), client->data_seq, &start))
		return;
	uint32_t end = start + (uint32_t)(len > INT32_MAX ? INT32_MAX : len);
	fl->seen = true;
	if (start < fl->sent)
		fl->retransmits++;
	else
		fl->segments++;
	if (end > fl->sent)
		fl->sent = end;
	if (len > fl->largest)
		fl->largest = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
}
