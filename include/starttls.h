/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * starttls.h - the STARTTLS room of the transport stage (src/starttls):
 * the plaintext exchange some protocols hold before TLS starts, read
 * from each direction's reassembled bytes before the TLS record layer.
 *
 *   capture -> link/IP -> transport (TCP reassembly; QUIC; STARTTLS)
 *           -> TLS record layer -> ...
 *
 * One recogniser per TCP connection.  It recognises the protocol by
 * content (the server port is only a hint: SMTP and FTP both greet with
 * "220"), follows the exchange up to the server's go-ahead, and from the
 * first byte after it, in each direction, hands the bytes on to the TLS
 * layer.  Recognised:
 *
 *   SMTP      RFC 3207   220 greeting, EHLO, 250-STARTTLS, STARTTLS,
 *                        220 go-ahead / 454, 5xx refusal
 *   IMAP      RFC 9051   * OK greeting, CAPABILITY ... STARTTLS,
 *                        tag STARTTLS, tag OK / NO / BAD
 *   POP3      RFC 2595   +OK greeting, CAPA ... STLS, STLS, +OK / -ERR
 *   FTP       RFC 4217   220 greeting, FEAT ... AUTH TLS, AUTH TLS|SSL,
 *                        234 / 4xx, 5xx
 *   LDAP      RFC 4511   ExtendedRequest 1.3.6.1.4.1.1466.20037 (4.14),
 *                        ExtendedResponse resultCode 0 / other
 *   XMPP      RFC 6120   <starttls/> in the features, <starttls/>,
 *                        <proceed/> / <failure/> (5.4)
 *   PostgreSQL           SSLRequest 80877103 (GSSENCRequest 80877104),
 *                        'S' / 'N' (protocol docs 55.2.10)
 *   MySQL                greeting's CLIENT_SSL capability, the client's
 *                        SSLRequest packet (TLS follows at once)
 *
 * Anything else (a stream that starts with TLS, HTTP, garbage) is
 * handed on to the TLS layer untouched and in order, as if the
 * recogniser were not there (td_stls_active() then turns false).
 *
 * Untrusted bytes are read only through the bounded reader (reader.h);
 * every resource is capped (caps.h: TD_CAP_STLS_*), and what a cap drops
 * is counted in the facts.  The recogniser allocates nothing after
 * td_stls_new(): its frame buffers are fixed.
 *
 * Steps: each plaintext line or message becomes one step, told to the
 * caller with its direction, its text (sanitized, text.h; a secret's
 * arguments, as a password after LOGIN or PASS, are never kept) and its
 * role (conn.h: enum td_stls_role).
 */
#ifndef TD_STARTTLS_H
#define TD_STARTTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "conn.h"

struct td_stls; /* opaque */

/* Where the recogniser's output goes; ctx is the caller's. */
struct td_stls_out {
	void *ctx;
	/* The next n bytes of direction dir belong to TLS (p borrowed for
	 * the call): after the go-ahead, or everything when the stream is
	 * no STARTTLS protocol. */
	void (*tls)(void *ctx, enum td_dir dir, const uint8_t *p, size_t n);
	/* A plaintext step of direction dir: text sanitized and lent for the
	 * call (the recogniser's copy: the callee may keep a pointer to it
	 * only during the call), bytes its length on the wire. */
	void (*step)(void *ctx, enum td_dir dir, char *text, size_t bytes,
		     enum td_stls_role role);
};

/* A recogniser for one connection whose server listens on server_port
 * (a hint only); NULL when memory runs out.  td_stls_free accepts NULL. */
struct td_stls *td_stls_new(uint16_t server_port);
void td_stls_free(struct td_stls *s);

/* The next n bytes of direction dir, in order, any cut (a byte at a
 * time works).  Steps and TLS bytes go to out during the call. */
void td_stls_feed(struct td_stls *s, enum td_dir dir, const uint8_t *p, size_t n,
		  const struct td_stls_out *out);

/* Bytes of direction dir were lost: a preamble cannot be followed past
 * a hole, so the recogniser stands aside (what it held goes to TLS,
 * whose record layer looks for the next record boundary). */
void td_stls_gap(struct td_stls *s, enum td_dir dir, const struct td_stls_out *out);

/* False once the stream is known to be no STARTTLS protocol (everything
 * is passed on): the caller may feed TLS directly and free it. */
bool td_stls_active(const struct td_stls *s);

/* Quick test on a stream's very first bytes (n >= 1): they cannot start
 * a STARTTLS preamble (a TLS record or SSLv2 hello), so no recogniser is
 * needed. */
bool td_stls_never(const uint8_t *p, size_t n);

/* The protocol recognised so far, as td_stls_facts() will name it
 * (TD_STLS_NONE while none is): after the upgrade, the application
 * reader (app.h) reads the decrypted bytes as that protocol. */
enum td_starttls_proto td_stls_proto(const struct td_stls *s);

/*
 * The BER envelope (X.690 8.1.2-8.1.3) LDAP is framed with, read through
 * the bounded reader: here for the StartTLS operation, and after the
 * upgrade by the application reader (src/app), so that there is one BER
 * reader only.  Definite lengths of at most 4 bytes; no hand-parsed
 * X.509 (certificates go to wolfSSL).
 *
 * td_stls_ber_tlv: a tag and its definite length at r, the value's
 * reader in *val, r moved past it; false on a short or malformed header
 * (indefinite length, more than 4 length bytes) or a value longer than
 * what is left.
 * td_stls_ber_frame_len: the whole length of the SEQUENCE whose first n
 * bytes are at p; 0 when more bytes are needed to tell, SIZE_MAX when it
 * is no definite-length SEQUENCE.
 * td_stls_ber_uint: an INTEGER or ENUMERATED value of 1 to 4 bytes (as
 * unsigned), r failed (sticky) otherwise.
 */
struct td_reader;
bool td_stls_ber_tlv(struct td_reader *r, uint8_t *tag, struct td_reader *val);
size_t td_stls_ber_frame_len(const uint8_t *p, size_t n);
uint32_t td_stls_ber_uint(struct td_reader *v);
/* RFC 4511's names: a protocolOp's tag ("BindResponse"; "LDAP message"
 * when unknown), a resultCode ("invalidCredentials"; "unknown").  Static
 * strings. */
const char *td_stls_ldap_op_name(uint8_t op);
const char *td_stls_ldap_result_name(uint32_t rc);

/* The connection is over: its facts, computed once (result included:
 * server_closed says the server sent a FIN or RST).  out->proto stays
 * TD_STLS_NONE when no STARTTLS protocol was recognised.  The quotes are
 * new strings (td_starttls_cleanup frees them); TD_ERR_NOMEM when one
 * could not be made (the facts are whole but for it). */
TD_MUST_CHECK enum td_result td_stls_facts(const struct td_stls *s, bool server_closed,
					   struct td_starttls *out);

#endif
