/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto_ssl3.c - what SSL 3.0 does with hashes where TLS has a PRF or an
 * HMAC (tls12_crypto.h): its key block, its export keys and IVs, and its
 * record MAC.  It calls nothing else of ours: crypto_prf.c (the key
 * schedule) calls the key block and export functions, crypto12.c (the
 * suites and the records, which SSL 3.0 shares with TLS 1.0 but for the
 * padding check) the MAC.
 *
 * RFC 6101 6.2.2, the key block (no PRF: nested MD5 and SHA-1):
 *
 *   key_block = MD5(master + SHA1("A"   + master + server_random + client_random)) +
 *               MD5(master + SHA1("BB"  + master + server_random + client_random)) +
 *               MD5(master + SHA1("CCC" + master + server_random + client_random)) + ...
 *   +------------+------------+------------+------------+-----------+-----------+
 *   | client MAC | server MAC | client key | server key | client IV | server IV |
 *   +------------+------------+------------+------------+-----------+-----------+
 *
 * Export suites (the key block holds 5 key bytes each), RFC 6101 6.2.2.1:
 *
 *   final_client_write_key = MD5(client_write_key + client_random + server_random)
 *   final_server_write_key = MD5(server_write_key + server_random + client_random)
 *
 * The export block cipher (DES40) takes its IVs from the randoms alone,
 * not from the key block:
 *
 *   client_write_IV = MD5(client_random + server_random)[0..block)
 *   server_write_IV = MD5(server_random + client_random)[0..block)
 *
 * RFC 6101 5.2.3.1, the record MAC (not an HMAC; no version in it):
 *
 *   hash(MAC_write_secret + pad_2 +
 *        hash(MAC_write_secret + pad_1 + seq_num + type + length + content))
 *   +-------------+----------------------+---------+------+--------+---------+
 *   | MAC secret  | pad_1: 0x36 x 48/40  | seq (8) | type | length | content |
 *   +-------------+----------------------+---------+------+--------+---------+
 *   pad_1 and pad_2 (0x5c) are 48 bytes with MD5, 40 with SHA-1.
 *
 * The hashes are wolfSSL's (wc_Hash*); only the concatenations are ours.
 */
#include "config.h"

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/hash.h>

#include <string.h>

#include "tls12_crypto.h"
#include "tls_registry.h"

#define MD5_LEN 16u
#define SHA1_LEN 20u
#define PAD_MD5 48u
#define PAD_SHA1 40u
#define PAD_1 0x36u
#define PAD_2 0x5cu
#define LETTERS 26u
/* seq_num (8) + type (1) + length (2) */
#define MAC_HEADER_LEN 11u

/* One hash over up to four pieces (the empty ones skipped); 0 on success. */
static int hash4(enum wc_HashType t, const uint8_t *a, size_t a_len, const uint8_t *b,
		 size_t b_len, const uint8_t *c, size_t c_len, const uint8_t *d, size_t d_len,
		 uint8_t *out)
{
	wc_HashAlg h;
	int rc = wc_HashInit(&h, t);
	if (rc != 0)
		return rc;
	if (a_len > 0)
		rc = wc_HashUpdate(&h, t, a, (word32)a_len);
	if (rc == 0 && b_len > 0)
		rc = wc_HashUpdate(&h, t, b, (word32)b_len);
	if (rc == 0 && c_len > 0)
		rc = wc_HashUpdate(&h, t, c, (word32)c_len);
	if (rc == 0 && d_len > 0)
		rc = wc_HashUpdate(&h, t, d, (word32)d_len);
	if (rc == 0)
		rc = wc_HashFinal(&h, t, out);
	wc_HashFree(&h, t);
	explicit_bzero(&h, sizeof h);
	return rc;
}

enum td_result td_ssl3_key_block(const uint8_t master[TD_TLS12_MASTER_LEN],
				 const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				 const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				 uint8_t *out, size_t out_len)
{
	if (!master || !client_random || !server_random || !out || out_len == 0 ||
	    out_len > TD_SSL3_KEY_BLOCK_MAX)
		return TD_ERR_USAGE;
	/* The salt of round i is i + 1 copies of the letter 'A' + i. */
	uint8_t salt[LETTERS], sha[SHA1_LEN], md5[MD5_LEN];
	uint8_t randoms[2 * TD_TLS12_RANDOM_LEN];
	memcpy(randoms, server_random, TD_TLS12_RANDOM_LEN);
	memcpy(randoms + TD_TLS12_RANDOM_LEN, client_random, TD_TLS12_RANDOM_LEN);
	int rc = 0;
	for (size_t i = 0, done = 0; done < out_len; i++) {
		memset(salt, (int)('A' + i), i + 1);
		rc = hash4(WC_HASH_TYPE_SHA, salt, i + 1, master, TD_TLS12_MASTER_LEN,
			   randoms, sizeof randoms, NULL, 0, sha);
		if (rc == 0)
			rc = hash4(WC_HASH_TYPE_MD5, master, TD_TLS12_MASTER_LEN, sha, sizeof sha,
				   NULL, 0, NULL, 0, md5);
		if (rc != 0)
			break;
		size_t n = out_len - done < MD5_LEN ? out_len - done : MD5_LEN;
		memcpy(out + done, md5, n);
		done += n;
	}
	explicit_bzero(sha, sizeof sha);
	explicit_bzero(md5, sizeof md5);
	if (rc != 0) {
		explicit_bzero(out, out_len);
		return TD_ERR_UNSUPPORTED;
	}
	return TD_OK;
}

