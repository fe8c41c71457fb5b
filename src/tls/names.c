/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.c - IANA names for TLS code points (see tls_names.h).
 *
 * Registries: "Transport Layer Security (TLS) Parameters" and "TLS
 * Extensiontype Values" (IANA), RFC 8446 4.1.2-4.2 and B.3, RFC 5246
 * 7.4 and A.5, RFC 8422 5.1, RFC 8701 (GREASE).
 *
 * Every registry is one X-macro list of X(value, "name") lines; the
 * lookup is a switch generated from the list, so the compiler rejects a
 * value listed twice and picks the fastest search (jump table or binary
 * search).  A few non-IANA values that real stacks sent (TLS 1.3
 * drafts, Facebook's TLS 1.3 variants, Netscape FIPS and GM/T suites,
 * ChaCha20 draft suites, Chrome's application_settings and channel_id,
 * post-quantum draft groups) are listed because captures still carry
 * them; their names follow the stack that defined them.
 */
#include "config.h"

#include <stdio.h>

#include "tls_names.h"

/* ProtocolVersion (RFC 8446 4.1.2, draft-ietf-tls-tls13 for 0x7fNN). */
#define TD_VERSIONS(X) \
	X(0x0002, "SSL 2.0") \
	X(0x0300, "SSL 3.0") \
	X(0x0301, "TLS 1.0") \
	X(0x0302, "TLS 1.1") \
	X(0x0303, "TLS 1.2") \
	X(0x0304, "TLS 1.3") \
	X(0x7f0e, "TLS 1.3 draft 14") \
	X(0x7f0f, "TLS 1.3 draft 15") \
	X(0x7f10, "TLS 1.3 draft 16") \
	X(0x7f11, "TLS 1.3 draft 17") \
	X(0x7f12, "TLS 1.3 draft 18") \
	X(0x7f13, "TLS 1.3 draft 19") \
	X(0x7f14, "TLS 1.3 draft 20") \
	X(0x7f15, "TLS 1.3 draft 21") \
	X(0x7f16, "TLS 1.3 draft 22") \
	X(0x7f17, "TLS 1.3 draft 23") \
	X(0x7f18, "TLS 1.3 draft 24") \
	X(0x7f19, "TLS 1.3 draft 25") \
	X(0x7f1a, "TLS 1.3 draft 26") \
	X(0x7f1b, "TLS 1.3 draft 27") \
	X(0x7f1c, "TLS 1.3 draft 28") \
	X(0x7e01, "TLS 1.3 Google experiment 1") \
	X(0x7e02, "TLS 1.3 Google experiment 2") \
	X(0xfb17, "TLS 1.3 Facebook draft 23") \
	X(0xfb1a, "TLS 1.3 Facebook draft 26") \
	X(0xfefc, "DTLS 1.3") \
	X(0xfefd, "DTLS 1.2") \
	X(0xfeff, "DTLS 1.0")

/* CipherSuite (IANA TLS Cipher Suites, RFC 8446 B.4, RFC 5246 A.5 and
 * the RFCs they cite; SCSVs of RFC 5746 and RFC 7507). */
