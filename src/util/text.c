/* SPDX-License-Identifier: GPL-2.0-or-later */
/* text.c - printable strings from wire bytes (see text.h). */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "caps.h"
#include "text.h"

size_t td_text_utf8(const uint8_t *p, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	uint8_t c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	/* 0x80..0xc1: continuation bytes and overlong 2-byte leads;
	 * 0xf5..0xff: would encode past U+10FFFF. */
	if (c < 0xc2 || c > 0xf4)
		return 0;
	size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (len > n)
		return 0;
	uint32_t v = c & (len == 2 ? 0x1fu : len == 3 ? 0x0fu : 0x07u);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (uint32_t)(p[i] & 0x3f);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	if (v >= 0xd800 && v <= 0xdfff)
		return 0;
	*cp = v;
	return len;
}

void td_text_cut_utf8(char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = td_text_utf8(p + i, n - i, &cp);
		if (!k) {
			s[i] = '\0';
			return;
		}
		i += k;
	}
}

bool td_text_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/* Length of the printable UTF-8 sequence at p, 0 when it is not one. */
static size_t utf8_printable(const uint8_t *p, size_t n)
{
	uint32_t cp = 0;
	size_t k = td_text_utf8(p, n, &cp);
	return k && !td_text_is_control(cp) ? k : 0;
}

size_t td_text_next(const uint8_t *p, size_t n, bool *printable)
{
	uint32_t cp = 0;
	size_t k = td_text_utf8(p, n, &cp);
	*printable = k && !td_text_is_control(cp);
	return k ? k : 1;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The bytes of the 8 at p that are not printable ASCII, as their high
 * bits: below 0x20 ((v - 0x20..) & ~v: a borrow only ever runs up from
 * a byte that is itself flagged), 0x7f and above ((v + 0x01..) | v: a
 * carry only from 0xff, flagged too).  On little-endian machines the
 * lowest flag is the first such byte. */
static uint64_t word_not_ascii(const uint8_t *p)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t x;
	memcpy(&x, p, 8);
	return (((x - ones * 0x20) & ~x) | (x + ones) | x) & highs;
}
#endif

/* How many of the n bytes at p, from the first, are printable ASCII
 * (0x20..0x7e): nearly all of a report, where a byte is a column.  By
 * 16 bytes (SSE2) or 8, the last step overlapping the one before it
 * (bytes already found printable) rather than going byte by byte. */
size_t td_text_ascii_run(const uint8_t *p, size_t n)
{
#ifdef __SSE2__
	if (n >= 16) {
		for (size_t i = 0;; i += 16) {
			if (i > n - 16)
				i = n - 16;
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			/* Signed: below 0x20, or 0x80 and above; and DEL. */
			__m128i bad = _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
						   _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
			unsigned m = (unsigned)_mm_movemask_epi8(bad);
			if (m)
				return i + (size_t)__builtin_ctz(m);
			if (i == n - 16)
				return n;
		}
	}
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n >= 8) {
		for (size_t i = 0;; i += 8) {
			if (i > n - 8)
				i = n - 8;
			uint64_t m = word_not_ascii(p + i);
			if (m)
				return i + (size_t)__builtin_ctzll(m) / 8u;
			if (i == n - 8)
				return n;
		}
	}
#endif
	size_t i = 0;
	while (i < n && p[i] >= 0x20 && p[i] < 0x7f)
		i++;
	return i;
}

size_t td_text_cols_n(const uint8_t *p, size_t n)
{
	size_t cols = td_text_ascii_run(p, n);
	bool printable;
	for (size_t i = cols; i < n; cols++)
		i += td_text_next(p + i, n - i, &printable);
	return cols;
}

size_t td_text_cols(const char *s)
{
	return td_text_cols_n((const uint8_t *)s, strlen(s));
}

char *td_text_sanitize(const uint8_t *p, size_t n)
{
	bool cut = false;
	if (!p)
		n = 0;
	if (n > TD_CAP_STRING) {
		n = TD_CAP_STRING;
		cut = true;
	}
	/* Worst case every byte becomes \xHH. */
	char *out = malloc(n * 4 + 4);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_printable(p + i, n - i);
		if (k == 1 && p[i] == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
			i++;
		} else if (k > 0) {
			memcpy(out + o, p + i, k);
			o += k;
			i += k;
		} else {
			static const char hex[] = "0123456789abcdef";
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[p[i] >> 4];
			out[o++] = hex[p[i] & 15];
			i++;
		}
	}
	if (cut) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

