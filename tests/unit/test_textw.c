/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_textw.c - the text report's line writer against plain references:
 * its printf-free helpers against snprintf, and td_tw_text(), whose fast
 * paths put a string or a chunk at once, against the code point at a
 * time algorithm it had before, over strings that mix printable ASCII,
 * spaces, commas, UTF-8, invalid bytes and controls, at every start
 * column and several widths.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "../../src/render/text/textw.h"
#include "tests.h"
#include "text.h"

/* td_tw_cat, td_tw_cat_u64, td_tw_uint and td_tw_pad write what
 * snprintf would, cut included. */
static void test_tw_printf_free(void)
{
	static const char *const strs[] = { "", "a", "group ", "x25519", "TLS_AES_128_GCM_SHA256" };
	static const uint64_t nums[] = { 0, 7, 10, 99, 100, 4053, 18446744073709551615ull };
	for (size_t size = 1; size < 30; size++) {
		for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
			for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
				char want[64], got[64];
				snprintf(want, size, "%s%" PRIu64 " more", strs[i], nums[k]);
				memset(got, 'Z', sizeof got);
				char *d = td_tw_cat(got, got + size, strs[i]);
				d = td_tw_cat_u64(d, got + size, nums[k]);
				d = td_tw_cat(d, got + size, " more");
				CU_ASSERT_STRING_EQUAL(got, want);
				CU_ASSERT_EQUAL((size_t)(d - got), strlen(want));
			}
		}
	}
	for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
		for (size_t w = 0; w < 14; w++) {
			char want[64];
			struct td_tw t;
			td_tw_init(&t, NULL, false, 0);
			td_tw_uint(&t, nums[k]);
			td_tw_pad(&t, "sig algs", w);
			snprintf(want, sizeof want, "%" PRIu64 "%-*s", nums[k], (int)w, "sig algs");
			CU_ASSERT_EQUAL(t.len, strlen(want));
			CU_ASSERT_TRUE(t.len == strlen(want) && memcmp(t.buf, want, t.len) == 0);
		}
	}
}

/* ---- td_tw_text as it was written, one code point at a time ---- */

static void ref_wrap_line(struct td_tw *t, enum td_tw_color c, size_t indent)
{
	if (c != TD_TW_RESET)
		td_tw_color(t, TD_TW_RESET);
	td_tw_end(t);
	td_tw_spaces(t, indent);
	if (c != TD_TW_RESET)
		td_tw_color(t, c);
}

static size_t ref_chunk(const uint8_t *p, size_t i, size_t n, size_t *cols)
{
	size_t j = i, c = 0;
	while (j < n) {
		uint32_t cp = 0;
		size_t k = td_text_utf8(p + j, n - j, &cp);
		j += k ? k : 1;
		if (p[j - 1] == ' ')
			break;
		c++;
		if (p[j - 1] == ',')
			break;
	}
	*cols = c;
	return j;
}

static void ref_text(struct td_tw *t, const char *s, enum td_tw_color c, size_t indent)
{
	if (c != TD_TW_RESET)
		td_tw_color(t, c);
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t cols;
		size_t j = ref_chunk(p, i, n, &cols);
		if (t->cols + cols > t->width && t->cols > indent && indent + cols <= t->width)
			ref_wrap_line(t, c, indent);
		while (i < j) {
			uint32_t cp;
			size_t k = td_text_utf8(p + i, n - i, &cp);
			if (k == 0)
				k = 1;
			if (t->cols >= t->width) {
				if (p[i] == ' ') {
					i++;
					continue;
				}
				ref_wrap_line(t, c, indent);
			}
			td_tw_putn(t, s + i, k);
			i += k;
		}
	}
	if (c != TD_TW_RESET)
		td_tw_color(t, TD_TW_RESET);
}

/* Everything td_tw_text (or the reference) writes for s from column
 * start, the line ended, into a malloc'd string. */
static char *text_lines(const char *s, size_t start, size_t width, size_t indent, bool color,
			bool ref)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	struct td_tw t;
	td_tw_init(&t, f, color, width);
	td_tw_spaces(&t, start);
	if (ref)
		ref_text(&t, s, TD_TW_YELLOW, indent);
	else
		td_tw_text(&t, s, TD_TW_YELLOW, true, indent);
	td_tw_put(&t, "|");
	td_tw_end(&t);
	fclose(f);
	return buf;
}

