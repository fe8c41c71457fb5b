/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ja4.c - the JA4 client fingerprint (src/tls/ja4.c) against the
 * worked example and the rules of FoxIO's specification
 * (technical_details/JA4.md), and the ClientHello's ECH extension read
 * by the hello decoder (src/tls/hello.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "ja4.h"
#include "tests.h"
#include "tls_handshake.h"
#include "tls_names.h"

static void add_all(struct td_u16list *l, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(l, v[i]), TD_OK);
}

#define ADD(l, ...) do { \
	static const uint16_t v_[] = { __VA_ARGS__ }; \
	add_all((l), v_, sizeof v_ / sizeof v_[0]); \
} while (0)

/* The specification's example ClientHello ("Cipher hash", "Extension
 * hash", "Example"): 15 suites, 16 extensions, SNI, ALPN h2, TLS 1.3. */
static void spec_hello(struct td_client_hello *ch, bool grease)
{
	memset(ch, 0, sizeof *ch);
	ch->present = true;
	ch->legacy_version = TD_VERSION_TLS12;
	if (grease)
		ADD(&ch->suites, 0x3a3a);
	ADD(&ch->suites, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
	    0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035);
	if (grease)
		ADD(&ch->extensions, 0xdada);
	ADD(&ch->extensions, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
	    0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015);
	if (grease)
		ADD(&ch->extensions, 0x1a1a);
	if (grease)
		ADD(&ch->sig_algs, 0x0a0a);
	ADD(&ch->sig_algs, 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601);
	if (grease)
		ADD(&ch->versions, 0x7a7a);
	ADD(&ch->versions, 0x0304, 0x0303);
	ch->sni = strdup("example.com");
	CU_ASSERT_EQUAL_FATAL(td_strlist_add(&ch->alpn, "h2"), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_strlist_add(&ch->alpn, "http/1.1"), TD_OK);
	ch->alpn_ends[0] = 'h';
	ch->alpn_ends[1] = '2';
}

static const char spec_ja4[] = "t13d1516h2_8daaf6152771_e5627efa2ab1";
static const char spec_ja4_r[] =
	"t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
	"0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
	"0403,0804,0401,0503,0805,0501,0806,0601";

static void test_spec_example(void)
{
	struct td_client_hello ch;
	spec_hello(&ch, false);
	CU_ASSERT_EQUAL(td_ja4_compute(&ch, false), TD_OK);
	CU_ASSERT_STRING_EQUAL(ch.ja4, spec_ja4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ch.ja4_r);
	CU_ASSERT_STRING_EQUAL(ch.ja4_r, spec_ja4_r);
	CU_ASSERT_EQUAL(strlen(ch.ja4), TD_JA4_LEN);
	/* Computing again replaces the raw form (no leak under ASan). */
	CU_ASSERT_EQUAL(td_ja4_compute(&ch, true), TD_OK);
	CU_ASSERT_STRING_EQUAL(ch.ja4, "q13d1516h2_8daaf6152771_e5627efa2ab1");
	CU_ASSERT_EQUAL(ch.ja4_r[0], 'q');
	td_client_hello_cleanup(&ch);
}

/* GREASE anywhere changes nothing (specification: "ignore GREASE values
 * anywhere"): not the counts, not the lists, not the version. */
static void test_grease_ignored(void)
{
	struct td_client_hello ch;
	spec_hello(&ch, true);
	CU_ASSERT_EQUAL(td_ja4_compute(&ch, false), TD_OK);
	CU_ASSERT_STRING_EQUAL(ch.ja4, spec_ja4);
	CU_ASSERT_STRING_EQUAL(ch.ja4_r, spec_ja4_r);
	td_client_hello_cleanup(&ch);
}

/* No signature algorithms: the extension list alone, without an
 * underscore (the specification's "= 6d807ffa2a79"). */
static void test_no_sigalgs(void)
{
	struct td_client_hello ch;
	spec_hello(&ch, false);
	td_u16list_cleanup(&ch.sig_algs);
	CU_ASSERT_EQUAL(td_ja4_compute(&ch, false), TD_OK);
	CU_ASSERT_STRING_EQUAL(ch.ja4, "t13d1516h2_8daaf6152771_6d807ffa2a79");
	CU_ASSERT_STRING_EQUAL(ch.ja4_r + strlen(ch.ja4_r) - 5, ",ff01");
	td_client_hello_cleanup(&ch);
}

