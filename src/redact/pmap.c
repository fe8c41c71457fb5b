/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmap.c - the redactor's map, original -> pseudonym, and the free-text
 * substitution over it (see pmap.h and redact.h).
 *
 * Not a protocol file: it works on the model's strings, never on wire
 * bytes.
 *
 * The originals come from the wire, so the hash cannot be one a capture
 * could be made to collide: it is a polynomial hash modulo the prime
 * 2^61 - 1 with a base drawn at random per redactor.  The same
 * polynomial lets the free-text pass hash any substring of a given
 * length in O(1) from prefix hashes:
 *
 *   H[0] = 0,  H[i+1] = H[i] * B + (lower(s[i]) + 1)          (mod P)
 *   hash(s[i .. i+L)) = H[i+L] - H[i] * B^L                    (mod P)
 *
 * The free-text pass walks the text once; at each position where a word
 * may start, it tries the distinct lengths of the originals, longest
 * first, and takes the first (so the longest) original that is there
 * and is not glued to a letter, digit, '-' or '_' on its right.  A
 * bitmap of the first two bytes of every original skips most positions
 * at once.  Cost: the text's length times the number of distinct
 * original lengths, at worst.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if __has_include(<sys/random.h>)
#include <sys/random.h>
#define TD_PMAP_GETRANDOM 1
#endif

#include "dynbuf.h"
#include "pmap.h"

/* ---- the hash ---- */

#define HASH_P ((uint64_t)0x1fffffffffffffffull)  /* 2^61 - 1, prime */

static uint64_t mulmod(uint64_t a, uint64_t b)
{
	unsigned __int128 x = (unsigned __int128)a * b;
	uint64_t lo = (uint64_t)x & HASH_P;
	uint64_t hi = (uint64_t)(x >> 61);
	uint64_t r = lo + hi;
	return r >= HASH_P ? r - HASH_P : r;
}

static uint64_t addmod(uint64_t a, uint64_t b)
{
	uint64_t r = a + b;  /* both < 2^61: no overflow */
	return r >= HASH_P ? r - HASH_P : r;
}

static uint64_t powmod(uint64_t b, size_t e)
{
	uint64_t r = 1;
	while (e) {
		if (e & 1u)
			r = mulmod(r, b);
		b = mulmod(b, b);
		e >>= 1;
	}
	return r;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static uint64_t hash_str(uint64_t base, const char *s, size_t len)
{
	uint64_t h = 0;
	for (size_t i = 0; i < len; i++)
		h = addmod(mulmod(h, base), (uint64_t)lower((unsigned char)s[i]) + 1u);
	return h;
}

/* A letter, digit, '-' or '_' next to a match makes it part of a longer
 * word: "10.0.0.1" is not replaced inside "10.0.0.12". */
bool td_pmap_glue(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* ---- the map ---- */

void td_pmap_init(struct td_pmap *m, uint64_t base)
{
	memset(m, 0, sizeof *m);
	m->base = base;
}

void td_pmap_cleanup(struct td_pmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].key);
		free(m->v[i].pseudo);
	}
	free(m->v);
	free(m->bucket);
	free(m->lens);
	td_pmap_init(m, m->base);
}

static size_t bucket_of(const struct td_pmap *m, uint64_t h)
{
	return (size_t)((h * 0x9e3779b97f4a7c15ull) >> (64u - m->bits));
}

static unsigned first2_bit(const char *k)
{
	return (unsigned)lower((unsigned char)k[0]) << 8 | lower((unsigned char)k[1]);
}

static bool eq_fold(const char *key, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (key[i] != (char)lower((unsigned char)s[i]))
			return false;
	return true;
}

/* Both sides folded. */
bool td_pmap_same_fold(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return false;
	return true;
}

