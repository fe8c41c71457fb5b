/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_flowtab.c - the flow table: both directions, LRU eviction when
 * full, idle expiry, flush, remove, and 100k flows.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "flowtab.h"
#include "frames.h"
#include "tests.h"

/* Evictions seen: each state (an int) and why, in order. */
struct evlog {
	int state[64];
	enum td_evict_reason why[64];
	size_t n;
	size_t total;
};

static void on_evict(void *ctx, void *state, enum td_evict_reason why)
{
	struct evlog *l = ctx;
	if (l->n < 64) {
		l->state[l->n] = *(int *)state;
		l->why[l->n] = why;
		l->n++;
	}
	l->total++;
}

/* A segment from src:sport to dst:dport at time ts. */
static struct td_segment mkseg(const char *src, uint16_t sport, const char *dst,
			       uint16_t dport, uint64_t ts)
{
	struct td_segment s;
	memset(&s, 0, sizeof s);
	CU_ASSERT_FATAL(td_frame_addr(&s.src, src) && td_frame_addr(&s.dst, dst));
	s.sport = sport;
	s.dport = dport;
	s.ts_us = ts;
	return s;
}

static struct td_segment reversed(const struct td_segment *s)
{
	struct td_segment r = *s;
	r.src = s->dst;
	r.dst = s->src;
	r.sport = s->dport;
	r.dport = s->sport;
	return r;
}

static void test_lookup(void)
{
	struct evlog log = { 0 };
	int st[3] = { 1, 2, 3 };
	struct td_flowtab *t = td_flowtab_new(10, on_evict, &log);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);

	struct td_segment a = mkseg("192.0.2.1", 50000, "192.0.2.2", 443, 1);
	struct td_segment b = mkseg("2001:db8::1", 50000, "2001:db8::2", 443, 1);
	struct td_segment c = mkseg("192.0.2.1", 50001, "192.0.2.2", 443, 1);
	bool from_a = false;
	CU_ASSERT_PTR_NULL(td_flowtab_lookup(t, &a, &from_a));
	CU_ASSERT_EQUAL(td_flowtab_add(t, &a, &st[0]), TD_OK);
	CU_ASSERT_EQUAL(td_flowtab_add(t, &b, &st[1]), TD_OK);
	CU_ASSERT_EQUAL(td_flowtab_add(t, &c, &st[2]), TD_OK);
	CU_ASSERT_EQUAL(td_flowtab_count(t), 3);
	/* The same flow twice is the caller's mistake, in either direction. */
	struct td_segment ra = reversed(&a);
	CU_ASSERT_EQUAL(td_flowtab_add(t, &a, &st[0]), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_flowtab_add(t, &ra, &st[0]), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_flowtab_count(t), 3);

	CU_ASSERT_PTR_EQUAL(td_flowtab_lookup(t, &a, &from_a), &st[0]);
	CU_ASSERT(from_a);
	CU_ASSERT_PTR_EQUAL(td_flowtab_lookup(t, &ra, &from_a), &st[0]);
	CU_ASSERT(!from_a);
	struct td_segment rb = reversed(&b);
	CU_ASSERT_PTR_EQUAL(td_flowtab_lookup(t, &rb, &from_a), &st[1]);
	CU_ASSERT(!from_a);
	CU_ASSERT_PTR_EQUAL(td_flowtab_lookup(t, &c, &from_a), &st[2]);
	CU_ASSERT(from_a);

	/* Near misses: other port, other address, other family. */
	struct td_segment m1 = mkseg("192.0.2.1", 50000, "192.0.2.2", 444, 1);
	struct td_segment m2 = mkseg("192.0.2.3", 50000, "192.0.2.2", 443, 1);
	struct td_segment m3 = mkseg("::ffff:192.0.2.1", 50000, "::ffff:192.0.2.2", 443, 1);
	struct td_segment m4 = mkseg("192.0.2.1", 443, "192.0.2.2", 50000, 1);
	CU_ASSERT_PTR_NULL(td_flowtab_lookup(t, &m1, &from_a));
	CU_ASSERT_PTR_NULL(td_flowtab_lookup(t, &m2, &from_a));
	CU_ASSERT_PTR_NULL(td_flowtab_lookup(t, &m3, &from_a));
	CU_ASSERT_PTR_NULL(td_flowtab_lookup(t, &m4, &from_a));
	/* Bytes past an IPv4 address are not part of it. */
	struct td_segment junk = a;
	junk.src.b[9] = 0x55;
	junk.dst.b[15] = 0xaa;
	CU_ASSERT_PTR_EQUAL(td_flowtab_lookup(t, &junk, &from_a), &st[0]);
	/* from_a may be NULL. */
	CU_ASSERT_PTR_EQUAL(td_flowtab_lookup(t, &b, NULL), &st[1]);

	/* Remove hands the state back without an eviction. */
	CU_ASSERT_PTR_EQUAL(td_flowtab_remove(t, &rb), &st[1]);
	CU_ASSERT_PTR_NULL(td_flowtab_remove(t, &b));
	CU_ASSERT_PTR_NULL(td_flowtab_lookup(t, &b, &from_a));
	CU_ASSERT_EQUAL(td_flowtab_count(t), 2);
	CU_ASSERT_EQUAL(log.total, 0);
	/* Found right after being removed and added again (the table
	 * remembers the flow of the last lookup: not a stale one). */
	int again = 9;
	CU_ASSERT_PTR_EQUAL(td_flowtab_lookup(t, &a, &from_a), &st[0]);
	CU_ASSERT_PTR_EQUAL(td_flowtab_remove(t, &a), &st[0]);
	CU_ASSERT_PTR_NULL(td_flowtab_lookup(t, &ra, &from_a));
	CU_ASSERT_EQUAL(td_flowtab_add(t, &ra, &again), TD_OK);
	CU_ASSERT_PTR_EQUAL(td_flowtab_lookup(t, &a, &from_a), &again);
	CU_ASSERT(!from_a);  /* the flow now starts on the other side */
	CU_ASSERT_PTR_EQUAL(td_flowtab_lookup(t, &a, &from_a), &again);
	CU_ASSERT_PTR_EQUAL(td_flowtab_remove(t, &a), &again);
	CU_ASSERT_EQUAL(td_flowtab_add(t, &a, &st[0]), TD_OK);

	/* Free flushes what is left. */
	td_flowtab_free(t);
	CU_ASSERT_EQUAL(log.n, 2);
	CU_ASSERT(log.why[0] == TD_EVICT_FLUSH && log.why[1] == TD_EVICT_FLUSH);
	td_flowtab_free(NULL);
}

