/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verify.c - passive certificate chain verification (verify.h); the
 * store is loaded by trust.c; the sent certificates come parsed (their
 * td_cert.vcert, made by td_x509_parse), the anchors by vcert.c.
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
 * (Nor could it work on what tlsdiag has: it takes WOLFSSL_X509 objects,
 * a second decode of every DER.)  So wolfSSL parses, once per DER, for
 * display and validation alike (td_x509_parse; vcert.c), and checks
 * signatures (td_vcert_check_sig, wc_CheckCertSigPubKey); the path logic
 * is here, and names come from td_x509_name_string (x509.c) so they read
 * exactly as everywhere else in tlsdiag.  The signature check is the one
 * place wolfSSL reads a certificate's DER again (as far as its signed
 * part and signature): wolfSSL 5.5.4 exports no check that takes those
 * from the DecodedCert (its ConfirmSignature() is static in asn.c).  It runs
 * only here, when a chain is validated or vouched for, once per child and
 * candidate issuer, and diagnose.c reuses a chain's verdict by identity.
 *
 * Limits (wolfSSL 5.5.4): names match by a hash of their DER bytes, not
 * after RFC 5280 7.1 normalisation (case, spaces), so an issuer whose
 * Name is encoded differently is not found; an issuer with an RSASSA-PSS
 * key (id-RSASSA-PSS SubjectPublicKeyInfo) cannot check signatures
 * (error 6); no CRL, OCSP, policy, name constraint or nsCertType checks.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "caps.h"
#include "vcert.h"
#include "verify.h"
#include "x509.h"

/* Longest path built: every sent certificate plus as many anchors. */
#define VERIFY_PATH_MAX (2u * TD_CAP_CHAIN)
/* OpenSSL 3's X509_V_ERR_UNSPECIFIED, which wolfSSL does not define:
 * a sent certificate that cannot be parsed at all. */
#define VERIFY_ERR_UNPARSED 1

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


/* td_vcert_name_string() into dst[cap] ("" when none), cut short if need be. */
static void name_of(const struct td_vcert *c, bool issuer, char *dst, size_t cap)
{
	char *s = td_vcert_name_string(c, issuer);
	copy_text(dst, cap, s);
	free(s);
}

/* ---- path building ---- */

enum sig_status { SIG_UNCHECKED, SIG_OK, SIG_BAD, SIG_CANNOT };

struct pelem {
	const struct td_vcert *c;
	int sent;              /* index in der[], -1 for an anchor */
	bool trusted;
	enum sig_status sig;   /* c's signature under the next element's key */
	int sig_wolf;          /* wolfSSL's error for SIG_CANNOT */
};

static enum sig_status sig_check(const struct td_vcert *child, const struct td_vcert *issuer, int *wolf)
{
	int rc = td_vcert_check_sig(child, issuer);
	*wolf = rc;
	if (rc == 0)
		return SIG_OK;
	/* Only a signature that was computed and did not match is "bad";
	 * an algorithm or key wolfSSL cannot use is "cannot check". */
	return rc == ASN_SIG_CONFIRM_E ? SIG_BAD : SIG_CANNOT;
}

static bool likely_issued(const struct td_vcert *issuer, const struct td_vcert *child)
{
	return issuer->parsed &&
	       memcmp(issuer->subject_hash, child->issuer_hash, KEYID_SIZE) == 0 &&
	       !(child->has_akid && issuer->has_skid &&
		 memcmp(child->akid, issuer->skid, KEYID_SIZE) != 0);
}

