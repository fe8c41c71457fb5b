/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_pcapng.c - the pcapng block walker and writer (pcapng.h) on
 * hand-made bytes: DSBs found in either byte order and in any split,
 * after packets or not; truncated blocks, wrong and huge lengths, an
 * unknown byte-order magic, a DSB of another secrets type; and the
 * writer's blocks read back by the walker.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "pcapng.h"
#include "tests.h"

/* A stream being built, in one byte order. */
struct ng {
	uint8_t b[4096];
	size_t n;
	bool big;
};

static void u32(struct ng *s, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		s->b[s->n + (size_t)i] = (uint8_t)(s->big ? v >> (24 - 8 * i) : v >> (8 * i));
	s->n += 4;
}

static void raw(struct ng *s, const void *p, size_t n)
{
	memcpy(s->b + s->n, p, n);
	s->n += n;
	while (s->n % 4)
		s->b[s->n++] = 0;
}

static void shb(struct ng *s)
{
	u32(s, TD_PCAPNG_SHB);
	u32(s, 28);
	u32(s, TD_PCAPNG_BOM);
	u32(s, 1);  /* major 1, minor 0, in either order: not looked at */
	u32(s, 0xffffffffu);
	u32(s, 0xffffffffu);
	u32(s, 28);
}

static void idb(struct ng *s)
{
	u32(s, TD_PCAPNG_IDB);
	u32(s, 20);
	u32(s, 1);
	u32(s, 0);
	u32(s, 20);
}

static void epb(struct ng *s, size_t caplen)
{
	static const uint8_t zero[64];
	size_t total = 32 + caplen + ((4 - caplen % 4) % 4);
	u32(s, TD_PCAPNG_EPB);
	u32(s, (uint32_t)total);
	u32(s, 0);
	u32(s, 0);
	u32(s, 0);
	u32(s, (uint32_t)caplen);
	u32(s, (uint32_t)caplen);
	raw(s, zero, caplen);
	u32(s, (uint32_t)total);
}

static void dsb(struct ng *s, uint32_t type, const char *text)
{
	size_t len = strlen(text);
	size_t total = 20 + len + ((4 - len % 4) % 4);
	u32(s, TD_PCAPNG_DSB);
	u32(s, (uint32_t)total);
	u32(s, type);
	u32(s, (uint32_t)len);
	raw(s, text, len);
	u32(s, (uint32_t)total);
}

/* What the walker handed over. */
struct got {
	char text[1024];
	size_t n, calls, after;
};

static void on_secrets(void *ctx, const uint8_t *p, size_t len, bool after_packets)
{
	struct got *g = ctx;
	CU_ASSERT_FATAL(g->n + len < sizeof g->text);
	memcpy(g->text + g->n, p, len);
	g->n += len;
	g->text[g->n] = '\0';
	g->calls++;
	g->after += after_packets;
}

/* Walk s in pieces of step bytes (0: all at once). */
static void walk(const struct ng *s, size_t step, struct got *g, struct td_pcapng_stats *st)
{
	memset(g, 0, sizeof *g);
	struct td_pcapng_walk *w = td_pcapng_walk_new(on_secrets, g);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	for (size_t off = 0; off < s->n;) {
		size_t k = step && step < s->n - off ? step : s->n - off;
		td_pcapng_walk_feed(w, s->b + off, k);
		off += k;
	}
	td_pcapng_walk_end(w);
	td_pcapng_walk_stats(w, st);
	td_pcapng_walk_free(w);
}

#define K1 "CLIENT_RANDOM aa bb\n"
#define K2 "SERVER_HANDSHAKE_TRAFFIC_SECRET cc dd\n"

