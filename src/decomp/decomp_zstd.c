/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp_zstd.c - RFC 8879 algorithm 3: Zstandard frames (RFC 8878),
 * through Debian's libzstd.  The only file of tlsdiag that includes
 * <zstd.h>.
 *
 * One-shot decompression into the caller's buffer: zstd then needs no
 * window buffer (the output is the window), only its context, which is
 * allocated from the arena through the customMem interface.  That
 * interface is in zstd's "static linking only" section, but Debian's
 * libzstd exports it (it has been there since zstd 1.0).  A frame whose
 * content is larger than the buffer, or that keeps producing past it,
 * fails with dstSize_tooSmall: no growth, ever.
 */
#include "config.h"

#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include "decomp_int.h"

static void *zs_alloc(void *opaque, size_t n)
{
	return td_arena_alloc(opaque, n);
}

static void zs_free(void *opaque, void *p)
{
	td_arena_free(opaque, p);
}

struct td_inflate td_inflate_zstd(const uint8_t *src, size_t n, uint8_t *out, size_t out_len,
				  struct td_arena *a)
{
	struct td_inflate res = { 0, TD_CCF_CORRUPT };
	ZSTD_customMem mem = { zs_alloc, zs_free, a };
	ZSTD_DCtx *dctx = ZSTD_createDCtx_advanced(mem);
	if (!dctx)
		return res;
	size_t rc = ZSTD_decompressDCtx(dctx, out, out_len, src, n);
	if (!ZSTD_isError(rc)) {
		res.produced = rc;
		res.fault = rc < out_len ? TD_CCF_SHORTER : TD_CCF_NONE;
	} else if (ZSTD_getErrorCode(rc) == ZSTD_error_dstSize_tooSmall) {
		res.produced = out_len;
		res.fault = TD_CCF_LONGER;
	}
	/* Anything else (cut, bad data, a dictionary we do not have, bytes
	 * that are not a frame after the last one) stays CORRUPT. */
	ZSTD_freeDCtx(dctx);
	return res;
}
