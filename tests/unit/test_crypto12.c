/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_crypto12.c - TLS 1.0-1.2 key block and record decryption
 * (tls12_crypto.h).
 *
 * Vectors:
 *  - PRF: the TLS 1.2 P_SHA256 and P_SHA384 vectors posted to the IETF TLS
 *    list (secret 9bbe436b..., label "test label", 100 and 148 bytes),
 *    widely reused by TLS stacks' self-tests; the TLS 1.0 MD5 xor SHA-1
 *    PRF on the same inputs and the key blocks below were computed
 *    independently with Python's hmac/hashlib (RFC 2246 5, RFC 5246 5).
 *  - Records: real traffic captured on loopback with tcpdump between
 *    OpenSSL 3.0.19 s_server (lab server.crt) and s_client -keylogfile,
 *    one connection per suite, forced with -tls1_2/-tls1_1/-tls1 -cipher
 *    (and -no_etm for MAC-then-encrypt; OpenSSL negotiates
 *    encrypt_then_mac for CBC by default): the client sends "hi\n" and
 *    close_notify, the server "srv\n".  Each entry holds the master
 *    secret (the CLIENT_RANDOM line), the randoms, the client's Finished
 *    and "hi\n" records (sequence 0 and 1) and the server's Finished;
 *    the expected plaintexts are what tshark 4.0.17 shows with
 *    -o tls.keylog_file (the Finished: 14 00 00 0c + verify_data).
 *    In TLS 1.0 OpenSSL sends an empty record before each CBC application
 *    data record (the BEAST countermeasure), so the IV chain is tested
 *    through an empty record in both directions (the server's "srv\n").
 *  - CBC padding and the empty AES-GCM record: built here with wolfSSL
 *    (tlsdiag itself only decrypts), because a MAC-valid record with bad
 *    padding never appears on the wire from a working peer.
 */
#include "config.h"

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/hmac.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keylog.h"
#include "tests.h"
#include "tls12_crypto.h"
#include "tls_names.h"

/* ---- suites ---- */

struct suite_vec {
	uint16_t id;
	enum td_tls12_cipher cipher;
	size_t key_len, mac_len, fixed_iv_len, explicit_nonce_len, tag_len;
	enum td_tls12_prf prf;
};

static void test_suites(void)
{
	static const struct suite_vec v[] = {
		{ 0xc02f, TD_TLS12_AES_GCM, 16, 0, 4, 8, 16, TD_TLS12_PRF_SHA256 },
		{ 0x009d, TD_TLS12_AES_GCM, 32, 0, 4, 8, 16, TD_TLS12_PRF_SHA384 },
		{ 0xcca9, TD_TLS12_CHACHA20_POLY1305, 32, 0, 12, 0, 16, TD_TLS12_PRF_SHA256 },
		{ 0xc0ae, TD_TLS12_AES_CCM, 16, 0, 4, 8, 8, TD_TLS12_PRF_SHA256 },
		{ 0x0035, TD_TLS12_AES_CBC, 32, 20, 16, 16, 0, TD_TLS12_PRF_SHA256 },
		{ 0x003c, TD_TLS12_AES_CBC, 16, 32, 16, 16, 0, TD_TLS12_PRF_SHA256 },
		{ 0xc024, TD_TLS12_AES_CBC, 32, 48, 16, 16, 0, TD_TLS12_PRF_SHA384 },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const struct td_tls12_suite *s = td_tls12_suite_find(v[i].id);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(s->cipher, v[i].cipher);
		CU_ASSERT_EQUAL(s->key_len, v[i].key_len);
		CU_ASSERT_EQUAL(s->mac_len, v[i].mac_len);
		CU_ASSERT_EQUAL(s->fixed_iv_len, v[i].fixed_iv_len);
		CU_ASSERT_EQUAL(s->explicit_nonce_len, v[i].explicit_nonce_len);
		CU_ASSERT_EQUAL(s->tag_len, v[i].tag_len);
		CU_ASSERT_EQUAL(s->prf, v[i].prf);
	}
	CU_ASSERT_STRING_EQUAL(td_tls12_suite_find(0xc02f)->name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");

	/* Not decryptable: NULL, RC2, IDEA, SEED, ARIA-GCM, Camellia-GCM, the
	 * ChaCha20 draft, TLS 1.3 suites, SCSVs, GREASE.  (RC4, 3DES, DES and
	 * Camellia-CBC: test_crypto_legacy.c.) */
	static const uint16_t unknown[] = { 0x0000, 0x0002, 0x0006, 0x0007, 0x0096, 0xc07a,
					    0xc050, 0xcc13, 0x1301, 0x1303, 0x00ff, 0x5600, 0x0a0a };
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
		CU_ASSERT_PTR_NULL(td_tls12_suite_find(unknown[i]));

	/* The PRF a connection uses. */
	const struct td_tls12_suite *s = td_tls12_suite_find(0xc028);
	CU_ASSERT_EQUAL(td_tls12_prf_for(0x0303, s), TD_TLS12_PRF_SHA384);
	CU_ASSERT_EQUAL(td_tls12_prf_for(0x0302, s), TD_TLS12_PRF_MD5_SHA1);
	CU_ASSERT_EQUAL(td_tls12_prf_for(0x0301, td_tls12_suite_find(0x002f)), TD_TLS12_PRF_MD5_SHA1);
	CU_ASSERT_EQUAL(td_tls12_prf_for(0x0303, td_tls12_suite_find(0x002f)), TD_TLS12_PRF_SHA256);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The cipher, key length, CBC block and export key bytes a suite's name
 * says. */
static void cipher_of_name(const char *n, enum td_tls12_cipher *cipher, size_t *key_len,
			   size_t *block, size_t *export_key_len)
{
	*key_len = strstr(n, "_128_") ? 16u : 32u;
	*block = 16;
	*export_key_len = 0;
	if (strstr(n, "_GCM")) {
		*cipher = TD_TLS12_AES_GCM;
	} else if (strstr(n, "_CCM")) {
		*cipher = TD_TLS12_AES_CCM;
	} else if (strstr(n, "_CHACHA20_POLY1305_")) {
		*cipher = TD_TLS12_CHACHA20_POLY1305;
	} else if (strstr(n, "_CAMELLIA_")) {
		*cipher = TD_TLS12_CAMELLIA_CBC;
	} else if (strstr(n, "_AES_")) {
		*cipher = TD_TLS12_AES_CBC;
	} else if (strstr(n, "_3DES_EDE_CBC_")) {
		*cipher = TD_TLS12_3DES_EDE_CBC;
		*key_len = 24;
		*block = 8;
	} else if (strstr(n, "_DES40_CBC_")) {
		*cipher = TD_TLS12_DES_CBC;
		*key_len = 8;
		*block = 8;
		*export_key_len = 5;
	} else if (strstr(n, "_DES_CBC_")) {
		*cipher = TD_TLS12_DES_CBC;
		*key_len = 8;
		*block = 8;
	} else {
		*cipher = TD_TLS12_RC4;
		*key_len = 16;
		*block = 0;
		*export_key_len = strstr(n, "_RC4_40_") ? 5u : 0u;
	}
}

/* Every suite: its name is the IANA name in names.c and its parameters
 * are what the name says.  Walks all 65536 values. */
static void test_suite_table(void)
{
	size_t count = 0;
	for (uint32_t id = 0; id <= 0xffff; id++) {
		const struct td_tls12_suite *s = td_tls12_suite_find((uint16_t)id);
		if (!s)
			continue;
		count++;
		CU_ASSERT_EQUAL(s->id, id);
		const char *iana = td_tls_lookup(TD_REG_CIPHER, (uint16_t)id);
		CU_ASSERT_PTR_NOT_NULL_FATAL(iana);
		if (strcmp(iana, s->name) != 0)
			fprintf(stderr, "\n0x%04x: %s != %s\n", (unsigned)id, s->name, iana);
		CU_ASSERT_STRING_EQUAL(s->name, iana);
		const char *n = s->name;
		CU_ASSERT_PTR_NOT_NULL(strstr(n, "_WITH_"));
		bool chacha = strstr(n, "_CHACHA20_POLY1305_SHA256") != NULL;
		enum td_tls12_cipher cipher;
		size_t key_len, block, export_key_len;
		cipher_of_name(n, &cipher, &key_len, &block, &export_key_len);
		CU_ASSERT_EQUAL(s->cipher, cipher);
		CU_ASSERT_EQUAL(s->key_len, key_len);
		CU_ASSERT_EQUAL(s->export_key_len, export_key_len);
		CU_ASSERT_TRUE(chacha || strstr(n, "_AES_128_") || strstr(n, "_AES_256_") ||
			       strstr(n, "_CAMELLIA_128_CBC_") || strstr(n, "_CAMELLIA_256_CBC_") ||
			       strstr(n, "_3DES_EDE_CBC_") || strstr(n, "_DES_CBC_") ||
			       strstr(n, "_DES40_CBC_") ||
			       strstr(n, "_RC4_128_") || strstr(n, "_RC4_40_"));
		CU_ASSERT_EQUAL(s->prf, ends_with(n, "SHA384") ? TD_TLS12_PRF_SHA384 : TD_TLS12_PRF_SHA256);
		switch (s->cipher) {
		case TD_TLS12_AES_GCM:
		case TD_TLS12_AES_CCM:
			CU_ASSERT_PTR_NOT_NULL(strstr(n, s->cipher == TD_TLS12_AES_GCM ? "_GCM" : "_CCM"));
			CU_ASSERT_EQUAL(s->fixed_iv_len, 4);
			CU_ASSERT_EQUAL(s->explicit_nonce_len, 8);
			CU_ASSERT_EQUAL(s->tag_len, strstr(n, "_CCM_8") ? 8u : 16u);
			CU_ASSERT_EQUAL(s->mac, TD_TLS12_MAC_AEAD);
			CU_ASSERT_EQUAL(s->mac_len, 0);
			break;
		case TD_TLS12_CHACHA20_POLY1305:
			CU_ASSERT_TRUE(chacha);
			CU_ASSERT_EQUAL(s->fixed_iv_len, 12);
			CU_ASSERT_EQUAL(s->explicit_nonce_len, 0);
			CU_ASSERT_EQUAL(s->tag_len, 16);
			CU_ASSERT_EQUAL(s->mac, TD_TLS12_MAC_AEAD);
			break;
		case TD_TLS12_AES_CBC:
		case TD_TLS12_CAMELLIA_CBC:
		case TD_TLS12_3DES_EDE_CBC:
		case TD_TLS12_DES_CBC:
		case TD_TLS12_RC4:
			CU_ASSERT_PTR_NOT_NULL(strstr(n, s->cipher == TD_TLS12_RC4 ? "_RC4_" : "_CBC_"));
			CU_ASSERT_EQUAL(s->fixed_iv_len, block);
			CU_ASSERT_EQUAL(s->explicit_nonce_len, block);
			CU_ASSERT_EQUAL(s->tag_len, 0);
			if (ends_with(n, "_MD5")) {
				CU_ASSERT_EQUAL(s->mac, TD_TLS12_MAC_MD5);
				CU_ASSERT_EQUAL(s->mac_len, 16);
			} else if (ends_with(n, "_SHA")) {
				CU_ASSERT_EQUAL(s->mac, TD_TLS12_MAC_SHA1);
				CU_ASSERT_EQUAL(s->mac_len, 20);
			} else if (ends_with(n, "_SHA256")) {
				CU_ASSERT_EQUAL(s->mac, TD_TLS12_MAC_SHA256);
				CU_ASSERT_EQUAL(s->mac_len, 32);
			} else {
				CU_ASSERT_TRUE(ends_with(n, "_SHA384"));
				CU_ASSERT_EQUAL(s->mac, TD_TLS12_MAC_SHA384);
				CU_ASSERT_EQUAL(s->mac_len, 48);
			}
			break;
		}
	}
	/* Every IANA AES-GCM/CCM/CBC and ChaCha20-Poly1305 suite (126), and
	 * the RC4 (18), 3DES (20), DES (8), export DES40 (6) and
	 * Camellia-CBC (40) ones. */
	CU_ASSERT_EQUAL(count, 218);
}

/* ---- PRF ---- */

struct prf_vec {
	enum td_tls12_prf prf;
	const char *secret, *seed, *out;
};

static const struct prf_vec prf_vectors[] = {
	/* IETF TLS list, TLS1.2PRF-SHA256, 100 bytes. */
	{ TD_TLS12_PRF_SHA256, "9bbe436ba940f017b17652849a71db35", "a0ba9f936cda311827a6f796ffd5198c",
	  "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14ba"
	  "f9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a51"
	  "10fff70187347b66" },
	/* IETF TLS list, TLS1.2PRF-SHA384, 148 bytes. */
	{ TD_TLS12_PRF_SHA384, "b80b733d6ceefcdc71566ea48e5567df", "cd665cf6a8447dd6ff8b27555edb7465",
	  "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c91"
	  "46a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad0"
	  "5d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa"
	  "3be85e0990703d73e56f" },
	/* TLS 1.0 PRF (Python), same inputs as the SHA-256 vector. */
	{ TD_TLS12_PRF_MD5_SHA1, "9bbe436ba940f017b17652849a71db35", "a0ba9f936cda311827a6f796ffd5198c",
	  "661740e6f98bc901efd2738502a71c03f76dd2f86298549b1148eff06714cf0f6b7c532cd8c69f1530e0bb680eec"
	  "34c495fa75a8bfcc9c335484c0d3d194ab6e32975903c50ebcdbe9d67c0591bdbd80dddcc36d33ccd58adf96caae"
	  "173f48dc40f983e2" },
	/* TLS 1.0 PRF (Python), odd secret: both halves share the middle byte. */
	{ TD_TLS12_PRF_MD5_SHA1, "9bbe436ba940f017b17652849a71db35aa", "a0ba9f936cda311827a6f796ffd5198c",
	  "d15d261f27f994096fbb4709ff20d231799dce32219baafb6883af51983e132f9c83dfee" },
};

static void test_prf_vectors(void)
{
	for (size_t i = 0; i < sizeof prf_vectors / sizeof prf_vectors[0]; i++) {
		const struct prf_vec *v = &prf_vectors[i];
		uint8_t secret[32], seed[32], want[160], got[160];
		size_t slen = td_test_unhex(v->secret, secret, sizeof secret);
		size_t sdlen = td_test_unhex(v->seed, seed, sizeof seed);
		size_t n = td_test_unhex(v->out, want, sizeof want);
		memset(got, 0, sizeof got);
		CU_ASSERT_EQUAL(td_tls12_prf(v->prf, secret, slen, "test label", seed, sdlen, got, n), TD_OK);
		CU_ASSERT_EQUAL(memcmp(got, want, n), 0);
		/* A shorter output is a prefix. */
		memset(got, 0, sizeof got);
		CU_ASSERT_EQUAL(td_tls12_prf(v->prf, secret, slen, "test label", seed, sdlen, got, 13), TD_OK);
		CU_ASSERT_EQUAL(memcmp(got, want, 13), 0);
		CU_ASSERT_EQUAL(got[13], 0);
		/* Another label gives other bytes. */
		CU_ASSERT_EQUAL(td_tls12_prf(v->prf, secret, slen, "test lab3l", seed, sdlen, got, n), TD_OK);
		CU_ASSERT_NOT_EQUAL(memcmp(got, want, n), 0);
	}
	/* Limits: output 1..224, label + seed <= 128. */
	uint8_t secret[48] = { 1 }, seed[130] = { 2 }, out[230];
	CU_ASSERT_EQUAL(td_tls12_prf(TD_TLS12_PRF_SHA256, secret, 48, "x", seed, 64, out, 0), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_tls12_prf(TD_TLS12_PRF_SHA256, secret, 48, "x", seed, 64, out, 225), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_tls12_prf(TD_TLS12_PRF_MD5_SHA1, secret, 48, "x", seed, 64, out, 224), TD_OK);
	CU_ASSERT_EQUAL(td_tls12_prf(TD_TLS12_PRF_SHA384, secret, 48, "x", seed, 127, out, 16), TD_OK);
	CU_ASSERT_EQUAL(td_tls12_prf(TD_TLS12_PRF_SHA384, secret, 48, "xy", seed, 127, out, 16), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_tls12_prf(TD_TLS12_PRF_SHA384, secret, 48, "", seed, 130, out, 16), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_tls12_prf(TD_TLS12_PRF_SHA256, NULL, 48, "x", seed, 64, out, 16), TD_ERR_USAGE);
}

/* ---- real records ---- */

struct rec {
	const char *record;    /* header + body, hex */
	const char *plain;     /* expected plaintext, hex */
};

#define MAX_RECS 3

struct capture {
	const char *name;
	uint16_t version, suite;
	bool etm;
	const char *master, *client_random, *server_random;
	struct rec client[MAX_RECS];   /* from the client's Finished (seq 0) on */
	struct rec server[MAX_RECS];   /* from the server's Finished (seq 0) on */
};

static const struct capture captures[] = {
	/* TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 */
	{ "gcm128", 0x0303, 0xc02f, false,
	  "a3b693e7aaaf3eb511fcfe78d27a3fb4ce6fdcd9bb386b0859d486fed35cbf5ee1386c1b4196a8c73453c93c2fb6650e",
	  "e2568866c7a6a58a0ddce0246f5b6462d1d79ba44332c98763495b8ee8b53b2a",
	  "b1a97c5242388a60f94580629a4ae8f50454fc2a18b30648444f574e47524401",
	  { { "160303002821572c43f440c5ab1f2c6be5c1134705f2a58eb3e00320a9b08bdf48a1ed479181aedaf308c12504",
	      "1400000c6ad19f85d68c52524a7dbd73" },
	    { "170303001b21572c43f440c5ac0ebadf612c3112a5b128fa2cbdc92e6ddee863", "68690a" } },
	  { { "160303002834e93d121764b808b095d45c0a444616cdae17daf7af249e6a6f1fce5ea2f081ec67fa7d9e40ab85",
	      "1400000c1fa9f2c401cfe84bdfce495a" } } },
	/* TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384 */
	{ "gcm256", 0x0303, 0xc030, false,
	  "48a21893c7d1e99d45f9881f529b3813f344b32032f74ea4921b8c7be6448bb6e71a2d6cd0d5f85a427a591ff2cbd558",
	  "214e0e072b881c58052c6b03018884c5215eeac3ed2ce163b776ca63387c844f",
	  "db06a338b935ca80c0f06d3126af84eb03a94ecf60113e41444f574e47524401",
	  { { "1603030028e4cb379746a42294fb00d83a4a882ed784cc3c47c3a39b4d1f6397648a482da60f790c25f6104f37",
	      "1400000c9daef0d36a61d83ab55614e5" },
	    { "170303001be4cb379746a4229561a4121a6dbc38a7d4d6ac647fa00817150669", "68690a" } },
	  { { "1603030028da66cc903e98a7866c69cb813f012910922fc1963c0c721367ffa1fdc9051d86aad38e78ef7b3251",
	      "1400000c19efc233a56eace83d7e3160" } } },
	/* TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305 */
	{ "chacha", 0x0303, 0xcca8, false,
	  "206a78875f16fa269c5d3b10418e28d87589fce0a722aa38441d9e66ebded23d5d88be48a9f832a262eb07477d741b83",
	  "c70961fe8919652b80073dbfa2a626afdc6a6184e7a506b4dca9f2f9a22baed0",
	  "0d6d659c3cf657b3ac0f5984ec07488d3fd7aac975a683fd444f574e47524401",
	  { { "1603030020b74f72f516b06148376d577cd19747b8cbe1a2ead4e544e5ec8d509555d5d444",
	      "1400000c258e9e1771738c9a31b8ae02" },
	    { "1703030013a5ca0365ba039e73fc4fc3cf6b99ebe88619ef", "68690a" } },
	  { { "160303002035a4b9fb1760e2581c5a718bbe47215d7f20776a32fa0690c8892d0fff752590",
	      "1400000c69381b647e5e3d3c42a2debf" } } },
	/* TLS 1.2 AES128-CCM */
	{ "ccm", 0x0303, 0xc09c, false,
	  "4d8bd76354310edc3399c0450b313cb2c995c6c0ffc3268d39fca92e2f46ecc38466980ce6d14ded8f0b3c8d99501873",
	  "1e2644f74dc46839508c4a1f10793ba80e682346cc7a07931e3c045f7cc8705a",
	  "aeb872027595adab779ca2c287fb9e8a6f887425c1b197c6444f574e47524401",
	  { { "16030300280000000000000000d1e1ba6bc1ea05fa14b3c56e36f9cfdf7c1cf3dc5721a629f14c7dda77ee393b",
	      "1400000c619a03d8b5e167953be842e9" },
	    { "170303001b00000000000000013c4586eaefbb97a0dbe4fd57e050d71d839630", "68690a" } },
	  { { "16030300280000000000000000e4e25b4730543f72570a953d5bc9004bdd115c63293c04c5140baacbb6c13428",
	      "1400000ccadc17a955a6a97af26f13d3" } } },
	/* TLS 1.2 AES128-CCM8 */
	{ "ccm8", 0x0303, 0xc0a0, false,
	  "5329f9ac820ad0650e4bac5ffefb7bb95e2967d70ef8bb5ca42df81389317fe9f8a36b496978ca7db53d1d893461a570",
	  "2cde7b70545cafdff8ce165856b97653bf9265527aafff916579c6be49190803",
	  "9c6f4b7a4e52c1df4c6148b4c2b8eed4b1281c38dce1b277444f574e47524401",
	  { { "16030300200000000000000000e36db6b744b178b8c5c0a2e138678d3014a18f7288ca33af",
	      "1400000cbabcdda29b712f64c837eb66" },
	    { "170303001300000000000000010f4ae280dcf31e80196c6a", "68690a" } },
	  { { "16030300200000000000000000089ec262cae8fc8caf976809342e7e023c48138be27b660a",
	      "1400000c2466d5d65ca55d414f4ad8bf" } } },
	/* TLS 1.2 ECDHE-RSA-AES128-SHA, encrypt_then_mac */
	{ "cbc12etm", 0x0303, 0xc013, true,
	  "38697dc5f9ed6817883c60e48eeca5b1d6caf2059987418548412af4950a64d2ead9bcdf2727578bad7ee007f8ffbadb",
	  "30965a7829492e43a274dfb1149b176cbb899a338d74e1f295dfef8439cf34dd",
	  "e1e505c9d98bf9607f352e934678894bb355285362f3948b444f574e47524401",
	  { { "1603030044b24b09b75c839f40e2ad2e25cf774a35c2e6d582b7b534bc6e45ffd87f572feac5a0b2b8bd447001f9a1a4ef41"
	      "37011f51af8e312b76c8045b076e872cb40bf3bb97cf06",
	      "1400000cb7a3c65241bde9a9a1697fe7" },
	    { "17030300349dba658ccfde9c371ecaabb4a22c90942866e5be1e4b05e3e5b076acd18dcc6e020e390cf7909e077520263470"
	      "a034561ccdaa7e",
	      "68690a" } },
	  { { "16030300441e51a227dc8bc3e5611d883b76f0a2b0d1056a1cbd995a4c007a58235e54cfd11d67ddbdd672c921b69e493194"
	      "359ef48f1bdc9b7de682433ac04668baaef5d374d268ee",
	      "1400000c1b1ae58c7a0d31aa50f725ae" } } },
	/* TLS 1.2 ECDHE-RSA-AES256-SHA384, -no_etm */
	{ "cbc12mte", 0x0303, 0xc028, false,
	  "e34e03e26035821f21f46f48a0916361067de45300f3143bfeee4c354ded65437f8836e16035e7d134f811b1f0a7a9fc",
	  "eb9f49cfe17a15c4f990515c6b66fc11879f37b03059a4726c81486af2dc1a50",
	  "54f40b5e1dd0924c71927a3d31c7c2c8d293fee4b64bb879444f574e47524401",
	  { { "1603030060d81c357d893b547ebdae9686ef71670c639b1e98ecbfacc22c28b47158f52a4881156c92ed84b5fe6fdf7f9858"
	      "e614783dfce7e952686d3795110a9853847a592c4d58a1416333d3b474524f2368eff34288677e9d78b0ef8f933eae45f064"
	      "9c",
	      "1400000c3f41f6bc8f587dbdfd7bf50c" },
	    { "1703030050312f4c83c4a1c2c1b2d0078e429273959bc651c8b94f1d3ec853d454132111287669d62626ae92bd1920c0f288"
	      "c3fb07928667067ac3a5ed46802e495fa48b32c19ce3639f491f24a0b0990fe57a0b7a",
	      "68690a" } },
	  { { "16030300608dc45b5a2002a897212d02e3039b7b7b30e547deaaa217ae91e533ec3b9500885a97f6750f605a997248b66cbd"
	      "68c39bf184534fcb747318d4c11ad00a701dd2d522905e23beb78e958242d4cfd55d58c59ed1fce9ecafe2afa2ebbcbe155f"
	      "f6",
	      "1400000c5bfbbd270c8555ef8cc3cbf2" } } },
	/* TLS 1.2 DHE-RSA-AES128-SHA256, -no_etm */
	{ "sha256", 0x0303, 0x0067, false,
	  "f9c1da3ec5a124a0ef283e7221abaa77d91a22605245cc6aac4fe8f44381d1896876e9287b187240d15b182f336627dc",
	  "77947b8b85b35427bc23db9fef57a742d32a736433ebd8e5e6cfeda17839886c",
	  "72ca0a871629d8abad3e345fd4329333a52612b6771bcfbc444f574e47524401",
	  { { "1603030050c9b43626f684669710c662e7d2eb063c3d3636f353697a92075c9c52565f5bcfeed45db3a942d42537f78a5605"
	      "a537e979532c050e26ffa3ff71aeba5391c63adb82e7f1e0bfcb5d9d272c0e067c186c",
	      "1400000c1278e1bae2039207ee2139e8" },
	    { "170303004083e1fbf82575f63e2bcf3c787d37eb6defdf9667522b1aedcdb61e5d87d5ad95d53abaac1a2d192e8272d7317f"
	      "fe669120627b146b15dca57c2d61cd96ebe225",
	      "68690a" } },
	  { { "1603030050063df951f82f8f8b66a374bf1a77a33d640375af8045012b30825c3ecb6a49c855e0861ee977cda0703e28d1a8"
	      "0e5dfa097f6fc78d9dc7c9720f95076d0fd9986b6d49e24c74fc56d53dba522b3b5f30",
	      "1400000c94350abed0e95f3750baa89f" } } },
	/* TLS 1.1 ECDHE-RSA-AES256-SHA, encrypt_then_mac */
	{ "tls11etm", 0x0302, 0xc014, true,
	  "e4bc37aa67f97bef6921dfabbcd9d99c2be9bac49e8fdb68e942d005f20fb3c1c541edcc6986a3dbac117e62148ed140",
	  "7a8d8d47e41d7df7e6d54c2964234addfefaefb74b258a72524c1722cbd8fc54",
	  "80d0c6ff27995fd100269d626180a2a4dab559ae2bdb87782b98e8a437e6bb4c",
	  { { "1603020044d51b7608ecd741244a069163a8014424ea7ad7fa245b785c8a6c4d19f3e036e3110c9d8891c82479ef2dfb08bf"
	      "640aa068bebfbc8120ef56e6e2db138a209873d78427d0",
	      "1400000cca9b8ecfd98d79c133ebc24e" },
	    { "170302003406942b10312c96d054e2ec7885d5b3f2aaaaa7185ab57dd1a78cf5f22f06e03de00aa7fa1852b35afab16899ce"
	      "4f9250635f8605",
	      "68690a" } },
	  { { "1603020044b60b1a983b0af548e602610b1f898ae7e1beceafd29b75797186861f6fce8c2045c267c3fef42a768372e18790"
	      "d9a35ca43fcf1b67800de020b70a65086d36469b047148",
	      "1400000ca39056cf49376eb157e00a90" } } },
	/* TLS 1.0 AES128-SHA, -no_etm */
	{ "tls10", 0x0301, 0x002f, false,
	  "aaa38b221ec4f8baedec845c12af5caa572d72b8007f7679db500569c24de6cab1038f5802bc6181a5a253ec351d8650",
	  "b1c776e6322cd68e34198ee9104ea26d1e274b6d20fac4e883e174eb9970cd0b",
	  "f98539e1b524f92a0a3eb726d6d8df544baadecc4e591aa2e7b282a7c4a2a086",
	  { { "1603010030e82a0af3f7ae13774161de98ba4288f31d04505e986a2ff65e7b5a377719665ed2275f846e3db30e31c31cfa62"
	      "c906e3",
	      "1400000c36a13c099fc72ab0b66881f1" },
	    { "170301002072ece4b382a6de2e17c04f238b32b9a09546b9437614ab9140ea2ac3f769ffca", "" },
	    { "1703010020a9b6965bfe945569bd9b3b301a7091a980632e4363d966c0c5ca3ad95c9adee4", "68690a" } },
	  { { "160301003028bdac157597ae6d7c0b9cd0ff934b1a2b0e0af02d448cca1bdcae9f5fcea1f620be3413f26a29cf9fa40dc967"
	      "d71700",
	      "1400000ce40ceee7ae61d1a13696e5c5" },
	    { "1703010020a8d361de1463c84ef5a624101a3ca01259e827cf600ac864cfdd9b485410dc18", "" },
	    { "1703010020d849f6ae61d189c36b7dc3116dc45364ec813f347e3718918171b696374b4fe9", "7372760a" } } },
};

#define NCAPTURES (sizeof captures / sizeof captures[0])

/* Keys for one direction of a capture, or a failed assertion. */
static enum td_result capture_keys(const struct capture *c, enum td_tls12_dir dir, bool etm,
				   bool flip_master, struct td_tls12_keys *k)
{
	uint8_t ms[48], cr[32], sr[32];
	size_t mlen = td_test_unhex(c->master, ms, sizeof ms);
	if (td_test_unhex(c->client_random, cr, sizeof cr) != 32 || td_test_unhex(c->server_random, sr, sizeof sr) != 32)
		abort();
	if (flip_master)
		ms[47] ^= 0x01;
	return td_tls12_keys_init(k, c->version, c->suite, ms, mlen, cr, sr, etm, dir);
}

/* A record in a buffer of exactly its size, so ASan sees any overread. */
struct wire {
	uint8_t *rec;
	size_t len;     /* header + body */
};

static struct wire wire_from_hex(const char *hex)
{
	static uint8_t tmp[TD_TLS12_CIPHERTEXT_MAX + 5];
	struct wire w;
	w.len = td_test_unhex(hex, tmp, sizeof tmp);
	if (w.len < 5)
		abort();
	w.rec = malloc(w.len);
	if (!w.rec)
		abort();
	memcpy(w.rec, tmp, w.len);
	return w;
}

static enum td_result decrypt_wire(struct td_tls12_keys *k, const struct wire *w, uint8_t *out,
				   size_t *outlen)
{
	return td_tls12_decrypt(k, w->rec, w->rec + 5, w->len - 5, out, outlen);
}

/* Decrypt a whole direction in order; every record must match. */
static void check_direction(const struct capture *c, enum td_tls12_dir dir, const struct rec *recs)
{
	struct td_tls12_keys k;
	CU_ASSERT_EQUAL_FATAL(capture_keys(c, dir, c->etm, false, &k), TD_OK);
	for (size_t i = 0; i < MAX_RECS && recs[i].record; i++) {
		static uint8_t out[TD_TLS12_CIPHERTEXT_MAX];
		uint8_t want[64];
		size_t wlen = td_test_unhex(recs[i].plain, want, sizeof want);
		struct wire w = wire_from_hex(recs[i].record);
		memset(out, 0xaa, sizeof out);
		size_t outlen = sizeof out;
		enum td_result rc = decrypt_wire(&k, &w, out, &outlen);
		if (rc != TD_OK || outlen != wlen || memcmp(out, want, wlen) != 0)
			fprintf(stderr, "\n%s %s record %zu: %s, %zu bytes\n", c->name,
				dir == TD_TLS12_CLIENT_WRITE ? "client" : "server", i,
				td_result_str(rc), outlen);
		CU_ASSERT_EQUAL(rc, TD_OK);
		CU_ASSERT_EQUAL(outlen, wlen);
		CU_ASSERT_EQUAL(memcmp(out, want, wlen), 0);
		CU_ASSERT_EQUAL(k.seq, i + 1);
		free(w.rec);
	}
	td_tls12_keys_cleanup(&k);
}

static void test_capture_records(void)
{
	for (size_t i = 0; i < NCAPTURES; i++) {
		check_direction(&captures[i], TD_TLS12_CLIENT_WRITE, captures[i].client);
		check_direction(&captures[i], TD_TLS12_SERVER_WRITE, captures[i].server);
	}
}

/*
 * Records passed over without decrypting them (issue 15, alerts
 * anywhere): in every capture and direction, records 0..j-1 skipped then
 * record j decrypted gives its plaintext: the sequence number, and TLS
 * 1.0's chained IV (the skipped record's last block), moved on.  TLS 1.0
 * CBC needs the skipped record's bytes; RC4 cannot skip at all.
 */
static void test_skip(void)
{
	for (size_t ci = 0; ci < NCAPTURES; ci++) {
		const struct capture *c = &captures[ci];
		for (int d = 0; d < 2; d++) {
			enum td_tls12_dir dir = d ? TD_TLS12_SERVER_WRITE : TD_TLS12_CLIENT_WRITE;
			const struct rec *recs = d ? c->server : c->client;
			for (size_t j = 1; j < MAX_RECS && recs[j].record; j++) {
				struct td_tls12_keys k;
				CU_ASSERT_EQUAL_FATAL(capture_keys(c, dir, c->etm, false, &k), TD_OK);
				enum td_tls12_skip kind = td_tls12_skip_kind(&k);
				CU_ASSERT_EQUAL(kind, c->version <= 0x0301 ? TD_TLS12_SKIP_BYTES
									   : TD_TLS12_SKIP_FREE);
				for (size_t i = 0; i < j; i++) {
					struct wire w = wire_from_hex(recs[i].record);
					if (kind == TD_TLS12_SKIP_BYTES) {
						CU_ASSERT_EQUAL(td_tls12_skip(&k, NULL, w.len - 5), TD_ERR_USAGE);
						CU_ASSERT_EQUAL(k.seq, i);
						CU_ASSERT_EQUAL(td_tls12_skip(&k, w.rec + 5, w.len - 5), TD_OK);
					} else {
						CU_ASSERT_EQUAL(td_tls12_skip(&k, NULL, w.len - 5), TD_OK);
					}
					free(w.rec);
				}
				CU_ASSERT_EQUAL(k.seq, j);
				static uint8_t out[TD_TLS12_CIPHERTEXT_MAX];
				uint8_t want[64];
				size_t wlen = td_test_unhex(recs[j].plain, want, sizeof want);
				struct wire w = wire_from_hex(recs[j].record);
				size_t outlen = sizeof out;
				CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_OK);
				CU_ASSERT_EQUAL(outlen, wlen);
				CU_ASSERT_EQUAL(memcmp(out, want, wlen), 0);
				free(w.rec);
				td_tls12_keys_cleanup(&k);
			}
		}
	}
	/* RC4 (TLS_RSA_WITH_RC4_128_SHA): the keystream runs through every
	 * byte; skipping is refused and changes nothing. */
	uint8_t ms[48] = { 1 }, cr[32] = { 2 }, sr[32] = { 3 };
	struct td_tls12_keys k;
	CU_ASSERT_EQUAL_FATAL(td_tls12_keys_init(&k, 0x0301, 0x0005, ms, sizeof ms, cr, sr, false,
						 TD_TLS12_CLIENT_WRITE), TD_OK);
	CU_ASSERT_EQUAL(td_tls12_skip_kind(&k), TD_TLS12_SKIP_NEVER);
	uint8_t body[40] = { 0 };
	CU_ASSERT_EQUAL(td_tls12_skip(&k, body, sizeof body), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(k.seq, 0);
	td_tls12_keys_cleanup(&k);
	/* Keys never set up: nothing to skip. */
	memset(&k, 0, sizeof k);
	CU_ASSERT_EQUAL(td_tls12_skip_kind(&k), TD_TLS12_SKIP_NEVER);
}

/*
 * Every record with one byte changed (the last: in the tag or MAC; the
 * first of the body: explicit nonce, record IV or ciphertext; the
 * header's type, which is authenticated) fails where it stands in the
 * sequence, leaves the state as it was and shows no plaintext; the
 * intact record then opens.
 */
static void test_tampered(void)
{
	static uint8_t out[TD_TLS12_CIPHERTEXT_MAX];
	for (size_t i = 0; i < NCAPTURES; i++) {
		const struct capture *c = &captures[i];
		for (int d = 0; d < 2; d++) {
			enum td_tls12_dir dir = d ? TD_TLS12_SERVER_WRITE : TD_TLS12_CLIENT_WRITE;
			const struct rec *recs = d ? c->server : c->client;
			struct td_tls12_keys k;
			CU_ASSERT_EQUAL_FATAL(capture_keys(c, dir, c->etm, false, &k), TD_OK);
			for (size_t r = 0; r < MAX_RECS && recs[r].record; r++) {
				struct wire w = wire_from_hex(recs[r].record);
				uint8_t want[64];
				size_t wlen = td_test_unhex(recs[r].plain, want, sizeof want);
				const size_t where[] = { w.len - 1, 5, 0 };
				for (size_t j = 0; j < sizeof where / sizeof where[0]; j++) {
					uint64_t seq = k.seq;
					uint8_t iv[TD_TLS12_IV_MAX];
					memcpy(iv, k.iv, sizeof iv);
					w.rec[where[j]] ^= 0x01;
					memset(out, 0xaa, sizeof out);
					size_t outlen = sizeof out;
					CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_MALFORMED);
					CU_ASSERT_EQUAL(outlen, 0);
					CU_ASSERT_EQUAL(k.seq, seq);
					CU_ASSERT_EQUAL(memcmp(k.iv, iv, sizeof iv), 0);
					CU_ASSERT_TRUE(wlen == 0 || memcmp(out, want, wlen) != 0);
					w.rec[where[j]] ^= 0x01;
				}
				size_t outlen = sizeof out;
				CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_OK);
				CU_ASSERT_EQUAL(outlen, wlen);
				CU_ASSERT_EQUAL(k.seq, r + 1);
				free(w.rec);
			}
			td_tls12_keys_cleanup(&k);
		}
	}
}

/* The first client record under the wrong keys, sequence or options. */
static void test_wrong_keys(void)
{
	static uint8_t out[1024];
	for (size_t i = 0; i < NCAPTURES; i++) {
		const struct capture *c = &captures[i];
		const struct td_tls12_suite *s = td_tls12_suite_find(c->suite);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		struct wire w = wire_from_hex(c->client[0].record);
		struct td_tls12_keys k;
		size_t outlen;

		/* Master secret with one bit flipped. */
		CU_ASSERT_EQUAL_FATAL(capture_keys(c, TD_TLS12_CLIENT_WRITE, c->etm, true, &k), TD_OK);
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_MALFORMED);
		CU_ASSERT_EQUAL(k.seq, 0);
		/* The server's keys. */
		CU_ASSERT_EQUAL_FATAL(capture_keys(c, TD_TLS12_SERVER_WRITE, c->etm, false, &k), TD_OK);
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_MALFORMED);
		/* The right keys at the wrong sequence number. */
		CU_ASSERT_EQUAL_FATAL(capture_keys(c, TD_TLS12_CLIENT_WRITE, c->etm, false, &k), TD_OK);
		k.seq = 1;
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_MALFORMED);
		CU_ASSERT_EQUAL(k.seq, 1);
		k.seq = 0;
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_OK);
		/* encrypt_then_mac the other way round than negotiated (CBC). */
		if (s->cipher == TD_TLS12_AES_CBC) {
			CU_ASSERT_EQUAL_FATAL(capture_keys(c, TD_TLS12_CLIENT_WRITE, !c->etm, false, &k), TD_OK);
			outlen = sizeof out;
			CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_MALFORMED);
			CU_ASSERT_EQUAL(k.seq, 0);
		}
		/* A TLS 1.2 SHA-1 CBC record under TLS 1.1 keys (other PRF). */
		if (c->version == 0x0303 && s->cipher == TD_TLS12_AES_CBC && s->mac == TD_TLS12_MAC_SHA1) {
			struct capture c11 = *c;
			c11.version = 0x0302;
			CU_ASSERT_EQUAL_FATAL(capture_keys(&c11, TD_TLS12_CLIENT_WRITE, c->etm, false, &k), TD_OK);
			outlen = sizeof out;
			CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_MALFORMED);
		}
		td_tls12_keys_cleanup(&k);
		free(w.rec);
	}
}

