/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_vectors.h - real TLS records shared by test_tls_record.c and
 * test_tls_handshake.c, and a buffer to join records or messages into.
 *
 * Each array is one record as it was on the wire, record header
 * included; tls_vectors.c names the capture and frame it came from.
 * The sizes are in the declarations so that `sizeof` works in the tests
 * (and the compiler checks them against the definitions).
 */
#ifndef TD_TLS_VECTORS_H
#define TD_TLS_VECTORS_H

#include <stddef.h>
#include <stdint.h>

/* Header lengths: a record's type, version and u16 length; a handshake
 * message's type and u24 length. */
enum { TV_REC_HDR = 5, TV_HS_HDR = 4 };

extern const uint8_t cc_sh_rec[89];    /* ServerHello, TLS 1.2, 0xc030 */
extern const uint8_t cc_cr_rec[57];    /* CertificateRequest, TLS 1.2, no CA names */
extern const uint8_t hrr_ch_rec[236];  /* ClientHello, TLS 1.3 only (answered by an HRR) */
extern const uint8_t sslv2_rec[105];   /* SSLv2-compatible ClientHello */

/* Bytes joined into one buffer: a stream of records, a flight of
 * handshake messages.  Set n to 0 to start again. */
struct tv_stream {
	uint8_t b[4096];
	size_t n;
};

/* Append the n bytes at p to st; a fatal CUnit assertion (the test
 * stops) when they do not fit. */
void tv_add(struct tv_stream *st, const void *p, size_t n);

#endif
