/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_out.c - the writers: jsonw (escaping, nesting, numbers, misuse),
 * the JSON Lines sink and the text sink, over connections built by hand
 * and written to memory streams.
 *
 * JSON output is checked with a strict recursive-descent validator
 * below (RFC 8259 grammar, valid UTF-8, no raw control characters), so
 * the tests do not depend on python or jq being installed.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "../../src/render/json/jsonw.h"
#include "../../src/render/text/textw.h"
#include "caps.h"
#include "conn.h"
#include "infer.h"
#include "out.h"
#include "sink.h"
#include "tests.h"
#include "tls_names.h"
#include "render.h"

/* ---- memory streams ---- */

struct mem {
	char *buf;
	size_t len;
	FILE *f;
};

static bool mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f != NULL;
}

/* Close the stream; m->buf then holds m->len bytes plus a NUL. */
static void mem_close(struct mem *m)
{
	if (m->f)
		fclose(m->f);
	m->f = NULL;
}

static void mem_free(struct mem *m)
{
	mem_close(m);
	free(m->buf);
	m->buf = NULL;
}

/* ---- a strict JSON validator ---- */

struct jv {
	const char *p, *end;
	unsigned depth;
	/* Keys of the top-level object, in order. */
	char keys[64][32];
	size_t nkeys;
};

static void jv_ws(struct jv *v)
{
	while (v->p < v->end && (*v->p == ' ' || *v->p == '\t' || *v->p == '\n' || *v->p == '\r'))
		v->p++;
}

static bool jv_lit(struct jv *v, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(v->end - v->p) < n || memcmp(v->p, lit, n) != 0)
		return false;
	v->p += n;
	return true;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* One UTF-8 sequence at p; its length, 0 when invalid (independent of
 * the code under test). */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	if (n == 0)
		return 0;
	unsigned c = p[0];
	size_t len;
	unsigned cp;
	if (c < 0x80)
		return 1;
	else if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool jv_string(struct jv *v, char *copy, size_t copylen)
{
	size_t o = 0;
	if (v->p >= v->end || *v->p != '"')
		return false;
	v->p++;
	while (v->p < v->end) {
		unsigned char c = (unsigned char)*v->p;
		if (c == '"') {
			v->p++;
			if (copy)
				copy[o < copylen ? o : copylen - 1] = '\0';
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			v->p++;
			if (v->p >= v->end)
				return false;
			char e = *v->p++;
			if (e == 'u') {
				for (int i = 0; i < 4; i++)
					if (v->p >= v->end || !is_hex(*v->p++))
						return false;
			} else if (!strchr("\"\\/bfnrt", e)) {
				return false;
			}
			continue;
		}
		size_t k = utf8_seq((const unsigned char *)v->p, (size_t)(v->end - v->p));
		if (k == 0)
			return false;
		if (copy && o + k < copylen) {
			memcpy(copy + o, v->p, k);
			o += k;
		}
		v->p += k;
	}
	return false;
}

static bool jv_number(struct jv *v)
{
	if (v->p < v->end && *v->p == '-')
		v->p++;
	if (v->p >= v->end)
		return false;
	if (*v->p == '0') {
		v->p++;
	} else if (*v->p >= '1' && *v->p <= '9') {
		while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
			v->p++;
	} else {
		return false;
	}
	if (v->p < v->end && *v->p == '.') {
		v->p++;
		if (v->p >= v->end || *v->p < '0' || *v->p > '9')
			return false;
		while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
			v->p++;
	}
	if (v->p < v->end && (*v->p == 'e' || *v->p == 'E')) {
		v->p++;
		if (v->p < v->end && (*v->p == '+' || *v->p == '-'))
			v->p++;
		if (v->p >= v->end || *v->p < '0' || *v->p > '9')
			return false;
		while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
			v->p++;
	}
	return true;
}

static bool jv_value(struct jv *v);

static bool jv_object(struct jv *v)
{
	v->p++;  /* { */
	v->depth++;
	jv_ws(v);
	if (v->p < v->end && *v->p == '}') {
		v->p++;
		v->depth--;
		return true;
	}
	for (;;) {
		char key[32];
		jv_ws(v);
		if (!jv_string(v, key, sizeof key))
			return false;
		if (v->depth == 1 && v->nkeys < 64)
			memcpy(v->keys[v->nkeys++], key, sizeof key);
		jv_ws(v);
		if (!jv_lit(v, ":") || !jv_value(v))
			return false;
		jv_ws(v);
		if (jv_lit(v, ","))
			continue;
		if (!jv_lit(v, "}"))
			return false;
		v->depth--;
		return true;
	}
}

static bool jv_array(struct jv *v)
{
	v->p++;  /* [ */
	v->depth++;
	jv_ws(v);
	if (v->p < v->end && *v->p == ']') {
		v->p++;
		v->depth--;
		return true;
	}
	for (;;) {
		if (!jv_value(v))
			return false;
		jv_ws(v);
		if (jv_lit(v, ","))
			continue;
		if (!jv_lit(v, "]"))
			return false;
		v->depth--;
		return true;
	}
}

static bool jv_value(struct jv *v)
{
	jv_ws(v);
	if (v->p >= v->end || v->depth > 64)
		return false;
	switch (*v->p) {
	case '{': return jv_object(v);
	case '[': return jv_array(v);
	case '"': return jv_string(v, NULL, 0);
	case 't': return jv_lit(v, "true");
	case 'f': return jv_lit(v, "false");
	case 'n': return jv_lit(v, "null");
	default: return jv_number(v);
	}
}

/* True when s[0..n) is exactly one JSON value (whitespace around it allowed). */
static bool json_valid(const char *s, size_t n, struct jv *out)
{
	struct jv v;
	memset(&v, 0, sizeof v);
	v.p = s;
	v.end = s + n;
	bool ok = jv_value(&v);
	jv_ws(&v);
	ok = ok && v.p == v.end;
	if (out)
		*out = v;
	return ok;
}

bool td_test_json_valid(const char *s, size_t n)
{
	return json_valid(s, n, NULL);
}