/* Every prefix of every capture's first client record fails cleanly
 * (each in a buffer of exactly its size), below the minimum length of
 * its kind and above it; so does a header that does not describe the
 * body. */
static void test_truncation(void)
{
	static uint8_t out[1024];
	for (size_t i = 0; i < NCAPTURES; i++) {
		const struct capture *c = &captures[i];
		struct wire w = wire_from_hex(c->client[0].record);
		size_t full = w.len - 5;
		struct td_tls12_keys k;
		CU_ASSERT_EQUAL_FATAL(capture_keys(c, TD_TLS12_CLIENT_WRITE, c->etm, false, &k), TD_OK);
		for (size_t n = 0; n < full; n++) {
			uint8_t hdr[5] = { w.rec[0], w.rec[1], w.rec[2], (uint8_t)(n >> 8), (uint8_t)n };
			uint8_t *body = malloc(n ? n : 1);
			CU_ASSERT_PTR_NOT_NULL_FATAL(body);
			memcpy(body, w.rec + 5, n);
			size_t outlen = sizeof out;
			CU_ASSERT_EQUAL(td_tls12_decrypt(&k, hdr, body, n, out, &outlen), TD_ERR_MALFORMED);
			CU_ASSERT_EQUAL(outlen, 0);
			free(body);
		}
		size_t outlen = sizeof out;
		uint8_t hdr[5] = { 0x16, 0x03, 0x03, 0, 0 };
		CU_ASSERT_EQUAL(td_tls12_decrypt(&k, hdr, NULL, 0, out, &outlen), TD_ERR_MALFORMED);
		/* The header says one byte less, or one more, than the body. */
		outlen = sizeof out;
		CU_ASSERT_EQUAL(td_tls12_decrypt(&k, w.rec, w.rec + 5, full - 1, out, &outlen),
				TD_ERR_MALFORMED);
		memcpy(hdr, w.rec, 5);
		hdr[4] = (uint8_t)(hdr[4] + 1);
		outlen = sizeof out;
		CU_ASSERT_EQUAL(td_tls12_decrypt(&k, hdr, w.rec + 5, full, out, &outlen), TD_ERR_MALFORMED);
		CU_ASSERT_EQUAL(k.seq, 0);
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_OK);
		td_tls12_keys_cleanup(&k);
		free(w.rec);
	}
}