static void test_pcapng_found_any_split(void)
{
	for (int big = 0; big < 2; big++) {
		struct ng s = { .big = big };
		shb(&s);
		dsb(&s, TD_PCAPNG_SECRETS_TLS, K1);
		idb(&s);
		epb(&s, 61);
		dsb(&s, TD_PCAPNG_SECRETS_TLS, K2);
		epb(&s, 3);
		for (size_t step = 0; step < 40; step++) {
			struct got g;
			struct td_pcapng_stats st;
			walk(&s, step, &g, &st);
			CU_ASSERT_STRING_EQUAL(g.text, K1 K2);
			CU_ASSERT_EQUAL(g.calls, 2);
			CU_ASSERT_EQUAL(g.after, 1);  /* the second came after a packet */
			CU_ASSERT(st.pcapng);
			CU_ASSERT_EQUAL(st.blocks, 6);
			CU_ASSERT_EQUAL(st.tls_blocks, 2);
			CU_ASSERT_EQUAL(st.tls_bytes, strlen(K1 K2));
			CU_ASSERT_PTR_NULL(st.stopped);
			CU_ASSERT_EQUAL(st.cut_blocks, 0);
		}
	}
}

/* A second section in the other byte order is read in its own order. */
static void test_pcapng_two_sections(void)
{
	struct ng a = { .big = false }, b = { .big = true };
	shb(&a);
	idb(&a);
	dsb(&a, TD_PCAPNG_SECRETS_TLS, K1);
	shb(&b);
	dsb(&b, TD_PCAPNG_SECRETS_TLS, K2);
	raw(&a, b.b, b.n);
	struct got g;
	struct td_pcapng_stats st;
	walk(&a, 7, &g, &st);
	CU_ASSERT_STRING_EQUAL(g.text, K1 K2);
	CU_ASSERT_PTR_NULL(st.stopped);
}

static void test_pcapng_not_pcapng(void)
{
	/* A classic pcap header: left alone, nothing counted. */
	struct ng s = { 0 };
	u32(&s, 0xa1b2c3d4u);
	u32(&s, 0x00040002u);
	u32(&s, 0);
	struct got g;
	struct td_pcapng_stats st;
	walk(&s, 1, &g, &st);
	CU_ASSERT(!st.pcapng);
	CU_ASSERT_EQUAL(g.calls, 0);
	CU_ASSERT_EQUAL(st.blocks, 0);
	CU_ASSERT_PTR_NULL(st.stopped);
}

static void test_pcapng_other_type(void)
{
	struct ng s = { 0 };
	shb(&s);
	dsb(&s, 0x57474b4cu, "WireGuard keys\n");  /* "WGKL" */
	dsb(&s, TD_PCAPNG_SECRETS_TLS, K1);
	struct got g;
	struct td_pcapng_stats st;
	walk(&s, 0, &g, &st);
	CU_ASSERT_STRING_EQUAL(g.text, K1);
	CU_ASSERT_EQUAL(st.other_blocks, 1);
	CU_ASSERT_EQUAL(st.other_type, 0x57474b4cu);
}

/* Truncated: every prefix walks without a fault; the DSB is handed over
 * only once it is whole, and a cut inside it is counted. */
static void test_pcapng_truncated(void)
{
	struct ng s = { 0 };
	shb(&s);
	idb(&s);
	size_t dsb_start = s.n;
	dsb(&s, TD_PCAPNG_SECRETS_TLS, K2);
	size_t dsb_end = s.n;
	for (size_t cut = 0; cut <= s.n; cut++) {
		struct ng t = s;
		t.n = cut;
		struct got g;
		struct td_pcapng_stats st;
		walk(&t, 3, &g, &st);
		CU_ASSERT_EQUAL(g.calls, cut == dsb_end ? 1u : 0u);
		CU_ASSERT_EQUAL(st.cut_blocks, cut >= dsb_start + 8 && cut < dsb_end ? 1u : 0u);
		CU_ASSERT_PTR_NULL(st.stopped);
	}
}