static struct td_pmap_entry *pmap_find_hash(const struct td_pmap *m, uint64_t h, const char *s,
					    size_t len)
{
	if (m->nbucket == 0)
		return NULL;
	for (uint32_t k = m->bucket[bucket_of(m, h)]; k; k = m->v[k - 1].next) {
		struct td_pmap_entry *e = &m->v[k - 1];
		if (e->hash == h && e->len == len && eq_fold(e->key, s, len))
			return e;
	}
	return NULL;
}

struct td_pmap_entry *td_pmap_find(const struct td_pmap *m, const char *s, size_t len)
{
	return pmap_find_hash(m, hash_str(m->base, s, len), s, len);
}

static enum td_result pmap_rehash(struct td_pmap *m, size_t nbucket, unsigned bits)
{
	uint32_t *b = calloc(nbucket, sizeof *b);
	if (!b)
		return TD_ERR_NOMEM;
	free(m->bucket);
	m->bucket = b;
	m->nbucket = nbucket;
	m->bits = bits;
	for (size_t i = 0; i < m->n; i++) {
		size_t k = bucket_of(m, m->v[i].hash);
		m->v[i].next = b[k];
		b[k] = (uint32_t)(i + 1);
	}
	return TD_OK;
}

/* Note a new in-text original: its length and its first two bytes. */
static enum td_result pmap_text_index(struct td_pmap *m, const struct td_pmap_entry *e)
{
	m->first2[first2_bit(e->key) / 64u] |= 1ull << (first2_bit(e->key) % 64u);
	size_t pos = 0;
	while (pos < m->n_lens && m->lens[pos].len > e->len)
		pos++;
	if (pos < m->n_lens && m->lens[pos].len == e->len)
		return TD_OK;
	if (m->n_lens == m->alloc_lens) {
		size_t na = m->alloc_lens ? 2 * m->alloc_lens : 16;
		struct td_pmap_len *nl = realloc(m->lens, na * sizeof *nl);
		if (!nl)
			return TD_ERR_NOMEM;
		m->lens = nl;
		m->alloc_lens = na;
	}
	memmove(&m->lens[pos + 1], &m->lens[pos], (m->n_lens - pos) * sizeof *m->lens);
	m->lens[pos].len = e->len;
	m->lens[pos].pow = powmod(m->base, e->len);
	m->n_lens++;
	return TD_OK;
}

/* Free text needs at least two bytes to match: a one-letter original
 * would replace that letter everywhere. */
static bool text_worthy(size_t len)
{
	return len >= 2;
}

enum td_result td_pmap_mark_text(struct td_pmap *m, struct td_pmap_entry *e)
{
	if (e->in_text || !text_worthy(e->len))
		return TD_OK;
	enum td_result r = pmap_text_index(m, e);
	if (r == TD_OK)
		e->in_text = true;  /* only once its length is indexed, or it would never match */
	return r;
}

/* Add original -> pseudo (both copied).  The caller checked it is new. */
enum td_result td_pmap_add(struct td_pmap *m, const char *orig, size_t len, const char *pseudo,
			   bool in_text)
{
	enum td_result r = TD_ERR_NOMEM;
	char *key = NULL, *ps = NULL;
	if (m->n >= UINT32_MAX - 1)
		return TD_ERR_CAP;
	if (m->n == m->alloc) {
		size_t na = m->alloc ? 2 * m->alloc : 32;
		struct td_pmap_entry *nv = realloc(m->v, na * sizeof *nv);
		if (!nv)
			goto out;
		m->v = nv;
		m->alloc = na;
	}
	if ((m->n + 1) * 2 > m->nbucket) {
		size_t nb = m->nbucket ? 2 * m->nbucket : 64;
		unsigned bits = m->bits ? m->bits + 1 : 6;
		if (pmap_rehash(m, nb, bits) != TD_OK)
			goto out;
	}
	key = malloc(len + 1);
	ps = strdup(pseudo);
	if (!key || !ps)
		goto out;
	for (size_t i = 0; i < len; i++)
		key[i] = (char)lower((unsigned char)orig[i]);
	key[len] = '\0';
	struct td_pmap_entry *e = &m->v[m->n];
	e->key = key;
	e->len = len;
	e->pseudo = ps;
	e->hash = hash_str(m->base, key, len);
	e->in_text = false;
	size_t k = bucket_of(m, e->hash);
	e->next = m->bucket[k];
	m->bucket[k] = (uint32_t)(m->n + 1);
	m->n++;
	key = ps = NULL;
	r = in_text ? td_pmap_mark_text(m, e) : TD_OK;
out:
	free(key);
	free(ps);
	return r;
}

