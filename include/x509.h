/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x509.h - certificates and distinguished names, through wolfSSL.
 *
 * src/x509/ is the only folder that includes wolfSSL headers (with the
 * TLS crypto files).
 * tlsdiag never parses ASN.1 itself: DER goes to wolfSSL and comes back
 * as our own struct td_cert (conn.h), every string sanitized.
 */
#ifndef TD_X509_H
#define TD_X509_H

#include <stddef.h>
#include <stdint.h>
#include "conn.h"
#include "result.h"

/* Once per process, before any other call; td_x509_global_cleanup at exit. */
enum td_result td_x509_global_init(void) TD_MUST_CHECK;
void td_x509_global_cleanup(void);

/*
 * A new certificate (refs 1; td_cert_unref, conn.h, releases it) in *out
 * from one DER certificate, copied.  It carries the decoded fields and
 * what path validation reads (verify.h), both from one wolfSSL parse, and
 * is immutable from then on.  A certificate wolfSSL cannot parse is
 * data, not an error: (*out)->parsed is false, error says why, der_len
 * and sha256 are still set, and TD_OK is returned.  TD_ERR_NOMEM (*out
 * NULL) only when memory ran out.
 */
enum td_result td_x509_parse(const uint8_t *der, size_t len, struct td_cert **out) TD_MUST_CHECK;
/*
 * For tests, counts since the process started: how many times x509/ has
 * given a whole certificate to wolfSSL to decode (td_x509_parse, and
 * each trust anchor as the store loads: each distinct DER should be
 * decoded once a run), and how many signature checks path validation
 * made (each reads the child certificate's DER again as far as its
 * signature: verify.c says why).
 */
uint64_t td_x509_parse_count(void);
uint64_t td_x509_sigcheck_count(void);

/*
 * A cache of parsed certificates (src/x509/certcache.c): servers send the
 * same chain to every client, so each distinct DER is parsed once and
 * shared.  At most `entries` certificates are kept (least recently used
 * replaced).  td_cert_cache_parse() is td_x509_parse() with the cache in
 * front (a NULL cache parses every time): *out is a new reference to the
 * one certificate of that DER (the caller unrefs it).  The cache's own
 * references go with td_cert_cache_free(); certificates still referenced
 * elsewhere live on.
 */
struct td_cert_cache;
struct td_cert_cache *td_cert_cache_new(size_t entries);
void td_cert_cache_free(struct td_cert_cache *c);
enum td_result td_cert_cache_parse(struct td_cert_cache *c, const uint8_t *der, size_t len,
				   struct td_cert **out) TD_MUST_CHECK;
/* Lookups answered from the cache and lookups that parsed. */
void td_cert_cache_stats(const struct td_cert_cache *c, uint64_t *hits, uint64_t *misses);

/* A DER Name (as in a CertificateRequest's certificate_authorities) as a
 * new RFC 4514 string, or NULL when it is not a Name.  Matches the
 * td_dn_fn type of tls_handshake.h. */
char *td_x509_name_string(const uint8_t *der, size_t len);

#endif
