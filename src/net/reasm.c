/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm.c - one direction of a TCP stream, in order (see reasm.h).
 *
 * RFC 9293 section 3.4 (sequence numbers) and RFC 1982 (serial number
 * arithmetic): sequence numbers are compared modulo 2^32, so a stream
 * may cross 0xffffffff -> 0 anywhere.
 *
 *   next_seq                       buffered out-of-order segments
 *      v                       (sorted, never overlapping each other)
 *   ...|.... hole ....|=== seg ===|.. hole ..|=== seg ===|....
 *      ^ everything before next_seq was delivered or declared lost
 *
 * Policy, and why:
 * - A segment starting at next_seq is delivered at once, without a copy.
 *   Bytes before next_seq are duplicates (retransmissions, overlaps) and
 *   are counted, never delivered again.
 * - A segment ahead of next_seq is copied (its bytes are borrowed) into
 *   the sorted list, minus the bytes that buffered segments already
 *   hold: the first copy of a byte wins.
 * - Each buffered segment costs its bytes plus SEG_OVERHEAD against
 *   r->cap and the shared budget.  Counting the node as well as the
 *   payload bounds the list's length (1-byte segments cannot make an
 *   unbounded list), which keeps the sorted insert affordable.
 * - When a segment does not fit, the hole at next_seq is given up on:
 *   it is declared a gap (and counted in cap_dropped, plus
 *   budget->dropped when the shared budget was the limit), next_seq
 *   jumps to the earliest data known (buffered or the new segment) and
 *   whatever is now in order is delivered.  Giving up on the oldest
 *   hole rather than refusing the new segment keeps one loss from
 *   turning into two, and the stream always makes progress.
 * - A segment cut by the snaplen (`missing` > 0) leaves a known-lost
 *   range after its captured bytes.  It is declared a gap as soon as
 *   later data arrives (or at flush); until then a zero-length marker
 *   node at next_seq remembers it, in case a retransmission fills it.
 * - A segment more than TD_REASM_WINDOW ahead of next_seq cannot be in
 *   any TCP window (RFC 7323 section 2.3 caps the window at 2^30): it
 *   is dropped and counted in cap_dropped rather than buffered.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "reasm.h"

/* The largest TCP window (RFC 7323 2.3: 65535 << 14, rounded up). */
static const uint32_t TD_REASM_WINDOW = (uint32_t)1 << 30;

struct td_reasm_seg {
	struct td_reasm_seg *next;
	uint32_t seq;      /* sequence number of data[0] */
	size_t len;        /* captured bytes in data; 0 for a lost-range marker */
	size_t missing;    /* bytes known lost right after data (snaplen cut) */
	size_t cost;       /* what this node charged to buffered and the budget */
	uint8_t data[];
};

static const size_t SEG_OVERHEAD = sizeof(struct td_reasm_seg);

/* a < b modulo 2^32 */
static bool seq_lt(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(b - a) < 0x80000000u;
}

static bool seq_le(uint32_t a, uint32_t b)
{
	return a == b || seq_lt(a, b);
}

/* Lengths here are at most TD_REASM_WINDOW, so they fit in 32 bits. */
static uint32_t seq_add(uint32_t s, size_t n)
{
	return s + (uint32_t)n;
}

static void emit_data(struct td_reasm *r, const struct td_reasm_cb *cb,
		      const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	r->delivered += n;
	r->next_seq = seq_add(r->next_seq, n);
	if (cb && cb->deliver)
		cb->deliver(cb->ctx, p, n);
}

static void emit_gap(struct td_reasm *r, const struct td_reasm_cb *cb, size_t n)
{
	if (n == 0)
		return;
	r->gap_bytes += n;
	r->next_seq = seq_add(r->next_seq, n);
	if (cb && cb->gap)
		cb->gap(cb->ctx, (uint32_t)n);
}

static void charge(struct td_reasm *r, size_t cost)
{
	r->buffered += cost;
	if (r->budget)
		r->budget->used += cost;
}

static void seg_free(struct td_reasm *r, struct td_reasm_seg *s)
{
	r->buffered -= s->cost <= r->buffered ? s->cost : r->buffered;
	if (r->budget)
		r->budget->used -= s->cost <= r->budget->used ? s->cost : r->budget->used;
	free(s);
}

static void free_all(struct td_reasm *r)
{
	struct td_reasm_seg *s = r->ooo;
	while (s) {
		struct td_reasm_seg *next = s->next;
		seg_free(r, s);
		s = next;
	}
	r->ooo = NULL;
}