static const struct capture *capture_named(const char *name)
{
	for (size_t i = 0; i < NCAPTURES; i++)
		if (strcmp(captures[i].name, name) == 0)
			return &captures[i];
	abort();
}

/* The input cap, the output capacity, bad arguments to init. */
static void test_caps_and_usage(void)
{
	static uint8_t out[TD_TLS12_CIPHERTEXT_MAX + 1];
	const struct capture *c = capture_named("gcm128");
	struct td_tls12_keys k;
	CU_ASSERT_EQUAL_FATAL(capture_keys(c, TD_TLS12_CLIENT_WRITE, false, false, &k), TD_OK);

	/* One byte over 2^14 + 2048 is refused before anything else; at the
	 * cap the (garbage) record is read and fails authentication. */
	size_t max = TD_TLS12_CIPHERTEXT_MAX;
	uint8_t *big = calloc(1, max + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	uint8_t hdr[5] = { 0x17, 0x03, 0x03, (uint8_t)((max + 1) >> 8), (uint8_t)(max + 1) };
	size_t outlen = sizeof out;
	CU_ASSERT_EQUAL(td_tls12_decrypt(&k, hdr, big, max + 1, out, &outlen), TD_ERR_CAP);
	CU_ASSERT_EQUAL(outlen, 0);
	hdr[3] = (uint8_t)(max >> 8);
	hdr[4] = (uint8_t)max;
	outlen = sizeof out;
	CU_ASSERT_EQUAL(td_tls12_decrypt(&k, hdr, big, max, out, &outlen), TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(k.seq, 0);
	free(big);

	/* Output capacity: GCM needs the ciphertext length (16 here). */
	struct wire w = wire_from_hex(c->client[0].record);
	outlen = 15;
	CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(k.seq, 0);
	outlen = 16;
	CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_OK);
	CU_ASSERT_EQUAL(outlen, 16);
	free(w.rec);

	/* CBC MAC-then-encrypt needs the whole decrypted part: 80 bytes of
	 * content (16), MAC (48) and padding (16) after the 16-byte IV. */
	c = capture_named("cbc12mte");
	CU_ASSERT_EQUAL_FATAL(capture_keys(c, TD_TLS12_CLIENT_WRITE, false, false, &k), TD_OK);
	w = wire_from_hex(c->client[0].record);
	outlen = w.len - 5 - 16 - 1;
	CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_USAGE);
	outlen = w.len - 5 - 16;
	CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_OK);
	CU_ASSERT_EQUAL(outlen, 16);

	/* Cleanup wipes; wiped or zeroed keys are not usable. */
	td_tls12_keys_cleanup(&k);
	CU_ASSERT_EQUAL(k.suite, 0);
	CU_ASSERT_EQUAL(k.key[0] | k.key[31] | k.mac_key[0] | k.mac_key[47], 0);
	outlen = sizeof out;
	CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_USAGE);
	free(w.rec);

	/* init: suites, versions, lengths; k is wiped on error. */
	static const struct { uint16_t version, suite; size_t mlen; enum td_result rc; } bad[] = {
		{ 0x0303, 0x0007, 48, TD_ERR_UNSUPPORTED },  /* IDEA */
		{ 0x0303, 0x1301, 48, TD_ERR_UNSUPPORTED },  /* TLS 1.3 suite */
		{ 0x0300, 0xc02f, 48, TD_ERR_UNSUPPORTED },  /* AEAD in SSL 3.0 */
		{ 0x02ff, 0x002f, 48, TD_ERR_UNSUPPORTED },
		{ 0x0304, 0xc02f, 48, TD_ERR_UNSUPPORTED },
		{ 0x0302, 0xc02f, 48, TD_ERR_UNSUPPORTED },  /* AEAD is TLS 1.2 only */
		{ 0x0301, 0xcca8, 48, TD_ERR_UNSUPPORTED },
		{ 0x0301, 0x003c, 48, TD_ERR_UNSUPPORTED },  /* so is HMAC-SHA256 */
		{ 0x0303, 0x002f, 47, TD_ERR_USAGE },
	};
	uint8_t ms[48] = { 0 }, cr[32] = { 0 }, sr[32] = { 0 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		k.suite = 1;
		CU_ASSERT_EQUAL(td_tls12_keys_init(&k, bad[i].version, bad[i].suite, ms, bad[i].mlen, cr, sr,
						   false, TD_TLS12_CLIENT_WRITE), bad[i].rc);
		CU_ASSERT_EQUAL(k.suite, 0);
	}
	CU_ASSERT_EQUAL(td_tls12_keys_init(&k, 0x0301, 0x002f, ms, 48, cr, sr, true,
					   TD_TLS12_SERVER_WRITE), TD_OK);
	CU_ASSERT_EQUAL(k.iv_len, 16);
	CU_ASSERT_TRUE(k.encrypt_then_mac);
	/* encrypt_then_mac means nothing for AEAD (RFC 7366 3). */
	c = capture_named("gcm128");
	CU_ASSERT_EQUAL_FATAL(capture_keys(c, TD_TLS12_CLIENT_WRITE, true, false, &k), TD_OK);
	CU_ASSERT_FALSE(k.encrypt_then_mac);
	w = wire_from_hex(c->client[0].record);
	outlen = sizeof out;
	CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_OK);
	free(w.rec);
	td_tls12_keys_cleanup(&k);
}

