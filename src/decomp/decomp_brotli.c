/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp_brotli.c - RFC 8879 algorithm 2: a brotli stream (RFC 7932),
 * through Debian's libbrotlidec.  The only file of tlsdiag that includes
 * <brotli/decode.h>.
 *
 * Brotli decodes through a ring buffer as large as the stream's window
 * (up to 16 MiB) unless the stream is one final block it can size to;
 * the arena's cap (TD_CAP_DECOMPRESS_STATE) refuses the larger ones.
 */
#include "config.h"

#include <brotli/decode.h>

#include "decomp_int.h"

static void *b_alloc(void *opaque, size_t n)
{
	return td_arena_alloc(opaque, n);
}

static void b_free(void *opaque, void *p)
{
	td_arena_free(opaque, p);
}

struct td_inflate td_inflate_brotli(const uint8_t *src, size_t n, uint8_t *out, size_t out_len,
				    struct td_arena *a)
{
	struct td_inflate res = { 0, TD_CCF_CORRUPT };
	BrotliDecoderState *s = BrotliDecoderCreateInstance(b_alloc, b_free, a);
	if (!s)
		return res;
	size_t avail_in = n, avail_out = out_len;
	const uint8_t *next_in = src;
	uint8_t *next_out = out;
	BrotliDecoderResult rc = BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out,
							       &next_out, NULL);
	res.produced = out_len - avail_out;
	if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
		/* Full: one byte of room tells a longer stream from one whose
		 * last (empty) block is all that is left. */
		uint8_t probe;
		next_out = &probe;
		avail_out = 1;
		rc = BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, NULL);
		if (avail_out == 0 || rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
			res.fault = TD_CCF_LONGER;
			goto out;
		}
	}
	if (rc != BROTLI_DECODER_RESULT_SUCCESS)
		res.fault = TD_CCF_CORRUPT;  /* cut (needs more input) or bad data */
	else if (avail_in != 0)
		res.fault = TD_CCF_TRAILING;
	else if (res.produced < out_len)
		res.fault = TD_CCF_SHORTER;
	else
		res.fault = TD_CCF_NONE;
out:
	BrotliDecoderDestroyInstance(s);
	return res;
}