#define TD_CIPHERS(X) \
	X(0x0000, "TLS_NULL_WITH_NULL_NULL") \
	X(0x0001, "TLS_RSA_WITH_NULL_MD5") \
	X(0x0002, "TLS_RSA_WITH_NULL_SHA") \
	X(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5") \
	X(0x0004, "TLS_RSA_WITH_RC4_128_MD5") \
	X(0x0005, "TLS_RSA_WITH_RC4_128_SHA") \
	X(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5") \
	X(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA") \
	X(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA") \
	X(0x0009, "TLS_RSA_WITH_DES_CBC_SHA") \
	X(0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA") \
	X(0x000b, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA") \
	X(0x000c, "TLS_DH_DSS_WITH_DES_CBC_SHA") \
	X(0x000d, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA") \
	X(0x000e, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA") \
	X(0x000f, "TLS_DH_RSA_WITH_DES_CBC_SHA") \
	X(0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA") \
	X(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA") \
	X(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA") \
	X(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA") \
	X(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA") \
	X(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA") \
	X(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA") \
	X(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5") \
	X(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5") \
	X(0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA") \
	X(0x001a, "TLS_DH_anon_WITH_DES_CBC_SHA") \
	X(0x001b, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA") \
	X(0x001c, "SSL_FORTEZZA_KEA_WITH_NULL_SHA") \
	X(0x001d, "SSL_FORTEZZA_KEA_WITH_FORTEZZA_CBC_SHA") \
	X(0x001e, "TLS_KRB5_WITH_DES_CBC_SHA") \
	X(0x001f, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA") \
	X(0x0020, "TLS_KRB5_WITH_RC4_128_SHA") \
	X(0x0021, "TLS_KRB5_WITH_IDEA_CBC_SHA") \
	X(0x0022, "TLS_KRB5_WITH_DES_CBC_MD5") \
	X(0x0023, "TLS_KRB5_WITH_3DES_EDE_CBC_MD5") \
	X(0x0024, "TLS_KRB5_WITH_RC4_128_MD5") \
	X(0x0025, "TLS_KRB5_WITH_IDEA_CBC_MD5") \
	X(0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA") \
	X(0x0027, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA") \
	X(0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA") \
	X(0x0029, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5") \
	X(0x002a, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5") \
	X(0x002b, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5") \
	X(0x002c, "TLS_PSK_WITH_NULL_SHA") \
	X(0x002d, "TLS_DHE_PSK_WITH_NULL_SHA") \
	X(0x002e, "TLS_RSA_PSK_WITH_NULL_SHA") \
	X(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA") \
	X(0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA") \
	X(0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA") \
	X(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA") \
	X(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA") \
	X(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA") \
	X(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA") \
	X(0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA") \
	X(0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA") \
	X(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA") \
	X(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA") \
	X(0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA") \
	X(0x003b, "TLS_RSA_WITH_NULL_SHA256") \
	X(0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256") \
	X(0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256") \
	X(0x003e, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256") \
	X(0x003f, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256") \
	X(0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256") \
	X(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA") \
	X(0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA") \
	X(0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA") \
	X(0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA") \
	X(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA") \
	X(0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA") \
	X(0x0060, "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5") \
	X(0x0061, "TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5") \
	X(0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA") \
	X(0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA") \
	X(0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA") \
	X(0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA") \
	X(0x0066, "TLS_DHE_DSS_WITH_RC4_128_SHA") \
	X(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256") \
	X(0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256") \
	X(0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256") \
	X(0x006a, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256") \
	X(0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256") \
	X(0x006c, "TLS_DH_anon_WITH_AES_128_CBC_SHA256") \
	X(0x006d, "TLS_DH_anon_WITH_AES_256_CBC_SHA256") \
	X(0x0080, "TLS_GOSTR341094_WITH_28147_CNT_IMIT") \
	X(0x0081, "TLS_GOSTR341001_WITH_28147_CNT_IMIT") \
	X(0x0082, "TLS_GOSTR341094_WITH_NULL_GOSTR3411") \
	X(0x0083, "TLS_GOSTR341001_WITH_NULL_GOSTR3411") \
	X(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA") \
	X(0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA") \
	X(0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA") \
	X(0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA") \
	X(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA") \
	X(0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA") \
	X(0x008a, "TLS_PSK_WITH_RC4_128_SHA") \
	X(0x008b, "TLS_PSK_WITH_3DES_EDE_CBC_SHA") \
	X(0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA") \
	X(0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA") \
	X(0x008e, "TLS_DHE_PSK_WITH_RC4_128_SHA") \
	X(0x008f, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA") \
	X(0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA") \
	X(0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA") \
	X(0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA") \
	X(0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA") \
	X(0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA") \
	X(0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA") \
	X(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA") \
	X(0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA") \
	X(0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA") \
	X(0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA") \
	X(0x009a, "TLS_DHE_RSA_WITH_SEED_CBC_SHA") \
	X(0x009b, "TLS_DH_anon_WITH_SEED_CBC_SHA") \
	X(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256") \
	X(0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384") \
	X(0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256") \
	X(0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384") \
	X(0x00a0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256") \
	X(0x00a1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384") \
	X(0x00a2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256") \
	X(0x00a3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384") \
	X(0x00a4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256") \
	X(0x00a5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384") \
	X(0x00a6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256") \
	X(0x00a7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384") \
	X(0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256") \
	X(0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384") \
	X(0x00aa, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256") \
	X(0x00ab, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384") \
	X(0x00ac, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256") \
	X(0x00ad, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384") \
	X(0x00ae, "TLS_PSK_WITH_AES_128_CBC_SHA256") \
	X(0x00af, "TLS_PSK_WITH_AES_256_CBC_SHA384") \
	X(0x00b0, "TLS_PSK_WITH_NULL_SHA256") \
	X(0x00b1, "TLS_PSK_WITH_NULL_SHA384") \
	X(0x00b2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256") \
	X(0x00b3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384") \
	X(0x00b4, "TLS_DHE_PSK_WITH_NULL_SHA256") \
	X(0x00b5, "TLS_DHE_PSK_WITH_NULL_SHA384") \
	X(0x00b6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256") \
	X(0x00b7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384") \
	X(0x00b8, "TLS_RSA_PSK_WITH_NULL_SHA256") \
	X(0x00b9, "TLS_RSA_PSK_WITH_NULL_SHA384") \
	X(0x00ba, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0x00bb, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0x00bc, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0x00bd, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0x00be, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0x00bf, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0x00c0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256") \
	X(0x00c1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256") \
	X(0x00c2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256") \
	X(0x00c3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256") \
	X(0x00c4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256") \
	X(0x00c5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256") \
	X(0x00c6, "TLS_SM4_GCM_SM3") \
	X(0x00c7, "TLS_SM4_CCM_SM3") \
	X(0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV") \
	X(0x1301, "TLS_AES_128_GCM_SHA256") \
	X(0x1302, "TLS_AES_256_GCM_SHA384") \
	X(0x1303, "TLS_CHACHA20_POLY1305_SHA256") \
	X(0x1304, "TLS_AES_128_CCM_SHA256") \
	X(0x1305, "TLS_AES_128_CCM_8_SHA256") \
	X(0x1306, "TLS_AEGIS_256_SHA512") \
	X(0x1307, "TLS_AEGIS_128L_SHA256") \
	X(0x5600, "TLS_FALLBACK_SCSV") \
	X(0xc001, "TLS_ECDH_ECDSA_WITH_NULL_SHA") \
	X(0xc002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA") \
	X(0xc003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA") \
	X(0xc004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA") \
	X(0xc005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA") \
	X(0xc006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA") \
	X(0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA") \
	X(0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA") \
	X(0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA") \
	X(0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA") \
	X(0xc00b, "TLS_ECDH_RSA_WITH_NULL_SHA") \
	X(0xc00c, "TLS_ECDH_RSA_WITH_RC4_128_SHA") \
	X(0xc00d, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA") \
	X(0xc00e, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA") \
	X(0xc00f, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA") \
	X(0xc010, "TLS_ECDHE_RSA_WITH_NULL_SHA") \
	X(0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA") \
	X(0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA") \
	X(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA") \
	X(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA") \
	X(0xc015, "TLS_ECDH_anon_WITH_NULL_SHA") \
	X(0xc016, "TLS_ECDH_anon_WITH_RC4_128_SHA") \
	X(0xc017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA") \
	X(0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA") \
	X(0xc019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA") \
	X(0xc01a, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA") \
	X(0xc01b, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA") \
	X(0xc01c, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA") \
	X(0xc01d, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA") \
	X(0xc01e, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA") \
	X(0xc01f, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA") \
	X(0xc020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA") \
	X(0xc021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA") \
	X(0xc022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA") \
	X(0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256") \
	X(0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384") \
	X(0xc025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256") \
	X(0xc026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384") \
	X(0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256") \
	X(0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384") \
	X(0xc029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256") \
	X(0xc02a, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384") \
	X(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") \
	X(0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384") \
	X(0xc02d, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256") \
	X(0xc02e, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384") \
	X(0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") \
	X(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384") \
	X(0xc031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256") \
	X(0xc032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384") \
	X(0xc033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA") \
	X(0xc034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA") \
	X(0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA") \
	X(0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA") \
	X(0xc037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256") \
	X(0xc038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384") \
	X(0xc039, "TLS_ECDHE_PSK_WITH_NULL_SHA") \
	X(0xc03a, "TLS_ECDHE_PSK_WITH_NULL_SHA256") \
	X(0xc03b, "TLS_ECDHE_PSK_WITH_NULL_SHA384") \
	X(0xc03c, "TLS_RSA_WITH_ARIA_128_CBC_SHA256") \
	X(0xc03d, "TLS_RSA_WITH_ARIA_256_CBC_SHA384") \
	X(0xc03e, "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256") \
	X(0xc03f, "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384") \
	X(0xc040, "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256") \
	X(0xc041, "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384") \
	X(0xc042, "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256") \
	X(0xc043, "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384") \
	X(0xc044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256") \
	X(0xc045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384") \
	X(0xc046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256") \
	X(0xc047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384") \
	X(0xc048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256") \
	X(0xc049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384") \
	X(0xc04a, "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256") \
	X(0xc04b, "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384") \
	X(0xc04c, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256") \
	X(0xc04d, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384") \
	X(0xc04e, "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256") \
	X(0xc04f, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384") \
	X(0xc050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256") \
	X(0xc051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384") \
	X(0xc052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256") \
	X(0xc053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384") \
	X(0xc054, "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256") \
	X(0xc055, "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384") \
	X(0xc056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256") \
	X(0xc057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384") \
	X(0xc058, "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256") \
	X(0xc059, "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384") \
	X(0xc05a, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256") \
	X(0xc05b, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384") \
	X(0xc05c, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256") \
	X(0xc05d, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384") \
	X(0xc05e, "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256") \
	X(0xc05f, "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384") \
	X(0xc060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256") \
	X(0xc061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384") \
	X(0xc062, "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256") \
	X(0xc063, "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384") \
	X(0xc064, "TLS_PSK_WITH_ARIA_128_CBC_SHA256") \
	X(0xc065, "TLS_PSK_WITH_ARIA_256_CBC_SHA384") \
	X(0xc066, "TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256") \
	X(0xc067, "TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384") \
	X(0xc068, "TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256") \
	X(0xc069, "TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384") \
	X(0xc06a, "TLS_PSK_WITH_ARIA_128_GCM_SHA256") \
	X(0xc06b, "TLS_PSK_WITH_ARIA_256_GCM_SHA384") \
	X(0xc06c, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256") \
	X(0xc06d, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384") \
	X(0xc06e, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256") \
	X(0xc06f, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384") \
	X(0xc070, "TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256") \
	X(0xc071, "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384") \
	X(0xc072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0xc073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384") \
	X(0xc074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0xc075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384") \
	X(0xc076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0xc077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384") \
	X(0xc078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0xc079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384") \
	X(0xc07a, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc07b, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc07c, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc07d, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc07e, "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc07f, "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc082, "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc083, "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc088, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc089, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc08a, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc08b, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc08c, "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc08d, "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc08e, "TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc08f, "TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc090, "TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc091, "TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc092, "TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256") \
	X(0xc093, "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384") \
	X(0xc094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0xc095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384") \
	X(0xc096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0xc097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384") \
	X(0xc098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0xc099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384") \
	X(0xc09a, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256") \
	X(0xc09b, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384") \
	X(0xc09c, "TLS_RSA_WITH_AES_128_CCM") \
	X(0xc09d, "TLS_RSA_WITH_AES_256_CCM") \
	X(0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM") \
	X(0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM") \
	X(0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8") \
	X(0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8") \
	X(0xc0a2, "TLS_DHE_RSA_WITH_AES_128_CCM_8") \
	X(0xc0a3, "TLS_DHE_RSA_WITH_AES_256_CCM_8") \
	X(0xc0a4, "TLS_PSK_WITH_AES_128_CCM") \
	X(0xc0a5, "TLS_PSK_WITH_AES_256_CCM") \
	X(0xc0a6, "TLS_DHE_PSK_WITH_AES_128_CCM") \
	X(0xc0a7, "TLS_DHE_PSK_WITH_AES_256_CCM") \
	X(0xc0a8, "TLS_PSK_WITH_AES_128_CCM_8") \
	X(0xc0a9, "TLS_PSK_WITH_AES_256_CCM_8") \
	X(0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8") \
	X(0xc0ab, "TLS_PSK_DHE_WITH_AES_256_CCM_8") \
	X(0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM") \
	X(0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM") \
	X(0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8") \
	X(0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8") \
	X(0xc0b0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256") \
	X(0xc0b1, "TLS_ECCPWD_WITH_AES_256_GCM_SHA384") \
	X(0xc0b2, "TLS_ECCPWD_WITH_AES_128_CCM_SHA256") \
	X(0xc0b3, "TLS_ECCPWD_WITH_AES_256_CCM_SHA384") \
	X(0xc0b4, "TLS_SHA256_SHA256") \
	X(0xc0b5, "TLS_SHA384_SHA384") \
	X(0xc0ff, "TLS_ECJPAKE_WITH_AES_128_CCM_8") \
	X(0xc100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC") \
	X(0xc101, "TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC") \
	X(0xc102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT") \
	X(0xc103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L") \
	X(0xc104, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_L") \
	X(0xc105, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S") \
	X(0xc106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S") \
	X(0xcc13, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD") \
	X(0xcc14, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD") \
	X(0xcc15, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD") \
	X(0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256") \
	X(0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256") \
	X(0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256") \
	X(0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256") \
	X(0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256") \
	X(0xccad, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256") \
	X(0xccae, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256") \
	X(0xd001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256") \
	X(0xd002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384") \
	X(0xd003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256") \
	X(0xd005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256") \
	X(0xe001, "ECDHE_SM1_SM3") \
	X(0xe003, "ECC_SM1_SM3") \
	X(0xe005, "IBSDH_SM1_SM3") \
	X(0xe007, "IBC_SM1_SM3") \
	X(0xe009, "RSA_SM1_SM3") \
	X(0xe00a, "RSA_SM1_SHA1") \
	X(0xe011, "ECDHE_SM4_CBC_SM3") \
	X(0xe013, "ECC_SM4_CBC_SM3") \
	X(0xe015, "IBSDH_SM4_CBC_SM3") \
	X(0xe017, "IBC_SM4_CBC_SM3") \
	X(0xe019, "RSA_SM4_CBC_SM3") \
	X(0xe01a, "RSA_SM4_CBC_SHA1") \
	X(0xe01c, "RSA_SM4_CBC_SHA256") \
	X(0xe051, "ECDHE_SM4_GCM_SM3") \
	X(0xe053, "ECC_SM4_GCM_SM3") \
	X(0xe055, "IBSDH_SM4_GCM_SM3") \
	X(0xe057, "IBC_SM4_GCM_SM3") \
	X(0xe059, "RSA_SM4_GCM_SM3") \
	X(0xe05a, "RSA_SM4_GCM_SHA256") \
	X(0xe410, "TLS_RSA_WITH_ESTREAM_SALSA20_SHA1") \
	X(0xe411, "TLS_RSA_WITH_SALSA20_SHA1") \
	X(0xe412, "TLS_ECDHE_RSA_WITH_ESTREAM_SALSA20_SHA1") \
	X(0xe413, "TLS_ECDHE_RSA_WITH_SALSA20_SHA1") \
	X(0xe414, "TLS_ECDHE_ECDSA_WITH_ESTREAM_SALSA20_SHA1") \
	X(0xe415, "TLS_ECDHE_ECDSA_WITH_SALSA20_SHA1") \
	X(0xe416, "TLS_PSK_WITH_ESTREAM_SALSA20_SHA1") \
	X(0xe417, "TLS_PSK_WITH_SALSA20_SHA1") \
	X(0xe418, "TLS_ECDHE_PSK_WITH_ESTREAM_SALSA20_SHA1") \
	X(0xe419, "TLS_ECDHE_PSK_WITH_SALSA20_SHA1") \
	X(0xe41a, "TLS_RSA_PSK_WITH_ESTREAM_SALSA20_SHA1") \
	X(0xe41b, "TLS_RSA_PSK_WITH_SALSA20_SHA1") \
	X(0xe41c, "TLS_DHE_PSK_WITH_ESTREAM_SALSA20_SHA1") \
	X(0xe41d, "TLS_DHE_PSK_WITH_SALSA20_SHA1") \
	X(0xe41e, "TLS_DHE_RSA_WITH_ESTREAM_SALSA20_SHA1") \
	X(0xe41f, "TLS_DHE_RSA_WITH_SALSA20_SHA1") \
	X(0xfefe, "SSL_RSA_FIPS_WITH_DES_CBC_SHA") \
	X(0xfeff, "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA") \
	X(0xffe0, "SSL_RSA_OLDFIPS_WITH_3DES_EDE_CBC_SHA") \
	X(0xffe1, "SSL_RSA_OLDFIPS_WITH_DES_CBC_SHA")

