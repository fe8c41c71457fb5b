/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x509.c - certificates and distinguished names through wolfSSL (x509.h).
 *
 * RFC 5280 4.1, what a TLS Certificate message carries and what of it
 * lands in struct td_cert (conn.h):
 *
 *   Certificate ::= SEQUENCE {
 *     tbsCertificate SEQUENCE {
 *       version        [0] INTEGER              (v3 = 2)
 *       serialNumber       INTEGER              -> serial
 *       signature          AlgorithmIdentifier
 *       issuer             Name                 -> issuer (RFC 4514)
 *       validity           SEQUENCE { notBefore, notAfter }
 *                          UTCTime | GeneralizedTime -> not_before, not_after
 *       subject            Name                 -> subject (RFC 4514)
 *       subjectPublicKeyInfo SEQUENCE { algorithm, BIT STRING }
 *                                               -> key_type, key_bits, key_curve
 *       extensions     [3] SEQUENCE OF SEQUENCE { extnID, critical, OCTET STRING }
 *                          subjectAltName, basicConstraints, keyUsage,
 *                          extKeyUsage          -> san, is_ca..., key_usage...
 *     }
 *     signatureAlgorithm AlgorithmIdentifier    -> sig_alg
 *     signatureValue     BIT STRING
 *   }
 *   Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value DirectoryString }
 *
 * A certificate is made once per distinct DER (certcache.c keeps it) and
 * carries what display and path validation both read, from one wolfSSL
 * decode of the DER: wc_ParseCert() (td_vcert_decode, vcert.c) fills a
 * DecodedCert, from which come every field shown and the validation view
 * (vcert.h).  wolfSSL's OpenSSL-compatible X509 (wolfSSL_d2i_X509) is not
 * used: it would decode the DER a second time, and refuses Ed25519 and
 * Ed448 certificates.  The key's size and curve come from wolfCrypt
 * decoding the key bytes the DecodedCert points at (key_size()).  DN
 * strings are written by x509name.c.
 *
 * tlsdiag never decodes these bytes itself: wolfSSL parses, and this file
 * only turns wolfSSL's answers into our strings, each one through
 * td_text_sanitize() so a hostile certificate cannot put control bytes or
 * invalid UTF-8 in front of a terminal.
 *
 * Debian 12's wolfSSL 5.5.4 gets some things wrong; each workaround below
 * is pinned by a test in tests/unit/test_x509.c:
 *  - wolfSSL_d2i_X509() refuses Ed25519/Ed448 certificates ("Setting Cert
 *    Public Key error"); wolfCrypt's own wc_ParseCert() takes them (one
 *    more reason every certificate is read from its DecodedCert).
 *  - wolfSSL_ASN1_TIME_to_tm() puts UTCTime years 50-99 in 2050-2099;
 *    wc_GetDateAsCalendarTime() follows RFC 5280 4.1.2.5.1 (19YY).
 *  - wolfSSL_X509_get_signature_nid() is wrong for RSASSA-PSS, and its
 *    long names differ from OpenSSL's ("sha256WithECDSA"), so names come
 *    from a table of wolfSSL's signature OID sums.
 *  - EVP_PKEY_bits() says 528 for P-521: EC sizes come from the group's
 *    degree; X509_get_pubkey() has no EVP_PKEY for an RSASSA-PSS key:
 *    RSA sizes come from wc_RsaPublicKeyDecode() (key_size()).
 *  - an OID from d2i_ASN1_OBJECT() lacks the tag OBJ_obj2txt() needs:
 *    d2i_ASN1_OBJECT() only delimits each extendedKeyUsage purpose, and
 *    OBJ_obj2txt() reads the whole TLV it delimited.
 *  - wc_ParseCert() answers MEMORY_E for some malformed certificates, so
 *    no wolfSSL error is taken for our memory running out: TD_ERR_NOMEM
 *    means one of our own allocations failed.  (A failure inside wolfSSL
 *    shows as an unparseable certificate or a missing field.)
 * And what it cannot tell (documented in the tests too):
 *  - multi-valued RDNs: wolfSSL keeps a flat list of attributes, so every
 *    attribute is printed as its own RDN (",", never "+");
 *  - attribute types it does not know are dropped while parsing, so the
 *    RFC 4514 "OID=#hex" form never appears;
 *  - every DirectoryString comes back labelled UTF-8 (BMPString and
 *    T61String bytes included), so those bytes show raw, \xHH-escaped;
 *  - subjectAltName order: wolfSSL lists rfc822Names before the other
 *    kinds (each kind in certificate order); directoryName, otherName and
 *    registeredID entries are not listed;
 *  - a Name of more than WC_MAX_NAME_ENTRIES attributes fails to parse.
 */
