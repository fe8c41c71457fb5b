/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vcert.c - the one place x509/ has wolfSSL decode a certificate
 * (wc_ParseCert) or check its signature, both counted; and one
 * certificate as path validation needs it (vcert.h), read from that
 * decode into our own struct (for a sent certificate by td_x509_parse,
 * from the decode that fills its td_cert), the names written by x509.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "caps.h"
/* The calls vcert.h poisons for the rest of x509/ are made here. */
#define TD_VCERT_DECODER 1
#include "vcert.h"
#include "x509.h"


/* Whole-certificate decodes and signature checks made (x509.h); atomic,
 * since --workers decode on several threads at once. */
static uint64_t decodes, sigchecks;

uint64_t td_x509_parse_count(void)
{
	return __atomic_load_n(&decodes, __ATOMIC_RELAXED);
}

uint64_t td_x509_sigcheck_count(void)
{
	return __atomic_load_n(&sigchecks, __ATOMIC_RELAXED);
}

int td_vcert_decode(DecodedCert *dc, const uint8_t *der, size_t len)
{
	__atomic_add_fetch(&decodes, 1, __ATOMIC_RELAXED);
	wc_InitDecodedCert(dc, der, (word32)len, NULL);
	int rc = wc_ParseCert(dc, CERT_TYPE, NO_VERIFY, NULL);
	wolfSSL_ERR_clear_error();
	return rc;
}

int td_vcert_check_sig(const struct td_vcert *child, const struct td_vcert *issuer)
{
	__atomic_add_fetch(&sigchecks, 1, __ATOMIC_RELAXED);
	return wc_CheckCertSigPubKey(child->der, (word32)child->der_len, NULL, issuer->pubkey,
				     issuer->pubkey_len, issuer->key_oid);
}

/* A DER Time (tag, length, value) to seconds since the epoch.
 * wc_GetDateAsCalendarTime reads UTCTime 50-99 as 19YY (RFC 5280
 * 4.1.2.5.1), unlike wolfSSL_ASN1_TIME_to_tm (see x509.c). */
static bool der_time(const byte *raw, int raw_len, int64_t *out)
{
	const byte *date = NULL;
	byte format = 0;
	int len = 0;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!raw || raw_len <= 0 || wc_GetDateInfo(raw, raw_len, &date, &format, &len) != 0 ||
	    !date || len <= 0 || wc_GetDateAsCalendarTime(date, len, format, &tm) != 0)
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

/* What td_vcert_make reads of a DecodedCert wolfSSL parsed (rc 0). */
static void from_decoded(struct td_vcert *v, const DecodedCert *dc)
{
	v->key_oid = (int)dc->keyOID;
	if (dc->subjectRaw && dc->subjectRawLen > 0) {
		v->subject_raw = dc->subjectRaw;
		v->subject_raw_len = (size_t)dc->subjectRawLen;
	}
	if (dc->issuerRaw && dc->issuerRawLen > 0) {
		v->issuer_raw = dc->issuerRaw;
		v->issuer_raw_len = (size_t)dc->issuerRawLen;
	}
	memcpy(v->subject_hash, dc->subjectHash, KEYID_SIZE);
	memcpy(v->issuer_hash, dc->issuerHash, KEYID_SIZE);
	/* wolfSSL keeps key identifiers of KEYID_SIZE bytes as they are and
	 * hashes the others to that size, the same way for both. */
	v->has_skid = dc->extSubjKeyIdSet;
	v->has_akid = dc->extAuthKeyIdSet;
	memcpy(v->skid, dc->extSubjKeyId, KEYID_SIZE);
	memcpy(v->akid, dc->extAuthKeyId, KEYID_SIZE);
	v->version = dc->version;
	v->has_bc = dc->extBasicConstSet;
	v->is_ca = dc->isCA;
	v->has_pathlen = dc->isCA && dc->pathLengthSet;
	v->pathlen = dc->pathLength;
	v->has_ku = dc->extKeyUsageSet;
	v->ku = dc->extKeyUsage;
	v->has_eku = dc->extExtKeyUsageSet;
	v->eku = dc->extExtKeyUsage;
	v->nb_ok = der_time(dc->beforeDate, dc->beforeDateLen, &v->not_before);
	v->na_ok = der_time(dc->afterDate, dc->afterDateLen, &v->not_after);
	v->self_issued = memcmp(v->subject_hash, v->issuer_hash, KEYID_SIZE) == 0 &&
			 !(v->has_akid && v->has_skid && memcmp(v->akid, v->skid, KEYID_SIZE) != 0);
}

