/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_crypto.c - TLS 1.3 traffic keys and record decryption (tls_crypto.h).
 *
 * Vectors:
 *  - RFC 8448 section 3 ("Simple 1-RTT Handshake", TLS_AES_128_GCM_SHA256):
 *    traffic secrets, the published keys and IVs, the server's protected
 *    handshake flight, the client's Finished and the server's application
 *    data record at sequence 1.
 *  - TLS_CHACHA20_POLY1305_SHA256: captures/tls13-mtls-ok.pcap and its key
 *    log (frame 6: EncryptedExtensions, CertificateRequest; frame 15: the
 *    server's close_notify), as tshark decrypts them with the same key log.
 *  - TLS_AES_256_GCM_SHA384, TLS_AES_128_CCM_SHA256 and
 *    TLS_AES_128_CCM_8_SHA256: real records captured on loopback between
 *    OpenSSL 3.0 s_server and s_client (-keylogfile), each suite forced with
 *    -ciphersuites: the server's EncryptedExtensions (08 00 00 02 00 00)
 *    and the client's first application data ("hi\n"); and, with
 *    TLS_AES_128_GCM_SHA256 and s_client -record_padding 64, the client's
 *    padded application data and close_notify.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keylog.h"
#include "tests.h"
#include "tls_crypto.h"

/* RFC 8448 3: {server} derive secret "tls13 s hs traffic" and keys. */
#define RFC_S_HS_SECRET "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38"
#define RFC_S_HS_KEY    "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc"
#define RFC_S_HS_IV     "5d 31 3e b2 67 12 76 ee 13 00 0b 30"
#define RFC_C_HS_SECRET "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21"
#define RFC_C_HS_KEY    "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01"
#define RFC_C_HS_IV     "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f"
#define RFC_S_AP_SECRET "a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43"
#define RFC_S_AP_KEY    "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56"
#define RFC_S_AP_IV     "cf 78 2b 88 dd 83 54 9a ad f1 e9 84"

/* {server} send handshake record: EE, Certificate, CertificateVerify, Finished. */
static const char rfc_server_flight[] =
	"17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 cc 87 b5 80 23 3f 50 0f 45 e4 89 e7 f3 3a f3 5e"
	"df 78 69 fc f4 0a a4 0a a2 b8 ea 73 f8 48 a7 ca 07 61 2e f9 f9 45 cb 96 0b 40 68 90 51 23 ea 78"
	"b1 11 b4 29 ba 91 91 cd 05 d2 a3 89 28 0f 52 61 34 aa dc 7f c7 8c 4b 72 9d f8 28 b5 ec f7 b1 3b"
	"d9 ae fb 0e 57 f2 71 58 5b 8e a9 bb 35 5c 7c 79 02 07 16 cf b9 b1 18 3e f3 ab 20 e3 7d 57 a6 b9"
	"d7 47 76 09 ae e6 e1 22 a4 cf 51 42 73 25 25 0c 7d 0e 50 92 89 44 4c 9b 3a 64 8f 1d 71 03 5d 2e"
	"d6 5b 0e 3c dd 0c ba e8 bf 2d 0b 22 78 12 cb b3 60 98 72 55 cc 74 41 10 c4 53 ba a4 fc d6 10 92"
	"8d 80 98 10 e4 b7 ed 1a 8f d9 91 f0 6a a6 24 82 04 79 7e 36 a6 a7 3b 70 a2 55 9c 09 ea d6 86 94"
	"5b a2 46 ab 66 e5 ed d8 04 4b 4c 6d e3 fc f2 a8 94 41 ac 66 27 2f d8 fb 33 0e f8 19 05 79 b3 68"
	"45 96 c9 60 bd 59 6e ea 52 0a 56 a8 d6 50 f5 63 aa d2 74 09 96 0d ca 63 d3 e6 88 61 1e a5 e2 2f"
	"44 15 cf 95 38 d5 1a 20 0c 27 03 42 72 96 8a 26 4e d6 54 0c 84 83 8d 89 f7 2c 24 46 1a ad 6d 26"
	"f5 9e ca ba 9a cb bb 31 7b 66 d9 02 f4 f2 92 a3 6a c1 b6 39 c6 37 ce 34 31 17 b6 59 62 22 45 31"
	"7b 49 ee da 0c 62 58 f1 00 d7 d9 61 ff b1 38 64 7e 92 ea 33 0f ae ea 6d fa 31 c7 a8 4d c3 bd 7e"
	"1b 7a 6c 71 78 af 36 87 90 18 e3 f2 52 10 7f 24 3d 24 3d c7 33 9d 56 84 c8 b0 37 8b f3 02 44 da"
	"8c 87 c8 43 f5 e5 6e b4 c5 e8 28 0a 2b 48 05 2c f9 3b 16 49 9a 66 db 7c ca 71 e4 59 94 26 f7 d4"
	"61 e6 6f 99 88 2b d8 9f c5 08 00 be cc a6 2d 6c 74 11 6d bd 29 72 fd a1 fa 80 f8 5d f8 81 ed be"
	"5a 37 66 89 36 b3 35 58 3b 59 91 86 dc 5c 69 18 a3 96 fa 48 a1 81 d6 b6 fa 4f 9d 62 d5 13 af bb"
	"99 2f 2b 99 2f 67 f8 af e6 7f 76 91 3f a3 88 cb 56 30 c8 ca 01 e0 c6 5d 11 c6 6a 1e 2a c4 c8 59"
	"77 b7 c7 a6 99 9b bf 10 dc 35 ae 69 f5 51 56 14 63 6c 0b 9b 68 c1 9e d2 e3 1c 0b 3b 66 76 30 38"
	"eb ba 42 f3 b3 8e dc 03 99 f3 a9 f2 3f aa 63 97 8c 31 7f c9 fa 66 a7 3f 60 f0 50 4d e9 3b 5b 84"
	"5e 27 55 92 c1 23 35 ee 34 0b bc 4f dd d5 02 78 40 16 e4 b3 be 7e f0 4d da 49 f4 b4 40 a3 0c b5"
	"d2 af 93 98 28 fd 4a e3 79 4e 44 f9 4d f5 a6 31 ed e4 2c 17 19 bf da bf 02 53 fe 51 75 be 89 8e"
	"75 0e dc 53 37 0d 2b";

/* The plaintext EncryptedExtensions at the start of the flight, and the
 * server Finished at its end (RFC 8448 3). */
static const char rfc_ee[] =
	"08 00 00 24 00 22 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 1c"
	"00 02 40 01 00 00 00 00";
static const char rfc_server_finished[] =
	"14 00 00 20 9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c 30 95 72 cb 7f ff ee 54 54"
	"b7 8f 07 18";

/* {client} send handshake record: Finished. */
static const char rfc_client_finished[] =
	"17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a 4b fc"
	"44 d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac ab 68 67 d7 26 c4 05 46";

/* {server} send application_data record (sequence 1, after a NewSessionTicket). */
static const char rfc_server_appdata[] =
	"17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa 1b 36"
	"e3 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54"
	"0d d0 32 e1 67 c2 95 5d";

struct derive_vec {
	uint16_t suite;
	const char *secret, *key, *iv;
};

static void test_rfc8448_traffic_keys(void)
{
	static const struct derive_vec v[] = {
		{ 0x1301, RFC_S_HS_SECRET, RFC_S_HS_KEY, RFC_S_HS_IV },
		{ 0x1301, RFC_C_HS_SECRET, RFC_C_HS_KEY, RFC_C_HS_IV },
		{ 0x1301, RFC_S_AP_SECRET, RFC_S_AP_KEY, RFC_S_AP_IV },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		uint8_t secret[48], key[32], iv[12];
		size_t slen = td_test_unhex(v[i].secret, secret, sizeof secret);
		size_t klen = td_test_unhex(v[i].key, key, sizeof key);
		CU_ASSERT_EQUAL(td_test_unhex(v[i].iv, iv, sizeof iv), 12);
		struct td_tls13_keys k;
		CU_ASSERT_EQUAL_FATAL(td_tls13_keys_init(&k, v[i].suite, secret, slen), TD_OK);
		CU_ASSERT_EQUAL(k.key_len, klen);
		CU_ASSERT_EQUAL(memcmp(k.key, key, klen), 0);
		CU_ASSERT_EQUAL(memcmp(k.iv, iv, 12), 0);
		CU_ASSERT_EQUAL(k.seq, 0);
		td_tls13_keys_cleanup(&k);
	}
}

static void test_hkdf_expand_label(void)
{
	/* RFC 8448 3: {server} derive write traffic keys, key info
	 * 00 10 09 "tls13 key" 00 -> the key above; via the generic call. */
	uint8_t secret[32], want[16], got[16];
	td_test_unhex(RFC_S_HS_SECRET, secret, sizeof secret);
	td_test_unhex(RFC_S_HS_KEY, want, sizeof want);
	CU_ASSERT_EQUAL(td_hkdf_expand_label(TD_HASH_SHA256, secret, 32, "key", NULL, 0, got, 16), TD_OK);
	CU_ASSERT_EQUAL(memcmp(got, want, 16), 0);
	/* A different label gives different bytes. */
	CU_ASSERT_EQUAL(td_hkdf_expand_label(TD_HASH_SHA256, secret, 32, "kez", NULL, 0, got, 16), TD_OK);
	CU_ASSERT_NOT_EQUAL(memcmp(got, want, 16), 0);
	/* Labels past 255 - "tls13 " are refused. */
	char longlabel[300];
	memset(longlabel, 'a', sizeof longlabel - 1);
	longlabel[sizeof longlabel - 1] = 0;
	CU_ASSERT_EQUAL(td_hkdf_expand_label(TD_HASH_SHA256, secret, 32, longlabel, NULL, 0, got, 16),
			TD_ERR_USAGE);
}

static void test_suites(void)
{
	const struct td_tls13_suite *s = td_tls13_suite_find(0x1302);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->key_len, 32);
	CU_ASSERT_EQUAL(s->hash_len, 48);
	s = td_tls13_suite_find(0x1305);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->tag_len, 8);
	CU_ASSERT_STRING_EQUAL(s->name, "TLS_AES_128_CCM_8_SHA256");
	CU_ASSERT_PTR_NULL(td_tls13_suite_find(0xc02f));
	CU_ASSERT_PTR_NULL(td_tls13_suite_find(0x1306));

	struct td_tls13_keys k;
	uint8_t secret[48] = { 0 };
	CU_ASSERT_EQUAL(td_tls13_keys_init(&k, 0xc02f, secret, 32), TD_ERR_UNSUPPORTED);
	CU_ASSERT_EQUAL(td_tls13_keys_init(&k, 0x1302, secret, 32), TD_ERR_USAGE); /* SHA-384 wants 48 */
	CU_ASSERT_EQUAL(td_tls13_keys_init(&k, 0x1301, secret, 48), TD_ERR_USAGE);
}