#include "config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/openssl/ec.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/dsa.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/rsa.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "caps.h"
#include "dynbuf.h"
#include "reader.h"
#include "text.h"
#include "vcert.h"
#include "x509.h"
#include "x509name.h"

static bool wolfssl_up;

enum td_result td_x509_global_init(void)
{
	if (wolfssl_up)
		return TD_OK;
	/* wolfSSL_Init() fails only when it cannot set up its mutexes. */
	if (wolfSSL_Init() != WOLFSSL_SUCCESS)
		return TD_ERR_NOMEM;
	wolfssl_up = true;
	return TD_OK;
}

void td_x509_global_cleanup(void)
{
	if (!wolfssl_up)
		return;
	wolfSSL_Cleanup();
	wolfssl_up = false;
}

/* ---- names of things, OpenSSL's spelling ---- */

struct code_name {
	int code;
	const char *name;
};

static const char *lookup(const struct code_name *t, size_t n, int code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}


/* Signature algorithms by wolfSSL's OID sum (enum Ctc_SigType), as
 * OpenSSL prints them after "Signature Algorithm:". */
static const struct code_name sig_names[] = {
	{ CTC_SHAwDSA, "dsaWithSHA1" },
	{ CTC_SHA256wDSA, "dsa_with_SHA256" },
	{ CTC_MD2wRSA, "md2WithRSAEncryption" },
	{ CTC_MD5wRSA, "md5WithRSAEncryption" },
	{ CTC_SHAwRSA, "sha1WithRSAEncryption" },
	{ CTC_SHA224wRSA, "sha224WithRSAEncryption" },
	{ CTC_SHA256wRSA, "sha256WithRSAEncryption" },
	{ CTC_SHA384wRSA, "sha384WithRSAEncryption" },
	{ CTC_SHA512wRSA, "sha512WithRSAEncryption" },
	{ CTC_SHAwECDSA, "ecdsa-with-SHA1" },
	{ CTC_SHA224wECDSA, "ecdsa-with-SHA224" },
	{ CTC_SHA256wECDSA, "ecdsa-with-SHA256" },
	{ CTC_SHA384wECDSA, "ecdsa-with-SHA384" },
	{ CTC_SHA512wECDSA, "ecdsa-with-SHA512" },
#ifdef WOLFSSL_SHA3
	{ CTC_SHA3_224wECDSA, "ecdsa_with_SHA3-224" },
	{ CTC_SHA3_256wECDSA, "ecdsa_with_SHA3-256" },
	{ CTC_SHA3_384wECDSA, "ecdsa_with_SHA3-384" },
	{ CTC_SHA3_512wECDSA, "ecdsa_with_SHA3-512" },
	{ CTC_SHA3_224wRSA, "RSA-SHA3-224" },
	{ CTC_SHA3_256wRSA, "RSA-SHA3-256" },
	{ CTC_SHA3_384wRSA, "RSA-SHA3-384" },
	{ CTC_SHA3_512wRSA, "RSA-SHA3-512" },
#endif
	{ CTC_RSASSAPSS, "rsassaPss" },
	{ CTC_ED25519, "ED25519" },
	{ CTC_ED448, "ED448" },
};

/* Public key algorithms by wolfSSL's key OID sum. */
static const struct code_name key_names[] = {
	{ RSAk, "RSA" },
	{ RSAPSSk, "RSASSA-PSS" },
	{ DSAk, "DSA" },
	{ ECDSAk, "EC" },
	{ ED25519k, "Ed25519" },
	{ ED448k, "Ed448" },
	{ DHk, "DH" },
	{ X25519k, "X25519" },
	{ X448k, "X448" },
};

/* RFC 5280 4.2.1.3 bits, in bit order, as wolfSSL's KEYUSE_ flags. */
static const struct code_name key_usage_names[] = {
	{ KEYUSE_DIGITAL_SIG, "digitalSignature" },
	{ KEYUSE_CONTENT_COMMIT, "nonRepudiation" },
	{ KEYUSE_KEY_ENCIPHER, "keyEncipherment" },
	{ KEYUSE_DATA_ENCIPHER, "dataEncipherment" },
	{ KEYUSE_KEY_AGREE, "keyAgreement" },
	{ KEYUSE_KEY_CERT_SIGN, "keyCertSign" },
	{ KEYUSE_CRL_SIGN, "cRLSign" },
	{ KEYUSE_ENCIPHER_ONLY, "encipherOnly" },
	{ KEYUSE_DECIPHER_ONLY, "decipherOnly" },
};

