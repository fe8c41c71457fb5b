/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jsonw.c - a small streaming JSON writer (see jsonw.h).
 *
 * RFC 8259 section 7 (strings) and RFC 3629 (UTF-8):
 *
 *   string = '"' *( unescaped / '\' escape ) '"'
 *   unescaped = %x20-21 / %x23-5B / %x5D-10FFFF   (as valid UTF-8)
 *
 *   UTF-8:  0xxxxxxx                                  U+0000..U+007F
 *           110xxxxx 10xxxxxx                         U+0080..U+07FF
 *           1110xxxx 10xxxxxx 10xxxxxx                U+0800..U+FFFF
 *           11110xxx 10xxxxxx 10xxxxxx 10xxxxxx       U+10000..U+10FFFF
 *
 * Nesting is a stack of two bit sets (object or array, empty or not)
 * so commas are never the caller's business.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#ifdef HAVE___FLBF
#include <stdio_ext.h>
#endif
#include <string.h>
#include <time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "jsonw.h"
#include "text.h"

/* Room for what td_jsonw_fixed() writes: a sign, at most 19 digits and
 * a point (21 bytes). */
#define NUM_MAX 32u

void td_jsonw_init(struct td_jsonw *w, FILE *f)
{
	w->f = f;
	w->len = 0;
	w->handed = 0;
	td_jsonw_next(w);
}

/* ---- output: bytes gather in w->buf and go to the FILE in one fwrite
 * when it fills and at td_jsonw_finish().  A connection line is a few
 * hundred small pieces; one stdio call each was a third of a JSON run. */

static void flush(struct td_jsonw *w)
{
	if (w->len)
		fwrite(w->buf, 1, w->len, w->f);
	w->handed += w->len;
	w->len = 0;
}

static void put(struct td_jsonw *w, const void *p, size_t n)
{
	if (n > sizeof w->buf - w->len) {
		flush(w);
		if (n >= sizeof w->buf) {
			fwrite(p, 1, n, w->f);
			w->handed += n;
			return;
		}
	}
	char *d = w->buf + w->len;
	const char *q = p;
	/* Keys and names are short: fixed-size moves, overlapping when n is
	 * not a power of two, instead of a call to memcpy each. */
	if (n >= 8 && n <= 16) {
		uint64_t x, y;
		memcpy(&x, q, 8);
		memcpy(&y, q + n - 8, 8);
		memcpy(d, &x, 8);
		memcpy(d + n - 8, &y, 8);
	} else if (n >= 4 && n < 8) {
		uint32_t x, y;
		memcpy(&x, q, 4);
		memcpy(&y, q + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else if (n < 4) {
		for (size_t i = 0; i < n; i++)
			d[i] = q[i];
	} else {
		memcpy(d, q, n);
	}
	w->len += n;
}

void td_jsonw_out_slow(struct td_jsonw *w, const char *p, size_t n)
{
	put(w, p, n);
}

static void putch(struct td_jsonw *w, char c)
{
	if (w->len == sizeof w->buf)
		flush(w);
	w->buf[w->len++] = c;
}

/* A string literal, its length known at compile time. */
#define PUTS(w, lit) put((w), (lit), sizeof(lit) - 1)

enum td_result td_jsonw_value_status(const struct td_jsonw *w)
{
	if (w->misuse || !w->started || w->depth != 0 || w->after_key)
		return TD_ERR_USAGE;
	return TD_OK;
}

enum td_result td_jsonw_finish(struct td_jsonw *w)
{
	flush(w);
	enum td_result r = td_jsonw_value_status(w);
	if (r != TD_OK)
		return r;
	if (ferror(w->f))
		return TD_ERR_IO;
	return TD_OK;
}

void td_jsonw_next(struct td_jsonw *w)
{
	w->depth = 0;
	w->is_object = 0;
	w->has_items = 0;
	w->after_key = false;
	w->started = false;
	w->misuse = false;
}

void td_jsonw_newline(struct td_jsonw *w)
{
	putch(w, '\n');
}

void td_jsonw_flush(struct td_jsonw *w)
{
	flush(w);
}

/* Is f line-buffered? */
static bool line_buffered(FILE *f)
{
#ifdef HAVE___FLBF
	return __flbf(f) != 0;
#else
	(void)f;
	return true;  /* cannot tell: line by line, as safe as before */
#endif
}

void td_jsonw_line_end(struct td_jsonw *w)
{
	td_jsonw_newline(w);
	if (line_buffered(w->f))
		flush(w);
}

static uint32_t top_bit(const struct td_jsonw *w)
{
	return (uint32_t)1 << (w->depth - 1);
}

static bool in_object(const struct td_jsonw *w)
{
	return w->depth > 0 && (w->is_object & top_bit(w)) != 0;
}

/* Before any value: the comma, and the check that a value may come here. */
static void before_value(struct td_jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0) {
		if (w->started)
			w->misuse = true;  /* one top-level value per init */
		w->started = true;
		return;
	}
	if (in_object(w))
		w->misuse = true;  /* an object member needs a key first */
	if (w->has_items & top_bit(w))
		putch(w, ',');
	w->has_items |= top_bit(w);
}

void td_jsonw_before_value_slow(struct td_jsonw *w)
{
	before_value(w);
}

/* Before a key: the comma, and the check that
 * a member may come here. */
static void before_member(struct td_jsonw *w)
{
	if (!in_object(w) || w->after_key)
		w->misuse = true;
	if (w->depth > 0) {
		if (w->has_items & top_bit(w))
			putch(w, ',');
		w->has_items |= top_bit(w);
	}
}

/* Bytes written as they are: printable ASCII but '"' and '\\'. */
static const bool plain_byte[256] = {
	[0x20] = true, [0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7e] = true,
};

/* Whether any of the 8 bytes in x needs more than a copy: below 0x20,
 * '"', '\\', 0x7f or above (the bytes plain_byte[] refuses).  The usual
 * word-at-a-time tests: (v - 0x01..) & ~v & 0x80.. is non-zero exactly
 * when some byte of v is zero, and (v - n*0x01..) & ~v & 0x80.. exactly
 * when some byte is below n (n <= 0x80). */
static bool word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\'), d = x ^ (ones * 0x7f);
	uint64_t t = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) |
		     ((d - ones) & ~d) | x;
	return (t & highs) != 0;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LITTLE_ENDIAN_WORDS true
#else
#define LITTLE_ENDIAN_WORDS false  /* the tail goes byte by byte */
#endif

/* The r < 8 bytes at p in a word, the bytes past them spaces (plain),
 * put together in registers (bytes stored one by one and read back as a
 * word would stall the load), in little-endian order: p[0] lowest. */
static uint64_t load_tail(const uint8_t *p, size_t r)
{
	uint64_t x = 0x2020202020202020u;
	size_t o = 0;
	if (r & 4) {
		uint32_t v;
		memcpy(&v, p, 4);
		x = (x & ~(uint64_t)0xffffffffu) | v;
		o = 4;
	}
	if (r & 2) {
		uint16_t v;
		memcpy(&v, p + o, 2);
		x = (x & ~((uint64_t)0xffffu << (8 * o))) | (uint64_t)v << (8 * o);
		o += 2;
	}
	if (r & 1)
		x = (x & ~((uint64_t)0xffu << (8 * o))) | (uint64_t)p[o] << (8 * o);
	return x;
}

#ifdef __SSE2__
/* The 16 bytes at p as a bit mask, bit k set when p[k] needs more than
 * a copy (the bytes word_needs_escape() finds, 16 at once): below 0x20
 * or 0x80 and above (one signed comparison), '"', '\\', 0x7f. */
static unsigned escapes16(const uint8_t *p)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i t = _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
				 _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
	t = _mm_or_si128(t, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
					 _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
	return (unsigned)_mm_movemask_epi8(t);
}
#endif

/* The string, quoted and escaped, written straight into the buffer.  A
 * JSON run writes hundreds of strings per connection (names, subjects,
 * digests), so each step checks and copies 16 bytes at once where SSE2
 * is there, else 8 (or the last 1..7), and only a word that needs an
 * escape goes byte by byte.  A step writes at most 16 bytes, so room is
 * checked once per step. */
static void write_escaped(struct td_jsonw *w, const uint8_t *p, size_t n)
{
	putch(w, '"');
	char *d = w->buf + w->len;
	char *const lim = w->buf + sizeof w->buf - 16;
	size_t i = 0;
	while (i < n) {
		if (d > lim) {
			w->len = (size_t)(d - w->buf);
			flush(w);
			d = w->buf;
		}
		size_t r = n - i;
#ifdef __SSE2__
		if (r >= 16) {
			unsigned m = escapes16(p + i);
			/* The bytes before the first that needs an escape. */
			size_t k = m ? (size_t)__builtin_ctz(m) : 16;
			memcpy(d, p + i, 16);  /* past k: overwritten next */
			d += k;
			i += k;
			if (m == 0)
				continue;
			r = n - i;
		}
#endif
		uint64_t x;
		bool whole = true;
		if (r >= 8) {
			memcpy(&x, p + i, 8);
			r = 8;
		} else {
			x = load_tail(p + i, r);
			whole = LITTLE_ENDIAN_WORDS;  /* load_tail placed bytes as on LE */
		}
		if (whole && !word_needs_escape(x)) {
			memcpy(d, &x, 8);  /* the spaces past r are overwritten next */
			d += r;
			i += r;
			continue;
		}
		if (plain_byte[p[i]]) {
			*d++ = (char)p[i++];
			continue;
		}
		uint32_t cp = 0;
		size_t k = td_text_utf8(p + i, n - i, &cp);
		if (k == 0) {
			/* Not UTF-8: one replacement character per bad byte. */
			memcpy(d, "\\ufffd", 6);
			d += 6;
			i++;
		} else if (cp == '"' || cp == '\\') {
			*d++ = '\\';
			*d++ = (char)cp;
			i++;
		} else if (td_text_is_control(cp)) {
			/* C0, DEL and C1: harmless in JSON but not on a terminal
			 * someone pipes this into.  cp <= 0x9f. */
			static const char hex[] = "0123456789abcdef";
			memcpy(d, "\\u00", 4);
			d[4] = hex[(cp >> 4) & 0xf];
			d[5] = hex[cp & 0xf];
			d += 6;
			i += k;
		} else {
			memcpy(d, p + i, k);  /* k <= 4 */
			d += k;
			i += k;
		}
	}
	w->len = (size_t)(d - w->buf);
	putch(w, '"');
}

void td_jsonw_key_n(struct td_jsonw *w, const char *key, size_t n)
{
	before_member(w);
	if (!key) {
		w->misuse = true;
		key = "";
		n = 0;
	}
	write_escaped(w, (const uint8_t *)key, n);
	putch(w, ':');
	w->after_key = true;
}


static void begin(struct td_jsonw *w, bool object)
{
	before_value(w);
	putch(w, object ? '{' : '[');
	if (w->depth >= TD_JSONW_MAX_DEPTH) {
		/* Keep writing valid brackets but remember the misuse; the
		 * content of this container is no longer tracked. */
		w->misuse = true;
		return;
	}
	w->depth++;
	uint32_t bit = top_bit(w);
	if (object)
		w->is_object |= bit;
	else
		w->is_object &= ~bit;
	w->has_items &= ~bit;
}

static void end(struct td_jsonw *w, bool object)
{
	if (w->depth == 0 || in_object(w) != object || w->after_key) {
		w->misuse = true;
		if (w->after_key) {
			PUTS(w, "null");
			w->after_key = false;
		}
	}
	putch(w, object ? '}' : ']');
	if (w->depth > 0) {
		w->has_items &= ~top_bit(w);
		w->depth--;
	}
}

void td_jsonw_object_begin(struct td_jsonw *w)
{
	begin(w, true);
}

void td_jsonw_object_end(struct td_jsonw *w)
{
	end(w, true);
}

void td_jsonw_array_begin(struct td_jsonw *w)
{
	begin(w, false);
}

void td_jsonw_array_end(struct td_jsonw *w)
{
	end(w, false);
}

void td_jsonw_string_n(struct td_jsonw *w, const char *s, size_t n)
{
	before_value(w);
	write_escaped(w, (const uint8_t *)s, s ? n : 0);
}

/* A number in decimal, without printf (a JSON run writes millions). */
/* The decimal digits of v, at least `min` of them (zeros in front),
 * written backwards ending at end; returns how many.  Two digits a step
 * from a table: a JSON line has some fifty numbers. */
static size_t dec_digits(char *end, uint64_t v, size_t min)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char *p = end;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100u);
		v /= 100u;
		p -= 2;
		memcpy(p, pairs + 2 * r, 2);
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	while ((size_t)(end - p) < min)
		*--p = '0';
	return (size_t)(end - p);
}