/* One record: decrypt at seq with keys from secret; check type and prefix. */
struct rec_vec {
	const char *name;
	uint16_t suite;
	const char *secret;
	uint64_t seq;
	const char *record;     /* header + body */
	uint8_t inner_type;
	size_t content_len;
	const char *prefix;     /* the first bytes of the content */
};

/* Decrypt one vector; returns the result and leaves the content in out. */
static enum td_result run_vec(const struct rec_vec *v, uint8_t *out, size_t *outlen, uint8_t *type,
			      uint64_t *seq_after, int tamper)
{
	static uint8_t rec[20000];
	uint8_t secret[48];
	size_t slen = td_test_unhex(v->secret, secret, sizeof secret);
	size_t rlen = td_test_unhex(v->record, rec, sizeof rec);
	if (rlen < 5)
		abort();
	if (tamper)
		rec[rlen - 1] ^= 0x01;  /* the last byte is in the tag */
	struct td_tls13_keys k;
	enum td_result rc = td_tls13_keys_init(&k, v->suite, secret, slen);
	if (rc != TD_OK)
		return rc;
	k.seq = v->seq;
	rc = td_tls13_decrypt(&k, rec, rec + 5, rlen - 5, out, outlen, type);
	*seq_after = k.seq;
	td_tls13_keys_cleanup(&k);
	return rc;
}

