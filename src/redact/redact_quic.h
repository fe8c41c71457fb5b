/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redact_quic.h - what of a QUIC connection identifies someone (private
 * to src/redact/): its connection IDs (the client's original DCID, the
 * client's and the server's SCID, and those repeated in the transport
 * parameters), the stateless reset token and the preferred address of
 * the parameters, and the CONNECTION_CLOSE reason phrase.  redact.c
 * hands in how each is replaced (its pseudonyms), so that these files
 * call one way.
 */
#ifndef TD_REDACT_QUIC_H
#define TD_REDACT_QUIC_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "result.h"

/* Replace the byte string b[*len] (room for cap bytes) in place; *len
 * becomes the new length. */
typedef enum td_result (*td_rq_bytes_fn)(void *ctx, uint8_t *b, uint8_t *len, size_t cap);
/* Replace the NUL-terminated text s (room for cap bytes) in place. */
typedef enum td_result (*td_rq_text_fn)(void *ctx, char *s, size_t cap);

/* Every identifying value of c's QUIC connection, through bytes and
 * text (none for a TCP connection).  The first failure is returned. */
enum td_result td_redact_quic(struct td_conn *c, td_rq_bytes_fn bytes, td_rq_text_fn text,
			      void *ctx) TD_MUST_CHECK;

/* Lowercase hex of b[n] into out (2 * n + 1 bytes). */
void td_rq_hex(const uint8_t *b, size_t n, char *out);
/* The bytes of the hex string s into out (at most cap); how many. */
size_t td_rq_unhex(const char *s, uint8_t *out, size_t cap);

#endif
