/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_conv.c - a TCP conversation made of frames (see fuzz_conv.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_conv.h"

void td_conv_init(struct td_conv *cv, struct td_engine *eng, enum td_link link, bool v6,
		  uint16_t sport, bool vlan)
{
	memset(cv, 0, sizeof *cv);
	cv->eng = eng;
	v6 = link == TD_LINK_IPV6 || (link != TD_LINK_IPV4 && v6);
	cv->caddr = v6 ? "2001:db8::1" : "192.0.2.1";
	cv->saddr = v6 ? "2001:db8::2" : "192.0.2.2";
	cv->cport = 40000;
	cv->sport = sport;
	td_frame_spec_init(&cv->spec, link, cv->caddr, cv->cport, cv->saddr, cv->sport);
	if (vlan && (link == TD_LINK_ETHERNET || link == TD_LINK_SLL || link == TD_LINK_SLL2)) {
		cv->spec.vlan_count = 1;
		cv->spec.vlan_id[0] = 42;
	}
	cv->ts = 1798761600ull * 1000000ull; /* 2027-01-01: inside the lab certificates' validity */
}

static void emit(struct td_conv *cv, const uint8_t *frame, size_t len)
{
	td_engine_frame(cv->eng, cv->spec.link, cv->ts, frame, len, len);
}

static void release_held(struct td_conv *cv)
{
	if (!cv->held)
		return;
	emit(cv, cv->held, cv->held_len);
	free(cv->held);
	cv->held = NULL;
}

void td_conv_segment(struct td_conv *cv, int side, uint8_t flags, const uint8_t *p, size_t n,
		     bool dup)
{
	struct td_frame_spec s = cv->spec;
	s.src = side ? cv->saddr : cv->caddr;
	s.dst = side ? cv->caddr : cv->saddr;
	s.sport = side ? cv->sport : cv->cport;
	s.dport = side ? cv->cport : cv->sport;
	s.seq = cv->seq[side];
	s.ack = (flags & TD_TCP_SYN) && side == 0 ? 0 : cv->seq[!side];
	s.flags = flags;
	s.payload = p;
	s.payload_len = n;
	size_t len = td_frame_build(cv->frame, sizeof cv->frame, &s);
	if (len == 0)
		td_fuzz_fail("td_frame_build failed");
	cv->seq[side] += (uint32_t)n + ((flags & (TD_TCP_SYN | TD_TCP_FIN)) ? 1u : 0u);
	if (cv->hold_next && !cv->held) {
		cv->held = malloc(len);
		if (!cv->held)
			td_fuzz_fail("out of memory");
		memcpy(cv->held, cv->frame, len);
		cv->held_len = len;
		cv->hold_next = false;
		return;
	}
	emit(cv, cv->frame, len);
	if (dup)
		emit(cv, cv->frame, len);
	release_held(cv);
}

void td_conv_send(struct td_conv *cv, int side, const uint8_t *p, size_t n, bool dup)
{
	size_t off = 0;
	do {
		size_t k = n - off > TD_CONV_SEG_MAX ? TD_CONV_SEG_MAX : n - off;
		td_conv_segment(cv, side, TD_TCP_ACK | TD_TCP_PSH, p ? p + off : NULL, k, dup);
		off += k;
	} while (off < n);
}

void td_conv_start(struct td_conv *cv, bool syn)
{
	/* Initial sequence numbers differ per connection and wrap soon. */
	cv->seq[0] = 1000u + cv->cport * 7919u;
	cv->seq[1] = 0xfffff000u + cv->cport * 104729u;
	if (!syn) {
		cv->seq[0]++;
		cv->seq[1]++;
		return;
	}
	td_conv_segment(cv, 0, TD_TCP_SYN, NULL, 0, false);
	td_conv_segment(cv, 1, TD_TCP_SYN | TD_TCP_ACK, NULL, 0, false);
	td_conv_segment(cv, 0, TD_TCP_ACK, NULL, 0, false);
}

void td_conv_end(struct td_conv *cv, bool fin, bool rst)
{
	release_held(cv);
	if (fin) {
		td_conv_segment(cv, 0, TD_TCP_FIN | TD_TCP_ACK, NULL, 0, false);
		td_conv_segment(cv, 1, TD_TCP_FIN | TD_TCP_ACK, NULL, 0, false);
	}
	if (rst)
		td_conv_segment(cv, 1, TD_TCP_RST | TD_TCP_ACK, NULL, 0, false);
}

void td_conv_cleanup(struct td_conv *cv)
{
	free(cv->held);
	cv->held = NULL;
}