/* Empty lists hash to twelve zeros; no SNI is "i"; no ALPN is "00"; the
 * legacy version counts without supported_versions. */
static void test_empty_parts(void)
{
	struct td_client_hello ch;
	memset(&ch, 0, sizeof ch);
	ch.present = true;
	ch.legacy_version = TD_VERSION_TLS10;
	CU_ASSERT_EQUAL(td_ja4_compute(&ch, false), TD_OK);
	CU_ASSERT_STRING_EQUAL(ch.ja4, "t10i000000_000000000000_000000000000");
	CU_ASSERT_STRING_EQUAL(ch.ja4_r, "t10i000000__");
	/* Only SNI and ALPN: counted in part a, nothing left to hash. */
	ADD(&ch.extensions, 0x0000, 0x0010);
	ADD(&ch.suites, 0x002f);
	CU_ASSERT_EQUAL(td_strlist_add(&ch.alpn, "x"), TD_OK);
	ch.alpn_ends[0] = ch.alpn_ends[1] = 'x';
	CU_ASSERT_EQUAL(td_ja4_compute(&ch, false), TD_OK);
	CU_ASSERT_EQUAL(strncmp(ch.ja4, "t10d0102xx_", 11), 0);
	CU_ASSERT_STRING_EQUAL(ch.ja4 + 24, "000000000000");
	td_client_hello_cleanup(&ch);
	/* An absent or SSLv2-compatible hello has none. */
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_EQUAL(td_ja4_compute(&ch, false), TD_OK);
	CU_ASSERT_STRING_EQUAL(ch.ja4, "");
	CU_ASSERT_PTR_NULL(ch.ja4_r);
	ch.present = ch.sslv2 = true;
	ADD(&ch.suites, 0x002f);
	CU_ASSERT_EQUAL(td_ja4_compute(&ch, false), TD_OK);
	CU_ASSERT_STRING_EQUAL(ch.ja4, "");
	td_client_hello_cleanup(&ch);
}

/* The version: the highest of supported_versions (GREASE aside), else
 * legacy_version; the specification's table, "00" for anything else. */
static void test_versions(void)
{
	static const struct {
		uint16_t legacy;
		uint16_t sv[3];
		size_t n;
		const char *want;
	} cases[] = {
		{ 0x0303, { 0 }, 0, "12" },
		{ 0x0302, { 0 }, 0, "11" },
		{ 0x0300, { 0 }, 0, "s3" },
		{ 0x0002, { 0 }, 0, "s2" },
		{ 0xfeff, { 0 }, 0, "d1" },
		{ 0xfefd, { 0 }, 0, "d2" },
		{ 0x0303, { 0xfefc }, 1, "d3" },
		{ 0x0303, { 0x0a0a, 0x0303, 0x0304 }, 3, "13" },
		{ 0x0301, { 0x0302, 0x0303, 0x3a3a }, 3, "12" },
		{ 0x0303, { 0x7f17 }, 1, "00" },   /* a draft: not in the table */
		{ 0x1234, { 0 }, 0, "00" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct td_client_hello ch;
		memset(&ch, 0, sizeof ch);
		ch.present = true;
		ch.legacy_version = cases[i].legacy;
		if (cases[i].n) {
			ADD(&ch.extensions, 0x002b);
			add_all(&ch.versions, cases[i].sv, cases[i].n);
		}
		CU_ASSERT_EQUAL(td_ja4_compute(&ch, false), TD_OK);
		CU_ASSERT_EQUAL(strncmp(ch.ja4 + 1, cases[i].want, 2), 0);
		td_client_hello_cleanup(&ch);
	}
}

/* Counts stop at 99 (the specification: "> 99 ... output 99"). */
static void test_counts_cap(void)
{
	struct td_client_hello ch;
	memset(&ch, 0, sizeof ch);
	ch.present = true;
	ch.legacy_version = TD_VERSION_TLS12;
	for (uint16_t v = 1; v <= 150; v++) {
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(&ch.suites, v), TD_OK);
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(&ch.extensions, (uint16_t)(0x1000 + v)), TD_OK);
	}
	CU_ASSERT_EQUAL(td_ja4_compute(&ch, false), TD_OK);
	CU_ASSERT_EQUAL(strncmp(ch.ja4, "t12i9999", 8), 0);
	td_client_hello_cleanup(&ch);
}