/* ---- key block ---- */

struct kb_vec {
	const char *capture;
	enum td_tls12_dir dir;
	const char *mac_key, *key, *iv;
};

/* key_block computed with Python (hmac, hashlib) from the captures' master
 * secrets and randoms: P_SHA256, P_SHA384 and the TLS 1.0 PRF. */
static const struct kb_vec kb_vectors[] = {
	{ "gcm128", TD_TLS12_CLIENT_WRITE, "", "f2b3e543fb8572651e27be28bc3b84fb", "88067b07" },
	{ "gcm128", TD_TLS12_SERVER_WRITE, "", "147cf8156b9e7c52979c42717d040bd5", "fd20b42e" },
	{ "cbc12mte", TD_TLS12_CLIENT_WRITE,
	  "9a39d760f6d4b79bb9c7cdc2c54697970c21390b6eca7e80e9065862374b5e8afb2cb5ffa06995d52e8575ffb4c34fe5",
	  "6b9a736911bf16cded2f17d58ee57d803b966e39c247129bb71a6202568e5d5b", "" },
	{ "cbc12mte", TD_TLS12_SERVER_WRITE,
	  "b8389f8199a8d0186deffe31470d43022ca859d3dcc589e7e4855928b97c06b08cc08c84bbe203a89a11dd1da7c226bb",
	  "006d276625fafc525d7c656c6ae0f43a0c9ec81e949039bd72e317fe142c534e", "" },
	{ "tls10", TD_TLS12_CLIENT_WRITE, "11d33e63d6bf72e002fa7a81d22aad360df2a5a9",
	  "bae33fd277166abe75d159720f246ace", "25581809751f3ec96e5f51f7386749bb" },
	{ "tls10", TD_TLS12_SERVER_WRITE, "7e8742990228af427a0ae48e039f0d84614d21dc",
	  "04414dba9b861e19215a3758030c70fe", "1fa283e5d17eb30e0f4e6284050ce2d0" },
};

