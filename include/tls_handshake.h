/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_handshake.h - handshake messages (RFC 8446 4, RFC 5246 7.4).
 *
 *   struct {
 *       HandshakeType msg_type;   1 byte
 *       uint24 length;
 *       ...body...
 *   } Handshake;
 *
 * td_hs_reasm joins the handshake records of one direction into whole
 * messages (a message split over records, several messages per record)
 * and calls back once per message.  The td_tls_decode_* functions are
 * pure: they read one message body through a bounded reader and fill a
 * model struct (conn.h).  They return TD_ERR_MALFORMED or
 * TD_ERR_TRUNCATED when the body does not follow the grammar, having
 * filled what they could; TD_ERR_NOMEM when memory ran out.
 *
 * The TLS layer never parses X.509: certificates and distinguished
 * names are handed out as DER through callbacks (the engine calls the
 * x509 layer).
 */
#ifndef TD_TLS_HANDSHAKE_H
#define TD_TLS_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "conn.h"
#include "dynbuf.h"
#include "result.h"

struct td_hs_reasm {
	struct td_dynbuf buf;   /* bytes of an unfinished message */
	uint32_t skip_left;     /* bytes left of a message over TD_CAP_HS_MESSAGE being skipped */
	uint64_t messages;      /* whole messages delivered */
	uint64_t oversize;      /* messages skipped for TD_CAP_HS_MESSAGE */
};

/* body is borrowed for the call. */
typedef void (*td_hs_msg_fn)(void *ctx, uint8_t type, const uint8_t *body, size_t len);

void td_hs_reasm_init(struct td_hs_reasm *h);
void td_hs_reasm_cleanup(struct td_hs_reasm *h);
/* Feed the body of one handshake record.  A message longer than
 * TD_CAP_HS_MESSAGE is skipped without buffering, counted in
 * h->oversize, and TD_ERR_CAP returned for the record that started it. */
enum td_result td_hs_reasm_feed(struct td_hs_reasm *h, const uint8_t *data, size_t len,
				td_hs_msg_fn cb, void *ctx) TD_MUST_CHECK;
/* Drop an unfinished message (after a gap or when keys change). */
void td_hs_reasm_reset(struct td_hs_reasm *h);
/* True when part of a message is waiting for more records. */
bool td_hs_reasm_pending(const struct td_hs_reasm *h);

enum td_result td_tls_decode_client_hello(const uint8_t *body, size_t len,
					  struct td_client_hello *ch) TD_MUST_CHECK;
/* SSLv2-compatible ClientHello: msg points at msg_type (1). */
enum td_result td_tls_decode_sslv2_hello(const uint8_t *msg, size_t len,
					 struct td_client_hello *ch) TD_MUST_CHECK;
/* Also recognises a HelloRetryRequest (the special random) and sets sh->hrr. */
enum td_result td_tls_decode_server_hello(const uint8_t *body, size_t len,
					  struct td_server_hello *sh) TD_MUST_CHECK;
/* EncryptedExtensions (TLS 1.3): fills sh->alpn when present. */
enum td_result td_tls_decode_encrypted_extensions(const uint8_t *body, size_t len,
						  struct td_server_hello *sh) TD_MUST_CHECK;

/* Certificate: calls on_cert for each certificate's DER, in order.
 * tls13 selects the RFC 8446 layout (request context, per-entry
 * extensions).  *count receives the number of certificates listed. */
typedef enum td_result (*td_der_fn)(void *ctx, const uint8_t *der, size_t len);
enum td_result td_tls_decode_certificate(const uint8_t *body, size_t len, bool tls13,
					 td_der_fn on_cert, void *ctx, size_t *count) TD_MUST_CHECK;

/* CertificateRequest; each distinguished name is turned into a string by
 * name_to_string (which returns a new sanitized string or NULL when the
 * DER is not a Name; NULL becomes "(unparsable name, N bytes)"). */
typedef char *(*td_dn_fn)(const uint8_t *der, size_t len);
enum td_result td_tls_decode_cert_request(const uint8_t *body, size_t len, bool tls13,
					  td_dn_fn name_to_string,
					  struct td_cert_request *cr) TD_MUST_CHECK;

/* ServerKeyExchange for (EC)DHE suites: the named group, 0 when the
 * message does not carry one (plain DHE, RSA export...). */
enum td_result td_tls_decode_server_key_exchange(const uint8_t *body, size_t len,
						 uint16_t *group) TD_MUST_CHECK;
/* CertificateVerify (TLS 1.2 and 1.3): the signature scheme. */
enum td_result td_tls_decode_cert_verify(const uint8_t *body, size_t len,
					 uint16_t *scheme) TD_MUST_CHECK;

#endif
