/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp_arena.c - the counting allocator the decompression libraries get
 * (decomp_int.h): every byte they hold is counted, and a request that
 * would take them past the arena's cap is refused (the library then
 * fails cleanly: zlib, brotli and zstd all check their allocations).
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "decomp_int.h"

/* Each arena block starts with its size, so that the libraries' free
 * callbacks (which are not told it) can give the bytes back; the header
 * keeps the block aligned for any type. */
#define ARENA_HDR (sizeof(max_align_t))

void *td_arena_alloc(struct td_arena *a, size_t n)
{
	if (n > a->cap - a->used) {
		a->over_cap = true;
		return NULL;
	}
	unsigned char *p = malloc(ARENA_HDR + n);
	if (!p) {
		a->nomem = true;
		return NULL;
	}
	memcpy(p, &n, sizeof n);
	a->used += n;
	if (a->used > a->peak)
		a->peak = a->used;
	return p + ARENA_HDR;
}

void td_arena_free(struct td_arena *a, void *p)
{
	if (!p)
		return;
	unsigned char *block = (unsigned char *)p - ARENA_HDR;
	size_t n;
	memcpy(&n, block, sizeof n);
	a->used -= n;
	free(block);
}