static void test_key_block(void)
{
	for (size_t i = 0; i < sizeof kb_vectors / sizeof kb_vectors[0]; i++) {
		const struct kb_vec *v = &kb_vectors[i];
		const struct capture *c = capture_named(v->capture);
		uint8_t mac[48], key[32], iv[16];
		size_t mlen = td_test_unhex(v->mac_key, mac, sizeof mac);
		size_t klen = td_test_unhex(v->key, key, sizeof key);
		size_t ivlen = td_test_unhex(v->iv, iv, sizeof iv);
		struct td_tls12_keys k;
		CU_ASSERT_EQUAL_FATAL(capture_keys(c, v->dir, c->etm, false, &k), TD_OK);
		CU_ASSERT_EQUAL(k.mac_len, mlen);
		CU_ASSERT_EQUAL(k.key_len, klen);
		CU_ASSERT_EQUAL(k.iv_len, ivlen);
		CU_ASSERT_EQUAL(memcmp(k.mac_key, mac, mlen), 0);
		CU_ASSERT_EQUAL(memcmp(k.key, key, klen), 0);
		CU_ASSERT_EQUAL(memcmp(k.iv, iv, ivlen), 0);
		CU_ASSERT_EQUAL(k.seq, 0);
		CU_ASSERT_EQUAL(k.version, c->version);
		CU_ASSERT_EQUAL(k.suite, c->suite);
		td_tls12_keys_cleanup(&k);
	}
}

