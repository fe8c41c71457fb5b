/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto_prf.c - the TLS <= 1.2 key schedule (tls12_crypto.h): the PRF,
 * the key block and how one direction's keys are cut from it, and the
 * export suites' key and IV expansion.  SSL 3.0 has no PRF: its hash
 * constructions are in crypto_ssl3.c, which this file calls and which
 * calls nothing back; crypto12.c (the suites and the records) calls
 * td_tls12_key_expand() here.  So the calls go one way:
 * crypto12.c -> crypto_prf.c -> crypto_ssl3.c, and crypto12.c ->
 * crypto_ssl3.c for the SSL 3.0 record MAC.
 *
 * RFC 5246 5, the PRF (RFC 2246 5 for TLS 1.0 and 1.1: P_MD5 xor P_SHA1):
 *
 *   P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
 *   A(0) = seed, A(i) = HMAC(secret, A(i-1))
 *   PRF(secret, label, seed) = P_<hash>(secret, label + seed)
 *
 * RFC 5246 6.3, the key block and how it is cut:
 *
 *   key_block = PRF(master_secret, "key expansion", server_random + client_random)
 *   +------------+------------+------------+------------+-----------+-----------+
 *   | client MAC | server MAC | client key | server key | client IV | server IV |
 *   +------------+------------+------------+------------+-----------+-----------+
 *     mac_len      mac_len      key_len      key_len      (AEAD salt or IV, or the
 *                                                          CBC IV of TLS 1.0 and
 *                                                          SSL 3.0 only)
 *
 * Export suites (RFC 2246 6.3) hold 5 key bytes each, then expanded:
 *
 *   final_client_write_key = PRF(client_write_key, "client write key",
 *                                client_random + server_random)
 *   final_server_write_key = PRF(server_write_key, "server write key",
 *                                client_random + server_random)
 *
 * and the export CBC suites (DES40) take no IV from the key block:
 *
 *   iv_block = PRF("", "IV block", client_random + server_random)
 *   +-----------------+-----------------+
 *   | client_write_IV | server_write_IV |   a block each
 *   +-----------------+-----------------+
 *
 * The PRF is wolfSSL's (wc_PRF_TLS); only the cutting is ours.
 */
#include "config.h"

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/kdf.h>

#include <string.h>

#include "tls12_crypto.h"
#include "tls_registry.h"

#define KEY_EXPANSION "key expansion"
#define CLIENT_WRITE_KEY "client write key"
#define SERVER_WRITE_KEY "server write key"
#define IV_BLOCK "IV block"
/* wolfSSL's PRF limits (MAX_PRF_LABSEED, MAX_PRF_DIG, 2 * MAX_PRF_HALF). */
#define PRF_LABEL_SEED_MAX 128u
#define PRF_OUT_MAX 224u
#define PRF_SECRET_MAX 512u

enum td_tls12_prf td_tls12_prf_for(uint16_t version, const struct td_tls12_suite *s)
{
	if (version < TD_VERSION_TLS12 || !s)
		return TD_TLS12_PRF_MD5_SHA1;
	return s->prf;
}

enum td_result td_tls12_prf(enum td_tls12_prf prf, const uint8_t *secret, size_t secret_len,
			    const char *label, const uint8_t *seed, size_t seed_len,
			    uint8_t *out, size_t out_len)
{
	size_t label_len = label ? strlen(label) : 0;
	if (out_len == 0 || out_len > PRF_OUT_MAX || secret_len > PRF_SECRET_MAX ||
	    seed_len > PRF_LABEL_SEED_MAX || label_len > PRF_LABEL_SEED_MAX - seed_len ||
	    (secret_len > 0 && !secret) || (seed_len > 0 && !seed) || !out)
		return TD_ERR_USAGE;
	/* wc_PRF_TLS: useAtLeastSha256 = 0 is the TLS 1.0 PRF, else P_<hash>. */
	int v12 = prf != TD_TLS12_PRF_MD5_SHA1;
	int mac = prf == TD_TLS12_PRF_SHA384 ? sha384_mac : sha256_mac;
	int rc = wc_PRF_TLS(out, (word32)out_len, secret, (word32)secret_len,
			    (const byte *)label, (word32)label_len, seed, (word32)seed_len,
			    v12, mac, NULL, INVALID_DEVID);
	if (rc != 0) {
		explicit_bzero(out, out_len);
		return TD_ERR_UNSUPPORTED;
	}
	return TD_OK;
}

