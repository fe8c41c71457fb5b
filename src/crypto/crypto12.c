/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto12.c - TLS 1.0-1.2 (and SSL 3.0) suites and record decryption
 * (tls12_crypto.h).  The key schedule is in crypto_prf.c, SSL 3.0's
 * record MAC in crypto_ssl3.c; neither calls back here.
 *
 * The key block (the PRF, RFC 5246 6.3; SSL 3.0's hashes; the export
 * suites' expansion) is cut in crypto_prf.c: td_tls12_keys_init() asks it
 * for one direction's keys.
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
 *   CBC (AES, Camellia: 16-byte blocks; 3DES, DES: 8), MAC-then-encrypt:
 *   +-------------------------+-------------------------------------------+
 *   | IV (TLS 1.1+: a block)  | CBC(content | MAC | padding | pad_len)    |
 *   +-------------------------+-------------------------------------------+
 *   MAC = HMAC(mac_key, seq_num | type | version | content length | content)
 *   (SSL 3.0: td_ssl3_mac(), and only pad_len is checked: < a block)
 *
 *   CBC, encrypt_then_mac (RFC 7366):
 *   +-------------------------+---------------------------------+-------+
 *   | IV (TLS 1.1+: a block)  | CBC(content | padding | pad_len) | MAC   |
 *   +-------------------------+---------------------------------+-------+
 *   MAC = HMAC(mac_key, seq_num | type | version | length(IV + ciphertext) |
 *              IV | ciphertext)
 *
 *   TLS 1.0 and SSL 3.0 have no record IV: the first record uses the key
 *   block's IV, each next one the last ciphertext block of the one before.
 *
 *   RC4 (RFC 2246 6.2.3.1), a stream: the keystream goes on from record
 *   to record, so a record must be opened in order and only once.
 *   +---------------------------+
 *   | RC4(content | MAC)        |
 *   +---------------------------+
 *
 * All primitives are wolfSSL's; nothing here is cryptography of our own.
 * A passive tool is no padding oracle (it answers nobody), so the CBC
 * checks are not constant-time; they avoid early exits only where that
 * costs nothing, and never read outside the record.
 */
#include "config.h"

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/arc4.h>
#include <wolfssl/wolfcrypt/camellia.h>
#include <wolfssl/wolfcrypt/des3.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>

#include <string.h>

#include "reader.h"
#include "tls12_crypto.h"
#include "tls_crypto.h"
#include "tls_registry.h"

/* What each kind of suite means, as initialiser tails of struct
 * td_tls12_suite: cipher, key_len, mac, mac_len, fixed_iv_len,
 * explicit_nonce_len, tag_len, prf, export_key_len. */
#define GCM128_SHA256   TD_TLS12_AES_GCM, 16, TD_TLS12_MAC_AEAD, 0, 4, 8, 16, TD_TLS12_PRF_SHA256, 0
#define GCM256_SHA384   TD_TLS12_AES_GCM, 32, TD_TLS12_MAC_AEAD, 0, 4, 8, 16, TD_TLS12_PRF_SHA384, 0
#define CCM_128_SHA256  TD_TLS12_AES_CCM, 16, TD_TLS12_MAC_AEAD, 0, 4, 8, 16, TD_TLS12_PRF_SHA256, 0
#define CCM_256_SHA256  TD_TLS12_AES_CCM, 32, TD_TLS12_MAC_AEAD, 0, 4, 8, 16, TD_TLS12_PRF_SHA256, 0
#define CCM_256_SHA384  TD_TLS12_AES_CCM, 32, TD_TLS12_MAC_AEAD, 0, 4, 8, 16, TD_TLS12_PRF_SHA384, 0
#define CCM8_128_SHA256 TD_TLS12_AES_CCM, 16, TD_TLS12_MAC_AEAD, 0, 4, 8, 8, TD_TLS12_PRF_SHA256, 0
#define CCM8_256_SHA256 TD_TLS12_AES_CCM, 32, TD_TLS12_MAC_AEAD, 0, 4, 8, 8, TD_TLS12_PRF_SHA256, 0
#define CHACHA          TD_TLS12_CHACHA20_POLY1305, 32, TD_TLS12_MAC_AEAD, 0, 12, 0, 16, TD_TLS12_PRF_SHA256, 0
#define CBC128_SHA1     TD_TLS12_AES_CBC, 16, TD_TLS12_MAC_SHA1, 20, 16, 16, 0, TD_TLS12_PRF_SHA256, 0
#define CBC256_SHA1     TD_TLS12_AES_CBC, 32, TD_TLS12_MAC_SHA1, 20, 16, 16, 0, TD_TLS12_PRF_SHA256, 0
#define CBC128_SHA256   TD_TLS12_AES_CBC, 16, TD_TLS12_MAC_SHA256, 32, 16, 16, 0, TD_TLS12_PRF_SHA256, 0
#define CBC256_SHA256   TD_TLS12_AES_CBC, 32, TD_TLS12_MAC_SHA256, 32, 16, 16, 0, TD_TLS12_PRF_SHA256, 0
#define CBC256_SHA384   TD_TLS12_AES_CBC, 32, TD_TLS12_MAC_SHA384, 48, 16, 16, 0, TD_TLS12_PRF_SHA384, 0
#define CAM128_SHA1     TD_TLS12_CAMELLIA_CBC, 16, TD_TLS12_MAC_SHA1, 20, 16, 16, 0, TD_TLS12_PRF_SHA256, 0
#define CAM256_SHA1     TD_TLS12_CAMELLIA_CBC, 32, TD_TLS12_MAC_SHA1, 20, 16, 16, 0, TD_TLS12_PRF_SHA256, 0
#define CAM128_SHA256   TD_TLS12_CAMELLIA_CBC, 16, TD_TLS12_MAC_SHA256, 32, 16, 16, 0, TD_TLS12_PRF_SHA256, 0
#define CAM256_SHA256   TD_TLS12_CAMELLIA_CBC, 32, TD_TLS12_MAC_SHA256, 32, 16, 16, 0, TD_TLS12_PRF_SHA256, 0
#define CAM256_SHA384   TD_TLS12_CAMELLIA_CBC, 32, TD_TLS12_MAC_SHA384, 48, 16, 16, 0, TD_TLS12_PRF_SHA384, 0
#define DES3_SHA1       TD_TLS12_3DES_EDE_CBC, 24, TD_TLS12_MAC_SHA1, 20, 8, 8, 0, TD_TLS12_PRF_SHA256, 0
#define DES3_MD5        TD_TLS12_3DES_EDE_CBC, 24, TD_TLS12_MAC_MD5, 16, 8, 8, 0, TD_TLS12_PRF_SHA256, 0
#define DES_SHA1        TD_TLS12_DES_CBC, 8, TD_TLS12_MAC_SHA1, 20, 8, 8, 0, TD_TLS12_PRF_SHA256, 0
#define DES_MD5         TD_TLS12_DES_CBC, 8, TD_TLS12_MAC_MD5, 16, 8, 8, 0, TD_TLS12_PRF_SHA256, 0
/* 5 secret key bytes expanded to the 8-byte DES key (RFC 2246 6.3; the
 * parity bits are left as the expansion makes them: DES ignores them). */
#define DES40_SHA1      TD_TLS12_DES_CBC, 8, TD_TLS12_MAC_SHA1, 20, 8, 8, 0, TD_TLS12_PRF_SHA256, 5
#define RC4_128_MD5     TD_TLS12_RC4, 16, TD_TLS12_MAC_MD5, 16, 0, 0, 0, TD_TLS12_PRF_SHA256, 0
#define RC4_128_SHA1    TD_TLS12_RC4, 16, TD_TLS12_MAC_SHA1, 20, 0, 0, 0, TD_TLS12_PRF_SHA256, 0
#define RC4_40_MD5      TD_TLS12_RC4, 16, TD_TLS12_MAC_MD5, 16, 0, 0, 0, TD_TLS12_PRF_SHA256, 5
#define RC4_40_SHA1     TD_TLS12_RC4, 16, TD_TLS12_MAC_SHA1, 20, 0, 0, 0, TD_TLS12_PRF_SHA256, 5

/* Every IANA suite with AES-GCM/CCM/CBC, Camellia-CBC, 3DES-EDE-CBC,
 * DES-CBC (56, or 40 for export), RC4 (128, or 40 for export) or
 * ChaCha20-Poly1305 (names as in names.c, which a unit test checks).  The
 * key exchange is irrelevant here: the key log gives the master secret.
 * RFC 2246 A.5, 2712, 3268, 4132, 4279, 4492, 5054, 5246 A.5, 5288,
 * 5289, 5487, 5932, 6367, 6655, 7251, 7905, 8442, 8492.  Not the export
 * RC2 suites (wolfSSL has no RC2), nor the unregistered 0x0060-0x0066
 * drafts. */
#define TD_TLS12_SUITES(X) \
	X(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5",                    RC4_40_MD5) \
	X(0x0004, "TLS_RSA_WITH_RC4_128_MD5",                          RC4_128_MD5) \
	X(0x0005, "TLS_RSA_WITH_RC4_128_SHA",                          RC4_128_SHA1) \
	X(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",                 DES40_SHA1) \
	X(0x0009, "TLS_RSA_WITH_DES_CBC_SHA",                          DES_SHA1) \
	X(0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA",                     DES3_SHA1) \
	X(0x000b, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA",              DES40_SHA1) \
	X(0x000c, "TLS_DH_DSS_WITH_DES_CBC_SHA",                       DES_SHA1) \
	X(0x000d, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA",                  DES3_SHA1) \
	X(0x000e, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA",              DES40_SHA1) \
	X(0x000f, "TLS_DH_RSA_WITH_DES_CBC_SHA",                       DES_SHA1) \
	X(0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA",                  DES3_SHA1) \
	X(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA",             DES40_SHA1) \
	X(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA",                      DES_SHA1) \
	X(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",                 DES3_SHA1) \
	X(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",             DES40_SHA1) \
	X(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA",                      DES_SHA1) \
	X(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",                 DES3_SHA1) \
	X(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5",                RC4_40_MD5) \
	X(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5",                      RC4_128_MD5) \
	X(0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA",             DES40_SHA1) \
	X(0x001a, "TLS_DH_anon_WITH_DES_CBC_SHA",                      DES_SHA1) \
	X(0x001b, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA",                 DES3_SHA1) \
	X(0x001e, "TLS_KRB5_WITH_DES_CBC_SHA",                         DES_SHA1) \
	X(0x001f, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA",                    DES3_SHA1) \
	X(0x0020, "TLS_KRB5_WITH_RC4_128_SHA",                         RC4_128_SHA1) \
	X(0x0022, "TLS_KRB5_WITH_DES_CBC_MD5",                         DES_MD5) \
	X(0x0023, "TLS_KRB5_WITH_3DES_EDE_CBC_MD5",                    DES3_MD5) \
	X(0x0024, "TLS_KRB5_WITH_RC4_128_MD5",                         RC4_128_MD5) \
	X(0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA",                   RC4_40_SHA1) \
	X(0x002b, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5",                   RC4_40_MD5) \
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
	X(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA",                 CAM128_SHA1) \
	X(0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA",              CAM128_SHA1) \
	X(0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA",              CAM128_SHA1) \
	X(0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA",             CAM128_SHA1) \
	X(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA",             CAM128_SHA1) \
	X(0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA",             CAM128_SHA1) \
	X(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",               CBC128_SHA256) \
	X(0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256",                CBC256_SHA256) \
	X(0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256",                CBC256_SHA256) \
	X(0x006a, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",               CBC256_SHA256) \
	X(0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",               CBC256_SHA256) \
	X(0x006c, "TLS_DH_anon_WITH_AES_128_CBC_SHA256",               CBC128_SHA256) \
	X(0x006d, "TLS_DH_anon_WITH_AES_256_CBC_SHA256",               CBC256_SHA256) \
	X(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA",                 CAM256_SHA1) \
	X(0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA",              CAM256_SHA1) \
	X(0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA",              CAM256_SHA1) \
	X(0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA",             CAM256_SHA1) \
	X(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA",             CAM256_SHA1) \
	X(0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA",             CAM256_SHA1) \
	X(0x008a, "TLS_PSK_WITH_RC4_128_SHA",                          RC4_128_SHA1) \
	X(0x008b, "TLS_PSK_WITH_3DES_EDE_CBC_SHA",                     DES3_SHA1) \
	X(0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA",                      CBC128_SHA1) \
	X(0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA",                      CBC256_SHA1) \
	X(0x008e, "TLS_DHE_PSK_WITH_RC4_128_SHA",                      RC4_128_SHA1) \
	X(0x008f, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA",                 DES3_SHA1) \
	X(0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA",                  CBC128_SHA1) \
	X(0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA",                  CBC256_SHA1) \
	X(0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA",                      RC4_128_SHA1) \
	X(0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA",                 DES3_SHA1) \
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
	X(0x00ba, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256",              CAM128_SHA256) \
	X(0x00bb, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256",           CAM128_SHA256) \
	X(0x00bc, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256",           CAM128_SHA256) \
	X(0x00bd, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256",          CAM128_SHA256) \
	X(0x00be, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",          CAM128_SHA256) \
	X(0x00bf, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256",          CAM128_SHA256) \
	X(0x00c0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256",              CAM256_SHA256) \
	X(0x00c1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256",           CAM256_SHA256) \
	X(0x00c2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256",           CAM256_SHA256) \
	X(0x00c3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256",          CAM256_SHA256) \
	X(0x00c4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256",          CAM256_SHA256) \
	X(0x00c5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256",          CAM256_SHA256) \
	X(0xc002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA",                   RC4_128_SHA1) \
	X(0xc003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA",              DES3_SHA1) \
	X(0xc004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA",               CBC128_SHA1) \
	X(0xc005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA",               CBC256_SHA1) \
	X(0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",                  RC4_128_SHA1) \
	X(0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",             DES3_SHA1) \
	X(0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",              CBC128_SHA1) \
	X(0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",              CBC256_SHA1) \
	X(0xc00c, "TLS_ECDH_RSA_WITH_RC4_128_SHA",                     RC4_128_SHA1) \
	X(0xc00d, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA",                DES3_SHA1) \
	X(0xc00e, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA",                 CBC128_SHA1) \
	X(0xc00f, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA",                 CBC256_SHA1) \
	X(0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA",                    RC4_128_SHA1) \
	X(0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",               DES3_SHA1) \
	X(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",                CBC128_SHA1) \
	X(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",                CBC256_SHA1) \
	X(0xc016, "TLS_ECDH_anon_WITH_RC4_128_SHA",                    RC4_128_SHA1) \
	X(0xc017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA",               DES3_SHA1) \
	X(0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA",                CBC128_SHA1) \
	X(0xc019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",                CBC256_SHA1) \
	X(0xc01a, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA",                 DES3_SHA1) \
	X(0xc01b, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA",             DES3_SHA1) \
	X(0xc01c, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA",             DES3_SHA1) \
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
	X(0xc033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA",                    RC4_128_SHA1) \
	X(0xc034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA",               DES3_SHA1) \
	X(0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA",                CBC128_SHA1) \
	X(0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA",                CBC256_SHA1) \
	X(0xc037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",             CBC128_SHA256) \
	X(0xc038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384",             CBC256_SHA384) \
	X(0xc072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256",      CAM128_SHA256) \
	X(0xc073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384",      CAM256_SHA384) \
	X(0xc074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256",       CAM128_SHA256) \
	X(0xc075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384",       CAM256_SHA384) \
	X(0xc076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",        CAM128_SHA256) \
	X(0xc077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384",        CAM256_SHA384) \
	X(0xc078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256",         CAM128_SHA256) \
	X(0xc079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384",         CAM256_SHA384) \
	X(0xc094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256",              CAM128_SHA256) \
	X(0xc095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384",              CAM256_SHA384) \
	X(0xc096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256",          CAM128_SHA256) \
	X(0xc097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384",          CAM256_SHA384) \
	X(0xc098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256",          CAM128_SHA256) \
	X(0xc099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384",          CAM256_SHA384) \
	X(0xc09a, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256",        CAM128_SHA256) \
	X(0xc09b, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384",        CAM256_SHA384) \
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

#define SEQ_LEN 8u
/* seq_num (8) + type (1) + version (2) + length (2) */
#define MAC_HEADER_LEN 13u

/* The RC4 state lives in the keys as bytes, so that tls12_crypto.h (which
 * the engine includes) needs no wolfSSL header. */
_Static_assert(sizeof(Arc4) <= TD_TLS12_STREAM_STATE_MAX, "Arc4 does not fit td_tls12_keys.stream");

const struct td_tls12_suite *td_tls12_suite_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

/* The CBC block of a suite's cipher; 0 for AEAD and RC4. */
static size_t block_len(enum td_tls12_cipher c)
{
	switch (c) {
	case TD_TLS12_AES_CBC:
	case TD_TLS12_CAMELLIA_CBC:
		return 16;
	case TD_TLS12_3DES_EDE_CBC:
	case TD_TLS12_DES_CBC:
		return 8;
	case TD_TLS12_AES_GCM:
	case TD_TLS12_AES_CCM:
	case TD_TLS12_CHACHA20_POLY1305:
	case TD_TLS12_RC4:
		break;
	}
	return 0;
}

static bool is_cbc(enum td_tls12_cipher c)
{
	return block_len(c) != 0;
}

/* True when the suite exists in that version: AEAD suites and HMAC-SHA256/384
 * suites came with TLS 1.2 (RFC 5246 A.5, RFC 5288 4); the MD5 and SHA-1
 * ones go back to SSL 3.0 (as stacks offered them, Camellia and ECDHE
 * included).  Export suites are kept above TLS 1.0, although RFC 4346
 * A.5 forbids them there: OpenSSL 1.0.1 still negotiated them in TLS 1.2. */
static bool suite_in_version(const struct td_tls12_suite *s, uint16_t version)
{
	if (version < TD_VERSION_SSL3 || version > TD_VERSION_TLS12)
		return false;
	if (version == TD_VERSION_TLS12)
		return true;
	return s->mac == TD_TLS12_MAC_SHA1 || s->mac == TD_TLS12_MAC_MD5;
}

/* The IV the key block holds for this version: AEAD salt or IV; for CBC
 * only SSL 3.0's and TLS 1.0's (RFC 4346 6.3 dropped it, RFC 5246 6.3
 * keeps IVs for implicit nonces only; the export CBC suites derive it
 * from the randoms instead, with the same length); none for RC4. */
static size_t key_block_iv_len(const struct td_tls12_suite *s, uint16_t version)
{
	if (is_cbc(s->cipher))
		return version <= TD_VERSION_TLS10 ? s->fixed_iv_len : 0;
	return s->fixed_iv_len;
}

/* Start the RC4 keystream from k->key. */
static enum td_result stream_start(struct td_tls12_keys *k)
{
	Arc4 rc4;
	/* Zeroed so that its padding, copied into k->stream, is defined. */
	memset(&rc4, 0, sizeof rc4);
	int rc = wc_Arc4Init(&rc4, NULL, INVALID_DEVID);
	if (rc != 0)
		return TD_ERR_UNSUPPORTED;
	rc = wc_Arc4SetKey(&rc4, k->key, (word32)k->key_len);
	if (rc == 0)
		memcpy(k->stream, &rc4, sizeof rc4);
	wc_Arc4Free(&rc4);
	explicit_bzero(&rc4, sizeof rc4);
	return rc == 0 ? TD_OK : TD_ERR_UNSUPPORTED;
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

	size_t iv_len = key_block_iv_len(s, version);
	enum td_result rc = td_tls12_key_expand(k, s, version, iv_len, master, client_random,
						server_random, dir);
	if (rc == TD_OK) {
		k->version = version;
		k->suite = suite;
		/* RFC 7366 2: block ciphers only; it is a TLS extension. */
		k->encrypt_then_mac = encrypt_then_mac && is_cbc(s->cipher) && version != TD_VERSION_SSL3;
		k->mac_len = s->mac_len;
		k->key_len = s->key_len;
		k->iv_len = iv_len;
		k->seq = 0;
	}
	if (rc == TD_OK && s->cipher == TD_TLS12_RC4)
		rc = stream_start(k);
	if (rc != TD_OK)
		td_tls12_keys_cleanup(k);
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
	case TD_TLS12_MAC_MD5: return WC_MD5;
	case TD_TLS12_MAC_SHA1: return WC_SHA;
	case TD_TLS12_MAC_SHA256: return WC_SHA256;
	case TD_TLS12_MAC_SHA384: return WC_SHA384;
	case TD_TLS12_MAC_AEAD: break;
	}
	return WC_SHA256;
}

/* The record MAC at k->seq of a record of this type, version and
 * (authenticated) length over a | b (either may be empty): HMAC(mac_key,
 * seq | type | version | len | a | b), or in SSL 3.0 its own MAC over the
 * content a (SSL 3.0 has no encrypt_then_mac, so b is empty there).
 * 0 on success. */
static int record_mac(const struct td_tls12_keys *k, const struct td_tls12_suite *s,
		      uint8_t type, uint16_t version, size_t len, const uint8_t *a, size_t a_len,
		      const uint8_t *b, size_t b_len, uint8_t *mac)
{
	if (k->version == TD_VERSION_SSL3)
		return td_ssl3_mac(s->mac, k->mac_key, k->seq, type, a, a_len, mac) == TD_OK ? 0 : -1;
	uint8_t hdr[MAC_HEADER_LEN];
	record_header(hdr, k->seq, type, version, len);
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

/* CBC decryption of n whole blocks with the suite's cipher; 0 on success. */
static int cbc_decrypt(const struct td_tls12_keys *k, const struct td_tls12_suite *s,
		       const uint8_t *iv, const uint8_t *in, size_t n, uint8_t *out)
{
	int rc = -1;
	switch (s->cipher) {
	case TD_TLS12_AES_CBC: {
		Aes aes;
		rc = wc_AesInit(&aes, NULL, INVALID_DEVID);
		if (rc != 0)
			break;
		rc = wc_AesSetKey(&aes, k->key, (word32)k->key_len, iv, AES_DECRYPTION);
		if (rc == 0)
			rc = wc_AesCbcDecrypt(&aes, out, in, (word32)n);
		wc_AesFree(&aes);
		explicit_bzero(&aes, sizeof aes);
		break;
	}
	case TD_TLS12_CAMELLIA_CBC: {
		Camellia cam;
		rc = wc_CamelliaSetKey(&cam, k->key, (word32)k->key_len, iv);
		if (rc == 0)
			rc = wc_CamelliaCbcDecrypt(&cam, out, in, (word32)n);
		explicit_bzero(&cam, sizeof cam);
		break;
	}
	case TD_TLS12_3DES_EDE_CBC: {
		Des3 des3;
		rc = wc_Des3Init(&des3, NULL, INVALID_DEVID);
		if (rc != 0)
			break;
		rc = wc_Des3_SetKey(&des3, k->key, iv, DES_DECRYPTION);
		if (rc == 0)
			rc = wc_Des3_CbcDecrypt(&des3, out, in, (word32)n);
		wc_Des3Free(&des3);
		explicit_bzero(&des3, sizeof des3);
		break;
	}
	case TD_TLS12_DES_CBC: {
		Des des;
		rc = wc_Des_SetKey(&des, k->key, iv, DES_DECRYPTION);
		if (rc == 0)
			rc = wc_Des_CbcDecrypt(&des, out, in, (word32)n);
		explicit_bzero(&des, sizeof des);
		break;
	}
	case TD_TLS12_AES_GCM:
	case TD_TLS12_AES_CCM:
	case TD_TLS12_CHACHA20_POLY1305:
	case TD_TLS12_RC4:
		break;
	}
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
	size_t block = block_len(s->cipher);
	size_t record_iv_len = k->version >= TD_VERSION_TLS11 ? block : 0;
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
	if (!td_rd_done(r) || !ct || !tag || ct_len == 0 || ct_len % block != 0 ||
	    ct_len < inner_mac + 1)
		return TD_ERR_MALFORMED;
	if (ct_len > cap)
		return TD_ERR_USAGE;

	uint8_t mac[TD_TLS12_MAC_KEY_MAX];
	if (etm) {
		/* RFC 7366 3: authenticate the IV and ciphertext before decrypting. */
		int rc = record_mac(k, s, type, version, record_iv_len + ct_len, iv, record_iv_len,
				    ct, ct_len, mac);
		unsigned bad = rc != 0 || differ(mac, tag, k->mac_len) != 0;
		explicit_bzero(mac, sizeof mac);
		if (bad)
			return TD_ERR_MALFORMED;
	}
	if (cbc_decrypt(k, s, iv, ct, ct_len, out) != 0) {
		explicit_bzero(out, ct_len);
		return TD_ERR_MALFORMED;
	}

	/* padding: pad_len + 1 bytes, all equal to pad_len (RFC 5246
	 * 6.2.3.2; RFC 2246 6.2.3.2 says the same).  SSL 3.0 padding bytes
	 * are arbitrary: only pad_len is checked, below the block (RFC 6101
	 * 5.2.3.2). */
	bool ssl3 = k->version == TD_VERSION_SSL3;
	size_t pad = out[ct_len - 1];
	unsigned bad = 0;
	if (pad > ct_len - 1 - inner_mac || (ssl3 && pad >= block)) {
		bad = 1;
		pad = 0;
	}
	for (size_t i = 0; !ssl3 && i <= pad; i++)
		bad |= (unsigned)(out[ct_len - 1 - i] ^ pad);
	size_t content_len = ct_len - 1 - pad - inner_mac;
	if (!etm) {
		int rc = record_mac(k, s, type, version, content_len, out, content_len, NULL, 0, mac);
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
	if (k->version <= TD_VERSION_TLS10)
		memcpy(k->iv, ct + ct_len - block, block);
	*outlen = content_len;
	return TD_OK;
}

/* The RC4 record in r (after the header).  The keystream runs on a copy
 * of the state, kept only when the MAC authenticates: a record that
 * fails (a retransmission, a wrong direction) must not shift the stream
 * for the records after it. */
static enum td_result open_stream(struct td_tls12_keys *k, const struct td_tls12_suite *s,
				  uint8_t type, uint16_t version, struct td_reader *r,
				  uint8_t *out, size_t cap, size_t *outlen)
{
	size_t len = td_rd_left(r);
	const uint8_t *ct = td_rd_bytes(r, len);
	if (!td_rd_done(r) || !ct || len < k->mac_len)
		return TD_ERR_MALFORMED;
	if (len > cap)
		return TD_ERR_USAGE;
	/* A copy of the state needs no wc_Arc4Init/Free: no heap, no device. */
	Arc4 rc4;
	memcpy(&rc4, k->stream, sizeof rc4);
	int rc = wc_Arc4Process(&rc4, out, ct, (word32)len);
	size_t content_len = len - k->mac_len;
	uint8_t mac[TD_TLS12_MAC_KEY_MAX];
	if (rc == 0)
		rc = record_mac(k, s, type, version, content_len, out, content_len, NULL, 0, mac);
	unsigned bad = rc != 0 || differ(mac, out + content_len, k->mac_len) != 0;
	explicit_bzero(mac, sizeof mac);
	if (bad) {
		explicit_bzero(out, len);
		explicit_bzero(&rc4, sizeof rc4);
		return TD_ERR_MALFORMED;
	}
	explicit_bzero(out + content_len, k->mac_len);
	memcpy(k->stream, &rc4, sizeof rc4);
	explicit_bzero(&rc4, sizeof rc4);
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
	if (is_cbc(s->cipher))
		rc = open_cbc(k, s, type, version, &r, out, cap, outlen);
	else if (s->cipher == TD_TLS12_RC4)
		rc = open_stream(k, s, type, version, &r, out, cap, outlen);
	else
		rc = open_aead(k, s, type, version, &r, out, cap, outlen);
	if (rc == TD_OK)
		k->seq++;
	return rc;
}

static enum td_tls12_skip skip_kind(const struct td_tls12_keys *k,
				     const struct td_tls12_suite *s)
{
	if (!s || s->cipher == TD_TLS12_RC4)
		return TD_TLS12_SKIP_NEVER;
	return is_cbc(s->cipher) && k->version <= TD_VERSION_TLS10 ? TD_TLS12_SKIP_BYTES
								    : TD_TLS12_SKIP_FREE;
}

enum td_tls12_skip td_tls12_skip_kind(const struct td_tls12_keys *k)
{
	return skip_kind(k, td_tls12_suite_find(k->suite));
}

enum td_result td_tls12_skip(struct td_tls12_keys *k, const uint8_t *body, size_t len)
{
	const struct td_tls12_suite *s = td_tls12_suite_find(k->suite);
	enum td_tls12_skip kind = skip_kind(k, s);
	if (!s || kind == TD_TLS12_SKIP_NEVER)
		return TD_ERR_USAGE;
	if (kind == TD_TLS12_SKIP_BYTES) {
		/* The chained IV: the last ciphertext block, before the MAC
		 * with encrypt_then_mac (RFC 7366 3). */
		size_t block = block_len(s->cipher);
		size_t tail = k->encrypt_then_mac ? k->mac_len : 0;
		if (!body || len < tail + block || block > sizeof k->iv)
			return TD_ERR_USAGE;
		memcpy(k->iv, body + len - tail - block, block);
	}
	k->seq++;
	return TD_OK;
}