/* ---- synthetic records (a reference encryptor built on wolfSSL) ---- */

enum flaw { GOOD, BAD_PAD_BYTE, PAD_TOO_LONG };

static void put_mac_header(uint8_t h[13], uint64_t seq, uint8_t type, uint16_t version, size_t len)
{
	for (int i = 0; i < 8; i++)
		h[i] = (uint8_t)(seq >> (56 - 8 * i));
	h[8] = type;
	h[9] = (uint8_t)(version >> 8);
	h[10] = (uint8_t)version;
	h[11] = (uint8_t)(len >> 8);
	h[12] = (uint8_t)len;
}

static void hmac3(int type, const uint8_t *key, size_t klen, const uint8_t *a, size_t alen,
		  const uint8_t *b, size_t blen, const uint8_t *c, size_t clen, uint8_t *out)
{
	Hmac h;
	if (wc_HmacInit(&h, NULL, INVALID_DEVID) != 0 || wc_HmacSetKey(&h, type, key, (word32)klen) != 0 ||
	    wc_HmacUpdate(&h, a, (word32)alen) != 0 || (blen && wc_HmacUpdate(&h, b, (word32)blen) != 0) ||
	    (clen && wc_HmacUpdate(&h, c, (word32)clen) != 0) || wc_HmacFinal(&h, out) != 0)
		abort();
	wc_HmacFree(&h);
}

