/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x509name.h - x509/'s own: what x509.c and x509name.c share (names and
 * wolfSSL strings).  Not for other folders: it exposes wolfSSL's types.
 */
#ifndef TD_X509_NAME_H
#define TD_X509_NAME_H

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "reader.h"
#include "result.h"

/* The bytes of a wolfSSL ASN1_STRING (NULL: none), as a reader over them. */
struct td_reader td_x509_asn1_bytes(WOLFSSL_ASN1_STRING *s);

/*
 * A wolfSSL name as a new RFC 4514 string in *out: the last RDN first
 * (RFC 4514 2.1), ',' between; every value sanitized (text.h) and
 * escaped.  NULL name: "".  TD_ERR_NOMEM (*out NULL) when memory runs
 * out.
 */
enum td_result td_x509_dn_string(WOLFSSL_X509_NAME *name, char **out) TD_MUST_CHECK;

#endif