static bool in_path(const struct pelem *path, size_t len, const struct td_vcert *c)
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
static bool find_issuer(struct pelem *path, size_t len, const struct td_vcert *const *c, size_t n,
			size_t *idx)
{
	struct pelem *top = &path[len - 1];
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		if (!likely_issued(c[i], top->c) || in_path(path, len, c[i]))
			continue;
		int wolf = 0;
		enum sig_status s = sig_check(top->c, c[i], &wolf);
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
static bool ca_ok(const struct td_vcert *c)
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
static bool purpose_ok(const struct td_vcert *c, bool leaf, bool server)
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
		const struct td_vcert *c = path[i].c;
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
		const struct td_vcert *issuer = k + 1 < len ? path[k + 1].c : NULL;
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
static void build_and_check(const struct td_trust *t, const struct td_vcert *const *sent, size_t m,
			    int64_t at, bool server, struct td_chain_check *out)
{
	struct pelem path[VERIFY_PATH_MAX];
	size_t len = 1, i;
	memset(path, 0, sizeof path);
	path[0].c = sent[0];
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
		if (find_issuer(path, len, (const struct td_vcert *const *)t->a, t->n, &i)) {
			if (!top->trusted && td_vcert_same_der(t->a[i], top->c->der, top->c->der_len)) {
				top->trusted = true;  /* top is itself an anchor (self-signed) */
				top->sig = SIG_UNCHECKED;
			} else {
				path[len++] = (struct pelem){ t->a[i], -1, true, SIG_UNCHECKED, 0 };
			}
			continue;
		}
		if (!top->trusted && !top->c->self_issued && m > 1 &&
		    find_issuer(path, len, sent + 1, m - 1, &i)) {
			path[len++] = (struct pelem){ sent[i + 1], (int)i + 1, false, SIG_UNCHECKED, 0 };
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

/* A certificate without DER (a redacted one, or one made by hand in a
 * test) is one wolfSSL could not parse. */
static const struct td_vcert no_der = { .parse_error = BAD_FUNC_ARG };

/* The parsed forms of the sent certificates, at most TD_CAP_CHAIN of
 * them (the number returned), into sent[]: each td_cert carries the one
 * its parse made (td_x509_parse), so nothing is parsed again here. */
static size_t sent_views(const struct td_cert *const *certs, size_t n,
			 const struct td_vcert *sent[TD_CAP_CHAIN])
{
	size_t m = n < TD_CAP_CHAIN ? n : TD_CAP_CHAIN;
	for (size_t i = 0; i < m; i++)
		sent[i] = certs[i] && certs[i]->vcert ? certs[i]->vcert : &no_der;
	return m;
}

/* A verdict of "not checked", pointing at no certificate. */
static void not_checked(struct td_chain_check *out)
{
	memset(out, 0, sizeof *out);
	out->verdict = TD_CHAIN_NOT_CHECKED;
	out->depth = -1;
	out->sent_index = -1;
}

enum td_result td_trust_verify(const struct td_trust *t, const struct td_cert *const *certs,
			       size_t n, int64_t at, bool server, struct td_chain_check *out)
{
	if (!out)
		return TD_ERR_USAGE;
	not_checked(out);
	if (n > 0 && !certs)
		return TD_ERR_USAGE;
	if (!t || n == 0) {
		copy_text(out->reason, sizeof out->reason, !t ? "no trust store" : "no certificate");
		return TD_OK;
	}
	const struct td_vcert *sent[TD_CAP_CHAIN];
	size_t m = sent_views(certs, n, sent);
	if (!sent[0]->parsed) {
		struct pelem leaf = { sent[0], 0, false, SIG_UNCHECKED, 0 };
		report(out, VERIFY_ERR_UNPARSED, &leaf, 0, NAME_NONE,
		       wc_GetErrorString(sent[0]->parse_error));
		return TD_OK;
	}
	build_and_check(t, sent, m, at, server, out);
	return TD_OK;
}

/* ---- which CAs a store vouches for (--redact) ---- */

enum td_result td_trust_vouch(const struct td_trust *t, const struct td_cert *const *certs,
			      size_t n, bool *issued, bool *vouched)
{
	if (n > 0 && (!certs || !issued || !vouched))
		return TD_ERR_USAGE;
	for (size_t i = 0; i < n; i++)
		issued[i] = vouched[i] = false;
	if (!t || t->n == 0 || n == 0)
		return TD_OK;
	const struct td_vcert *sent[TD_CAP_CHAIN];
	size_t m = sent_views(certs, n, sent);
	/* Anchors first, then sent CAs vouched for, until nothing changes
	 * (at most m rounds: each round vouches for one more or stops). */
	for (size_t i = 0; i < m; i++) {
		if (!sent[i]->parsed)
			continue;
		for (size_t k = 0; k < t->n && !issued[i]; k++) {
			int wolf;
			if (td_vcert_same_der(t->a[k], sent[i]->der, sent[i]->der_len))
				vouched[i] = true;
			if (likely_issued(t->a[k], sent[i]) &&
			    sig_check(sent[i], t->a[k], &wolf) == SIG_OK)
				issued[i] = true;
		}
		vouched[i] = vouched[i] || (issued[i] && ca_ok(sent[i]));
	}
	for (bool more = true; more;) {
		more = false;
		for (size_t i = 0; i < m; i++) {
			for (size_t k = 0; k < m && sent[i]->parsed && !issued[i]; k++) {
				int wolf;
				if (k == i || !vouched[k] || !likely_issued(sent[k], sent[i]) ||
				    sig_check(sent[i], sent[k], &wolf) != SIG_OK)
					continue;
				issued[i] = true;
				vouched[i] = ca_ok(sent[i]);
				more = more || vouched[i];
			}
		}
	}
	return TD_OK;
}