/* RFC 5280 4.2.1.12 key purposes; any other OID is kept dotted. */
static const struct {
	const char *oid;
	const char *name;
} eku_names[] = {
	{ "1.3.6.1.5.5.7.3.1", "serverAuth" },
	{ "1.3.6.1.5.5.7.3.2", "clientAuth" },
	{ "1.3.6.1.5.5.7.3.3", "codeSigning" },
	{ "1.3.6.1.5.5.7.3.4", "emailProtection" },
	{ "1.3.6.1.5.5.7.3.8", "timeStamping" },
	{ "1.3.6.1.5.5.7.3.9", "OCSPSigning" },
	{ "2.5.29.37.0", "anyExtendedKeyUsage" },
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- small string helpers ---- */

/* A sanitized copy of a NUL-terminated string (a table entry or a
 * wolfSSL answer); NULL when memory runs out. */
static char *sanitized(const char *s)
{
	return td_text_sanitize((const uint8_t *)s, strlen(s));
}


/* Append prefix + sanitized bytes to a list (SubjectAltName entries). */
static enum td_result add_prefixed(struct td_strlist *l, const char *prefix,
				   const uint8_t *p, size_t n)
{
	char *v = td_text_sanitize(p, n);
	if (!v)
		return TD_ERR_NOMEM;
	size_t len = strlen(prefix) + strlen(v) + 1;
	char *s = malloc(len);
	if (s)
		snprintf(s, len, "%s%s", prefix, v);
	free(v);
	return td_strlist_take(l, s);
}

/* ---- fields ---- */

/* DER time (without tag and length) to seconds since the epoch. */
static void der_time(const uint8_t *p, int len, int format, int64_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!p || len <= 0 || format < 0 || format > 0xff ||
	    wc_GetDateAsCalendarTime(p, len, (byte)format, &tm) != 0)
		return;
	*out = (int64_t)timegm(&tm);
}

/* Lowercase hex with colons; wolfSSL gives the INTEGER's content octets
 * without a leading 00 (a negative serial stays two's complement). */
static enum td_result serial_string(const uint8_t *p, size_t n, char **out)
{
	*out = malloc(n ? 3 * n : 1);
	if (!*out)
		return TD_ERR_NOMEM;
	td_text_hex(*out, p, n, ':');
	return TD_OK;
}

static enum td_result set_name(char **field, const char *name)
{
	if (!name)
		return TD_OK;
	*field = sanitized(name);
	return *field ? TD_OK : TD_ERR_NOMEM;
}

static enum td_result key_type(struct td_cert *c, int key_oid)
{
	const char *t = lookup(key_names, N_ELEMS(key_names), key_oid);
	/* What OpenSSL's EVP_PKEY_get_bits() says for the Edwards curves. */
	if (key_oid == ED25519k)
		c->key_bits = 253;
	else if (key_oid == ED448k)
		c->key_bits = 456;
	return set_name(&c->key_type, t ? t : "unknown");
}

static enum td_result sig_alg(struct td_cert *c, int sig_oid)
{
	const char *t = lookup(sig_names, N_ELEMS(sig_names), sig_oid);
	return set_name(&c->sig_alg, t ? t : "unknown");
}

static enum td_result key_usage(struct td_cert *c, unsigned bits)
{
	enum td_result r = TD_OK;
	for (size_t i = 0; i < N_ELEMS(key_usage_names) && r == TD_OK; i++)
		if (bits & (unsigned)key_usage_names[i].code)
			r = td_strlist_add(&c->key_usage, key_usage_names[i].name);
	return r;
}

/*
 * extKeyUsage from the extension's value as wolfSSL keeps it: the OIDs
 * of the KeyPurposeId SEQUENCE, back to back.  d2i_ASN1_OBJECT() finds
 * where each one ends; OBJ_obj2txt() reads that whole TLV through a
 * borrowed view.  A purpose wolfSSL cannot read ends the list.
 */