static void test_tw_text_reference(void)
{
	static const char *const strs[] = {
		"",
		"plain",
		"O=LMT Corp,CN=tls-server.local",
		"encrypted record, 1562 bytes: NewSessionTicket or application data (inferred)",
		"not visible (encrypted in TLS 1.3; a key log would show them)",
		"averyveryveryverylongwordthatisnotbrokenanywhereatallinthemiddleofitreally,ok",
		"caf\xc3\xa9 \xe2\x82\xac,\xf0\x9f\x98\x80 na\xc3\xafve r\xc3\xa9sum\xc3\xa9s everywhere",
		"bad \xff bytes \xc3( and \x1b[31m escapes \x7f del,\x01,\x02 trailing ",
		"   spaced    out   ",
		"0123456789abcdef0123456789abcdef\xc3\xa9" "0123456789abcdef,0123456789abcdef",
	};
	static const size_t widths[] = { 40, 60, 80, 123 };
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
			for (size_t start = 0; start <= widths[w] + 2; start++) {
				for (int color = 0; color < 2; color++) {
					size_t indent = start % 3 == 0 ? 6 : start % 3 == 1 ? 18 : start;
					char *a = text_lines(strs[i], start, widths[w], indent, color, false);
					char *b = text_lines(strs[i], start, widths[w], indent, color, true);
					CU_ASSERT_PTR_NOT_NULL(a);
					CU_ASSERT_PTR_NOT_NULL(b);
					bool same = a && b && strcmp(a, b) == 0;
					CU_ASSERT_TRUE(same);
					if (!same)
						fprintf(stderr, "\nwidth %zu start %zu string %zu:\n%s---\n%s",
							widths[w], start, i, a ? a : "", b ? b : "");
					free(a);
					free(b);
				}
			}
		}
	}
}

/* Printable ASCII runs found 16 or 8 bytes at a time, the last step
 * overlapping: the same as byte by byte, with the odd byte anywhere. */
/* A list wrapped at every width: each separator's comma is printed
 * (none lost where an item ends exactly at the line's end), and no line
 * is wider than the width. */
static void test_tw_item_commas(void)
{
	static const char *const items[] = { "x25519", "secp256r1", "X25519MLKEM768", "ffdhe2048",
					     "secp384r1", "a", "bb", "secp521r1", "x448", "ffdhe3072",
					     "SecP256r1MLKEM768", "brainpoolP256r1tls13", "c" };
	size_t n = sizeof items / sizeof items[0];
	for (size_t width = TD_TEXT_WIDTH_MIN; width <= TD_TEXT_WIDTH_MIN + 60; width++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		struct td_tw t;
		td_tw_init(&t, f, false, width);
		td_tw_put(&t, "groups: ");
		td_tw_mark(&t);
		for (size_t i = 0; i < n; i++)
			td_tw_item(&t, ", ", items[i], 4, TD_TW_RESET);
		td_tw_end(&t);
		fclose(f);
		size_t commas = 0, col = 0;
		for (const char *p = buf; *p; p++) {
			commas += *p == ',';
			col = *p == '\n' ? 0 : col + 1;
			CU_ASSERT(col <= width);
		}
		CU_ASSERT_EQUAL(commas, n - 1);
		free(buf);
	}
}

static void test_tw_runs_anywhere(void)
{
	static const char odd[] = { '\x1f', '\x7f', '\x80', '\xff', '\t' };
	for (size_t n = 1; n < 40; n++) {
		for (size_t at = 0; at <= n; at++) {
			for (size_t k = 0; k < sizeof odd; k++) {
				char s[48];
				for (size_t i = 0; i < n; i++)
					s[i] = (char)('a' + i % 26);
				if (at < n)
					s[at] = odd[k];
				struct td_tw a, b;
				td_tw_init(&a, NULL, false, 0);
				td_tw_init(&b, NULL, false, 0);
				td_tw_putn(&a, s, n);
				for (size_t i = 0; i < n; i++)
					td_tw_putn(&b, s + i, 1);
				CU_ASSERT_EQUAL(a.cols, b.cols);
				CU_ASSERT_EQUAL(a.cut, b.cut);
				CU_ASSERT_TRUE(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
				s[n] = '\0';
				CU_ASSERT_EQUAL(td_tw_str_cols(s), n);
			}
		}
	}
}

void td_suite_textw(void)
{
	CU_pSuite s = td_test_suite("textw");
	td_test_add(s, "text line writer: printf-free helpers", test_tw_printf_free);
	td_test_add(s, "text line writer: td_tw_text against the reference", test_tw_text_reference);
	td_test_add(s, "text line writer: odd bytes anywhere in a run", test_tw_runs_anywhere);
	td_test_add(s, "text line writer: no comma lost at a wrap", test_tw_item_commas);
}
