/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostname.h - does a certificate cover the name a client asked for?
 *
 * RFC 6125 (and the CA/Browser Forum rules clients follow): a DNS name
 * matches a subjectAltName dNSName case-insensitively; a wildcard is
 * only the whole left-most label ("*.example.com" covers
 * "a.example.com", not "example.com" nor "a.b.example.com"); an IP
 * address matches only an iPAddress entry.  The subject CN is used only
 * when the certificate has no DNS or IP subjectAltName at all (modern
 * clients do not even do that; the caller says which).
 *
 * Works on the model (struct td_cert of conn.h): SAN strings as
 * "DNS:name" / "IP:address", already decoded by the x509 layer.
 */
#ifndef TD_HOSTNAME_H
#define TD_HOSTNAME_H

#include <stdbool.h>
#include "conn.h"

enum td_name_match {
	TD_NAME_MATCH,        /* a subjectAltName covers the name */
	TD_NAME_MATCH_CN,     /* only the subject CN does (no SAN of the kind) */
	TD_NAME_MISMATCH,     /* nothing covers it */
	TD_NAME_NO_NAMES      /* the certificate names no DNS or IP identity */
};

/* Match host (a DNS name or an IPv4/IPv6 address in text) against cert. */
enum td_name_match td_hostname_match(const struct td_cert *cert, const char *host);

/* True when text is an IPv4 or IPv6 address. */
bool td_hostname_is_ip(const char *text);

#endif