static void test_validator(void)
{
	/* The validator must reject, or the JSON tests prove nothing. */
	static const char *const good[] = {
		"{}", "[]", "0", "-1.5e+3", "\"a\\u00e9\\n\"", "{\"a\":[1,{\"b\":null}]}",
		"\"caf\xc3\xa9\"", " true ",
	};
	static const char *const bad[] = {
		"", "{", "{\"a\"}", "{\"a\":1,}", "[1,]", "01", "1.", "\"\x01\"", "\"\\x\"",
		"\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "{} {}", "[1 2]", "nul", "\"a",
		"{a:1}", "\"\\u12\"",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		CU_ASSERT_TRUE(json_valid(good[i], strlen(good[i]), NULL));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CU_ASSERT_FALSE(json_valid(bad[i], strlen(bad[i]), NULL));
}

/* ---- jsonw ---- */

static void test_jsonw_escape(void)
{
	static const struct {
		const char *in;
		size_t len;  /* 0: strlen */
		const char *out;
	} cases[] = {
		{ "plain", 0, "\"plain\"" },
		{ "", 0, "\"\"" },
		{ "a\"b\\c/", 0, "\"a\\\"b\\\\c/\"" },
		{ "\x01\x1f\x7f", 0, "\"\\u0001\\u001f\\u007f\"" },
		{ "\n\t\r", 0, "\"\\u000a\\u0009\\u000d\"" },
		{ "\x1b[31m", 0, "\"\\u001b[31m\"" },
		{ "caf\xc3\xa9", 0, "\"caf\xc3\xa9\"" },
		{ "\xf0\x9f\x98\x80", 0, "\"\xf0\x9f\x98\x80\"" },
		{ "\xe2\x82\xac", 0, "\"\xe2\x82\xac\"" },
		{ "\xc2\x9b", 0, "\"\\u009b\"" },                        /* C1 CSI */
		{ "\xff", 0, "\"\\ufffd\"" },
		{ "a\xc3", 0, "\"a\\ufffd\"" },                           /* cut short */
		{ "\xc3(", 0, "\"\\ufffd(\"" },                          /* bad continuation */
		{ "\xc0\xaf", 0, "\"\\ufffd\\ufffd\"" },                  /* overlong '/' */
		{ "\xe0\x80\xaf", 0, "\"\\ufffd\\ufffd\\ufffd\"" },       /* overlong */
		{ "\xed\xa0\x80", 0, "\"\\ufffd\\ufffd\\ufffd\"" },       /* surrogate */
		{ "\xf4\x90\x80\x80", 0, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* > U+10FFFF */
		{ "\x80x", 0, "\"\\ufffdx\"" },                          /* stray continuation */
		{ "a\0b", 3, "\"a\\u0000b\"" },
		{ "\\x01", 0, "\"\\\\x01\"" },                           /* sanitized form */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mem m;
		CU_ASSERT_FATAL(mem_open(&m));
		struct td_jsonw w;
		td_jsonw_init(&w, m.f);
		size_t n = cases[i].len ? cases[i].len : strlen(cases[i].in);
		td_jsonw_string_n(&w, cases[i].in, n);
		CU_ASSERT_EQUAL(td_jsonw_finish(&w), TD_OK);
		mem_close(&m);
		CU_ASSERT_STRING_EQUAL(m.buf, cases[i].out);
		CU_ASSERT_TRUE(json_valid(m.buf, m.len, NULL));
		if (strcmp(m.buf, cases[i].out) != 0)
			fprintf(stderr, "\ncase %zu: got %s want %s\n", i, m.buf, cases[i].out);
		mem_free(&m);
	}
}

/* One byte b among plain ones, at every position of strings of 1 to 24
 * bytes (whole 8-byte steps and every tail): the output must be what b
 * gives on its own, between the plain bytes. */
static void test_jsonw_escape_positions(void)
{
	for (unsigned b = 0; b < 256; b++) {
		char alone[16] = "";
		struct mem m;
		CU_ASSERT_FATAL(mem_open(&m));
		struct td_jsonw w;
		td_jsonw_init(&w, m.f);
		char c = (char)b;
		td_jsonw_string_n(&w, &c, 1);
		CU_ASSERT_EQUAL(td_jsonw_finish(&w), TD_OK);
		mem_close(&m);
		CU_ASSERT_FATAL(m.len >= 3 && m.len - 2 < sizeof alone);
		memcpy(alone, m.buf + 1, m.len - 2);  /* without the quotes */
		mem_free(&m);
		bool ok = true;
		for (size_t len = 1; len <= 24; len++)
		for (size_t pos = 0; pos < len; pos++) {
			char in[24], want[80];
			memset(in, 'a', sizeof in);
			in[pos] = c;
			snprintf(want, sizeof want, "\"%.*s%s%.*s\"", (int)pos,
				 "aaaaaaaaaaaaaaaaaaaaaaaa", alone, (int)(len - 1 - pos),
				 "aaaaaaaaaaaaaaaaaaaaaaaa");
			CU_ASSERT_FATAL(mem_open(&m));
			td_jsonw_init(&w, m.f);
			td_jsonw_string_n(&w, in, len);
			CU_ASSERT_EQUAL(td_jsonw_finish(&w), TD_OK);
			mem_close(&m);
			if (strcmp(m.buf, want) != 0) {
				if (ok)
					fprintf(stderr, "\nbyte 0x%02x at %zu: got %s want %s\n", b,
						pos, m.buf, want);
				ok = false;
			}
			mem_free(&m);
		}
		CU_ASSERT_TRUE(ok);
	}
}

/* Values longer than the writer's buffer, and values after one. */
static void test_jsonw_buffer(void)
{
	size_t big = 3 * TD_JSONW_BUF + 5;
	char *s = malloc(big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memset(s, 'x', big);
	s[TD_JSONW_BUF - 1] = '"';  /* an escape where the buffer fills */
	struct mem m;
	CU_ASSERT_FATAL(mem_open(&m));
	struct td_jsonw w;
	td_jsonw_init(&w, m.f);
	td_jsonw_array_begin(&w);
	for (int i = 0; i < 2; i++) {
		td_jsonw_array_begin(&w);
		td_jsonw_uint(&w, 1);
		td_jsonw_string(&w, "two");
		td_jsonw_array_end(&w);
	}
	td_jsonw_string_n(&w, s, big);    /* through the buffer and past it */
	td_jsonw_array_begin(&w);
	td_jsonw_uint(&w, 1);
	td_jsonw_string(&w, "two");
	td_jsonw_array_end(&w);
	td_jsonw_array_end(&w);
	CU_ASSERT_EQUAL(td_jsonw_finish(&w), TD_OK);
	mem_close(&m);
	CU_ASSERT_TRUE(json_valid(m.buf, m.len, NULL));
	CU_ASSERT_EQUAL(m.len, 1 + 9 + 1 + 9 + 1 + (big + 1 + 2) + 1 + 9 + 1);
	CU_ASSERT_NSTRING_EQUAL(m.buf, "[[1,\"two\"],[1,\"two\"],\"xx", 24);
	CU_ASSERT_TRUE(m.len > 20 && strcmp(m.buf + m.len - 14, "xx\",[1,\"two\"]]") == 0);
	const char *q = strchr(m.buf + 22, '"');
	CU_ASSERT_TRUE(q && q[-1] == '\\' && q - (m.buf + 22) == (ptrdiff_t)TD_JSONW_BUF);
	mem_free(&m);
	free(s);
}

/* Keys quoted at compile time: the same bytes as a key written at run
 * time, commas included; a malformed one is misuse. */
static void test_jsonw_jkey(void)
{
	struct mem m;
	CU_ASSERT_FATAL(mem_open(&m));
	struct td_jsonw w;
	td_jsonw_init(&w, m.f);
	td_jsonw_object_begin(&w);
	td_jsonw_jk_uint(&w, TD_JKEY("a"), 1);
	td_jsonw_kuint(&w, "b", 2);
	td_jsonw_jk_string(&w, TD_JKEY("c_d"), "x");
	td_jsonw_jk_bool(&w, TD_JKEY("e"), true);
	td_jsonw_jk_null(&w, TD_JKEY("f"));
	td_jsonw_object_end(&w);
	CU_ASSERT_EQUAL(td_jsonw_finish(&w), TD_OK);
	mem_close(&m);
	CU_ASSERT_STRING_EQUAL(m.buf, "{\"a\":1,\"b\":2,\"c_d\":\"x\",\"e\":true,\"f\":null}");
	mem_free(&m);

	static const struct td_jkey bad[] = {
		{ "\"a\"", 3 }, { "a\":", 3 }, { "\"a:", 3 }, { NULL, 0 }, { "::", 2 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_FATAL(mem_open(&m));
		td_jsonw_init(&w, m.f);
		td_jsonw_object_begin(&w);
		td_jsonw_jkey(&w, bad[i]);
		td_jsonw_uint(&w, 1);
		td_jsonw_object_end(&w);
		CU_ASSERT_EQUAL(td_jsonw_finish(&w), TD_ERR_USAGE);
		mem_close(&m);
		CU_ASSERT_TRUE(json_valid(m.buf, m.len, NULL));  /* still valid JSON */
		mem_free(&m);
	}
	/* A key where no key belongs (in an array) is misuse too. */
	CU_ASSERT_FATAL(mem_open(&m));
	td_jsonw_init(&w, m.f);
	td_jsonw_array_begin(&w);
	td_jsonw_jkey(&w, TD_JKEY("a"));
	td_jsonw_uint(&w, 1);
	td_jsonw_array_end(&w);
	CU_ASSERT_EQUAL(td_jsonw_finish(&w), TD_ERR_USAGE);
	mem_free(&m);
}

static void test_jsonw_structure(void)
{
	struct mem m;
	CU_ASSERT_FATAL(mem_open(&m));
	struct td_jsonw w;
	td_jsonw_init(&w, m.f);
	td_jsonw_object_begin(&w);
	td_jsonw_kuint(&w, "a", 1);
	td_jsonw_key(&w, "b");
	td_jsonw_array_begin(&w);
	td_jsonw_bool(&w, true);
	td_jsonw_bool(&w, false);
	td_jsonw_null(&w);
	td_jsonw_string(&w, "x");
	td_jsonw_string(&w, NULL);
	td_jsonw_array_end(&w);
	td_jsonw_key(&w, "c");
	td_jsonw_object_begin(&w);
	td_jsonw_object_end(&w);
	td_jsonw_key(&w, "d");
	td_jsonw_array_begin(&w);
	td_jsonw_array_end(&w);
	td_jsonw_key(&w, "e");
	td_jsonw_object_begin(&w);
	td_jsonw_key(&w, "f");
	td_jsonw_int(&w, -5);
	td_jsonw_kstring(&w, "g\"", "h");
	td_jsonw_knull(&w, "i");
	td_jsonw_kbool(&w, "j", false);
	td_jsonw_object_end(&w);
	td_jsonw_key(&w, "k");
	td_jsonw_array_begin(&w);
	td_jsonw_array_begin(&w);
	td_jsonw_uint(&w, UINT64_MAX);
	td_jsonw_array_end(&w);
	td_jsonw_object_begin(&w);
	td_jsonw_object_end(&w);
	td_jsonw_array_end(&w);
	td_jsonw_object_end(&w);
	CU_ASSERT_EQUAL(td_jsonw_finish(&w), TD_OK);
	mem_close(&m);
	CU_ASSERT_STRING_EQUAL(m.buf,
			       "{\"a\":1,\"b\":[true,false,null,\"x\",null],\"c\":{},\"d\":[],"
			       "\"e\":{\"f\":-5,\"g\\\"\":\"h\",\"i\":null,\"j\":false},"
			       "\"k\":[[18446744073709551615],{}]}");
	CU_ASSERT_TRUE(json_valid(m.buf, m.len, NULL));
	mem_free(&m);
}

static void test_jsonw_fixed(void)
{
	static const struct {
		int64_t v;
		unsigned dec;
		const char *out;
	} cases[] = {
		{ 0, 3, "0.000" },
		{ 1500, 3, "1.500" },
		{ 4200, 3, "4.200" },
		{ 999, 3, "0.999" },
		{ -1, 6, "-0.000001" },
		{ 1234567, 6, "1.234567" },
		{ 42, 0, "42" },
		{ -42, 0, "-42" },
		{ INT64_MIN, 6, "-9223372036854.775808" },
		{ INT64_MAX, 3, "9223372036854775.807" },
		{ 5, 18, "0.000000000000000005" },
		{ INT64_MIN, 18, "-9.223372036854775808" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mem m;
		CU_ASSERT_FATAL(mem_open(&m));
		struct td_jsonw w;
		td_jsonw_init(&w, m.f);
		td_jsonw_fixed(&w, cases[i].v, cases[i].dec);
		CU_ASSERT_EQUAL(td_jsonw_finish(&w), TD_OK);
		mem_close(&m);
		CU_ASSERT_STRING_EQUAL(m.buf, cases[i].out);
		CU_ASSERT_TRUE(json_valid(m.buf, m.len, NULL));
		mem_free(&m);
	}
}

enum misuse { M_KEY_IN_ARRAY, M_NO_KEY, M_UNCLOSED, M_TWO_VALUES, M_MISMATCH, M_DEEP,
	      M_DANGLING_KEY, M_EMPTY, M_COUNT };

/* Numbers against printf: integers and fixed points over boundaries and
 * ten thousand values spread over the whole range. */
static void test_jsonw_numbers(void)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (unsigned i = 0; i < 10000 + 64; i++) {
		uint64_t v;
		if (i < 64)
			v = i < 20 ? (uint64_t)i : (i % 2 ? ((uint64_t)1 << (i - 20)) - 1 : (uint64_t)1 << (i - 20));
		else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v = x >> (x % 64);
		}
		unsigned dec = (unsigned)(v % 19);
		char want[64], got[64];
		struct mem m;
		CU_ASSERT_FATAL(mem_open(&m));
		struct td_jsonw w;
		td_jsonw_init(&w, m.f);
		td_jsonw_array_begin(&w);
		td_jsonw_uint(&w, v);
		int64_t sv = (int64_t)(v >> 1) * (i % 3 == 0 ? -1 : 1);
		td_jsonw_fixed(&w, sv, dec);
		td_jsonw_array_end(&w);
		CU_ASSERT_EQUAL(td_jsonw_finish(&w), TD_OK);
		mem_close(&m);
		uint64_t mag = sv < 0 ? (uint64_t)0 - (uint64_t)sv : (uint64_t)sv, scale = 1;
		for (unsigned k = 0; k < dec; k++)
			scale *= 10u;
		if (dec)
			snprintf(want, sizeof want, "[%" PRIu64 ",%s%" PRIu64 ".%0*" PRIu64 "]", v,
				 sv < 0 ? "-" : "", mag / scale, (int)dec, mag % scale);
		else
			snprintf(want, sizeof want, "[%" PRIu64 ",%s%" PRIu64 "]", v, sv < 0 ? "-" : "",
				 mag);
		snprintf(got, sizeof got, "%s", m.buf);
		CU_ASSERT_STRING_EQUAL(got, want);
		mem_free(&m);
	}
}

static void test_jsonw_misuse(void)
{
	for (int k = 0; k < M_COUNT; k++) {
		struct mem m;
		CU_ASSERT_FATAL(mem_open(&m));
		struct td_jsonw w;
		td_jsonw_init(&w, m.f);
		switch ((enum misuse)k) {
		case M_KEY_IN_ARRAY:
			td_jsonw_array_begin(&w);
			td_jsonw_key(&w, "a");
			td_jsonw_uint(&w, 1);
			td_jsonw_array_end(&w);
			break;
		case M_NO_KEY:
			td_jsonw_object_begin(&w);
			td_jsonw_uint(&w, 1);
			td_jsonw_object_end(&w);
			break;
		case M_UNCLOSED:
			td_jsonw_object_begin(&w);
			break;
		case M_TWO_VALUES:
			td_jsonw_uint(&w, 1);
			td_jsonw_uint(&w, 2);
			break;
		case M_MISMATCH:
			td_jsonw_object_begin(&w);
			td_jsonw_array_end(&w);
			break;
		case M_DEEP:
			for (unsigned i = 0; i < TD_JSONW_MAX_DEPTH + 2; i++)
				td_jsonw_array_begin(&w);
			for (unsigned i = 0; i < TD_JSONW_MAX_DEPTH + 2; i++)
				td_jsonw_array_end(&w);
			break;
		case M_DANGLING_KEY:
			td_jsonw_object_begin(&w);
			td_jsonw_key(&w, "a");
			td_jsonw_object_end(&w);
			break;
		case M_EMPTY:
		case M_COUNT:
			break;
		}
		CU_ASSERT_EQUAL(td_jsonw_finish(&w), TD_ERR_USAGE);
		mem_free(&m);
	}
}

static void test_out_helpers(void)
{
	char buf[64];
	CU_ASSERT_TRUE(td_out_cert_time(buf, sizeof buf, 0, false));
	CU_ASSERT_STRING_EQUAL(buf, "1970-01-01T00:00:00Z");
	CU_ASSERT_TRUE(td_out_cert_time(buf, sizeof buf, 1740700800, false));
	CU_ASSERT_STRING_EQUAL(buf, "2025-02-28T00:00:00Z");
	CU_ASSERT_TRUE(td_out_cert_time(buf, sizeof buf, -86400, true));
	CU_ASSERT_STRING_EQUAL(buf, "1969-12-31");
	CU_ASSERT_FALSE(td_out_cert_time(buf, 4, 0, false));  /* does not fit */

	struct td_cert cert;
	memset(&cert, 0, sizeof cert);
	CU_ASSERT_FALSE(td_out_cert_key(buf, sizeof buf, &cert));
	CU_ASSERT_STRING_EQUAL(buf, "");
	cert.key_type = "RSA";
	cert.key_bits = 4096;
	CU_ASSERT_TRUE(td_out_cert_key(buf, sizeof buf, &cert));
	CU_ASSERT_STRING_EQUAL(buf, "RSA 4096");
	cert.key_type = "EC";
	cert.key_bits = 256;
	cert.key_curve = "prime256v1";
	CU_ASSERT_TRUE(td_out_cert_key(buf, sizeof buf, &cert));
	CU_ASSERT_STRING_EQUAL(buf, "EC 256 prime256v1");
	cert.key_type = "Ed25519";
	cert.key_bits = 0;
	cert.key_curve = NULL;
	CU_ASSERT_TRUE(td_out_cert_key(buf, sizeof buf, &cert));
	CU_ASSERT_STRING_EQUAL(buf, "Ed25519");

	CU_ASSERT_STRING_EQUAL(td_out_code_name(TD_REG_CIPHER, 0x2a2a, buf, sizeof buf), "GREASE");
	CU_ASSERT_STRING_EQUAL(td_out_code_name(TD_REG_VERSION, 0x0304, buf, sizeof buf), "TLS 1.3");

	struct td_conn c;
	memset(&c, 0, sizeof c);
	c.start_us = 1000;
	CU_ASSERT_EQUAL(td_out_rel_us(&c, 2500), 1500);
	CU_ASSERT_EQUAL(td_out_rel_us(&c, 400), -600);
}

/* ---- connections built by hand ---- */

/* 2026-11-27T04:49:23.123456Z */
#define T0 (1795754963ull * 1000000u + 123456u)

static void u16s(struct td_u16list *l, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(l, v[i]), TD_OK);
}

static void strs(struct td_strlist *l, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(td_strlist_add(l, v[i]), TD_OK);
}

static void alert(struct td_conn *c, uint64_t dt_us, enum td_dir dir, uint8_t level,
		  uint8_t desc, bool encrypted)
{
	struct td_event e;
	memset(&e, 0, sizeof e);
	e.ts_us = c->start_us + dt_us;
	e.dir = dir;
	e.kind = TD_EV_ALERT;
	e.alert_level = level;
	e.alert_desc = desc;
	e.encrypted = encrypted;
	CU_ASSERT_EQUAL_FATAL(td_conn_add_event(c, &e, NULL), TD_OK);
}

static char *dup(const char *s)
{
	char *p = strdup(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

static void v4(struct td_addr *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	memset(a, 0, sizeof *a);
	a->family = 4;
	a->b[0] = x, a->b[1] = y, a->b[2] = z, a->b[3] = w;
}

static void cert_fill(struct td_cert *ct, const char *subject, const char *issuer,
		      int64_t nb, int64_t na, bool ca)
{
	ct->parsed = true;
	ct->der_len = 1234;
	ct->subject = dup(subject);
	ct->issuer = dup(issuer);
	ct->serial = dup("01:02:0a:ff");
	ct->not_before = nb;
	ct->not_after = na;
	ct->key_type = dup("RSA");
	ct->key_bits = 4096;
	ct->sig_alg = dup("sha256WithRSAEncryption");
	ct->is_ca = ca;
	ct->has_basic_constraints = ca;
	ct->path_len = ca ? 0 : -1;
	ct->self_signed = strcmp(subject, issuer) == 0;
	memset(ct->sha256, 'a', 64);
	ct->sha256[0] = '0';
	ct->sha256[63] = 'f';
	ct->sha256[64] = '\0';
}

/*
 * #1: TLS 1.2 mTLS rejected.  The client sends its certificate, the
 * server answers fatal unknown_ca.  GREASE in every hello list, an
 * unknown extension, a sanitized \x01 and non-ASCII in the SNI.
 */
static struct td_conn *conn_mtls_fail(void)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	v4(&c->client_addr, 192, 0, 2, 1);
	v4(&c->server_addr, 192, 0, 2, 10);
	c->client_port = 51234;
	c->server_port = 8443;
	c->start_us = T0;
	c->last_us = T0 + 4200;
	c->tls = true;
	c->version = TD_VERSION_TLS12;
	c->cipher = 0xc02f;
	c->ske_group = 0x001d;
	c->client_cv_scheme = 0x0804;

	struct td_client_hello *ch = &c->ch;
	ch->present = true;
	ch->record_version = TD_VERSION_TLS10;
	ch->legacy_version = TD_VERSION_TLS12;
	ch->session_id_len = 32;
	static const uint16_t vers[] = { 0x0a0a, 0x0304, 0x0303 };
	static const uint16_t suites[] = { 0x1a1a, 0x1301, 0x1303, 0xc02f, 0xc02b };
	static const uint16_t exts[] = { 0x2a2a, 0, 10, 13, 16, 43, 51, 0x7777 };
	static const uint16_t groups[] = { 0x3a3a, 29, 23, 24 };
	static const uint16_t ks[] = { 0x3a3a, 29 };
	static const uint16_t sigs[] = { 0x0804, 0x0403 };
	static const char *const alpn[] = { "h2", "http/1.1" };
	u16s(&ch->versions, vers, 3);
	u16s(&ch->suites, suites, 5);
	u16s(&ch->extensions, exts, 8);
	u16s(&ch->groups, groups, 4);
	u16s(&ch->key_share_groups, ks, 2);
	u16s(&ch->sig_algs, sigs, 2);
	strs(&ch->alpn, alpn, 2);
	ch->sni = dup("tls-caf\xc3\xa9\\x01.local");
	ch->session_ticket = true;

	struct td_server_hello *sh = &c->sh;
	sh->present = true;
	sh->legacy_version = TD_VERSION_TLS12;
	sh->cipher = 0xc02f;
	static const uint16_t sexts[] = { 16, 0xff01 };
	u16s(&sh->extensions, sexts, 2);
	sh->alpn = dup("h2");

	c->server_chain.present = true;
	td_test_chain(&c->server_chain, 2);
	cert_fill(c->server_chain.certs[0], "O=LMT Corp,CN=tls-server.local",
		  "O=LMT Corp,CN=intermediateCA", 1709164800, 1740700800, false);
	static const char *const san[] = { "DNS:tls-server.local", "IP:192.0.2.10" };
	strs(&c->server_chain.certs[0]->san, san, 2);
	static const char *const eku[] = { "serverAuth" };
	strs(&c->server_chain.certs[0]->ext_key_usage, eku, 1);
	cert_fill(c->server_chain.certs[1], "O=LMT Corp,CN=intermediateCA",
		  "O=LMT Corp,CN=rootCA", 1704067200, 1893456000, true);

	c->cr.present = true;
	static const uint16_t ctypes[] = { 1, 64 };
	u16s(&c->cr.cert_types, ctypes, 2);
	u16s(&c->cr.sig_algs, sigs, 2);
	static const char *const cas[] = { "O=LMT Corp,CN=clientCA" };
	strs(&c->cr.ca_names, cas, 1);

	c->client_chain.present = true;
	td_test_chain(&c->client_chain, 1);
	cert_fill(c->client_chain.certs[0], "CN=rogue client", "CN=rogueClientCA",
		  1704067200, 1893456000, false);
	c->client_chain.certs[0]->path_len = -1;

	td_test_event(c, 0, TD_DIR_C2S, TD_EV_TCP_SYN, 0, 0, NULL);
	td_test_event(c, 41, TD_DIR_S2C, TD_EV_TCP_SYNACK, 0, 0, NULL);
	td_test_event(c, 302, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 517, NULL);
	td_test_event(c, 1210, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO, 122, NULL);
	td_test_event(c, 1211, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_CERTIFICATE, 2450, NULL);
	td_test_event(c, 1212, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_CERTIFICATE_REQUEST, 61, NULL);
	td_test_event(c, 1213, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO_DONE, 0, NULL);
	td_test_event(c, 3000, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CERTIFICATE, 900, NULL);
	td_test_event(c, 3001, TD_DIR_C2S, TD_EV_CCS, 0, 0, NULL);
	struct td_event e;
	memset(&e, 0, sizeof e);
	e.ts_us = T0 + 3002;
	e.dir = TD_DIR_C2S;
	e.kind = TD_EV_ENCRYPTED;
	e.content_type = TD_CT_HANDSHAKE;
	e.encrypted = true;
	e.length = 40;
	CU_ASSERT_EQUAL_FATAL(td_conn_add_event(c, &e, NULL), TD_OK);
	alert(c, 4100, TD_DIR_S2C, 2, 48, false);
	td_test_event(c, 4200, TD_DIR_S2C, TD_EV_TCP_FIN, 0, 0, NULL);
	td_test_fate(c, TD_OUTCOME_FAILED);
	return c;
}

/*
 * #2: TLS 1.3 over IPv6, established, encrypted close_notify, the
 * server chain not visible, events dropped by the cap, an anomaly
 * holding a raw escape (which the model should never hold: the writers
 * must not let it through anyway).
 */
static struct td_conn *conn_tls13(void)
{
	struct td_conn *c = td_conn_new(2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->client_addr.family = 6;
	c->client_addr.b[15] = 1;
	c->server_addr.family = 6;
	c->server_addr.b[0] = 0x20, c->server_addr.b[1] = 0x01;
	c->server_addr.b[2] = 0x0d, c->server_addr.b[3] = 0xb8, c->server_addr.b[15] = 0x10;
	c->client_port = 40000;
	c->server_port = 443;
	c->start_us = T0 + 1000000;
	c->last_us = c->start_us + 2500123;
	c->tls = true;
	c->version = TD_VERSION_TLS13;
	c->cipher = 0x1301;
	c->ch.present = true;
	c->ch.record_version = TD_VERSION_TLS10;
	c->ch.legacy_version = TD_VERSION_TLS12;
	static const uint16_t vers[] = { 0x0304 };
	u16s(&c->ch.versions, vers, 1);
	static const uint16_t suites[] = { 0x1301 };
	u16s(&c->ch.suites, suites, 1);
	c->ch.psk = true;
	c->sh.present = true;
	c->sh.legacy_version = TD_VERSION_TLS12;
	c->sh.selected_version = TD_VERSION_TLS13;
	c->sh.cipher = 0x1301;
	c->sh.key_share_group = 29;
	td_test_event(c, 0, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 300, NULL);
	td_test_event(c, 900, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO, 90, NULL);
	td_test_event(c, 1000, TD_DIR_S2C, TD_EV_ENCRYPTED, 0, 2450, NULL);
	td_test_event(c, 2000, TD_DIR_C2S, TD_EV_APPDATA, 0, 64, NULL);
	alert(c, 2500123, TD_DIR_C2S, 0, 0, true);
	c->dropped_events = 3;
	CU_ASSERT_EQUAL_FATAL(td_conn_anomaly(c, TD_AN_NON_TLS_BYTES, TD_DIR_C2S, 9,
					      "odd \x1b[31mred\x1b[0m name", NULL), TD_OK);
	c->side[TD_DIR_S2C].cap_dropped = 100;
	td_test_fate(c, TD_OUTCOME_ESTABLISHED);
	return c;
}

/* #3: nothing but a partial stream. */
static struct td_conn *conn_partial(void)
{
	struct td_conn *c = td_conn_new(3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	v4(&c->client_addr, 10, 0, 0, 1);
	v4(&c->server_addr, 10, 0, 0, 2);
	c->client_port = 1;
	c->server_port = 443;
	c->start_us = T0;
	c->last_us = T0;
	c->partial = true;
	td_test_fate(c, TD_OUTCOME_INCOMPLETE);
	return c;
}

/* #4: everything long: full lists, a 1 KiB SNI, long DNs, many SANs and CAs. */
static struct td_conn *conn_long(void)
{
	struct td_conn *c = conn_mtls_fail();
	c->id = 4;
	/* 5 suites already: 10 past the cap are dropped. */
	for (uint16_t i = 0; i < TD_CAP_LIST + 10 - 5; i++)
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(&c->ch.suites, (uint16_t)(0x1301 + i)), TD_OK);
	for (uint16_t i = 0; i < 40; i++)
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(&c->ch.groups, (uint16_t)(0x100 + i)), TD_OK);
	for (int i = 0; i < 12; i++)
		CU_ASSERT_EQUAL_FATAL(td_strlist_add(&c->ch.alpn, "protocol-name-x"), TD_OK);
	char big[TD_CAP_STRING + 8];
	memset(big, 'a', TD_CAP_STRING);
	memcpy(big + TD_CAP_STRING, "...", 4);
	free(c->ch.sni);
	c->ch.sni = dup(big);
	struct td_cert *ct = c->server_chain.certs[0];
	free(ct->subject);
	free(ct->issuer);
	ct->subject = dup(big);
	ct->issuer = dup(big);
	for (int i = 0; i < 50; i++) {
		char s[64];
		snprintf(s, sizeof s, "DNS:host-%02d.tls-server.example", i);
		CU_ASSERT_EQUAL_FATAL(td_strlist_add(&ct->san, s), TD_OK);
	}
	for (int i = 0; i < 20; i++) {
		char s[64];
		snprintf(s, sizeof s, "O=LMT Corp,CN=client CA number %d", i);
		CU_ASSERT_EQUAL_FATAL(td_strlist_add(&c->cr.ca_names, s), TD_OK);
	}
	for (int i = 0; i < 40; i++)
		CU_ASSERT_EQUAL_FATAL(td_conn_anomaly(c, TD_AN_NON_TLS_BYTES, TD_DIR_C2S,
						      (uint64_t)i, big, NULL), TD_OK);
	c->server_chain.dropped = 2;
	struct td_event e;
	memset(&e, 0, sizeof e);
	e.ts_us = c->start_us + 5000;
	e.kind = TD_EV_MALFORMED;
	e.detail = big;
	CU_ASSERT_EQUAL_FATAL(td_conn_add_event(c, &e, NULL), TD_OK);
	td_test_fate(c, TD_OUTCOME_FAILED);
	return c;
}

/* ---- JSON sink ---- */

/* The line's n-th (0-based) line, copied; NULL past the end. */
static char *nth_line(const char *buf, size_t n)
{
	const char *p = buf;
	for (size_t i = 0; i < n; i++) {
		p = strchr(p, '\n');
		if (!p)
			return NULL;
		p++;
	}
	const char *e = strchr(p, '\n');
	if (!e)
		return NULL;
	return strndup(p, (size_t)(e - p));
}

static size_t count_char(const char *s, size_t n, char c)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

static void test_json_sink(void)
{
	struct mem m;
	CU_ASSERT_FATAL(mem_open(&m));
	struct td_sink *s = td_json_sink_new(m.f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NULL(s->conn_update);
	struct td_conn *cs[] = { conn_mtls_fail(), conn_tls13(), conn_partial(), conn_long() };
	size_t n = sizeof cs / sizeof cs[0];
	for (size_t i = 0; i < n; i++)
		s->conn_done(s, cs[i]);
	struct td_stats st;
	memset(&st, 0, sizeof st);
	st.frames = 10;
	st.flows_evicted_full = 3;
	s->finish(s, &st);
	fflush(m.f);
	/* finish writes one summary line, counting the lines above it;
	 * it starts after the n-th newline. */
	size_t before = 0;
	for (size_t k = 0; k < n && before < m.len; before++)
		if (m.buf[before] == '\n')
			k++;
	CU_ASSERT_TRUE(m.len > before && json_valid(m.buf + before, m.len - before - 1, NULL));
	static const char sum[] = "{\"type\":\"summary\",\"schema\":2,"
		"\"summary\":{\"connections\":4,\"by_outcome\":{";
	CU_ASSERT_TRUE(m.len > before && strncmp(m.buf + before, sum, strlen(sum)) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf + before, "\"frames\":10,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf + before, "\"flows_evicted\":3,"));
	td_sink_free(s);
	mem_close(&m);

	/* Exactly one line per connection, each a valid object, keys in order
	 * (then the summary). */
	CU_ASSERT_EQUAL(count_char(m.buf, before, '\n'), n);
	CU_ASSERT_EQUAL(m.buf[m.len - 1], '\n');
	static const char *const keys[] = {
		"type", "schema", "id", "client", "client_ip", "client_port", "server", "server_ip",
		"server_port", "community_id", "start", "duration_ms", "duration", "partial", "sni", "alpn",
		"version", "cipher", "key_exchange_group", "client_cert_verify", "outcome",
		"established", "resumed", "client_hello", "server_hello", "psk", "timeline",
		"alerts", "server_certs", "client_certs", "server_chain", "client_chain",
		"certificate_request", "acceptable_cas", "anomalies", "dropped", "diagnoses",
	};
	char *line[4];
	for (size_t i = 0; i < n; i++) {
		line[i] = nth_line(m.buf, i);
		if (!line[i]) {
			CU_FAIL_FATAL("fewer lines than connections");
			return;
		}
		struct jv v;
		CU_ASSERT_TRUE(json_valid(line[i], strlen(line[i]), &v));
		CU_ASSERT_EQUAL(line[i][0], '{');
		/* "dropped" only where something was dropped: #2 and #4. */
		bool dropped = i == 1 || i == 3;
		size_t k = 0;
		for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++) {
			if (!dropped && strcmp(keys[j], "dropped") == 0)
				continue;
			/* "psk" only where the ClientHello offered one. */
			if (strcmp(keys[j], "psk") == 0 && !strstr(line[i], "\"psk\":{\"offered\""))
				continue;
			CU_ASSERT_TRUE(k < v.nkeys && strcmp(v.keys[k], keys[j]) == 0);
			k++;
		}
		CU_ASSERT_EQUAL(v.nkeys, k);
	}

	const char *l = line[0];
	static const char *const want1[] = {
		/* community_id: Community ID v1 of the 5-tuple, worked out apart
		 * (Python: hashlib.sha1 over the spec's byte layout) */
		"{\"type\":\"tls\",\"schema\":2,\"id\":1,\"client\":\"192.0.2.1:51234\","
		"\"client_ip\":\"192.0.2.1\",\"client_port\":51234,"
		"\"server\":\"192.0.2.10:8443\",\"server_ip\":\"192.0.2.10\",\"server_port\":8443,"
		"\"community_id\":\"1:oTAMd1hqHPRZabH38v0QexSFjDQ=\","
		"\"start\":\"2026-11-27T04:49:23.123456Z\",\"duration_ms\":4.200,\"duration\":0.004200,"
		"\"partial\":false,"
		"\"sni\":\"tls-caf\xc3\xa9\\\\x01.local\",\"alpn\":\"h2\",\"version\":\"TLS 1.2\","
		"\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\"key_exchange_group\":\"x25519\","
		"\"client_cert_verify\":\"rsa_pss_rsae_sha256\",\"outcome\":\"failed\","
		"\"established\":false,\"resumed\":false,"
		"\"client_hello\":{\"record_version\":\"TLS 1.0\",\"legacy_version\":\"TLS 1.2\","
		"\"versions\":[\"GREASE\",\"TLS 1.3\",\"TLS 1.2\"],"
		"\"cipher_suites\":[\"GREASE\",\"TLS_AES_128_GCM_SHA256\",",
		"\"extensions\":[\"GREASE\",\"server_name\",",
		"\"0x7777\"]",
		"\"groups\":[\"GREASE\",\"x25519\",\"secp256r1\",\"secp384r1\"],"
		"\"key_share_groups\":[\"GREASE\",\"x25519\"],"
		"\"signature_algorithms\":[\"rsa_pss_rsae_sha256\",\"ecdsa_secp256r1_sha256\"],"
		"\"alpn\":[\"h2\",\"http/1.1\"],\"session_id_len\":32,\"session_ticket\":true,"
		"\"psk\":false,\"early_data\":false,\"ech\":false,\"ech_offer\":null,\"sslv2\":false,"
		"\"ja4\":null,\"ja4_r\":null},"
		"\"server_hello\":{\"legacy_version\":\"TLS 1.2\",\"selected_version\":null,"
		"\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\"extensions\":[",
		"\"key_share_group\":null,\"hrr\":false,\"psk\":false},"
		"\"timeline\":[{\"t\":0.000000,\"dir\":\"c2s\",\"event\":\"syn\"},"
		"{\"t\":0.000041,\"dir\":\"s2c\",\"event\":\"syn-ack\"},"
		"{\"t\":0.000302,\"dir\":\"c2s\",\"event\":\"handshake\",\"message\":\"client_hello\","
		"\"encrypted\":false,\"length\":517},",
		"{\"t\":0.003001,\"dir\":\"c2s\",\"event\":\"change_cipher_spec\"},"
		"{\"t\":0.003002,\"dir\":\"c2s\",\"event\":\"encrypted\",\"content_type\":\"handshake\","
		"\"encrypted\":true,\"length\":40},"
		"{\"t\":0.004100,\"dir\":\"s2c\",\"event\":\"alert\",\"level\":\"fatal\","
		"\"description\":\"unknown_ca\",\"encrypted\":false},"
		"{\"t\":0.004200,\"dir\":\"s2c\",\"event\":\"fin\"}],"
		"\"alerts\":[{\"from\":\"server\",\"level\":\"fatal\",\"description\":\"unknown_ca\","
		"\"encrypted\":false,\"t\":0.004100}],"
		"\"server_certs\":[{\"subject\":\"O=LMT Corp,CN=tls-server.local\","
		"\"issuer\":\"O=LMT Corp,CN=intermediateCA\",\"serial\":\"01:02:0a:ff\","
		"\"not_before\":\"2024-02-29T00:00:00Z\",\"not_after\":\"2025-02-28T00:00:00Z\","
		"\"san\":[\"DNS:tls-server.local\",\"IP:192.0.2.10\"],\"key\":\"RSA 4096\","
		"\"sig_alg\":\"sha256WithRSAEncryption\",\"is_ca\":false,\"path_len\":null,"
		"\"key_usage\":[],\"ext_key_usage\":[\"serverAuth\"],\"self_signed\":false,"
		"\"sha256\":\"0aaa",
		"\"der_len\":1234},{\"subject\":\"O=LMT Corp,CN=intermediateCA\"",
		"\"is_ca\":true,\"path_len\":0,",
		"\"client_certs\":[{\"subject\":\"CN=rogue client\",",
		"\"server_chain\":{\"seen\":true,\"encrypted\":false},"
		"\"client_chain\":{\"seen\":true,\"encrypted\":false},"
		"\"certificate_request\":{\"tls13\":false,"
		"\"certificate_types\":[\"rsa_sign\",\"ecdsa_sign\"],"
		"\"signature_algorithms\":[\"rsa_pss_rsae_sha256\",\"ecdsa_secp256r1_sha256\"]},"
		"\"acceptable_cas\":[\"O=LMT Corp,CN=clientCA\"],\"anomalies\":[],"
		"\"diagnoses\":[]}",
	};
	/* Each piece in order. */
	const char *p = l;
	for (size_t i = 0; i < sizeof want1 / sizeof want1[0]; i++) {
		const char *q = strstr(p, want1[i]);
		CU_ASSERT_PTR_NOT_NULL(q);
		if (!q) {
			fprintf(stderr, "\nmissing piece %zu: %s\nin: %s\n", i, want1[i], p);
			break;
		}
		p = q + strlen(want1[i]);
	}
	CU_ASSERT_PTR_NULL(strstr(l, "\"error\""));     /* every certificate parsed */
	CU_ASSERT_PTR_NULL(strstr(l, "\"decrypted\""));  /* only when true */

	l = line[1];
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"client\":\"[::1]:40000\",\"client_ip\":\"::1\","
				      "\"client_port\":40000,\"server\":\"[2001:db8::10]:443\","
				      "\"server_ip\":\"2001:db8::10\",\"server_port\":443,"
				      "\"community_id\":\"1:9aufw+Zs6XKzQNWV1G9rq+pQNEU=\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"start\":\"2026-11-27T04:49:24.123456Z\",\"duration_ms\":2500.123,"
				      "\"duration\":2.500123,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"sni\":null,\"alpn\":null,\"version\":\"TLS 1.3\","
				      "\"cipher\":\"TLS_AES_128_GCM_SHA256\",\"key_exchange_group\":\"x25519\","
				      "\"client_cert_verify\":null,\"outcome\":\"established\","
				      "\"established\":true,\"resumed\":false,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"selected_version\":\"TLS 1.3\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"key_share_group\":\"x25519\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "{\"t\":0.001000,\"dir\":\"s2c\",\"event\":\"encrypted\","
				      "\"encrypted\":true,\"length\":2450}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "{\"t\":0.002000,\"dir\":\"c2s\",\"event\":\"application_data\","
				      "\"length\":64}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "{\"t\":2.500123,\"dir\":\"c2s\",\"event\":\"alert\","
				      "\"encrypted\":true}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"alerts\":[{\"from\":\"client\",\"level\":null,"
				      "\"description\":null,\"encrypted\":true,\"t\":2.500123}]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"server_certs\":[],\"client_certs\":[],"
				      "\"server_chain\":{\"seen\":false,\"encrypted\":false}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"certificate_request\":null,\"acceptable_cas\":[]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"anomalies\":[{\"code\":\"non_tls_bytes\",\"message\":"
				      "\"the client sent 9 bytes that are not TLS: "
				      "\\\"odd \\u001b[31mred\\u001b[0m name\\\"\"}]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"dropped\":{\"events\":3,\"certs\":0,\"list_items\":0,"
				      "\"anomalies\":0,\"bytes\":100},\"diagnoses\":[]}"));
	CU_ASSERT_PTR_NULL(strchr(l, '\x1b'));

	l = line[2];
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"duration_ms\":0.000,\"duration\":0.000000,"
				      "\"partial\":true,\"sni\":null,"
				      "\"alpn\":null,\"version\":null,\"cipher\":null,"
				      "\"key_exchange_group\":null,\"client_cert_verify\":null,"
				      "\"outcome\":\"incomplete\",\"established\":false,"
				      "\"resumed\":false,\"client_hello\":null,"
				      "\"server_hello\":null,\"timeline\":[],\"alerts\":[]"));

	l = line[3];
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"dropped\":{\"events\":0,\"certs\":2,\"list_items\":10,"
				      "\"anomalies\":8,\"bytes\":0}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"event\":\"malformed\",\"detail\":\"aaaa"));

	for (size_t i = 0; i < n; i++) {
		free(line[i]);
		td_conn_free(cs[i]);
	}
	mem_free(&m);
}

