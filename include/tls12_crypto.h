/*
 * tls12_crypto.h - TLS 1.0, 1.1 and 1.2 key derivation and record
 * decryption from a key log's master secret, through wolfSSL.
 *
 * RFC 5246 5 (the PRF), 6.1-6.3 (security parameters, record payload
 * protection, key calculation); RFC 4346 and RFC 2246 for TLS 1.1 and
 * 1.0 (the MD5 xor SHA-1 PRF, the chained CBC IV of TLS 1.0); RFC 5288
 * (AES-GCM), RFC 6655 and RFC 7251 (AES-CCM), RFC 7905
 * (ChaCha20-Poly1305), RFC 7366 (encrypt_then_mac).
 *
 * The key log's CLIENT_RANDOM line gives the 48-byte master secret, so
 * nothing here depends on how it was made: RSA or (EC)DHE key exchange,
 * PSK, or the extended_master_secret extension (RFC 7627), which changes
 * the seed of the master secret, never the key block.  Compression is
 * never used (the null method only).  SSL 3.0 is not supported (its MAC
 * and key derivation differ).
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
	TD_TLS12_AES_CBC              /* with HMAC, RFC 5246 6.2.3.2 */
};

/* The record MAC of a CBC suite; AEAD suites have none. */
enum td_tls12_mac {
	TD_TLS12_MAC_AEAD,
	TD_TLS12_MAC_SHA1,
	TD_TLS12_MAC_SHA256,
	TD_TLS12_MAC_SHA384
};

/* The PRF: TLS 1.0 and 1.1 use MD5 xor SHA-1 whatever the suite;
 * TLS 1.2 uses P_SHA256, or P_SHA384 for the *_SHA384 suites. */
enum td_tls12_prf {
	TD_TLS12_PRF_MD5_SHA1,
	TD_TLS12_PRF_SHA256,
	TD_TLS12_PRF_SHA384
};

#define TD_TLS12_MASTER_LEN   48u   /* master secret, bytes */
#define TD_TLS12_RANDOM_LEN   32u   /* ClientHello/ServerHello random */
#define TD_TLS12_MAC_KEY_MAX  48u   /* HMAC-SHA384 key */
#define TD_TLS12_KEY_MAX      32u   /* AES-256, ChaCha20 */
#define TD_TLS12_IV_MAX       16u   /* the AES block (CBC in TLS 1.0) */
/* Largest TLSCiphertext.length (RFC 5246 6.2.3: 2^14 + 2048). */
#define TD_TLS12_CIPHERTEXT_MAX TD_CAP_RECORD

/* What a TLS <= 1.2 cipher suite means for the record layer.
 * The key exchange does not matter: only the record protection. */
struct td_tls12_suite {
	uint16_t id;               /* IANA value */
	const char *name;          /* IANA name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"... */
	enum td_tls12_cipher cipher;
	size_t key_len;            /* bytes: 16 or 32 */
	enum td_tls12_mac mac;
	size_t mac_len;            /* bytes: 0 (AEAD), 20, 32 or 48; also the MAC key length */
	size_t fixed_iv_len;       /* bytes from the key block: 4 (GCM, CCM: the salt),
				      12 (ChaCha20), 16 (CBC: used by TLS 1.0 only) */
	size_t explicit_nonce_len; /* bytes at the start of each record: 8 (GCM, CCM),
				      0 (ChaCha20), 16 (CBC record IV; 0 in TLS 1.0) */
	size_t tag_len;            /* bytes: 16, 8 for CCM_8, 0 for CBC */
	enum td_tls12_prf prf;     /* the TLS 1.2 PRF: SHA256 or SHA384 */
};

/*
 * The parameters of a TLS <= 1.2 suite tlsdiag can decrypt: every IANA
 * suite with AES-GCM, AES-CCM, AES-CBC (HMAC-SHA1/256/384) or
 * ChaCha20-Poly1305, whatever its key exchange.  NULL for any other value
 * (RC4, 3DES, Camellia, ARIA, NULL ciphers, the pre-RFC 7905 ChaCha20
 * drafts 0xcc13-0xcc15, TLS 1.3 suites): the caller reports that it
 * cannot decrypt that suite.
 */
