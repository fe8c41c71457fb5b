/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keys.c - QUIC Initial keys and the Retry integrity tag.
 *
 * RFC 9001 5.2 (v1; RFC 9369 3.3 changes the salt and labels for v2):
 *
 *   initial_secret = HKDF-Extract(initial_salt, client_dst_connection_id)
 *   client_initial_secret = HKDF-Expand-Label(initial_secret, "client in", "", 32)
 *   server_initial_secret = HKDF-Expand-Label(initial_secret, "server in", "", 32)
 *   key = HKDF-Expand-Label(secret, "quic key", "", 16)    v2: "quicv2 key"
 *   iv  = HKDF-Expand-Label(secret, "quic iv", "", 12)     v2: "quicv2 iv"
 *   hp  = HKDF-Expand-Label(secret, "quic hp", "", 16)     v2: "quicv2 hp"
 *
 * with SHA-256 and AEAD_AES_128_GCM.  HKDF-Expand-Label is TLS 1.3's
 * (tls_crypto.h), HKDF-Extract and the mask quic_crypto.h's.
 *
 * Handshake and 1-RTT keys come the same way from the TLS traffic
 * secrets of a key log, with the negotiated suite's hash and key length
 * (RFC 9001 5.1); a key update derives the next secret with "quic ku"
 * (RFC 9001 6.1; v2 "quicv2 ku", RFC 9369 3.3.2) and keeps hp.
 *
 * RFC 9001 5.8: the Retry Integrity Tag is AES-128-GCM with a fixed key
 * and nonce over an empty plaintext, the additional data being the Retry
 * pseudo-packet: ODCID Length (8), Original Destination Connection ID,
 * then the Retry packet without its tag.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "quic.h"
#include "quic_crypto.h"

static const uint8_t salt_v1[20] = {
	0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a
};
static const uint8_t salt_v2[20] = {
	0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
	0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9
};
static const uint8_t retry_key_v1[16] = {
	0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a,
	0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e
};
static const uint8_t retry_nonce_v1[12] = {
	0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63, 0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb
};
static const uint8_t retry_key_v2[16] = {
	0x8f, 0xb4, 0xb0, 0x1b, 0x56, 0xac, 0x48, 0xe2,
	0x60, 0xfb, 0xcb, 0xce, 0xad, 0x7c, 0xcc, 0x92
};
static const uint8_t retry_nonce_v2[12] = {
	0xd8, 0x69, 0x69, 0xbc, 0x2d, 0x7c, 0x6d, 0x99, 0x90, 0xef, 0xb0, 0x4a
};

/* Initial packets use AEAD_AES_128_GCM with SHA-256 (RFC 9001 5.2). */
#define INITIAL_KEY_LEN 16u
#define INITIAL_SECRET_LEN 32u

static enum td_result side_keys(uint32_t version, const uint8_t *secret, struct td_quic_keys *k)
{
	bool v2 = version == TD_QUIC_V2;
	memset(k, 0, sizeof *k);
	k->aead = TD_AEAD_AES_GCM;
	k->key_len = INITIAL_KEY_LEN;
	enum td_result r = td_hkdf_expand_label(TD_HASH_SHA256, secret, INITIAL_SECRET_LEN,
						v2 ? "quicv2 key" : "quic key", NULL, 0, k->key,
						INITIAL_KEY_LEN);
	if (r == TD_OK)
		r = td_hkdf_expand_label(TD_HASH_SHA256, secret, INITIAL_SECRET_LEN,
					 v2 ? "quicv2 iv" : "quic iv", NULL, 0, k->iv,
					 TD_TLS13_IV_LEN);
	if (r == TD_OK)
		r = td_hkdf_expand_label(TD_HASH_SHA256, secret, INITIAL_SECRET_LEN,
					 v2 ? "quicv2 hp" : "quic hp", NULL, 0, k->hp,
					 INITIAL_KEY_LEN);
	if (r != TD_OK) {
		td_quic_keys_cleanup(k);
		return TD_ERR_UNSUPPORTED;
	}
	k->set = true;
	return TD_OK;
}

enum td_result td_quic_initial_keys(uint32_t version, const struct td_quic_cid *dcid,
				    struct td_quic_keys *client, struct td_quic_keys *server)
{
	memset(client, 0, sizeof *client);
	memset(server, 0, sizeof *server);
	if (!td_quic_version_known(version))
		return TD_ERR_UNSUPPORTED;
	const uint8_t *salt = version == TD_QUIC_V2 ? salt_v2 : salt_v1;
	uint8_t initial[INITIAL_SECRET_LEN], secret[INITIAL_SECRET_LEN];
	enum td_result r = td_hkdf_extract(TD_HASH_SHA256, salt, sizeof salt_v1, dcid->b, dcid->len,
					   initial);
	if (r == TD_OK)
		r = td_hkdf_expand_label(TD_HASH_SHA256, initial, sizeof initial, "client in", NULL,
					 0, secret, sizeof secret);
	if (r == TD_OK)
		r = side_keys(version, secret, client);
	if (r == TD_OK)
		r = td_hkdf_expand_label(TD_HASH_SHA256, initial, sizeof initial, "server in", NULL,
					 0, secret, sizeof secret);
	if (r == TD_OK)
		r = side_keys(version, secret, server);
	explicit_bzero(initial, sizeof initial);
	explicit_bzero(secret, sizeof secret);
	if (r != TD_OK) {
		td_quic_keys_cleanup(client);
		td_quic_keys_cleanup(server);
		return TD_ERR_UNSUPPORTED;
	}
	return TD_OK;
}

