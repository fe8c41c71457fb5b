/*
 * crypto12.c - TLS 1.0-1.2 key block and record decryption (tls12_crypto.h).
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
 *                                                          CBC IV of TLS 1.0 only)
 *
 * RFC 5246 6.2.3, the protected fragment of each record:
 *
 *   AEAD (RFC 5288 GCM, RFC 6655 CCM):
 *   +-----------------------+---------------------------+---------+
 *   | explicit nonce (8)    | ciphertext                | tag     |
 *   +-----------------------+---------------------------+---------+
 *   ChaCha20-Poly1305 (RFC 7905): ciphertext | tag; nonce = IV xor seq
 *   additional data = seq_num (8) | type (1) | version (2) | plaintext length (2)
 *
 *   CBC, MAC-then-encrypt (default):
 *   +-------------------+-----------------------------------------------+
 *   | IV (TLS 1.1+: 16) | AES-CBC(content | MAC | padding | pad_len)    |
 *   +-------------------+-----------------------------------------------+
 *   MAC = HMAC(mac_key, seq_num | type | version | content length | content)
 *
 *   CBC, encrypt_then_mac (RFC 7366):
 *   +-------------------+-------------------------------------+-------+
 *   | IV (TLS 1.1+: 16) | AES-CBC(content | padding | pad_len) | MAC   |
 *   +-------------------+-------------------------------------+-------+
 *   MAC = HMAC(mac_key, seq_num | type | version | length(IV + ciphertext) |
 *              IV | ciphertext)
 *
 *   TLS 1.0 has no record IV: the first record uses the key block's IV,
 *   each next one the last ciphertext block of the one before.
 *
 * All primitives are wolfSSL's; nothing here is cryptography of our own.
 * A passive tool is no padding oracle (it answers nobody), so the CBC
 * checks are not constant-time; they avoid early exits only where that
 * costs nothing, and never read outside the record.
 */
#include "config.h"

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/kdf.h>

#include <string.h>

#include "reader.h"
#include "tls12_crypto.h"
#include "tls_crypto.h"

/* What each kind of suite means, as initialiser tails of struct
 * td_tls12_suite: cipher, key_len, mac, mac_len, fixed_iv_len,
 * explicit_nonce_len, tag_len, prf. */
#define GCM128_SHA256   TD_TLS12_AES_GCM, 16, TD_TLS12_MAC_AEAD, 0, 4, 8, 16, TD_TLS12_PRF_SHA256
#define GCM256_SHA384   TD_TLS12_AES_GCM, 32, TD_TLS12_MAC_AEAD, 0, 4, 8, 16, TD_TLS12_PRF_SHA384
#define CCM_128_SHA256  TD_TLS12_AES_CCM, 16, TD_TLS12_MAC_AEAD, 0, 4, 8, 16, TD_TLS12_PRF_SHA256
#define CCM_256_SHA256  TD_TLS12_AES_CCM, 32, TD_TLS12_MAC_AEAD, 0, 4, 8, 16, TD_TLS12_PRF_SHA256
#define CCM_256_SHA384  TD_TLS12_AES_CCM, 32, TD_TLS12_MAC_AEAD, 0, 4, 8, 16, TD_TLS12_PRF_SHA384
#define CCM8_128_SHA256 TD_TLS12_AES_CCM, 16, TD_TLS12_MAC_AEAD, 0, 4, 8, 8, TD_TLS12_PRF_SHA256
#define CCM8_256_SHA256 TD_TLS12_AES_CCM, 32, TD_TLS12_MAC_AEAD, 0, 4, 8, 8, TD_TLS12_PRF_SHA256
#define CHACHA          TD_TLS12_CHACHA20_POLY1305, 32, TD_TLS12_MAC_AEAD, 0, 12, 0, 16, TD_TLS12_PRF_SHA256
#define CBC128_SHA1     TD_TLS12_AES_CBC, 16, TD_TLS12_MAC_SHA1, 20, 16, 16, 0, TD_TLS12_PRF_SHA256
#define CBC256_SHA1     TD_TLS12_AES_CBC, 32, TD_TLS12_MAC_SHA1, 20, 16, 16, 0, TD_TLS12_PRF_SHA256
#define CBC128_SHA256   TD_TLS12_AES_CBC, 16, TD_TLS12_MAC_SHA256, 32, 16, 16, 0, TD_TLS12_PRF_SHA256
#define CBC256_SHA256   TD_TLS12_AES_CBC, 32, TD_TLS12_MAC_SHA256, 32, 16, 16, 0, TD_TLS12_PRF_SHA256
#define CBC256_SHA384   TD_TLS12_AES_CBC, 32, TD_TLS12_MAC_SHA384, 48, 16, 16, 0, TD_TLS12_PRF_SHA384

