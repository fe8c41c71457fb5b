/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jsonw.h - a small streaming JSON writer (RFC 8259) to a FILE.
 *
 * The writer tracks nesting and commas itself, so a caller only says
 * what comes next: begin/end an object or array, a key, a value.  No
 * newline is ever written: one top-level value per td_jsonw_init() /
 * td_jsonw_finish() is one JSON Lines record once the caller adds '\n'.
 *
 * Strings are escaped defensively even though the model's strings are
 * already sanitized (text.h): '"' and '\' are escaped, C0 controls, DEL
 * and C1 controls become \u00XX, every byte that is not part of valid
 * UTF-8 becomes \uFFFD.  The output is therefore always valid JSON and
 * valid UTF-8, whatever bytes a string holds.
 *
 * Misuse (a key inside an array, a value in an object without a key,
 * an end that does not match, nesting past TD_JSONW_MAX_DEPTH) does not
 * crash: it is recorded and reported by td_jsonw_finish().
 */
#ifndef TD_JSONW_H
#define TD_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "conn.h"
#include "result.h"
#include "tls_names.h"

/* Containers open at once; the connection schema needs 4. */
#define TD_JSONW_MAX_DEPTH 32u

/* Bytes gathered before one fwrite: a dozen connection lines. */
#define TD_JSONW_BUF 65536u

struct td_jsonw {
	FILE *f;            /* borrowed */
	size_t len;         /* bytes waiting in buf */
	unsigned depth;     /* open containers, 0..TD_JSONW_MAX_DEPTH */
	uint32_t is_object; /* bit d-1: the container at depth d is an object */
	uint32_t has_items; /* bit d-1: the container at depth d holds a member */
	bool after_key;     /* a key was written, its value comes next */
	bool started;       /* the top-level value has begun */
	bool misuse;        /* sticky: the calls did not describe valid JSON */
	uint64_t handed;    /* bytes handed to the FILE so far: while it stays
			       the same, what was written since is in buf */
	char buf[TD_JSONW_BUF];
};

/* Start writing one top-level value to f (not owned). */
void td_jsonw_init(struct td_jsonw *w, FILE *f);

/* Write out what is still buffered, then: TD_OK when the calls since
 * td_jsonw_init() wrote one complete, valid value and the FILE reported
 * no error; TD_ERR_USAGE on misuse or unclosed containers; TD_ERR_IO
 * when the FILE is in error.  Until it is called, the value may be
 * partly or wholly absent from the FILE. */
enum td_result td_jsonw_finish(struct td_jsonw *w) TD_MUST_CHECK;

/* The next top-level value on the same writer (JSON Lines): the nesting
 * state starts afresh, bytes not yet handed to the FILE stay. */
void td_jsonw_next(struct td_jsonw *w);
/* What td_jsonw_finish() would say of the value written since
 * td_jsonw_init() or td_jsonw_next(), without writing anything out
 * (TD_OK or TD_ERR_USAGE). */
enum td_result td_jsonw_value_status(const struct td_jsonw *w);
/* A newline between two values. */
void td_jsonw_newline(struct td_jsonw *w);
/* Hand what is buffered to the FILE. */
void td_jsonw_flush(struct td_jsonw *w);
/* The end of a line (JSON Lines): a newline, and when the FILE is
 * line-buffered (live captures, pipes: main.c) the line handed over at
 * once, so that `jq` or a shipper has it. */
void td_jsonw_line_end(struct td_jsonw *w);

void td_jsonw_object_begin(struct td_jsonw *w);
void td_jsonw_object_end(struct td_jsonw *w);
void td_jsonw_array_begin(struct td_jsonw *w);
void td_jsonw_array_end(struct td_jsonw *w);
void td_jsonw_null(struct td_jsonw *w);

/* An object key of n bytes (escaped like a string); the next call
 * writes its value. */
void td_jsonw_key_n(struct td_jsonw *w, const char *key, size_t n);
/* n bytes at s (NUL bytes included, written as \u0000). */
void td_jsonw_string_n(struct td_jsonw *w, const char *s, size_t n);
/* n bytes at s that need no escaping (printable ASCII but '"' and '\\',
 * e.g. a registry name: tls_names.h), quoted, not scanned. */
static inline void td_jsonw_plain(struct td_jsonw *w, const char *s, size_t n);

/* The same for NUL-terminated strings.  Inline so that the length of a
 * string literal is worked out by the compiler, not at every call. */
static inline void td_jsonw_key(struct td_jsonw *w, const char *key)
{
	td_jsonw_key_n(w, key, key ? strlen(key) : 0);  /* NULL: misuse, noted */
}

/* A NUL-terminated string, or null when s is NULL. */
static inline void td_jsonw_string(struct td_jsonw *w, const char *s)
{
	if (!s)
		td_jsonw_null(w);
	else
		td_jsonw_string_n(w, s, strlen(s));
}
void td_jsonw_uint(struct td_jsonw *w, uint64_t v);
void td_jsonw_int(struct td_jsonw *w, int64_t v);
/* v / 10^decimals written exactly with `decimals` digits after the
 * point (decimals <= 18): td_jsonw_fixed(w, -1500, 3) writes -1.500.
 * Used for times kept in microseconds, so no floating point rounding. */
