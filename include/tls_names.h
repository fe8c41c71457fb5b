/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_names.h - IANA names for TLS code points.
 *
 * Generated from X-macro tables (tls_registry.h for the registries whose
 * constants the code names, TD_VERSION_TLS12, TD_CT_ALERT, TD_HS_*,
 * TD_ALERT_*; src/tls/names*.c for the others) so names and numbers
 * never drift.  Each lookup returns the IANA name ("TLS 1.3",
 * "TLS_AES_128_GCM_SHA256", "x25519", "rsa_pss_rsae_sha256",
 * "server_name", "handshake_failure", "client_hello"...) or NULL when
 * the value is unknown; td_tls_name() formats the unknown ones as a
 * number so callers never print NULL (hex for 16-bit code points).
 * GREASE values (RFC 8701) are recognised by td_tls_is_grease() and
 * named "GREASE".
 */
#ifndef TD_TLS_NAMES_H
#define TD_TLS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tls_registry.h"

enum td_tls_registry {
	TD_REG_VERSION,       /* "SSL 3.0", "TLS 1.0" ... "TLS 1.3", drafts "TLS 1.3 draft 23" */
	TD_REG_CIPHER,        /* cipher suites */
	TD_REG_GROUP,         /* supported groups */
	TD_REG_SIGALG,        /* signature schemes */
	TD_REG_EXTENSION,     /* extension types */
	TD_REG_ALERT,         /* alert descriptions */
	TD_REG_ALERT_LEVEL,   /* "warning", "fatal" */
	TD_REG_HANDSHAKE,     /* handshake message types */
	TD_REG_CONTENT_TYPE,  /* record content types */
	TD_REG_CERT_TYPE,     /* ClientCertificateType ("rsa_sign"...) */
	TD_REG_HPKE_KDF,      /* HPKE KDF ids ("HKDF-SHA256"...): ECH offers */
	TD_REG_HPKE_AEAD,     /* HPKE AEAD ids ("AES-128-GCM"...): ECH offers */
	TD_REG_CERT_COMPRESSION /* CertificateCompressionAlgorithm ("zlib", "brotli", "zstd") */
};

/* The IANA name, or NULL when unknown. */
const char *td_tls_lookup(enum td_tls_registry reg, uint16_t value);
/* The same, and its length in *len (0 when unknown) without a strlen:
 * for writers that put many names (JSON).  Every name is printable
 * ASCII without '"' or '\\' (a unit test walks every registry), so it
 * needs no escaping in JSON or a C string. */
const char *td_tls_lookup_len(enum td_tls_registry reg, uint16_t value, size_t *len);

/* The IANA name, or the value as "0x1a2b" (versions, suites, groups,
 * sigalgs, extensions) or decimal (alerts, handshake and content types)
 * written into buf.  Never NULL. */
const char *td_tls_name(enum td_tls_registry reg, uint16_t value, char *buf, size_t buflen);

/* A handshake message type as people write it ("ClientHello" from the
 * IANA "client_hello"), or "handshake message N" when unknown. */
void td_tls_message_name(char *buf, size_t len, uint8_t type);

/* RFC 8701 GREASE value (0x0a0a, 0x1a1a, ... 0xfafa).  Inline, as the
 * next one: both are asked of every list entry and every event. */
static inline bool td_tls_is_grease(uint16_t value)
{
	/* RFC 8701 2: 0x0A0A, 0x1A1A, ..., 0xFAFA. */
	return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

/* A message that carries a certificate chain: Certificate, or the
 * CompressedCertificate (RFC 8879) that stands in for it.  The timeline
 * keeps the type sent; whoever looks for "the Certificate" asks this. */
static inline bool td_tls_is_certificate_msg(uint8_t type)
{
	return type == TD_HS_CERTIFICATE || type == TD_HS_COMPRESSED_CERTIFICATE;
}

/* True for 0x0304 and the TLS 1.3 drafts (0x7fxx; 0x7e0x, Google's
 * experiments; 0xfb17 and 0xfb1a, Facebook's). */
static inline bool td_tls_version_is_13(uint16_t version)
{
	/* IETF drafts are 0x7fNN (draft NN), Google's experiments 0x7e0N. */
	return version == TD_VERSION_TLS13 ||
	       (version & 0xff00) == (TD_VERSION_TLS13_DRAFT14 & 0xff00) ||
	       (version & 0xfff0) == (TD_VERSION_TLS13_GOOGLE1 & 0xfff0) ||
	       version == TD_VERSION_TLS13_FB23 || version == TD_VERSION_TLS13_FB26;
}

#endif