/* Every IANA suite with AES-GCM/CCM/CBC or ChaCha20-Poly1305 (names as in
 * names.c, which a unit test checks).  The key exchange is irrelevant
 * here: the key log gives the master secret.  RFC 3268, 4279, 4492,
 * 5054, 5246 A.5, 5288, 5289, 5487, 6655, 7251, 7905, 8442, 8492. */
#define TD_TLS12_SUITES(X) \
	X(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA",                      CBC128_SHA1) \
	X(0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA",                   CBC128_SHA1) \
	X(0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA",                   CBC128_SHA1) \
	X(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",                  CBC128_SHA1) \
	X(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",                  CBC128_SHA1) \
	X(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA",                  CBC128_SHA1) \
	X(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA",                      CBC256_SHA1) \
	X(0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA",                   CBC256_SHA1) \
	X(0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA",                   CBC256_SHA1) \
	X(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",                  CBC256_SHA1) \
	X(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",                  CBC256_SHA1) \
	X(0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA",                  CBC256_SHA1) \
	X(0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256",                   CBC128_SHA256) \
	X(0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256",                   CBC256_SHA256) \
	X(0x003e, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256",                CBC128_SHA256) \
	X(0x003f, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256",                CBC128_SHA256) \
	X(0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",               CBC128_SHA256) \
	X(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",               CBC128_SHA256) \
	X(0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256",                CBC256_SHA256) \
	X(0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256",                CBC256_SHA256) \
	X(0x006a, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",               CBC256_SHA256) \
	X(0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",               CBC256_SHA256) \
	X(0x006c, "TLS_DH_anon_WITH_AES_128_CBC_SHA256",               CBC128_SHA256) \
	X(0x006d, "TLS_DH_anon_WITH_AES_256_CBC_SHA256",               CBC256_SHA256) \
	X(0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA",                      CBC128_SHA1) \
	X(0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA",                      CBC256_SHA1) \
	X(0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA",                  CBC128_SHA1) \
	X(0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA",                  CBC256_SHA1) \
	X(0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA",                  CBC128_SHA1) \
	X(0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA",                  CBC256_SHA1) \
	X(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256",                   GCM128_SHA256) \
	X(0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384",                   GCM256_SHA384) \
	X(0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",               GCM128_SHA256) \
	X(0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",               GCM256_SHA384) \
	X(0x00a0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256",                GCM128_SHA256) \
	X(0x00a1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384",                GCM256_SHA384) \
	X(0x00a2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",               GCM128_SHA256) \
	X(0x00a3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",               GCM256_SHA384) \
	X(0x00a4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256",                GCM128_SHA256) \
	X(0x00a5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384",                GCM256_SHA384) \
	X(0x00a6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256",               GCM128_SHA256) \
	X(0x00a7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384",               GCM256_SHA384) \
	X(0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256",                   GCM128_SHA256) \
	X(0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384",                   GCM256_SHA384) \
	X(0x00aa, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256",               GCM128_SHA256) \
	X(0x00ab, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",               GCM256_SHA384) \
	X(0x00ac, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256",               GCM128_SHA256) \
	X(0x00ad, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384",               GCM256_SHA384) \
	X(0x00ae, "TLS_PSK_WITH_AES_128_CBC_SHA256",                   CBC128_SHA256) \
	X(0x00af, "TLS_PSK_WITH_AES_256_CBC_SHA384",                   CBC256_SHA384) \
	X(0x00b2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256",               CBC128_SHA256) \
	X(0x00b3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384",               CBC256_SHA384) \
	X(0x00b6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256",               CBC128_SHA256) \
	X(0x00b7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384",               CBC256_SHA384) \
	X(0xc004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA",               CBC128_SHA1) \
	X(0xc005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA",               CBC256_SHA1) \
	X(0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",              CBC128_SHA1) \
	X(0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",              CBC256_SHA1) \
	X(0xc00e, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA",                 CBC128_SHA1) \
	X(0xc00f, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA",                 CBC256_SHA1) \
	X(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",                CBC128_SHA1) \
	X(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",                CBC256_SHA1) \
	X(0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA",                CBC128_SHA1) \
	X(0xc019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",                CBC256_SHA1) \
	X(0xc01d, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA",                  CBC128_SHA1) \
	X(0xc01e, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA",              CBC128_SHA1) \
	X(0xc01f, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA",              CBC128_SHA1) \
	X(0xc020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA",                  CBC256_SHA1) \
	X(0xc021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA",              CBC256_SHA1) \
	X(0xc022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA",              CBC256_SHA1) \
	X(0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",           CBC128_SHA256) \
	X(0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",           CBC256_SHA384) \
	X(0xc025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256",            CBC128_SHA256) \
	X(0xc026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384",            CBC256_SHA384) \
	X(0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",             CBC128_SHA256) \
	X(0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",             CBC256_SHA384) \
	X(0xc029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256",              CBC128_SHA256) \
	X(0xc02a, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384",              CBC256_SHA384) \
	X(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",           GCM128_SHA256) \
	X(0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",           GCM256_SHA384) \
	X(0xc02d, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256",            GCM128_SHA256) \
	X(0xc02e, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384",            GCM256_SHA384) \
	X(0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",             GCM128_SHA256) \
	X(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",             GCM256_SHA384) \
	X(0xc031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",              GCM128_SHA256) \
	X(0xc032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384",              GCM256_SHA384) \
	X(0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA",                CBC128_SHA1) \
	X(0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA",                CBC256_SHA1) \
	X(0xc037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",             CBC128_SHA256) \
	X(0xc038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384",             CBC256_SHA384) \
	X(0xc09c, "TLS_RSA_WITH_AES_128_CCM",                          CCM_128_SHA256) \
	X(0xc09d, "TLS_RSA_WITH_AES_256_CCM",                          CCM_256_SHA256) \
	X(0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM",                      CCM_128_SHA256) \
	X(0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM",                      CCM_256_SHA256) \
	X(0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8",                        CCM8_128_SHA256) \
	X(0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8",                        CCM8_256_SHA256) \
	X(0xc0a2, "TLS_DHE_RSA_WITH_AES_128_CCM_8",                    CCM8_128_SHA256) \
	X(0xc0a3, "TLS_DHE_RSA_WITH_AES_256_CCM_8",                    CCM8_256_SHA256) \
	X(0xc0a4, "TLS_PSK_WITH_AES_128_CCM",                          CCM_128_SHA256) \
	X(0xc0a5, "TLS_PSK_WITH_AES_256_CCM",                          CCM_256_SHA256) \
	X(0xc0a6, "TLS_DHE_PSK_WITH_AES_128_CCM",                      CCM_128_SHA256) \
	X(0xc0a7, "TLS_DHE_PSK_WITH_AES_256_CCM",                      CCM_256_SHA256) \
	X(0xc0a8, "TLS_PSK_WITH_AES_128_CCM_8",                        CCM8_128_SHA256) \
	X(0xc0a9, "TLS_PSK_WITH_AES_256_CCM_8",                        CCM8_256_SHA256) \
	X(0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8",                    CCM8_128_SHA256) \
	X(0xc0ab, "TLS_PSK_DHE_WITH_AES_256_CCM_8",                    CCM8_256_SHA256) \
	X(0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",                  CCM_128_SHA256) \
	X(0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",                  CCM_256_SHA256) \
	X(0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",                CCM8_128_SHA256) \
	X(0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8",                CCM8_256_SHA256) \
	X(0xc0b0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256",                GCM128_SHA256) \
	X(0xc0b1, "TLS_ECCPWD_WITH_AES_256_GCM_SHA384",                GCM256_SHA384) \
	X(0xc0b2, "TLS_ECCPWD_WITH_AES_128_CCM_SHA256",                CCM_128_SHA256) \
	X(0xc0b3, "TLS_ECCPWD_WITH_AES_256_CCM_SHA384",                CCM_256_SHA384) \
	X(0xc0ff, "TLS_ECJPAKE_WITH_AES_128_CCM_8",                    CCM8_128_SHA256) \
	X(0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",       CHACHA) \
	X(0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",     CHACHA) \
	X(0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",         CHACHA) \
	X(0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256",             CHACHA) \
	X(0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",       CHACHA) \
	X(0xccad, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256",         CHACHA) \
	X(0xccae, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256",         CHACHA) \
	X(0xd001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256",             GCM128_SHA256) \
	X(0xd002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384",             GCM256_SHA384) \
	X(0xd003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256",           CCM8_128_SHA256) \
	X(0xd005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256",             CCM_128_SHA256)


static const struct td_tls12_suite suites[] = {
#define X(id, name, kind) { id, name, kind },
	TD_TLS12_SUITES(X)
#undef X
};

#define TLS10 0x0301u
#define TLS11 0x0302u
#define TLS12 0x0303u
#define AES_BLOCK 16u
#define SEQ_LEN 8u
/* seq_num (8) + type (1) + version (2) + length (2) */
#define MAC_HEADER_LEN 13u
#define KEY_EXPANSION "key expansion"
/* wolfSSL's PRF limits (MAX_PRF_LABSEED, MAX_PRF_DIG, 2 * MAX_PRF_HALF). */
#define PRF_LABEL_SEED_MAX 128u
#define PRF_OUT_MAX 224u
#define PRF_SECRET_MAX 512u

const struct td_tls12_suite *td_tls12_suite_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

enum td_tls12_prf td_tls12_prf_for(uint16_t version, const struct td_tls12_suite *s)
{
	if (version < TLS12 || !s)
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

/* True when the suite exists in that version: AEAD suites and HMAC-SHA256/384
 * suites came with TLS 1.2 (RFC 5246 A.5, RFC 5288 4). */
static bool suite_in_version(const struct td_tls12_suite *s, uint16_t version)
{
	if (version < TLS10 || version > TLS12)
		return false;
	if (version == TLS12)
		return true;
	return s->cipher == TD_TLS12_AES_CBC && s->mac == TD_TLS12_MAC_SHA1;
}

/* The IV the key block holds for this version: AEAD salt or IV; for CBC
 * only TLS 1.0's (RFC 4346 6.3 dropped it, RFC 5246 6.3 keeps IVs for
 * implicit nonces only). */
static size_t key_block_iv_len(const struct td_tls12_suite *s, uint16_t version)
{
	if (s->cipher == TD_TLS12_AES_CBC)
		return version == TLS10 ? s->fixed_iv_len : 0;
	return s->fixed_iv_len;
}

enum td_result td_tls12_keys_init(struct td_tls12_keys *k, uint16_t version, uint16_t suite,
				  const uint8_t *master, size_t master_len,
				  const uint8_t client_random[TD_TLS12_RANDOM_LEN],
				  const uint8_t server_random[TD_TLS12_RANDOM_LEN],
				  bool encrypt_then_mac, enum td_tls12_dir dir)
{
	memset(k, 0, sizeof *k);
	const struct td_tls12_suite *s = td_tls12_suite_find(suite);
	if (!s || !suite_in_version(s, version))
		return TD_ERR_UNSUPPORTED;
	if (master_len != TD_TLS12_MASTER_LEN || !master || !client_random || !server_random)
		return TD_ERR_USAGE;

	/* The seed is server_random + client_random (the master secret's
	 * seed is the other way round). */
	uint8_t seed[2 * TD_TLS12_RANDOM_LEN];
	memcpy(seed, server_random, TD_TLS12_RANDOM_LEN);
	memcpy(seed + TD_TLS12_RANDOM_LEN, client_random, TD_TLS12_RANDOM_LEN);

	size_t iv_len = key_block_iv_len(s, version);
	size_t need = 2 * (s->mac_len + s->key_len + iv_len);
	uint8_t block[2 * (TD_TLS12_MAC_KEY_MAX + TD_TLS12_KEY_MAX + TD_TLS12_IV_MAX)];
	enum td_result rc = td_tls12_prf(td_tls12_prf_for(version, s), master, master_len,
					 KEY_EXPANSION, seed, sizeof seed, block, need);
	if (rc == TD_OK) {
		/* The server's part of each pair follows the client's. */
		size_t server = dir == TD_TLS12_SERVER_WRITE;
		size_t at = server * s->mac_len;
		memcpy(k->mac_key, block + at, s->mac_len);
		at = 2 * s->mac_len + server * s->key_len;
		memcpy(k->key, block + at, s->key_len);
		at = 2 * (s->mac_len + s->key_len) + server * iv_len;
		memcpy(k->iv, block + at, iv_len);
		k->version = version;
		k->suite = suite;
		k->encrypt_then_mac = encrypt_then_mac && s->cipher == TD_TLS12_AES_CBC;
		k->mac_len = s->mac_len;
		k->key_len = s->key_len;
		k->iv_len = iv_len;
		k->seq = 0;
	} else {
		td_tls12_keys_cleanup(k);
	}
	explicit_bzero(block, sizeof block);
	explicit_bzero(seed, sizeof seed);
	return rc;
}

void td_tls12_keys_cleanup(struct td_tls12_keys *k)
{
	explicit_bzero(k, sizeof *k);
}

/* seq_num | type | version | length: the start of the MAC input and the
 * whole AEAD additional data. */
static void record_header(uint8_t h[MAC_HEADER_LEN], uint64_t seq, uint8_t type,
			  uint16_t version, size_t len)
{
	for (size_t i = 0; i < SEQ_LEN; i++)
		h[i] = (uint8_t)(seq >> (8 * (SEQ_LEN - 1 - i)));
	h[8] = type;
	h[9] = (uint8_t)(version >> 8);
	h[10] = (uint8_t)version;
	h[11] = (uint8_t)(len >> 8);
	h[12] = (uint8_t)len;
}

static int wolf_hmac_type(enum td_tls12_mac mac)
{
	switch (mac) {
	case TD_TLS12_MAC_SHA1: return WC_SHA;
	case TD_TLS12_MAC_SHA256: return WC_SHA256;
	case TD_TLS12_MAC_SHA384: return WC_SHA384;
	case TD_TLS12_MAC_AEAD: break;
	}
	return WC_SHA256;
}

/* HMAC(mac_key, hdr | a | b), the record MAC (a, b may be empty); 0 on success. */
static int record_mac(const struct td_tls12_keys *k, const struct td_tls12_suite *s,
		      const uint8_t hdr[MAC_HEADER_LEN], const uint8_t *a, size_t a_len,
		      const uint8_t *b, size_t b_len, uint8_t *mac)
{
	Hmac h;
	int rc = wc_HmacInit(&h, NULL, INVALID_DEVID);
	if (rc != 0)
		return rc;
	rc = wc_HmacSetKey(&h, wolf_hmac_type(s->mac), k->mac_key, (word32)k->mac_len);
	if (rc == 0)
		rc = wc_HmacUpdate(&h, hdr, MAC_HEADER_LEN);
	if (rc == 0 && a_len > 0)
		rc = wc_HmacUpdate(&h, a, (word32)a_len);
	if (rc == 0 && b_len > 0)
		rc = wc_HmacUpdate(&h, b, (word32)b_len);
	if (rc == 0)
		rc = wc_HmacFinal(&h, mac);
	wc_HmacFree(&h);
	explicit_bzero(&h, sizeof h);
	return rc;
}

/* Non-zero when the n bytes differ; looks at all of them. */
static unsigned differ(const uint8_t *a, const uint8_t *b, size_t n)
{
	unsigned d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (unsigned)(a[i] ^ b[i]);
	return d;
}

/* AES-CBC decryption of n whole blocks; 0 on success. */
static int cbc_decrypt(const struct td_tls12_keys *k, const uint8_t *iv, const uint8_t *in,
		       size_t n, uint8_t *out)
{
	Aes aes;
	int rc = wc_AesInit(&aes, NULL, INVALID_DEVID);
	if (rc != 0)
		return rc;
	rc = wc_AesSetKey(&aes, k->key, (word32)k->key_len, iv, AES_DECRYPTION);
	if (rc == 0)
		rc = wc_AesCbcDecrypt(&aes, out, in, (word32)n);
	wc_AesFree(&aes);
	explicit_bzero(&aes, sizeof aes);
	return rc;
}

/*
 * The CBC record in r (after the header).  With MAC-then-encrypt the
 * padding and the MAC are both checked before the verdict, whatever the
 * padding looked like (with a bad padding length the MAC is computed as
 * if there were no padding, so the work is similar).
 */
static enum td_result open_cbc(struct td_tls12_keys *k, const struct td_tls12_suite *s,
			       uint8_t type, uint16_t version, struct td_reader *r,
			       uint8_t *out, size_t cap, size_t *outlen)
{
	bool etm = k->encrypt_then_mac;
	size_t record_iv_len = k->version >= TLS11 ? AES_BLOCK : 0;
	const uint8_t *iv = record_iv_len ? td_rd_bytes(r, record_iv_len) : k->iv;
	size_t rest = td_rd_left(r);
	size_t tail = etm ? k->mac_len : 0;
	if (!iv || rest < tail)
		return TD_ERR_MALFORMED;
	size_t ct_len = rest - tail;
	const uint8_t *ct = td_rd_bytes(r, ct_len);
	const uint8_t *tag = td_rd_bytes(r, tail);
	/* Whole blocks, holding at least pad_len (and the MAC when inside). */
	size_t inner_mac = etm ? 0 : k->mac_len;
	if (!td_rd_done(r) || !ct || !tag || ct_len == 0 || ct_len % AES_BLOCK != 0 ||
	    ct_len < inner_mac + 1)
		return TD_ERR_MALFORMED;
	if (ct_len > cap)
		return TD_ERR_USAGE;

	uint8_t hdr[MAC_HEADER_LEN], mac[TD_TLS12_MAC_KEY_MAX];
	if (etm) {
		/* RFC 7366 3: authenticate the IV and ciphertext before decrypting. */
		record_header(hdr, k->seq, type, version, record_iv_len + ct_len);
		int rc = record_mac(k, s, hdr, iv, record_iv_len, ct, ct_len, mac);
		unsigned bad = rc != 0 || differ(mac, tag, k->mac_len) != 0;
		explicit_bzero(mac, sizeof mac);
		if (bad)
			return TD_ERR_MALFORMED;
	}
	if (cbc_decrypt(k, iv, ct, ct_len, out) != 0) {
		explicit_bzero(out, ct_len);
		return TD_ERR_MALFORMED;
	}

	/* padding: pad_len + 1 bytes, all equal to pad_len (RFC 5246
	 * 6.2.3.2; RFC 2246 6.2.3.2 says the same). */
	size_t pad = out[ct_len - 1];
	unsigned bad = 0;
	if (pad > ct_len - 1 - inner_mac) {
		bad = 1;
		pad = 0;
	}
	for (size_t i = 0; i <= pad; i++)
		bad |= (unsigned)(out[ct_len - 1 - i] ^ pad);
	size_t content_len = ct_len - 1 - pad - inner_mac;
	if (!etm) {
		record_header(hdr, k->seq, type, version, content_len);
		int rc = record_mac(k, s, hdr, out, content_len, NULL, 0, mac);
		bad |= rc != 0;
		bad |= differ(mac, out + content_len, k->mac_len) != 0;
		explicit_bzero(mac, sizeof mac);
	}
	if (bad) {
		explicit_bzero(out, ct_len);
		return TD_ERR_MALFORMED;
	}
	/* Wipe what is not content (MAC and padding). */
	explicit_bzero(out + content_len, ct_len - content_len);
	if (k->version == TLS10)
		memcpy(k->iv, ct + ct_len - AES_BLOCK, AES_BLOCK);
	*outlen = content_len;
	return TD_OK;
}

/* The AEAD record in r (after the header). */
static enum td_result open_aead(struct td_tls12_keys *k, const struct td_tls12_suite *s,
				uint8_t type, uint16_t version, struct td_reader *r,
				uint8_t *out, size_t cap, size_t *outlen)
{
	const uint8_t *explicit_nonce = td_rd_bytes(r, s->explicit_nonce_len);
	if (!explicit_nonce || td_rd_left(r) < s->tag_len)
		return TD_ERR_MALFORMED;
	size_t ct_len = td_rd_left(r) - s->tag_len;
	const uint8_t *ct = td_rd_bytes(r, ct_len);
	const uint8_t *tag = td_rd_bytes(r, s->tag_len);
	if (!td_rd_done(r) || !ct || !tag)
		return TD_ERR_MALFORMED;
	if (ct_len > cap)
		return TD_ERR_USAGE;

	uint8_t nonce[12];
	if (s->cipher == TD_TLS12_CHACHA20_POLY1305) {
		/* RFC 7905 2: the IV xor the sequence number, left-padded. */
		memcpy(nonce, k->iv, sizeof nonce);
		for (size_t i = 0; i < SEQ_LEN; i++)
			nonce[sizeof nonce - 1 - i] ^= (uint8_t)(k->seq >> (8 * i));
	} else {
		/* RFC 5288 3, RFC 6655 3: salt (4) | nonce_explicit (8). */
		memcpy(nonce, k->iv, s->fixed_iv_len);
		memcpy(nonce + s->fixed_iv_len, explicit_nonce, s->explicit_nonce_len);
	}
	uint8_t aad[MAC_HEADER_LEN];
	record_header(aad, k->seq, type, version, ct_len);
	enum td_aead aead = s->cipher == TD_TLS12_CHACHA20_POLY1305 ? TD_AEAD_CHACHA20_POLY1305
			  : s->cipher == TD_TLS12_AES_GCM ? TD_AEAD_AES_GCM : TD_AEAD_AES_CCM;
	enum td_result rc = td_aead_open(aead, k->key, k->key_len, nonce, aad, MAC_HEADER_LEN,
					 ct, ct_len, tag, s->tag_len, out);
	explicit_bzero(nonce, sizeof nonce);
	if (rc != TD_OK) {
		explicit_bzero(out, ct_len);
		return TD_ERR_MALFORMED;
	}
	*outlen = ct_len;
	return TD_OK;
}

enum td_result td_tls12_decrypt(struct td_tls12_keys *k, const uint8_t *header5,
				const uint8_t *body, size_t len,
				uint8_t *out, size_t *outlen)
{
	size_t cap = *outlen;
	*outlen = 0;
	const struct td_tls12_suite *s = td_tls12_suite_find(k->suite);
	if (!s || !suite_in_version(s, k->version) || !out)
		return TD_ERR_USAGE;
	if (len > TD_TLS12_CIPHERTEXT_MAX)
		return TD_ERR_CAP;

	/* The header is authenticated; it must describe these bytes. */
	struct td_reader h = td_rd_make(header5, 5);
	uint8_t type = td_rd_u8(&h);
	uint16_t version = td_rd_u16(&h);
	uint16_t hlen = td_rd_u16(&h);
	if (!td_rd_ok(&h) || hlen != len)
		return TD_ERR_MALFORMED;

	/* wolfSSL wants non-NULL buffers even for an empty body. */
	static const uint8_t empty[1];
	struct td_reader r = td_rd_make(len ? body : empty, len);
	enum td_result rc;
	if (s->cipher == TD_TLS12_AES_CBC)
		rc = open_cbc(k, s, type, version, &r, out, cap, outlen);
	else
		rc = open_aead(k, s, type, version, &r, out, cap, outlen);
	if (rc == TD_OK)
		k->seq++;
	return rc;
}