/* key, iv and hp of k from k->secret (hp only when with_hp). */
static enum td_result secret_keys(struct td_quic_keys *k, bool with_hp)
{
	bool v2 = k->version == TD_QUIC_V2;
	enum td_result r = td_hkdf_expand_label(k->hash, k->secret, k->secret_len,
						v2 ? "quicv2 key" : "quic key", NULL, 0, k->key,
						k->key_len);
	if (r == TD_OK)
		r = td_hkdf_expand_label(k->hash, k->secret, k->secret_len,
					 v2 ? "quicv2 iv" : "quic iv", NULL, 0, k->iv,
					 TD_TLS13_IV_LEN);
	if (r == TD_OK && with_hp)
		r = td_hkdf_expand_label(k->hash, k->secret, k->secret_len,
					 v2 ? "quicv2 hp" : "quic hp", NULL, 0, k->hp, k->key_len);
	return r == TD_OK ? TD_OK : TD_ERR_UNSUPPORTED;
}

enum td_result td_quic_keys_from_secret(uint32_t version, uint16_t suite, const uint8_t *secret,
					size_t len, struct td_quic_keys *k)
{
	memset(k, 0, sizeof *k);
	const struct td_tls13_suite *s = td_tls13_suite_find(suite);
	/* QUIC's AEADs all have a 16-byte tag (RFC 9001 5.3): not CCM_8. */
	if (!s || s->tag_len != TD_QUIC_TAG_LEN)
		return TD_ERR_UNSUPPORTED;
	if (len != s->hash_len || len > sizeof k->secret)
		return TD_ERR_USAGE;
	k->aead = s->aead;
	k->key_len = s->key_len;
	k->version = version;
	k->hash = s->hash;
	memcpy(k->secret, secret, len);
	k->secret_len = len;
	enum td_result r = secret_keys(k, true);
	if (r != TD_OK) {
		td_quic_keys_cleanup(k);
		return r;
	}
	k->set = true;
	return TD_OK;
}

enum td_result td_quic_keys_next(const struct td_quic_keys *cur, struct td_quic_keys *next)
{
	if (!cur->set || cur->secret_len == 0) {
		memset(next, 0, sizeof *next);
		return TD_ERR_USAGE;
	}
	struct td_quic_keys n = *cur;
	enum td_result r = td_hkdf_expand_label(cur->hash, cur->secret, cur->secret_len,
						cur->version == TD_QUIC_V2 ? "quicv2 ku" : "quic ku",
						NULL, 0, n.secret, n.secret_len);
	if (r == TD_OK)
		r = secret_keys(&n, false);
	if (r != TD_OK) {
		td_quic_keys_cleanup(&n);
		td_quic_keys_cleanup(next);
		return TD_ERR_UNSUPPORTED;
	}
	*next = n;
	td_quic_keys_cleanup(&n);
	return TD_OK;
}

void td_quic_keys_cleanup(struct td_quic_keys *k)
{
	explicit_bzero(k, sizeof *k);
}

bool td_quic_retry_valid(uint32_t version, const struct td_quic_cid *odcid, const uint8_t *pkt,
			 size_t len)
{
	if (!td_quic_version_known(version) || len < TD_QUIC_TAG_LEN)
		return false;
	size_t body = len - TD_QUIC_TAG_LEN;
	size_t aad_len = 1 + (size_t)odcid->len + body;
	uint8_t *aad = malloc(aad_len);
	if (!aad)
		return false;
	aad[0] = odcid->len;
	memcpy(aad + 1, odcid->b, odcid->len);
	memcpy(aad + 1 + odcid->len, pkt, body);
	bool v2 = version == TD_QUIC_V2;
	static const uint8_t empty[1];
	uint8_t none[1];
	enum td_result r = td_aead_open(TD_AEAD_AES_GCM, v2 ? retry_key_v2 : retry_key_v1, 16,
					v2 ? retry_nonce_v2 : retry_nonce_v1, aad, aad_len, empty,
					0, pkt + body, TD_QUIC_TAG_LEN, none);
	free(aad);
	return r == TD_OK;
}
