/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm.h - in-order delivery of one direction of a TCP stream.
 *
 * One struct td_reasm per direction.  Segments go in with their
 * sequence numbers; bytes come out once, in order, through the deliver
 * callback.  Out-of-order segments are buffered (up to the per-direction
 * cap and the global cap shared by all flows); retransmitted and
 * overlapping bytes are never delivered twice; a hole that will not be
 * filled (lost segment, snaplen cut, a cap reached) is reported through
 * the gap callback with its size and is never papered over.
 *
 * Sequence arithmetic is modulo 2^32 (serial number arithmetic).
 */
#ifndef TD_REASM_H
#define TD_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"

struct td_reasm_seg;  /* an out-of-order segment, private to reasm.c */

struct td_reasm_cb {
	/* In-order bytes; data is borrowed for the call. */
	void (*deliver)(void *ctx, const uint8_t *data, size_t len);
	/* `missing` bytes of the stream will never be delivered. */
	void (*gap)(void *ctx, uint32_t missing);
	void *ctx;
};

struct td_reasm {
	bool started;            /* next_seq is known */
	bool skip;               /* caller no longer wants bytes: drop all */
	uint32_t next_seq;       /* sequence number of the next byte to deliver */
	struct td_reasm_seg *ooo;/* buffered out-of-order segments, by seq */
	size_t buffered;         /* bytes in ooo */
	size_t cap;              /* per-direction cap on buffered */
	struct td_budget *budget;
	/* counters, for the report */
	uint64_t delivered;      /* bytes delivered */
	uint64_t dup_bytes;      /* retransmitted/overlapping bytes dropped */
	uint64_t gap_bytes;      /* bytes declared lost */
	uint64_t cap_dropped;    /* bytes dropped by a cap (this one's or the budget) */
	uint64_t budget_dropped; /* ...of which because the shared budget was full */
};

/* Initialise; cap is the per-direction buffer cap, budget may be NULL. */
void td_reasm_init(struct td_reasm *r, size_t cap, struct td_budget *budget);
/* Free buffered segments (and give their bytes back to the budget). */
void td_reasm_cleanup(struct td_reasm *r);

/* A SYN (or SYN-ACK) with sequence number isn: the data starts at isn+1.
 * Ignored once data has been delivered. */
void td_reasm_syn(struct td_reasm *r, uint32_t isn);

/* A segment carrying len captured bytes at seq, followed by `missing`
 * bytes that were on the wire but not captured.  Delivers whatever is
 * now in order.  When the start of the stream was not seen (no SYN), the
 * first segment defines it. */
void td_reasm_segment(struct td_reasm *r, uint32_t seq, const uint8_t *data,
		      size_t len, size_t missing, const struct td_reasm_cb *cb);

/* No more data will come (FIN seen and flow ending, timeout, end of
 * capture): deliver buffered segments in order, reporting each hole as
 * a gap, and leave the reassembler empty. */
void td_reasm_flush(struct td_reasm *r, const struct td_reasm_cb *cb);

/* Stop wanting bytes: drop what is buffered and everything later,
 * without buffering (application data after the handshake). */
void td_reasm_stop(struct td_reasm *r);

#endif
