/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vcert.h - x509/'s own: one certificate as path validation sees it
 * (parsed by wolfSSL's wc_ParseCert, which also takes what
 * wolfSSL_d2i_X509 refuses), and the trust store's layout, shared by
 * trust.c (loading the store) and verify.c (path validation, vouching).
 * Not for other folders: it exposes wolfSSL's types.
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

/* The trust anchors (verify.h's opaque struct td_trust). */
struct td_trust {
	struct vcert *a;    /* the anchors, distinct DER */
	size_t n, alloc;
	size_t skipped;     /* found but not parseable */
	char **subjects;    /* td_trust_index_subjects: the anchors' names, sorted */
	size_t n_subjects;
};

/*
 * Fill *v from der (borrowed: v->der points at it).  A certificate
 * wolfSSL cannot parse is data: v->parsed false, TD_OK.  TD_ERR_NOMEM
 * only for our own allocations.  Free what it holds with
 * td_vcert_cleanup() either way.
 */
enum td_result td_vcert_parse(struct vcert *v, const uint8_t *der, size_t len) TD_MUST_CHECK;
void td_vcert_cleanup(struct vcert *v);

/* Whether x is der, byte for byte. */
bool td_vcert_same_der(const struct vcert *x, const uint8_t *der, size_t len);

/* The RFC 4514 subject (issuer false) or issuer of c, as every name in
 * tlsdiag reads; malloc'd, NULL when none or out of memory. */
char *td_vcert_name_string(const struct vcert *c, bool issuer);

#endif
