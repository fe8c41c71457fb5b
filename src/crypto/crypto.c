/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto.c - TLS 1.3 traffic keys and record decryption (tls_crypto.h).
 *
 * RFC 8446 7.1, the label HKDF-Expand is called with:
 *
 *   struct {
 *       uint16 length = out_len;
 *       opaque label<7..255> = "tls13 " + Label;
 *       opaque context<0..255> = Context;
 *   } HkdfLabel;
 *
 * RFC 8446 7.3: key = HKDF-Expand-Label(secret, "key", "", key_length)
 *               iv  = HKDF-Expand-Label(secret, "iv",  "", 12)
 *
 * RFC 8446 5.2, the protected record and what is inside:
 *
 *   +------+-------+-------+----------------------------------+-----+
 *   | 0x17 | 03 03 | len16 | encrypted TLSInnerPlaintext      | tag |
 *   +------+-------+-------+----------------------------------+-----+
 *   \____ additional data (5 bytes) __/
 *
 *   TLSInnerPlaintext = content | ContentType type (1) | zeros (padding)
 *
 * RFC 8446 5.3: nonce = iv XOR (64-bit sequence number, left-padded to 12).
 *
 * All primitives are wolfSSL's; nothing here is cryptography of our own.
 */
#include "config.h"

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>
#include <wolfssl/wolfcrypt/hmac.h>

#include <string.h>

#include "reader.h"
#include "tls_crypto.h"

static const struct td_tls13_suite suites[] = {
	{ 0x1301, "TLS_AES_128_GCM_SHA256", TD_AEAD_AES_GCM, TD_HASH_SHA256, 16, 16, 32 },
	{ 0x1302, "TLS_AES_256_GCM_SHA384", TD_AEAD_AES_GCM, TD_HASH_SHA384, 32, 16, 48 },
	{ 0x1303, "TLS_CHACHA20_POLY1305_SHA256", TD_AEAD_CHACHA20_POLY1305, TD_HASH_SHA256, 32, 16, 32 },
	{ 0x1304, "TLS_AES_128_CCM_SHA256", TD_AEAD_AES_CCM, TD_HASH_SHA256, 16, 16, 32 },
	{ 0x1305, "TLS_AES_128_CCM_8_SHA256", TD_AEAD_AES_CCM, TD_HASH_SHA256, 16, 8, 32 },
};

#define TLS13_LABEL_PREFIX "tls13 "
#define TLS13_CT_APPLICATION_DATA 23u

const struct td_tls13_suite *td_tls13_suite_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

static int wolf_hash(enum td_hash hash)
{
	return hash == TD_HASH_SHA384 ? WC_SHA384 : WC_SHA256;
}

enum td_result td_hkdf_expand_label(enum td_hash hash, const uint8_t *secret, size_t secret_len,
				    const char *label, const uint8_t *context, size_t context_len,
				    uint8_t *out, size_t out_len)
{
	/* 2 + 1 + 255 + 1 + 255: the largest HkdfLabel. */
	uint8_t info[514];
	size_t prefix = sizeof TLS13_LABEL_PREFIX - 1;
	size_t label_len = strlen(label);
	if (label_len > 255 - prefix || context_len > 255 || out_len > 0xffff ||
	    secret_len > 0xffffffffu || (context_len > 0 && !context))
		return TD_ERR_USAGE;
	size_t n = 0;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(prefix + label_len);
	memcpy(info + n, TLS13_LABEL_PREFIX, prefix);
	n += prefix;
	memcpy(info + n, label, label_len);
	n += label_len;
	info[n++] = (uint8_t)context_len;
	if (context_len)
		memcpy(info + n, context, context_len);
	n += context_len;
	int rc = wc_HKDF_Expand(wolf_hash(hash), secret, (word32)secret_len, info, (word32)n,
				out, (word32)out_len);
	return rc == 0 ? TD_OK : TD_ERR_UNSUPPORTED;
}

enum td_result td_tls13_keys_init(struct td_tls13_keys *k, uint16_t suite,
				  const uint8_t *secret, size_t len)
{
	memset(k, 0, sizeof *k);
	const struct td_tls13_suite *s = td_tls13_suite_find(suite);
	if (!s)
		return TD_ERR_UNSUPPORTED;
	if (len != s->hash_len)
		return TD_ERR_USAGE;
	enum td_result rc = td_hkdf_expand_label(s->hash, secret, len, "key", NULL, 0,
						 k->key, s->key_len);
	if (rc == TD_OK)
		rc = td_hkdf_expand_label(s->hash, secret, len, "iv", NULL, 0,
					  k->iv, TD_TLS13_IV_LEN);
	if (rc != TD_OK) {
		td_tls13_keys_cleanup(k);
		return rc;
	}
	k->suite = suite;
	k->key_len = s->key_len;
	k->seq = 0;
	memcpy(k->secret, secret, len);
	return TD_OK;
}