/* p, a pointer into from[], moved to the same place in to[]. */
static const uint8_t *moved(const uint8_t *p, const uint8_t *from, uint8_t *to)
{
	return p ? to + (p - from) : NULL;
}

/*
 * wolfSSL answers MEMORY_E for some malformed input too, so its errors
 * never mean NOMEM here: only our one allocation does.
 */
enum td_result td_vcert_make(const DecodedCert *dc, int rc, const uint8_t *der, size_t len,
			     bool own_der, struct td_vcert **out)
{
	/* wolfSSL reports an unknown critical extension once the whole
	 * certificate is decoded: keep it, OpenSSL rejects it in step 2. */
	bool crit = dc && rc == ASN_CRIT_EXT_E;
	if (crit)
		rc = 0;
	if (!dc || !der || len == 0 || len > TD_CAP_HS_MESSAGE)
		rc = BAD_FUNC_ARG;
	else if (rc == 0 && (!dc->publicKey || dc->pubKeySize == 0))
		rc = ASN_PARSE_E;
	size_t keylen = rc == 0 ? dc->pubKeySize : 0;
	size_t derlen = own_der && der ? len : 0;
	*out = NULL;
	uint8_t *block = malloc(sizeof **out + keylen + derlen);
	if (!block)
		return TD_ERR_NOMEM;
	struct td_vcert *v = (struct td_vcert *)(void *)block;
	memset(v, 0, sizeof *v);
	uint8_t *key = block + sizeof *v, *copy = key + keylen;
	v->der = der;
	v->der_len = len;
	v->parse_error = rc;
	if (rc == 0) {
		from_decoded(v, dc);
		memcpy(key, dc->publicKey, keylen);
		v->pubkey = key;
		v->pubkey_len = (word32)keylen;
		v->crit_unhandled = crit;
		v->parsed = true;
	}
	if (derlen) {
		memcpy(copy, der, derlen);
		v->subject_raw = moved(v->subject_raw, der, copy);
		v->issuer_raw = moved(v->issuer_raw, der, copy);
		v->der = copy;
	}
	*out = v;
	return TD_OK;
}

enum td_result td_vcert_parse(const uint8_t *der, size_t len, bool own_der,
			      struct td_vcert **out)
{
	if (!der || len == 0 || len > TD_CAP_HS_MESSAGE)
		return td_vcert_make(NULL, BAD_FUNC_ARG, der, len, own_der, out);
	DecodedCert *dc = malloc(sizeof *dc);  /* 2.5 KB: not on the stack */
	if (!dc) {
		*out = NULL;
		return TD_ERR_NOMEM;
	}
	int rc = td_vcert_decode(dc, der, len);
	enum td_result r = td_vcert_make(dc, rc, der, len, own_der, out);
	wc_FreeDecodedCert(dc);
	free(dc);
	return r;
}

bool td_vcert_same_der(const struct td_vcert *x, const uint8_t *der, size_t len)
{
	return x->der_len == len && memcmp(x->der, der, len) == 0;
}

/*
 * The RFC 4514 subject or issuer of c, written by x509.c as every name
 * in tlsdiag.  wolfSSL points at the Name's contents: the SEQUENCE
 * header is put back in front for td_x509_name_string().  (Not
 * td_x509_parse(): it gives up on a certificate with an unknown critical
 * extension, whose name must still be shown.)  "" when not a Name.
 */
char *td_vcert_name_string(const struct td_vcert *c, bool issuer)
{
	const uint8_t *raw = issuer ? c->issuer_raw : c->subject_raw;
	size_t n = issuer ? c->issuer_raw_len : c->subject_raw_len;
	if (!raw || n == 0 || n > 0xffff)
		return NULL;
	uint8_t *tlv = malloc(n + 4);
	if (!tlv)
		return NULL;
	size_t h = 0;
	tlv[h++] = 0x30;
	if (n >= 0x100)
		tlv[h++] = 0x82, tlv[h++] = (uint8_t)(n >> 8);
	else if (n >= 0x80)
		tlv[h++] = 0x81;
	tlv[h++] = (uint8_t)(n & 0xff);
	memcpy(tlv + h, raw, n);
	char *s = td_x509_name_string(tlv, h + n);
	free(tlv);
	return s;
}