static struct td_segment flow_n(int i, uint64_t ts)
{
	struct td_segment s = mkseg("10.0.0.1", 0, "10.0.0.2", 443, ts);
	s.sport = (uint16_t)(1000 + i);
	return s;
}

static void test_lru(void)
{
	struct evlog log = { 0 };
	int st[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	struct td_flowtab *t = td_flowtab_new(3, on_evict, &log);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (int i = 0; i < 3; i++) {
		struct td_segment s = flow_n(i, (uint64_t)i);
		CU_ASSERT_EQUAL(td_flowtab_add(t, &s, &st[i]), TD_OK);
	}
	/* Touch flow 0 (from B's side): flow 1 is now the oldest. */
	struct td_segment s0 = flow_n(0, 10);
	struct td_segment r0 = reversed(&s0);
	CU_ASSERT_PTR_EQUAL(td_flowtab_lookup(t, &r0, NULL), &st[0]);

	struct td_segment s3 = flow_n(3, 11);
	CU_ASSERT_EQUAL(td_flowtab_add(t, &s3, &st[3]), TD_OK);
	CU_ASSERT_EQUAL(log.n, 1);
	CU_ASSERT_EQUAL(log.state[0], 1);
	CU_ASSERT_EQUAL(log.why[0], TD_EVICT_FULL);
	CU_ASSERT_EQUAL(td_flowtab_count(t), 3);
	CU_ASSERT_EQUAL(td_flowtab_evicted_full(t), 1);

	struct td_segment s4 = flow_n(4, 12);
	CU_ASSERT_EQUAL(td_flowtab_add(t, &s4, &st[4]), TD_OK);
	CU_ASSERT_EQUAL(log.n, 2);
	CU_ASSERT_EQUAL(log.state[1], 2);
	CU_ASSERT_EQUAL(td_flowtab_evicted_full(t), 2);
	struct td_segment s1 = flow_n(1, 13);
	CU_ASSERT_PTR_NULL(td_flowtab_lookup(t, &s1, NULL));

	/* Flush: oldest first (0, 3, 4). */
	td_flowtab_flush(t);
	CU_ASSERT_EQUAL(log.n, 5);
	CU_ASSERT(log.state[2] == 0 && log.state[3] == 3 && log.state[4] == 4);
	CU_ASSERT(log.why[2] == TD_EVICT_FLUSH && log.why[4] == TD_EVICT_FLUSH);
	CU_ASSERT_EQUAL(td_flowtab_count(t), 0);
	CU_ASSERT_EQUAL(td_flowtab_evicted_full(t), 2);
	td_flowtab_free(t);
	CU_ASSERT_EQUAL(log.n, 5);
}

static void test_expire(void)
{
	struct evlog log = { 0 };
	int st[4] = { 0, 1, 2, 3 };
	struct td_flowtab *t = td_flowtab_new(100, on_evict, &log);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (int i = 0; i < 4; i++) {
		struct td_segment s = flow_n(i, 100 * (uint64_t)(i + 1));  /* 100..400 */
		CU_ASSERT_EQUAL(td_flowtab_add(t, &s, &st[i]), TD_OK);
	}
	/* Flow 0 seen again at 450. */
	struct td_segment s0 = flow_n(0, 450);
	CU_ASSERT_PTR_NOT_NULL(td_flowtab_lookup(t, &s0, NULL));
	/* A packet with an older timestamp does not make flow 0 idle. */
	s0.ts_us = 50;
	CU_ASSERT_PTR_NOT_NULL(td_flowtab_lookup(t, &s0, NULL));

	/* LRU order now: 1 (200), 2 (300), 3 (400), 0 (450). */
	td_flowtab_expire(t, 50, 100);   /* now < timeout: nothing */
	CU_ASSERT_EQUAL(log.n, 0);
	td_flowtab_expire(t, 400, 150);  /* idle before 250: flow 1 */
	CU_ASSERT_EQUAL(log.n, 1);
	CU_ASSERT_EQUAL(log.state[0], 1);
	CU_ASSERT_EQUAL(log.why[0], TD_EVICT_IDLE);
	td_flowtab_expire(t, 500, 50);   /* before 450: flows 2 and 3, not 0 (450) */
	CU_ASSERT_EQUAL(log.n, 3);
	CU_ASSERT(log.state[1] == 2 && log.state[2] == 3);
	CU_ASSERT_EQUAL(td_flowtab_count(t), 1);
	td_flowtab_expire(t, 500, 50);
	CU_ASSERT_EQUAL(td_flowtab_count(t), 1);
	td_flowtab_expire(t, 501, 50);
	CU_ASSERT_EQUAL(td_flowtab_count(t), 0);
	CU_ASSERT_EQUAL(log.state[3], 0);
	CU_ASSERT_EQUAL(td_flowtab_evicted_full(t), 0);
	td_flowtab_free(t);
	CU_ASSERT_EQUAL(log.total, 4);
}

/* An evict callback that frees what it is given. */
static void free_evict(void *ctx, void *state, enum td_evict_reason why)
{
	size_t *n = ctx;
	(*n)++;
	(void)why;
	free(state);
}

static struct td_segment flow_big(uint32_t i)
{
	struct td_segment s;
	memset(&s, 0, sizeof s);
	s.src.family = s.dst.family = (i & 1) ? 6 : 4;
	s.src.b[0] = 10;
	s.src.b[1] = (uint8_t)(i >> 16);
	s.src.b[2] = (uint8_t)(i >> 8);
	s.src.b[3] = (uint8_t)i;
	s.dst.b[0] = 192;
	s.dst.b[3] = 1;
	s.sport = (uint16_t)(i * 7);
	s.dport = 443;
	s.ts_us = i;
	return s;
}

static void test_many(void)
{
	enum { N = 100000 };
	size_t evicted = 0;
	struct td_flowtab *t = td_flowtab_new(2 * N, free_evict, &evicted);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (uint32_t i = 0; i < N; i++) {
		struct td_segment s = flow_big(i);
		uint32_t *st = malloc(sizeof *st);
		CU_ASSERT_PTR_NOT_NULL_FATAL(st);
		*st = i;
		CU_ASSERT_EQUAL_FATAL(td_flowtab_add(t, &s, st), TD_OK);
	}
	CU_ASSERT_EQUAL(td_flowtab_count(t), N);
	size_t bad = 0;
	for (uint32_t i = 0; i < N; i++) {
		struct td_segment s = flow_big(i);
		struct td_segment r = reversed(&s);
		bool from_a = false;
		uint32_t *st = td_flowtab_lookup(t, &s, &from_a);
		if (!st || *st != i || !from_a)
			bad++;
		st = td_flowtab_lookup(t, &r, &from_a);
		if (!st || *st != i || from_a)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* Remove the even ones. */
	for (uint32_t i = 0; i < N; i += 2) {
		struct td_segment s = flow_big(i);
		uint32_t *st = td_flowtab_remove(t, &s);
		if (!st || *st != i)
			bad++;
		free(st);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(td_flowtab_count(t), N / 2);
	for (uint32_t i = 0; i < N; i++) {
		struct td_segment s = flow_big(i);
		uint32_t *st = td_flowtab_lookup(t, &s, NULL);
		if ((i & 1) ? (!st || *st != i) : st != NULL)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(evicted, 0);
	td_flowtab_free(t);
	CU_ASSERT_EQUAL(evicted, N / 2);

	/* A full small table under churn: always exactly max flows. */
	evicted = 0;
	t = td_flowtab_new(1000, free_evict, &evicted);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (uint32_t i = 0; i < 20000; i++) {
		struct td_segment s = flow_big(i);
		uint32_t *st = malloc(sizeof *st);
		CU_ASSERT_PTR_NOT_NULL_FATAL(st);
		*st = i;
		CU_ASSERT_EQUAL_FATAL(td_flowtab_add(t, &s, st), TD_OK);
	}
	CU_ASSERT_EQUAL(td_flowtab_count(t), 1000);
	CU_ASSERT_EQUAL(td_flowtab_evicted_full(t), 19000);
	CU_ASSERT_EQUAL(evicted, 19000);
	/* The newest 1000 are the ones left. */
	struct td_segment last = flow_big(19000);
	struct td_segment gone = flow_big(18999);
	CU_ASSERT_PTR_NOT_NULL(td_flowtab_lookup(t, &last, NULL));
	CU_ASSERT_PTR_NULL(td_flowtab_lookup(t, &gone, NULL));
	td_flowtab_free(t);
	CU_ASSERT_EQUAL(evicted, 20000);
}

/* max_flows 0 is taken as 1: the table still works, evicting each time. */
static void test_zero_cap(void)
{
	struct evlog log = { 0 };
	int st[2] = { 7, 8 };
	struct td_flowtab *t = td_flowtab_new(0, on_evict, &log);  /* taken as 1 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	struct td_segment a = flow_n(1, 1), b = flow_n(2, 2);
	CU_ASSERT_EQUAL(td_flowtab_add(t, &a, &st[0]), TD_OK);
	CU_ASSERT_EQUAL(td_flowtab_add(t, &b, &st[1]), TD_OK);
	CU_ASSERT_EQUAL(td_flowtab_count(t), 1);
	CU_ASSERT_EQUAL(log.n, 1);
	CU_ASSERT_EQUAL(log.state[0], 7);
	td_flowtab_free(t);
	CU_ASSERT_EQUAL(log.n, 2);
	CU_ASSERT_EQUAL(log.state[1], 8);
}

void td_suite_flowtab(void)
{
	CU_pSuite s = td_test_suite("flowtab");
	td_test_add(s, "lookup in both directions, remove", test_lookup);
	td_test_add(s, "LRU eviction when full, flush order", test_lru);
	td_test_add(s, "idle expiry", test_expire);
	td_test_add(s, "100k flows", test_many);
	td_test_add(s, "max_flows 0", test_zero_cap);
}