void td_reasm_init(struct td_reasm *r, size_t cap, struct td_budget *budget)
{
	memset(r, 0, sizeof *r);
	r->cap = cap;
	r->budget = budget;
}

void td_reasm_cleanup(struct td_reasm *r)
{
	free_all(r);
	r->buffered = 0;
}

void td_reasm_syn(struct td_reasm *r, uint32_t isn)
{
	/* A SYN retransmitted (or reordered) after the stream started must
	 * not move it back. */
	if (r->skip || r->delivered > 0 || r->gap_bytes > 0)
		return;
	r->started = true;
	r->next_seq = isn + 1;  /* the SYN occupies one sequence number */
}

/* Remember that the bytes from next_seq up to lost_end are known lost,
 * while nothing else is buffered: a marker node at next_seq. */
static void mark_lost(struct td_reasm *r, uint32_t lost_end)
{
	struct td_reasm_seg *m = malloc(sizeof *m);
	if (!m)
		return;  /* the hole stays a plain hole, declared later */
	m->next = r->ooo;
	m->seq = r->next_seq;
	m->len = 0;
	m->missing = (uint32_t)(lost_end - r->next_seq);
	m->cost = 0;  /* at most one per direction: never worth refusing */
	r->ooo = m;
}

/*
 * Deliver whatever is in order now.  lost_end: the end of a range known
 * lost after next_seq (next_seq itself when none).  A known-lost range
 * is declared as soon as something follows it; a plain hole waits.
 * With `flushing`, a known-lost range at the end is declared too.
 */
static void drain(struct td_reasm *r, const struct td_reasm_cb *cb, uint32_t lost_end,
		  bool flushing)
{
	for (;;) {
		struct td_reasm_seg *s = r->ooo;
		if (s && seq_le(s->seq, r->next_seq)) {
			size_t off = (uint32_t)(r->next_seq - s->seq);
			if (off < s->len) {
				r->dup_bytes += off;
				emit_data(r, cb, s->data + off, s->len - off);
			} else {
				r->dup_bytes += s->len;
			}
			uint32_t end = seq_add(seq_add(s->seq, s->len), s->missing);
			if (seq_lt(lost_end, end))
				lost_end = end;
			r->ooo = s->next;
			seg_free(r, s);
			continue;
		}
		/* A hole at next_seq, before s (or at the end). */
		if (!seq_lt(r->next_seq, lost_end))
			return;  /* not known lost: a retransmission may fill it */
		size_t lost = (uint32_t)(lost_end - r->next_seq);
		if (s) {
			size_t upto = (uint32_t)(s->seq - r->next_seq);
			emit_gap(r, cb, lost < upto ? lost : upto);
			continue;
		}
		if (flushing)
			emit_gap(r, cb, lost);
		else
			mark_lost(r, lost_end);
		return;
	}
}

/* Give up on the hole at next_seq: declare it and jump to target. */
static void skip_to(struct td_reasm *r, const struct td_reasm_cb *cb, uint32_t target,
		    bool budget_full)
{
	/* After td_reasm_syn() moved next_seq, buffered data may already
	 * lie behind it: then there is no hole, only something to drain. */
	size_t n = seq_lt(r->next_seq, target) ? (uint32_t)(target - r->next_seq) : 0;
	r->cap_dropped += n;
	if (budget_full && r->budget) {
		r->budget->dropped += n;
		r->budget_dropped += n;
	}
	emit_gap(r, cb, n);
	drain(r, cb, r->next_seq, false);
}

/*
 * Walk the sorted list for [seq, seq+len) and either price the pieces
 * not already buffered (commit false: adds to *cost) or insert copies
 * of them (commit true).  The caller's missing bytes go with the piece
 * that ends the segment, if the segment's end is not already buffered.
 */
