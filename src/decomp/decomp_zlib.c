/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp_zlib.c - RFC 8879 algorithm 1: a zlib stream (RFC 1950, DEFLATE
 * with the zlib header and Adler-32), through Debian's libz.  The only
 * file of tlsdiag's decompressors that includes <zlib.h>.
 */
#include "config.h"

#include <limits.h>
#include <zlib.h>

#include "decomp_int.h"

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	size_t n = (size_t)items * size;  /* two uInt: no overflow in size_t */
	return td_arena_alloc(opaque, n);
}

static void z_free(voidpf opaque, voidpf p)
{
	td_arena_free(opaque, p);
}

struct td_inflate td_inflate_zlib(const uint8_t *src, size_t n, uint8_t *out, size_t out_len,
				  struct td_arena *a)
{
	struct td_inflate res = { 0, TD_CCF_CORRUPT };
	/* Both lengths are under TD_CAP_CERT_DECOMPRESSED or a handshake
	 * message's 2^24; uInt is 32 bits on every platform Debian builds. */
	if (n > UINT_MAX || out_len > UINT_MAX)
		return res;
	z_stream z = { 0 };
	z.zalloc = z_alloc;
	z.zfree = z_free;
	z.opaque = a;
	if (inflateInit(&z) != Z_OK)
		return res;
	z.next_in = (Bytef *)(uintptr_t)src;  /* zlib never writes its input */
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)out_len;
	int rc = inflate(&z, Z_FINISH);
	res.produced = out_len - z.avail_out;
	if (rc == Z_BUF_ERROR && z.avail_out == 0) {
		/* The buffer is full but the stream has not ended: one more
		 * byte of room tells a longer stream from one whose Adler-32
		 * trailer is all that is left. */
		uint8_t probe;
		z.next_out = &probe;
		z.avail_out = 1;
		rc = inflate(&z, Z_FINISH);
		if (z.avail_out == 0) {
			res.fault = TD_CCF_LONGER;
			goto out;
		}
	}
	if (rc != Z_STREAM_END)
		res.fault = TD_CCF_CORRUPT;  /* cut (Z_BUF_ERROR) or bad data */
	else if (z.avail_in != 0)
		res.fault = TD_CCF_TRAILING;
	else if (res.produced < out_len)
		res.fault = TD_CCF_SHORTER;
	else
		res.fault = TD_CCF_NONE;
out:
	inflateEnd(&z);
	return res;
}