/* NamedGroup (RFC 8446 4.2.7, RFC 8422 5.1.1, RFC 7919, RFC 8734,
 * RFC 9189, draft-ietf-tls-ecdhe-mlkem, draft-tls-westerbaan-xyber768d00). */
#define TD_GROUPS(X) \
	X(0x0001, "sect163k1") \
	X(0x0002, "sect163r1") \
	X(0x0003, "sect163r2") \
	X(0x0004, "sect193r1") \
	X(0x0005, "sect193r2") \
	X(0x0006, "sect233k1") \
	X(0x0007, "sect233r1") \
	X(0x0008, "sect239k1") \
	X(0x0009, "sect283k1") \
	X(0x000a, "sect283r1") \
	X(0x000b, "sect409k1") \
	X(0x000c, "sect409r1") \
	X(0x000d, "sect571k1") \
	X(0x000e, "sect571r1") \
	X(0x000f, "secp160k1") \
	X(0x0010, "secp160r1") \
	X(0x0011, "secp160r2") \
	X(0x0012, "secp192k1") \
	X(0x0013, "secp192r1") \
	X(0x0014, "secp224k1") \
	X(0x0015, "secp224r1") \
	X(0x0016, "secp256k1") \
	X(0x0017, "secp256r1") \
	X(0x0018, "secp384r1") \
	X(0x0019, "secp521r1") \
	X(0x001a, "brainpoolP256r1") \
	X(0x001b, "brainpoolP384r1") \
	X(0x001c, "brainpoolP512r1") \
	X(0x001d, "x25519") \
	X(0x001e, "x448") \
	X(0x001f, "brainpoolP256r1tls13") \
	X(0x0020, "brainpoolP384r1tls13") \
	X(0x0021, "brainpoolP512r1tls13") \
	X(0x0022, "GC256A") \
	X(0x0023, "GC256B") \
	X(0x0024, "GC256C") \
	X(0x0025, "GC256D") \
	X(0x0026, "GC512A") \
	X(0x0027, "GC512B") \
	X(0x0028, "GC512C") \
	X(0x0029, "curveSM2") \
	X(0x0100, "ffdhe2048") \
	X(0x0101, "ffdhe3072") \
	X(0x0102, "ffdhe4096") \
	X(0x0103, "ffdhe6144") \
	X(0x0104, "ffdhe8192") \
	X(0x0200, "MLKEM512") \
	X(0x0201, "MLKEM768") \
	X(0x0202, "MLKEM1024") \
	X(0x11eb, "SecP256r1MLKEM768") \
	X(0x11ec, "X25519MLKEM768") \
	X(0x11ed, "SecP384r1MLKEM1024") \
	X(0x6399, "X25519Kyber768Draft00") \
	X(0x639a, "SecP256r1Kyber768Draft00") \
	X(0xfe30, "X25519Kyber512Draft00") \
	X(0xfe31, "X25519Kyber768Draft00Old") \
	X(0xff01, "arbitrary_explicit_prime_curves") \
	X(0xff02, "arbitrary_explicit_char2_curves")

