/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vcert.h - x509/'s own: one certificate as path validation sees it
 * (read from wolfSSL's wc_ParseCert, which also takes what
 * wolfSSL_d2i_X509 refuses), and the trust store's layout, shared by
 * x509.c (a sent certificate's td_cert.vcert, made by the parse that
 * fills the td_cert), trust.c (loading the store) and verify.c (path
 * validation, vouching).  Not for other folders: it exposes wolfSSL's
 * types.
 */
#ifndef TD_X509_VCERT_H
#define TD_X509_VCERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/asn.h>
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
/* wc_ParseCert() on der, then td_vcert_make(). */
enum td_result td_vcert_parse(const uint8_t *der, size_t len, bool own_der,
			      struct td_vcert **out) TD_MUST_CHECK;

/* Whether x is der, byte for byte. */
bool td_vcert_same_der(const struct td_vcert *x, const uint8_t *der, size_t len);

/* The RFC 4514 subject (issuer false) or issuer of c, as every name in
 * tlsdiag reads; malloc'd, NULL when none or out of memory. */
char *td_vcert_name_string(const struct td_vcert *c, bool issuer);

#endif
