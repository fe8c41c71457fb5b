/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_conv.h - a TCP conversation made of frames, for the harnesses
 * that fuzz byte streams rather than packet headers (fuzz_tls.c,
 * fuzz_decrypt.c).
 *
 * The conversation builds each segment with tests/unit/frames.c (the
 * frames the unit tests use: right checksums, any link type) and hands
 * it to td_engine_frame() at once, keeping both directions' sequence
 * numbers, so the engine sees a plausible TCP connection whose payload
 * bytes are the fuzzer's.
 */
#ifndef TD_FUZZ_CONV_H
#define TD_FUZZ_CONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../unit/frames.h"
#include "engine.h"

/* Payload bytes per segment at most (larger sends are split). */
#define TD_CONV_SEG_MAX 16384u

struct td_conv {
	struct td_engine *eng;
	struct td_frame_spec spec;     /* link, VLAN tag; the rest per segment */
	const char *caddr, *saddr;
	uint16_t cport, sport;
	uint32_t seq[2];               /* next sequence number: [0] client, [1] server */
	uint64_t ts;                   /* capture time of the next segment, microseconds */
	uint8_t frame[TD_FRAME_MAX];
	uint8_t *held;                 /* a frame held back for reordering */
	size_t held_len;
	bool hold_next;                /* hold the next segment built */
};

/* Set up a conversation on link (IPv6 when v6 or when link says so)
 * from client port 40000 to sport.  conv is large (a frame buffer):
 * give it static storage. */
void td_conv_init(struct td_conv *cv, struct td_engine *eng, enum td_link link, bool v6,
		  uint16_t sport, bool vlan);

/* Start a connection from the current client port: SYN, SYN-ACK, ACK
 * when syn, else only the sequence numbers (a capture that missed it). */
void td_conv_start(struct td_conv *cv, bool syn);

/* Send n bytes from side (0 client, 1 server), split into segments of
 * at most TD_CONV_SEG_MAX; n == 0 sends a bare ACK.  dup sends each
 * segment twice. */
void td_conv_send(struct td_conv *cv, int side, const uint8_t *p, size_t n, bool dup);

/* One segment with the given TCP flags. */
void td_conv_segment(struct td_conv *cv, int side, uint8_t flags, const uint8_t *p,
		     size_t n, bool dup);

/* Release a held segment, then FIN from both sides (fin) and a server
 * RST (rst). */
void td_conv_end(struct td_conv *cv, bool fin, bool rst);

/* Free what the conversation holds (a held frame, unsent). */
void td_conv_cleanup(struct td_conv *cv);

#endif