/* SignatureScheme (RFC 8446 4.2.3) and the TLS 1.2 HashAlgorithm x
 * SignatureAlgorithm pairs it left as legacy (RFC 5246 7.4.1.4.1), named
 * the OpenSSL way. */
#define TD_SIGALGS(X) \
	X(0x0101, "rsa_md5") \
	X(0x0102, "dsa_md5") \
	X(0x0103, "ecdsa_md5") \
	X(0x0201, "rsa_pkcs1_sha1") \
	X(0x0202, "dsa_sha1") \
	X(0x0203, "ecdsa_sha1") \
	X(0x0301, "rsa_sha224") \
	X(0x0302, "dsa_sha224") \
	X(0x0303, "ecdsa_sha224") \
	X(0x0401, "rsa_pkcs1_sha256") \
	X(0x0402, "dsa_sha256") \
	X(0x0403, "ecdsa_secp256r1_sha256") \
	X(0x0420, "rsa_pkcs1_sha256_legacy") \
	X(0x0501, "rsa_pkcs1_sha384") \
	X(0x0502, "dsa_sha384") \
	X(0x0503, "ecdsa_secp384r1_sha384") \
	X(0x0520, "rsa_pkcs1_sha384_legacy") \
	X(0x0601, "rsa_pkcs1_sha512") \
	X(0x0602, "dsa_sha512") \
	X(0x0603, "ecdsa_secp521r1_sha512") \
	X(0x0620, "rsa_pkcs1_sha512_legacy") \
	X(0x0704, "eccsi_sha256") \
	X(0x0705, "iso_ibs1") \
	X(0x0706, "iso_ibs2") \
	X(0x0707, "iso_chinese_ibs") \
	X(0x0708, "sm2sig_sm3") \
	X(0x0709, "gostr34102012_256a") \
	X(0x070a, "gostr34102012_256b") \
	X(0x070b, "gostr34102012_256c") \
	X(0x070c, "gostr34102012_256d") \
	X(0x070d, "gostr34102012_512a") \
	X(0x070e, "gostr34102012_512b") \
	X(0x070f, "gostr34102012_512c") \
	X(0x0804, "rsa_pss_rsae_sha256") \
	X(0x0805, "rsa_pss_rsae_sha384") \
	X(0x0806, "rsa_pss_rsae_sha512") \
	X(0x0807, "ed25519") \
	X(0x0808, "ed448") \
	X(0x0809, "rsa_pss_pss_sha256") \
	X(0x080a, "rsa_pss_pss_sha384") \
	X(0x080b, "rsa_pss_pss_sha512") \
	X(0x081a, "ecdsa_brainpoolP256r1tls13_sha256") \
	X(0x081b, "ecdsa_brainpoolP384r1tls13_sha384") \
	X(0x081c, "ecdsa_brainpoolP512r1tls13_sha512") \
	X(0x0904, "mldsa44") \
	X(0x0905, "mldsa65") \
	X(0x0906, "mldsa87")