static enum td_result ext_key_usage(struct td_cert *c, const uint8_t *p, size_t n)
{
	enum td_result r = TD_OK;
	struct td_reader rd = td_rd_make(p, n);
	while (r == TD_OK && td_rd_left(&rd) > 0) {
		const unsigned char *start = rd.p, *next = rd.p;
		size_t left = td_rd_left(&rd);
		WOLFSSL_ASN1_OBJECT *o = wolfSSL_d2i_ASN1_OBJECT(NULL, &next,
				(long)(left > LONG_MAX ? LONG_MAX : left));
		if (!o)
			break;
		wolfSSL_ASN1_OBJECT_free(o);
		if (next <= start || (size_t)(next - start) > left)
			break;
		size_t used = (size_t)(next - start);
		const uint8_t *tlv = td_rd_bytes(&rd, used);

		WOLFSSL_ASN1_OBJECT view;
		memset(&view, 0, sizeof view);
		view.obj = tlv;
		view.objSz = (unsigned)used;
		char oid[128] = "";
		if (wolfSSL_OBJ_obj2txt(oid, (int)sizeof oid, &view, 1) <= 0)
			continue;
		oid[sizeof oid - 1] = '\0';
		const char *name = oid;
		for (size_t i = 0; i < N_ELEMS(eku_names); i++)
			if (strcmp(oid, eku_names[i].oid) == 0)
				name = eku_names[i].name;
		r = td_strlist_take(&c->ext_key_usage, sanitized(name));
	}
	return r;
}

/* One GeneralName (RFC 5280 4.2.1.6) of the kinds td_cert lists. */
static enum td_result add_general_name(struct td_strlist *l, int kind,
				       const uint8_t *p, size_t n)
{
	switch (kind) {
	case ASN_DNS_TYPE:
		return add_prefixed(l, "DNS:", p, n);
	case ASN_RFC822_TYPE:
		return add_prefixed(l, "email:", p, n);
	case ASN_URI_TYPE:
		return add_prefixed(l, "URI:", p, n);
	case ASN_IP_TYPE: {
		char ip[INET6_ADDRSTRLEN + 4] = "";
		if ((n == 4 && inet_ntop(AF_INET, p, ip, sizeof ip)) ||
		    (n == 16 && inet_ntop(AF_INET6, p, ip, sizeof ip)))
			return add_prefixed(l, "IP:", (const uint8_t *)ip, strlen(ip));
		/* Not an address (a name constraint's address+mask, say). */
		char *hex = malloc(2 * n + 1);
		if (!hex)
			return TD_ERR_NOMEM;
		td_text_hex(hex, p, n, 0);
		enum td_result r = add_prefixed(l, "IP:#", (const uint8_t *)hex, 2 * n);
		free(hex);
		return r;
	}
	default:
		return TD_OK;
	}
}

/*
 * The size (and EC curve) of the public key the one parse found: wolfCrypt
 * decodes the key bytes the DecodedCert points at (dc->publicKey), and
 * the answer is what OpenSSL reports:
 *  - RSA and RSASSA-PSS: the modulus size (wc_RsaEncryptSize, in bytes);
 *  - DSA: the size of p, in whole bytes;
 *  - EC: the degree of the named curve (EVP_PKEY_bits() would say 528 for
 *    P-521) and its OpenSSL short name, by the NID of the curve
 *    wc_EccPublicKeyDecode() found;
 *  - Ed25519/Ed448: set by key_type() from the key OID.
 * A key wolfCrypt cannot decode leaves key_bits 0 and no curve.  This
 * reads the key's bytes only, not the certificate again.
 */
static enum td_result rsa_bits(const uint8_t *key, word32 len, unsigned *bits)
{
	word32 idx = 0;
	RsaKey *k = malloc(sizeof *k);  /* large with the math library: not on the stack */
	if (!k)
		return TD_ERR_NOMEM;
	if (wc_InitRsaKey(k, NULL) == 0) {
		if (wc_RsaPublicKeyDecode(key, &idx, k, len) == 0) {
			int n = wc_RsaEncryptSize(k);
			if (n > 0)
				*bits = 8u * (unsigned)n;
		}
		wc_FreeRsaKey(k);
	}
	free(k);
	return TD_OK;
}