/* A ClientHello body (RFC 8446 4.1.2) with one suite and an ALPN
 * extension holding `alpn` (alen bytes) as its first name, then "h2". */
static size_t hello_with_alpn(uint8_t *out, const uint8_t *alpn, size_t alen)
{
	size_t n = 0;
	out[n++] = 0x03; out[n++] = 0x03;
	memset(out + n, 0, 32); n += 32;
	out[n++] = 0;                          /* session id */
	out[n++] = 0; out[n++] = 2; out[n++] = 0x13; out[n++] = 0x01;
	out[n++] = 1; out[n++] = 0;            /* compression: null */
	size_t list = 1 + alen + 3;            /* name, then "h2" */
	size_t ext = 2 + list;
	out[n++] = 0; out[n++] = (uint8_t)(4 + ext);
	out[n++] = 0x00; out[n++] = 0x10;      /* ALPN */
	out[n++] = 0; out[n++] = (uint8_t)ext;
	out[n++] = 0; out[n++] = (uint8_t)list;
	out[n++] = (uint8_t)alen;
	memcpy(out + n, alpn, alen); n += alen;
	out[n++] = 2; out[n++] = 'h'; out[n++] = '2';
	return n;
}

/* The ALPN characters, from the bytes as sent (the specification's list
 * of examples): letters and digits as they are, else the first and the
 * last hex digit of the name. */
static void test_alpn_chars(void)
{
	static const struct {
		uint8_t b[4];
		size_t n;
		const char *want;
	} cases[] = {
		{ { 'h', '2' }, 2, "h2" },
		{ { 'h', 't', 't', 'p' }, 4, "hp" },
		{ { 'x' }, 1, "xx" },
		{ { 0xab }, 1, "ab" },
		{ { 0xab, 0xcd }, 2, "ad" },
		{ { 0x30, 0xab }, 2, "3b" },
		{ { 0x30, 0x31, 0xab, 0xcd }, 4, "3d" },
		{ { 0x30, 0xab, 0xcd, 0x31 }, 4, "01" },
		{ { '/', 'a' }, 2, "21" },           /* '/' is 0x2f: not alphanumeric */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t body[128];
		size_t len = hello_with_alpn(body, cases[i].b, cases[i].n);
		struct td_client_hello ch;
		memset(&ch, 0, sizeof ch);
		CU_ASSERT_EQUAL(td_tls_decode_client_hello(body, len, &ch), TD_OK);
		CU_ASSERT_EQUAL(ch.alpn.n, 2);
		CU_ASSERT_EQUAL(td_ja4_compute(&ch, false), TD_OK);
		CU_ASSERT_EQUAL(strncmp(ch.ja4, "t12i0101", 8), 0);
		CU_ASSERT_EQUAL(strncmp(ch.ja4 + 8, cases[i].want, 2), 0);
		td_client_hello_cleanup(&ch);
	}
}

/* A ClientHello with only an encrypted_client_hello extension of the
 * given data. */
static size_t hello_with_ech(uint8_t *out, const uint8_t *data, size_t dlen)
{
	size_t n = 0;
	out[n++] = 0x03; out[n++] = 0x03;
	memset(out + n, 0, 32); n += 32;
	out[n++] = 0;
	out[n++] = 0; out[n++] = 2; out[n++] = 0x13; out[n++] = 0x01;
	out[n++] = 1; out[n++] = 0;
	out[n++] = 0; out[n++] = (uint8_t)(4 + dlen);
	out[n++] = 0xfe; out[n++] = 0x0d;
	out[n++] = 0; out[n++] = (uint8_t)dlen;
	memcpy(out + n, data, dlen);
	return n + dlen;
}

/* ECHClientHello (draft-ietf-tls-esni 5): outer with its fields, inner
 * empty, and every truncation refused without a read past the end. */
