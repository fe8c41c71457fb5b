/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_decomp.c - libFuzzer harness: the CompressedCertificate decoder
 * (decomp.h: RFC 8879 with Debian's zlib, brotli and zstd), then the
 * Certificate parser over what came out.
 *
 * Input: the body of a CompressedCertificate message as it comes after
 * the handshake header: algorithm u16, uncompressed_length u24, the
 * compressed stream as a u24 vector (seeds: make-seeds.py, the lab chain
 * compressed by each tool and decompression bombs).
 *
 * Oracle, besides the sanitizers: the result and fault agree (TD_OK only
 * with no fault and exactly the declared length out); a body only when
 * the stream decoded to its end, never longer than declared; nothing
 * allocated for a declaration over TD_CAP_CERT_DECOMPRESSED; never more
 * than the declared length plus TD_CAP_DECOMPRESS_STATE held at once.
 */
#include "config.h"

#include <stdlib.h>

#include "caps.h"
#include "decomp.h"
#include "fuzz_common.h"
#include "tls_handshake.h"

static enum td_result on_cert(void *ctx, const uint8_t *der, size_t len)
{
	size_t *bytes = ctx;
	if (!der && len)
		td_fuzz_fail("certificate of %zu bytes without its bytes", len);
	*bytes += len;
	return TD_OK;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_certcomp cc;
	enum td_result r = td_certcomp_decompress(data, size, &cc);
	if ((r == TD_OK) != (cc.fault == TD_CCF_NONE && r != TD_ERR_NOMEM))
		td_fuzz_fail("result %s with fault %s", td_result_str(r), td_certcomp_fault_str(cc.fault));
	if (r == TD_OK && (cc.len != cc.declared || !cc.body))
		td_fuzz_fail("ok, but %zu bytes out of %u declared", cc.len, (unsigned)cc.declared);
	bool whole = cc.fault == TD_CCF_NONE || cc.fault == TD_CCF_SHORTER ||
		     cc.fault == TD_CCF_TRAILING;
	if (cc.body && (!whole || cc.len > cc.declared))
		td_fuzz_fail("a body of %zu bytes with fault %s (declared %u)", cc.len,
			     td_certcomp_fault_str(cc.fault), (unsigned)cc.declared);
	if (!cc.body && cc.len)
		td_fuzz_fail("length %zu without a body", cc.len);
	if (cc.declared > TD_CAP_CERT_DECOMPRESSED && cc.allocated != 0)
		td_fuzz_fail("%zu bytes allocated for a declaration over the cap", cc.allocated);
	if (cc.allocated > (size_t)cc.declared + TD_CAP_DECOMPRESS_STATE)
		td_fuzz_fail("%zu bytes held for %u declared", cc.allocated, (unsigned)cc.declared);
	if (cc.body) {
		size_t bytes = 0, count = 0;
		/* Any result will do: a body that is no Certificate is data. */
		enum td_result dr = td_tls_decode_certificate(cc.body, cc.len, true, on_cert, &bytes,
							      &count);
		(void)dr;
		if (bytes > cc.len)
			td_fuzz_fail("certificates of %zu bytes in a body of %zu", bytes, cc.len);
	}
	td_certcomp_cleanup(&cc);
	return 0;
}
