/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp.h - the CompressedCertificate message (RFC 8879 4), decompressed
 * with Debian's zlib, brotli and zstd decoders, under caps.
 *
 *   CompressedCertificate (handshake type 25)
 *   +--------------------------------------------------+
 *   | algorithm                     u16  (1 zlib,       |
 *   |                                     2 brotli,    |
 *   |                                     3 zstd)      |
 *   | uncompressed_length           u24                |
 *   | compressed_certificate_message <1..2^24-1> (u24)  |
 *   +--------------------------------------------------+
 *
 * The output is the body of the Certificate message the sender would
 * have sent uncompressed (RFC 8879 4: "the Certificate message ... with
 * the handshake header removed"), ready for td_tls_decode_certificate().
 * The decoder is a plain function of the message bytes, so any
 * transport that carries a TLS 1.3 handshake (TCP records, QUIC CRYPTO
 * frames) can call it.  The algorithms' names are the TLS layer's
 * (tls_names.h, TD_REG_CERT_COMPRESSION).
 *
 * Memory is bounded before any byte is inflated: an uncompressed_length
 * above TD_CAP_CERT_DECOMPRESSED (caps.h) is refused without allocating;
 * the output buffer is exactly the declared length, never grown; the
 * libraries' own working memory (zlib's window, brotli's ring buffer,
 * zstd's context) goes through a counting allocator capped at
 * TD_CAP_DECOMPRESS_STATE.  A stream that would inflate beyond the
 * declared length, ends short of it, is cut, corrupt or followed by
 * stray bytes is reported as a fault, never a crash.
 */
#ifndef TD_DECOMP_H
#define TD_DECOMP_H

#include <stddef.h>
#include <stdint.h>
#include "result.h"

/* CertificateCompressionAlgorithm (RFC 8879 7.3, IANA). */
enum td_certcomp_alg {
	TD_CERTCOMP_ZLIB = 1,
	TD_CERTCOMP_BROTLI = 2,
	TD_CERTCOMP_ZSTD = 3
};

/* What went wrong, if anything (td_certcomp_fault_str names each). */
enum td_certcomp_fault {
	TD_CCF_NONE = 0,     /* exactly uncompressed_length bytes came out */
	TD_CCF_TRUNCATED,    /* the message ends inside its own fields */
	TD_CCF_EMPTY,        /* uncompressed_length 0, or no compressed bytes */
	TD_CCF_UNKNOWN_ALG,  /* an algorithm tlsdiag has no decoder for */
	TD_CCF_OVER_CAP,     /* uncompressed_length > TD_CAP_CERT_DECOMPRESSED:
				refused before allocating anything */
	TD_CCF_LONGER,       /* the stream inflates beyond uncompressed_length */
	TD_CCF_SHORTER,      /* the stream ended cleanly before uncompressed_length */
	TD_CCF_CORRUPT,      /* the decoder rejected the stream, or it was cut */
	TD_CCF_TRAILING,     /* bytes follow the end of the compressed stream */
	TD_CCF_STATE_CAP     /* the decoder wanted more working memory than
				TD_CAP_DECOMPRESS_STATE */
};

struct td_certcomp {
	uint16_t algorithm;          /* as sent (0 when the message was too short) */
	uint32_t declared;           /* uncompressed_length as sent, bytes */
	enum td_certcomp_fault fault;
	uint8_t *body;               /* owned: the decompressed Certificate body,
					len bytes; set when the stream decoded to its
					end (fault NONE, SHORTER or TRAILING), else NULL */
	size_t len;                  /* bytes in body: <= declared */
	size_t allocated;            /* the most bytes held at once: the output
					buffer plus the decoder's working memory
					(0 when refused before decoding) */
};

/*
 * Decompress one CompressedCertificate message body (msg, len: the bytes
 * after the 4-byte handshake header).  *out is overwritten; release it
 * with td_certcomp_cleanup() whatever the result.
 *
 * Returns TD_OK when the output is exactly the declared length (fault
 * NONE); TD_ERR_TRUNCATED (TRUNCATED), TD_ERR_UNSUPPORTED (UNKNOWN_ALG),
 * TD_ERR_CAP (OVER_CAP, STATE_CAP), TD_ERR_MALFORMED (the others), and
 * TD_ERR_NOMEM when the C library's malloc failed (fault NONE then).
 * out->body may be set even when the result is not TD_OK (see body).
 */
enum td_result td_certcomp_decompress(const uint8_t *msg, size_t len,
				      struct td_certcomp *out) TD_MUST_CHECK;

/* Free out->body; the struct may be reused.  NULL is accepted. */
void td_certcomp_cleanup(struct td_certcomp *out);

/* A short English phrase for a fault ("inflates beyond its declared
 * length"...).  Never NULL. */
const char *td_certcomp_fault_str(enum td_certcomp_fault fault);

#endif