void td_jsonw_fixed(struct td_jsonw *w, int64_t v, unsigned decimals);
void td_jsonw_bool(struct td_jsonw *w, bool v);

/* A key known when the program is compiled, quoted then: TD_JKEY("id")
 * is the 5 bytes "id": with their length, written as they are (no
 * length to work out, nothing to escape).  Only for string literals of
 * printable ASCII without '"' or '\\', as every key of the schema is;
 * td_jsonw_jkey() checks that the form is "...": and notes misuse. */
struct td_jkey {
	const char *q;  /* '"' key '"' ':' */
	size_t n;
};
#define TD_JKEY(lit) ((struct td_jkey){ "\"" lit "\":", sizeof("\"" lit "\":") - 1 })
static inline void td_jsonw_jkey(struct td_jsonw *w, struct td_jkey k);

/* ---- the hot path, inline: a connection's line is some 160 keys and
 * as many names, and a call each for the comma, the copy and the key
 * cost a tenth of a JSON run (cachegrind, 4,992 lab handshakes: 547 M
 * instructions out of line, 498 M inline).  Inlined at a TD_JKEY() call, the key's length
 * and its form are known to the compiler. ---- */

/* n bytes into the buffer; td_jsonw_out_slow() when they do not fit. */
void td_jsonw_out_slow(struct td_jsonw *w, const char *p, size_t n);
static inline void td_jsonw_out(struct td_jsonw *w, const char *p, size_t n)
{
	if (n > sizeof w->buf - w->len) {
		td_jsonw_out_slow(w, p, n);
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static inline void td_jsonw_outc(struct td_jsonw *w, char c)
{
	if (w->len == sizeof w->buf)
		td_jsonw_out_slow(w, &c, 1);
	else
		w->buf[w->len++] = c;
}

/* The bit of the innermost container (0 at the top level). */
static inline uint32_t td_jsonw_top(const struct td_jsonw *w)
{
	return w->depth ? (uint32_t)1 << (w->depth - 1) : 0;
}

/* Before a value (jsonw.c's before_value: the misuse cases there). */
void td_jsonw_before_value_slow(struct td_jsonw *w);
static inline void td_jsonw_before_value(struct td_jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	td_jsonw_before_value_slow(w);
}

static inline void td_jsonw_jkey(struct td_jsonw *w, struct td_jkey k)
{
	uint32_t bit = td_jsonw_top(w);
	if (!(w->is_object & bit) || w->after_key)
		w->misuse = true;  /* a key outside an object, or after a key */
	if (bit) {
		if (w->has_items & bit)
			td_jsonw_outc(w, ',');
		w->has_items |= bit;
	}
	if (!k.q || k.n < 3 || k.q[0] != '"' || k.q[k.n - 2] != '"' || k.q[k.n - 1] != ':') {
		w->misuse = true;
		td_jsonw_out(w, "\"\":", 3);
	} else {
		td_jsonw_out(w, k.q, k.n);
	}
	w->after_key = true;
}

/* One complete JSON value that another writer wrote (td_jsonw_finish()
 * said TD_OK), as it is: a certificate's object, reused by identity. */
static inline void td_jsonw_value_raw(struct td_jsonw *w, const char *p, size_t n)
{
	td_jsonw_before_value(w);
	td_jsonw_out(w, p, n);
}

static inline void td_jsonw_plain(struct td_jsonw *w, const char *s, size_t n)
{
	td_jsonw_before_value(w);
	td_jsonw_outc(w, '"');
	td_jsonw_out(w, s, n);
	td_jsonw_outc(w, '"');
}

/* key: s, for a word of the schema ("c2s", "alert"): a string td_jsonw_plain() may write. */
static inline void td_jsonw_jk_word(struct td_jsonw *w, struct td_jkey k, const char *s)
{
	td_jsonw_jkey(w, k);
	td_jsonw_plain(w, s, strlen(s));
}

static inline void td_jsonw_jk_string(struct td_jsonw *w, struct td_jkey k, const char *s)
{
	td_jsonw_jkey(w, k);
	td_jsonw_string(w, s);
}

static inline void td_jsonw_jk_uint(struct td_jsonw *w, struct td_jkey k, uint64_t v)
{
	td_jsonw_jkey(w, k);
	td_jsonw_uint(w, v);
}

static inline void td_jsonw_jk_bool(struct td_jsonw *w, struct td_jkey k, bool v)
{
	td_jsonw_jkey(w, k);
	td_jsonw_bool(w, v);
}

static inline void td_jsonw_jk_null(struct td_jsonw *w, struct td_jkey k)
{
	td_jsonw_jkey(w, k);
	td_jsonw_null(w);
}

/* Key and value in one call. */
static inline void td_jsonw_kstring(struct td_jsonw *w, const char *k, const char *s)
{
	td_jsonw_key(w, k);
	td_jsonw_string(w, s);
}

static inline void td_jsonw_kuint(struct td_jsonw *w, const char *k, uint64_t v)
{
	td_jsonw_key(w, k);
	td_jsonw_uint(w, v);
}

static inline void td_jsonw_kbool(struct td_jsonw *w, const char *k, bool v)
{
	td_jsonw_key(w, k);
	td_jsonw_bool(w, v);
}

static inline void td_jsonw_knull(struct td_jsonw *w, const char *k)
{
	td_jsonw_key(w, k);
	td_jsonw_null(w);
}

#endif