/* ExtensionType (IANA TLS ExtensionType Values, RFC 8446 4.2). */
#define TD_EXTENSIONS(X) \
	X(0, "server_name") \
	X(1, "max_fragment_length") \
	X(2, "client_certificate_url") \
	X(3, "trusted_ca_keys") \
	X(4, "truncated_hmac") \
	X(5, "status_request") \
	X(6, "user_mapping") \
	X(7, "client_authz") \
	X(8, "server_authz") \
	X(9, "cert_type") \
	X(10, "supported_groups") \
	X(11, "ec_point_formats") \
	X(12, "srp") \
	X(13, "signature_algorithms") \
	X(14, "use_srtp") \
	X(15, "heartbeat") \
	X(16, "application_layer_protocol_negotiation") \
	X(17, "status_request_v2") \
	X(18, "signed_certificate_timestamp") \
	X(19, "client_certificate_type") \
	X(20, "server_certificate_type") \
	X(21, "padding") \
	X(22, "encrypt_then_mac") \
	X(23, "extended_master_secret") \
	X(24, "token_binding") \
	X(25, "cached_info") \
	X(26, "tls_lts") \
	X(27, "compress_certificate") \
	X(28, "record_size_limit") \
	X(29, "pwd_protect") \
	X(30, "pwd_clear") \
	X(31, "password_salt") \
	X(32, "ticket_pinning") \
	X(33, "tls_cert_with_extern_psk") \
	X(34, "delegated_credential") \
	X(35, "session_ticket") \
	X(36, "TLMSP") \
	X(37, "TLMSP_proxying") \
	X(38, "TLMSP_delegate") \
	X(39, "supported_ekt_ciphers") \
	X(40, "key_share_old") \
	X(41, "pre_shared_key") \
	X(42, "early_data") \
	X(43, "supported_versions") \
	X(44, "cookie") \
	X(45, "psk_key_exchange_modes") \
	X(46, "ticket_early_data_info") \
	X(47, "certificate_authorities") \
	X(48, "oid_filters") \
	X(49, "post_handshake_auth") \
	X(50, "signature_algorithms_cert") \
	X(51, "key_share") \
	X(52, "transparency_info") \
	X(53, "connection_id_deprecated") \
	X(54, "connection_id") \
	X(55, "external_id_hash") \
	X(56, "external_session_id") \
	X(57, "quic_transport_parameters") \
	X(58, "ticket_request") \
	X(59, "dnssec_chain") \
	X(60, "sequence_number_encryption_algorithms") \
	X(61, "rrc") \
	X(62, "tls_flags") \
	X(13172, "next_protocol_negotiation") \
	X(17513, "application_settings") \
	X(17613, "application_settings") \
	X(30031, "channel_id_old") \
	X(30032, "channel_id") \
	X(0xfd00, "ech_outer_extensions") \
	X(0xfe0d, "encrypted_client_hello") \
	X(0xff01, "renegotiation_info") \
	X(0xffa5, "quic_transport_parameters_draft") \
	X(0xffce, "encrypted_server_name")

