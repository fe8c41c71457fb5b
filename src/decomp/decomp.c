/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp.c - the CompressedCertificate message (RFC 8879 4): its fields
 * read through the bounded reader, the declared length checked against
 * TD_CAP_CERT_DECOMPRESSED before the output buffer (exactly that long)
 * is allocated, then one of the three decoders (decomp_zlib.c,
 * decomp_brotli.c, decomp_zstd.c) run over a counting arena.
 *
 *   +-----------+---------------------+-------------------------------+
 *   | algorithm | uncompressed_length | compressed_certificate_message|
 *   |    u16    |        u24          |    u24 length, then bytes     |
 *   +-----------+---------------------+-------------------------------+
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "decomp_int.h"
#include "reader.h"

const char *td_certcomp_fault_str(enum td_certcomp_fault fault)
{
	switch (fault) {
	case TD_CCF_NONE: return "decompressed";
	case TD_CCF_TRUNCATED: return "the message is truncated";
	case TD_CCF_EMPTY: return "it declares or carries nothing";
	case TD_CCF_UNKNOWN_ALG: return "unknown compression algorithm";
	case TD_CCF_OVER_CAP: return "its declared length is over the cap";
	case TD_CCF_LONGER: return "it inflates beyond its declared length";
	case TD_CCF_SHORTER: return "it ends short of its declared length";
	case TD_CCF_CORRUPT: return "the compressed stream is corrupt or cut";
	case TD_CCF_TRAILING: return "bytes follow the compressed stream";
	case TD_CCF_STATE_CAP: return "the decompressor needs more memory than the cap";
	}
	return "unknown fault";
}

static enum td_result fault_result(enum td_certcomp_fault fault)
{
	switch (fault) {
	case TD_CCF_NONE: return TD_OK;
	case TD_CCF_TRUNCATED: return TD_ERR_TRUNCATED;
	case TD_CCF_UNKNOWN_ALG: return TD_ERR_UNSUPPORTED;
	case TD_CCF_OVER_CAP:
	case TD_CCF_STATE_CAP: return TD_ERR_CAP;
	case TD_CCF_EMPTY:
	case TD_CCF_LONGER:
	case TD_CCF_SHORTER:
	case TD_CCF_CORRUPT:
	case TD_CCF_TRAILING: return TD_ERR_MALFORMED;
	}
	return TD_ERR_MALFORMED;
}

enum td_result td_certcomp_decompress(const uint8_t *msg, size_t len, struct td_certcomp *out)
{
	struct td_reader r = td_rd_make(msg, len);
	memset(out, 0, sizeof *out);
	out->algorithm = td_rd_u16(&r);
	out->declared = td_rd_u24(&r);
	struct td_reader comp = td_rd_vec24(&r);
	if (!td_rd_ok(&r)) {
		out->fault = TD_CCF_TRUNCATED;
		return TD_ERR_TRUNCATED;
	}
	/* Bytes after the vector are a malformation of the message, not of
	 * the stream, but they are stray bytes all the same. */
	bool stray = td_rd_left(&r) != 0;
	size_t n = td_rd_left(&comp);
	const uint8_t *src = td_rd_bytes(&comp, n);
	if (out->algorithm != TD_CERTCOMP_ZLIB && out->algorithm != TD_CERTCOMP_BROTLI &&
	    out->algorithm != TD_CERTCOMP_ZSTD) {
		out->fault = TD_CCF_UNKNOWN_ALG;
		return TD_ERR_UNSUPPORTED;
	}
	if (out->declared == 0 || n == 0 || !src) {
		out->fault = TD_CCF_EMPTY;
		return TD_ERR_MALFORMED;
	}
	/* The cap before the allocation: a 1 KB message declaring 16 MB
	 * costs nothing. */
	if (out->declared > TD_CAP_CERT_DECOMPRESSED) {
		out->fault = TD_CCF_OVER_CAP;
		return TD_ERR_CAP;
	}
	uint8_t *body = malloc(out->declared);
	if (!body)
		return TD_ERR_NOMEM;
	struct td_arena a = { .cap = TD_CAP_DECOMPRESS_STATE };
	struct td_inflate in;
	switch (out->algorithm) {
	case TD_CERTCOMP_ZLIB:
		in = td_inflate_zlib(src, n, body, out->declared, &a);
		break;
	case TD_CERTCOMP_BROTLI:
		in = td_inflate_brotli(src, n, body, out->declared, &a);
		break;
	default:
		in = td_inflate_zstd(src, n, body, out->declared, &a);
		break;
	}
	out->allocated = out->declared + a.peak;
	if (a.nomem) {
		free(body);
		return TD_ERR_NOMEM;
	}
	if (a.over_cap && in.fault != TD_CCF_NONE)
		in.fault = TD_CCF_STATE_CAP;
	if (in.fault == TD_CCF_NONE && stray)
		in.fault = TD_CCF_TRAILING;
	out->fault = in.fault;
	if (in.fault == TD_CCF_NONE || in.fault == TD_CCF_SHORTER || in.fault == TD_CCF_TRAILING) {
		out->body = body;
		out->len = in.produced;
	} else {
		free(body);
	}
	return fault_result(out->fault);
}

void td_certcomp_cleanup(struct td_certcomp *out)
{
	if (!out)
		return;
	free(out->body);
	out->body = NULL;
	out->len = 0;
}
