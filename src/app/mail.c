/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mail.c - the line protocols read after a STARTTLS upgrade (app.h):
 * SMTP, FTP, IMAP and POP3, their first commands and error replies.
 *
 *   SMTP (RFC 5321 4.1, 4.2)   C: VERB [args] CRLF
 *                              S: ddd-text CRLF ... ddd SP text CRLF
 *   FTP  (RFC 959 4.2, 4217)   the same; the lines between the first
 *                              "ddd-" and the last "ddd " may be anything
 *   IMAP (RFC 9051 2.2, 7.1)   C: tag SP COMMAND [args] CRLF
 *                              S: tag SP (OK|NO|BAD) SP text CRLF,
 *                                 "* BYE text", "* ..." data, "+ ..."
 *                              a line ending "{n}" or "{n+}" is followed
 *                              by n bytes of literal (passed over)
 *   POP3 (RFC 1939 3)          C: VERB [args] CRLF
 *                              S: +OK text | -ERR text, multi-line data
 *
 * Kept of the client: the verb, when it is one of its protocol's
 * commands (a list below), and the SASL mechanism after AUTH or
 * AUTHENTICATE; never an argument (a password follows PASS, LOGIN, an
 * AUTH initial response).  A line that is no command (a SASL response
 * in base64, a message body) is passed over.  Kept of the server: the
 * error replies only (4xx and 5xx; NO, BAD, BYE; -ERR), with the text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "app_int.h"

/* A SASL mechanism name: 1 to 20 of A-Z 0-9 - _ (RFC 4422 3.1). */
#define SASL_MECH_MAX 20u
/* IMAP literal lengths read (digits); longer is malformed. */
#define LITERAL_DIGITS_MAX 10u

static const char *const smtp_verbs[] = {
	"EHLO", "HELO", "LHLO", "AUTH", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP",
	"QUIT", "VRFY", "EXPN", "HELP", "STARTTLS", NULL,
};
static const char *const ftp_verbs[] = {
	"USER", "PASS", "ACCT", "AUTH", "ADAT", "PBSZ", "PROT", "CCC", "FEAT", "SYST", "PWD",
	"CWD", "CDUP", "TYPE", "MODE", "STRU", "PASV", "EPSV", "PORT", "EPRT", "LIST", "NLST",
	"MLSD", "MLST", "RETR", "STOR", "STOU", "APPE", "REST", "SIZE", "MDTM", "DELE", "MKD",
	"RMD", "RNFR", "RNTO", "OPTS", "NOOP", "QUIT", "ABOR", "HELP", "STAT", NULL,
};
static const char *const pop3_verbs[] = {
	"USER", "PASS", "APOP", "AUTH", "CAPA", "STAT", "LIST", "RETR", "DELE", "NOOP",
	"RSET", "TOP", "UIDL", "QUIT", "STLS", "UTF8", NULL,
};
static const char *const imap_verbs[] = {
	"CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE", "LOGIN", "ENABLE",
	"SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST",
	"LSUB", "NAMESPACE", "STATUS", "APPEND", "IDLE", "CLOSE", "UNSELECT", "EXPUNGE",
	"SEARCH", "FETCH", "STORE", "COPY", "MOVE", "UID", "ID", "COMPRESS", NULL,
};

static const char *const *verbs_of(enum td_app_proto proto)
{
	switch (proto) {
	case TD_APP_SMTP: return smtp_verbs;
	case TD_APP_FTP: return ftp_verbs;
	case TD_APP_POP3: return pop3_verbs;
	case TD_APP_IMAP: return imap_verbs;
	default: return NULL;
	}
}

/* The next space-separated word of r (r moved past it and the spaces
 * after it); empty when r is empty or starts with a space. */
static struct td_reader word(struct td_reader *r)
{
	size_t k = 0, left = td_rd_left(r);
	while (k < left && td_rd_peek(r, k) != ' ')
		k++;
	struct td_reader w = td_rd_sub(r, k);
	while (td_rd_left(r) > 0 && td_rd_peek(r, 0) == ' ')
		td_rd_skip(r, 1);
	return w;
}

