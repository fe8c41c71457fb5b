/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redact_clear.c - --redact for the cleartext bytes a connection keeps
 * (conn.h: cleartext[], the first bytes that were not TLS: a SOCKS or
 * HTTP CONNECT preamble, plain HTTP sent to a TLS port, a server's
 * cleartext answer).  See redact.h for why they are replaced whole.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact_clear.h"

/* First words kept from cleartext: they name the protocol (a proxy's
 * CONNECT, plain HTTP to a TLS port, an HTTP server's answer) and
 * nothing about who spoke it. */
static const char *const protocol_words[] = {
	"CONNECT", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH",
	"HTTP/1.0", "HTTP/1.1", "HTTP/2", NULL
};

/* What the cleartext of one direction becomes: "[N bytes redacted]",
 * after its protocol word if any.  Everything else may name someone: a
 * CONNECT target, a SOCKS host name (in binary), a Host header, a path,
 * a cookie, an Authorization header, a server's HTML; no list of host
 * names found in it can be trusted to be complete. */
static void cleartext_placeholder(const char *s, uint64_t bytes, char *buf, size_t len)
{
	const char *word = "";
	for (size_t i = 0; protocol_words[i]; i++) {
		size_t n = strlen(protocol_words[i]);
		if (strncmp(s, protocol_words[i], n) == 0 && s[n] == ' ') {
			word = protocol_words[i];
			break;
		}
	}
	snprintf(buf, len, "%s%s[%llu bytes redacted]", word, word[0] ? " " : "",
		 (unsigned long long)bytes);
}

/*
 * *field with every quote of orig replaced by with: orig right after a
 * '"', whole, or cut short by the end of the field (anomalies and
 * evidence have fixed-size buffers and may end inside the quote).
 */
static enum td_result unquote(char **field, const char *orig, const char *with)
{
	const char *s = *field;
	size_t olen = strlen(orig), wlen = strlen(with);
	if (!s || olen == 0)
		return TD_OK;
	size_t n = strlen(s), cap = n + 1;
	/* Each replacement drops at least one byte of orig for at most wlen. */
	for (size_t i = 1; i < n; i++)
		if (s[i - 1] == '"' && s[i] == orig[0])
			cap += wlen;
	char *out = malloc(cap);
	if (!out)
		return TD_ERR_NOMEM;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t m = 0;
		if (i > 0 && s[i - 1] == '"')
			while (m < olen && i + m < n && s[i + m] == orig[m])
				m++;
		if (m > 0 && (m == olen || i + m == n)) {
			memcpy(out + o, with, wlen);
			o += wlen;
			i += m;
		} else {
			out[o++] = s[i++];
		}
	}
	out[o] = '\0';
	free(*field);
	*field = out;
	return TD_OK;
}

/* The anomalies that quote bytes that are not TLS: their string is orig,
 * whole or cut short (anomaly.h, end), and becomes with. */
static enum td_result unquote_anomalies(struct td_anomalies *l, const char *orig, const char *with)
{
	size_t olen = strlen(orig);
	for (size_t i = 0; i < l->n; i++) {
		struct td_anomaly *a = &l->v[i];
		char *s = a->str[0];
		if ((a->code != TD_AN_NON_TLS_BYTES && a->code != TD_AN_NON_TLS_BEFORE_TLS) ||
		    !s || !*s || olen == 0 ||
		    (a->end ? strncmp(s, orig, strlen(s)) != 0 : strcmp(s, orig) != 0))
			continue;
		char *n = strdup(with);
		if (!n)
			return TD_ERR_NOMEM;
		free(a->str[0]);
		a->str[0] = n;
	}
	return TD_OK;
}

static enum td_result unquote_list(struct td_strlist *l, const char *orig, const char *with)
{
	enum td_result res = TD_OK;
	for (size_t i = 0; res == TD_OK && i < l->n; i++)
		res = unquote(&l->v[i], orig, with);
	return res;
}

enum td_result td_redact_cleartext(struct td_conn *c)
{
	enum td_result res = TD_OK;
	for (size_t d = 0; res == TD_OK && d < 2; d++) {
		const char *orig = c->cleartext[d];
		if (!orig)
			continue;
		char with[64];
		cleartext_placeholder(orig, c->cleartext_bytes[d], with, sizeof with);
		for (size_t i = 0; res == TD_OK && i < c->n_events; i++)
			res = unquote(&c->events[i].detail, orig, with);
		if (res == TD_OK)
			res = unquote_anomalies(&c->anomalies, orig, with);
		for (size_t i = 0; res == TD_OK && i < c->n_diags; i++) {
			struct td_diagnosis *dg = &c->diags[i];
			res = unquote(&dg->summary, orig, with);
			if (res == TD_OK)
				res = unquote(&dg->fix, orig, with);
			if (res == TD_OK)
				res = unquote_list(&dg->evidence, orig, with);
		}
		if (res == TD_OK) {
			char *n = strdup(with);
			if (!n)
				return TD_ERR_NOMEM;
			free(c->cleartext[d]);
			c->cleartext[d] = n;
		}
	}
	return res;
}