/* Lines gather in the sink until finish or free, and a line-buffered
 * FILE (a live capture's stdout) gets each one at once. */
static void test_json_sink_buffering(void)
{
	for (int lb = 0; lb < 2; lb++) {
		struct mem m;
		CU_ASSERT_FATAL(mem_open(&m));
		if (lb)
			CU_ASSERT_EQUAL(setvbuf(m.f, NULL, _IOLBF, 0), 0);
		struct td_sink *s = td_json_sink_new(m.f);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		struct td_conn *c = conn_tls13();
		s->conn_done(s, c);
		fflush(m.f);  /* what reached the FILE, and only that */
		size_t after_one = m.len;
		s->conn_done(s, c);
		td_sink_free(s);  /* no finish: free hands the lines over */
		mem_close(&m);
		bool as_expected = lb ? after_one > 0 && m.buf[after_one - 1] == '\n' : after_one == 0;
		CU_ASSERT_TRUE(as_expected);
		CU_ASSERT_EQUAL(count_char(m.buf, m.len, '\n'), 2);
		td_conn_free(c);
		mem_free(&m);
	}
}

/* JSON of a connection as a string (malloc'd), through the JSON sink. */
static char *conn_json(const struct td_conn *c)
{
	struct mem m;
	CU_ASSERT_FATAL(mem_open(&m));
	struct td_sink *s = td_json_sink_new(m.f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	s->conn_done(s, c);
	td_sink_free(s);
	mem_close(&m);
	return m.buf;
}

/* The line of one connection from a sink that has written nothing else. */
static char *json_alone(const struct td_conn *c)
{
	char *all = conn_json(c);
	char *line = all ? nth_line(all, 0) : NULL;
	free(all);
	return line;
}

/* A line depends on its connection alone: through one sink, connections
 * alike but for one field each (a list item, a certificate's subject or
 * SAN, an event's time or label, a diagnosis), every line is what a
 * fresh sink writes for that connection alone.  A guard for any cache
 * a later change adds to the sink. */
static void test_json_lines_independent(void)
{
	struct mem m;
	CU_ASSERT_FATAL(mem_open(&m));
	struct td_sink *s = td_json_sink_new(m.f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	enum { STEPS = 28 };
	char *alone[STEPS];
	for (size_t step = 0; step < STEPS; step++) {
		struct td_conn *c = conn_mtls_fail();
		/* One digest per certificate, as real ones have. */
		c->server_chain.certs[0]->sha256[1] = '1';
		c->server_chain.certs[1]->sha256[1] = '2';
		for (size_t i = 0; i < c->client_chain.n; i++)
			c->client_chain.certs[i]->sha256[1] = (char)('3' + i);
		switch (step) {
		case 2: /* one suite differs, same length */
			c->ch.suites.v[2] = 0x1302;
			break;
		case 3: /* one suite fewer */
			c->ch.suites.n--;
			break;
		case 4:
			c->ch.groups.v[1] = 30;
			c->ch.extensions.v[3] = 23;
			break;
		case 5:
			c->cr.sig_algs.v[0] = 0x0805;
			CU_ASSERT_EQUAL_FATAL(td_u16list_add(&c->sh.extensions, 23), TD_OK);
			break;
		case 6: /* the longest list the cap keeps */
			c->ch.suites.n = 0;
			for (uint16_t i = 0; i < TD_CAP_LIST; i++)
				CU_ASSERT_EQUAL_FATAL(td_u16list_add(&c->ch.suites, 0x7000 + i), TD_OK);
			break;
		case 8:
			c->ch.present = false;
			break;
		case 10: /* the same certificate (sha256) with another subject */
			free(c->server_chain.certs[0]->subject);
			c->server_chain.certs[0]->subject = strdup("CN=subject-1");
			CU_ASSERT_PTR_NOT_NULL_FATAL(c->server_chain.certs[0]->subject);
			break;
		case 12: /* one subjectAltName fewer */
			free(c->server_chain.certs[0]->san.v[--c->server_chain.certs[0]->san.n]);
			break;
		case 14: /* a shorter DER, an unparsed certificate */
			c->server_chain.certs[0]->der_len--;
			c->server_chain.certs[1]->parsed = false;
			break;
		default: /* 0, 1, 7, 9, 11, 13, 15: the first connection again */
			break;
		}
		if (step == 16)
			c->ch.session_id_len = 0;  /* the hello differs by one number */
		/* GREASE: any such value is written "GREASE", so 17 and 19 write
		 * the same list (kept by its values, json_hello.c); at 21 the
		 * value next to a GREASE one is not GREASE. */
		if (step == 17)
			c->ch.suites.v[0] = 0x0a0a;
		if (step == 19)
			c->ch.suites.v[0] = 0x3a3a;
		if (step == 21)
			c->ch.suites.v[0] = 0x3a3b;
		/* Events that differ only after "length": 24 and 26, each
		 * after the same events (the ChangeCipherSpec's record, 9). */
		if (step == 24)
			c->events[9].inferred = "a static label";
		if (step == 26)
			c->events[9].decrypted = true;
		if (step == 27)
			c->events[9].ts_us += 17;  /* and only by its time */
		if (step >= 16) {
			/* A diagnosis: the same at 16, 17, 19, 21, 23; one field off
			 * at 18, 20, 22 (each after the same one). */
			struct td_diagnosis d = { .code = "MEMO_TEST", .severity = TD_SEV_ERROR,
						  .stage = TD_STAGE_CLIENT_HELLO,
						  .gave_up = TD_PARTY_SERVER };
			d.summary = strdup("The server \"refused\" the client.");
			d.fix = step == 22 ? NULL : strdup("Give the client a certificate.");
			CU_ASSERT_EQUAL_FATAL(td_strlist_add(&d.evidence, "first"), TD_OK);
			CU_ASSERT_EQUAL_FATAL(td_strlist_add(&d.evidence, step == 18 ? "other" : "second"),
					      TD_OK);
			d.events[0] = step == 20 ? 4 : 3;
			d.events[1] = 5;
			d.n_events = 2;
			CU_ASSERT_EQUAL_FATAL(td_conn_add_diagnosis(c, &d), TD_OK);
		}
		alone[step] = json_alone(c);
		s->conn_done(s, c);
		td_conn_free(c);
	}
	td_sink_free(s);
	mem_close(&m);
	for (size_t step = 0; step < STEPS; step++) {
		char *line = nth_line(m.buf, step);
		CU_ASSERT_PTR_NOT_NULL(line);
		CU_ASSERT_PTR_NOT_NULL(alone[step]);
		bool same = line && alone[step] && strcmp(line, alone[step]) == 0;
		CU_ASSERT_TRUE(same);
		if (!same)
			fprintf(stderr, "\nstep %zu:\n got %s\nwant %s\n", step, line, alone[step]);
		free(line);
		free(alone[step]);
	}
	/* The changes did show. */
	char *l2 = nth_line(m.buf, 2), *l6 = nth_line(m.buf, 6);
	char *l10 = nth_line(m.buf, 10), *l11 = nth_line(m.buf, 12);
	char *l18 = nth_line(m.buf, 18), *l19 = nth_line(m.buf, 20), *l20 = nth_line(m.buf, 22);
	CU_ASSERT_TRUE(l18 && strstr(l18, "\"evidence\":[\"first\",\"other\"]"));
	CU_ASSERT_TRUE(l19 && strstr(l19, "\"events\":[4,5]"));
	CU_ASSERT_TRUE(l20 && strstr(l20, "\"fix\":null"));
	char *l24 = nth_line(m.buf, 24), *l26 = nth_line(m.buf, 26), *l27 = nth_line(m.buf, 27);
	CU_ASSERT_TRUE(l24 && strstr(l24, "\"length\":40,\"inferred\":\"a static label\"}"));
	CU_ASSERT_TRUE(l26 && strstr(l26, "\"length\":40,\"decrypted\":true}"));
	CU_ASSERT_TRUE(l27 && strstr(l27, "{\"t\":0.003019,"));
	free(l24);
	free(l26);
	free(l27);
	free(l18);
	free(l19);
	free(l20);
	char *l17 = nth_line(m.buf, 17), *l21 = nth_line(m.buf, 21);
	CU_ASSERT_TRUE(l17 && strstr(l17, "\"cipher_suites\":[\"GREASE\","));
	CU_ASSERT_TRUE(l21 && strstr(l21, "\"cipher_suites\":[\"0x3a3b\","));
	free(l17);
	free(l21);
	CU_ASSERT_TRUE(l2 && strstr(l2, "\"TLS_AES_256_GCM_SHA384\""));
	CU_ASSERT_TRUE(l6 && strstr(l6, "\"0x71ff\"]"));
	CU_ASSERT_TRUE(l10 && strstr(l10, "\"server_certs\":[{\"subject\":\"CN=subject-1\""));
	CU_ASSERT_TRUE(l11 && strstr(l11, "\"san\":[\"DNS:tls-server.local\"],"));
	free(l2);
	free(l6);
	free(l10);
	free(l11);
	mem_free(&m);
}

/* An unparsable certificate and a decrypted alert. */
static void test_json_unparsed_cert(void)
{
	struct td_conn *c = conn_tls13();
	c->server_chain.present = true;
	c->server_chain.encrypted = true;
	td_test_chain(&c->server_chain, 1);
	struct td_cert *ct = c->server_chain.certs[0];
	ct->der_len = 12;
	ct->error = dup("ASN parse error");
	strcpy(ct->sha256, "00ff");
	struct td_event e;
	memset(&e, 0, sizeof e);
	e.ts_us = c->start_us + 3000;
	e.dir = TD_DIR_S2C;
	e.kind = TD_EV_ALERT;
	e.alert_level = 2;
	e.alert_desc = 116;
	e.encrypted = true;
	e.decrypted = true;
	CU_ASSERT_EQUAL_FATAL(td_conn_add_event(c, &e, NULL), TD_OK);

	struct mem m;
	CU_ASSERT_FATAL(mem_open(&m));
	struct td_sink *s = td_json_sink_new(m.f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	s->conn_done(s, c);
	td_sink_free(s);
	mem_close(&m);
	CU_ASSERT_TRUE(json_valid(m.buf, m.len, NULL));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "{\"subject\":null,\"issuer\":null,\"serial\":null,"
					     "\"not_before\":null,\"not_after\":null,\"san\":[],"
					     "\"key\":null,\"sig_alg\":null,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "\"sha256\":\"00ff\",\"der_len\":12,"
					     "\"error\":\"ASN parse error\"}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "\"server_chain\":{\"seen\":true,\"encrypted\":true}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "\"event\":\"alert\",\"level\":\"fatal\","
					     "\"description\":\"certificate_required\","
					     "\"encrypted\":true,\"decrypted\":true}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "{\"from\":\"server\",\"level\":\"fatal\","
					     "\"description\":\"certificate_required\","
					     "\"encrypted\":true,"));
	td_conn_free(c);
	mem_free(&m);
}

/* ---- text sink ---- */

/* Columns of the widest line (code points, ANSI SGR sequences skipped);
 * *esc counts the escape sequences seen. */
static size_t max_cols(const char *s, size_t n, size_t *esc)
{
	size_t best = 0, cols = 0;
	*esc = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n') {
			cols = 0;
			i++;
			continue;
		}
		if (c == 0x1b) {
			(*esc)++;
			i++;
			if (i < n && s[i] == '[') {
				while (i < n && s[i] != 'm')
					i++;
				i++;
			}
			continue;
		}
		size_t k = utf8_seq((const unsigned char *)s + i, n - i);
		i += k ? k : 1;
		cols++;
		if (cols > best)
			best = cols;
	}
	return best;
}

