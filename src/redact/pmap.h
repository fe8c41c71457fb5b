/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmap.h - a map from originals to pseudonyms, and substitution of the
 * originals in free text (private to src/redact/: the redactor's engine
 * room, redact.h says what is redacted).
 *
 * Keys are compared ASCII case-insensitively (stored lowercased).  An
 * entry marked in_text is also replaced in free text by
 * td_pmap_substitute(); only originals of at least two bytes are, so a
 * one-letter original cannot replace that letter everywhere.
 * Embedded: td_pmap_init / td_pmap_cleanup.  The map has no cap of its
 * own: the redactor counts and caps what it adds.
 */
#ifndef TD_OUT_PMAP_H
#define TD_OUT_PMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "result.h"

struct td_pmap_entry {
	char *key;       /* owned: the original, ASCII-lowercased */
	size_t len;      /* strlen(key) */
	char *pseudo;    /* owned; stays at the same address until cleanup */
	uint64_t hash;   /* of key, with the map's base */
	uint32_t next;   /* next entry of the bucket, index + 1; 0 ends */
	bool in_text;    /* replaced in free text too */
};

/* A distinct length of the in-text originals, with base^len. */
struct td_pmap_len {
	size_t len;
	uint64_t pow;
};

#define TD_PMAP_FIRST2_WORDS (65536u / 64u)

struct td_pmap {
	uint64_t base;              /* the hash's base; maps searched together share it */
	struct td_pmap_entry *v;    /* in order of addition */
	size_t n, alloc;
	uint32_t *bucket;           /* index + 1 of a chain's first entry; 0: empty */
	size_t nbucket;             /* a power of two (2^bits), or 0 */
	unsigned bits;
	struct td_pmap_len *lens;   /* in-text lengths, longest first */
	size_t n_lens, alloc_lens;
	uint64_t first2[TD_PMAP_FIRST2_WORDS]; /* bit lower(k[0]) << 8 | lower(k[1]) of in-text keys */
};

/* A random hash base (getrandom(), else the clock, pid and salt). */
uint64_t td_pmap_draw_base(const void *salt);

void td_pmap_init(struct td_pmap *m, uint64_t base);
/* Free every entry; the map is empty and usable again, same base. */
void td_pmap_cleanup(struct td_pmap *m);

/* The entry of s[0..len), or NULL. */
struct td_pmap_entry *td_pmap_find(const struct td_pmap *m, const char *s, size_t len);

/* Add s[0..len) -> pseudo (both copied); the caller checked that it is
 * not there yet.  TD_ERR_NOMEM leaves the map as it was, except that an
 * in-text entry whose length could not be indexed stays, not in text. */
enum td_result td_pmap_add(struct td_pmap *m, const char *s, size_t len, const char *pseudo,
			   bool in_text) TD_MUST_CHECK;

/* Replace e's original in free text from now on. */
enum td_result td_pmap_mark_text(struct td_pmap *m, struct td_pmap_entry *e) TD_MUST_CHECK;

/*
 * A new copy of s in which every in-text original of a or b (same base)
 * is replaced by its pseudonym: at each place the longest original
 * there wins (b's only when longer than a's), and only where it is not
 * glued to a letter, digit, '-' or '_' on either side.  NULL when
 * memory runs out.
 */
char *td_pmap_substitute(const struct td_pmap *a, const struct td_pmap *b, const char *s);

/* a and b equal, ASCII case-insensitively, over len bytes. */
bool td_pmap_same_fold(const char *a, const char *b, size_t len);

/* A letter, digit, '-' or '_': a character that glues a match into a
 * longer word ("10.0.0.1" is not replaced inside "10.0.0.12"). */
bool td_pmap_glue(char c);

#endif
