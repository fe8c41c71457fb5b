/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quic_crypto.h - the two primitives QUIC packet protection needs beyond
 * TLS 1.3's (tls_crypto.h), through wolfSSL in src/crypto/.
 *
 * RFC 9001 5.2: initial_secret = HKDF-Extract(initial_salt, client_dcid)
 * (the Expand side is td_hkdf_expand_label, the same as TLS 1.3's);
 * RFC 9001 5.4.3 and 5.4.4: the header protection mask, AES-ECB of the
 * 16-byte sample for the AES suites, ChaCha20 keyed by the sample for
 * ChaCha20-Poly1305.
 */
#ifndef TD_QUIC_CRYPTO_H
#define TD_QUIC_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"
#include "tls_crypto.h"

/* The header protection sample and the mask bytes used (RFC 9001 5.4.2). */
#define TD_QUIC_HP_SAMPLE 16u
#define TD_QUIC_HP_MASK   5u

/*
 * HKDF-Extract(salt, ikm) (RFC 5869 2.2) into out, which takes the hash's
 * length (32 or 48 bytes).  TD_ERR_USAGE for oversized inputs,
 * TD_ERR_UNSUPPORTED when wolfSSL fails.
 */
enum td_result td_hkdf_extract(enum td_hash hash, const uint8_t *salt, size_t salt_len,
			       const uint8_t *ikm, size_t ikm_len, uint8_t *out) TD_MUST_CHECK;

/*
 * The header protection mask of RFC 9001 5.4: AES-ECB(hp, sample) for
 * TD_AEAD_AES_GCM and TD_AEAD_AES_CCM (key_len 16 or 32), ChaCha20 with
 * counter = sample[0..3] (little endian) and nonce = sample[4..15] over
 * five zero bytes for TD_AEAD_CHACHA20_POLY1305 (key_len 32).  Writes
 * TD_QUIC_HP_MASK bytes.  TD_ERR_USAGE for a bad key length,
 * TD_ERR_UNSUPPORTED when wolfSSL fails.
 */
enum td_result td_quic_hp_mask(enum td_aead aead, const uint8_t *hp, size_t key_len,
			       const uint8_t sample[TD_QUIC_HP_SAMPLE],
			       uint8_t mask[TD_QUIC_HP_MASK]) TD_MUST_CHECK;

#endif