static enum td_result dsa_bits(const uint8_t *key, word32 len, unsigned *bits)
{
	word32 idx = 0, p_len = 0, q_len = 0, g_len = 0;
	DsaKey *k = malloc(sizeof *k);
	if (!k)
		return TD_ERR_NOMEM;
	if (wc_InitDsaKey(k) == 0) {
		/* Without buffers wolfCrypt only says how long p, q and g are. */
		if (wc_DsaPublicKeyDecode(key, &idx, k, len) == 0 &&
		    wc_DsaExportParamsRaw(k, NULL, &p_len, NULL, &q_len, NULL, &g_len) ==
			    LENGTH_ONLY_E)
			*bits = 8u * p_len;
		wc_FreeDsaKey(k);
	}
	free(k);
	return TD_OK;
}

static enum td_result ec_key(const uint8_t *key, word32 len, struct td_cert *c)
{
	int nid = 0;
	word32 idx = 0;
	ecc_key *k = malloc(sizeof *k);
	if (!k)
		return TD_ERR_NOMEM;
	if (wc_ecc_init(k) == 0) {
		/* idx < 0: explicit curve parameters, no named curve */
		if (wc_EccPublicKeyDecode(key, &idx, k, len) == 0 && k->dp && k->idx >= 0)
			nid = EccEnumToNID(k->dp->id);
		wc_ecc_free(k);
	}
	free(k);
	if (nid <= 0)
		return TD_OK;
	WOLFSSL_EC_GROUP *group = wolfSSL_EC_GROUP_new_by_curve_name(nid);
	if (group) {
		int bits = wolfSSL_EC_GROUP_get_degree(group);
		if (bits > 0)
			c->key_bits = (unsigned)bits;
		wolfSSL_EC_GROUP_free(group);
	}
	return set_name(&c->key_curve, wolfSSL_OBJ_nid2sn(nid));
}

static enum td_result key_size(const DecodedCert *dc, struct td_cert *c)
{
	const uint8_t *key = dc->publicKey;
	word32 len = dc->pubKeySize;
	if (!key || len == 0)
		return TD_OK;
	switch (dc->keyOID) {
	case RSAk:
	case RSAPSSk:
		return rsa_bits(key, len, &c->key_bits);
	case DSAk:
		return dsa_bits(key, len, &c->key_bits);
	case ECDSAk:
		return ec_key(key, len, c);
	default:
		return TD_OK;
	}
}

/* ---- the certificate from its one parse ---- */

/* SubjectAltName entries of a DecodedCert, in the order wolfSSL's
 * OpenSSL-compatible X509 lists them (and tlsdiag always has shown):
 * rfc822Names (kept newest first by wolfCrypt), then the others. */
static enum td_result decoded_san(const DecodedCert *dc, struct td_cert *c)
{
	enum td_result r = TD_OK;
	size_t n = 0;
	for (const DNS_entry *e = dc->altEmailNames; e; e = e->next)
		n++;
	if (n > 0) {
		const DNS_entry **v = malloc(n * sizeof *v);
		if (!v)
			return TD_ERR_NOMEM;
		size_t k = 0;
		for (const DNS_entry *e = dc->altEmailNames; e && k < n; e = e->next)
			v[k++] = e;
		while (k-- > 0 && r == TD_OK)
			r = add_general_name(&c->san, v[k]->type, (const uint8_t *)v[k]->name,
					     v[k]->len > 0 ? (size_t)v[k]->len : 0);
		free(v);
	}
	for (const DNS_entry *e = dc->altNames; e && r == TD_OK; e = e->next)
		r = add_general_name(&c->san, e->type, (const uint8_t *)e->name,
				     e->len > 0 ? (size_t)e->len : 0);
	return r;
}

static void decoded_time(const uint8_t *raw, int raw_len, int64_t *out)
{
	const byte *date = NULL;
	byte format = 0;
	int len = 0;
	if (raw && raw_len > 0 && wc_GetDateInfo(raw, raw_len, &date, &format, &len) == 0)
		der_time(date, len, format, out);
}

/* Every field of c from wolfCrypt's DecodedCert (wc_ParseCert's result
 * rc); with rc not 0, only the error. */
