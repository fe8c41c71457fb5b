/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_crypto.h - TLS 1.3 key derivation and record decryption, through
 * wolfSSL (the only crypto glue besides src/x509/).
 *
 * RFC 8446 7.1 (HKDF-Expand-Label), 7.3 (traffic key and IV from a traffic
 * secret), 5.2 (record payload protection) and 5.3 (per-record nonce).
 * HKDF, AES-GCM, AES-CCM and ChaCha20-Poly1305 are wolfSSL's; this module
 * only builds labels, nonces and additional data, and removes the inner
 * content type and padding.
 */
#ifndef TD_TLS_CRYPTO_H
#define TD_TLS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

enum td_aead {
	TD_AEAD_AES_GCM,
	TD_AEAD_AES_CCM,
	TD_AEAD_CHACHA20_POLY1305
};

enum td_hash {
	TD_HASH_SHA256,
	TD_HASH_SHA384
};

/* Largest key, the IV (nonce) length and the largest TLS 1.3 secret. */
#define TD_TLS13_KEY_MAX     32u
#define TD_TLS13_IV_LEN      12u
#define TD_TLS13_SECRET_MAX  48u
/* Largest TLSCiphertext.length (RFC 8446 5.2: 2^14 + 256). */
#define TD_TLS13_CIPHERTEXT_MAX (16384u + 256u)

/* Every TLS AEAD nonce is 12 bytes (RFC 5116 3.2 as used by TLS). */
#define TD_AEAD_NONCE_LEN 12u

/*
 * One AEAD open through wolfSSL (shared by TLS 1.3 and TLS 1.2 record
 * protection): decrypt in_len bytes of in into out and check the
 * tag_len-byte tag over aad and the ciphertext.  TD_OK when the tag
 * authenticates, TD_ERR_MALFORMED when it does not (out is then
 * garbage: the caller wipes it), TD_ERR_USAGE / TD_ERR_UNSUPPORTED for
 * bad sizes or a wolfSSL failure.
 */
enum td_result td_aead_open(enum td_aead aead, const uint8_t *key, size_t key_len,
			    const uint8_t nonce[TD_AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len,
			    const uint8_t *in, size_t in_len, const uint8_t *tag, size_t tag_len,
			    uint8_t *out) TD_MUST_CHECK;

/* What a TLS 1.3 cipher suite means for the record layer. */
struct td_tls13_suite {
	uint16_t id;            /* IANA value, 0x1301..0x1305 */
	const char *name;       /* "TLS_AES_128_GCM_SHA256"... */
	enum td_aead aead;
	enum td_hash hash;
	size_t key_len;         /* bytes: 16 or 32 */
	size_t tag_len;         /* bytes: 16, or 8 for CCM_8 */
	size_t hash_len;        /* bytes: 32 or 48, the traffic secret length */
};

/* The parameters of a TLS 1.3 suite; NULL for any other value. */
const struct td_tls13_suite *td_tls13_suite_find(uint16_t id);

/*
 * HKDF-Expand-Label(secret, label, context, out_len) of RFC 8446 7.1:
 * HKDF-Expand with info = uint16 out_len, <"tls13 " + label>, <context>.
 * label is a C string of at most 249 bytes, context at most 255 bytes.
 * TD_ERR_USAGE for bad lengths, TD_ERR_UNSUPPORTED when wolfSSL fails.
 */
enum td_result td_hkdf_expand_label(enum td_hash hash, const uint8_t *secret, size_t secret_len,
				    const char *label, const uint8_t *context, size_t context_len,
				    uint8_t *out, size_t out_len) TD_MUST_CHECK;

/*
 * One direction's record protection state: the traffic secret, the write
 * key and IV derived from it, and the sequence number of the next record.
 * Holds no heap memory; td_tls13_keys_cleanup() wipes it.
 */
struct td_tls13_keys {
	uint16_t suite;                 /* cipher suite, 0x1301..0x1305 */
	uint8_t key[TD_TLS13_KEY_MAX];  /* first key_len bytes used */
	size_t key_len;
	uint8_t iv[TD_TLS13_IV_LEN];
	uint64_t seq;                   /* next record's sequence number */
	uint8_t secret[TD_TLS13_SECRET_MAX]; /* the traffic secret the key and
					   IV come from (a KeyUpdate derives the
					   next one from it); hash_len bytes */
	uint32_t generation;            /* KeyUpdates since the secret of init */
};

/*
 * Derive key ("key") and iv ("iv") from a traffic secret (RFC 8446 7.3)
 * and set seq to 0.  The secret must be as long as the suite's hash.
 * TD_ERR_UNSUPPORTED for a suite that is not TLS 1.3, TD_ERR_USAGE for a
 * secret of the wrong length.
 */
enum td_result td_tls13_keys_init(struct td_tls13_keys *k, uint16_t suite,
				  const uint8_t *secret, size_t len) TD_MUST_CHECK;
/* Wipe the keys. */
void td_tls13_keys_cleanup(struct td_tls13_keys *k);

/*
 * The sender's KeyUpdate (RFC 8446 4.6.3, 7.2): move to the next traffic
 * secret, application_traffic_secret_N+1 =
 * HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "",
 * Hash.length), derive its key and IV, and start again at sequence
 * number 0.  TD_ERR_USAGE when k holds no keys, TD_ERR_UNSUPPORTED when
 * wolfSSL fails (k is then wiped).
 */
enum td_result td_tls13_keys_update(struct td_tls13_keys *k) TD_MUST_CHECK;

/*
 * A record passed over without decrypting it still takes its sequence
 * number (RFC 8446 5.3: the nonce of every later record depends on it):
 * count one.
 */
void td_tls13_keys_skip(struct td_tls13_keys *k);

/*
 * Decrypt one TLS 1.3 record (RFC 8446 5.2).  header5 is the 5-byte record
 * header (the additional data), ciphertext its len-byte body (encrypted
 * content + tag).  *outlen is in: the capacity of out, which must be at
 * least len - tag; out: the content length, without the inner content
 * type and the zero padding.  *inner_type gets the real content type.
 *
 * TD_OK: authenticated; seq advanced.
 * TD_ERR_MALFORMED: the tag does not authenticate (wrong key, wrong
 *   sequence, tampered bytes), or the header does not describe len
 *   bytes, or len is shorter than a tag; out is wiped and seq is NOT
 *   advanced.  Also for an authenticated record that is all zeros (no
 *   content type, RFC 8446 5.4): then seq IS advanced and *outlen is 0.
 * TD_ERR_CAP: len above TD_TLS13_CIPHERTEXT_MAX.
 * TD_ERR_USAGE: out too small.
 */
enum td_result td_tls13_decrypt(struct td_tls13_keys *k, const uint8_t *header5,
				const uint8_t *ciphertext, size_t len,
				uint8_t *out, size_t *outlen, uint8_t *inner_type) TD_MUST_CHECK;

#endif