enum td_result td_tls12_export_key(uint16_t version, enum td_tls12_prf prf,
				   enum td_tls12_dir dir, const uint8_t *material,
				   size_t material_len,
				   const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				   const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				   uint8_t *out, size_t out_len)
{
	if (version == TD_VERSION_SSL3)
		return td_ssl3_export_key(dir, material, material_len, client_random,
					  server_random, out, out_len);
	if (!material || material_len == 0 || material_len > TD_TLS12_KEY_MAX ||
	    !client_random || !server_random || !out || out_len == 0 ||
	    out_len > TD_TLS12_KEY_MAX)
		return TD_ERR_USAGE;
	bool server = dir == TD_TLS12_SERVER_WRITE;
	uint8_t seed[2 * TD_TLS12_RANDOM_LEN];
	memcpy(seed, client_random, TD_TLS12_RANDOM_LEN);
	memcpy(seed + TD_TLS12_RANDOM_LEN, server_random, TD_TLS12_RANDOM_LEN);
	enum td_result rc = td_tls12_prf(prf, material, material_len,
					 server ? SERVER_WRITE_KEY : CLIENT_WRITE_KEY,
					 seed, sizeof seed, out, out_len);
	explicit_bzero(seed, sizeof seed);
	return rc;
}

enum td_result td_tls12_export_iv(uint16_t version, enum td_tls12_prf prf,
				  enum td_tls12_dir dir,
				  const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				  const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				  uint8_t *out, size_t out_len)
{
	if (version == TD_VERSION_SSL3)
		return td_ssl3_export_iv(dir, client_random, server_random, out, out_len);
	if (!client_random || !server_random || !out || out_len == 0 || out_len > TD_TLS12_IV_MAX)
		return TD_ERR_USAGE;
	bool server = dir == TD_TLS12_SERVER_WRITE;
	/* The secret is empty; wolfSSL's HMAC still wants a pointer. */
	static const uint8_t none[1];
	uint8_t seed[2 * TD_TLS12_RANDOM_LEN], block[2 * TD_TLS12_IV_MAX];
	memcpy(seed, client_random, TD_TLS12_RANDOM_LEN);
	memcpy(seed + TD_TLS12_RANDOM_LEN, server_random, TD_TLS12_RANDOM_LEN);
	enum td_result rc = td_tls12_prf(prf, none, 0, IV_BLOCK, seed, sizeof seed, block,
					 2 * out_len);
	if (rc == TD_OK)
		memcpy(out, block + (server ? out_len : 0), out_len);
	else
		explicit_bzero(out, out_len);
	explicit_bzero(block, sizeof block);
	return rc;
}

enum td_result td_tls12_key_expand(struct td_tls12_keys *k, const struct td_tls12_suite *s,
				   uint16_t version, size_t iv_len,
				   const uint8_t master[TD_TLS12_MASTER_LEN],
				   const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				   const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				   enum td_tls12_dir dir)
{
	if (!k || !s || !master || !client_random || !server_random ||
	    s->mac_len > TD_TLS12_MAC_KEY_MAX || s->key_len > TD_TLS12_KEY_MAX ||
	    s->export_key_len > s->key_len || iv_len > TD_TLS12_IV_MAX)
		return TD_ERR_USAGE;
	/* The seed is server_random + client_random (the master secret's
	 * seed is the other way round). */
	uint8_t seed[2 * TD_TLS12_RANDOM_LEN];
	memcpy(seed, server_random, TD_TLS12_RANDOM_LEN);
	memcpy(seed + TD_TLS12_RANDOM_LEN, client_random, TD_TLS12_RANDOM_LEN);

	/* An export suite's key block holds only its few secret key bytes,
	 * and no IV it uses (export_iv below). */
	size_t key_bytes = s->export_key_len ? s->export_key_len : s->key_len;
	bool export_iv = s->export_key_len && iv_len > 0;
	size_t need = 2 * (s->mac_len + key_bytes + (export_iv ? 0 : iv_len));
	enum td_tls12_prf prf = td_tls12_prf_for(version, s);
	uint8_t block[2 * (TD_TLS12_MAC_KEY_MAX + TD_TLS12_KEY_MAX + TD_TLS12_IV_MAX)];
	enum td_result rc = version == TD_VERSION_SSL3
		? td_ssl3_key_block(master, client_random, server_random, block, need)
		: td_tls12_prf(prf, master, TD_TLS12_MASTER_LEN, KEY_EXPANSION, seed, sizeof seed,
			       block, need);
	if (rc == TD_OK) {
		/* The server's part of each pair follows the client's. */
		size_t server = dir == TD_TLS12_SERVER_WRITE;
		size_t at = server * s->mac_len;
		memcpy(k->mac_key, block + at, s->mac_len);
		at = 2 * s->mac_len + server * key_bytes;
		if (s->export_key_len)
			rc = td_tls12_export_key(version, prf, dir, block + at, key_bytes,
						 client_random, server_random, k->key, s->key_len);
		else
			memcpy(k->key, block + at, key_bytes);
		at = 2 * (s->mac_len + key_bytes) + server * iv_len;
		if (!export_iv)
			memcpy(k->iv, block + at, iv_len);
		else if (rc == TD_OK)
			rc = td_tls12_export_iv(version, prf, dir, client_random, server_random, k->iv,
						iv_len);
	}
	explicit_bzero(block, sizeof block);
	explicit_bzero(seed, sizeof seed);
	return rc;
}