static void place(struct td_reasm *r, uint32_t seq, const uint8_t *data, size_t len,
		  size_t missing, bool commit, size_t *cost)
{
	struct td_reasm_seg **pp = &r->ooo;
	size_t done = 0;

	while (done < len) {
		uint32_t cur = seq_add(seq, done);
		struct td_reasm_seg *n = *pp;
		if (n && seq_le(seq_add(n->seq, n->len), cur)) {
			pp = &n->next;  /* n ends before cur (markers too) */
			continue;
		}
		if (n && seq_le(n->seq, cur)) {
			/* n already holds cur...: keep its copy */
			size_t cov = (uint32_t)(seq_add(n->seq, n->len) - cur);
			if (cov > len - done)
				cov = len - done;
			if (commit)
				r->dup_bytes += cov;
			done += cov;
			pp = &n->next;
			continue;
		}
		size_t piece = len - done;
		if (n && (size_t)(uint32_t)(n->seq - cur) < piece)
			piece = (uint32_t)(n->seq - cur);
		if (!commit) {
			*cost += piece + SEG_OVERHEAD;
			done += piece;
			continue;  /* the next round finds cur == n->seq */
		}
		struct td_reasm_seg *s = malloc(SEG_OVERHEAD + piece);
		if (!s) {
			r->cap_dropped += piece;  /* memory is the last cap */
			done += piece;
			continue;
		}
		s->next = n;
		s->seq = cur;
		s->len = piece;
		s->missing = done + piece == len ? missing : 0;
		s->cost = piece + SEG_OVERHEAD;
		memcpy(s->data, data + done, piece);
		charge(r, s->cost);
		*pp = s;
		pp = &s->next;
		done += piece;
	}
}

static bool fits_dir(const struct td_reasm *r, size_t cost)
{
	return r->buffered <= r->cap && cost <= r->cap - r->buffered;
}

static bool fits_budget(const struct td_reasm *r, size_t cost)
{
	const struct td_budget *b = r->budget;
	return !b || (b->used <= b->cap && cost <= b->cap - b->used);
}

/* The first buffered node that holds data (skipping a lost marker). */
static const struct td_reasm_seg *first_data(const struct td_reasm *r)
{
	const struct td_reasm_seg *s = r->ooo;
	while (s && s->len == 0)
		s = s->next;
	return s;
}

void td_reasm_segment(struct td_reasm *r, uint32_t seq, const uint8_t *data,
		      size_t len, size_t missing, const struct td_reasm_cb *cb)
{
	if (r->skip)
		return;
	if (len > TD_REASM_WINDOW || missing > TD_REASM_WINDOW) {
		r->cap_dropped += len;  /* no TCP segment is this long */
		return;
	}
	if (!r->started) {
		r->started = true;
		r->next_seq = seq;
	}

	/* Each round either finishes or gives up a hole, which moves
	 * next_seq forward and frees at least one buffered node, so the
	 * loop ends. */
	for (;;) {
		uint32_t lost_end = seq_add(seq_add(seq, len), missing);
		if (seq_lt(seq, r->next_seq)) {
			size_t behind = (uint32_t)(r->next_seq - seq);
			if (behind >= len) {
				r->dup_bytes += len;
				/* Its lost range may still reach past next_seq. */
				drain(r, cb, seq_lt(r->next_seq, lost_end) ? lost_end : r->next_seq,
				      false);
				return;
			}
			r->dup_bytes += behind;
			data += behind;
			len -= behind;
			seq = r->next_seq;
		}
		if (seq == r->next_seq) {
			emit_data(r, cb, data, len);
			drain(r, cb, lost_end, false);
			return;
		}
		if ((uint32_t)(seq - r->next_seq) > TD_REASM_WINDOW) {
			r->cap_dropped += len;  /* not in any possible window */
			return;
		}
		if (len == 0)
			return;  /* nothing to keep (its lost range stays a hole) */

		size_t cost = 0;
		place(r, seq, data, len, missing, false, &cost);
		if (cost == 0) {
			r->dup_bytes += len;  /* all of it is buffered already */
			return;
		}
		bool dir_ok = fits_dir(r, cost);
		bool budget_ok = fits_budget(r, cost);
		if (dir_ok && budget_ok) {
			place(r, seq, data, len, missing, true, &cost);
			/* A known-lost range before it can be declared now. */
			drain(r, cb, r->next_seq, false);
			return;
		}
		/* No room: the hole at next_seq will not be filled in time.
		 * Skip to the earliest data we have, this segment included. */
		const struct td_reasm_seg *f = first_data(r);
		uint32_t target = f && seq_lt(f->seq, seq) ? f->seq : seq;
		skip_to(r, cb, target, dir_ok && !budget_ok);
	}
}

void td_reasm_flush(struct td_reasm *r, const struct td_reasm_cb *cb)
{
	if (r->skip) {
		free_all(r);
		return;
	}
	for (;;) {
		drain(r, cb, r->next_seq, true);
		const struct td_reasm_seg *s = r->ooo;
		if (!s)
			break;
		/* A hole nothing will fill any more. */
		emit_gap(r, cb, (uint32_t)(s->seq - r->next_seq));
	}
}

void td_reasm_stop(struct td_reasm *r)
{
	free_all(r);
	r->skip = true;
}
