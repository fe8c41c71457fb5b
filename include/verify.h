/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verify.h - passive certificate chain verification, through wolfSSL.
 *
 * tlsdiag sees both chains of a handshake and judges each as its peer
 * would: the server's chain as the client would (the client's trust
 * store: the system bundle, --ca-file, --ca-path), the client's chain as
 * the server would (--client-ca-file), at the time the handshake was
 * captured.  The answer follows OpenSSL's X509_verify_cert() with its
 * default flags: the same error codes, depths and words as
 * `openssl verify -CAfile STORE -untrusted SENT -attime T -purpose
 * sslserver|sslclient LEAF`, first error only.
 *
 * Only src/x509/ includes wolfSSL headers.  wolfSSL parses the
 * certificates (wc_ParseCert, once, when td_x509_parse makes each
 * td_cert: its vcert) and checks the signatures (wc_CheckCertSigPubKey);
 * verify.c builds and
 * checks the path itself, because Debian 12's wolfSSL 5.5.4 cannot do it
 * passively (its X509_STORE_CTX trusts the untrusted certificates it is
 * given and adds them to the store for good, and ignores the
 * verification time and the purpose; see verify.c).
 */
#ifndef TD_VERIFY_H
#define TD_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "conn.h"
#include "result.h"

/* Debian's bundle of the system's trust anchors (ca-certificates). */
#define TD_TRUST_SYSTEM_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* A set of trust anchors (parsed root and intermediate certificates),
 * read-only once made: one store may verify any number of chains. */
struct td_trust;

/*
 * Make a store in *out from, in this order: the system bundle
 * (TD_TRUST_SYSTEM_BUNDLE, when use_system and the file exists), the
 * bundle ca_file, and every certificate file in the directory ca_path
 * (names ending in .pem or .crt, and OpenSSL's hashed names HHHHHHHH.N,
 * symbolic links followed).  A file holds PEM certificates (any number,
 * text around them ignored) or one DER certificate.  NULL ca_file and
 * ca_path are skipped; with nothing to load the store is empty (no chain
 * verifies: callers that want "no store, skip with a note" test
 * td_trust_anchor_count() == 0).  A certificate seen twice is kept once;
 * one that wolfSSL cannot parse is skipped and counted
 * (td_trust_skipped()).  Inside ca_path, files that cannot be read or
 * hold no certificate are passed over.
 *
 * Errors: TD_ERR_IO when a named file or directory cannot be read or
 * holds no certificate (the system bundle too, when it exists), with one
 * line naming it in err (errlen bytes, may be 0); TD_ERR_NOMEM;
 * TD_ERR_USAGE when out is NULL.  On error *out is NULL.  Call
 * td_x509_global_init() first.  Free with td_trust_free() (NULL is fine).
 */
enum td_result td_trust_new(struct td_trust **out, const char *ca_file, const char *ca_path,
			    bool use_system, char *err, size_t errlen) TD_MUST_CHECK;
void td_trust_free(struct td_trust *t);

/* Distinct trust anchors held (0 for NULL). */
size_t td_trust_anchor_count(const struct td_trust *t);
/* Certificates found while loading but not kept (wolfSSL could not parse
 * them, or a PEM block did not decode); 0 for NULL. */
size_t td_trust_skipped(const struct td_trust *t);

/*
 * Which certificates of a chain a store vouches for, for --redact's
 * "public CA" rule (redact.h): t is then the system bundle alone.
 * certs[0..n) are certificates made by td_x509_parse (x509.h), read
 * through the parsed form each carries (one without DER counts as
 * unparseable).
 * issued[i] is set when certs[i]'s signature verifies under the key of
 * one of t's anchors, or of another sent certificate that is vouched for,
 * whose subject is certs[i]'s issuer (its issuer is then a public CA);
 * vouched[i] when certs[i] is itself one of t's anchors (the same DER), or
 * is issued as above and is a CA (basicConstraints cA, or what OpenSSL
 * accepts without it).  A name alone vouches for nothing: a private CA
 * that copies a public CA's name is neither.  Certificates wolfSSL cannot
 * parse, and those past TD_CAP_CHAIN, are neither.  issued and vouched
 * have n entries, all written.  t NULL or empty: none.  The certificates
 * are borrowed for the call.  Errors: TD_ERR_USAGE (NULL arrays with
 * n > 0).
 */