static enum td_result from_decoded(const DecodedCert *dc, int rc, struct td_cert *c)
{
	enum td_result r;
	/* Even MEMORY_E is data: wolfSSL also returns it for some malformed
	 * certificates (a zero-length name it cannot allocate), and a hostile
	 * certificate must not look like our own memory running out. */
	if (rc != 0) {
		char msg[160];
		snprintf(msg, sizeof msg, "wolfSSL: %s (%d)", wc_GetErrorString(rc), rc);
		return set_name(&c->error, msg);
	}
	c->parsed = true;
	r = td_x509_dn_string(dc->subjectName, &c->subject);
	if (r == TD_OK)
		r = td_x509_dn_string(dc->issuerName, &c->issuer);
	if (r == TD_OK)
		r = serial_string(dc->serial, dc->serialSz > 0 ? (size_t)dc->serialSz : 0,
				  &c->serial);
	if (r != TD_OK)
		return r;
	decoded_time(dc->beforeDate, dc->beforeDateLen, &c->not_before);
	decoded_time(dc->afterDate, dc->afterDateLen, &c->not_after);
	r = key_type(c, (int)dc->keyOID);
	if (r == TD_OK)
		r = key_size(dc, c);
	if (r == TD_OK)
		r = sig_alg(c, (int)dc->signatureOID);
	c->has_basic_constraints = dc->extBasicConstSet;
	c->is_ca = dc->isCA;
	c->path_len = dc->pathLengthSet ? dc->pathLength : -1;
	if (r == TD_OK && dc->extKeyUsageSet)
		r = key_usage(c, dc->extKeyUsage);
	if (r == TD_OK && dc->extExtKeyUsageSet && dc->extExtKeyUsageSrc)
		r = ext_key_usage(c, dc->extExtKeyUsageSrc, dc->extExtKeyUsageSz);
	if (r == TD_OK)
		r = decoded_san(dc, c);
	return r;
}

/* SHA-256 of the DER as lowercase hex; over 4 GiB (never from TLS) in steps. */
static void fingerprint(const uint8_t *der, size_t len, char out[65])
{
	byte hash[WC_SHA256_DIGEST_SIZE];
	int ret;
	if (len <= UINT32_MAX) {
		ret = wc_Sha256Hash(der, (word32)len, hash);
	} else {
		wc_Sha256 sha;
		ret = wc_InitSha256(&sha);
		for (size_t off = 0; ret == 0 && off < len; off += UINT32_MAX) {
			size_t n = len - off < UINT32_MAX ? len - off : UINT32_MAX;
			ret = wc_Sha256Update(&sha, der + off, (word32)n);
		}
		if (ret == 0)
			ret = wc_Sha256Final(&sha, hash);
		wc_Sha256Free(&sha);
	}
	if (ret == 0)
		td_text_hex(out, hash, sizeof hash, 0);
	else
		out[0] = '\0';
}

/*
 * Everything of cert (its DER copied) from the one wolfSSL decoding of
 * the DER (td_vcert_decode): the displayed fields and the validation
 * view (vcert.h), which points into cert->der.
 */
static enum td_result parse_der(struct td_cert *cert)
{
	DecodedCert *dc = malloc(sizeof *dc);  /* 2.5 KB: not on the stack */
	if (!dc)
		return TD_ERR_NOMEM;
	int rc = td_vcert_decode(dc, cert->der, cert->der_len);
	enum td_result r = td_vcert_make(dc, rc, cert->der, cert->der_len, false, &cert->vcert);
	if (r == TD_OK)
		r = from_decoded(dc, rc, cert);
	wc_FreeDecodedCert(dc);
	free(dc);
	return r;
}

enum td_result td_x509_parse(const uint8_t *der, size_t len, struct td_cert **out)
{
	static const uint8_t nothing[1];
	enum td_result r = TD_OK;
	struct td_cert *cert = td_cert_new();
	*out = NULL;
	if (!cert)
		return TD_ERR_NOMEM;
	if (!der)
		len = 0;
	cert->der_len = len;
	cert->path_len = -1;
	fingerprint(der ? der : nothing, len, cert->sha256);

	if (len == 0) {
		r = set_name(&cert->error, "empty certificate");
	} else if (len > INT_MAX) {
		r = set_name(&cert->error, "certificate too large for wolfSSL");
	} else if (!(cert->der = malloc(len))) {
		r = TD_ERR_NOMEM;
	} else {
		/* Kept for chain validation (verify.h), which reads it through
		 * cert->vcert. */
		memcpy(cert->der, der, len);
		r = parse_der(cert);
	}
	if (r == TD_OK && cert->parsed)
		cert->self_signed = cert->subject && cert->issuer &&
				    strcmp(cert->subject, cert->issuer) == 0;
	if (r != TD_OK) {
		td_cert_unref(cert);
		return r;
	}
	*out = cert;
	return TD_OK;
}
