/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_x509.c - the certificate layer (x509.h) against certificates made
 * with openssl (tests/unit/data/README.md, gen-x509.sh).
 *
 * Every expected value below was read from OpenSSL, not from our output:
 *   openssl x509 -inform DER -noout -subject -issuer -serial -dates
 *     -ext subjectAltName,basicConstraints,keyUsage,extendedKeyUsage
 *     -fingerprint -sha256 -nameopt RFC2253,-esc_msb -text
 * dates turned into seconds with `date -u -d "<openssl's date>" +%s`.
 * Where tlsdiag deliberately or necessarily differs, the comment says
 * what OpenSSL printed and why:
 *   [fmt]  our format: serial "3a:0f:.." lowercase with colons, IPv6 in
 *          RFC 5952 form, SANs as "IP:"; hostile bytes as \xHH (text.h)
 *          where OpenSSL writes RFC 4514's \HH or the raw byte.
 *   [wolf] wolfSSL 5.5.4 cannot tell: multi-valued RDNs come out as
 *          separate RDNs (',' for '+'), attributes of unknown type are
 *          dropped, BMPString/T61String bytes are labelled UTF-8, and
 *          rfc822Name SANs come before the other kinds.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "tests.h"
#include "x509.h"

#define MAXV 8

struct expect {
	const char *file;
	const char *subject;
	const char *issuer;
	const char *serial;
	int64_t not_before, not_after;
	const char *san[MAXV];           /* NULL-terminated */
	const char *key_type;
	unsigned key_bits;
	const char *key_curve;
	const char *sig_alg;
	bool has_bc, is_ca;
	int path_len;
	const char *ku[MAXV];
	const char *eku[MAXV];
	bool self_signed;
	const char *sha256;
};

/* ---- helpers ---- */

/* Read tests/unit/data/NAME into a new buffer. */
static uint8_t *load(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", td_test_datadir(), name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "\ncannot open %s\n", path);
		return NULL;
	}
	uint8_t *buf = malloc(65536);
	size_t n = buf ? fread(buf, 1, 65536, f) : 0;
	fclose(f);
	*len = n;
	return buf;
}

static void check_str(const char *file, const char *field, const char *got, const char *want)
{
	bool ok = (!got && !want) || (got && want && strcmp(got, want) == 0);
	if (!ok)
		fprintf(stderr, "\n%s: %s: got \"%s\", want \"%s\"\n", file, field,
			got ? got : "(null)", want ? want : "(null)");
	CU_ASSERT(ok);
}

static void check_int(const char *file, const char *field, long long got, long long want)
{
	if (got != want)
		fprintf(stderr, "\n%s: %s: got %lld, want %lld\n", file, field, got, want);
	CU_ASSERT(got == want);
}

static void check_list(const char *file, const char *field, const struct td_strlist *l,
		       const char *const *want)
{
	size_t n = 0;
	while (n < MAXV && want[n])
		n++;
	check_int(file, field, (long long)l->n, (long long)n);
	for (size_t i = 0; i < n && i < l->n; i++)
		check_str(file, field, l->v[i], want[i]);
}

