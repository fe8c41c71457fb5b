/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_util.c - the bounded reader, dynbuf, lists and text helpers. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "caps.h"
#include "dynbuf.h"
#include "list.h"
#include "reader.h"
#include "tests.h"
#include "text.h"

static void test_reader_getters(void)
{
	static const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a };
	struct td_reader r = td_rd_make(b, sizeof b);
	CU_ASSERT_EQUAL(td_rd_u8(&r), 0x01);
	CU_ASSERT_EQUAL(td_rd_u16(&r), 0x0203);
	CU_ASSERT_EQUAL(td_rd_u24(&r), 0x040506);
	CU_ASSERT_EQUAL(td_rd_u32(&r), 0x0708090a);
	CU_ASSERT_TRUE(td_rd_done(&r));
	/* Overrun: 0, sticky error, stays failed. */
	CU_ASSERT_EQUAL(td_rd_u8(&r), 0);
	CU_ASSERT_FALSE(td_rd_ok(&r));
	CU_ASSERT_EQUAL(td_rd_left(&r), 0);
}

static void test_reader_sticky(void)
{
	static const uint8_t b[] = { 0xaa, 0xbb, 0xcc };
	struct td_reader r = td_rd_make(b, sizeof b);
	CU_ASSERT_EQUAL(td_rd_u32(&r), 0);   /* too long */
	CU_ASSERT_FALSE(td_rd_ok(&r));
	CU_ASSERT_EQUAL(td_rd_u8(&r), 0);    /* would fit, but the error is sticky */
	CU_ASSERT_PTR_NULL(td_rd_bytes(&r, 0));
}

static void test_reader_vectors(void)
{
	/* <2 bytes: 02 | 11 22> <u16 len 3: 00 03 | 33 44 55> trailing 66 */
	static const uint8_t b[] = { 0x02, 0x11, 0x22, 0x00, 0x03, 0x33, 0x44, 0x55, 0x66 };
	struct td_reader r = td_rd_make(b, sizeof b);
	struct td_reader v8 = td_rd_vec8(&r);
	CU_ASSERT_EQUAL(td_rd_left(&v8), 2);
	CU_ASSERT_EQUAL(td_rd_u16(&v8), 0x1122);
	CU_ASSERT_TRUE(td_rd_done(&v8));
	struct td_reader v16 = td_rd_vec16(&r);
	CU_ASSERT_EQUAL(td_rd_u24(&v16), 0x334455);
	CU_ASSERT_EQUAL(td_rd_u8(&v16), 0);  /* child overrun does not spill */
	CU_ASSERT_FALSE(td_rd_ok(&v16));
	CU_ASSERT_TRUE(td_rd_ok(&r));
	CU_ASSERT_EQUAL(td_rd_u8(&r), 0x66);
	CU_ASSERT_TRUE(td_rd_done(&r));
}

static void test_reader_lying_length(void)
{
	/* A u16 vector claiming 0x0100 bytes with 2 present. */
	static const uint8_t b[] = { 0x01, 0x00, 0xaa, 0xbb };
	struct td_reader r = td_rd_make(b, sizeof b);
	struct td_reader v = td_rd_vec16(&r);
	CU_ASSERT_FALSE(td_rd_ok(&r));
	CU_ASSERT_FALSE(td_rd_ok(&v));
	CU_ASSERT_EQUAL(td_rd_left(&v), 0);
	/* Every prefix of a u24 read fails cleanly. */
	for (size_t n = 0; n < 3; n++) {
		struct td_reader p = td_rd_make(b, n);
		CU_ASSERT_EQUAL(td_rd_u24(&p), 0);
		CU_ASSERT_FALSE(td_rd_ok(&p));
	}
	struct td_reader nul = td_rd_make(NULL, 10);
	CU_ASSERT_EQUAL(td_rd_left(&nul), 0);
	CU_ASSERT_EQUAL(td_rd_u8(&nul), 0);
	CU_ASSERT_FALSE(td_rd_ok(&nul));
}

static void test_dynbuf(void)
{
	struct td_dynbuf b;
	td_dynbuf_init(&b, 10);
	CU_ASSERT_EQUAL(td_dynbuf_add(&b, "hello", 5), TD_OK);
	CU_ASSERT_EQUAL(td_dynbuf_add(&b, "world!", 6), TD_ERR_CAP);
	CU_ASSERT_EQUAL(b.len, 5);   /* unchanged on failure */
	CU_ASSERT_EQUAL(td_dynbuf_add(&b, "world", 5), TD_OK);
	CU_ASSERT_EQUAL(b.len, 10);
	CU_ASSERT_EQUAL(memcmp(b.data, "helloworld", 10), 0);
	td_dynbuf_consume(&b, 5);
	CU_ASSERT_EQUAL(b.len, 5);
	CU_ASSERT_EQUAL(memcmp(b.data, "world", 5), 0);
	td_dynbuf_consume(&b, 99);
	CU_ASSERT_EQUAL(b.len, 0);
	td_dynbuf_cleanup(&b);
	CU_ASSERT_PTR_NULL(b.data);
}