void td_text_hex(char *out, const uint8_t *p, size_t n, char sep)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (sep && i > 0)
			out[o++] = sep;
		out[o++] = hex[p[i] >> 4];
		out[o++] = hex[p[i] & 15];
	}
	out[o] = '\0';
}

/* n as `width` decimal digits at p (zeros in front). */
static void put_digits(char *p, unsigned long n, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + n % 10u);
		n /= 10u;
	}
}

void td_text_time(char *out, size_t outlen, uint64_t usec)
{
	time_t secs = (time_t)(usec / 1000000u);
	struct tm tm;
	if (!gmtime_r(&secs, &tm)) {
		snprintf(out, outlen, "invalid-time");
		return;
	}
	/* "2024-02-29T18:40:22.123456Z" by hand: every JSON line has one,
	 * and strftime with snprintf cost more than the rest of the line's
	 * numbers together.  Years outside 0..9999 take the slow road. */
	long year = (long)tm.tm_year + 1900;
	if (year < 0 || year > 9999 || outlen < 28) {
		char date[64];
		strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(out, outlen, "%s.%06uZ", date, (unsigned)(usec % 1000000u));
		return;
	}
	put_digits(out, (unsigned long)year, 4);
	out[4] = '-';
	put_digits(out + 5, (unsigned long)tm.tm_mon + 1, 2);
	out[7] = '-';
	put_digits(out + 8, (unsigned long)tm.tm_mday, 2);
	out[10] = 'T';
	put_digits(out + 11, (unsigned long)tm.tm_hour, 2);
	out[13] = ':';
	put_digits(out + 14, (unsigned long)tm.tm_min, 2);
	out[16] = ':';
	put_digits(out + 17, (unsigned long)tm.tm_sec, 2);
	out[19] = '.';
	put_digits(out + 20, (unsigned long)(usec % 1000000u), 6);
	out[26] = 'Z';
	out[27] = '\0';
}

bool td_text_utc(char *out, size_t outlen, int64_t secs, bool date_only)
{
	struct tm tm;
	time_t t = (time_t)secs;
	if (outlen > 0)
		out[0] = '\0';
	if ((int64_t)t != secs || !gmtime_r(&t, &tm))
		return false;
	long year = (long)tm.tm_year + 1900;
	size_t need = date_only ? 11 : 21;
	if (year < 1000 || year > 9999 || outlen < need)  /* strftime's own wording and cut */
		return strftime(out, outlen, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm) != 0;
	/* By hand, as td_text_time: a JSON line has two per certificate. */
	put_digits(out, (unsigned long)year, 4);
	out[4] = '-';
	put_digits(out + 5, (unsigned long)tm.tm_mon + 1, 2);
	out[7] = '-';
	put_digits(out + 8, (unsigned long)tm.tm_mday, 2);
	if (date_only) {
		out[10] = '\0';
		return true;
	}
	out[10] = 'T';
	put_digits(out + 11, (unsigned long)tm.tm_hour, 2);
	out[13] = ':';
	put_digits(out + 14, (unsigned long)tm.tm_min, 2);
	out[16] = ':';
	put_digits(out + 17, (unsigned long)tm.tm_sec, 2);
	out[19] = 'Z';
	out[20] = '\0';
	return true;
}

void td_text_rel_time(char *out, size_t outlen, int64_t us)
{
	uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	uint64_t secs = mag / 1000000u;
	/* By hand, as td_text_time: a text report has one per timeline
	 * event, and snprintf was a fifth of its time.  Seconds take at
	 * most 13 digits (INT64_MAX microseconds); a short buffer gets
	 * snprintf's cut. */
	char tmp[32];
	size_t nd = 1;
	for (uint64_t v = secs; v >= 10u; v /= 10u)
		nd++;
	tmp[0] = us < 0 ? '-' : '+';
	for (size_t i = nd; i > 0; i--, secs /= 10u)
		tmp[i] = (char)('0' + secs % 10u);
	tmp[nd + 1] = '.';
	put_digits(tmp + nd + 2, (unsigned long)(mag % 1000000u), 6);
	size_t n = nd + 8;
	if (outlen == 0)
		return;
	if (n > outlen - 1)
		n = outlen - 1;
	memcpy(out, tmp, n);
	out[n] = '\0';
}