static const struct rec_vec vectors[] = {
	{ "rfc8448 server flight", 0x1301, RFC_S_HS_SECRET, 0, rfc_server_flight, 22, 657,
	  "08 00 00 24 00 22 00 0a" },
	{ "rfc8448 client finished", 0x1301, RFC_C_HS_SECRET, 0, rfc_client_finished, 22, 36,
	  "14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03" },
	{ "rfc8448 server appdata seq 1", 0x1301, RFC_S_AP_SECRET, 1, rfc_server_appdata, 23, 50,
	  "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f"
	  "20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31" },
	/* tls13-mtls-ok.pcap frame 6, ChaCha20-Poly1305. */
	{ "chacha20 EncryptedExtensions", 0x1303,
	  "531567bc2e4027c11b1f8d1cdbe5659298634dbe8839c1f6fdffd358705fa4e5", 0,
	  "1703030017f128cc81585485c8afdb5e92cd8dc70376f1ce87684e68", 22, 6, "08 00 00 02 00 00" },
	{ "chacha20 CertificateRequest seq 1", 0x1303,
	  "531567bc2e4027c11b1f8d1cdbe5659298634dbe8839c1f6fdffd358705fa4e5", 1,
	  "170303006ec054c174fbac3ed8d8c1612a511cd12b8e37860d52c7dc20843ea25c29e853b3dc21145ad605f691"
	  "2704c30037d8f4dd4277eefa9f6f87fa05c6670c4ac5d3e2862d8fcc0297d295c6b9dccb802cd8fa1e3ee8a854f6"
	  "fb089296b809c00cd3b983780340607e811b0b34ea19ca35", 22, 93,
	  "0d 00 00 59 00 00 56 00 0d 00 22" },
	/* tls13-mtls-ok.pcap frame 15: close_notify under SERVER_TRAFFIC_SECRET_0,
	 * after two NewSessionTickets and one application data record. */
	{ "chacha20 alert seq 3", 0x1303,
	  "d1782d4958b29dc69d038f9ff53a1b356b1129204a28322dcbfc7b6db3ce0666", 3,
	  "170303001387af8ac9094278c3ca095d83cb174a0a367d72", 21, 2, "01 00" },
	/* Loopback captures, OpenSSL 3.0. */
	{ "aes256gcm EncryptedExtensions", 0x1302,
	  "6ae9c06c51be06459572e90c73140c455741786445bc1c855ed7a32f8f9adb8fc27b3195dcc3c87729bdf10e2fde79d6", 0,
	  "1703030017540210dcb5e04a9fcdc962a5b6b9b7a02f08b0a16ca7d6", 22, 6, "08 00 00 02 00 00" },
	{ "aes256gcm client appdata", 0x1302,
	  "cf5d4cc509e7341a010f370b70302ad48d08d55e4148bca0969c47d80a772beddc42105ee363bb74d5ecb3f2baa8a9b2", 0,
	  "1703030014065bb42d9134931c22bbfd7dab9bbae2c07e4ac2", 23, 3, "68 69 0a" },
	{ "aes128ccm EncryptedExtensions", 0x1304,
	  "8bc124dbbaa6fb280bbf575ac8b43f51ba12a7eebf14fc06b7eb2ca218048ce3", 0,
	  "170303001764fd95a99b094aba0aca5ba691f35cc5dc54ddcc2612cb", 22, 6, "08 00 00 02 00 00" },
	{ "aes128ccm client appdata", 0x1304,
	  "4b3878d663c47059cee3147c6d15b99bc75aefb9b8c4997edb438268f8847336", 0,
	  "17030300145ea7963dd22126ab97c976f527820116a3dd2320", 23, 3, "68 69 0a" },
	{ "aes128ccm8 EncryptedExtensions", 0x1305,
	  "3f5f2328a6259894e9414d206f88949f09e6be178951c3a2f6236988bc413423", 0,
	  "170303000fa52ef7242a9eed0de4d0a33a927e63", 22, 6, "08 00 00 02 00 00" },
	{ "aes128ccm8 client appdata", 0x1305,
	  "4c055d9cba2b1c537f734e293e499023acc99ecdd1a0b0094548082f07b83fd5", 0,
	  "170303000c443cea86100d07f24a1ec7e8", 23, 3, "68 69 0a" },
	/* s_client -record_padding 64: content, type, then zeros up to 64 bytes. */
	{ "padded client appdata", 0x1301,
	  "c1c58342e9732c1b081f172c92a91a34dcc25f08720a6876ff2dcdaabe1c831f", 0,
	  "17030300507c06a3066bb9b086d06a733f247cb6664eaa665832f21816f0726a745c1a22c4aafc3f9805a62c69"
	  "2098fdb1a339ae3af347f0c74e4b8aac317d8ba9e1a608f40eb592e50256a004eeb986e753f1e2ed", 23, 3, "68 69 0a" },
	{ "padded client alert seq 1", 0x1301,
	  "c1c58342e9732c1b081f172c92a91a34dcc25f08720a6876ff2dcdaabe1c831f", 1,
	  "1703030050060c8c2938581f7453a132c351f339569a624c38ae935295143654a70f03340447edd1472b43f606"
	  "c850682e2246fe4301e0d1461dcdf9e42a4459da6bd8473aa6d193222d42c02f4752aa9064ab9e3e", 21, 2, "01 00" },
};