/* The list's entry w equals (ASCII case-insensitively); NULL when none. */
static const char *listed(const char *const *list, struct td_reader w)
{
	for (size_t i = 0; list && list[i]; i++)
		if (td_app_ieq(w, list[i]))
			return list[i];
	return NULL;
}

/* w as a SASL mechanism name, upper-cased; NULL when it is none (or out
 * of memory). */
static char *mechanism(struct td_reader w)
{
	size_t n = td_rd_left(&w);
	if (n == 0 || n > SASL_MECH_MAX)
		return NULL;
	char buf[SASL_MECH_MAX + 1];
	for (size_t i = 0; i < n; i++) {
		uint8_t c = td_rd_peek(&w, i);
		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - ('a' - 'A'));
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return NULL;
		buf[i] = (char)c;
	}
	buf[n] = '\0';
	return strdup(buf);
}

/* The length of an IMAP literal announced at the end of line ("{n}",
 * "{n+}"), *has set; false when the line announces none. */
static bool literal(struct td_reader line, size_t *len)
{
	size_t n = td_rd_left(&line);
	if (n < 3 || td_rd_peek(&line, n - 1) != '}')
		return false;
	size_t end = n - 1;
	if (td_rd_peek(&line, end - 1) == '+')
		end--;
	size_t start = end;
	while (start > 0 && td_rd_peek(&line, start - 1) >= '0' &&
	       td_rd_peek(&line, start - 1) <= '9')
		start--;
	if (start == end || start == 0 || td_rd_peek(&line, start - 1) != '{' ||
	    end - start > LITERAL_DIGITS_MAX)
		return false;
	size_t v = 0;
	for (size_t i = start; i < end; i++)
		v = v * 10u + (size_t)(td_rd_peek(&line, i) - '0');
	*len = v;
	return true;
}

/* The next line of p[0..n), or with final the bytes left as one line;
 * *used the bytes it takes (its CRLF and, for IMAP, a literal after it). */
static bool next_line(enum td_app_proto proto, const uint8_t *p, size_t n, bool final,
		      struct td_reader *line, size_t *used)
{
	struct td_reader r = td_rd_make(p, n);
	if (!td_app_line(&r, line)) {
		if (!final || n == 0)
			return false;
		*line = td_rd_make(p, n);
		*used = n;
		return true;
	}
	*used = n - td_rd_left(&r);
	size_t lit = 0;
	if (proto == TD_APP_IMAP && literal(*line, &lit))
		*used = lit > SIZE_MAX - *used ? SIZE_MAX : *used + lit;
	return true;
}

enum td_app_status td_app_text_command(enum td_app_proto proto, const uint8_t *p, size_t n,
				       bool final, struct td_app_msg *m, size_t *used)
{
	memset(m, 0, sizeof *m);
	const char *const *list = verbs_of(proto);
	struct td_reader line;
	if (!list)
		return TD_APP_NO;
	if (!next_line(proto, p, n, final, &line, used))
		return TD_APP_MORE;
	if (proto == TD_APP_IMAP) {
		struct td_reader tag = word(&line);
		if (td_rd_left(&tag) == 0)
			return TD_APP_SKIP;
	}
	const char *verb = listed(list, word(&line));
	if (!verb)
		return TD_APP_SKIP;  /* a SASL response, a body line: never kept */
	m->proto = proto;
	m->kind = TD_APP_COMMAND;
	m->command = strdup(verb);
	if (strcmp(verb, "AUTH") == 0 || strcmp(verb, "AUTHENTICATE") == 0)
		m->mechanism = mechanism(word(&line));
	return TD_APP_FOUND;
}

/* The reply code at the start of line: 3 digits, the first 1..5, then
 * a space, a hyphen or the end; 0 when none.  *more: a hyphen. */
static uint32_t reply_code(struct td_reader line, bool *more)
{
	if (td_rd_left(&line) < 3)
		return 0;
	uint32_t code = 0;
	for (size_t i = 0; i < 3; i++) {
		uint8_t c = td_rd_peek(&line, i);
		if (c < '0' || c > '9')
			return 0;
		code = code * 10u + (uint32_t)(c - '0');
	}
	if (code < 100 || code >= 600)
		return 0;
	uint8_t sep = td_rd_left(&line) > 3 ? td_rd_peek(&line, 3) : ' ';
	if (sep != ' ' && sep != '-')
		return 0;
	*more = sep == '-';
	return code;
}