/* A CBC record of content under k at k->seq, MAC-then-encrypt or
 * encrypt_then_mac as k says, with pad + 1 padding bytes and the flaw
 * asked for; returns the record length (header included). */
static size_t seal_cbc(const struct td_tls12_keys *k, const uint8_t *content, size_t clen,
		       size_t pad, enum flaw flaw, uint8_t *rec)
{
	const struct td_tls12_suite *s = td_tls12_suite_find(k->suite);
	if (!s)
		abort();
	int type = s->mac == TD_TLS12_MAC_SHA1 ? WC_SHA : s->mac == TD_TLS12_MAC_SHA256 ? WC_SHA256 : WC_SHA384;
	size_t ivlen = k->version >= 0x0302 ? 16 : 0;
	uint8_t iv[16], plain[600], hdr[13];
	if (ivlen)
		memset(iv, 0x5c, sizeof iv);
	else
		memcpy(iv, k->iv, sizeof iv);
	size_t n = clen;
	memcpy(plain, content, clen);
	if (!k->encrypt_then_mac) {
		put_mac_header(hdr, k->seq, 23, k->version, clen);
		hmac3(type, k->mac_key, k->mac_len, hdr, 13, content, clen, NULL, 0, plain + n);
		n += k->mac_len;
	}
	memset(plain + n, (int)pad, pad + 1);
	n += pad + 1;
	if (n % 16 != 0 || n > sizeof plain)
		abort();
	if (flaw == BAD_PAD_BYTE)
		plain[n - 1 - pad] ^= 0x01;   /* the first padding byte */
	else if (flaw == PAD_TOO_LONG)
		plain[n - 1] = 0xff;

	size_t at = 5;
	memcpy(rec + at, iv, ivlen);
	at += ivlen;
	Aes aes;
	if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0 ||
	    wc_AesSetKey(&aes, k->key, (word32)k->key_len, iv, AES_ENCRYPTION) != 0 ||
	    wc_AesCbcEncrypt(&aes, rec + at, plain, (word32)n) != 0)
		abort();
	wc_AesFree(&aes);
	at += n;
	if (k->encrypt_then_mac) {
		put_mac_header(hdr, k->seq, 23, k->version, ivlen + n);
		hmac3(type, k->mac_key, k->mac_len, hdr, 13, rec + 5, ivlen, rec + 5 + ivlen, n, rec + at);
		at += k->mac_len;
	}
	rec[0] = 23;
	rec[1] = (uint8_t)(k->version >> 8);
	rec[2] = (uint8_t)k->version;
	rec[3] = (uint8_t)((at - 5) >> 8);
	rec[4] = (uint8_t)(at - 5);
	return at;
}

struct cbc_case {
	uint16_t version, suite;
	bool etm;
};