static void put_u64(struct td_jsonw *w, uint64_t v)
{
	char buf[24];
	size_t n = dec_digits(buf + sizeof buf, v, 1);
	put(w, buf + sizeof buf - n, n);
}

void td_jsonw_uint(struct td_jsonw *w, uint64_t v)
{
	before_value(w);
	put_u64(w, v);
}

void td_jsonw_int(struct td_jsonw *w, int64_t v)
{
	before_value(w);
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	if (v < 0)
		putch(w, '-');
	put_u64(w, mag);
}

/* The text of td_jsonw_fixed() into buf (NUM_MAX bytes, not
 * terminated); returns its length. */
static size_t fmt_fixed(char *buf, int64_t v, unsigned decimals)
{
	if (decimals > 18)
		decimals = 18;
	/* Magnitude in unsigned arithmetic: -INT64_MIN does not fit int64. */
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	/* Every digit of mag, at least decimals + 1 of them (zeros in
	 * front), then the point goes in before the last `decimals`. */
	char digits[24];
	size_t nd = dec_digits(digits + sizeof digits, mag, decimals + 1);
	const char *d = digits + sizeof digits - nd;
	size_t whole = nd - decimals, o = 0;
	if (v < 0)
		buf[o++] = '-';
	memcpy(buf + o, d, whole);
	o += whole;
	if (decimals == 0)
		return o;
	buf[o++] = '.';
	memcpy(buf + o, d + whole, decimals);
	return o + decimals;
}

void td_jsonw_fixed(struct td_jsonw *w, int64_t v, unsigned decimals)
{
	before_value(w);
	if (decimals > 18)
		w->misuse = true;
	char buf[NUM_MAX];
	put(w, buf, fmt_fixed(buf, v, decimals));
}

void td_jsonw_bool(struct td_jsonw *w, bool v)
{
	before_value(w);
	if (v)
		PUTS(w, "true");
	else
		PUTS(w, "false");
}

void td_jsonw_null(struct td_jsonw *w)
{
	before_value(w);
	PUTS(w, "null");
}
