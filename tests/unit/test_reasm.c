/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_reasm.c - TCP reassembly: order, duplicates, overlaps, sequence
 * wraparound, gaps, caps, flush and stop.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasm.h"
#include "tests.h"

/* What the callbacks saw: the bytes, and a log like "d10,g5,d10". */
struct sink {
	uint8_t out[8192];
	size_t len;
	char log[1024];
	uint64_t gap_total;
	bool overflow;
};

static void on_data(void *ctx, const uint8_t *data, size_t len)
{
	struct sink *k = ctx;
	if (len > sizeof k->out - k->len) {
		k->overflow = true;
		return;
	}
	memcpy(k->out + k->len, data, len);
	k->len += len;
	size_t l = strlen(k->log);
	snprintf(k->log + l, sizeof k->log - l, "%sd%zu", l ? "," : "", len);
}

static void on_gap(void *ctx, uint32_t missing)
{
	struct sink *k = ctx;
	k->gap_total += missing;
	size_t l = strlen(k->log);
	snprintf(k->log + l, sizeof k->log - l, "%sg%u", l ? "," : "", (unsigned)missing);
}

static struct td_reasm_cb cb_for(struct sink *k)
{
	memset(k, 0, sizeof *k);
	struct td_reasm_cb cb = { on_data, on_gap, k };
	return cb;
}

/* The stream under test: byte i of the stream is STREAM[i]. */
static uint8_t STREAM[4096];

static void init_stream(void)
{
	for (size_t i = 0; i < sizeof STREAM; i++)
		STREAM[i] = (uint8_t)(i * 31 + (i >> 8));
}

/* Feed stream bytes [off, off+len) at isn + 1 + off. */
static void feed(struct td_reasm *r, uint32_t isn, size_t off, size_t len,
		 const struct td_reasm_cb *cb)
{
	td_reasm_segment(r, isn + 1 + (uint32_t)off, STREAM + off, len, 0, cb);
}