/* AlertDescription (RFC 8446 6, RFC 5246 7.2, RFC 6101 5.4.2). */
#define TD_ALERTS(X) \
	X(0, "close_notify") \
	X(10, "unexpected_message") \
	X(20, "bad_record_mac") \
	X(21, "decryption_failed") \
	X(22, "record_overflow") \
	X(30, "decompression_failure") \
	X(40, "handshake_failure") \
	X(41, "no_certificate") \
	X(42, "bad_certificate") \
	X(43, "unsupported_certificate") \
	X(44, "certificate_revoked") \
	X(45, "certificate_expired") \
	X(46, "certificate_unknown") \
	X(47, "illegal_parameter") \
	X(48, "unknown_ca") \
	X(49, "access_denied") \
	X(50, "decode_error") \
	X(51, "decrypt_error") \
	X(60, "export_restriction") \
	X(70, "protocol_version") \
	X(71, "insufficient_security") \
	X(80, "internal_error") \
	X(86, "inappropriate_fallback") \
	X(90, "user_canceled") \
	X(100, "no_renegotiation") \
	X(109, "missing_extension") \
	X(110, "unsupported_extension") \
	X(111, "certificate_unobtainable") \
	X(112, "unrecognized_name") \
	X(113, "bad_certificate_status_response") \
	X(114, "bad_certificate_hash_value") \
	X(115, "unknown_psk_identity") \
	X(116, "certificate_required") \
	X(120, "no_application_protocol") \
	X(121, "ech_required")

