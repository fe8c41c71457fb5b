/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redact_clear.h - the redactor's treatment of cleartext bytes (internal
 * to src/redact/redact.c; see redact.h).
 */
#ifndef TD_REDACT_CLEAR_H
#define TD_REDACT_CLEAR_H

#include "conn.h"
#include "result.h"

/*
 * Replace c->cleartext[d] of each direction by "[N bytes redacted]" (N:
 * c->cleartext_bytes[d]), after its first word when that is an HTTP
 * method or version, and every quote of it in c's free text (event
 * details, anomalies, diagnosis summaries, fixes and evidence: a quote
 * is the text right after a '"', whole or cut short by the end of its
 * string) by the same.  Under every --redact level.  TD_ERR_NOMEM
 * leaves c partly redacted (not to be written).
 */
enum td_result td_redact_cleartext(struct td_conn *c) TD_MUST_CHECK;

/*
 * The application messages of c's timeline (redact_app.c): the request
 * target, the PostgreSQL user, and every reason phrase, title or message
 * that is not a standard or known fixed text become "[redacted]"; the
 * method, status, SQLSTATE, severity and HTTP/2 error codes stay; each
 * event's detail is worded again from what is left.  Under every
 * --redact level.  TD_ERR_NOMEM leaves c partly redacted.
 */
enum td_result td_redact_app(struct td_conn *c) TD_MUST_CHECK;

#endif