static void test_decrypt_vectors(void)
{
	static uint8_t out[20000];
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		const struct rec_vec *v = &vectors[i];
		uint8_t want[64];
		size_t wlen = td_test_unhex(v->prefix, want, sizeof want);
		size_t outlen = sizeof out;
		uint8_t type = 0;
		uint64_t seq = 0;
		enum td_result rc = run_vec(v, out, &outlen, &type, &seq, 0);
		if (rc != TD_OK)
			fprintf(stderr, "\n%s: %s\n", v->name, td_result_str(rc));
		CU_ASSERT_EQUAL(rc, TD_OK);
		CU_ASSERT_EQUAL(type, v->inner_type);
		CU_ASSERT_EQUAL(outlen, v->content_len);
		CU_ASSERT_EQUAL(seq, v->seq + 1);
		CU_ASSERT_TRUE(outlen >= wlen && memcmp(out, want, wlen) == 0);
	}
}

static void test_decrypt_tampered(void)
{
	static uint8_t out[20000];
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		const struct rec_vec *v = &vectors[i];
		size_t outlen = sizeof out;
		uint8_t type = 0xff;
		uint64_t seq = 0;
		CU_ASSERT_EQUAL(run_vec(v, out, &outlen, &type, &seq, 1), TD_ERR_MALFORMED);
		CU_ASSERT_EQUAL(seq, v->seq);   /* not advanced */
		CU_ASSERT_EQUAL(outlen, 0);
		CU_ASSERT_EQUAL(type, 0);
	}
}