static void test_cbc_padding(void)
{
	static const struct cbc_case cases[] = {
		{ 0x0303, 0xc013, false }, { 0x0303, 0xc013, true }, { 0x0303, 0xc028, false },
		{ 0x0303, 0x003c, true }, { 0x0302, 0x0035, false }, { 0x0301, 0x002f, false },
		{ 0x0301, 0x0035, true },
	};
	static const uint8_t content[] = "hello, padding";
	uint8_t ms[48], cr[32], sr[32], rec[700], out[700];
	memset(ms, 0x11, sizeof ms);
	memset(cr, 0x22, sizeof cr);
	memset(sr, 0x33, sizeof sr);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct cbc_case *t = &cases[i];
		struct td_tls12_keys k;
		CU_ASSERT_EQUAL_FATAL(td_tls12_keys_init(&k, t->version, t->suite, ms, 48, cr, sr, t->etm,
							 TD_TLS12_CLIENT_WRITE), TD_OK);
		size_t inner = t->etm ? 0 : k.mac_len;
		for (size_t clen = 0; clen <= 14; clen += 7) {
			size_t pad = (32 - (clen + inner + 1) % 16) % 16;
			/* The good record opens: minimal, then 64 more bytes of padding. */
			for (size_t extra = 0; extra <= 64; extra += 64) {
				size_t n = seal_cbc(&k, content, clen, pad + extra, GOOD, rec);
				size_t outlen = sizeof out;
				CU_ASSERT_EQUAL(td_tls12_decrypt(&k, rec, rec + 5, n - 5, out, &outlen), TD_OK);
				CU_ASSERT_EQUAL(outlen, clen);
				CU_ASSERT_EQUAL(memcmp(out, content, clen), 0);
			}
			/* Flawed padding under a valid MAC fails; the state stays. */
			for (int f = BAD_PAD_BYTE; f <= PAD_TOO_LONG; f++) {
				size_t p = f == BAD_PAD_BYTE && pad == 0 ? 16 : pad;
				size_t n = seal_cbc(&k, content, clen, p, (enum flaw)f, rec);
				uint64_t seq = k.seq;
				uint8_t iv[16];
				memcpy(iv, k.iv, sizeof iv);
				memset(out, 0xaa, sizeof out);
				size_t outlen = sizeof out;
				CU_ASSERT_EQUAL(td_tls12_decrypt(&k, rec, rec + 5, n - 5, out, &outlen),
						TD_ERR_MALFORMED);
				CU_ASSERT_EQUAL(outlen, 0);
				CU_ASSERT_EQUAL(k.seq, seq);
				CU_ASSERT_EQUAL(memcmp(k.iv, iv, sizeof iv), 0);
				CU_ASSERT_TRUE(clen == 0 || memcmp(out, content, clen) != 0);
			}
		}
		/* The longest padding (256 bytes of 0xff) is valid. */
		size_t clen = (16 - (inner + 256) % 16) % 16;
		size_t n = seal_cbc(&k, content, clen, 255, GOOD, rec);
		size_t outlen = sizeof out;
		CU_ASSERT_EQUAL(td_tls12_decrypt(&k, rec, rec + 5, n - 5, out, &outlen), TD_OK);
		CU_ASSERT_EQUAL(outlen, clen);
		CU_ASSERT_EQUAL(memcmp(out, content, clen), 0);
		td_tls12_keys_cleanup(&k);
	}
}

/* An empty AES-GCM record (legal: RFC 5246 6.2.1 allows empty
 * application data fragments) and one with content. */
static void test_gcm_empty_record(void)
{
	uint8_t ms[48], cr[32], sr[32];
	memset(ms, 0x44, sizeof ms);
	memset(cr, 0x55, sizeof cr);
	memset(sr, 0x66, sizeof sr);
	struct td_tls12_keys k;
	CU_ASSERT_EQUAL_FATAL(td_tls12_keys_init(&k, 0x0303, 0xc030, ms, 48, cr, sr, false,
						 TD_TLS12_SERVER_WRITE), TD_OK);
	for (size_t clen = 0; clen <= 5; clen += 5) {
		static const uint8_t content[] = "hello";
		uint8_t rec[64], nonce[12], aad[13], out[64];
		size_t body = 8 + clen + 16;
		rec[0] = 23;
		rec[1] = 3;
		rec[2] = 3;
		rec[3] = 0;
		rec[4] = (uint8_t)body;
		for (int i = 0; i < 8; i++)
			rec[5 + i] = (uint8_t)(0xe0 + i);
		memcpy(nonce, k.iv, 4);
		memcpy(nonce + 4, rec + 5, 8);
		put_mac_header(aad, k.seq, 23, 0x0303, clen);
		Aes aes;
		if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0 || wc_AesGcmSetKey(&aes, k.key, 32) != 0 ||
		    wc_AesGcmEncrypt(&aes, rec + 13, content, (word32)clen, nonce, 12, rec + 13 + clen, 16,
				     aad, 13) != 0)
			abort();
		wc_AesFree(&aes);
		size_t outlen = sizeof out;
		CU_ASSERT_EQUAL(td_tls12_decrypt(&k, rec, rec + 5, body, out, &outlen), TD_OK);
		CU_ASSERT_EQUAL(outlen, clen);
		CU_ASSERT_EQUAL(memcmp(out, content, clen), 0);
	}
	CU_ASSERT_EQUAL(k.seq, 2);
	td_tls12_keys_cleanup(&k);
}

/* The master secret found through keylog.h, as the engine will find it:
 * by the CLIENT_RANDOM label and the ClientHello's random. */
static void test_with_keylog(void)
{
	const struct capture *c = capture_named("chacha");
	char line[256];
	int n = snprintf(line, sizeof line, "# test\nCLIENT_RANDOM %s %s\n", c->client_random, c->master);
	CU_ASSERT_TRUE_FATAL(n > 0 && (size_t)n < sizeof line);
	struct td_keylog *kl = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(kl);
	CU_ASSERT_EQUAL_FATAL(td_keylog_add_text(kl, line, (size_t)n), TD_OK);
	uint8_t cr[32], sr[32], out[64];
	td_test_unhex(c->client_random, cr, sizeof cr);
	td_test_unhex(c->server_random, sr, sizeof sr);
	size_t slen = 0;
	const uint8_t *ms = td_keylog_find(kl, TD_KEYLOG_CLIENT_RANDOM, cr, &slen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ms);
	CU_ASSERT_EQUAL(slen, TD_TLS12_MASTER_LEN);
	struct td_tls12_keys k;
	CU_ASSERT_EQUAL_FATAL(td_tls12_keys_init(&k, c->version, c->suite, ms, slen, cr, sr, false,
						 TD_TLS12_SERVER_WRITE), TD_OK);
	struct wire w = wire_from_hex(c->server[0].record);
	size_t outlen = sizeof out;
	CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_OK);
	CU_ASSERT_EQUAL(outlen, 16);
	CU_ASSERT_EQUAL(out[0], 20);    /* finished */
	CU_ASSERT_EQUAL(out[3], 12);    /* verify_data length */
	free(w.rec);
	td_tls12_keys_cleanup(&k);
	td_keylog_free(kl);
}

void td_suite_crypto12(void)
{
	CU_pSuite s = td_test_suite("crypto12");
	td_test_add(s, "suites", test_suites);
	td_test_add(s, "suite_table", test_suite_table);
	td_test_add(s, "prf_vectors", test_prf_vectors);
	td_test_add(s, "key_block", test_key_block);
	td_test_add(s, "capture_records", test_capture_records);
	td_test_add(s, "tampered", test_tampered);
	td_test_add(s, "wrong_keys", test_wrong_keys);
	td_test_add(s, "truncation", test_truncation);
	td_test_add(s, "caps_and_usage", test_caps_and_usage);
	td_test_add(s, "cbc_padding", test_cbc_padding);
	td_test_add(s, "gcm_empty_record", test_gcm_empty_record);
	td_test_add(s, "with_keylog", test_with_keylog);
	td_test_add(s, "skip (records passed over)", test_skip);
}
