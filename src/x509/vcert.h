/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vcert.h - x509/'s own: the one way x509/ has wolfSSL decode a
 * certificate (td_vcert_decode) or check its signature
 * (td_vcert_check_sig), both counted; one certificate as path validation
 * sees it (read from that decode); and the trust store's layout.  Shared
 * by x509.c (a sent certificate's fields and td_cert.vcert, from one
 * decode), trust.c (loading the store), verify.c (path validation,
 * vouching) and x509name.c.  Not for other folders: it exposes wolfSSL's
 * types.
 */
#ifndef TD_X509_VCERT_H
#define TD_X509_VCERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/openssl/pem.h>
#include <wolfssl/openssl/ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/types.h>

#include "result.h"

/* One flat allocation (the struct, then the public key, then the DER
 * when it owns a copy): free() releases it, which is how the model
 * frees a td_cert's (conn.h) without knowing wolfSSL. */
struct td_vcert {
	const uint8_t *der;      /* the td_cert's DER, or the copy that follows */
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
	const uint8_t *pubkey;   /* as wolfSSL keeps it for its own CAs (inside
				    this allocation) */
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

/* The trust anchors (verify.h's opaque struct td_trust). */
struct td_trust {
	struct td_vcert **a; /* the anchors, distinct DER, each owning its copy */
	size_t n, alloc;
	size_t skipped;     /* found but not parseable */
	char **subjects;    /* td_trust_index_subjects: the anchors' names, sorted */
	size_t n_subjects;
};

/*
 * The only way x509/ gives a whole certificate to wolfSSL to decode:
 * wc_InitDecodedCert() and wc_ParseCert(CERT_TYPE, NO_VERIFY) of der into
 * *dc, which the caller releases with wc_FreeDecodedCert() whatever the
 * result; wolfSSL's error queue is cleared.  Returns wc_ParseCert()'s
 * result (0: parsed; ASN_CRIT_EXT_E: parsed, with an unknown critical
 * extension).  len must be below 4 GiB.  Counted (td_x509_parse_count,
 * x509.h): a distinct DER is decoded once a run.
 */
int td_vcert_decode(DecodedCert *dc, const uint8_t *der, size_t len);

/*
 * Whether issuer's public key verifies child's signature: 0, or
 * wolfSSL's error (ASN_SIG_CONFIRM_E: computed and did not match; others:
 * an algorithm or key wolfSSL cannot use).  Through wc_CheckCertSigPubKey(),
 * which reads child's DER again, as far as its signed part and signature:
 * wolfSSL exports no check that takes them from a DecodedCert (its
 * ConfirmSignature() is static in asn.c).  Only path validation and vouching
 * call it, after the certificates are parsed; counted
 * (td_x509_sigcheck_count, x509.h).
 */
int td_vcert_check_sig(const struct td_vcert *child, const struct td_vcert *issuer);

/*
 * A new *out from the DecodedCert dc that wc_ParseCert() filled from der
 * with result rc (NULL dc: der was not given to wolfSSL, as when empty
 * or over TD_CAP_HS_MESSAGE).  With own_der the result holds its own copy
 * of der; without, it points into der, which must outlive it (a
 * td_cert's DER).  A certificate wolfSSL cannot parse is data:
 * (*out)->parsed false, TD_OK.  TD_ERR_NOMEM only for our own
 * allocation (*out NULL).  Free with free().
 */
enum td_result td_vcert_make(const DecodedCert *dc, int rc, const uint8_t *der, size_t len,
			     bool own_der, struct td_vcert **out) TD_MUST_CHECK;
/* td_vcert_decode() of der, then td_vcert_make() (a trust anchor). */
enum td_result td_vcert_parse(const uint8_t *der, size_t len, bool own_der,
			      struct td_vcert **out) TD_MUST_CHECK;

/* Whether x is der, byte for byte. */
bool td_vcert_same_der(const struct td_vcert *x, const uint8_t *der, size_t len);

/* The RFC 4514 subject (issuer false) or issuer of c, as every name in
 * tlsdiag reads; malloc'd, NULL when none or out of memory. */
char *td_vcert_name_string(const struct td_vcert *c, bool issuer);

/*
 * Every other wolfSSL call that decodes a whole certificate, poisoned in
 * x509/'s files (all include this header after wolfSSL's), so that the
 * two counted calls above are the only ways in and the counts miss none.
 * The OpenSSL spellings are macros wolfSSL defines: undefined first, so
 * they cannot expand to a poisoned name unnoticed.  vcert.c, which makes
 * the calls, defines TD_VCERT_DECODER.
 */
#if defined(__GNUC__) && !defined(TD_VCERT_DECODER)
#undef d2i_X509
#undef d2i_X509_bio
#undef d2i_X509_fp
#undef PEM_read_X509
#undef PEM_read_bio_X509
#undef PEM_read_bio_X509_AUX
#undef PEM_X509_INFO_read
#undef PEM_X509_INFO_read_bio
#undef X509_verify_cert
#pragma GCC poison wc_ParseCert ParseCert InitDecodedCert CheckCertSignature
#pragma GCC poison wc_CheckCertSigPubKey wc_SetIssuerBuffer wc_SetSubjectBuffer
#pragma GCC poison wc_SetAltNamesBuffer wc_SetDatesBuffer wc_SetAuthKeyIdFromCert
#pragma GCC poison wolfSSL_d2i_X509 wolfSSL_X509_d2i wolfSSL_X509_d2i_fp
#pragma GCC poison wolfSSL_d2i_X509_bio wolfSSL_d2i_X509_fp
#pragma GCC poison wolfSSL_X509_load_certificate_buffer wolfSSL_X509_load_certificate_file
#pragma GCC poison wolfSSL_PEM_read_X509 wolfSSL_PEM_read_bio_X509
#pragma GCC poison wolfSSL_PEM_read_bio_X509_AUX wolfSSL_PEM_X509_INFO_read
#pragma GCC poison wolfSSL_PEM_X509_INFO_read_bio wolfSSL_X509_verify_cert
#pragma GCC poison wolfSSL_CertManagerVerifyBuffer wolfSSL_CertManagerLoadCABuffer
#pragma GCC poison d2i_X509 d2i_X509_bio d2i_X509_fp PEM_read_X509 PEM_read_bio_X509
#pragma GCC poison PEM_read_bio_X509_AUX PEM_X509_INFO_read PEM_X509_INFO_read_bio
#pragma GCC poison X509_verify_cert
#endif

#endif