/* An SMTP or FTP reply, its lines up to the last one ("ddd " or "ddd"). */
static enum td_app_status code_reply(enum td_app_proto proto, const uint8_t *p, size_t n,
				     bool final, struct td_app_msg *m, size_t *used)
{
	struct td_reader r = td_rd_make(p, n), first, line;
	if (!td_app_line(&r, &first)) {
		bool more = false;
		/* Not even its first line yet: tell early when it cannot be one. */
		if (n >= 4 && reply_code(td_rd_make(p, n), &more) == 0)
			return TD_APP_NO;
		if (!final || n == 0)
			return TD_APP_MORE;
		first = td_rd_make(p, n);
		td_rd_skip(&r, n);
	}
	bool more = false;
	uint32_t code = reply_code(first, &more);
	if (code == 0)
		return TD_APP_NO;
	/* RFC 5321 4.2.1 / RFC 959 4.2: the last line is the code and a
	 * space (or the code alone). */
	while (more) {
		if (!td_app_line(&r, &line)) {
			if (!final)
				return TD_APP_MORE;
			td_rd_skip(&r, td_rd_left(&r));
			break;
		}
		bool again = false;
		more = reply_code(line, &again) != code || again;
	}
	*used = n - td_rd_left(&r);
	if (code < 400)
		return TD_APP_SKIP;
	m->proto = proto;
	m->kind = TD_APP_REPLY;
	m->code = code;
	td_rd_skip(&first, td_rd_left(&first) > 4 ? 4 : td_rd_left(&first));
	m->message = td_app_text(first);
	return TD_APP_FOUND;
}

/* An IMAP server line: FOUND for "tag NO", "tag BAD" and "* BYE". */
static enum td_app_status imap_line(struct td_reader line, struct td_app_msg *m)
{
	struct td_reader tag = word(&line);
	struct td_reader cond = word(&line);
	bool untagged = td_app_ieq(tag, "*");
	const char *sev = NULL;
	if (untagged && td_app_ieq(cond, "BYE"))
		sev = "BYE";
	else if (!untagged && !td_app_ieq(tag, "+") && td_rd_left(&tag) > 0 &&
		 td_app_ieq(cond, "NO"))
		sev = "NO";
	else if (!untagged && !td_app_ieq(tag, "+") && td_rd_left(&tag) > 0 &&
		 td_app_ieq(cond, "BAD"))
		sev = "BAD";
	if (!sev)
		return TD_APP_SKIP;
	m->proto = TD_APP_IMAP;
	m->kind = TD_APP_REPLY;
	m->severity = strdup(sev);
	m->message = td_app_text(line);
	return TD_APP_FOUND;
}

/* A POP3 server line: FOUND for "-ERR". */
static enum td_app_status pop3_line(struct td_reader line, struct td_app_msg *m)
{
	struct td_reader w = word(&line);
	if (!td_app_ieq(w, "-ERR"))
		return TD_APP_SKIP;  /* +OK, or a line of multi-line data */
	m->proto = TD_APP_POP3;
	m->kind = TD_APP_REPLY;
	m->severity = strdup("-ERR");
	m->message = td_app_text(line);
	return TD_APP_FOUND;
}

enum td_app_status td_app_text_reply(enum td_app_proto proto, const uint8_t *p, size_t n,
				     bool final, struct td_app_msg *m, size_t *used)
{
	memset(m, 0, sizeof *m);
	struct td_reader line;
	switch (proto) {
	case TD_APP_SMTP:
	case TD_APP_FTP:
		return code_reply(proto, p, n, final, m, used);
	case TD_APP_IMAP:
		if (!next_line(proto, p, n, final, &line, used))
			return TD_APP_MORE;
		return imap_line(line, m);
	case TD_APP_POP3:
		if (!next_line(proto, p, n, final, &line, used))
			return TD_APP_MORE;
		return pop3_line(line, m);
	default:
		return TD_APP_NO;
	}
}