/* AlertLevel (RFC 5246 7.2). */
#define TD_ALERT_LEVELS(X) \
	X(1, "warning") \
	X(2, "fatal")

/* HandshakeType (RFC 8446 4, RFC 5246 7.4, IANA; 67 is NPN's
 * next_protocol from draft-agl-tls-nextprotoneg). */
#define TD_HANDSHAKES(X) \
	X(0, "hello_request") \
	X(1, "client_hello") \
	X(2, "server_hello") \
	X(3, "hello_verify_request") \
	X(4, "new_session_ticket") \
	X(5, "end_of_early_data") \
	X(6, "hello_retry_request") \
	X(8, "encrypted_extensions") \
	X(9, "request_connection_id") \
	X(10, "new_connection_id") \
	X(11, "certificate") \
	X(12, "server_key_exchange") \
	X(13, "certificate_request") \
	X(14, "server_hello_done") \
	X(15, "certificate_verify") \
	X(16, "client_key_exchange") \
	X(17, "client_certificate_request") \
	X(20, "finished") \
	X(21, "certificate_url") \
	X(22, "certificate_status") \
	X(23, "supplemental_data") \
	X(24, "key_update") \
	X(25, "compressed_certificate") \
	X(26, "ekt_key") \
	X(67, "next_protocol") \
	X(254, "message_hash")

/* ContentType (RFC 8446 5.1, RFC 6520, RFC 9146, RFC 9147). */
#define TD_CONTENT_TYPES(X) \
	X(20, "change_cipher_spec") \
	X(21, "alert") \
	X(22, "handshake") \
	X(23, "application_data") \
	X(24, "heartbeat") \
	X(25, "tls12_cid") \
	X(26, "ack")