static void test_ech_ext(void)
{
	static const uint8_t outer[] = {
		0x00,             /* outer */
		0x00, 0x01,       /* HKDF-SHA256 */
		0x00, 0x03,       /* ChaCha20Poly1305 */
		0x2a,             /* config id 42 */
		0x00, 0x04, 1, 2, 3, 4,       /* enc: 4 bytes */
		0x00, 0x03, 9, 9, 9,          /* payload: 3 bytes */
	};
	uint8_t body[128];
	size_t len = hello_with_ech(body, outer, sizeof outer);
	struct td_client_hello ch;
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(body, len, &ch), TD_OK);
	CU_ASSERT_TRUE(ch.ech);
	CU_ASSERT_TRUE(ch.ech_ext.parsed);
	CU_ASSERT_EQUAL(ch.ech_ext.type, TD_ECH_OUTER);
	CU_ASSERT_EQUAL(ch.ech_ext.kdf_id, 1);
	CU_ASSERT_EQUAL(ch.ech_ext.aead_id, 3);
	CU_ASSERT_EQUAL(ch.ech_ext.config_id, 42);
	CU_ASSERT_EQUAL(ch.ech_ext.enc_len, 4);
	CU_ASSERT_EQUAL(ch.ech_ext.payload_len, 3);
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_HPKE_KDF, 1), "HKDF-SHA256");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_HPKE_AEAD, 3), "ChaCha20Poly1305");
	char buf[16];
	CU_ASSERT_STRING_EQUAL(td_tls_name(TD_REG_HPKE_AEAD, 9, buf, sizeof buf), "0x0009");
	td_client_hello_cleanup(&ch);

	/* Every shorter extension is malformed, the rest of the hello kept. */
	for (size_t cut = 0; cut < sizeof outer; cut++) {
		len = hello_with_ech(body, outer, cut);
		memset(&ch, 0, sizeof ch);
		CU_ASSERT_EQUAL(td_tls_decode_client_hello(body, len, &ch), TD_ERR_MALFORMED);
		CU_ASSERT_TRUE(ch.ech);
		CU_ASSERT_FALSE(ch.ech_ext.parsed);
		CU_ASSERT_EQUAL(ch.suites.n, 1);
		td_client_hello_cleanup(&ch);
	}
	/* An empty payload is malformed too (payload<1..2^16-1>). */
	uint8_t empty[sizeof outer];
	memcpy(empty, outer, sizeof outer);
	empty[13] = 0;
	len = hello_with_ech(body, empty, sizeof outer - 3);
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(body, len, &ch), TD_ERR_MALFORMED);
	td_client_hello_cleanup(&ch);

	/* The inner marker: one byte, nothing after it. */
	static const uint8_t inner[] = { 0x01 };
	len = hello_with_ech(body, inner, sizeof inner);
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(body, len, &ch), TD_OK);
	CU_ASSERT_TRUE(ch.ech_ext.parsed);
	CU_ASSERT_EQUAL(ch.ech_ext.type, TD_ECH_INNER);
	td_client_hello_cleanup(&ch);
}

/* The post-quantum and hybrid groups are named (IANA TLS Supported
 * Groups registry; draft-ietf-tls-ecdhe-mlkem, draft-ietf-tls-mlkem). */
static void test_pq_groups(void)
{
	static const struct { uint16_t v; const char *name; } g[] = {
		{ 0x11ec, "X25519MLKEM768" }, { 0x11eb, "SecP256r1MLKEM768" },
		{ 0x11ed, "SecP384r1MLKEM1024" }, { 0x6399, "X25519Kyber768Draft00" },
		{ 0x0200, "MLKEM512" }, { 0x0201, "MLKEM768" }, { 0x0202, "MLKEM1024" },
	};
	for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
		const char *n = td_tls_lookup(TD_REG_GROUP, g[i].v);
		CU_ASSERT_PTR_NOT_NULL(n);
		if (n)
			CU_ASSERT_STRING_EQUAL(n, g[i].name);
	}
}

void td_suite_ja4(void)
{
	CU_pSuite s = td_test_suite("ja4 and ech");
	td_test_add(s, "JA4: the specification's example", test_spec_example);
	td_test_add(s, "JA4: GREASE ignored everywhere", test_grease_ignored);
	td_test_add(s, "JA4: no signature algorithms", test_no_sigalgs);
	td_test_add(s, "JA4: empty lists, no SNI, no ALPN, SSLv2", test_empty_parts);
	td_test_add(s, "JA4: version table", test_versions);
	td_test_add(s, "JA4: counts stop at 99", test_counts_cap);
	td_test_add(s, "JA4: ALPN characters from the bytes sent", test_alpn_chars);
	td_test_add(s, "ECH extension: outer, inner, truncations", test_ech_ext);
	td_test_add(s, "post-quantum and hybrid groups named", test_pq_groups);
}
