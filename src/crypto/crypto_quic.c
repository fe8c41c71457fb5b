/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto_quic.c - HKDF-Extract and the QUIC header protection mask
 * (quic_crypto.h).  All primitives are wolfSSL's.
 *
 * RFC 9001 5.4.1, what the mask does (done by src/quic/, not here):
 *
 *   mask = header_protection(hp_key, sample)
 *   first byte ^= mask[0] & (long header ? 0x0f : 0x1f)
 *   packet number bytes ^= mask[1..pn_length]
 */
#include "config.h"

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha.h>
#include <wolfssl/wolfcrypt/hmac.h>

#include <string.h>

#include "quic_crypto.h"

enum td_result td_hkdf_extract(enum td_hash hash, const uint8_t *salt, size_t salt_len,
			       const uint8_t *ikm, size_t ikm_len, uint8_t *out)
{
	if (salt_len > 255 || ikm_len > 255 || (!ikm && ikm_len))
		return TD_ERR_USAGE;
	/* wolfSSL wants a non-NULL input even when it is empty (a zero-length
	 * Destination Connection ID is legal for a server's choice). */
	static const uint8_t empty[1];
	int rc = wc_HKDF_Extract(hash == TD_HASH_SHA384 ? WC_SHA384 : WC_SHA256, salt,
				 (word32)salt_len, ikm_len ? ikm : empty, (word32)ikm_len, out);
	return rc == 0 ? TD_OK : TD_ERR_UNSUPPORTED;
}

enum td_result td_quic_hp_mask(enum td_aead aead, const uint8_t *hp, size_t key_len,
			       const uint8_t sample[TD_QUIC_HP_SAMPLE],
			       uint8_t mask[TD_QUIC_HP_MASK])
{
	int rc = -1;
	if (aead == TD_AEAD_CHACHA20_POLY1305) {
		if (key_len != 32)
			return TD_ERR_USAGE;
		ChaCha ch;
		uint32_t counter = (uint32_t)sample[0] | (uint32_t)sample[1] << 8 |
				   (uint32_t)sample[2] << 16 | (uint32_t)sample[3] << 24;
		static const uint8_t zeros[TD_QUIC_HP_MASK];
		if (wc_Chacha_SetKey(&ch, hp, (word32)key_len) == 0 &&
		    wc_Chacha_SetIV(&ch, sample + 4, counter) == 0)
			rc = wc_Chacha_Process(&ch, mask, zeros, TD_QUIC_HP_MASK);
		explicit_bzero(&ch, sizeof ch);
		return rc == 0 ? TD_OK : TD_ERR_UNSUPPORTED;
	}
	if (key_len != 16 && key_len != 32)
		return TD_ERR_USAGE;
	Aes aes;
	uint8_t block[TD_QUIC_HP_SAMPLE];
	if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0)
		return TD_ERR_UNSUPPORTED;
	if (wc_AesSetKey(&aes, hp, (word32)key_len, NULL, AES_ENCRYPTION) == 0)
		rc = wc_AesEcbEncrypt(&aes, block, sample, TD_QUIC_HP_SAMPLE);
	wc_AesFree(&aes);
	explicit_bzero(&aes, sizeof aes);
	if (rc == 0)
		memcpy(mask, block, TD_QUIC_HP_MASK);
	explicit_bzero(block, sizeof block);
	return rc == 0 ? TD_OK : TD_ERR_UNSUPPORTED;
}