static void test_in_order(void)
{
	struct sink k;
	struct td_reasm_cb cb = cb_for(&k);
	struct td_reasm r;
	td_reasm_init(&r, 65536, NULL);
	td_reasm_syn(&r, 1000);
	CU_ASSERT(r.started);
	CU_ASSERT_EQUAL(r.next_seq, 1001);
	feed(&r, 1000, 0, 100, &cb);
	feed(&r, 1000, 100, 50, &cb);
	feed(&r, 1000, 150, 1, &cb);
	CU_ASSERT_EQUAL(k.len, 151);
	CU_ASSERT(memcmp(k.out, STREAM, 151) == 0);
	CU_ASSERT_STRING_EQUAL(k.log, "d100,d50,d1");
	CU_ASSERT_EQUAL(r.delivered, 151);
	CU_ASSERT_EQUAL(r.next_seq, 1001 + 151);
	CU_ASSERT_EQUAL(r.dup_bytes, 0);
	/* A late SYN does not move the stream back. */
	td_reasm_syn(&r, 5);
	CU_ASSERT_EQUAL(r.next_seq, 1001 + 151);
	/* Pure ACKs (no payload) change nothing. */
	td_reasm_segment(&r, 1001 + 151, NULL, 0, 0, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d100,d50,d1");
	td_reasm_cleanup(&r);
}

static void test_no_syn(void)
{
	struct sink k;
	struct td_reasm_cb cb = cb_for(&k);
	struct td_reasm r;
	td_reasm_init(&r, 65536, NULL);
	CU_ASSERT(!r.started);
	/* Picked up mid-stream: the first segment defines the start. */
	td_reasm_segment(&r, 777777, STREAM + 10, 20, 0, &cb);
	CU_ASSERT(r.started);
	CU_ASSERT_EQUAL(r.next_seq, 777777 + 20);
	/* Earlier bytes are duplicates now. */
	td_reasm_segment(&r, 777777 - 10, STREAM, 30, 0, &cb);
	CU_ASSERT_EQUAL(k.len, 20);
	CU_ASSERT_EQUAL(r.dup_bytes, 30);
	CU_ASSERT(memcmp(k.out, STREAM + 10, 20) == 0);
	td_reasm_cleanup(&r);
}

/* Segment boundaries of a 4-segment stream, possibly overlapping. */
struct piece {
	size_t off, len;
};

/* Feed pieces in the order perm[], check the stream comes out once. */
static void run_perm(uint32_t isn, const struct piece *p, const int *perm, size_t total,
		     size_t sum)
{
	struct sink k;
	struct td_reasm_cb cb = cb_for(&k);
	struct td_budget budget = { 0, 1 << 20, 0 };
	struct td_reasm r;
	td_reasm_init(&r, 65536, &budget);
	td_reasm_syn(&r, isn);
	for (int i = 0; i < 4; i++)
		feed(&r, isn, p[perm[i]].off, p[perm[i]].len, &cb);
	CU_ASSERT_EQUAL(k.len, total);
	CU_ASSERT(memcmp(k.out, STREAM, total) == 0);
	CU_ASSERT_EQUAL(r.delivered, total);
	/* Every byte fed is delivered once or counted as a duplicate. */
	CU_ASSERT_EQUAL(r.dup_bytes, sum - total);
	CU_ASSERT_EQUAL(r.gap_bytes, 0);
	CU_ASSERT_EQUAL(k.gap_total, 0);
	CU_ASSERT_EQUAL(r.buffered, 0);
	CU_ASSERT_PTR_NULL(r.ooo);
	CU_ASSERT_EQUAL(budget.used, 0);
	CU_ASSERT_EQUAL(r.next_seq, isn + 1 + (uint32_t)total);
	td_reasm_cleanup(&r);
}

static void all_perms(uint32_t isn, const struct piece *p, size_t total)
{
	size_t sum = 0;
	for (int i = 0; i < 4; i++)
		sum += p[i].len;
	int n = 0;
	for (int a = 0; a < 4; a++)
		for (int b = 0; b < 4; b++)
			for (int c = 0; c < 4; c++)
				for (int d = 0; d < 4; d++) {
					if (a == b || a == c || a == d || b == c || b == d || c == d)
						continue;
					int perm[4] = { a, b, c, d };
					run_perm(isn, p, perm, total, sum);
					n++;
				}
	CU_ASSERT_EQUAL(n, 24);
}

static void test_permutations(void)
{
	static const struct piece disjoint[4] = { { 0, 100 }, { 100, 37 }, { 137, 200 }, { 337, 1 } };
	all_perms(5000, disjoint, 338);
	/* Overlapping: each piece overlaps the next at both of its ends. */
	static const struct piece overlap[4] = { { 0, 10 }, { 5, 15 }, { 15, 15 }, { 25, 15 } };
	all_perms(5000, overlap, 40);
	/* One piece covering two others, one covered entirely. */
	static const struct piece cover[4] = { { 0, 8 }, { 8, 30 }, { 12, 4 }, { 20, 40 } };
	all_perms(5000, cover, 60);
}

static void test_overlap(void)
{
	struct sink k;
	struct td_reasm_cb cb = cb_for(&k);
	struct td_reasm r;
	td_reasm_init(&r, 65536, NULL);
	td_reasm_syn(&r, 0);
	feed(&r, 0, 0, 10, &cb);
	/* Exact retransmission. */
	feed(&r, 0, 0, 10, &cb);
	CU_ASSERT_EQUAL(r.dup_bytes, 10);
	/* Partial overlap at the front: only the new 5 bytes. */
	feed(&r, 0, 5, 10, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d10,d5");
	CU_ASSERT_EQUAL(r.dup_bytes, 15);

	/* Out of order, then overlapped at both ends by a later segment
	 * with different bytes: the buffered (first) copy wins. */
	static const uint8_t other[64] = { 0 };
	feed(&r, 0, 20, 10, &cb);                                  /* [20,30) buffered */
	td_reasm_segment(&r, 1 + 18, other, 14, 0, &cb);           /* [18,32) of zeros */
	CU_ASSERT_EQUAL(r.dup_bytes, 15 + 10);
	CU_ASSERT_EQUAL(k.len, 15);
	feed(&r, 0, 15, 3, &cb);                                   /* fills [15,18) */
	CU_ASSERT_EQUAL(k.len, 32);
	CU_ASSERT(memcmp(k.out, STREAM, 18) == 0);
	CU_ASSERT(k.out[18] == 0 && k.out[19] == 0);
	CU_ASSERT(memcmp(k.out + 20, STREAM + 20, 10) == 0);
	CU_ASSERT(k.out[30] == 0 && k.out[31] == 0);
	CU_ASSERT_EQUAL(r.buffered, 0);

	/* An in-order segment swallowing a buffered one. */
	feed(&r, 0, 40, 5, &cb);
	feed(&r, 0, 32, 20, &cb);
	CU_ASSERT_EQUAL(k.len, 52);
	CU_ASSERT(memcmp(k.out + 32, STREAM + 32, 20) == 0);
	CU_ASSERT_EQUAL(r.dup_bytes, 25 + 5);
	CU_ASSERT_EQUAL(r.gap_bytes, 0);
	CU_ASSERT_EQUAL(r.buffered, 0);
	td_reasm_cleanup(&r);
}

static void test_wraparound(void)
{
	/* The stream crosses 0xffffffff -> 0 inside a segment and between
	 * segments, in order and in every order. */
	static const struct piece p[4] = { { 0, 10 }, { 10, 20 }, { 30, 12 }, { 42, 30 } };
	all_perms(0xffffffe0u, p, 72);
	all_perms(0xffffffffu, p, 72);  /* data starts exactly at 0 */

	struct sink k;
	struct td_reasm_cb cb = cb_for(&k);
	struct td_reasm r;
	td_reasm_init(&r, 65536, NULL);
	td_reasm_syn(&r, 0xfffffff0u);
	feed(&r, 0xfffffff0u, 40, 10, &cb);  /* after the wrap: buffered */
	CU_ASSERT_EQUAL(k.len, 0);
	CU_ASSERT(r.buffered > 0);
	feed(&r, 0xfffffff0u, 0, 40, &cb);   /* before and across it */
	CU_ASSERT_EQUAL(k.len, 50);
	CU_ASSERT(memcmp(k.out, STREAM, 50) == 0);
	CU_ASSERT_EQUAL(r.next_seq, 0xfffffff1u + 50u);
	/* A retransmission from before the wrap is a duplicate. */
	feed(&r, 0xfffffff0u, 0, 15, &cb);
	CU_ASSERT_EQUAL(r.dup_bytes, 15);
	CU_ASSERT_EQUAL(k.len, 50);
	td_reasm_cleanup(&r);
}

static void test_gap_flush(void)
{
	struct sink k;
	struct td_reasm_cb cb = cb_for(&k);
	struct td_reasm r;
	td_reasm_init(&r, 65536, NULL);
	td_reasm_syn(&r, 100);
	feed(&r, 100, 0, 10, &cb);
	feed(&r, 100, 20, 10, &cb);
	feed(&r, 100, 45, 5, &cb);
	feed(&r, 100, 40, 3, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d10");
	CU_ASSERT(r.buffered > 18);
	td_reasm_flush(&r, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d10,g10,d10,g10,d3,g2,d5");
	CU_ASSERT_EQUAL(r.gap_bytes, 22);
	CU_ASSERT_EQUAL(k.gap_total, 22);
	CU_ASSERT_EQUAL(r.delivered, 28);
	CU_ASSERT_EQUAL(r.buffered, 0);
	CU_ASSERT_PTR_NULL(r.ooo);
	CU_ASSERT_EQUAL(r.next_seq, 101 + 50);
	/* The stream goes on after a flush. */
	feed(&r, 100, 50, 5, &cb);
	CU_ASSERT_EQUAL(r.delivered, 33);
	/* Flushing an empty reassembler does nothing. */
	td_reasm_flush(&r, &cb);
	CU_ASSERT_EQUAL(r.gap_bytes, 22);
	td_reasm_cleanup(&r);
}

static void test_missing(void)
{
	struct sink k;
	struct td_reasm_cb cb = cb_for(&k);
	struct td_reasm r;

	/* A snaplen-cut segment: the lost bytes are declared when the next
	 * data arrives, without waiting for a flush. */
	td_reasm_init(&r, 65536, NULL);
	td_reasm_syn(&r, 0);
	td_reasm_segment(&r, 1, STREAM, 10, 5, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d10");
	feed(&r, 0, 15, 10, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d10,g5,d10");
	CU_ASSERT_EQUAL(r.gap_bytes, 5);
	CU_ASSERT_EQUAL(r.buffered, 0);
	CU_ASSERT_PTR_NULL(r.ooo);
	/* Then a cut segment at the end: declared by the flush. */
	td_reasm_segment(&r, 26, STREAM + 25, 4, 96, &cb);
	td_reasm_flush(&r, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d10,g5,d10,d4,g96");
	CU_ASSERT_EQUAL(r.next_seq, 1 + 125);
	td_reasm_cleanup(&r);

	/* A retransmission fills what the snaplen cut: no gap. */
	cb = cb_for(&k);
	td_reasm_init(&r, 65536, NULL);
	td_reasm_syn(&r, 0);
	td_reasm_segment(&r, 1, STREAM, 10, 10, &cb);
	feed(&r, 0, 10, 10, &cb);
	feed(&r, 0, 20, 10, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d10,d10,d10");
	CU_ASSERT_EQUAL(r.gap_bytes, 0);
	td_reasm_cleanup(&r);

	/* ...or part of it: the rest is a gap once data follows. */
	cb = cb_for(&k);
	td_reasm_init(&r, 65536, NULL);
	td_reasm_syn(&r, 0);
	td_reasm_segment(&r, 1, STREAM, 10, 10, &cb);
	feed(&r, 0, 10, 4, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d10,d4");
	feed(&r, 0, 30, 5, &cb);  /* beyond the lost range: lost part declared */
	CU_ASSERT_STRING_EQUAL(k.log, "d10,d4,g6");
	feed(&r, 0, 20, 10, &cb);  /* the plain hole after it, filled */
	CU_ASSERT_STRING_EQUAL(k.log, "d10,d4,g6,d10,d5");
	td_reasm_cleanup(&r);

	/* Out-of-order cut segment, delivered once the hole fills. */
	cb = cb_for(&k);
	td_reasm_init(&r, 65536, NULL);
	td_reasm_syn(&r, 0);
	td_reasm_segment(&r, 1 + 20, STREAM + 20, 10, 20, &cb);
	feed(&r, 0, 45, 5, &cb);   /* inside the cut range: data wins */
	feed(&r, 0, 0, 20, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d20,d10,g15,d5");
	CU_ASSERT_EQUAL(r.next_seq, 51);
	td_reasm_flush(&r, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d20,d10,g15,d5");  /* [50,50) nothing left */
	CU_ASSERT(memcmp(k.out, STREAM, 30) == 0);
	CU_ASSERT(memcmp(k.out + 30, STREAM + 45, 5) == 0);
	td_reasm_cleanup(&r);
}

static void test_cap(void)
{
	struct sink k;
	struct td_reasm_cb cb = cb_for(&k);
	struct td_reasm r;
	/* Room for two buffered 100-byte segments (plus bookkeeping), not
	 * three. */
	td_reasm_init(&r, 350, NULL);
	td_reasm_syn(&r, 0);
	feed(&r, 0, 0, 100, &cb);
	feed(&r, 0, 200, 100, &cb);  /* hole [100,200) */
	feed(&r, 0, 300, 100, &cb);
	CU_ASSERT(r.buffered >= 200 && r.buffered <= 350);
	CU_ASSERT_STRING_EQUAL(k.log, "d100");
	/* The third does not fit: the hole is given up, all delivered. */
	feed(&r, 0, 400, 100, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d100,g100,d100,d100,d100");
	CU_ASSERT_EQUAL(r.cap_dropped, 100);
	CU_ASSERT_EQUAL(r.gap_bytes, 100);
	CU_ASSERT_EQUAL(r.delivered, 400);
	CU_ASSERT_EQUAL(r.buffered, 0);
	CU_ASSERT(memcmp(k.out + 100, STREAM + 200, 300) == 0);
	/* A late retransmission of the hole is a duplicate now. */
	feed(&r, 0, 100, 100, &cb);
	CU_ASSERT_EQUAL(r.dup_bytes, 100);

	/* A segment bigger than the whole cap, ahead of a hole: skipped to
	 * and delivered in place rather than dropped. */
	feed(&r, 0, 600, 400, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d100,g100,d100,d100,d100,g100,d400");
	CU_ASSERT_EQUAL(r.cap_dropped, 200);
	CU_ASSERT_EQUAL(r.buffered, 0);

	/* Far in the future (beyond any window): dropped, counted. */
	td_reasm_segment(&r, r.next_seq + (1u << 30) + 1, STREAM, 50, 0, &cb);
	CU_ASSERT_EQUAL(r.cap_dropped, 250);
	CU_ASSERT_EQUAL(r.buffered, 0);
	CU_ASSERT_EQUAL(r.delivered, 800);
	td_reasm_cleanup(&r);
}

static void test_budget(void)
{
	struct sink k1, k2;
	struct td_reasm_cb cb1 = cb_for(&k1), cb2 = cb_for(&k2);
	struct td_budget budget = { 0, 350, 0 };
	struct td_reasm r1, r2;
	td_reasm_init(&r1, 65536, &budget);
	td_reasm_init(&r2, 65536, &budget);
	td_reasm_syn(&r1, 0);
	td_reasm_syn(&r2, 0);

	feed(&r1, 0, 100, 100, &cb1);
	feed(&r1, 0, 300, 100, &cb1);
	CU_ASSERT_EQUAL(budget.used, r1.buffered);
	CU_ASSERT(budget.used >= 200);
	/* r2's out-of-order segment finds the budget full: r2 has nothing
	 * buffered, so it gives up its own hole and delivers in place. */
	feed(&r2, 0, 50, 100, &cb2);
	CU_ASSERT_STRING_EQUAL(k2.log, "g50,d100");
	CU_ASSERT_EQUAL(r2.cap_dropped, 50);
	CU_ASSERT_EQUAL(budget.dropped, 50);
	CU_ASSERT_EQUAL(r2.buffered, 0);
	/* r1 is untouched. */
	CU_ASSERT_STRING_EQUAL(k1.log, "");
	/* r1 itself: per-direction room, no budget: skips its first hole. */
	feed(&r1, 0, 500, 100, &cb1);
	CU_ASSERT_STRING_EQUAL(k1.log, "g100,d100");
	CU_ASSERT_EQUAL(budget.dropped, 150);
	CU_ASSERT_EQUAL(budget.used, r1.buffered);

	/* Cleanup gives everything back. */
	td_reasm_cleanup(&r1);
	td_reasm_cleanup(&r2);
	CU_ASSERT_EQUAL(budget.used, 0);
}

static void test_stop(void)
{
	struct sink k;
	struct td_reasm_cb cb = cb_for(&k);
	struct td_budget budget = { 0, 1 << 20, 0 };
	struct td_reasm r;
	td_reasm_init(&r, 65536, &budget);
	td_reasm_syn(&r, 0);
	feed(&r, 0, 0, 10, &cb);
	feed(&r, 0, 20, 10, &cb);
	CU_ASSERT(budget.used > 0);
	td_reasm_stop(&r);
	CU_ASSERT(r.skip);
	CU_ASSERT_EQUAL(r.buffered, 0);
	CU_ASSERT_EQUAL(budget.used, 0);
	CU_ASSERT_PTR_NULL(r.ooo);
	feed(&r, 0, 10, 10, &cb);
	feed(&r, 0, 40, 10, &cb);
	td_reasm_flush(&r, &cb);
	CU_ASSERT_STRING_EQUAL(k.log, "d10");
	CU_ASSERT_EQUAL(r.delivered, 10);
	CU_ASSERT_EQUAL(r.buffered, 0);
	CU_ASSERT_EQUAL(budget.used, 0);
	td_reasm_cleanup(&r);
}

/* Many tiny out-of-order segments: the cap bounds them (their
 * bookkeeping counts), and every byte is delivered once, declared lost
 * or counted as a duplicate. */
static void test_many_small(void)
{
	struct sink k;
	struct td_reasm_cb cb = cb_for(&k);
	struct td_reasm r;
	size_t peak = 0;

	/* Every other byte, in increasing order: when the buffer is full
	 * the oldest 1-byte hole is given up, one at a time. */
	td_reasm_init(&r, 4096, NULL);
	td_reasm_syn(&r, 0);
	for (size_t i = 1; i < 4000; i += 2) {
		feed(&r, 0, i, 1, &cb);
		if (r.buffered > peak)
			peak = r.buffered;
	}
	CU_ASSERT(peak <= 4096);
	CU_ASSERT(peak > 1000);  /* it did buffer */
	CU_ASSERT(r.cap_dropped > 0);
	td_reasm_flush(&r, &cb);
	CU_ASSERT_EQUAL(r.delivered, 2000);
	CU_ASSERT_EQUAL(r.gap_bytes, 2000);
	CU_ASSERT_EQUAL(k.len, 2000);
	for (size_t i = 0; i < 2000; i++)
		if (k.out[i] != STREAM[2 * i + 1]) {
			CU_FAIL("wrong byte");
			break;
		}
	CU_ASSERT_EQUAL(r.buffered, 0);
	td_reasm_cleanup(&r);

	/* In decreasing order: each skip jumps past what is still to
	 * come, which then arrives as duplicates. */
	cb = cb_for(&k);
	td_reasm_init(&r, 4096, NULL);
	td_reasm_syn(&r, 0);
	peak = 0;
	for (size_t j = 0; j < 2000; j++) {
		feed(&r, 0, 3999 - 2 * j, 1, &cb);
		if (r.buffered > peak)
			peak = r.buffered;
	}
	CU_ASSERT(peak <= 4096);
	td_reasm_flush(&r, &cb);
	CU_ASSERT_EQUAL(r.delivered + r.gap_bytes, 4000);
	CU_ASSERT_EQUAL(r.delivered + r.dup_bytes, 2000);
	CU_ASSERT_EQUAL(r.delivered, k.len);
	CU_ASSERT_EQUAL(r.gap_bytes, k.gap_total);
	CU_ASSERT_EQUAL(r.buffered, 0);
	td_reasm_cleanup(&r);
}

void td_suite_reasm(void)
{
	init_stream();
	CU_pSuite s = td_test_suite("reasm");
	td_test_add(s, "in order", test_in_order);
	td_test_add(s, "start without SYN", test_no_syn);
	td_test_add(s, "every permutation of 4 segments", test_permutations);
	td_test_add(s, "retransmissions and overlaps", test_overlap);
	td_test_add(s, "sequence wraparound", test_wraparound);
	td_test_add(s, "gaps and flush", test_gap_flush);
	td_test_add(s, "snaplen-cut segments", test_missing);
	td_test_add(s, "per-direction cap and window", test_cap);
	td_test_add(s, "shared budget", test_budget);
	td_test_add(s, "stop", test_stop);
	td_test_add(s, "many small segments", test_many_small);
}
