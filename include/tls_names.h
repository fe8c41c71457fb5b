/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_names.h - IANA names for TLS code points.
 *
 * Generated from X-macro tables in src/tls/names.c so names and numbers
 * never drift.  Each lookup returns the IANA name ("TLS 1.3",
 * "TLS_AES_128_GCM_SHA256", "x25519", "rsa_pss_rsae_sha256",
 * "server_name", "handshake_failure", "client_hello"...) or NULL when
 * the value is unknown; td_tls_name() formats the unknown ones as a
 * number so callers never print NULL.  GREASE values (RFC 8701) are
 * recognised by td_tls_is_grease() and named "GREASE".
 */
#ifndef TD_TLS_NAMES_H
#define TD_TLS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	TD_REG_CERT_TYPE      /* ClientCertificateType ("rsa_sign"...) */
};

/* The IANA name, or NULL when unknown. */
const char *td_tls_lookup(enum td_tls_registry reg, uint16_t value);

/* The IANA name, or the value as "0x1a2b" (versions, suites, groups,
 * sigalgs, extensions) or decimal (alerts, handshake and content types)
 * written into buf.  Never NULL. */
const char *td_tls_name(enum td_tls_registry reg, uint16_t value, char *buf, size_t buflen);

/* A handshake message type as people write it ("ClientHello" from the
 * IANA "client_hello"), or "handshake message N" when unknown. */
void td_tls_message_name(char *buf, size_t len, uint8_t type);

/* RFC 8701 GREASE value (0x0a0a, 0x1a1a, ... 0xfafa). */
bool td_tls_is_grease(uint16_t value);

/* Wire constants used by the decoders. */
enum {
	TD_CT_CHANGE_CIPHER_SPEC = 20,
	TD_CT_ALERT = 21,
	TD_CT_HANDSHAKE = 22,
	TD_CT_APPLICATION_DATA = 23,
	TD_CT_HEARTBEAT = 24
};

enum {
	TD_HS_HELLO_REQUEST = 0,
	TD_HS_CLIENT_HELLO = 1,
	TD_HS_SERVER_HELLO = 2,
	TD_HS_NEW_SESSION_TICKET = 4,
	TD_HS_END_OF_EARLY_DATA = 5,
	TD_HS_ENCRYPTED_EXTENSIONS = 8,
	TD_HS_CERTIFICATE = 11,
	TD_HS_SERVER_KEY_EXCHANGE = 12,
	TD_HS_CERTIFICATE_REQUEST = 13,
	TD_HS_SERVER_HELLO_DONE = 14,
	TD_HS_CERTIFICATE_VERIFY = 15,
	TD_HS_CLIENT_KEY_EXCHANGE = 16,
	TD_HS_FINISHED = 20,
	TD_HS_CERTIFICATE_STATUS = 22,
	TD_HS_KEY_UPDATE = 24,
	TD_HS_MESSAGE_HASH = 254
};

enum {
	TD_VERSION_SSL3 = 0x0300,
	TD_VERSION_TLS10 = 0x0301,
	TD_VERSION_TLS11 = 0x0302,
	TD_VERSION_TLS12 = 0x0303,
	TD_VERSION_TLS13 = 0x0304
};

/* True for 0x0304 and the TLS 1.3 drafts (0x7fxx, 0x7e0x Facebook). */
bool td_tls_version_is_13(uint16_t version);

#endif