enum td_result td_ssl3_mac(enum td_tls12_mac mac, const uint8_t *mac_key, uint64_t seq,
			   uint8_t type, const uint8_t *content, size_t len, uint8_t *out)
{
	if (mac != TD_TLS12_MAC_MD5 && mac != TD_TLS12_MAC_SHA1)
		return TD_ERR_USAGE;
	if (!mac_key || !out || (len > 0 && !content) || len > TD_TLS12_CIPHERTEXT_MAX)
		return TD_ERR_USAGE;
	bool md5 = mac == TD_TLS12_MAC_MD5;
	enum wc_HashType t = md5 ? WC_HASH_TYPE_MD5 : WC_HASH_TYPE_SHA;
	size_t key_len = md5 ? MD5_LEN : SHA1_LEN;
	size_t pad_len = md5 ? PAD_MD5 : PAD_SHA1;
	uint8_t pad1[PAD_MD5], pad2[PAD_MD5], hdr[MAC_HEADER_LEN], inner[SHA1_LEN];
	memset(pad1, PAD_1, sizeof pad1);
	memset(pad2, PAD_2, sizeof pad2);
	for (size_t i = 0; i < 8; i++)
		hdr[i] = (uint8_t)(seq >> (56 - 8 * i));
	hdr[8] = type;
	hdr[9] = (uint8_t)(len >> 8);
	hdr[10] = (uint8_t)len;
	int rc = hash4(t, mac_key, key_len, pad1, pad_len, hdr, sizeof hdr, content, len, inner);
	if (rc == 0)
		rc = hash4(t, mac_key, key_len, pad2, pad_len, inner, key_len, NULL, 0, out);
	explicit_bzero(inner, sizeof inner);
	return rc == 0 ? TD_OK : TD_ERR_UNSUPPORTED;
}

enum td_result td_ssl3_export_key(enum td_tls12_dir dir, const uint8_t *material,
				  size_t material_len,
				  const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				  const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				  uint8_t *out, size_t out_len)
{
	if (!material || material_len == 0 || material_len > TD_TLS12_KEY_MAX ||
	    !client_random || !server_random || !out || out_len == 0 || out_len > MD5_LEN)
		return TD_ERR_USAGE;
	/* Each side hashes its own random first. */
	bool server = dir == TD_TLS12_SERVER_WRITE;
	const uint8_t *first = server ? server_random : client_random;
	const uint8_t *second = server ? client_random : server_random;
	uint8_t md5[MD5_LEN];
	int rc = hash4(WC_HASH_TYPE_MD5, material, material_len, first, TD_TLS12_RANDOM_LEN,
		       second, TD_TLS12_RANDOM_LEN, NULL, 0, md5);
	if (rc == 0)
		memcpy(out, md5, out_len);
	explicit_bzero(md5, sizeof md5);
	return rc == 0 ? TD_OK : TD_ERR_UNSUPPORTED;
}

enum td_result td_ssl3_export_iv(enum td_tls12_dir dir,
				 const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				 const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				 uint8_t *out, size_t out_len)
{
	if (!client_random || !server_random || !out || out_len == 0 || out_len > TD_TLS12_IV_MAX)
		return TD_ERR_USAGE;
	/* Each side hashes its own random first. */
	bool server = dir == TD_TLS12_SERVER_WRITE;
	const uint8_t *first = server ? server_random : client_random;
	const uint8_t *second = server ? client_random : server_random;
	uint8_t md5[MD5_LEN];
	int rc = hash4(WC_HASH_TYPE_MD5, first, TD_TLS12_RANDOM_LEN, second, TD_TLS12_RANDOM_LEN,
		       NULL, 0, NULL, 0, md5);
	if (rc == 0)
		memcpy(out, md5, out_len);
	else
		explicit_bzero(out, out_len);
	explicit_bzero(md5, sizeof md5);
	return rc == 0 ? TD_OK : TD_ERR_UNSUPPORTED;
}