enum td_result td_tls13_keys_update(struct td_tls13_keys *k)
{
	const struct td_tls13_suite *s = td_tls13_suite_find(k->suite);
	if (!s)
		return TD_ERR_USAGE;
	uint8_t next[TD_TLS13_SECRET_MAX];
	uint32_t generation = k->generation + 1;
	enum td_result rc = td_hkdf_expand_label(s->hash, k->secret, s->hash_len, "traffic upd",
						 NULL, 0, next, s->hash_len);
	if (rc == TD_OK)
		rc = td_tls13_keys_init(k, s->id, next, s->hash_len);
	else
		td_tls13_keys_cleanup(k);
	explicit_bzero(next, sizeof next);
	if (rc == TD_OK)
		k->generation = generation;
	return rc;
}

void td_tls13_keys_skip(struct td_tls13_keys *k)
{
	k->seq++;
}

void td_tls13_keys_cleanup(struct td_tls13_keys *k)
{
	explicit_bzero(k, sizeof *k);
}

enum td_result td_aead_open(enum td_aead aead, const uint8_t *key, size_t key_len,
			    const uint8_t nonce[TD_AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len,
			    const uint8_t *in, size_t in_len, const uint8_t *tag, size_t tag_len,
			    uint8_t *out)
{
	int rc = -1;
	if (in_len > UINT32_MAX || aad_len > UINT32_MAX)
		return TD_ERR_USAGE;
	if (aead == TD_AEAD_CHACHA20_POLY1305)
		return wc_ChaCha20Poly1305_Decrypt(key, nonce, aad, (word32)aad_len, in,
						   (word32)in_len, tag, out) == 0
			? TD_OK : TD_ERR_MALFORMED;
	Aes aes;
	if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0)
		return TD_ERR_UNSUPPORTED;
	if (aead == TD_AEAD_AES_GCM) {
		if (wc_AesGcmSetKey(&aes, key, (word32)key_len) == 0)
			rc = wc_AesGcmDecrypt(&aes, out, in, (word32)in_len, nonce, TD_AEAD_NONCE_LEN,
					      tag, (word32)tag_len, aad, (word32)aad_len);
	} else {
		if (wc_AesCcmSetKey(&aes, key, (word32)key_len) == 0)
			rc = wc_AesCcmDecrypt(&aes, out, in, (word32)in_len, nonce, TD_AEAD_NONCE_LEN,
					      tag, (word32)tag_len, aad, (word32)aad_len);
	}
	wc_AesFree(&aes);
	explicit_bzero(&aes, sizeof aes);
	return rc == 0 ? TD_OK : TD_ERR_MALFORMED;
}

enum td_result td_tls13_decrypt(struct td_tls13_keys *k, const uint8_t *header5,
				const uint8_t *ciphertext, size_t len,
				uint8_t *out, size_t *outlen, uint8_t *inner_type)
{
	size_t cap = *outlen;
	*outlen = 0;
	*inner_type = 0;
	const struct td_tls13_suite *s = td_tls13_suite_find(k->suite);
	if (!s)
		return TD_ERR_USAGE;
	if (len > TD_TLS13_CIPHERTEXT_MAX)
		return TD_ERR_CAP;

	/* The header is the additional data; it must describe these bytes. */
	struct td_reader h = td_rd_make(header5, 5);
	uint8_t type = td_rd_u8(&h);
	(void)td_rd_u16(&h);
	uint16_t hlen = td_rd_u16(&h);
	if (!td_rd_ok(&h) || type != TLS13_CT_APPLICATION_DATA || hlen != len)
		return TD_ERR_MALFORMED;

	struct td_reader r = td_rd_make(ciphertext, len);
	if (td_rd_left(&r) < s->tag_len)
		return TD_ERR_MALFORMED;
	size_t body_len = td_rd_left(&r) - s->tag_len;
	const uint8_t *body = td_rd_bytes(&r, body_len);
	const uint8_t *tag = td_rd_bytes(&r, s->tag_len);
	if (!td_rd_done(&r))
		return TD_ERR_MALFORMED;
	if (body_len > cap)
		return TD_ERR_USAGE;

	uint8_t nonce[TD_TLS13_IV_LEN];
	memcpy(nonce, k->iv, sizeof nonce);
	for (size_t i = 0; i < 8; i++)
		nonce[TD_TLS13_IV_LEN - 1 - i] ^= (uint8_t)(k->seq >> (8 * i));

	/* wolfSSL wants non-NULL buffers even for an empty body. */
	static const uint8_t empty[1];
	enum td_result rc = td_aead_open(s->aead, k->key, s->key_len, nonce, header5, 5,
					 body_len ? body : empty, body_len, tag, s->tag_len, out);
	explicit_bzero(nonce, sizeof nonce);
	if (rc != TD_OK) {
		explicit_bzero(out, body_len);
		return TD_ERR_MALFORMED;
	}
	k->seq++;

	/* The content type is the last non-zero byte; zeros after it are padding. */
	size_t n = body_len;
	while (n > 0 && out[n - 1] == 0)
		n--;
	if (n == 0)
		return TD_ERR_MALFORMED;
	*inner_type = out[n - 1];
	*outlen = n - 1;
	return TD_OK;
}
