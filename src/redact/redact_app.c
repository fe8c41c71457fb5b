/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redact_app.c - --redact for the application messages a connection
 * keeps (conn.h: struct td_app_msg on TD_EV_APPLICATION events).  See
 * redact.h for the policy.
 *
 * Kept: the protocol, the kind of message, the HTTP method, version and
 * status code, a reason phrase that is the standard one for its code,
 * HTTP/2 error codes and stream numbers, PostgreSQL's severity and
 * SQLSTATE, and the fixed texts of known servers that tlsdiag recognised
 * (nginx's "No required SSL certificate was sent", PostgreSQL's
 * "connection requires a valid client certificate"): they name the
 * protocol and the problem, no one.  After STARTTLS, also kept: the
 * command verb and SASL mechanism (each from a fixed list, never an
 * argument), reply codes, IMAP/POP3 condition words, the LDAP
 * resultCode's name (tlsdiag's table, not the wire's words) and MySQL's
 * SQL state.  Replaced by "[redacted]": the
 * request target (a path may hold names, tokens, e-mail addresses), any
 * other reason phrase, page title or message (a PostgreSQL message names
 * the user; an HTTP/2 GOAWAY's debug data is free text), and the
 * PostgreSQL or MySQL user, and every server text after STARTTLS (an
 * SMTP reply names the recipient, a MySQL error the user).  The
 * event's detail is then worded again from what
 * is left (td_app_describe), so no sink shows the original.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "redact_clear.h"

#define PLACEHOLDER "[redacted]"

/* The reason phrases of RFC 9110 15 (and nginx's 495/496) for the codes
 * a refusal or a success shows. */
static const struct {
	uint16_t status;
	const char *reason;
} standard[] = {
	{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" }, { 206, "Partial Content" },
	{ 301, "Moved Permanently" }, { 302, "Found" }, { 303, "See Other" },
	{ 304, "Not Modified" }, { 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 408, "Request Timeout" },
	{ 421, "Misdirected Request" }, { 426, "Upgrade Required" },
	{ 429, "Too Many Requests" }, { 495, "SSL Certificate Error" },
	{ 496, "SSL Certificate Required" }, { 500, "Internal Server Error" },
	{ 502, "Bad Gateway" }, { 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
};

static bool standard_reason(uint16_t status, const char *reason)
{
	for (size_t i = 0; i < sizeof standard / sizeof standard[0]; i++)
		if (standard[i].status == status && strcmp(standard[i].reason, reason) == 0)
			return true;
	return false;
}

/* Replace *field by the placeholder; false when memory runs out. */
static bool replace(char **field, bool *changed)
{
	if (!*field || strcmp(*field, PLACEHOLDER) == 0)
		return true;
	char *n = strdup(PLACEHOLDER);
	if (!n)
		return false;
	free(*field);
	*field = n;
	*changed = true;
	return true;
}

static bool redact_msg(struct td_app_msg *m)
{
	bool changed = false;
	bool known_title = m->known == TD_APP_KNOWN_NGINX_NO_CERT ||
			   m->known == TD_APP_KNOWN_NGINX_CERT_ERROR;
	bool known_message = m->known == TD_APP_KNOWN_PG_CERT_REQUIRED;
	bool ok = replace(&m->target, &changed) && replace(&m->user, &changed);
	/* An LDAP reply's reason is RFC 4511's name of its resultCode. */
	if (ok && m->reason && m->proto != TD_APP_LDAP && !standard_reason(m->status, m->reason))
		ok = replace(&m->reason, &changed);
	if (ok && !known_title)
		ok = replace(&m->title, &changed);
	if (ok && !known_message)
		ok = replace(&m->message, &changed);
	m->redacted = m->redacted || changed;
	return ok;
}

enum td_result td_redact_app(struct td_conn *c)
{
	for (size_t i = 0; i < c->n_events; i++) {
		struct td_event *e = &c->events[i];
		if (e->kind != TD_EV_APPLICATION || !e->app)
			continue;
		if (!redact_msg(e->app))
			return TD_ERR_NOMEM;
		char detail[TD_CAP_STRING];
		td_app_describe(e->app, detail, sizeof detail);
		char *n = strdup(detail);
		if (!n)
			return TD_ERR_NOMEM;
		free(e->detail);
		e->detail = n;
	}
	return TD_OK;
}
