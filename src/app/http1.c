/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http1.c - the first HTTP/1.x request line and response of a direction
 * (RFC 9112):
 *
 *   request-line = method SP request-target SP HTTP-version CRLF
 *   status-line  = HTTP-version SP status-code SP [ reason-phrase ] CRLF
 *   then header fields up to an empty line, then the body
 *
 * A server that refuses after the handshake says why in the status line
 * and, for nginx, in the <title> of its error page ("400 No required SSL
 * certificate was sent"): the title is looked for in the body bytes
 * that came with the head.  Lines end at LF (a CR before it is dropped),
 * as RFC 9112 2.2 allows a recipient to.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "app_int.h"

/* A method: 1..METHOD_MAX upper-case letters (and '-', '_'): what
 * servers and clients send; a wider RFC token would take binary
 * protocols for HTTP. */
#define METHOD_MAX 20u
/* "HTTP/1.1" */
#define VERSION_LEN 8u

/* nginx's special error pages (ngx_http_special_response.c): the 400
 * page of a client certificate problem names it in its title. */
static const struct {
	const char *title;
	enum td_app_known known;
} known_titles[] = {
	{ "400 No required SSL certificate was sent", TD_APP_KNOWN_NGINX_NO_CERT },
	{ "400 The SSL certificate error", TD_APP_KNOWN_NGINX_CERT_ERROR },
};

#define APACHE_NO_PHA "Reason: Cannot perform Post-Handshake Authentication."

static bool method_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

/* "HTTP/1.0" or "HTTP/1.1"... */
static bool is_version(struct td_reader r)
{
	bool whole = false;
	return td_rd_left(&r) == VERSION_LEN && td_app_prefix(&r, "HTTP/1.", &whole) &&
	       td_rd_peek(&r, 7) >= '0' && td_rd_peek(&r, 7) <= '9';
}

/* The next word of a line (up to a space or its end), the space skipped. */
static struct td_reader word(struct td_reader *line)
{
	size_t left = td_rd_left(line), i = 0;
	while (i < left && td_rd_peek(line, i) != ' ')
		i++;
	struct td_reader w = td_rd_sub(line, i);
	if (td_rd_left(line) > 0)
		td_rd_skip(line, 1);
	return w;
}

/* Could these bytes (no LF yet) still become a request line? */
static bool request_start(const struct td_reader *r)
{
	size_t left = td_rd_left(r);
	size_t i = 0;
	while (i < left && i <= METHOD_MAX && method_char(td_rd_peek(r, i)))
		i++;
	if (i == left)
		return i <= METHOD_MAX;
	return i > 0 && i <= METHOD_MAX && td_rd_peek(r, i) == ' ';
}

enum td_app_status td_app_http1_request(const uint8_t *p, size_t n, struct td_app_msg *m,
					size_t *used)
{
	memset(m, 0, sizeof *m);
	struct td_reader r = td_rd_make(p, n);
	if (!request_start(&r))
		return TD_APP_NO;
	struct td_reader line;
	if (!td_app_line(&r, &line))
		return TD_APP_MORE;
	struct td_reader method = word(&line);
	struct td_reader target = word(&line);
	struct td_reader version = line;
	size_t ml = td_rd_left(&method);
	if (ml == 0 || ml > METHOD_MAX || td_rd_left(&target) == 0 || !is_version(version))
		return TD_APP_NO;
	for (size_t i = 0; i < td_rd_left(&target); i++) {
		uint8_t c = td_rd_peek(&target, i);
		if (c < 0x21 || c == 0x7f)
			return TD_APP_NO;
	}
	m->proto = TD_APP_HTTP1;
	m->kind = TD_APP_REQUEST;
	m->method = td_app_text(method);
	m->target = td_app_text(target);
	m->version = td_app_text(version);
	*used = n - td_rd_left(&r);
	return TD_APP_FOUND;
}

/* What the header says of the body. */
struct head {
	bool length_known;
	size_t length;   /* Content-Length */
	bool html;       /* Content-Type text/html (or none said) */
};

static void header_field(struct td_reader line, struct head *h)
{
	size_t colon = td_app_find(&line, ":");
	if (colon == SIZE_MAX)
		return;
	struct td_reader name = td_rd_sub(&line, colon);
	td_rd_skip(&line, 1);
	while (td_rd_left(&line) > 0 && (td_rd_peek(&line, 0) == ' ' || td_rd_peek(&line, 0) == '\t'))
		td_rd_skip(&line, 1);
	if (td_app_ieq(name, "content-length")) {
		size_t v = 0, digits = 0;
		while (td_rd_left(&line) > 0 && td_rd_peek(&line, 0) >= '0' &&
		       td_rd_peek(&line, 0) <= '9' && digits < 12) {
			v = v * 10 + (size_t)(td_rd_u8(&line) - '0');
			digits++;
		}
		if (digits > 0) {
			h->length_known = true;
			h->length = v;
		}
	} else if (td_app_ieq(name, "content-type")) {
		h->html = td_app_find(&line, "html") != SIZE_MAX;
	}
}

/* The <title> of an HTML body, if its bytes hold one. */
static char *find_title(struct td_reader body, bool *found)
{
	*found = false;
	size_t open = td_app_find(&body, "<title>");
	if (open == SIZE_MAX)
		return NULL;
	td_rd_skip(&body, open + strlen("<title>"));
	size_t close = td_app_find(&body, "</title>");
	if (close == SIZE_MAX)
		return NULL;
	*found = true;
	return td_app_text(td_rd_sub(&body, close));
}

/* Could these bytes (no LF yet) still become a status line? */
static bool status_start(const struct td_reader *r)
{
	bool whole = false;
	return td_app_prefix(r, "HTTP/", &whole);
}

enum td_app_status td_app_http1_response(const uint8_t *p, size_t n, bool final,
					 struct td_app_msg *m, size_t *used)
{
	memset(m, 0, sizeof *m);
	struct td_reader r = td_rd_make(p, n);
	if (!status_start(&r))
		return TD_APP_NO;
	struct td_reader line;
	if (!td_app_line(&r, &line))
		return final ? TD_APP_NO : TD_APP_MORE;
	struct td_reader version = word(&line);
	struct td_reader code = word(&line);
	if (!is_version(version) || td_rd_left(&code) != 3)
		return TD_APP_NO;
	unsigned status = 0;
	for (int i = 0; i < 3; i++) {
		uint8_t c = td_rd_u8(&code);
		if (c < '0' || c > '9')
			return TD_APP_NO;
		status = status * 10 + (unsigned)(c - '0');
	}
	if (status < 100)
		return TD_APP_NO;
	/* The header, up to its empty line. */
	struct head h = { .html = true };
	bool head_done = false;
	struct td_reader field;
	while (td_app_line(&r, &field)) {
		if (td_rd_left(&field) == 0) {
			head_done = true;
			break;
		}
		header_field(field, &h);
	}
	if (!head_done && !final)
		return TD_APP_MORE;
	size_t head_len = n - td_rd_left(&r);
	/* An interim response (100 Continue): the final one follows. */
	if (head_done && status < 200) {
		*used = head_len;
		return TD_APP_SKIP;
	}
	size_t avail = td_rd_left(&r);
	bool no_body = status == 204 || status == 304 || (h.length_known && h.length == 0);
	size_t body_len = h.length_known && h.length < avail ? h.length : avail;
	bool titled = false;
	struct td_reader body = td_rd_sub(&r, body_len);
	char *title = head_done && h.html && !no_body ? find_title(body, &titled) : NULL;
	bool whole_body = h.length_known && avail >= h.length;
	bool complete = titled || no_body || !h.html || whole_body;
	/* Apache's 403 names its reason after the title, in the body: wait
	 * for the whole of a short one (the caps bound what is kept). */
	if (status == 403 && titled && h.length_known && !whole_body && !final)
		complete = false;
	if (!complete && !final) {
		free(title);
		return TD_APP_MORE;
	}
	m->proto = TD_APP_HTTP1;
	m->kind = TD_APP_RESPONSE;
	m->status = (uint16_t)status;
	m->version = td_app_text(version);
	m->reason = td_app_text(line);
	m->title = title;
	for (size_t i = 0; title && i < sizeof known_titles / sizeof known_titles[0]; i++)
		if (strcmp(title, known_titles[i].title) == 0)
			m->known = known_titles[i].known;
	/* mod_ssl's refusal of a client that cannot do post-handshake
	 * authentication (AH10158), in the body of a plain 403 Forbidden:
	 * a 403 alone says nothing about certificates. */
	if (status == 403 && td_app_find(&body, APACHE_NO_PHA) != SIZE_MAX)
		m->known = TD_APP_KNOWN_APACHE_NO_PHA;
	*used = head_len + body_len;
	return TD_APP_FOUND;
}
