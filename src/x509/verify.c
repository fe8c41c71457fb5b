/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verify.c - passive certificate chain verification (verify.h).
 *
 * RFC 5280 6.1 path validation, as OpenSSL 3.0's X509_verify_cert() does
 * it with default flags (trusted store first, no partial chains), so that
 * tlsdiag's answer is the one `openssl verify -CAfile STORE -untrusted
 * SENT -attime T -purpose sslserver|sslclient LEAF` gives:
 *
 *   sent:   der[0] leaf, der[1..n) untrusted, any order, extras ignored
 *
 *   1. build    leaf -> issuer -> ... : at each step the issuer is looked
 *               for in the store first, then among the sent certificates;
 *               the path ends at a trusted self-signed certificate (go on),
 *               or fails: untrusted self-signed top (18/19), issuer
 *               nowhere (20; 2 when the top came from the store)
 *   2. chain    leaf to top: unhandled critical extension (34), issuers
 *               must be CAs (24), purpose (26; trust anchors too, as
 *               OpenSSL does for anchors without auxiliary trust
 *               settings), pathLenConstraint (25)
 *   3. verify   top to leaf: issuer keyUsage keyCertSign (32), signature
 *               (7), then notBefore <= at (9) and at < notAfter (10)
 *
 * The first error wins.  "Issuer" means: its subject is the child's
 * issuer (wolfSSL's hashes of the raw Names), the child's
 * authorityKeyIdentifier, if any, matches its subjectKeyIdentifier, if
 * any, and, among several, the one whose key verifies the signature.
 *
 * Why not wolfSSL's own X509_STORE_CTX: in Debian 12's wolfSSL 5.5.4
 * (libwolfssl.so.35, tried with small programs on the lab certificates)
 *  - X509_STORE_CTX_init() adds every certificate of the untrusted stack
 *    to the store as a CA: a self-signed root sent by the server makes the
 *    chain "ok" with an empty store, and the store stays polluted for
 *    every later verification;
 *  - X509_STORE_CTX_set_time() is ignored (dates are judged at the
 *    current time), there is no X509_VERIFY_PARAM_set_time(), and
 *    X509_STORE_CTX_set_purpose() is a stub returning 0;
 *  - X509_verify_cert_error_string() knows only codes 0 and 20.
 * So wolfSSL parses (wc_ParseCert, which also takes Ed25519/Ed448 that
 * wolfSSL_d2i_X509 refuses) and checks signatures (wc_CheckCertSigPubKey);
 * the path logic is here, and names come from td_x509_name_string
 * (x509.c) so they read exactly as everywhere else in tlsdiag.
 *
 * Limits (wolfSSL 5.5.4): names match by a hash of their DER bytes, not
 * after RFC 5280 7.1 normalisation (case, spaces), so an issuer whose
 * Name is encoded differently is not found; an issuer with an RSASSA-PSS
 * key (id-RSASSA-PSS SubjectPublicKeyInfo) cannot check signatures
 * (error 6); no CRL, OCSP, policy, name constraint or nsCertType checks.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "caps.h"
#include "dynbuf.h"
#include "reader.h"
#include "text.h"
#include "verify.h"
#include "x509.h"

/* Largest trust store file read (Debian's bundle is about 220 KB).  A
 * local limit: caps.h is another engineer's file; it belongs there. */
#define TRUST_FILE_MAX (64u * 1024u * 1024u)
/* Longest path built: every sent certificate plus as many anchors. */
#define VERIFY_PATH_MAX (2u * TD_CAP_CHAIN)
/* OpenSSL 3's X509_V_ERR_UNSPECIFIED, which wolfSSL does not define:
 * a sent certificate that cannot be parsed at all. */
#define VERIFY_ERR_UNPARSED 1

/* ---- one certificate, as far as path validation needs it ---- */

struct vcert {
	uint8_t *owned;          /* anchors: their own copy of der */
	const uint8_t *der;
	size_t der_len;
	bool parsed;
	int parse_error;         /* wolfSSL's error when !parsed */
	bool crit_unhandled;     /* a critical extension wolfSSL does not handle */
	const uint8_t *subject_raw, *issuer_raw;  /* Name contents, inside der */
	size_t subject_raw_len, issuer_raw_len;
	uint8_t subject_hash[KEYID_SIZE];
	uint8_t issuer_hash[KEYID_SIZE];
	bool has_skid, has_akid;
	uint8_t skid[KEYID_SIZE], akid[KEYID_SIZE];
	uint8_t *pubkey;         /* as wolfSSL keeps it for its own CAs */
	word32 pubkey_len;
	int key_oid;
	int version;             /* as encoded: 0 = v1, 2 = v3 */
	bool has_bc, is_ca, has_pathlen;
	unsigned pathlen;
	bool has_ku, has_eku;
	unsigned ku;             /* wolfSSL's KEYUSE_* bits */
	unsigned eku;            /* wolfSSL's EXTKEYUSE_* bits */
	bool nb_ok, na_ok;       /* the dates could be read */
	int64_t not_before, not_after;
	bool self_issued;        /* subject == issuer, and AKID == SKID if both */
};

static void vcert_cleanup(struct vcert *v)
{
	free(v->owned);
	free(v->pubkey);
	memset(v, 0, sizeof *v);
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

/*
 * Fill *v from der (borrowed: v->der points at it).  A certificate
 * wolfSSL cannot parse is data: v->parsed false, TD_OK.  TD_ERR_NOMEM
 * only for our own allocations (wolfSSL answers MEMORY_E for some
 * malformed input too, so its errors never mean NOMEM here).
 */
static enum td_result vcert_parse(struct vcert *v, const uint8_t *der, size_t len)
{
	enum td_result r = TD_OK;
	v->der = der;
	v->der_len = len;
	v->parse_error = BAD_FUNC_ARG;
	if (!der || len == 0 || len > TD_CAP_HS_MESSAGE)
		return TD_OK;
	DecodedCert *dc = malloc(sizeof *dc);  /* 2.5 KB: not on the stack */
	if (!dc)
		return TD_ERR_NOMEM;
	wc_InitDecodedCert(dc, der, (word32)len, NULL);
	int rc = wc_ParseCert(dc, CERT_TYPE, NO_VERIFY, NULL);
	/* wolfSSL reports an unknown critical extension once the whole
	 * certificate is decoded: keep it, OpenSSL rejects it in step 2. */
	if (rc == ASN_CRIT_EXT_E) {
		v->crit_unhandled = true;
		rc = 0;
	}
	if (rc == 0 && (!dc->publicKey || dc->pubKeySize == 0))
		rc = ASN_PARSE_E;
	if (rc != 0) {
		v->parse_error = rc;
		goto out;
	}
	v->pubkey = malloc(dc->pubKeySize);
	if (!v->pubkey) {
		r = TD_ERR_NOMEM;
		goto out;
	}
	memcpy(v->pubkey, dc->publicKey, dc->pubKeySize);
	v->pubkey_len = dc->pubKeySize;
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
	v->parse_error = 0;
	v->parsed = true;
out:
	wc_FreeDecodedCert(dc);
	free(dc);
	return r;
}

/* ---- the store ---- */

struct td_trust {
	struct vcert *a;    /* the anchors, distinct DER */
	size_t n, alloc;
	size_t skipped;     /* found but not parseable */
	char **subjects;    /* td_trust_index_subjects: the anchors' names, sorted */
	size_t n_subjects;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A file name fit for a one-line message (control bytes escaped). */
static char *shown(const char *name)
{
	return td_text_sanitize((const uint8_t *)name, strlen(name));
}

static bool same_der(const struct vcert *x, const uint8_t *der, size_t len)
{
	return x->der_len == len && memcmp(x->der, der, len) == 0;
}

/*
 * Add one DER certificate (copied) unless already there.  *usable is
 * incremented when it is a certificate wolfSSL parses (a duplicate
 * counts: the file did hold a certificate).
 */
static enum td_result add_anchor(struct td_trust *t, const uint8_t *der, size_t len, size_t *usable)
{
	for (size_t i = 0; i < t->n; i++) {
		if (same_der(&t->a[i], der, len)) {
			(*usable)++;
			return TD_OK;
		}
	}
	if (t->n == t->alloc) {
		size_t na = t->alloc ? 2 * t->alloc : 64;
		if (na > SIZE_MAX / sizeof *t->a)
			return TD_ERR_NOMEM;
		struct vcert *grown = realloc(t->a, na * sizeof *t->a);
		if (!grown)
			return TD_ERR_NOMEM;
		t->a = grown;
		t->alloc = na;
	}
	struct vcert v;
	memset(&v, 0, sizeof v);
	v.owned = malloc(len);
	if (!v.owned)
		return TD_ERR_NOMEM;
	memcpy(v.owned, der, len);
	enum td_result r = vcert_parse(&v, v.owned, len);
	if (r != TD_OK || !v.parsed) {
		if (r == TD_OK)
			t->skipped++;
		vcert_cleanup(&v);
		return r;
	}
	t->a[t->n++] = v;
	(*usable)++;
	return TD_OK;
}

/* Offset of needle in what r has left, via memmem. */
static bool find_text(const struct td_reader *r, const char *needle, size_t *at)
{
	size_t nl = strlen(needle);
	const uint8_t *hit = td_rd_left(r) >= nl ? memmem(r->p, r->left, needle, nl) : NULL;
	if (!hit)
		return false;
	*at = (size_t)(hit - r->p);
	return true;
}

/*
 * Every "-----BEGIN CERTIFICATE-----" block of buf, decoded by wolfSSL;
 * a buffer without one is tried as a single DER certificate.  Blocks
 * that do not decode or parse are counted in t->skipped.
 */
static enum td_result load_buffer(struct td_trust *t, const uint8_t *buf, size_t len, size_t *usable)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	struct td_reader r = td_rd_make(buf, len);
	enum td_result res = TD_OK;
	bool any = false;
	size_t at;

	while (res == TD_OK && find_text(&r, begin, &at)) {
		any = true;
		td_rd_skip(&r, at);
		size_t stop;
		if (!find_text(&r, end, &stop) || stop > INT_MAX - sizeof end) {
			t->skipped++;       /* a block cut short: the file ends */
			break;
		}
		size_t blen = stop + sizeof end - 1;
		const uint8_t *block = td_rd_bytes(&r, blen);
		uint8_t *der = block ? malloc(blen) : NULL;  /* DER is shorter than its base64 */
		if (!der)
			return block ? TD_ERR_NOMEM : TD_OK;
		int dlen = wc_CertPemToDer(block, (int)blen, der, (int)blen, CERT_TYPE);
		if (dlen > 0)
			res = add_anchor(t, der, (size_t)dlen, usable);
		else
			t->skipped++;
		free(der);
	}
	if (res == TD_OK && !any && len > 0) {
		/* Not PEM: one DER certificate, or nothing at all (not counted). */
		struct vcert probe;
		memset(&probe, 0, sizeof probe);
		res = vcert_parse(&probe, buf, len);
		bool is_cert = probe.parsed;
		vcert_cleanup(&probe);
		if (res == TD_OK && is_cert)
			res = add_anchor(t, buf, len, usable);
	}
	return res;
}

/* Read a whole regular file.  TD_ERR_IO with *err_no set on failure. */
static enum td_result read_file(const char *path, struct td_dynbuf *b, int *err_no)
{
	enum td_result r = TD_OK;
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err_no = errno;
		return TD_ERR_IO;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0) {
		*err_no = errno;
		r = TD_ERR_IO;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		*err_no = EISDIR;
		r = TD_ERR_IO;
		goto out;
	}
	uint8_t chunk[16384];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
		r = td_dynbuf_add(b, chunk, k);
		if (r == TD_ERR_CAP) {
			*err_no = EFBIG;
			r = TD_ERR_IO;
		}
		if (r != TD_OK)
			goto out;
	}
	if (ferror(f)) {
		*err_no = errno ? errno : EIO;
		r = TD_ERR_IO;
	}
out:
	fclose(f);
	return r;
}

/* Load a named bundle: it must be readable and hold a certificate. */
static enum td_result load_file(struct td_trust *t, const char *path, char *err, size_t errlen)
{
	struct td_dynbuf b;
	td_dynbuf_init(&b, TRUST_FILE_MAX);
	int e = 0;
	size_t usable = 0;
	enum td_result r = read_file(path, &b, &e);
	if (r == TD_OK)
		r = load_buffer(t, b.data, b.len, &usable);
	if (r == TD_OK && usable == 0)
		r = TD_ERR_IO;
	if (r == TD_ERR_IO) {
		char *s = shown(path);
		if (e)
			set_err(err, errlen, "cannot read %s: %s", s ? s : "?",
				e == EFBIG ? "larger than 64 MiB" : strerror(e));
		else
			set_err(err, errlen, "%s holds no certificate (PEM or DER) that wolfSSL can read",
				s ? s : "?");
		free(s);
	}
	td_dynbuf_cleanup(&b);
	return r;
}

/* Names worth reading in a CA directory: *.pem, *.crt, and the HHHHHHHH.N
 * names of `openssl rehash` / c_rehash. */
static bool ca_file_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || name[0] == '.')
		return false;
	if (n > 4 && (strcasecmp(name + n - 4, ".pem") == 0 || strcasecmp(name + n - 4, ".crt") == 0))
		return true;
	if (n < 10 || name[8] != '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
		if (i < 8 ? !hex : i > 8 && !(c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

/* Load every certificate file of a directory; files that cannot be read
 * or hold no certificate are passed over, but the directory must give
 * at least one certificate. */
static enum td_result load_dir(struct td_trust *t, const char *dir, char *err, size_t errlen)
{
	enum td_result r = TD_OK;
	size_t usable = 0;
	struct td_dynbuf b;
	td_dynbuf_init(&b, TRUST_FILE_MAX);
	DIR *d = opendir(dir);
	if (!d) {
		int e = errno;
		char *s = shown(dir);
		set_err(err, errlen, "cannot open directory %s: %s", s ? s : "?", strerror(e));
		free(s);
		return TD_ERR_IO;
	}
	const struct dirent *de;
	while (r == TD_OK && (de = readdir(d)) != NULL) {
		if (!ca_file_name(de->d_name))
			continue;
		size_t plen = strlen(dir) + strlen(de->d_name) + 2;
		char *path = malloc(plen);
		if (!path) {
			r = TD_ERR_NOMEM;
			break;
		}
		snprintf(path, plen, "%s/%s", dir, de->d_name);
		struct stat st;
		int e = 0;
		td_dynbuf_reset(&b);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			r = read_file(path, &b, &e);
			if (r == TD_OK)
				r = load_buffer(t, b.data, b.len, &usable);
			if (r == TD_ERR_IO)
				r = TD_OK;  /* an unreadable member: the others may do */
		}
		free(path);
	}
	closedir(d);
	td_dynbuf_cleanup(&b);
	if (r == TD_OK && usable == 0) {
		char *s = shown(dir);
		set_err(err, errlen, "%s holds no certificate (no readable *.pem, *.crt or hashed file)",
			s ? s : "?");
		free(s);
		r = TD_ERR_IO;
	}
	return r;
}

enum td_result td_trust_new(struct td_trust **out, const char *ca_file, const char *ca_path,
			    bool use_system, char *err, size_t errlen)
{
	enum td_result r = TD_OK;
	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return TD_ERR_USAGE;
	*out = NULL;
	struct td_trust *t = calloc(1, sizeof *t);
	if (!t)
		return TD_ERR_NOMEM;
	if (use_system && access(TD_TRUST_SYSTEM_BUNDLE, F_OK) == 0)
		r = load_file(t, TD_TRUST_SYSTEM_BUNDLE, err, errlen);
	if (r == TD_OK && ca_file)
		r = load_file(t, ca_file, err, errlen);
	if (r == TD_OK && ca_path)
		r = load_dir(t, ca_path, err, errlen);
	if (r != TD_OK)
		goto out;
	*out = t;
	t = NULL;
out:
	if (r == TD_ERR_NOMEM)
		set_err(err, errlen, "out of memory while loading trust anchors");
	td_trust_free(t);
	return r;
}

void td_trust_free(struct td_trust *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		vcert_cleanup(&t->a[i]);
	for (size_t i = 0; i < t->n_subjects; i++)
		free(t->subjects[i]);
	free(t->subjects);
	free(t->a);
	free(t);
}

size_t td_trust_anchor_count(const struct td_trust *t)
{
	return t ? t->n : 0;
}

size_t td_trust_skipped(const struct td_trust *t)
{
	return t ? t->skipped : 0;
}

/* ---- verdicts and words ---- */

const char *td_chain_verdict_name(enum td_chain_verdict v)
{
	switch (v) {
	case TD_CHAIN_OK: return "ok";
	case TD_CHAIN_UNKNOWN_ROOT: return "unknown_root";
	case TD_CHAIN_MISSING_ISSUER: return "missing_issuer";
	case TD_CHAIN_EXPIRED: return "expired";
	case TD_CHAIN_NOT_YET_VALID: return "not_yet_valid";
	case TD_CHAIN_BAD_SIGNATURE: return "bad_signature";
	case TD_CHAIN_WRONG_PURPOSE: return "wrong_purpose";
	case TD_CHAIN_OTHER: return "other";
	case TD_CHAIN_NOT_CHECKED: return "not_checked";
	}
	return "other";
}

struct err_word {
	int code;
	enum td_chain_verdict verdict;
	const char *words;   /* OpenSSL 3.0's X509_verify_cert_error_string() */
};

/* Every code this file sets; wolfSSL's own strings stop at code 20. */
static const struct err_word err_words[] = {
	{ X509_V_OK, TD_CHAIN_OK, "ok" },
	{ VERIFY_ERR_UNPARSED, TD_CHAIN_OTHER, "unable to parse the certificate" },
	{ X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, TD_CHAIN_MISSING_ISSUER, "unable to get issuer certificate" },
	{ X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, TD_CHAIN_OTHER, "unable to decode issuer public key" },
	{ X509_V_ERR_CERT_SIGNATURE_FAILURE, TD_CHAIN_BAD_SIGNATURE, "certificate signature failure" },
	{ X509_V_ERR_CERT_NOT_YET_VALID, TD_CHAIN_NOT_YET_VALID, "certificate is not yet valid" },
	{ X509_V_ERR_CERT_HAS_EXPIRED, TD_CHAIN_EXPIRED, "certificate has expired" },
	{ X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, TD_CHAIN_OTHER, "format error in certificate's notBefore field" },
	{ X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, TD_CHAIN_OTHER, "format error in certificate's notAfter field" },
	{ X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, TD_CHAIN_UNKNOWN_ROOT, "self-signed certificate" },
	{ X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, TD_CHAIN_UNKNOWN_ROOT, "self-signed certificate in certificate chain" },
	{ X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, TD_CHAIN_MISSING_ISSUER, "unable to get local issuer certificate" },
	{ X509_V_ERR_CERT_CHAIN_TOO_LONG, TD_CHAIN_OTHER, "certificate chain too long" },
	{ X509_V_ERR_INVALID_CA, TD_CHAIN_OTHER, "invalid CA certificate" },
	{ X509_V_ERR_PATH_LENGTH_EXCEEDED, TD_CHAIN_OTHER, "path length constraint exceeded" },
	{ X509_V_ERR_INVALID_PURPOSE, TD_CHAIN_WRONG_PURPOSE, "unsuitable certificate purpose" },
	{ X509_V_ERR_KEYUSAGE_NO_CERTSIGN, TD_CHAIN_OTHER, "key usage does not include certificate signing" },
	{ X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, TD_CHAIN_OTHER, "unhandled critical extension" },
};

static const struct err_word *err_word(int code)
{
	for (size_t i = 0; i < sizeof err_words / sizeof err_words[0]; i++)
		if (err_words[i].code == code)
			return &err_words[i];
	return &err_words[1];
}

/* Copy s into dst[cap], cut at a UTF-8 character boundary. */
static void copy_text(char *dst, size_t cap, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * The RFC 4514 subject or issuer of c, written by x509.c as every name
 * in tlsdiag.  wolfSSL points at the Name's contents: the SEQUENCE
 * header is put back in front for td_x509_name_string().  (Not
 * td_x509_parse(): it gives up on a certificate with an unknown critical
 * extension, whose name must still be shown.)  "" when not a Name.
 */
static char *name_string(const struct vcert *c, bool issuer)
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

/* name_string() into dst[cap] ("" when none), cut short if need be. */
static void name_of(const struct vcert *c, bool issuer, char *dst, size_t cap)
{
	char *s = name_string(c, issuer);
	copy_text(dst, cap, s);
	free(s);
}

/* ---- path building ---- */

enum sig_status { SIG_UNCHECKED, SIG_OK, SIG_BAD, SIG_CANNOT };

struct pelem {
	const struct vcert *c;
	int sent;              /* index in der[], -1 for an anchor */
	bool trusted;
	enum sig_status sig;   /* c's signature under the next element's key */
	int sig_wolf;          /* wolfSSL's error for SIG_CANNOT */
};

static enum sig_status sig_check(const struct vcert *child, const struct vcert *issuer, int *wolf)
{
	int rc = wc_CheckCertSigPubKey(child->der, (word32)child->der_len, NULL,
				       issuer->pubkey, issuer->pubkey_len, issuer->key_oid);
	*wolf = rc;
	if (rc == 0)
		return SIG_OK;
	/* Only a signature that was computed and did not match is "bad";
	 * an algorithm or key wolfSSL cannot use is "cannot check". */
	return rc == ASN_SIG_CONFIRM_E ? SIG_BAD : SIG_CANNOT;
}

static bool likely_issued(const struct vcert *issuer, const struct vcert *child)
{
	return issuer->parsed &&
	       memcmp(issuer->subject_hash, child->issuer_hash, KEYID_SIZE) == 0 &&
	       !(child->has_akid && issuer->has_skid &&
		 memcmp(child->akid, issuer->skid, KEYID_SIZE) != 0);
}

static bool in_path(const struct pelem *path, size_t len, const struct vcert *c)
{
	for (size_t i = 0; i < len; i++)
		if (path[i].c == c)
			return true;
	return false;
}

/*
 * The issuer of the path's top among c[0..n) not yet in the path: one
 * whose key verifies the signature, else the first likely one (its
 * signature then fails in step 3).  Sets the top's sig status.
 */
static bool find_issuer(struct pelem *path, size_t len, const struct vcert *c, size_t n, size_t *idx)
{
	struct pelem *top = &path[len - 1];
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		if (!likely_issued(&c[i], top->c) || in_path(path, len, &c[i]))
			continue;
		int wolf = 0;
		enum sig_status s = sig_check(top->c, &c[i], &wolf);
		if (s == SIG_OK || !found) {
			found = true;
			*idx = i;
			top->sig = s;
			top->sig_wolf = wolf;
			if (s == SIG_OK)
				break;
		}
	}
	return found;
}

/* basicConstraints cA, or what OpenSSL's X509_check_ca() also accepts
 * without it: a v1 self-signed certificate, a keyUsage keyCertSign. */
static bool ca_ok(const struct vcert *c)
{
	if (c->has_bc)
		return c->is_ca;
	if (c->version == 0 && c->self_issued)
		return true;
	return c->has_ku && (c->ku & KEYUSE_KEY_CERT_SIGN);
}

/* OpenSSL's check_purpose_ssl_server/_client: an extendedKeyUsage, if
 * any, must list serverAuth/clientAuth (anyExtendedKeyUsage is not
 * enough for OpenSSL 3.0), and a leaf's keyUsage, if any, must allow the
 * TLS signature or key exchange. */
static bool purpose_ok(const struct vcert *c, bool leaf, bool server)
{
	unsigned want = server ? EXTKEYUSE_SERVER_AUTH : EXTKEYUSE_CLIENT_AUTH;
	if (c->has_eku && !(c->eku & want))
		return false;
	if (!leaf || !c->has_ku)
		return true;
	unsigned ku = server ? (KEYUSE_DIGITAL_SIG | KEYUSE_KEY_ENCIPHER | KEYUSE_KEY_AGREE)
			     : (KEYUSE_DIGITAL_SIG | KEYUSE_KEY_AGREE);
	return (c->ku & ku) != 0;
}

enum name_kind { NAME_NONE, NAME_ISSUER, NAME_SUBJECT };

/* Write the verdict for error `code` about path[depth] (path may be
 * NULL for "no such certificate"). */
static void report(struct td_chain_check *out, int code, const struct pelem *path,
		   int depth, enum name_kind missing, const char *detail)
{
	const struct err_word *w = err_word(code);
	out->verdict = w->verdict;
	out->error = code;
	out->depth = code == X509_V_OK ? -1 : depth;
	if (detail)
		snprintf(out->reason, sizeof out->reason, "%s (wolfSSL: %s)", w->words, detail);
	else
		copy_text(out->reason, sizeof out->reason, w->words);
	if (!path || depth < 0)
		return;
	const struct pelem *e = &path[depth];
	out->sent_index = e->sent;
	name_of(e->c, false, out->subject, sizeof out->subject);
	if (missing != NAME_NONE)
		name_of(e->c, missing == NAME_ISSUER, out->missing_issuer, sizeof out->missing_issuer);
}

/* Step 2 (leaf to top) of a path that ends trusted: the first error. */
static bool check_chain(struct td_chain_check *out, const struct pelem *path, size_t len, bool server)
{
	unsigned plen = 0;  /* non-self-issued intermediates below i */
	for (size_t i = 0; i < len; i++) {
		const struct vcert *c = path[i].c;
		int code = X509_V_OK;
		if (c->crit_unhandled)
			code = X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION;
		else if (i > 0 && !ca_ok(c))
			code = X509_V_ERR_INVALID_CA;
		else if (!purpose_ok(c, i == 0, server))
			code = X509_V_ERR_INVALID_PURPOSE;
		else if (i > 1 && c->has_pathlen && plen > c->pathlen)
			code = X509_V_ERR_PATH_LENGTH_EXCEEDED;
		if (code != X509_V_OK) {
			report(out, code, path, (int)i, NAME_NONE, NULL);
			return false;
		}
		if (i > 0 && !c->self_issued)
			plen++;
	}
	return true;
}

/* Step 3 (top to leaf): signatures and dates; the first error, or OK. */
static void check_signatures_and_dates(struct td_chain_check *out, const struct pelem *path,
				       size_t len, int64_t at)
{
	for (size_t k = len; k-- > 0;) {
		const struct pelem *e = &path[k];
		int code = X509_V_OK, depth = (int)k;
		const char *detail = NULL;
		const struct vcert *issuer = k + 1 < len ? path[k + 1].c : NULL;
		if (issuer && issuer->has_ku && !(issuer->ku & KEYUSE_KEY_CERT_SIGN)) {
			code = X509_V_ERR_KEYUSAGE_NO_CERTSIGN;
			depth = (int)k + 1;
		} else if (issuer && e->sig == SIG_BAD) {
			code = X509_V_ERR_CERT_SIGNATURE_FAILURE;
		} else if (issuer && e->sig == SIG_CANNOT) {
			code = X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY;
			detail = wc_GetErrorString(e->sig_wolf);
		} else if (!e->c->nb_ok) {
			code = X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD;
		} else if (!e->c->na_ok) {
			code = X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD;
		} else if (at < e->c->not_before) {
			code = X509_V_ERR_CERT_NOT_YET_VALID;
		} else if (at >= e->c->not_after) {
			/* OpenSSL's X509_cmp_time: notAfter itself is expired */
			code = X509_V_ERR_CERT_HAS_EXPIRED;
		}
		if (code != X509_V_OK) {
			report(out, code, path, depth, NAME_NONE, detail);
			return;
		}
	}
	report(out, X509_V_OK, path, -1, NAME_NONE, NULL);
}

/* Step 1, then steps 2 and 3 when the path ends trusted. */
static void build_and_check(const struct td_trust *t, const struct vcert *sent, size_t m,
			    int64_t at, bool server, struct td_chain_check *out)
{
	struct pelem path[VERIFY_PATH_MAX];
	size_t len = 1, i;
	memset(path, 0, sizeof path);
	path[0].c = &sent[0];
	path[0].sent = 0;
	for (;;) {
		struct pelem *top = &path[len - 1];
		int depth = (int)len - 1;
		if (top->trusted && top->c->self_issued)
			break;
		if (len == VERIFY_PATH_MAX) {
			report(out, X509_V_ERR_CERT_CHAIN_TOO_LONG, path, depth, NAME_NONE, NULL);
			return;
		}
		/* The store first, as OpenSSL's X509_V_FLAG_TRUSTED_FIRST. */
		if (find_issuer(path, len, t->a, t->n, &i)) {
			if (!top->trusted && same_der(&t->a[i], top->c->der, top->c->der_len)) {
				top->trusted = true;  /* top is itself an anchor (self-signed) */
				top->sig = SIG_UNCHECKED;
			} else {
				path[len++] = (struct pelem){ &t->a[i], -1, true, SIG_UNCHECKED, 0 };
			}
			continue;
		}
		if (!top->trusted && !top->c->self_issued && m > 1 &&
		    find_issuer(path, len, sent + 1, m - 1, &i)) {
			path[len++] = (struct pelem){ &sent[i + 1], (int)i + 1, false, SIG_UNCHECKED, 0 };
			continue;
		}
		if (top->trusted)
			report(out, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, path, depth, NAME_ISSUER, NULL);
		else if (top->c->self_issued)
			report(out, len == 1 ? X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
					     : X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
			       path, depth, NAME_SUBJECT, NULL);
		else
			report(out, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, path, depth,
			       NAME_ISSUER, NULL);
		return;
	}
	if (check_chain(out, path, len, server))
		check_signatures_and_dates(out, path, len, at);
}

/* The sent certificates, at most TD_CAP_CHAIN of them (*m says how
 * many), each parsed; *out is freed with sent_free() whatever is
 * returned.  TD_ERR_NOMEM (*out NULL when the array itself failed). */
static enum td_result sent_parse(const uint8_t *const *der, const size_t *der_len, size_t n,
				 struct vcert **out, size_t *m)
{
	enum td_result r = TD_OK;
	*m = n < TD_CAP_CHAIN ? n : TD_CAP_CHAIN;
	*out = calloc(*m, sizeof **out);
	if (!*out)
		return TD_ERR_NOMEM;
	for (size_t i = 0; i < *m && r == TD_OK; i++)
		r = vcert_parse(&(*out)[i], der[i], der_len[i]);
	return r;
}

static void sent_free(struct vcert *sent, size_t m)
{
	for (size_t i = 0; sent && i < m; i++)
		vcert_cleanup(&sent[i]);
	free(sent);
}

enum td_result td_trust_verify(const struct td_trust *t, const uint8_t *const *der,
			       const size_t *der_len, size_t n, int64_t at, bool server,
			       struct td_chain_check *out)
{
	enum td_result r = TD_OK;
	if (!out)
		return TD_ERR_USAGE;
	memset(out, 0, sizeof *out);
	out->verdict = TD_CHAIN_NOT_CHECKED;
	out->depth = -1;
	out->sent_index = -1;
	if (n > 0 && (!der || !der_len))
		return TD_ERR_USAGE;
	if (!t || n == 0) {
		copy_text(out->reason, sizeof out->reason, !t ? "no trust store" : "no certificate");
		return TD_OK;
	}
	size_t m;
	struct vcert *sent;
	r = sent_parse(der, der_len, n, &sent, &m);
	if (r != TD_OK)
		goto out;
	if (!sent[0].parsed) {
		struct pelem leaf = { &sent[0], 0, false, SIG_UNCHECKED, 0 };
		report(out, VERIFY_ERR_UNPARSED, &leaf, 0, NAME_NONE,
		       wc_GetErrorString(sent[0].parse_error));
		goto out;
	}
	build_and_check(t, sent, m, at, server, out);
out:
	sent_free(sent, m);
	if (r != TD_OK) {
		memset(out, 0, sizeof *out);
		out->verdict = TD_CHAIN_NOT_CHECKED;
		out->depth = -1;
		out->sent_index = -1;
		copy_text(out->reason, sizeof out->reason, "out of memory");
	}
	return r;
}

/* ---- which CAs a store vouches for (--redact) ---- */

enum td_result td_trust_vouch(const struct td_trust *t, const uint8_t *const *der,
			      const size_t *der_len, size_t n, bool *issued, bool *vouched)
{
	enum td_result r = TD_OK;
	if (n > 0 && (!der || !der_len || !issued || !vouched))
		return TD_ERR_USAGE;
	for (size_t i = 0; i < n; i++)
		issued[i] = vouched[i] = false;
	if (!t || t->n == 0 || n == 0)
		return TD_OK;
	size_t m;
	struct vcert *sent;
	r = sent_parse(der, der_len, n, &sent, &m);
	if (r != TD_OK)
		goto out;
	/* Anchors first, then sent CAs vouched for, until nothing changes
	 * (at most m rounds: each round vouches for one more or stops). */
	for (size_t i = 0; i < m; i++) {
		if (!sent[i].parsed)
			continue;
		for (size_t k = 0; k < t->n && !issued[i]; k++) {
			int wolf;
			if (same_der(&t->a[k], sent[i].der, sent[i].der_len))
				vouched[i] = true;
			if (likely_issued(&t->a[k], &sent[i]) &&
			    sig_check(&sent[i], &t->a[k], &wolf) == SIG_OK)
				issued[i] = true;
		}
		vouched[i] = vouched[i] || (issued[i] && ca_ok(&sent[i]));
	}
	for (bool more = true; more;) {
		more = false;
		for (size_t i = 0; i < m; i++) {
			for (size_t k = 0; k < m && sent[i].parsed && !issued[i]; k++) {
				int wolf;
				if (k == i || !vouched[k] || !likely_issued(&sent[k], &sent[i]) ||
				    sig_check(&sent[i], &sent[k], &wolf) != SIG_OK)
					continue;
				issued[i] = true;
				vouched[i] = ca_ok(&sent[i]);
				more = more || vouched[i];
			}
		}
	}
out:
	sent_free(sent, m);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

enum td_result td_trust_index_subjects(struct td_trust *t)
{
	if (!t || t->subjects || t->n == 0)
		return TD_OK;
	char **v = calloc(t->n, sizeof *v);
	if (!v)
		return TD_ERR_NOMEM;
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		/* A Name wolfSSL points at but x509.c cannot write (NULL) is
		 * simply not indexed: that anchor's name then vouches nothing. */
		v[k] = name_string(&t->a[i], false);
		if (v[k])
			k++;
	}
	qsort(v, k, sizeof *v, cmp_str);
	t->subjects = v;
	t->n_subjects = k;
	return TD_OK;
}

bool td_trust_has_subject(const struct td_trust *t, const char *dn)
{
	if (!t || !dn || t->n_subjects == 0)
		return false;
	return bsearch(&dn, t->subjects, t->n_subjects, sizeof *t->subjects, cmp_str) != NULL;
}