static bool has_line(const char *buf, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = buf; (p = strstr(p, line)) != NULL; p++)
		if ((p == buf || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

/* Write the four connections and a summary; return the text (caller frees). */
static char *text_run(bool color, bool verbose, size_t *len)
{
	struct mem m;
	CU_ASSERT_FATAL(mem_open(&m));
	/* The lines below were laid out at 100 columns (test_textwidth.c
	 * tries other widths). */
	struct td_text_opts o = { .color = color, .verbose = verbose, .width = 100 };
	struct td_sink *s = td_text_sink_new(m.f, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct td_conn *cs[] = { conn_mtls_fail(), conn_tls13(), conn_partial(), conn_long() };
	for (size_t i = 0; i < 4; i++) {
		s->conn_done(s, cs[i]);
		td_conn_free(cs[i]);
	}
	struct td_stats st;
	memset(&st, 0, sizeof st);
	st.frames = 1234;
	st.bytes = 567890;
	st.tcp_segments = 1200;
	st.flows = 10;
	st.tls_connections = 4;
	st.skipped_frames = 34;
	st.flows_evicted_full = 2;
	st.memory_cap_dropped = 500;
	st.gap_bytes = 77;
	st.first_us = T0;
	st.last_us = T0 + 12345678;
	s->finish(s, &st);
	td_sink_free(s);
	mem_close(&m);
	*len = m.len;
	return m.buf;
}

static void test_text_plain(void)
{
	size_t n, esc;
	char *t = text_run(false, false, &n);
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_TRUE(max_cols(t, n, &esc) <= 100);
	CU_ASSERT_EQUAL(esc, 0);
	CU_ASSERT_PTR_NULL(memchr(t, '\x1b', n));

	static const char *const lines[] = {
		"#1  192.0.2.1:51234 -> 192.0.2.10:8443  tls-caf\xc3\xa9\\x01.local  "
		"2026-11-27T04:49:23.123456Z",
		/* The outcome with its reason does not fit: it wraps. */
		"    TLS 1.2  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256  group x25519  ALPN h2  4.200 ms",
		"    FAILED: server sent fatal alert unknown_ca",
		"    client offered: TLS 1.3, TLS 1.2; 4 suites; groups x25519, secp256r1, secp384r1;",
		"                    key share x25519; ALPN h2, http/1.1",
		"    timeline",
		"      +0.000000  C -> S  TCP SYN",
		"      +0.000041  C <- S  TCP SYN-ACK",
		"      +0.000302  C -> S  ClientHello (517 bytes)",
		"      +0.001210  C <- S  ServerHello (122 bytes)",
		"      +0.001212  C <- S  CertificateRequest (61 bytes)",
		"      +0.001213  C <- S  ServerHelloDone (0 bytes)",
		"      +0.003001  C -> S  ChangeCipherSpec",
		"      +0.003002  C -> S  encrypted handshake record, 40 bytes",
		"      +0.004100  C <- S  Alert fatal unknown_ca",
		"      +0.004200  C <- S  TCP FIN",
		"    server certificates (2)",
		"      [0] O=LMT Corp,CN=tls-server.local",
		"          issuer  O=LMT Corp,CN=intermediateCA",
		"          valid   2024-02-29 .. 2025-02-28  (expired at capture time)",
		"          key     RSA 4096, signature sha256WithRSAEncryption",
		"          SAN     DNS:tls-server.local, IP:192.0.2.10",
		"          EKU     serverAuth",
		"          sha256  0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaf",
		"      [1] O=LMT Corp,CN=intermediateCA  (CA, path length 0)",
		"    certificate request (TLS 1.2 or older)",
		"      sig algs    rsa_pss_rsae_sha256, ecdsa_secp256r1_sha256",
		"      cert types  rsa_sign, ecdsa_sign",
		"    acceptable client CAs (1)",
		"      O=LMT Corp,CN=clientCA",
		"    client certificates (1)",
		"      [0] CN=rogue client",
		/* #2 */
		"#2  [::1]:40000 -> [2001:db8::10]:443  (no SNI)  2026-11-27T04:49:24.123456Z",
		"    TLS 1.3  TLS_AES_128_GCM_SHA256  group x25519  2500.123 ms  ESTABLISHED",
		"    client offered: TLS 1.3; 1 suite; PSK",
		"      +0.001000  C <- S  encrypted record, 2450 bytes",
		"      +0.002000  C -> S  application data, 64 bytes",
		"      +2.500123  C -> S  Alert (encrypted)",
		"      ... 3 later events not kept (cap 256 per connection)",
		"    server certificates: not visible (encrypted in TLS 1.3; a key log would show them)",
		"    anomalies (1)",
		"      the client sent 9 bytes that are not TLS: \"odd ?[31mred?[0m name\"",
		"    caps dropped: 3 timeline events, 100 stream bytes",
		/* #3 */
		"#3  10.0.0.1:1 -> 10.0.0.2:443  (no SNI)  2026-11-27T04:49:23.123456Z",
		"    version unknown  0.000 ms  partial capture  INCOMPLETE",
		"    no ClientHello seen (the start of the stream was not captured)",
		/* summary */
		"4 TLS connections: 1 established, 2 failed, 1 incomplete",
		"capture: 1234 frames, 567890 bytes, 1200 TCP segments, 10 flows, 4 with TLS, "
		"12.345678 s",
		"not analysed: 34 frames not TCP over IP",
		"gaps: 77 stream bytes never captured",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		bool ok = has_line(t, lines[i]);
		CU_ASSERT_TRUE(ok);
		if (!ok)
			fprintf(stderr, "\nmissing line: [%s]\n", lines[i]);
	}
	/* The caps line may wrap; its items must all be there. */
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\ndropped by caps: 2 flows evicted (flow table full), "
					 "500 bytes (memory cap), 3 timeline events,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "2 certificates"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "10 list items"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "8 anomalies"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "100 stream bytes"));

	/* #4, shortened: lists end in "(N more)", long names in "...". */
	const char *c4 = strstr(t, "\n#4  ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c4);
	CU_ASSERT_PTR_NOT_NULL(strstr(c4, "more)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c4, "    client offered: TLS 1.3, TLS 1.2; 521 suites;\n"
					  "                    groups x25519, secp256r1, secp384r1, ffdhe2048, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(c4, "      ... (13 more)\n"));  /* 1 + 20 CAs, 8 shown */
	CU_ASSERT_PTR_NOT_NULL(strstr(c4, "      ... 2 more certificates not kept (cap 16 per chain)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c4, "      ... 8 more not kept (cap 32)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c4, "malformed: aaaa"));
	free(t);
}

static void test_text_verbose(void)
{
	size_t n, esc;
	char *t = text_run(false, true, &n);
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_TRUE(max_cols(t, n, &esc) <= 100);
	CU_ASSERT_EQUAL(esc, 0);
	static const char *const lines[] = {
		"    client hello  record TLS 1.0, legacy_version TLS 1.2, session id 32 bytes",
		"      versions    GREASE, TLS 1.3, TLS 1.2",
		"      key shares  GREASE, x25519",
		"      ALPN        h2, http/1.1",
		"      flags       session ticket",
		"    server hello  legacy_version TLS 1.2",
		"          valid   2024-02-29T00:00:00Z .. 2025-02-28T00:00:00Z  (expired at capture time)",
		"          usage   (none)",
		"          serial  01:02:0a:ff",
		"          DER     1234 bytes",
		"    server hello  legacy_version TLS 1.2, selected TLS 1.3, key share x25519",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		bool ok = has_line(t, lines[i]);
		CU_ASSERT_TRUE(ok);
		if (!ok)
			fprintf(stderr, "\nmissing line: [%s]\n", lines[i]);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "      extensions  GREASE, server_name, supported_groups,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "0x7777"));
	/* Everything listed: the 50 SANs, the last suite, all 21 CAs. */
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "DNS:host-49.tls-server.example"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "O=LMT Corp,CN=client CA number 19"));
	const char *c4 = strstr(t, "\n#4  ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c4);
	CU_ASSERT_PTR_NULL(strstr(c4, "more)"));
	/* Long names wrap instead of being cut: the 1024 'a's of the
	 * subject, then "...", over 11 lines of 100 columns and a last one. */
	const char *subj = strstr(c4, "      [0] aaaa");
	CU_ASSERT_PTR_NOT_NULL_FATAL(subj);
	size_t as = 0;
	const char *q = subj + 10;
	for (int line = 0; line < 12 && *q; line++) {
		while (*q == 'a') {
			as++;
			q++;
		}
		if (*q == '\n' && strncmp(q + 1, "          a", 11) == 0)
			q += 11;
		else
			break;
	}
	CU_ASSERT_EQUAL(as, TD_CAP_STRING);
	CU_ASSERT_TRUE(strncmp(q, "...\n", 4) == 0);
	/* The cap's drop is said at the end of the list it cut. */
	CU_ASSERT_PTR_NOT_NULL(strstr(c4, " 0x14fb, 10 more not kept (cap 512)\n"));
	free(t);
}

static void test_text_color(void)
{
	size_t n, esc;
	char *t = text_run(true, false, &n);
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_TRUE(max_cols(t, n, &esc) <= 100);
	CU_ASSERT_TRUE(esc > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\033[31mFAILED: server sent fatal alert unknown_ca\033[0m"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\033[32mESTABLISHED\033[0m"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\033[33mINCOMPLETE\033[0m"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\033[31mAlert fatal unknown_ca\033[0m"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\033[2mTCP SYN\033[0m"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\033[33m(expired at capture time)\033[0m"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\033[32m1 established\033[0m"));
	/* Only our own SGR sequences: the raw escape in the anomaly is not one. */
	CU_ASSERT_PTR_NULL(strstr(t, "\033[31mred"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "odd ?[31mred?[0m name"));
	/* Plain text stays plain. */
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\n      +0.000302  C -> S  ClientHello (517 bytes)\n"));
	free(t);
}

/* Every line fits, whatever the lengths, in both modes and with colour. */
/* td_tw_putn puts a run of ASCII in one go: the line, its columns and
 * where it is cut must be what one byte at a time gives, from every
 * starting column around the width, with controls and a byte that is
 * not UTF-8 (each one column, '?') in between. */
static void test_tw_ascii_runs(void)
{
	static const char *const pieces[] = {
		"abcdefghij", "tab\there\xff!", "\x1b[31m", "0123456789012345678901234567890123456789",
	};
	for (size_t start = 0; start < TD_TEXT_WIDTH_DEFAULT + 5; start++) {
		for (size_t k = 0; k < 4; k++) {
			struct td_tw a, b;
			td_tw_init(&a, NULL, false, 0);
			td_tw_init(&b, NULL, false, 0);
			for (size_t i = 0; i < start; i++) {
				td_tw_putn(&a, "x", 1);
				td_tw_putn(&b, "x", 1);
			}
			for (size_t rep = 0; rep < 3; rep++) {
				const char *s = pieces[(k + rep) % 4];
				size_t n = strlen(s);
				td_tw_putn(&a, s, n);
				for (size_t i = 0; i < n; i++)
					td_tw_putn(&b, s + i, 1);
			}
			CU_ASSERT_EQUAL(a.len, b.len);
			CU_ASSERT_EQUAL(a.cols, b.cols);
			CU_ASSERT_EQUAL(a.cut, b.cut);
			CU_ASSERT_TRUE(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
		}
	}
}

static void test_text_width_sweep(void)
{
	for (size_t len = 0; len <= 300; len += 7) {
		struct td_conn *c = conn_mtls_fail();
		char *s = malloc(len + 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		for (size_t i = 0; i < len; i++)
			s[i] = (char)('a' + i % 26);
		s[len] = '\0';
		free(c->ch.sni);
		c->ch.sni = dup(s);
		free(c->sh.alpn);
		c->sh.alpn = dup(s);
		CU_ASSERT_EQUAL_FATAL(td_strlist_add(&c->ch.alpn, s), TD_OK);
		CU_ASSERT_EQUAL_FATAL(td_strlist_add(&c->server_chain.certs[0]->san, s), TD_OK);
		CU_ASSERT_EQUAL_FATAL(td_conn_anomaly(c, TD_AN_NON_TLS_BYTES, TD_DIR_C2S, len, s,
						      NULL), TD_OK);
		if (len % 2) {
			/* The longest addresses there are. */
			for (size_t i = 0; i < 16; i++)
				c->client_addr.b[i] = c->server_addr.b[i] = (uint8_t)(0xf0 + i);
			c->client_addr.family = c->server_addr.family = 6;
			c->client_port = c->server_port = 65535;
		}
		for (int mode = 0; mode < 4; mode++) {
			struct mem m;
			CU_ASSERT_FATAL(mem_open(&m));
			struct td_text_opts o = { .color = mode & 1, .verbose = mode & 2 };
			struct td_sink *k = td_text_sink_new(m.f, &o);
			CU_ASSERT_PTR_NOT_NULL_FATAL(k);
			k->conn_done(k, c);
			td_sink_free(k);
			mem_close(&m);
			size_t esc;
			size_t w = max_cols(m.buf, m.len, &esc);
			CU_ASSERT_TRUE(w <= 100);
			if (w > 100)
				fprintf(stderr, "\nlen %zu mode %d: %zu columns\n", len, mode, w);
			CU_ASSERT_EQUAL(esc > 0, (mode & 1) != 0);
			mem_free(&m);
		}
		free(s);
		td_conn_free(c);
	}
}

/* The failure reason on the summary line, from what the wire showed. */
static void test_text_fail_reason(void)
{
	static const struct {
		int kind;  /* 0 encrypted alert, 1 RST, 2 FIN, 3 nothing */
		const char *want;
	} cases[] = {
		{ 0, "    FAILED: server sent an encrypted alert" },
		{ 1, "    FAILED: client reset the connection" },
		{ 2, "    FAILED: server closed the connection" },
		{ 3, "    FAILED" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct td_conn *c = conn_partial();
		c->partial = false;
		if (cases[i].kind == 0)
			alert(c, 10, TD_DIR_S2C, 0, 0, true);
		else if (cases[i].kind == 1)
			td_test_event(c, 10, TD_DIR_C2S, TD_EV_TCP_RST, 0, 0, NULL);
		else if (cases[i].kind == 2)
			td_test_event(c, 10, TD_DIR_S2C, TD_EV_TCP_FIN, 0, 0, NULL);
		td_test_fate(c, TD_OUTCOME_FAILED);
		struct mem m;
		CU_ASSERT_FATAL(mem_open(&m));
		struct td_text_opts o = { .color = false, .verbose = false };
		struct td_sink *s = td_text_sink_new(m.f, &o);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		s->conn_done(s, c);
		td_sink_free(s);
		mem_close(&m);
		/* The reason fits after "version unknown  0.000 ms". */
		char want[128];
		snprintf(want, sizeof want, "    version unknown  0.000 ms  %s", cases[i].want + 4);
		CU_ASSERT_TRUE(has_line(m.buf, want));
		if (!has_line(m.buf, want))
			fprintf(stderr, "\nwant [%s] in\n%s", want, m.buf);
		td_conn_free(c);
		mem_free(&m);
	}
}

/* An inferred label (infer.h) reaches JSON and text, marked as such. */
static void test_inferred_label(void)
{
	struct td_conn *c = td_conn_new(9);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->tls = true;
	struct td_event e;
	memset(&e, 0, sizeof e);
	e.dir = TD_DIR_S2C;
	e.kind = TD_EV_ENCRYPTED;
	e.encrypted = true;
	e.content_type = TD_CT_APPLICATION_DATA;
	e.length = 19;
	e.inferred = td_inf_alert;
	CU_ASSERT_EQUAL_FATAL(td_conn_add_event(c, &e, NULL), TD_OK);
	char *json = conn_json(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"length\":19,\"inferred\":\"alert\""));
	free(json);

	struct mem m;
	CU_ASSERT_FATAL(mem_open(&m));
	struct td_text_opts o = { .color = false, .verbose = false };
	struct td_sink *s = td_text_sink_new(m.f, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	s->conn_done(s, c);
	td_sink_free(s);
	mem_close(&m);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "encrypted record, 19 bytes: alert (inferred)"));
	free(m.buf);
	td_conn_free(c);
}

/* td_conn_clone: the copy prints the same JSON as the original after the
 * original is freed (ASan catches any pointer the two still share). */
static void test_conn_clone(void)
{
	struct td_conn *(*const make[])(void) = { conn_mtls_fail, conn_tls13, conn_partial, conn_long };
	for (size_t i = 0; i < sizeof make / sizeof make[0]; i++) {
		struct td_conn *c = make[i]();
		struct td_diagnosis d;
		memset(&d, 0, sizeof d);
		d.code = "CLIENT_CERT_UNTRUSTED";
		d.severity = TD_SEV_ERROR;
		d.summary = dup("the server rejected the client's certificate");
		d.fix = dup("add the client CA");
		CU_ASSERT_EQUAL(td_strlist_add(&d.evidence, "unknown_ca from the server"), TD_OK);
		CU_ASSERT_EQUAL_FATAL(td_conn_add_diagnosis(c, &d), TD_OK);
		if (c->server_chain.n) {
			static const uint8_t der[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
			c->server_chain.certs[0]->der = malloc(sizeof der);
			CU_ASSERT_PTR_NOT_NULL_FATAL(c->server_chain.certs[0]->der);
			memcpy(c->server_chain.certs[0]->der, der, sizeof der);
			c->server_chain.certs[0]->der_len = sizeof der;
		}
		char *before = conn_json(c);
		struct td_conn *k = td_conn_clone(c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		size_t n_certs = c->server_chain.n;
		td_conn_free(c);
		char *after = conn_json(k);
		CU_ASSERT_STRING_EQUAL(after, before);
		CU_ASSERT_PTR_NOT_NULL(strstr(after, "CLIENT_CERT_UNTRUSTED"));
		if (n_certs) {
			CU_ASSERT_EQUAL(k->server_chain.certs[0]->der_len, 5);
			CU_ASSERT_EQUAL(k->server_chain.certs[0]->der[4], 0x05);
		}
		td_conn_free(k);
		free(before);
		free(after);
	}
}

void td_suite_out(void)
{
	CU_pSuite s = td_test_suite("out");
	td_test_add(s, "json validator", test_validator);
	td_test_add(s, "jsonw escaping", test_jsonw_escape);
	td_test_add(s, "jsonw escaping at every position", test_jsonw_escape_positions);
	td_test_add(s, "jsonw values longer than its buffer", test_jsonw_buffer);
	td_test_add(s, "jsonw keys quoted at compile time", test_jsonw_jkey);
	td_test_add(s, "jsonw structure", test_jsonw_structure);
	td_test_add(s, "jsonw fixed-point numbers", test_jsonw_fixed);
	td_test_add(s, "jsonw numbers against printf", test_jsonw_numbers);
	td_test_add(s, "jsonw misuse", test_jsonw_misuse);
	td_test_add(s, "shared output helpers", test_out_helpers);
	td_test_add(s, "json sink", test_json_sink);
	td_test_add(s, "json sink: lines buffered, or at once", test_json_sink_buffering);
	td_test_add(s, "json lines independent of each other", test_json_lines_independent);
	td_test_add(s, "json unparsed cert, decrypted alert", test_json_unparsed_cert);
	td_test_add(s, "text plain", test_text_plain);
	td_test_add(s, "text verbose", test_text_verbose);
	td_test_add(s, "text colour", test_text_color);
	td_test_add(s, "text failure reasons", test_text_fail_reason);
	td_test_add(s, "text line writer: ASCII runs", test_tw_ascii_runs);
	td_test_add(s, "text width sweep", test_text_width_sweep);
	td_test_add(s, "connection deep copy", test_conn_clone);
	td_test_add(s, "inferred record labels", test_inferred_label);
}