static void test_pcapng_bad_lengths(void)
{
	struct got g;
	struct td_pcapng_stats st;
	struct {
		uint32_t total;     /* the DSB's leading length */
		uint32_t trailer;   /* 0: the same */
		uint32_t slen;      /* secrets length; 0: the real one */
		const char *stop;   /* the start of the reason, or NULL */
		unsigned malformed;
	} cases[] = {
		{ 8, 0, 0, "a block shorter", 0 },
		{ 22, 0, 0, "a block length that is not a multiple of 4", 0 },
		{ 40, 44, 0, "a block whose trailing length", 0 },
		{ 40, 0, 1000, NULL, 1 },          /* secrets overrun the body */
		{ 40, 0, 0xfffffff0u, NULL, 1 },
		{ 12, 0, 0, NULL, 1 },             /* no room for type and length */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ng s = { 0 };
		shb(&s);
		u32(&s, TD_PCAPNG_DSB);
		u32(&s, cases[i].total);
		if (cases[i].total >= 20) {
			u32(&s, TD_PCAPNG_SECRETS_TLS);
			u32(&s, cases[i].slen ? cases[i].slen : cases[i].total - 20);
			for (uint32_t k = 20; k < cases[i].total; k += 4)
				u32(&s, 0x41414141u);
		}
		u32(&s, cases[i].trailer ? cases[i].trailer : cases[i].total);
		dsb(&s, TD_PCAPNG_SECRETS_TLS, K1);  /* found only if the walk goes on */
		walk(&s, 5, &g, &st);
		if (cases[i].stop) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(st.stopped);
			CU_ASSERT_EQUAL(strncmp(st.stopped, cases[i].stop, strlen(cases[i].stop)), 0);
			CU_ASSERT_EQUAL(g.calls, 0);
		} else {
			CU_ASSERT_PTR_NULL(st.stopped);
			CU_ASSERT_STRING_EQUAL(g.text, K1);
		}
		CU_ASSERT_EQUAL(st.malformed_blocks, cases[i].malformed);
	}
}

/* A DSB declaring more than the cap is passed over, not kept: nothing is
 * allocated for it, it is counted, and the walk goes on after it. */
