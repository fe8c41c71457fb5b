/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * text.h - turning wire bytes into strings that are safe to print.
 *
 * Every string the model keeps (SNI, ALPN, certificate names) goes
 * through td_text_sanitize() once, at decode time: the result is valid
 * UTF-8 with no control characters, so every sink can print it as is
 * (no terminal escapes from a hostile certificate, always valid JSON
 * after JSON escaping).  Valid printable UTF-8 is kept; every other
 * byte becomes the four characters \xHH, and a backslash becomes \\.
 */
#ifndef TD_TEXT_H
#define TD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A new NUL-terminated sanitized copy of n bytes, at most TD_CAP_STRING
 * input bytes (longer input is cut and "..." appended).  NULL only when
 * memory runs out.  The caller frees it. */
char *td_text_sanitize(const uint8_t *p, size_t n);

/* Decode the UTF-8 sequence at p (n bytes available): its length
 * (1..4) with the code point in *cp, or 0 when the bytes are not valid
 * UTF-8 (bad lead or continuation, overlong, surrogate, past U+10FFFF,
 * cut short). */
size_t td_text_utf8(const uint8_t *p, size_t n, uint32_t *cp);

/* Cut s where its first byte that is not whole UTF-8 stands: after
 * snprintf() cut a sanitized string short, the last character may be
 * half there, and no sink may print half a character. */
void td_text_cut_utf8(char *s);

/* C0 and C1 controls and DEL: never printed as they are. */
bool td_text_is_control(uint32_t cp);

/* The next character of p (n > 0 bytes left) as the writers show it:
 * returns the bytes it takes (1 or more); *printable tells whether they
 * are printed as they are (a printable code point) or as one '?' (a
 * byte that is not UTF-8, or a control character).  One column either
 * way. */
size_t td_text_next(const uint8_t *p, size_t n, bool *printable);

/* Columns of s as the text, Markdown and TUI writers count them: one per
 * character td_text_next() steps over.  The one width count of every
 * writer (no East Asian wide forms: every code point is one column). */
size_t td_text_cols(const char *s);
/* The same for the n bytes at p. */
size_t td_text_cols_n(const uint8_t *p, size_t n);

/* How many of the n bytes at p, from the first, are printable ASCII
 * (0x20..0x7e): each one column, printed as it is. */
size_t td_text_ascii_run(const uint8_t *p, size_t n);

/* Lowercase hex of n bytes into out (2n+1 bytes), optionally with sep
 * between bytes (0 for none; then out needs 2n+1, else 3n). */
void td_text_hex(char *out, const uint8_t *p, size_t n, char sep);

/* Format microseconds since the epoch as RFC 3339 UTC with microseconds,
 * "2024-02-29T18:40:22.123456Z", into out (at least 28 bytes). */
void td_text_time(char *out, size_t outlen, uint64_t usec);

/* Seconds since the epoch as "2025-01-01T00:00:00Z", or "2025-01-01"
 * with date_only, into out; false (out empty, or strftime's cut when
 * out is short) when the time cannot be represented. */
bool td_text_utc(char *out, size_t outlen, int64_t secs, bool date_only);
/* A signed offset in microseconds as "+1.234567" seconds (timelines). */
void td_text_rel_time(char *out, size_t outlen, int64_t us);

/* The value of one hexadecimal digit (either case), -1 for any other
 * character: key logs and connection IDs are hex. */
static inline int td_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