const struct td_tls12_suite *td_tls12_suite_find(uint16_t id);

/*
 * The PRF a connection uses: MD5 xor SHA-1 below TLS 1.2 (version
 * 0x0301, 0x0302), the suite's hash from TLS 1.2 (0x0303) on.
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

/* Whose records a state decrypts. */
enum td_tls12_dir {
	TD_TLS12_CLIENT_WRITE,   /* records the client sends */
	TD_TLS12_SERVER_WRITE    /* records the server sends */
};

/*
 * One direction's record protection state, from the first record after
 * that side's ChangeCipherSpec (its Finished, sequence number 0) on.
 * Holds no heap memory; td_tls12_keys_cleanup() wipes it.
 */
struct td_tls12_keys {
	uint16_t version;                   /* 0x0301..0x0303, the negotiated version */
	uint16_t suite;                     /* IANA value, found by td_tls12_suite_find() */
	bool encrypt_then_mac;              /* RFC 7366 negotiated (CBC only; false for AEAD) */
	uint8_t mac_key[TD_TLS12_MAC_KEY_MAX]; /* first mac_len bytes used (CBC) */
	size_t mac_len;
	uint8_t key[TD_TLS12_KEY_MAX];      /* first key_len bytes used */
	size_t key_len;
	uint8_t iv[TD_TLS12_IV_MAX];        /* first iv_len bytes used: the AEAD salt or
					       IV; for CBC in TLS 1.0 the IV of the next
					       record (the key block's, then the last
					       ciphertext block of the previous record) */
	size_t iv_len;
	uint64_t seq;                       /* next record's sequence number */
};

/*
 * Derive one direction's keys (RFC 5246 6.3): key_block =
 * PRF(master, "key expansion", server_random + client_random), split as
 * client MAC key, server MAC key, client key, server key, client IV,
 * server IV; keep dir's half and set seq to 0.  encrypt_then_mac is
 * whether the ServerHello echoed the encrypt_then_mac extension; it is
 * ignored (stored false) for AEAD suites, as RFC 7366 3 says.
 *
 * TD_ERR_UNSUPPORTED: a suite td_tls12_suite_find() does not know, a
 *   version other than TLS 1.0-1.2, or a suite that does not exist in
 *   that version (AEAD and HMAC-SHA256/384 suites are TLS 1.2 only), or
 *   wolfSSL failed.
 * TD_ERR_USAGE: master_len is not 48.
 * On error *k is wiped.
 */
enum td_result td_tls12_keys_init(struct td_tls12_keys *k, uint16_t version, uint16_t suite,
				  const uint8_t *master, size_t master_len,
				  const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				  const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				  bool encrypt_then_mac, enum td_tls12_dir dir) TD_MUST_CHECK;
/* Wipe the keys. */
void td_tls12_keys_cleanup(struct td_tls12_keys *k);

/*
 * Decrypt and authenticate one record (RFC 5246 6.2.3).  header5 is the
 * 5-byte record header as on the wire (its type and version are
 * authenticated), body its len-byte fragment.  *outlen is in: the
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
 *   CBC:       [IV (TLS 1.1+)] + AES-CBC(content + MAC + padding), or
 *              with encrypt_then_mac [IV] + AES-CBC(content + padding) + MAC.
 *
 * TD_OK: authenticated; seq advanced (and, for CBC in TLS 1.0, the IV
 *   chained to the last ciphertext block).
 * TD_ERR_MALFORMED: the tag or MAC does not authenticate or the CBC
 *   padding is wrong (wrong master secret, wrong direction, wrong
 *   sequence, tampered bytes), or the body is too short or not whole
 *   blocks, or the header does not describe len bytes; out holds no
 *   plaintext (whatever was decrypted is wiped), *outlen is 0 and the
 *   state (seq, IV) is NOT changed.
 * TD_ERR_CAP: len above TD_TLS12_CIPHERTEXT_MAX.
 * TD_ERR_USAGE: out too small, or k not initialised.
 */
enum td_result td_tls12_decrypt(struct td_tls12_keys *k, const uint8_t *header5,
				const uint8_t *body, size_t len,
				uint8_t *out, size_t *outlen) TD_MUST_CHECK;

#endif