enum td_result td_trust_vouch(const struct td_trust *t, const struct td_cert *const *certs,
			      size_t n, bool *issued, bool *vouched) TD_MUST_CHECK;

/*
 * Index the RFC 4514 subjects of t's anchors (as x509.c writes every
 * name) for td_trust_has_subject(); once per store, later calls do
 * nothing.  The only call that changes a store after td_trust_new():
 * make it before the store is shared.  TD_ERR_NOMEM leaves no index.
 */
enum td_result td_trust_index_subjects(struct td_trust *t) TD_MUST_CHECK;
/* True when one of t's anchors has the subject dn, byte for byte as
 * x509.c writes names; false without td_trust_index_subjects(). */
bool td_trust_has_subject(const struct td_trust *t, const char *dn);

enum td_chain_verdict {
	TD_CHAIN_OK,
	TD_CHAIN_UNKNOWN_ROOT,    /* ends in a self-signed root that is not trusted (errors 18, 19) */
	TD_CHAIN_MISSING_ISSUER,  /* an issuer is neither sent nor trusted (errors 20, 2) */
	TD_CHAIN_EXPIRED,         /* error 10 */
	TD_CHAIN_NOT_YET_VALID,   /* error 9 */
	TD_CHAIN_BAD_SIGNATURE,   /* error 7: a signature does not verify */
	TD_CHAIN_WRONG_PURPOSE,   /* error 26: extendedKeyUsage/keyUsage forbid TLS server or client */
	TD_CHAIN_OTHER,           /* anything else: see error and reason */
	TD_CHAIN_NOT_CHECKED      /* no store, or no certificate to check */
};

/* "ok", "unknown_root", "missing_issuer", "expired", "not_yet_valid",
 * "bad_signature", "wrong_purpose", "other", "not_checked"; never NULL. */
const char *td_chain_verdict_name(enum td_chain_verdict v);

struct td_chain_check {
	enum td_chain_verdict verdict;
	/* X509_V_ERR_* as wolfSSL numbers them (OpenSSL 1.1's numbers, the
	 * same as OpenSSL 3's for every code here but X509_V_ERR_INVALID_CA,
	 * 24 here and 79 in OpenSSL 3); 1 when a sent certificate cannot be
	 * parsed (OpenSSL 3's X509_V_ERR_UNSPECIFIED); 0 when OK. */
	int error;
	/* Position of the certificate the error is about in the path that
	 * was built (0 = leaf, then its issuer...; the trust anchor last),
	 * as OpenSSL's error depth; -1 when OK or not checked. */
	int depth;
	/* Where that certificate is in certs[] (the chain as sent), or -1 when
	 * it came from the trust store or there is none. */
	int sent_index;
	/* OpenSSL's words for error: "self-signed certificate in certificate
	 * chain", "certificate has expired"...; "ok" when OK. */
	char reason[160];
	/* RFC 4514 subject of the certificate at depth ("" when none). */
	char subject[256];
	/* MISSING_ISSUER: the RFC 4514 name of the issuer that could not be
	 * found; UNKNOWN_ROOT: the untrusted root's subject (the CA to add to
	 * the trust store); "" otherwise. */
	char missing_issuer[256];
};

/*
 * Verify the chain certs[0..n) (leaf first, as sent; the rest are
 * untrusted certificates that may help build the path, in any order,
 * unrelated ones ignored) against the store t, at time `at` (seconds
 * since the epoch, UTC) for a TLS server (server: the serverAuth purpose)
 * or a TLS client (!server: clientAuth).  Only the first TD_CAP_CHAIN
 * certificates are looked at, through the parsed form each carries (made
 * by td_x509_parse, x509.h: nothing is parsed again here; a certificate
 * without DER counts as unparseable).  They are borrowed for the call.
 *
 * The verdict goes to *out: a chain that fails is TD_OK with its verdict,
 * hostile or unparseable DER included (TD_CHAIN_OTHER).  t == NULL or
 * n == 0 gives TD_CHAIN_NOT_CHECKED.  Errors: TD_ERR_USAGE when out is
 * NULL or certs is NULL with n > 0 (then *out says TD_CHAIN_NOT_CHECKED).
 */
enum td_result td_trust_verify(const struct td_trust *t, const struct td_cert *const *certs,
			       size_t n, int64_t at, bool server, struct td_chain_check *out)
	TD_MUST_CHECK;

#endif