uint64_t td_pmap_draw_base(const void *salt)
{
	uint64_t x = 0;
	bool ok = false;
#ifdef TD_PMAP_GETRANDOM
	ok = getrandom(&x, sizeof x, GRND_NONBLOCK) == (ssize_t)sizeof x;
#endif
	if (!ok) {
		/* Not secret, but differs from run to run. */
		struct timespec ts = { 0, 0 };
		(void)clock_gettime(CLOCK_REALTIME, &ts);
		x = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		x ^= (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)salt;
		x *= 0x9e3779b97f4a7c15ull;
	}
	x %= HASH_P - 1000u;
	return x + 257u;  /* past every byte value + 1 */
}

/* ---- free text ---- */

/* The longest in-text original of m at s[i..], not glued on its right. */
static const struct td_pmap_entry *match_at(const struct td_pmap *m, const char *s, size_t n,
					     size_t i, const uint64_t *H, size_t longer_than)
{
	if (m->n_lens == 0 || !(m->first2[first2_bit(s + i) / 64u] >> (first2_bit(s + i) % 64u) & 1u))
		return NULL;
	for (size_t k = 0; k < m->n_lens; k++) {
		size_t len = m->lens[k].len;
		if (len <= longer_than)
			break;
		if (len > n - i)
			continue;
		if (i + len < n && td_pmap_glue(s[i + len]))
			continue;
		uint64_t h = addmod(H[i + len], HASH_P - mulmod(H[i], m->lens[k].pow));
		const struct td_pmap_entry *e = pmap_find_hash(m, h, s + i, len);
		if (e && e->in_text)
			return e;
	}
	return NULL;
}

char *td_pmap_substitute(const struct td_pmap *a, const struct td_pmap *b, const char *s)
{
	char *res = NULL;
	uint64_t *H = NULL;
	struct td_dynbuf out;
	size_t n = strlen(s);
	/* A pseudonym is at most 64 bytes and an original at least 2. */
	td_dynbuf_init(&out, n < SIZE_MAX / 40u ? 33u * n + 64u : SIZE_MAX);
	if (a->n_lens == 0 && b->n_lens == 0)
		return strdup(s);
	H = malloc((n + 1) * sizeof *H);
	if (!H)
		goto out;
	H[0] = 0;
	for (size_t i = 0; i < n; i++)
		H[i + 1] = addmod(mulmod(H[i], a->base), (uint64_t)lower((unsigned char)s[i]) + 1u);
	size_t from = 0;
	for (size_t i = 0; i + 1 < n;) {
		if (i > 0 && td_pmap_glue(s[i - 1])) {
			i++;
			continue;
		}
		const struct td_pmap_entry *e = match_at(a, s, n, i, H, 0);
		const struct td_pmap_entry *l = match_at(b, s, n, i, H, e ? e->len : 0);
		if (l)
			e = l;
		if (!e) {
			i++;
			continue;
		}
		if (td_dynbuf_add(&out, s + from, i - from) != TD_OK ||
		    td_dynbuf_add(&out, e->pseudo, strlen(e->pseudo)) != TD_OK)
			goto out;
		i += e->len;
		from = i;
	}
	if (td_dynbuf_add(&out, s + from, n - from) != TD_OK || td_dynbuf_add(&out, "", 1) != TD_OK)
		goto out;
	res = (char *)out.data;
	out.data = NULL;
out:
	free(H);
	td_dynbuf_cleanup(&out);
	return res;
}
