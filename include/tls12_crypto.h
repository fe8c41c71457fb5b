/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls12_crypto.h - SSL 3.0 and TLS 1.0, 1.1 and 1.2 key derivation and
 * record decryption from a key log's master secret, through wolfSSL.
 *
 * RFC 5246 5 (the PRF), 6.1-6.3 (security parameters, record payload
 * protection, key calculation); RFC 4346 and RFC 2246 for TLS 1.1 and
 * 1.0 (the MD5 xor SHA-1 PRF, the chained CBC IV of TLS 1.0, the export
 * keys of RFC 2246 6.3); RFC 6101 for SSL 3.0 (its own key block, MAC and
 * CBC padding, 5.2.3 and 6.2.2); RFC 5288 (AES-GCM), RFC 6655 and RFC
 * 7251 (AES-CCM), RFC 7905 (ChaCha20-Poly1305), RFC 5932 and RFC 6367
 * (Camellia-CBC), RFC 7366 (encrypt_then_mac).  RC4, 3DES and DES are
 * the suites of RFC 2246 A.5, RFC 4492 and their successors; RFC 7465
 * prohibits RC4 and RFC 8996 SSL 3.0 to TLS 1.1, but a capture may still
 * hold them.
 *
 * The key log's CLIENT_RANDOM line gives the 48-byte master secret, so
 * nothing here depends on how it was made: RSA or (EC)DHE key exchange,
 * PSK, or the extended_master_secret extension (RFC 7627), which changes
 * the seed of the master secret, never the key block.  Compression is
 * never used (the null method only).  SSL 3.0 (version 0x0300) works
 * with every suite that existed before TLS 1.2: its MAC and key block
 * are crypto_ssl3.c's, the rest is shared with TLS 1.0.
 *
 * Three files, calling one way: crypto12.c (the suites, the records) ->
 * crypto_prf.c (the PRF and the key expansion) -> crypto_ssl3.c (SSL
 * 3.0's hash constructions); crypto12.c -> crypto_ssl3.c for the SSL 3.0
 * record MAC.
 */
#ifndef TD_TLS12_CRYPTO_H
#define TD_TLS12_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "result.h"

/* How a suite protects records. */
enum td_tls12_cipher {
	TD_TLS12_AES_GCM,             /* RFC 5288 */
	TD_TLS12_AES_CCM,             /* RFC 6655, RFC 7251; 16- or 8-byte tag */
	TD_TLS12_CHACHA20_POLY1305,   /* RFC 7905 */
	TD_TLS12_AES_CBC,             /* with HMAC, RFC 5246 6.2.3.2 */
	TD_TLS12_CAMELLIA_CBC,        /* RFC 5932, RFC 6367; 16-byte blocks */
	TD_TLS12_3DES_EDE_CBC,        /* RFC 2246 A.5; 8-byte blocks, 24-byte key */
	TD_TLS12_DES_CBC,             /* RFC 2246 A.5 (gone from RFC 5246); 8-byte blocks */
	TD_TLS12_RC4                  /* stream, RFC 2246 6.2.3.1; RFC 7465 prohibits it */
};

/* The record MAC of a CBC or RC4 suite; AEAD suites have none. */
enum td_tls12_mac {
	TD_TLS12_MAC_AEAD,
	TD_TLS12_MAC_SHA1,
	TD_TLS12_MAC_SHA256,
	TD_TLS12_MAC_SHA384,
	TD_TLS12_MAC_MD5              /* RC4_128_MD5, RC4_40_MD5, the KRB5 *_MD5 suites */
};

/* The PRF: TLS 1.0 and 1.1 use MD5 xor SHA-1 whatever the suite;
 * TLS 1.2 uses P_SHA256, or P_SHA384 for the *_SHA384 suites.  SSL 3.0
 * has no PRF (td_ssl3_key_block()). */
enum td_tls12_prf {
	TD_TLS12_PRF_MD5_SHA1,
	TD_TLS12_PRF_SHA256,
	TD_TLS12_PRF_SHA384
};

#define TD_TLS12_MASTER_LEN   48u   /* master secret, bytes */
#define TD_TLS12_RANDOM_LEN   32u   /* ClientHello/ServerHello random */
#define TD_TLS12_MAC_KEY_MAX  48u   /* HMAC-SHA384 key */
#define TD_TLS12_KEY_MAX      32u   /* AES-256, Camellia-256, ChaCha20 */
#define TD_TLS12_IV_MAX       16u   /* the AES block (CBC in TLS 1.0) */
/* Room for the RC4 keystream state (wolfSSL's Arc4, 272 bytes in 5.5.4;
 * crypto12.c checks it fits at compile time). */
#define TD_TLS12_STREAM_STATE_MAX 320u
/* Largest TLSCiphertext.length (RFC 5246 6.2.3: 2^14 + 2048). */
#define TD_TLS12_CIPHERTEXT_MAX TD_CAP_RECORD

/* What a TLS <= 1.2 cipher suite means for the record layer.
 * The key exchange does not matter: only the record protection. */
struct td_tls12_suite {
	uint16_t id;               /* IANA value */
	const char *name;          /* IANA name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"... */
	enum td_tls12_cipher cipher;
	size_t key_len;            /* bytes the cipher uses: 16 or 32 (AES, Camellia,
				      ChaCha20), 24 (3DES), 8 (DES), 16 (RC4, export too) */
	enum td_tls12_mac mac;
	size_t mac_len;            /* bytes: 0 (AEAD), 16 (MD5), 20, 32 or 48; also the
				      MAC key length */
	size_t fixed_iv_len;       /* bytes from the key block: 4 (GCM, CCM: the salt),
				      12 (ChaCha20), the block for CBC (16, or 8 for
				      3DES and DES: used by TLS 1.0 and SSL 3.0 only),
				      0 (RC4) */
	size_t explicit_nonce_len; /* bytes at the start of each record: 8 (GCM, CCM),
				      0 (ChaCha20, RC4), the block for CBC (the record
				      IV; 0 in TLS 1.0 and SSL 3.0) */
	size_t tag_len;            /* bytes: 16, 8 for CCM_8, 0 for CBC and RC4 */
	enum td_tls12_prf prf;     /* the TLS 1.2 PRF: SHA256 or SHA384 */
	size_t export_key_len;     /* export suites (RFC 2246 6.3, RFC 6101 6.2.2.1):
				      the secret key bytes in the key block (5 for
				      RC4_40 and DES40), expanded to key_len; 0 for
				      the rest.  Their CBC IVs do not come from the
				      key block either (td_tls12_export_iv()) */
};

/*
 * The parameters of a TLS <= 1.2 suite tlsdiag can decrypt: every IANA
 * suite with AES-GCM, AES-CCM, AES-CBC, Camellia-CBC, 3DES-EDE-CBC,
 * DES-CBC (HMAC-MD5/SHA1/256/384), RC4-128, export RC4-40 or export
 * DES40-CBC, or ChaCha20-Poly1305, whatever its key exchange.  NULL for
 * any other value (NULL ciphers, the export RC2 ciphers, IDEA, SEED, ARIA,
 * Camellia-GCM, the pre-RFC 7905 ChaCha20 drafts 0xcc13-0xcc15, the
 * unregistered 0x0060-0x0066 and 0xfefe-0xffe1, TLS 1.3 suites): the
 * caller reports that it cannot decrypt that suite.
 */
const struct td_tls12_suite *td_tls12_suite_find(uint16_t id);

/*
 * The PRF a connection uses: MD5 xor SHA-1 below TLS 1.2 (version
 * 0x0301, 0x0302), the suite's hash from TLS 1.2 (0x0303) on.  (SSL 3.0
 * has no PRF; MD5_SHA1 is returned for it too.)
 */
enum td_tls12_prf td_tls12_prf_for(uint16_t version, const struct td_tls12_suite *s);

/*
 * PRF(secret, label, seed) of RFC 5246 5 (P_SHA256, P_SHA384) or RFC
 * 2246 5 (P_MD5 of the secret's first half xor P_SHA1 of its second
 * half), out_len bytes into out.  label is a C string (the ASCII label,
 * without its NUL).  Limits (wolfSSL's): strlen(label) + seed_len <= 128,
 * 1 <= out_len <= 224, secret_len <= 512; TD_ERR_USAGE beyond them, or
 * for a NULL secret or seed with a non-zero length.  TD_ERR_UNSUPPORTED
 * when wolfSSL fails (out is then wiped).
 */
enum td_result td_tls12_prf(enum td_tls12_prf prf, const uint8_t *secret, size_t secret_len,
			    const char *label, const uint8_t *seed, size_t seed_len,
			    uint8_t *out, size_t out_len) TD_MUST_CHECK;

/*
 * The SSL 3.0 key block (RFC 6101 6.2.2), out_len bytes of
 *   MD5(master + SHA1("A" + master + server_random + client_random)) +
 *   MD5(master + SHA1("BB" + master + server_random + client_random)) +
 *   MD5(master + SHA1("CCC" + ...)) + ...
 * TD_ERR_USAGE for NULL arguments or an out_len of 0 or above
 * TD_SSL3_KEY_BLOCK_MAX (the letters run from "A" to "Z");
 * TD_ERR_UNSUPPORTED when wolfSSL fails (out is then wiped).
 */
#define TD_SSL3_KEY_BLOCK_MAX (26u * 16u)
enum td_result td_ssl3_key_block(const uint8_t master[TD_TLS12_MASTER_LEN],
				 const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				 const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				 uint8_t *out, size_t out_len) TD_MUST_CHECK;

/*
 * The SSL 3.0 record MAC (RFC 6101 5.2.3.1) of len bytes of content:
 *   hash(MAC_write_secret + pad_2 + hash(MAC_write_secret + pad_1 +
 *        seq_num + type + length + content))
 * with pad_1 = 0x36 and pad_2 = 0x5c repeated 48 times for MD5, 40 for
 * SHA-1 (the version is not in it, unlike TLS).  mac is
 * TD_TLS12_MAC_MD5 (16-byte key and result) or TD_TLS12_MAC_SHA1 (20);
 * TD_ERR_USAGE for any other, for len above TD_TLS12_CIPHERTEXT_MAX or
 * NULL pointers; TD_ERR_UNSUPPORTED when wolfSSL fails.
 */
enum td_result td_ssl3_mac(enum td_tls12_mac mac, const uint8_t *mac_key, uint64_t seq,
			   uint8_t type, const uint8_t *content, size_t len,
			   uint8_t *out) TD_MUST_CHECK;

/* Whose records a state decrypts. */
enum td_tls12_dir {
	TD_TLS12_CLIENT_WRITE,   /* records the client sends */
	TD_TLS12_SERVER_WRITE    /* records the server sends */
};

/*
 * The final write key of an export suite for dir, from that side's
 * material_len secret key bytes of the key block, out_len bytes:
 *   SSL 3.0 (RFC 6101 6.2.2.1), at most 16 bytes:
 *     final_client_write_key = MD5(client_write_key + client_random + server_random)
 *     final_server_write_key = MD5(server_write_key + server_random + client_random)
 *   TLS (RFC 2246 6.3), with prf (td_tls12_prf_for() the connection):
 *     final_client_write_key = PRF(client_write_key, "client write key",
 *                                  client_random + server_random)
 *     final_server_write_key = PRF(server_write_key, "server write key",
 *                                  client_random + server_random)
 * TD_ERR_USAGE for NULL arguments or bad lengths, TD_ERR_UNSUPPORTED
 * when wolfSSL fails.
 */
enum td_result td_tls12_export_key(uint16_t version, enum td_tls12_prf prf,
				   enum td_tls12_dir dir, const uint8_t *material,
				   size_t material_len,
				   const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				   const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				   uint8_t *out, size_t out_len) TD_MUST_CHECK;

/*
 * The CBC IV of an export block cipher suite (DES40) for dir, out_len
 * bytes (its block); such suites take no IV from the key block:
 *   SSL 3.0 (RFC 6101 6.2.2.1), at most 16 bytes:
 *     client_write_IV = MD5(client_random + server_random)
 *     server_write_IV = MD5(server_random + client_random)
 *   TLS 1.0 (RFC 2246 6.3), with prf (td_tls12_prf_for() the connection):
 *     iv_block = PRF("", "IV block", client_random + server_random),
 *     2 * out_len bytes: client_write_IV, then server_write_IV
 * (From TLS 1.1 on each CBC record carries its own IV: nothing uses it.)
 * TD_ERR_USAGE for NULL arguments or an out_len of 0 or above
 * TD_TLS12_IV_MAX; TD_ERR_UNSUPPORTED when wolfSSL fails (out is then
 * wiped).
 */
enum td_result td_tls12_export_iv(uint16_t version, enum td_tls12_prf prf,
				  enum td_tls12_dir dir,
				  const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				  const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				  uint8_t *out, size_t out_len) TD_MUST_CHECK;

/*
 * SSL 3.0's halves of td_tls12_export_key() and td_tls12_export_iv()
 * (crypto_ssl3.c; RFC 6101 6.2.2.1): MD5 of the side's key bytes (for the
 * key) and of both randoms, its own first; out_len at most 16 bytes
 * (MD5).  Same errors as those two.
 */
enum td_result td_ssl3_export_key(enum td_tls12_dir dir, const uint8_t *material,
				  size_t material_len,
				  const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				  const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				  uint8_t *out, size_t out_len) TD_MUST_CHECK;
enum td_result td_ssl3_export_iv(enum td_tls12_dir dir,
				 const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				 const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				 uint8_t *out, size_t out_len) TD_MUST_CHECK;

/*
 * One direction's record protection state, from the first record after
 * that side's ChangeCipherSpec (its Finished, sequence number 0) on.
 * Holds no heap memory; td_tls12_keys_cleanup() wipes it.
 */
struct td_tls12_keys {
	uint16_t version;                   /* 0x0300..0x0303, the negotiated version */
	uint16_t suite;                     /* IANA value, found by td_tls12_suite_find() */
	bool encrypt_then_mac;              /* RFC 7366 negotiated (TLS CBC only; false for
					       AEAD, RC4 and SSL 3.0) */
	uint8_t mac_key[TD_TLS12_MAC_KEY_MAX]; /* first mac_len bytes used (CBC, RC4) */
	size_t mac_len;
	uint8_t key[TD_TLS12_KEY_MAX];      /* first key_len bytes used (export suites:
					       the final, expanded key) */
	size_t key_len;
	uint8_t iv[TD_TLS12_IV_MAX];        /* first iv_len bytes used: the AEAD salt or
					       IV; for CBC in TLS 1.0 the IV of the next
					       record (the key block's, then the last
					       ciphertext block of the previous record;
					       SSL 3.0 too) */
	size_t iv_len;
	uint64_t seq;                       /* next record's sequence number */
	/* RC4 only: the keystream state after the last record that
	 * authenticated (wolfSSL's Arc4, copied in and out by crypto12.c);
	 * a stream cipher's state carries from record to record. */
	uint8_t stream[TD_TLS12_STREAM_STATE_MAX];
};

/*
 * Derive one direction's keys (RFC 5246 6.3): key_block =
 * PRF(master, "key expansion", server_random + client_random), or in
 * SSL 3.0 td_ssl3_key_block(), split as client MAC key, server MAC key,
 * client key, server key, client IV, server IV; keep dir's half and set
 * seq to 0.  An export suite's key is then expanded: in TLS
 * PRF(key, "client write key" or "server write key", client_random +
 * server_random) (RFC 2246 6.3, with the version's PRF), in SSL 3.0
 * MD5 (td_tls12_export_key()); an export CBC suite's IV (TLS 1.0, SSL
 * 3.0) is td_tls12_export_iv().  RC4 starts its keystream here.
 * encrypt_then_mac is whether the ServerHello echoed the
 * encrypt_then_mac extension; it is ignored (stored false) for AEAD and
 * RC4 suites, as RFC 7366 2 and 3 say, and in SSL 3.0.
 *
 * TD_ERR_UNSUPPORTED: a suite td_tls12_suite_find() does not know, a
 *   version other than SSL 3.0 or TLS 1.0-1.2, or a suite that does not
 *   exist in that version (AEAD and HMAC-SHA256/384 suites are TLS 1.2
 *   only), or wolfSSL failed.
 * TD_ERR_USAGE: master_len is not 48.
 * On error *k is wiped.
 */
enum td_result td_tls12_keys_init(struct td_tls12_keys *k, uint16_t version, uint16_t suite,
				  const uint8_t *master, size_t master_len,
				  const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				  const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				  bool encrypt_then_mac, enum td_tls12_dir dir) TD_MUST_CHECK;
/*
 * The key expansion td_tls12_keys_init() relies on (crypto_prf.c): the
 * key block of version (the PRF's "key expansion", or SSL 3.0's
 * td_ssl3_key_block()), cut for dir into k->mac_key (s->mac_len bytes),
 * k->key (s->key_len: an export suite's expanded with
 * td_tls12_export_key()) and k->iv (iv_len bytes, the IV the key block
 * holds for this version: an export CBC suite's from td_tls12_export_iv()
 * instead).  Sets nothing else in k.  TD_ERR_USAGE for NULL arguments or
 * lengths over the keys' room; TD_ERR_UNSUPPORTED when wolfSSL fails (k
 * may then hold part of the keys: the caller wipes it).
 */
enum td_result td_tls12_key_expand(struct td_tls12_keys *k, const struct td_tls12_suite *s,
				   uint16_t version, size_t iv_len,
				   const uint8_t master[TD_TLS12_MASTER_LEN],
				   const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				   const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				   enum td_tls12_dir dir) TD_MUST_CHECK;
/* Wipe the keys. */
void td_tls12_keys_cleanup(struct td_tls12_keys *k);

/*
 * Decrypt and authenticate one record (RFC 5246 6.2.3, RFC 6101 5.2.3).
 * A direction's records must come in order, each once: the sequence
 * number, the TLS 1.0 and SSL 3.0 IV chain and the RC4 keystream run on
 * from one to the next.  header5 is the 5-byte record header as on the
 * wire (its type and version are authenticated), body its len-byte
 * fragment.  *outlen is in: the
 * capacity of out (len always suffices; the exact need is the encrypted
 * part: len less the explicit nonce or record IV, the tag and, with
 * encrypt_then_mac, the MAC); out: the plaintext length, which may be 0
 * (an empty record).  out must not overlap body.  The content type is
 * the header's (TLS <= 1.2 does not hide it).
 *
 *   GCM, CCM:  nonce = 4-byte salt + 8-byte explicit nonce (the body's
 *              first bytes); the tag ends the body.
 *   ChaCha20:  nonce = 12-byte IV xor the sequence number; tag at the end.
 *   AEAD data: seq_num(8) + type(1) + version(2) + plaintext length(2).
 *   CBC:       [IV (TLS 1.1+)] + CBC(content + MAC + padding), or
 *              with encrypt_then_mac [IV] + CBC(content + padding) + MAC.
 *              TLS checks every padding byte; SSL 3.0 only that the
 *              padding is shorter than a block (RFC 6101 5.2.3.2).
 *   RC4:       RC4(content + MAC), the keystream going on from the
 *              previous record.
 *   MAC:       HMAC (TLS) or the SSL 3.0 MAC (td_ssl3_mac()).
 *
 * TD_OK: authenticated; seq advanced (and, for CBC in TLS 1.0 and SSL
 *   3.0, the IV chained to the last ciphertext block; for RC4 the
 *   keystream moved on).
 * TD_ERR_MALFORMED: the tag or MAC does not authenticate or the CBC
 *   padding is wrong (wrong master secret, wrong direction, wrong
 *   sequence, tampered bytes), or the body is too short or not whole
 *   blocks, or the header does not describe len bytes; out holds no
 *   plaintext (whatever was decrypted is wiped), *outlen is 0 and the
 *   state (seq, IV, RC4 keystream) is NOT changed.
 * TD_ERR_CAP: len above TD_TLS12_CIPHERTEXT_MAX.
 * TD_ERR_USAGE: out too small, or k not initialised.
 */
enum td_result td_tls12_decrypt(struct td_tls12_keys *k, const uint8_t *header5,
				const uint8_t *body, size_t len,
				uint8_t *out, size_t *outlen) TD_MUST_CHECK;

/* What passing over one record without decrypting it takes. */
enum td_tls12_skip {
	TD_TLS12_SKIP_FREE,   /* the sequence number only: AEAD suites (the nonce
				 is explicit or from the sequence number), CBC
				 with a record IV (TLS 1.1 and 1.2) */
	TD_TLS12_SKIP_BYTES,  /* the record's bytes too: CBC in TLS 1.0 and SSL
				 3.0, whose next IV is the record's last
				 ciphertext block */
	TD_TLS12_SKIP_NEVER   /* RC4: the keystream runs through every byte, as
				 expensive as decrypting; or k not initialised */
};

/* How k's records can be passed over. */
enum td_tls12_skip td_tls12_skip_kind(const struct td_tls12_keys *k);

/*
 * Pass over one record of len bytes (body: its fragment, NULL allowed for
 * TD_TLS12_SKIP_FREE) without decrypting or authenticating it: seq
 * advances, and for TD_TLS12_SKIP_BYTES the IV becomes its last
 * ciphertext block, so that a later record opens with
 * td_tls12_decrypt().  TD_ERR_USAGE for TD_TLS12_SKIP_NEVER, or without
 * the bytes it needs (NULL body, or too short to hold a block); k is
 * then unchanged.
 */
enum td_result td_tls12_skip(struct td_tls12_keys *k, const uint8_t *body,
			     size_t len) TD_MUST_CHECK;

#endif