static void check_cert(const struct expect *e)
{
	size_t len = 0;
	uint8_t *der = load(e->file, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	struct td_cert *c = NULL;
	CU_ASSERT_EQUAL(td_x509_parse(der, len, &c), TD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(c->parsed);
	check_str(e->file, "error", c->error, NULL);
	check_int(e->file, "der_len", (long long)c->der_len, (long long)len);
	check_str(e->file, "subject", c->subject, e->subject);
	check_str(e->file, "issuer", c->issuer, e->issuer);
	check_str(e->file, "serial", c->serial, e->serial);
	check_int(e->file, "not_before", c->not_before, e->not_before);
	check_int(e->file, "not_after", c->not_after, e->not_after);
	check_list(e->file, "san", &c->san, e->san);
	check_str(e->file, "key_type", c->key_type, e->key_type);
	check_int(e->file, "key_bits", c->key_bits, e->key_bits);
	check_str(e->file, "key_curve", c->key_curve, e->key_curve);
	check_str(e->file, "sig_alg", c->sig_alg, e->sig_alg);
	check_int(e->file, "has_basic_constraints", c->has_basic_constraints, e->has_bc);
	check_int(e->file, "is_ca", c->is_ca, e->is_ca);
	check_int(e->file, "path_len", c->path_len, e->path_len);
	check_list(e->file, "key_usage", &c->key_usage, e->ku);
	check_list(e->file, "ext_key_usage", &c->ext_key_usage, e->eku);
	check_int(e->file, "self_signed", c->self_signed, e->self_signed);
	check_str(e->file, "sha256", c->sha256, e->sha256);
	td_cert_unref(c);
	free(der);
}

static void check_all(const struct expect *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_cert(&t[i]);
}

/* Seconds of the dates the certificates use. */
enum {
	T_2024_01_01 = 1704067200,
	T_2034_01_01 = 2019686400,
	T_2024_03_01_12 = 1709294400,
	T_2026_03_01_12 = 1772366400,
};

/* ---- the seed's lab: RSA 2048 root -> intermediate -> server; client ---- */

static const struct expect lab[] = {
	{
		.file = "x509_root.der",
		.subject = "O=LMT Corp,CN=rootCA",
		.issuer = "O=LMT Corp,CN=rootCA",
		.serial = "01",                      /* serial=01 */
		.not_before = T_2024_01_01, .not_after = T_2034_01_01,
		.san = { NULL },
		.key_type = "RSA", .key_bits = 2048,
		.sig_alg = "sha256WithRSAEncryption",
		.has_bc = true, .is_ca = true, .path_len = -1,   /* critical CA:TRUE */
		.ku = { "keyCertSign", "cRLSign", NULL },        /* Certificate Sign, CRL Sign */
		.eku = { NULL },
		.self_signed = true,
		.sha256 = "6ff79a82613f2b5f4ca6a09590fb9d388bff9c54e283620917346df2f618c373",
	},
	{
		.file = "x509_inter.der",
		.subject = "O=LMT Corp,CN=intermediateCA",
		.issuer = "O=LMT Corp,CN=rootCA",
		.serial = "10:00",                   /* 4096 (0x1000) */
		.not_before = T_2024_01_01, .not_after = T_2034_01_01,
		.san = { NULL },
		.key_type = "RSA", .key_bits = 2048,
		.sig_alg = "sha256WithRSAEncryption",
		.has_bc = true, .is_ca = true, .path_len = -1,
		.ku = { "keyCertSign", "cRLSign", NULL },
		.eku = { NULL },
		.self_signed = false,
		.sha256 = "40ed2ba14a24ba247ca6b020c9bcee0f397e0851a4b9be192ef4c75fcb41b0c0",
	},
	{
		.file = "x509_server.der",
		.subject = "O=LMT Corp,CN=tls-server.local",
		.issuer = "O=LMT Corp,CN=intermediateCA",
		.serial = "3a:0f:5c:7e:9b:21:d4",    /* serial=3A0F5C7E9B21D4 [fmt] */
		.not_before = T_2024_03_01_12, .not_after = T_2026_03_01_12,
		.san = { "DNS:tls-server.local", NULL },
		.key_type = "RSA", .key_bits = 2048,
		.sig_alg = "sha256WithRSAEncryption",
		.has_bc = false, .is_ca = false, .path_len = -1,
		.ku = { NULL },
		.eku = { NULL },
		.self_signed = false,
		.sha256 = "a59cfd2071400592a84223bf8d2b7dd23d1785af6079b44c0ed7893fc5a95972",
	},
	{
		.file = "x509_client.der",
		.subject = "CN=client",
		.issuer = "O=LMT Corp,CN=intermediateCA",
		.serial = "f1:e2:d3:c4:b5:a6:97:88", /* no 00 despite the high bit */
		.not_before = T_2024_03_01_12, .not_after = T_2026_03_01_12,
		.san = { NULL },
		.key_type = "RSA", .key_bits = 2048,
		.sig_alg = "sha256WithRSAEncryption",
		.has_bc = false, .is_ca = false, .path_len = -1,
		.ku = { NULL },
		.eku = { "clientAuth", NULL },       /* TLS Web Client Authentication */
		.self_signed = false,
		.sha256 = "2f4f1259e5428c7a29ff5e4eeccdcf49dc3237c3673384d0c0fb1b9ef6a39568",
	},
};

static void test_lab_chain(void)
{
	check_all(lab, sizeof lab / sizeof lab[0]);
}

/* ---- key and signature kinds ---- */

static const struct expect keys[] = {
	{
		.file = "x509_ec.der",
		.subject = "emailAddress=admin@example.com,CN=ec.example,OU=Lab,O=LMT Corp,"
			   "L=Paris,ST=Ile-de-France,C=FR",
		.issuer = "emailAddress=admin@example.com,CN=ec.example,OU=Lab,O=LMT Corp,"
			  "L=Paris,ST=Ile-de-France,C=FR",
		.serial = "7f:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff",
		.not_before = 1686817800,            /* Jun 15 08:30:00 2023 GMT */
		.not_after = 2696661000,             /* Jun 15 08:30:00 2055 GMT, GeneralizedTime */
		/* OpenSSL: DNS:ec.example, IP Address:192.0.2.1,
		 * IP Address:2001:DB8:0:0:0:0:0:1, email:admin@example.com,
		 * URI:https://ec.example/path?q=1  [wolf] email first, [fmt] IPv6 */
		.san = { "email:admin@example.com", "DNS:ec.example", "IP:192.0.2.1",
			 "IP:2001:db8::1", "URI:https://ec.example/path?q=1", NULL },
		.key_type = "EC", .key_bits = 256, .key_curve = "prime256v1",
		.sig_alg = "ecdsa-with-SHA384",
		.has_bc = true, .is_ca = true, .path_len = 2,    /* CA:TRUE, pathlen:2 */
		/* Digital Signature, Non Repudiation, Key Agreement, Certificate Sign */
		.ku = { "digitalSignature", "nonRepudiation", "keyAgreement", "keyCertSign", NULL },
		.eku = { "serverAuth", "clientAuth", NULL },
		.self_signed = true,
		.sha256 = "bbc924b96ad8d30a44b82300115e3b7153efe3f4e29c22d84beb11a20bab26cd",
	},
	{
		/* wolfSSL_d2i_X509() refuses Ed25519: read through wc_ParseCert */
		.file = "x509_ed25519.der",
		.subject = "CN=ed25519 test,UID=jdoe,DC=example,DC=org",
		.issuer = "CN=ed25519 test,UID=jdoe,DC=example,DC=org",
		.serial = "2a",
		.not_before = T_2024_01_01,
		.not_after = 4102444799,             /* Dec 31 23:59:59 2099 GMT */
		/* OpenSSL: DNS:ed.example, email:a@ed.example, IP Address:10.1.2.3,
		 * email:b@ed.example, URI:urn:example:ed  [wolf] emails first */
		.san = { "email:a@ed.example", "email:b@ed.example", "DNS:ed.example",
			 "IP:10.1.2.3", "URI:urn:example:ed", NULL },
		.key_type = "Ed25519", .key_bits = 253,  /* OpenSSL's EVP_PKEY_get_bits() */
		.sig_alg = "ED25519",
		.has_bc = false, .is_ca = false, .path_len = -1,
		.ku = { "digitalSignature", NULL },
		/* Code Signing, E-mail Protection, Time Stamping, OCSP Signing,
		 * 1.3.6.1.4.1.99999.1 */
		.eku = { "codeSigning", "emailProtection", "timeStamping", "OCSPSigning",
			 "1.3.6.1.4.1.99999.1", NULL },
		.self_signed = true,
		.sha256 = "d2f0dd7645f206baff4d653b52160de6bcfb004919bf9ae2e4ae45e39b9abb1c",
	},
	{
		.file = "x509_ed448.der",
		.subject = "CN=ed448 test",
		.issuer = "CN=ed448 test",
		.serial = "2b",
		.not_before = T_2024_01_01, .not_after = T_2034_01_01,
		.san = { NULL },
		.key_type = "Ed448", .key_bits = 456,
		.sig_alg = "ED448",
		.has_bc = true, .is_ca = false, .path_len = -1,  /* CA:FALSE */
		.ku = { NULL },
		.eku = { NULL },
		.self_signed = true,
		.sha256 = "c3eed50d572ada214eacf835deb2d964235746a66488b82bbae244e7c27353bc",
	},
	{
		.file = "x509_p384.der",
		.subject = "CN=p384 test",
		.issuer = "CN=p384 test",
		.serial = "2c",
		.not_before = T_2024_01_01, .not_after = T_2034_01_01,
		.san = { NULL },
		.key_type = "EC", .key_bits = 384, .key_curve = "secp384r1",
		.sig_alg = "ecdsa-with-SHA256",
		.has_bc = true, .is_ca = false, .path_len = -1,
		.ku = { NULL },
		.eku = { NULL },
		.self_signed = true,
		.sha256 = "8674795301a423a6ad49a3a6b786e822e2f23852157c54f1656db892b6b9f6a2",
	},
	{
		.file = "x509_p521.der",
		.subject = "CN=p521 test",
		.issuer = "CN=p521 test",
		.serial = "2d",
		.not_before = T_2024_01_01, .not_after = T_2034_01_01,
		.san = { NULL },
		/* Public-Key: (521 bit); wolfSSL's EVP_PKEY_bits() says 528 */
		.key_type = "EC", .key_bits = 521, .key_curve = "secp521r1",
		.sig_alg = "ecdsa-with-SHA512",
		.has_bc = true, .is_ca = false, .path_len = -1,
		.ku = { NULL },
		.eku = { NULL },
		.self_signed = true,
		.sha256 = "bce5c9948cc3c6e25adef4e241d8bfda8c8288b81f65558b095b0f6d3a2a6cd8",
	},
	{
		.file = "x509_pss.der",
		.subject = "O=LMT Corp,CN=pss test",
		.issuer = "O=LMT Corp,CN=rootCA",
		.serial = "2e",
		.not_before = T_2024_01_01, .not_after = T_2034_01_01,
		.san = { "DNS:pss.example", NULL },
		.key_type = "RSA", .key_bits = 2048,
		.sig_alg = "rsassaPss",
		.has_bc = false, .is_ca = false, .path_len = -1,
		.ku = { NULL },
		.eku = { NULL },
		.self_signed = false,
		.sha256 = "7ea74e2a3ebc9ec1855f6b1a1671d48a3df71ffae759290e24d5a424e7b5c7b2",
	},
	{
		.file = "x509_psskey.der",
		.subject = "CN=psskey test",
		.issuer = "CN=psskey test",
		.serial = "2f",
		.not_before = T_2024_01_01, .not_after = T_2034_01_01,
		.san = { NULL },
		/* Public Key Algorithm: rsassaPss, Public-Key: (2048 bit);
		 * "RSASSA-PSS" is the OID's short name */
		.key_type = "RSASSA-PSS", .key_bits = 2048,
		.sig_alg = "rsassaPss",
		.has_bc = true, .is_ca = false, .path_len = -1,
		.ku = { NULL },
		.eku = { NULL },
		.self_signed = true,
		.sha256 = "7d94826be8a82e929c60ed80a20f7491a1d48df4a395b2e8a14e4578c9af9ec3",
	},
};

static void test_key_kinds(void)
{
	check_all(keys, sizeof keys / sizeof keys[0]);
}

/* ---- names: RFC 4514 escaping, UTF-8, hostile bytes ---- */

/* A certificate made like another, but for its name, serial and hash. */
struct variant {
	const struct expect *like;
	const char *file;
	const char *subject;
	const char *serial;
	const char *sha256;
};

static void check_variant(const struct variant *v)
{
	struct expect e = *v->like;
	e.file = v->file;
	e.subject = v->subject;
	e.serial = v->serial;
	e.sha256 = v->sha256;
	check_cert(&e);
}

/* What gen-x509.sh's `sign NAME leaf.key SUBJECT SERIAL 240101000000Z
 * 340101000000Z v3_names rootca.pem root.key` makes, whatever the
 * subject: an RSA 2048 leaf of rootCA with CA:FALSE and nothing else. */
static const struct expect names_leaf = {
	.issuer = "O=LMT Corp,CN=rootCA",
	.not_before = T_2024_01_01, .not_after = T_2034_01_01,
	.san = { NULL },
	.key_type = "RSA", .key_bits = 2048,
	.sig_alg = "sha256WithRSAEncryption",
	.has_bc = true, .is_ca = false, .path_len = -1,
	.ku = { NULL },
	.eku = { NULL },
	.self_signed = false,
};

static const struct expect hostile = {
	.file = "x509_hostile.der",
	/* OpenSSL: DC=example,1.2.3.4=#0C06637573746F6D,CN=n\00ul\1B[1m+
	 * serialNumber=1234,O=A@@@@B,L=café,OU=Ünï
	 * [wolf] 1.2.3.4 dropped, '+' as ',', T61String (café in Latin-1)
	 * and BMPString (Ünï in UCS-2) bytes raw; [fmt] \xHH */
	.subject = "DC=example,CN=n\\x00ul\\x1b[1m,serialNumber=1234,O=A@@@@B,"
		   "L=caf\\xe9,OU=\\x00\\xdc\\x00n\\x00\\xef",
	.issuer = "CN=hostile issuer",
	/* serial=-05: the INTEGER's content octet, two's complement */
	.serial = "fb",
	.not_before = -631152000,            /* Jan  1 00:00:00 1950 GMT (UTCTime 50) */
	.not_after = 253402300799,           /* Dec 31 23:59:59 9999 GMT */
	/* DNS:evil<newline>.example, IP Address:FE80:0:0:0:0:0:0:1, URI:urn:x */
	.san = { "DNS:evil\\x0a.example", "IP:fe80::1", "URI:urn:x", NULL },
	.key_type = "RSA", .key_bits = 2048,
	.sig_alg = "sha256WithRSAEncryption",
	.has_bc = true, .is_ca = true, .path_len = 0,    /* CA:TRUE, pathlen:0 */
	.ku = { "digitalSignature", "decipherOnly", NULL },
	.eku = { "serverAuth", "1.3.6.1.4.1.99999.7", NULL },
	.self_signed = false,
	.sha256 = "dbecaac6464c3de840e680099f801333405d7c3eb83c6aa69e8ebb333c103461",
};

static const struct variant names[] = {
	{
		.like = &names_leaf,
		.file = "x509_escape.der",
		/* OpenSSL: 1.2.3.4=#0C06637573746F6D,CN=say \"hi\" \<now\>\; back\\slash,
		 * OU=R\+D,O=Foo\, Inc.   [wolf] the 1.2.3.4 attribute is dropped */
		.subject = "CN=say \\\"hi\\\" \\<now\\>\\; back\\\\slash,OU=R\\+D,O=Foo\\, Inc.",
		.serial = "0b",
		.sha256 = "478b2104322d329c5e7826beec15b17dfd11a1f320f57e431bf5db8d8b422a11",
	},
	{
		.like = &names_leaf,
		.file = "x509_edges.der",
		/* OpenSSL: UID=42+CN=multi,L=trail\ ,OU=\#hash,O=\ lead space
		 * [wolf] the multi-valued RDN as two RDNs */
		.subject = "UID=42,CN=multi,L=trail\\ ,OU=\\#hash,O=\\ lead space",
		.serial = "0c",
		.sha256 = "69a721c594de46abb94aac05ca399d88bceb5c35550e9987af51802a7c8bead6",
	},
	{
		.like = &names_leaf,
		.file = "x509_utf8.der",
		.subject = "CN=caf\xc3\xa9,O=LMT Corp",  /* CN=café,O=LMT Corp */
		.serial = "0d",
		.sha256 = "57cf0f55916f87c5f18ac2a012c8e445041babb9c5e2c6fd2e9fded97ae2f3c5",
	},
	{
		.like = &names_leaf,
		.file = "x509_ctrl.der",
		.subject = "CN=bad\\x01name,O=LMT Corp",  /* CN=bad\01name  [fmt] */
		.serial = "0e",
		.sha256 = "e58876ecb3f855843e5ea3268e86264b9ccb7b2c0176a0d6101f87c123ba62b4",
	},
	{
		/* OpenSSL cannot load it (invalid UTF-8 in a UTF8String); the
		 * same as x509_hostile.der but for O, which is 41 FF FE C3 28 42.
		 * sha256 from `openssl dgst -sha256`. */
		.like = &hostile,
		.file = "x509_badutf8.der",
		.subject = "DC=example,CN=n\\x00ul\\x1b[1m,serialNumber=1234,O=A\\xff\\xfe\\xc3(B,"
			   "L=caf\\xe9,OU=\\x00\\xdc\\x00n\\x00\\xef",
		.serial = "fb",
		.sha256 = "fdb55f2f50bf8e93f86e6ef3fff41791d58bf1f97686988292197ccfbe590956",
	},
};

static void test_names(void)
{
	check_cert(&hostile);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		check_variant(&names[i]);
}

/* Every string of every certificate is printable UTF-8 with no control
 * byte (what text.h promises), whatever the certificate holds. */
static bool printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static void test_strings_printable(void)
{
	const char *files[] = { "x509_hostile.der", "x509_badutf8.der", "x509_ctrl.der",
				"x509_escape.der", "x509_ed25519.der" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		size_t len = 0;
		uint8_t *der = load(files[i], &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		struct td_cert *c = NULL;
		CU_ASSERT_EQUAL(td_x509_parse(der, len, &c), TD_OK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT(printable(c->subject) && printable(c->issuer) && printable(c->serial));
		CU_ASSERT(printable(c->key_type) && printable(c->sig_alg) && printable(c->key_curve));
		for (size_t k = 0; k < c->san.n; k++)
			CU_ASSERT(printable(c->san.v[k]));
		for (size_t k = 0; k < c->ext_key_usage.n; k++)
			CU_ASSERT(printable(c->ext_key_usage.v[k]));
		td_cert_unref(c);
		free(der);
	}
}

/* ---- what wolfSSL cannot parse ---- */

static void check_unparsed(const char *what, const uint8_t *der, size_t len, const char *sha256)
{
	struct td_cert *c = NULL;
	CU_ASSERT_EQUAL(td_x509_parse(der, len, &c), TD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FALSE(c->parsed);
	CU_ASSERT_PTR_NOT_NULL(c->error);
	CU_ASSERT(c->error && c->error[0] != '\0');
	check_int(what, "der_len", (long long)c->der_len, (long long)len);
	if (sha256)
		check_str(what, "sha256", c->sha256, sha256);
	CU_ASSERT_EQUAL(strlen(c->sha256), 64);
	CU_ASSERT_PTR_NULL(c->subject);
	CU_ASSERT_PTR_NULL(c->issuer);
	CU_ASSERT_EQUAL(c->san.n, 0);
	CU_ASSERT_EQUAL(c->path_len, -1);
	td_cert_unref(c);
}

static void test_unparseable(void)
{
	static const struct {
		const char *file, *sha256;
	} bad[] = {
		{ "x509_truncated.der", "d67b07d334cc83993162f86ce369fe4e4166687412fac8f118775afdcfd8c77b" },
		{ "x509_garbage.der", "a54683b938b1806d407cd87713393f36cd2feec4c217efc8057def8a35480205" },
		/* a Name is not a certificate */
		{ "x509_ec_subject.der", "024dba7391488ceb22abfadcc9156c47251f294d973c2a0ae1dc21073884ac02" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t len = 0;
		uint8_t *der = load(bad[i].file, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		check_unparsed(bad[i].file, der, len, bad[i].sha256);
		free(der);
	}
	/* SHA-256 of nothing (`openssl dgst -sha256 /dev/null`) */
	static const uint8_t one = 0x30;
	check_unparsed("empty", &one, 0,
		       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_unparsed("NULL", NULL, 0,
		       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* How many proper prefixes of der the predicate holds for.  Each prefix
 * is an exact-size copy, so an over-read shows under ASan. */
static size_t count_prefixes(const uint8_t *der, size_t len,
			     bool (*holds)(const uint8_t *p, size_t n))
{
	size_t count = 0;
	for (size_t k = 0; k < len; k++) {
		uint8_t *p = malloc(k ? k : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		memcpy(p, der, k);
		if (holds(p, k))
			count++;
		free(p);
	}
	return count;
}

/* Not what a refused certificate must give: TD_OK, unparsed, an error,
 * its length and its hash. */
static bool not_cleanly_refused(const uint8_t *p, size_t n)
{
	struct td_cert *c = NULL;
	enum td_result r = td_x509_parse(p, n, &c);
	if (r != TD_OK)
		return true;
	bool bad = c->parsed || !c->error || c->der_len != n ||
		   strlen(c->sha256) != 64;
	td_cert_unref(c);
	return bad;
}

static bool taken_as_name(const uint8_t *p, size_t n)
{
	char *s = td_x509_name_string(p, n);
	bool named = s != NULL;
	free(s);
	return named;
}

/* Every proper prefix of a valid certificate is unparseable, cleanly:
 * no crash, no leak (run under ASan/valgrind), the hash still there. */
static void test_prefixes(void)
{
	const char *files[] = { "x509_server.der", "x509_ec.der", "x509_ed25519.der",
				"x509_hostile.der" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		size_t len = 0;
		uint8_t *der = load(files[i], &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		CU_ASSERT_FATAL(len > 0);
		size_t failures = count_prefixes(der, len, not_cleanly_refused);
		check_int(files[i], "prefixes not cleanly refused", (long long)failures, 0);
		free(der);
	}
}

/* Two parses of one DER are two objects (the cache is what shares);
 * references keep a certificate alive until the last goes. */
static void test_refs(void)
{
	size_t len = 0;
	uint8_t *der = load("x509_ec.der", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	struct td_cert *c = NULL, *d = NULL;
	CU_ASSERT_EQUAL(td_x509_parse(der, len, &c), TD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->refs, 1);
	CU_ASSERT_PTR_NOT_NULL(c->vcert);
	CU_ASSERT_PTR_EQUAL(td_cert_ref(c), c);
	CU_ASSERT_EQUAL(c->refs, 2);
	td_cert_unref(c);
	CU_ASSERT_EQUAL(c->refs, 1);
	CU_ASSERT_STRING_EQUAL(c->subject, "emailAddress=admin@example.com,CN=ec.example,OU=Lab,"
			       "O=LMT Corp,L=Paris,ST=Ile-de-France,C=FR");
	CU_ASSERT_EQUAL(td_x509_parse(der, 10, &d), TD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_FALSE(d->parsed);
	CU_ASSERT_PTR_NOT_EQUAL(c, d);
	td_cert_unref(c);
	td_cert_unref(d);
	td_cert_unref(NULL);
	free(der);
}

/* The parse cache: a hit is the same certificate (one more reference),
 * a different DER is parsed, and the least recently used makes room;
 * what the cache let go lives on while referenced. */
static void test_cert_cache(void)
{
	size_t la = 0, lb = 0;
	uint8_t *a = load("x509_ec.der", &la);
	uint8_t *b = load("x509_client.der", &lb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	struct td_cert_cache *cache = td_cert_cache_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cache);
	struct td_cert *ref, *c1, *c2, *c3, *c4;
	uint64_t parsed = td_x509_parse_count();
	CU_ASSERT_EQUAL_FATAL(td_x509_parse(a, la, &ref), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_cert_cache_parse(cache, a, la, &c1), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_cert_cache_parse(cache, a, la, &c2), TD_OK);
	CU_ASSERT_EQUAL(td_x509_parse_count() - parsed, 2);
	uint64_t hits = 0, misses = 0;
	td_cert_cache_stats(cache, &hits, &misses);
	CU_ASSERT_EQUAL(hits, 1);
	CU_ASSERT_EQUAL(misses, 1);
	/* The hit is the very object of the miss, equal to a parse. */
	CU_ASSERT_PTR_EQUAL(c1, c2);
	CU_ASSERT_EQUAL(c1->refs, 3);  /* c1, c2 and the cache's */
	CU_ASSERT_PTR_NOT_EQUAL(c2, ref);
	CU_ASSERT_STRING_EQUAL(c2->subject, ref->subject);
	CU_ASSERT_STRING_EQUAL(c2->issuer, ref->issuer);
	CU_ASSERT_STRING_EQUAL(c2->sha256, ref->sha256);
	CU_ASSERT_EQUAL(c2->not_after, ref->not_after);
	CU_ASSERT_EQUAL(c2->san.n, ref->san.n);
	CU_ASSERT_EQUAL(c2->der_len, la);
	CU_ASSERT_EQUAL(memcmp(c2->der, a, la), 0);
	/* Another DER: parsed (the one slot goes to it), then the first again:
	 * parsed anew, since the cache let it go. */
	CU_ASSERT_EQUAL_FATAL(td_cert_cache_parse(cache, b, lb, &c3), TD_OK);
	CU_ASSERT_STRING_NOT_EQUAL(c3->sha256, ref->sha256);
	CU_ASSERT_EQUAL(c1->refs, 2);
	CU_ASSERT_EQUAL_FATAL(td_cert_cache_parse(cache, a, la, &c4), TD_OK);
	td_cert_cache_stats(cache, &hits, &misses);
	CU_ASSERT_EQUAL(hits, 1);
	CU_ASSERT_EQUAL(misses, 3);
	CU_ASSERT_PTR_NOT_EQUAL(c4, c1);
	CU_ASSERT_STRING_EQUAL(c4->subject, ref->subject);
	td_cert_unref(c1);
	td_cert_unref(c2);
	td_cert_unref(c4);
	td_cert_cache_free(cache);
	/* c3 outlives the cache that made it. */
	CU_ASSERT_EQUAL(c3->refs, 1);
	CU_ASSERT_PTR_NOT_NULL(c3->subject);

	/* A table of sets: two DERs both stay, each found again. */
	cache = td_cert_cache_new(256);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cache);
	for (int round = 0; round < 3; round++) {
		CU_ASSERT_EQUAL_FATAL(td_cert_cache_parse(cache, a, la, &c1), TD_OK);
		CU_ASSERT_EQUAL_FATAL(td_cert_cache_parse(cache, b, lb, &c2), TD_OK);
		CU_ASSERT_STRING_EQUAL(c1->sha256, ref->sha256);
		CU_ASSERT_STRING_EQUAL(c2->sha256, c3->sha256);
		td_cert_unref(c1);
		td_cert_unref(c2);
	}
	td_cert_cache_stats(cache, &hits, &misses);
	CU_ASSERT_EQUAL(hits, 4);
	CU_ASSERT_EQUAL(misses, 2);
	td_cert_cache_free(cache);
	td_cert_unref(ref);
	td_cert_unref(c3);
	free(a);
	free(b);
}

/* ---- td_x509_name_string ---- */

static void test_name_string(void)
{
	size_t len = 0;
	uint8_t *der = load("x509_ec_subject.der", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	/* the subject line of x509_ec.der */
	char *s = td_x509_name_string(der, len);
	check_str("x509_ec_subject.der", "name",
		  s, "emailAddress=admin@example.com,CN=ec.example,OU=Lab,O=LMT Corp,"
		     "L=Paris,ST=Ile-de-France,C=FR");
	free(s);

	/* no proper prefix is a Name */
	size_t named = count_prefixes(der, len, taken_as_name);
	check_int("x509_ec_subject.der", "prefixes taken as a Name", (long long)named, 0);
	free(der);

	der = load("x509_garbage.der", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	CU_ASSERT_PTR_NULL(td_x509_name_string(der, len));
	free(der);

	static const uint8_t integer[] = { 0x02, 0x01, 0x05 };
	CU_ASSERT_PTR_NULL(td_x509_name_string(integer, sizeof integer));
	static const uint8_t seq_of_int[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	CU_ASSERT_PTR_NULL(td_x509_name_string(seq_of_int, sizeof seq_of_int));
	CU_ASSERT_PTR_NULL(td_x509_name_string(NULL, 0));

	/* the empty Name (SEQUENCE {}), as a CA that names nobody */
	static const uint8_t empty[] = { 0x30, 0x00 };
	s = td_x509_name_string(empty, sizeof empty);
	check_str("empty Name", "name", s, "");
	free(s);
}

static void test_global_init(void)
{
	/* the runner's process may already have called it: idempotent */
	CU_ASSERT_EQUAL(td_x509_global_init(), TD_OK);
	CU_ASSERT_EQUAL(td_x509_global_init(), TD_OK);
	td_x509_global_cleanup();
	td_x509_global_cleanup();
	CU_ASSERT_EQUAL(td_x509_global_init(), TD_OK);
	/* still works after a cleanup/init round */
	size_t len = 0;
	uint8_t *der = load("x509_root.der", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	struct td_cert *c = NULL;
	CU_ASSERT_EQUAL(td_x509_parse(der, len, &c), TD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(c->parsed);
	td_cert_unref(c);
	free(der);
}

void td_suite_x509(void)
{
	CU_pSuite s = td_test_suite("x509");
	td_test_add(s, "global init is idempotent", test_global_init);
	td_test_add(s, "lab chain (RSA root, intermediate, server, client)", test_lab_chain);
	td_test_add(s, "EC, Ed25519, Ed448, P-384, P-521, RSA-PSS", test_key_kinds);
	td_test_add(s, "names: RFC 4514 escaping, UTF-8, hostile bytes", test_names);
	td_test_add(s, "every string is printable", test_strings_printable);
	td_test_add(s, "unparseable input is data", test_unparseable);
	td_test_add(s, "every prefix refused cleanly", test_prefixes);
	td_test_add(s, "references: a cert lives until its last reference", test_refs);
	td_test_add(s, "parse cache", test_cert_cache);
	td_test_add(s, "td_x509_name_string", test_name_string);
}