static void test_lists(void)
{
	struct td_u16list l = { 0 };
	for (unsigned i = 0; i < TD_CAP_LIST + 5; i++)
		CU_ASSERT_EQUAL(td_u16list_add(&l, (uint16_t)i), TD_OK);
	CU_ASSERT_EQUAL(l.n, TD_CAP_LIST);
	CU_ASSERT_EQUAL(l.dropped, 5);
	CU_ASSERT_TRUE(td_u16list_has(&l, 7));
	CU_ASSERT_FALSE(td_u16list_has(&l, (uint16_t)(TD_CAP_LIST + 1)));
	td_u16list_cleanup(&l);

	/* Reserved room: one allocation, never past the cap, items as before. */
	CU_ASSERT_EQUAL(td_u16list_reserve(&l, 3), TD_OK);
	CU_ASSERT_EQUAL(l.alloc, 3);
	uint16_t *v = l.v;
	for (unsigned i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(td_u16list_add(&l, (uint16_t)(100 + i)), TD_OK);
	CU_ASSERT_PTR_EQUAL(l.v, v);
	CU_ASSERT_EQUAL(l.n, 3);
	CU_ASSERT_EQUAL(l.v[2], 102);
	CU_ASSERT_EQUAL(td_u16list_reserve(&l, 1), TD_OK);
	CU_ASSERT_EQUAL(l.alloc, 4);
	CU_ASSERT_EQUAL(td_u16list_reserve(&l, (size_t)-1), TD_OK);  /* no overflow */
	CU_ASSERT_EQUAL(l.alloc, TD_CAP_LIST);
	CU_ASSERT_EQUAL(l.v[1], 101);
	td_u16list_cleanup(&l);

	/* From the wire: big-endian pairs, an odd last byte left for the
	 * caller, items past the cap counted as dropped. */
	static const uint8_t wire[] = { 0x13, 0x01, 0xc0, 0x2f, 0x00, 0x0a, 0x7f };
	struct td_reader r = td_rd_make(wire, sizeof wire);
	CU_ASSERT_EQUAL(td_u16list_add_wire(&l, &r), TD_OK);
	CU_ASSERT_EQUAL(l.n, 3);
	CU_ASSERT(l.v[0] == 0x1301 && l.v[1] == 0xc02f && l.v[2] == 0x000a);
	CU_ASSERT_EQUAL(td_rd_left(&r), 1);
	CU_ASSERT_EQUAL(l.dropped, 0);
	uint8_t *many = malloc(2 * TD_CAP_LIST);
	CU_ASSERT_PTR_NOT_NULL_FATAL(many);
	memset(many, 0xab, 2 * TD_CAP_LIST);
	r = td_rd_make(many, 2 * TD_CAP_LIST);
	CU_ASSERT_EQUAL(td_u16list_add_wire(&l, &r), TD_OK);
	CU_ASSERT_EQUAL(l.n, TD_CAP_LIST);
	CU_ASSERT_EQUAL(l.dropped, 3);
	CU_ASSERT_EQUAL(l.v[TD_CAP_LIST - 1], 0xabab);
	CU_ASSERT_EQUAL(td_rd_left(&r), 0);
	free(many);
	td_u16list_cleanup(&l);

	struct td_strlist s = { 0 };
	CU_ASSERT_EQUAL(td_strlist_add(&s, "a"), TD_OK);
	CU_ASSERT_EQUAL(td_strlist_take(&s, strdup("b")), TD_OK);
	CU_ASSERT_EQUAL(td_strlist_take(&s, NULL), TD_ERR_NOMEM);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_STRING_EQUAL(s.v[1], "b");
	td_strlist_cleanup(&s);
}

static void check_sanitize(const char *in, size_t n, const char *want)
{
	char *got = td_text_sanitize((const uint8_t *)in, n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void test_sanitize(void)
{
	check_sanitize("tls-server.local", 16, "tls-server.local");
	check_sanitize("caf\xc3\xa9", 5, "caf\xc3\xa9");          /* valid UTF-8 kept */
	check_sanitize("a\0b", 3, "a\\x00b");                       /* NUL */
	check_sanitize("\x1b[31m", 5, "\\x1b[31m");                 /* terminal escape */
	check_sanitize("back\\slash", 10, "back\\\\slash");
	check_sanitize("\xc3", 1, "\\xc3");                         /* truncated sequence */
	check_sanitize("\xc0\xaf", 2, "\\xc0\\xaf");                /* overlong */
	check_sanitize("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");       /* surrogate */
	check_sanitize("\xc2\x85", 2, "\\xc2\\x85");                /* C1 control */
	check_sanitize("\x7f", 1, "\\x7f");
	check_sanitize(NULL, 4, "");

	char big[TD_CAP_STRING + 10];
	memset(big, 'x', sizeof big);
	char *s = td_text_sanitize((const uint8_t *)big, sizeof big);
	CU_ASSERT_EQUAL(strlen(s), TD_CAP_STRING + 3);
	CU_ASSERT_STRING_EQUAL(s + TD_CAP_STRING, "...");
	free(s);
}

static void test_hex_time(void)
{
	char out[32];
	static const uint8_t b[] = { 0x00, 0xab, 0xff };
	td_text_hex(out, b, 3, 0);
	CU_ASSERT_STRING_EQUAL(out, "00abff");
	td_text_hex(out, b, 3, ':');
	CU_ASSERT_STRING_EQUAL(out, "00:ab:ff");
	/* 2024-02-29T18:40:22.000123Z = 1709232022 s */
	td_text_time(out, sizeof out, 1709232022ull * 1000000u + 123u);
	CU_ASSERT_STRING_EQUAL(out, "2024-02-29T18:40:22.000123Z");
	/* The digits written by hand agree with strftime, every 7,777,777 s
	 * (about 90 days) from 1970 to 2100 and at the edges. */
	static const uint64_t edges[] = { 0, 999999, 951782400000000ull /* 2000-02-29 */,
					  253402300799999999ull /* 9999-12-31T23:59:59 */ };
	for (uint64_t i = 0; i < 530 + 4; i++) {
		uint64_t us = i < 4 ? edges[i] : (i - 4) * 7777777ull * 1000000u + (i * 37u) % 1000000u;
		time_t secs = (time_t)(us / 1000000u);
		struct tm tm;
		CU_ASSERT_FATAL(gmtime_r(&secs, &tm) != NULL);
		char date[40], want[64];
		strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want, sizeof want, "%s.%06uZ", date, (unsigned)(us % 1000000u));
		td_text_time(out, sizeof out, us);
		CU_ASSERT_STRING_EQUAL(out, want);
	}
	/* Too small a buffer: cut short, still terminated. */
	char small[12];
	td_text_time(small, sizeof small, 1709232022ull * 1000000u);
	CU_ASSERT_STRING_EQUAL(small, "2024-02-29T");

	/* Relative times, written by hand too: what printf writes, signs,
	 * the extremes and a cut included. */
	static const int64_t rel[] = { 0, 1, -1, 999999, 1000000, -1000001, 302, 123456789012,
				       INT64_MAX, -INT64_MAX, INT64_MIN };
	for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		int64_t us = rel[i];
		uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
		char want[40];
		snprintf(want, sizeof want, "%c%" PRIu64 ".%06" PRIu64, us < 0 ? '-' : '+',
			 mag / 1000000u, mag % 1000000u);
		td_text_rel_time(out, sizeof out, us);
		CU_ASSERT_STRING_EQUAL(out, want);
		td_text_rel_time(small, 6, us);
		want[5] = '\0';
		CU_ASSERT_STRING_EQUAL(small, want);
	}
}

/* Two buffers sharing a budget: growth is charged, refused past the
 * cap (bytes counted as dropped, buffer unchanged), given back on reset. */
static void test_dynbuf_budget(void)
{
	struct td_budget budget = { .used = 0, .cap = 1536, .dropped = 0 };
	struct td_dynbuf a, b;
	td_dynbuf_init(&a, 4096);
	td_dynbuf_init(&b, 4096);
	td_dynbuf_set_budget(&a, &budget);
	td_dynbuf_set_budget(&b, &budget);
	static uint8_t bytes[2048];
	CU_ASSERT_EQUAL(td_dynbuf_add(&a, bytes, 100), TD_OK);
	CU_ASSERT_EQUAL(budget.used, a.alloc);
	CU_ASSERT_EQUAL(budget.used, 256);           /* the first allocation */
	CU_ASSERT_EQUAL(td_dynbuf_add(&b, bytes, 600), TD_OK);
	CU_ASSERT_EQUAL(budget.used, 256 + 1024);
	/* a would grow from 256 to 1024 bytes: 768 more, over the cap. */
	size_t used = budget.used, len = a.len;
	CU_ASSERT_EQUAL(td_dynbuf_add(&a, bytes, 500), TD_ERR_CAP);
	CU_ASSERT_EQUAL(budget.dropped, 500);
	CU_ASSERT_EQUAL(budget.used, used);
	CU_ASSERT_EQUAL(a.len, len);
	/* Giving b's memory back makes room. */
	td_dynbuf_reset(&b);
	CU_ASSERT_EQUAL(budget.used, 256);
	CU_ASSERT_EQUAL(td_dynbuf_add(&a, bytes, 500), TD_OK);
	CU_ASSERT_EQUAL(budget.used, 1024);
	td_dynbuf_cleanup(&a);
	td_dynbuf_cleanup(&b);
	CU_ASSERT_EQUAL(budget.used, 0);
}

void td_suite_util(void)
{
	CU_pSuite s = td_test_suite("util");
	td_test_add(s, "reader getters", test_reader_getters);
	td_test_add(s, "reader sticky error", test_reader_sticky);
	td_test_add(s, "reader vectors", test_reader_vectors);
	td_test_add(s, "reader lying lengths", test_reader_lying_length);
	td_test_add(s, "dynbuf cap", test_dynbuf);
	td_test_add(s, "dynbuf shared budget", test_dynbuf_budget);
	td_test_add(s, "lists cap", test_lists);
	td_test_add(s, "sanitize", test_sanitize);
	td_test_add(s, "hex and time", test_hex_time);
}
