/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * app.c - application messages of the model (conn.h: struct
 * td_app_msg): copying, freeing, and the one sentence every sink shows
 * for them (the timeline event's detail), so that no sink words them
 * its own way.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "text.h"

/* The owned strings of a message, for the loops below. */
static char **field(struct td_app_msg *m, size_t i)
{
	char **f[] = { &m->version, &m->method, &m->target, &m->reason, &m->title,
		       &m->severity, &m->message, &m->user, &m->command, &m->mechanism };
	return i < sizeof f / sizeof f[0] ? f[i] : NULL;
}

void td_app_msg_cleanup(struct td_app_msg *m)
{
	if (!m)
		return;
	for (size_t i = 0; field(m, i); i++)
		free(*field(m, i));
	memset(m, 0, sizeof *m);
}

void td_app_msg_free(struct td_app_msg *m)
{
	td_app_msg_cleanup(m);
	free(m);
}

struct td_app_msg *td_app_msg_copy(const struct td_app_msg *src)
{
	struct td_app_msg *m = malloc(sizeof *m);
	if (!m)
		return NULL;
	*m = *src;
	bool ok = true;
	/* The same slots of the source, through a writable alias of it. */
	struct td_app_msg s = *src;
	for (size_t i = 0; field(m, i); i++) {
		const char *from = *field(&s, i);
		*field(m, i) = NULL;
		if (from && ok) {
			*field(m, i) = strdup(from);
			ok = *field(m, i) != NULL;
		}
	}
	if (!ok) {
		td_app_msg_free(m);
		return NULL;
	}
	return m;
}

const char *td_app_proto_name(enum td_app_proto p)
{
	switch (p) {
	case TD_APP_HTTP1: return "http/1";
	case TD_APP_HTTP2: return "http/2";
	case TD_APP_PGSQL: return "pgsql";
	case TD_APP_SMTP: return "smtp";
	case TD_APP_IMAP: return "imap";
	case TD_APP_POP3: return "pop3";
	case TD_APP_FTP: return "ftp";
	case TD_APP_LDAP: return "ldap";
	case TD_APP_MYSQL: return "mysql";
	case TD_APP_XMPP: return "xmpp";
	}
	return "unknown";
}

const char *td_app_kind_name(enum td_app_kind k)
{
	switch (k) {
	case TD_APP_REQUEST: return "request";
	case TD_APP_RESPONSE: return "response";
	case TD_APP_H2_PREFACE: return "h2_preface";
	case TD_APP_H2_GOAWAY: return "goaway";
	case TD_APP_H2_RST_STREAM: return "rst_stream";
	case TD_APP_PG_STARTUP: return "startup";
	case TD_APP_PG_ERROR: return "error_response";
	case TD_APP_COMMAND: return "command";
	case TD_APP_REPLY: return "error_reply";
	case TD_APP_FEATURES: return "features";
	}
	return "unknown";
}

const char *td_h2_error_name(uint32_t code)
{
	/* RFC 9113 7 (Error Codes). */
	static const char *const names[] = {
		"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
		"SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM",
		"CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
		"INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
	};
	return code < sizeof names / sizeof names[0] ? names[code] : NULL;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* The protocols read after STARTTLS, as people write them. */
static const char *label(enum td_app_proto p)
{
	switch (p) {
	case TD_APP_SMTP: return "SMTP";
	case TD_APP_IMAP: return "IMAP";
	case TD_APP_POP3: return "POP3";
	case TD_APP_FTP: return "FTP";
	case TD_APP_LDAP: return "LDAP";
	case TD_APP_MYSQL: return "MySQL";
	case TD_APP_XMPP: return "XMPP";
	case TD_APP_HTTP1:
	case TD_APP_HTTP2:
	case TD_APP_PGSQL:
		break;
	}
	return "application";
}

/* "SMTP AUTH EXTERNAL", "LDAP BindRequest (SASL EXTERNAL)", "MySQL
 * HandshakeResponse, user "app"". */
static void describe_command(const struct td_app_msg *m, char *buf, size_t len)
{
	const char *mech = m->mechanism;
	if (m->proto == TD_APP_LDAP && mech)
		snprintf(buf, len, "LDAP %s (%s%s)", or_empty(m->command),
			 strcmp(mech, "simple") == 0 ? "" : "SASL ", mech);
	else
		snprintf(buf, len, "%s %s%s%s%s%s%s", label(m->proto), or_empty(m->command),
			 mech ? " " : "", or_empty(mech), m->user ? ", user \"" : "",
			 or_empty(m->user), m->user ? "\"" : "");
}

/* "SMTP 535: 5.7.8 ...", "IMAP NO: ...", "LDAP BindResponse resultCode 49
 * (invalidCredentials): ...", "MySQL ERR 1045 (28000): ...". */
static void describe_reply(const struct td_app_msg *m, char *buf, size_t len)
{
	const char *sep = m->message ? ": " : "";
	switch (m->proto) {
	case TD_APP_SMTP:
	case TD_APP_FTP:
		snprintf(buf, len, "%s %" PRIu32 "%s%s", label(m->proto), m->code, sep,
			 or_empty(m->message));
		break;
	case TD_APP_LDAP:
		snprintf(buf, len, "LDAP %s resultCode %" PRIu32 " (%s)%s%s",
			 m->command ? m->command : "response", m->code,
			 m->reason ? m->reason : "?", sep, or_empty(m->message));
		break;
	case TD_APP_MYSQL:
		snprintf(buf, len, "MySQL ERR %" PRIu32 "%s%s%s%s%s", m->code,
			 m->sqlstate[0] ? " (" : "", m->sqlstate, m->sqlstate[0] ? ")" : "", sep,
			 or_empty(m->message));
		break;
	case TD_APP_XMPP:
		snprintf(buf, len, "XMPP %s %s%s%s",
			 m->command && strcmp(m->command, "failure") == 0 ? "SASL failure"
									   : "stream error",
			 m->severity ? m->severity : "?", sep, or_empty(m->message));
		break;
	case TD_APP_IMAP:
	case TD_APP_POP3:
	case TD_APP_HTTP1:
	case TD_APP_HTTP2:
	case TD_APP_PGSQL:
		snprintf(buf, len, "%s %s%s%s", label(m->proto), m->severity ? m->severity : "?",
			 sep, or_empty(m->message));
		break;
	}
}

static void describe(const struct td_app_msg *m, char *buf, size_t len)
{
	buf[0] = '\0';
	const char *h2 = td_h2_error_name(m->error_code);
	char code[24];
	if (!h2) {
		snprintf(code, sizeof code, "0x%" PRIx32, m->error_code);
		h2 = code;
	}
	switch (m->kind) {
	case TD_APP_REQUEST:
		snprintf(buf, len, "%s %s %s", or_empty(m->method), or_empty(m->target),
			 or_empty(m->version));
		break;
	case TD_APP_RESPONSE:
		if (m->proto == TD_APP_HTTP2)
			snprintf(buf, len, "HTTP/2 :status %u (stream %" PRIu32 ")", m->status,
				 m->stream);
		else
			snprintf(buf, len, "%s %u%s%s%s%s%s", or_empty(m->version), m->status,
				 m->reason ? " " : "", or_empty(m->reason),
				 m->title ? ", title \"" : "", or_empty(m->title),
				 m->title ? "\"" : "");
		break;
	case TD_APP_H2_PREFACE:
		snprintf(buf, len, "HTTP/2 connection preface");
		break;
	case TD_APP_H2_GOAWAY:
		snprintf(buf, len, "HTTP/2 GOAWAY %s (last stream %" PRIu32 ")", h2, m->stream);
		break;
	case TD_APP_H2_RST_STREAM:
		snprintf(buf, len, "HTTP/2 RST_STREAM %s (stream %" PRIu32 ")", h2, m->stream);
		break;
	case TD_APP_PG_STARTUP:
		snprintf(buf, len, "PostgreSQL StartupMessage%s%s%s", m->user ? ", user \"" : "",
			 or_empty(m->user), m->user ? "\"" : "");
		break;
	case TD_APP_PG_ERROR:
		snprintf(buf, len, "PostgreSQL ErrorResponse %s %s%s%s",
			 m->severity ? m->severity : "?", m->sqlstate[0] ? m->sqlstate : "?",
			 m->message ? ": " : "", or_empty(m->message));
		break;
	case TD_APP_COMMAND:
		describe_command(m, buf, len);
		break;
	case TD_APP_REPLY:
		describe_reply(m, buf, len);
		break;
	case TD_APP_FEATURES:
		snprintf(buf, len, "XMPP stream features%s%s", m->mechanism ? ", SASL " : "",
			 or_empty(m->mechanism));
		break;
	}
}

bool td_app_is_error(const struct td_app_msg *m)
{
	switch (m->kind) {
	case TD_APP_RESPONSE:
		return m->status >= 400;
	case TD_APP_H2_GOAWAY:
		return m->error_code != 0;
	case TD_APP_H2_RST_STREAM:
		/* CANCEL is how a client drops a stream it no longer wants. */
		return m->error_code != 0 && m->error_code != 8;
	case TD_APP_PG_ERROR:
	case TD_APP_REPLY:  /* only errors are kept */
		return true;
	case TD_APP_COMMAND:
	case TD_APP_REQUEST:
	case TD_APP_H2_PREFACE:
	case TD_APP_PG_STARTUP:
	case TD_APP_FEATURES:
		break;
	}
	return false;
}

static void brief(const struct td_app_msg *m, char *buf, size_t len)
{
	const char *h2 = td_h2_error_name(m->error_code);
	switch (m->kind) {
	case TD_APP_REQUEST:
		snprintf(buf, len, "HTTP %s", m->method ? m->method : "request");
		return;
	case TD_APP_RESPONSE:
		snprintf(buf, len, "HTTP %u", m->status);
		return;
	case TD_APP_H2_PREFACE:
		snprintf(buf, len, "HTTP/2 preface");
		return;
	case TD_APP_H2_GOAWAY:
		snprintf(buf, len, "GOAWAY %s", h2 ? h2 : "?");
		return;
	case TD_APP_H2_RST_STREAM:
		snprintf(buf, len, "RST_STREAM %s", h2 ? h2 : "?");
		return;
	case TD_APP_PG_STARTUP:
		snprintf(buf, len, "pgsql startup");
		return;
	case TD_APP_PG_ERROR:
		snprintf(buf, len, "pgsql %s %s", m->severity ? m->severity : "?",
			 m->sqlstate[0] ? m->sqlstate : "?");
		return;
	case TD_APP_COMMAND:
		/* The mechanism is in the detail (td_app_describe). */
		snprintf(buf, len, "%s %s", label(m->proto), m->command ? m->command : "command");
		return;
	case TD_APP_FEATURES:
		snprintf(buf, len, "XMPP features");
		return;
	case TD_APP_REPLY:
		if (m->proto == TD_APP_LDAP)
			snprintf(buf, len, "LDAP %s", m->reason ? m->reason : "error");
		else if (m->proto == TD_APP_MYSQL)
			snprintf(buf, len, "MySQL ERR %" PRIu32, m->code);
		else if (m->severity)
			snprintf(buf, len, "%s %s", label(m->proto), m->severity);
		else
			snprintf(buf, len, "%s %" PRIu32, label(m->proto), m->code);
		return;
	}
	snprintf(buf, len, "application");
}

/* snprintf() may cut a message's text inside a character: the cut
 * string ends at the last whole one. */
void td_app_describe(const struct td_app_msg *m, char *buf, size_t len)
{
	if (!len)
		return;
	describe(m, buf, len);
	td_text_cut_utf8(buf);
}

void td_app_brief(const struct td_app_msg *m, char *buf, size_t len)
{
	if (!len)
		return;
	brief(m, buf, len);
	td_text_cut_utf8(buf);
}
