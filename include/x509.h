/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x509.h - certificates and distinguished names, through wolfSSL.
 *
 * With src/x509/verify.c, the only place that includes wolfSSL headers.
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
 * Parse one DER certificate into *cert (zeroed by the caller).  A
 * certificate wolfSSL cannot parse is data, not an error: cert->parsed
 * is false, cert->error says why, der_len and sha256 are still set, and
 * TD_OK is returned.  TD_ERR_NOMEM only when memory ran out.
 */
enum td_result td_x509_parse(const uint8_t *der, size_t len, struct td_cert *cert) TD_MUST_CHECK;

/*
 * A cache of parsed certificates (src/x509/certcache.c): servers send the
 * same chain to every client, so each distinct DER is parsed once.  At
 * most `entries` certificates are kept (least recently used replaced).
 * td_cert_cache_parse() is td_x509_parse() with the cache in front (a
 * NULL cache parses every time); the result is the same.
 */
struct td_cert_cache;
struct td_cert_cache *td_cert_cache_new(size_t entries);
void td_cert_cache_free(struct td_cert_cache *c);
enum td_result td_cert_cache_parse(struct td_cert_cache *c, const uint8_t *der, size_t len,
				   struct td_cert *cert) TD_MUST_CHECK;
/* Lookups answered from the cache and lookups that parsed. */
void td_cert_cache_stats(const struct td_cert_cache *c, uint64_t *hits, uint64_t *misses);

/* A DER Name (as in a CertificateRequest's certificate_authorities) as a
 * new RFC 4514 string, or NULL when it is not a Name.  Matches the
 * td_dn_fn type of tls_handshake.h. */
char *td_x509_name_string(const uint8_t *der, size_t len);

#endif