static void test_decrypt_wrong_seq_and_key(void)
{
	static uint8_t rec[1024], out[1024];
	uint8_t secret[32];
	size_t rlen = td_test_unhex(rfc_server_appdata, rec, sizeof rec);
	td_test_unhex(RFC_S_AP_SECRET, secret, sizeof secret);
	struct td_tls13_keys k;
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_init(&k, 0x1301, secret, 32), TD_OK);
	size_t outlen = sizeof out;
	uint8_t type;
	/* seq 0 is the wrong nonce for this record: fails, seq stays 0. */
	CU_ASSERT_EQUAL(td_tls13_decrypt(&k, rec, rec + 5, rlen - 5, out, &outlen, &type), TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(k.seq, 0);
	k.seq = 1;
	outlen = sizeof out;
	CU_ASSERT_EQUAL(td_tls13_decrypt(&k, rec, rec + 5, rlen - 5, out, &outlen, &type), TD_OK);
	CU_ASSERT_EQUAL(k.seq, 2);
	/* The same record again (now seq 2) must not authenticate. */
	outlen = sizeof out;
	CU_ASSERT_EQUAL(td_tls13_decrypt(&k, rec, rec + 5, rlen - 5, out, &outlen, &type), TD_ERR_MALFORMED);
	/* Output buffer too small. */
	k.seq = 1;
	outlen = 10;
	CU_ASSERT_EQUAL(td_tls13_decrypt(&k, rec, rec + 5, rlen - 5, out, &outlen, &type), TD_ERR_USAGE);
	/* Header length that does not match the body. */
	outlen = sizeof out;
	CU_ASSERT_EQUAL(td_tls13_decrypt(&k, rec, rec + 5, rlen - 6, out, &outlen, &type), TD_ERR_MALFORMED);
	/* Shorter than a tag, and empty. */
	uint8_t hdr[5] = { 0x17, 0x03, 0x03, 0x00, 0x0f };
	outlen = sizeof out;
	CU_ASSERT_EQUAL(td_tls13_decrypt(&k, hdr, rec + 5, 15, out, &outlen, &type), TD_ERR_MALFORMED);
	hdr[4] = 0;
	outlen = sizeof out;
	CU_ASSERT_EQUAL(td_tls13_decrypt(&k, hdr, rec + 5, 0, out, &outlen, &type), TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(k.seq, 1);
	/* Under the client's keys the server's record fails. */
	td_test_unhex(RFC_C_HS_SECRET, secret, sizeof secret);
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_init(&k, 0x1301, secret, 32), TD_OK);
	k.seq = 1;
	outlen = sizeof out;
	CU_ASSERT_EQUAL(td_tls13_decrypt(&k, rec, rec + 5, rlen - 5, out, &outlen, &type), TD_ERR_MALFORMED);
	td_tls13_keys_cleanup(&k);
}