/* ClientCertificateType (RFC 5246 7.4.4, RFC 8422 5.5, RFC 9189). */
#define TD_CERT_TYPES(X) \
	X(1, "rsa_sign") \
	X(2, "dss_sign") \
	X(3, "rsa_fixed_dh") \
	X(4, "dss_fixed_dh") \
	X(5, "rsa_ephemeral_dh") \
	X(6, "dss_ephemeral_dh") \
	X(20, "fortezza_dms") \
	X(64, "ecdsa_sign") \
	X(65, "rsa_fixed_ecdh") \
	X(66, "ecdsa_fixed_ecdh") \
	X(67, "gost_sign256") \
	X(68, "gost_sign512")

/* One lookup function per registry: a switch over its list. */
#define TD_CASE(value, name) case value: return name;
#define TD_LOOKUP_FN(fn, list) \
	static const char *fn(uint16_t v) \
	{ \
		switch (v) { \
		list(TD_CASE) \
		default: \
			return NULL; \
		} \
	}

TD_LOOKUP_FN(version_name, TD_VERSIONS)
TD_LOOKUP_FN(cipher_name, TD_CIPHERS)
TD_LOOKUP_FN(group_name, TD_GROUPS)
TD_LOOKUP_FN(sigalg_name, TD_SIGALGS)
TD_LOOKUP_FN(extension_name, TD_EXTENSIONS)
TD_LOOKUP_FN(alert_name, TD_ALERTS)
TD_LOOKUP_FN(alert_level_name, TD_ALERT_LEVELS)
TD_LOOKUP_FN(handshake_name, TD_HANDSHAKES)
TD_LOOKUP_FN(content_type_name, TD_CONTENT_TYPES)
TD_LOOKUP_FN(cert_type_name, TD_CERT_TYPES)

bool td_tls_is_grease(uint16_t value)
{
	/* RFC 8701 2: 0x0A0A, 0x1A1A, ..., 0xFAFA. */
	return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

/* Registries whose code points are 16 bits wide and can carry GREASE. */
static bool reg_has_grease(enum td_tls_registry reg)
{
	switch (reg) {
	case TD_REG_VERSION:
	case TD_REG_CIPHER:
	case TD_REG_GROUP:
	case TD_REG_SIGALG:
	case TD_REG_EXTENSION:
		return true;
	case TD_REG_ALERT:
	case TD_REG_ALERT_LEVEL:
	case TD_REG_HANDSHAKE:
	case TD_REG_CONTENT_TYPE:
	case TD_REG_CERT_TYPE:
		break;
	}
	return false;
}

const char *td_tls_lookup(enum td_tls_registry reg, uint16_t value)
{
	if (reg_has_grease(reg) && td_tls_is_grease(value))
		return "GREASE";
	switch (reg) {
	case TD_REG_VERSION: return version_name(value);
	case TD_REG_CIPHER: return cipher_name(value);
	case TD_REG_GROUP: return group_name(value);
	case TD_REG_SIGALG: return sigalg_name(value);
	case TD_REG_EXTENSION: return extension_name(value);
	case TD_REG_ALERT: return alert_name(value);
	case TD_REG_ALERT_LEVEL: return alert_level_name(value);
	case TD_REG_HANDSHAKE: return handshake_name(value);
	case TD_REG_CONTENT_TYPE: return content_type_name(value);
	case TD_REG_CERT_TYPE: return cert_type_name(value);
	}
	return NULL;
}

const char *td_tls_name(enum td_tls_registry reg, uint16_t value, char *buf, size_t buflen)
{
	const char *name = td_tls_lookup(reg, value);
	if (name)
		return name;
	if (!buf || buflen == 0)
		return "?";
	/* Wide code points read best in hex (that is how the RFCs list
	 * them); the one-byte registries are listed in decimal. */
	if (reg_has_grease(reg))
		snprintf(buf, buflen, "0x%04x", (unsigned)value);
	else
		snprintf(buf, buflen, "%u", (unsigned)value);
	return buf;
}

bool td_tls_version_is_13(uint16_t version)
{
	return version == TD_VERSION_TLS13 ||
	       (version & 0xff00) == 0x7f00 ||   /* IETF drafts */
	       (version & 0xfff0) == 0x7e00 ||   /* Google experiments */
	       version == 0xfb17 || version == 0xfb1a; /* Facebook */
}

void td_tls_message_name(char *buf, size_t len, uint8_t type)
{
	if (len == 0)
		return;
	const char *n = td_tls_lookup(TD_REG_HANDSHAKE, type);
	if (!n) {
		snprintf(buf, len, "handshake message %u", (unsigned)type);
		return;
	}
	size_t o = 0;
	bool up = true;
	for (size_t i = 0; n[i] && o + 1 < len; i++) {
		if (n[i] == '_') {
			up = true;
			continue;
		}
		char ch = n[i];
		if (up && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		buf[o++] = ch;
		up = false;
	}
	buf[o] = '\0';
}
