/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redact_stls.h - what of a STARTTLS exchange identifies someone
 * (private to src/redact/; issue 17): the host names in its steps (an
 * SMTP banner's, an EHLO's, an XMPP stream's to and from) are learnt as
 * host names, so that the free-text pass gives them their pseudonyms
 * wherever they appear; the arguments of the client's commands (a MAIL
 * FROM address, a user name) become "[redacted]", the command word
 * staying.  Secrets (PASS, LOGIN, AUTH) were never kept (starttls.h).
 */
#ifndef TD_REDACT_STLS_H
#define TD_REDACT_STLS_H

#include <stddef.h>

#include "conn.h"
#include "result.h"

/* Learn one host name (len bytes at name). */
typedef enum td_result (*td_rs_host_fn)(void *ctx, const char *name, size_t len);

/* Learn c's STARTTLS host names through host, then replace the client's
 * command arguments in c's steps, its starttls.after and the diagnoses
 * that quote it.  Nothing for a connection without STARTTLS.
 * TD_ERR_NOMEM leaves c partly redacted. */
enum td_result td_redact_starttls(struct td_conn *c, td_rs_host_fn host, void *ctx) TD_MUST_CHECK;

/* The free text of c's STARTTLS facts (the answer and the plaintext
 * quoted, fixed arrays) through text (a new string, NULL when memory
 * runs out). */
typedef char *(*td_rs_text_fn)(const void *ctx, const char *s);
enum td_result td_redact_starttls_text(struct td_conn *c, td_rs_text_fn text, const void *ctx)
	TD_MUST_CHECK;

#endif
