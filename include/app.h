/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * app.h - what the first decrypted application bytes say (src/app/):
 * an HTTP/1.x request or status line (and an error page's <title>),
 * HTTP/2's preface, GOAWAY, RST_STREAM and a :status tlsdiag can read
 * without a header decoder, a PostgreSQL StartupMessage and
 * ErrorResponse; after a STARTTLS upgrade (td_app_set_starttls), the
 * upgraded protocol's first commands and error replies: SMTP, IMAP,
 * POP3, FTP, LDAP, MySQL, XMPP.  Only the first messages of each direction:
 * enough to see a server refuse a connection after a complete handshake
 * (an nginx 400 "No required SSL certificate was sent", a PostgreSQL
 * FATAL 28000, an LDAP bind refused after a SASL EXTERNAL bind).
 *
 * Every byte is untrusted and read through the bounded reader
 * (reader.h); strings kept are sanitized (text.h) and cut at
 * TD_APP_TEXT_MAX bytes.  What is kept per direction is capped
 * (TD_CAP_APP_BYTES, TD_CAP_APP_MESSAGES, caps.h); a direction that is
 * done (its messages found, an unknown protocol, the cap reached) frees
 * its bytes.
 *
 * Layer: above tls, below diagnose; it fills the model's struct
 * td_app_msg (conn.h) and knows nothing of TLS or of the engine.
 */
#ifndef TD_APP_H
#define TD_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "conn.h"
#include "result.h"

/* Bytes kept of one string from the wire (a path, a title, a message). */
#define TD_APP_TEXT_MAX 256u

/* ---- the parsers: one message at the start of a buffer ---------------- */

/* What a parser made of the bytes at the start of its buffer. */
enum td_app_status {
	TD_APP_MORE = 0,  /* not enough bytes yet to tell or to finish */
	TD_APP_FOUND,     /* a message to report: *m filled, *used bytes taken */
	TD_APP_SKIP,      /* a message of the protocol not reported: *used bytes
			     (which may be more than the buffer holds: the
			     rest is still to come and is passed over) */
	TD_APP_NO         /* not this protocol, or malformed: stop reading */
};

/*
 * Each parser reads the n bytes at p (borrowed), which start at a
 * message boundary.  On TD_APP_FOUND, *m is filled (its strings are the
 * caller's to free: td_app_msg_cleanup); on any other status *m is left
 * empty.  *used is set on FOUND and SKIP.  final: no more bytes will
 * come (the connection ended or the cap was reached): a message that
 * could still grow is reported as it stands.  Never fails otherwise than
 * by TD_APP_NO; out of memory leaves a string NULL.
 */
/* "GET /path HTTP/1.1" (RFC 9112 3); the line only. */
enum td_app_status td_app_http1_request(const uint8_t *p, size_t n, struct td_app_msg *m,
					size_t *used);
/* "HTTP/1.1 400 Bad Request" and its header (RFC 9112 4), then the
 * <title> of its body when the body is HTML and within the bytes. */
enum td_app_status td_app_http1_response(const uint8_t *p, size_t n, bool final,
					 struct td_app_msg *m, size_t *used);
/* The client's connection preface (RFC 9113 3.4): FOUND with kind
 * TD_APP_H2_PREFACE, NO when p does not start with it. */
enum td_app_status td_app_h2_preface(const uint8_t *p, size_t n, struct td_app_msg *m,
				     size_t *used);
/* One frame (RFC 9113 4.1): FOUND for GOAWAY, RST_STREAM, and a server's
 * HEADERS whose :status is a static-table entry or a plain literal
 * (RFC 7541 Appendix A; a Huffman-coded value is not decoded: SKIP);
 * SKIP for any other frame.  server: the frame comes from the server. */
enum td_app_status td_app_h2_frame(const uint8_t *p, size_t n, bool server,
				   struct td_app_msg *m, size_t *used);
/* The client's StartupMessage (protocol 3.0): FOUND with the user. */
enum td_app_status td_app_pg_startup(const uint8_t *p, size_t n, struct td_app_msg *m,
				     size_t *used);
/* One backend message: FOUND for an ErrorResponse (severity, SQLSTATE,
 * message), SKIP for any other message type. */
enum td_app_status td_app_pg_backend(const uint8_t *p, size_t n, struct td_app_msg *m,
				     size_t *used);

/*
 * After STARTTLS (conn.h: TD_APP_COMMAND, TD_APP_REPLY; mail.c,
 * ldap_mysql.c).  proto is TD_APP_SMTP, TD_APP_IMAP, TD_APP_POP3 or
 * TD_APP_FTP (any other: TD_APP_NO).
 *
 * td_app_text_command: a client's command line: FOUND with its verb
 * when it is one of the protocol's commands (and the SASL mechanism of
 * AUTH / AUTHENTICATE; never an argument), SKIP for any other line (a
 * SASL response, a message body; an IMAP literal announced at its end is
 * passed over with it), MORE without a whole line.
 * td_app_text_reply: a server's reply (SMTP/FTP: all its lines, RFC 5321
 * 4.2.1; IMAP, POP3: one line): FOUND for an error (4xx, 5xx; tagged NO
 * or BAD, untagged BYE; -ERR) with the code or condition word and the
 * text, SKIP for any other, NO when an SMTP/FTP reply has no code.
 */
enum td_app_status td_app_text_command(enum td_app_proto proto, const uint8_t *p, size_t n,
				       bool final, struct td_app_msg *m, size_t *used);
enum td_app_status td_app_text_reply(enum td_app_proto proto, const uint8_t *p, size_t n,
				     bool final, struct td_app_msg *m, size_t *used);
/* One LDAPMessage (RFC 4511 4.2): from the client, FOUND with its
 * operation (and a BindRequest's mechanism); from the server, FOUND for
 * an LDAPResult whose resultCode says failure, SKIP for any other
 * message (one too long to keep is SKIPped unread: *used may exceed n);
 * NO when it is no BER SEQUENCE. */
enum td_app_status td_app_ldap(const uint8_t *p, size_t n, bool server, bool final,
			       struct td_app_msg *m, size_t *used);
/* XMPP, one tag at a time (RFC 6120): from the client, FOUND for the
 * stream header (command "stream") and a SASL <auth> (command "auth"
 * and its mechanism), SKIP for anything else (the credential after
 * <auth>, stanzas); from the server, FOUND for <stream:features>
 * (TD_APP_FEATURES, with its SASL mechanisms), a SASL <failure> and a
 * <stream:error> (TD_APP_REPLY: command, condition as severity, <text/>
 * as message), each read whole up to its end tag, SKIP for any other
 * tag; NO when an element is not well-formed. */
enum td_app_status td_app_xmpp(const uint8_t *p, size_t n, bool server, bool final,
			       struct td_app_msg *m, size_t *used);
/* One MySQL packet: from the server, FOUND for an ERR_Packet (code,
 * SQL state, message), SKIP for any other; from the client, FOUND for a
 * HandshakeResponse41 (with its user), SKIP for any other. */
enum td_app_status td_app_mysql(const uint8_t *p, size_t n, bool server, bool final,
				struct td_app_msg *m, size_t *used);

/* ---- a connection's recogniser ------------------------------------------ */

/* Both directions of one connection. */
struct td_app;

/* A message found: dir, the message (borrowed for the call) and the
 * bytes it took. */
typedef void (*td_app_cb)(void *ctx, enum td_dir dir, struct td_app_msg *m, size_t len);

/* A new recogniser whose buffers are charged to budget (NULL: none);
 * NULL when memory runs out. */
struct td_app *td_app_new(struct td_budget *budget);
/* The connection was upgraded by STARTTLS from proto (starttls.h:
 * td_stls_proto): both directions are read as that protocol, without
 * guessing from the bytes (TD_STLS_NONE changes nothing).  Call before
 * the first td_app_feed. */
void td_app_set_starttls(struct td_app *a, enum td_starttls_proto proto);
/* Free it and its buffers (NULL is fine). */
void td_app_free(struct td_app *a);
/*
 * The next n decrypted application bytes of direction dir, in order
 * (p borrowed).  Each message recognised is handed to cb at once.
 * Detects the protocol from the first bytes (the client's, when known:
 * the server speaks the same).  Bytes past TD_CAP_APP_BYTES are not
 * kept.  TD_ERR_NOMEM or TD_ERR_CAP (the budget) end the direction; the
 * caller may ignore them (nothing is half-done).
 */
enum td_result td_app_feed(struct td_app *a, enum td_dir dir, const uint8_t *p, size_t n,
			   td_app_cb cb, void *ctx) TD_MUST_CHECK;
/* No more bytes will come: what is pending (a response whose page did
 * not arrive whole) is reported as it stands, through cb. */
void td_app_end(struct td_app *a, td_app_cb cb, void *ctx);
/* Whether direction dir is done: nothing more will be read of it. */
bool td_app_done(const struct td_app *a, enum td_dir dir);

#endif