static void test_rfc8448_flight_content(void)
{
	/* The whole flight: EE first, server Finished last. */
	static uint8_t out[1024];
	uint8_t ee[64], fin[64];
	size_t ee_len = td_test_unhex(rfc_ee, ee, sizeof ee);
	size_t fin_len = td_test_unhex(rfc_server_finished, fin, sizeof fin);
	size_t outlen = sizeof out;
	uint8_t type;
	uint64_t seq;
	CU_ASSERT_EQUAL_FATAL(run_vec(&vectors[0], out, &outlen, &type, &seq, 0), TD_OK);
	CU_ASSERT_EQUAL_FATAL(outlen, 657);
	CU_ASSERT_EQUAL(memcmp(out, ee, ee_len), 0);
	CU_ASSERT_EQUAL(memcmp(out + outlen - fin_len, fin, fin_len), 0);
}

/* The secret comes from the lab key log through keylog.h, as the engine
 * will look it up: by label and the ClientHello's random. */
static void test_chacha_with_lab_keylog(void)
{
	char path[4200], err[256] = "";
	snprintf(path, sizeof path, "%s/../../../captures/tls13-mtls-ok.keylog", td_test_datadir());
	struct td_keylog *kl = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(kl);
	CU_ASSERT_EQUAL_FATAL(td_keylog_load_file(kl, path, err, sizeof err), TD_OK);
	uint8_t cr[32];
	td_test_unhex("999ec551798c7dbef987202c17fc9532bea256d203ee9c33289f7a289bfc7083", cr, sizeof cr);
	size_t slen = 0;
	const uint8_t *secret = td_keylog_find(kl, TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, cr, &slen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(secret);
	CU_ASSERT_EQUAL(slen, 32);
	uint8_t rec[64], out[64];
	size_t rlen = td_test_unhex(vectors[3].record, rec, sizeof rec);
	struct td_tls13_keys k;
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_init(&k, 0x1303, secret, slen), TD_OK);
	size_t outlen = sizeof out;
	uint8_t type = 0;
	CU_ASSERT_EQUAL(td_tls13_decrypt(&k, rec, rec + 5, rlen - 5, out, &outlen, &type), TD_OK);
	CU_ASSERT_EQUAL(type, 22);
	CU_ASSERT_EQUAL(outlen, 6);
	CU_ASSERT_EQUAL(out[0], 8);     /* encrypted_extensions */
	/* The client's handshake secret does not open the server's record. */
	secret = td_keylog_find(kl, TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, cr, &slen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(secret);
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_init(&k, 0x1303, secret, slen), TD_OK);
	outlen = sizeof out;
	CU_ASSERT_EQUAL(td_tls13_decrypt(&k, rec, rec + 5, rlen - 5, out, &outlen, &type), TD_ERR_MALFORMED);
	td_tls13_keys_cleanup(&k);
	td_keylog_free(kl);
}

/* Every prefix of a record body fails cleanly (never reads past len). */
static void test_decrypt_truncation(void)
{
	static uint8_t rec[1024], out[1024];
	uint8_t secret[32];
	size_t rlen = td_test_unhex(rfc_client_finished, rec, sizeof rec);
	td_test_unhex(RFC_C_HS_SECRET, secret, sizeof secret);
	struct td_tls13_keys k;
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_init(&k, 0x1301, secret, 32), TD_OK);
	for (size_t n = 0; n < rlen - 5; n++) {
		uint8_t hdr[5] = { 0x17, 0x03, 0x03, (uint8_t)(n >> 8), (uint8_t)n };
		uint8_t *body = malloc(n ? n : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(body);
		memcpy(body, rec + 5, n);
		size_t outlen = sizeof out;
		uint8_t type;
		CU_ASSERT_EQUAL(td_tls13_decrypt(&k, hdr, body, n, out, &outlen, &type), TD_ERR_MALFORMED);
		free(body);
	}
	CU_ASSERT_EQUAL(k.seq, 0);
	td_tls13_keys_cleanup(&k);
}

void td_suite_crypto(void)
{
	CU_pSuite s = td_test_suite("crypto");
	td_test_add(s, "suites", test_suites);
	td_test_add(s, "hkdf_expand_label", test_hkdf_expand_label);
	td_test_add(s, "rfc8448_traffic_keys", test_rfc8448_traffic_keys);
	td_test_add(s, "rfc8448_flight_content", test_rfc8448_flight_content);
	td_test_add(s, "decrypt_vectors", test_decrypt_vectors);
	td_test_add(s, "decrypt_tampered", test_decrypt_tampered);
	td_test_add(s, "decrypt_wrong_seq_and_key", test_decrypt_wrong_seq_and_key);
	td_test_add(s, "decrypt_truncation", test_decrypt_truncation);
	td_test_add(s, "chacha_with_lab_keylog", test_chacha_with_lab_keylog);
}
