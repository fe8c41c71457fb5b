/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redact_stls.c - --redact for the plaintext steps of a STARTTLS
 * exchange (see redact_stls.h and redact.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact_stls.h"

static bool letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool name_char(char c)
{
	return letter(c) || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* A DNS name: labels parted by dots, the last one letters only (so that
 * "2.0.0", "8.0.36" or an OID are no names). */
static bool host_like(const char *s, size_t n)
{
	if (n < 3 || s[0] == '.' || s[n - 1] == '.')
		return false;
	size_t last = n;
	while (last > 0 && s[last - 1] != '.')
		last--;
	if (last == 0)
		return false;
	for (size_t i = last; i < n; i++)
		if (!letter(s[i]))
			return false;
	return true;
}

static enum td_result learn(const char *s, td_rs_host_fn host, void *ctx)
{
	size_t n = s ? strlen(s) : 0;
	for (size_t i = 0; i < n;) {
		if (!name_char(s[i])) {
			i++;
			continue;
		}
		size_t b = i;
		while (i < n && name_char(s[i]))
			i++;
		/* An SMTP or FTP continuation line: "250-name". */
		if (i - b > 4 && s[b] >= '0' && s[b] <= '9' && s[b + 1] >= '0' && s[b + 1] <= '9' &&
		    s[b + 2] >= '0' && s[b + 2] <= '9' && s[b + 3] == '-')
			b += 4;
		if (host_like(s + b, i - b)) {
			enum td_result res = host(ctx, s + b, i - b);
			if (res != TD_OK)
				return res;
		}
	}
	return TD_OK;
}

/* A command word: letters (an IMAP tag is letters and digits). */
static bool command_word(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!letter(s[i]) && !(i > 0 && s[i] >= '0' && s[i] <= '9'))
			return false;
	return n > 0;
}

/* The client's command with its arguments hidden: its first word, the
 * second when it is a command word too (an IMAP tag's command, AUTH's
 * mechanism), then "[redacted]"; a lone host-like argument (EHLO's)
 * stays for the free-text pass; a step of tlsdiag's own words (an XML
 * tag's name, a binary message described) stays. */
static void hide_args(const char *s, char *out, size_t len)
{
	size_t n = strlen(s);
	size_t w1 = 0;
	while (w1 < n && s[w1] != ' ')
		w1++;
	size_t b2 = w1;
	while (b2 < n && s[b2] == ' ')
		b2++;
	size_t w2 = b2;
	while (w2 < n && s[w2] != ' ')
		w2++;
	size_t keep = w1;
	if (w2 > b2 && command_word(s + b2, w2 - b2))
		keep = w2;
	bool rest = keep < n;
	bool host_arg = w2 == n && host_like(s + b2, w2 - b2);
	if (!rest || host_arg || s[0] == '<' || strstr(s, "[hidden]") || strchr(s, '(')) {
		snprintf(out, len, "%s", s);
		return;
	}
	snprintf(out, len, "%.*s [redacted]", (int)keep, s);
}

/* *field with each occurrence of orig replaced by with. */
static enum td_result swap(char **field, const char *orig, const char *with)
{
	const char *s = *field;
	size_t olen = strlen(orig);
	if (!s || olen == 0 || !strstr(s, orig))
		return TD_OK;
	size_t n = strlen(s), wlen = strlen(with);
	char *out = malloc(n / olen * (wlen + 1) + n + 1);
	if (!out)
		return TD_ERR_NOMEM;
	size_t o = 0;
	for (const char *p = s; *p;) {
		const char *hit = strstr(p, orig);
		size_t k = hit ? (size_t)(hit - p) : strlen(p);
		memcpy(out + o, p, k);
		o += k;
		p += k;
		if (hit) {
			memcpy(out + o, with, wlen);
			o += wlen;
			p += olen;
		}
	}
	out[o] = '\0';
	free(*field);
	*field = out;
	return TD_OK;
}

enum td_result td_redact_starttls(struct td_conn *c, td_rs_host_fn host, void *ctx)
{
	if (c->starttls.proto == TD_STLS_NONE)
		return TD_OK;
	enum td_result res = TD_OK;
	for (size_t i = 0; res == TD_OK && i < c->n_events; i++)
		if (c->events[i].kind == TD_EV_STARTTLS)
			res = learn(c->events[i].detail, host, ctx);
	if (res == TD_OK)
		res = learn(c->starttls.answer, host, ctx);
	char hid[2 * TD_STLS_TEXT_MAX];
	for (size_t i = 0; res == TD_OK && i < c->n_events; i++) {
		struct td_event *e = &c->events[i];
		if (e->kind != TD_EV_STARTTLS || e->dir != TD_DIR_C2S || !e->detail)
			continue;
		hide_args(e->detail, hid, sizeof hid);
		if (strcmp(hid, e->detail) != 0) {
			char *n = strdup(hid);
			if (!n)
				return TD_ERR_NOMEM;
			free(e->detail);
			e->detail = n;
		}
	}
	if (res != TD_OK || !c->starttls.after)
		return res;
	char orig[TD_STLS_TEXT_MAX];
	snprintf(orig, sizeof orig, "%s", c->starttls.after);
	hide_args(orig, hid, sizeof hid);
	if (strcmp(hid, orig) == 0)
		return TD_OK;
	char *n = strdup(hid);
	if (!n)
		return TD_ERR_NOMEM;
	free(c->starttls.after);
	c->starttls.after = n;
	for (size_t i = 0; res == TD_OK && i < c->n_diags; i++) {
		struct td_diagnosis *d = &c->diags[i];
		res = swap(&d->summary, orig, hid);
		for (size_t k = 0; res == TD_OK && k < d->evidence.n; k++)
			res = swap(&d->evidence.v[k], orig, hid);
	}
	return res;
}

/* "250-name ...": the free-text pass leaves a name glued to the '-'
 * alone (redact.h), so the text after the code is substituted here. */
static enum td_result continuation(struct td_event *e, td_rs_text_fn text, const void *ctx)
{
	const char *d = e->detail;
	if (!d || strlen(d) < 5 || d[0] < '0' || d[0] > '9' || d[1] < '0' || d[1] > '9' ||
	    d[2] < '0' || d[2] > '9' || d[3] != '-')
		return TD_OK;
	char *n = text(ctx, d + 4);
	if (!n)
		return TD_ERR_NOMEM;
	char *w = malloc(strlen(n) + 5);
	if (w)
		snprintf(w, strlen(n) + 5, "%.4s%s", d, n);
	free(n);
	if (!w)
		return TD_ERR_NOMEM;
	free(e->detail);
	e->detail = w;
	return TD_OK;
}

enum td_result td_redact_starttls_text(struct td_conn *c, td_rs_text_fn text, const void *ctx)
{
	for (size_t i = 0; i < c->n_events; i++) {
		if (c->events[i].kind != TD_EV_STARTTLS)
			continue;
		enum td_result res = continuation(&c->events[i], text, ctx);
		if (res != TD_OK)
			return res;
	}
	char **fields[2] = { &c->starttls.answer, &c->starttls.after };
	for (int k = 0; k < 2; k++) {
		if (!*fields[k])
			continue;
		char *n = text(ctx, *fields[k]);
		if (!n)
			return TD_ERR_NOMEM;
		free(*fields[k]);
		*fields[k] = n;
	}
	return TD_OK;
}