static void test_pcapng_huge(void)
{
	struct ng s = { 0 };
	shb(&s);
	u32(&s, TD_PCAPNG_DSB);
	u32(&s, 0xfffffffcu);
	struct got g;
	memset(&g, 0, sizeof g);
	struct td_pcapng_walk *w = td_pcapng_walk_new(on_secrets, &g);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	td_pcapng_walk_feed(w, s.b, s.n);
	/* Its body: ~4 GiB of zeros would take long; feed 1 MiB and stop. */
	uint8_t *zeros = calloc(1, 1u << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(zeros);
	td_pcapng_walk_feed(w, zeros, 1u << 20);
	free(zeros);
	td_pcapng_walk_end(w);
	struct td_pcapng_stats st;
	td_pcapng_walk_stats(w, &st);
	CU_ASSERT_EQUAL(st.dropped_blocks, 1);
	CU_ASSERT_EQUAL(st.cut_blocks, 0);  /* not being kept */
	CU_ASSERT_EQUAL(g.calls, 0);
	td_pcapng_walk_free(w);

	/* Just over the cap, whole: skipped, and the next DSB is found. */
	size_t body = TD_CAP_DSB_BYTES + 4;
	size_t total = 12 + body;
	uint8_t *big = calloc(1, total + 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	struct ng h = { 0 };
	shb(&h);
	u32(&h, TD_PCAPNG_DSB);
	u32(&h, (uint32_t)total);
	u32(&h, TD_PCAPNG_SECRETS_TLS);
	u32(&h, (uint32_t)body - 8);
	memset(&g, 0, sizeof g);
	w = td_pcapng_walk_new(on_secrets, &g);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	td_pcapng_walk_feed(w, h.b, h.n);
	td_pcapng_walk_feed(w, big, body - 8);
	struct ng t = { 0 };
	u32(&t, (uint32_t)total);
	dsb(&t, TD_PCAPNG_SECRETS_TLS, K1);
	td_pcapng_walk_feed(w, t.b, t.n);
	td_pcapng_walk_stats(w, &st);
	CU_ASSERT_EQUAL(st.dropped_blocks, 1);
	CU_ASSERT_STRING_EQUAL(g.text, K1);
	td_pcapng_walk_free(w);
	free(big);
}

/* A section header whose byte-order magic is neither order's. */
static void test_pcapng_bad_bom(void)
{
	struct ng s = { 0 };
	u32(&s, TD_PCAPNG_SHB);
	u32(&s, 28);
	u32(&s, 0x1A2B3C4Eu);
	u32(&s, 1);
	u32(&s, 0xffffffffu);
	u32(&s, 0xffffffffu);
	u32(&s, 28);
	dsb(&s, TD_PCAPNG_SECRETS_TLS, K1);
	struct got g;
	struct td_pcapng_stats st;
	walk(&s, 0, &g, &st);
	CU_ASSERT_PTR_NOT_NULL(st.stopped);
	CU_ASSERT_EQUAL(g.calls, 0);
	/* The whole stream in the wrong order for its magic cannot happen:
	 * the magic decides the order.  A big-endian section whose blocks
	 * were written little-endian: its DSB's length (36) reads as
	 * 0x24000000, over the cap: skipped and counted, never kept; its
	 * type reads as 0x0A000000, not a DSB, in the first place. */
	struct ng m = { .big = true };
	shb(&m);
	m.big = false;
	dsb(&m, TD_PCAPNG_SECRETS_TLS, K1);
	walk(&m, 0, &g, &st);
	CU_ASSERT_EQUAL(g.calls, 0);
	CU_ASSERT_EQUAL(st.tls_blocks, 0);
}

/* The writer's blocks, read back by the walker. */
static void test_pcapng_writer(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	static const uint8_t frame[61] = { 1, 2, 3 };
	CU_ASSERT_EQUAL(td_pcapng_write_header(f, 1, 262144, "tlsdiag test"), TD_OK);
	CU_ASSERT_EQUAL(td_pcapng_write_secrets(f, (const uint8_t *)K1, strlen(K1)), TD_OK);
	CU_ASSERT_EQUAL(td_pcapng_write_packet(f, 1700000000123456u, frame, sizeof frame, 1514), TD_OK);
	CU_ASSERT_EQUAL(td_pcapng_write_secrets(f, (const uint8_t *)K2, strlen(K2) - 1), TD_OK);
	CU_ASSERT_EQUAL(fclose(f), 0);
	CU_ASSERT_EQUAL(len % 4, 0);
	struct ng s = { 0 };
	CU_ASSERT_FATAL(len <= sizeof s.b);
	memcpy(s.b, buf, len);
	s.n = len;
	struct got g;
	struct td_pcapng_stats st;
	walk(&s, 0, &g, &st);
	CU_ASSERT(st.pcapng);
	CU_ASSERT_PTR_NULL(st.stopped);
	CU_ASSERT_EQUAL(st.blocks, 5);
	CU_ASSERT_EQUAL(g.calls, 2);
	CU_ASSERT_EQUAL(g.after, 1);
	CU_ASSERT_EQUAL(memcmp(g.text, K1 K2, strlen(K1 K2) - 1), 0);
	free(buf);
}

void td_suite_pcapng(void)
{
	CU_pSuite s = td_test_suite("pcapng");
	td_test_add(s, "DSBs in either byte order, any split", test_pcapng_found_any_split);
	td_test_add(s, "two sections, two byte orders", test_pcapng_two_sections);
	td_test_add(s, "classic pcap left alone", test_pcapng_not_pcapng);
	td_test_add(s, "DSB of another secrets type", test_pcapng_other_type);
	td_test_add(s, "truncated at every byte", test_pcapng_truncated);
	td_test_add(s, "wrong lengths", test_pcapng_bad_lengths);
	td_test_add(s, "huge lengths", test_pcapng_huge);
	td_test_add(s, "byte-order magic", test_pcapng_bad_bom);
	td_test_add(s, "writer read back", test_pcapng_writer);
}
