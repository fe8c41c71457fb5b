/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp_int.h - what decomp.c shares with the three decoders of
 * src/decomp/ (one file per library: decomp_zlib.c, decomp_brotli.c,
 * decomp_zstd.c).
 *
 * Each decoder inflates src into exactly out_len bytes of out and says
 * how it went; its working memory comes from the arena, which counts
 * every byte and refuses past its cap.
 */
#ifndef TD_DECOMP_INT_H
#define TD_DECOMP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "decomp.h"

/* The counting allocator handed to the libraries (their opaque pointer). */
struct td_arena {
	size_t used;      /* bytes the library holds now */
	size_t peak;      /* the most it held at once */
	size_t cap;       /* used never exceeds it */
	bool over_cap;    /* a request was refused because of cap */
	bool nomem;       /* malloc itself failed */
};

/* n bytes from the arena (NULL and a flag set when refused), and back.
 * td_arena_free accepts NULL. */
void *td_arena_alloc(struct td_arena *a, size_t n);
void td_arena_free(struct td_arena *a, void *p);

/* The outcome of one decoder run. */
struct td_inflate {
	size_t produced;                /* bytes written to out */
	enum td_certcomp_fault fault;   /* NONE, LONGER, SHORTER, CORRUPT,
					   TRAILING or STATE_CAP (the arena's
					   flags decide the last) */
};

/* Each decoder: src (n bytes, n > 0) into out (out_len > 0 bytes). */
struct td_inflate td_inflate_zlib(const uint8_t *src, size_t n, uint8_t *out, size_t out_len,
				  struct td_arena *a);
struct td_inflate td_inflate_brotli(const uint8_t *src, size_t n, uint8_t *out, size_t out_len,
				    struct td_arena *a);
struct td_inflate td_inflate_zstd(const uint8_t *src, size_t n, uint8_t *out, size_t out_len,
				  struct td_arena *a);

#endif
