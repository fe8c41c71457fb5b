/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xmpp.c - XMPP read after a STARTTLS upgrade (app.h): the stream opened
 * again, the new stream features, a SASL authentication and its
 * failure, a stream error.
 *
 *   RFC 6120 5.4.3.3  after <proceed/> and the handshake, the client
 *                     opens a new stream:  C: <stream:stream ...>
 *                     and the server answers with new features:
 *                     S: <stream:stream ...><stream:features>
 *                          <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>
 *                            <mechanism>EXTERNAL</mechanism> ...
 *                        </mechanisms></stream:features>
 *   RFC 6120 6.4.2    C: <auth xmlns='...xmpp-sasl' mechanism='EXTERNAL'>=</auth>
 *   RFC 6120 6.4.5    S: <failure xmlns='...xmpp-sasl'><not-authorized/>
 *                          [<text>...</text>]</failure>
 *   RFC 6120 4.9      S: <stream:error><host-unknown xmlns='...xmpp-streams'/>
 *                          [<text>...</text>]</stream:error>
 *
 * The stream is never a whole document: it is read one tag at a time
 * (bytes up to and including '>', the text before it with it), and the
 * three server elements of interest whole, up to their end tag.  Kept:
 * the SASL mechanism names (RFC 4422 3.1 letters only), the condition
 * (a name from RFC 6120's lists, never the wire's bytes) and the <text/>
 * (sanitized, cut).  Never kept: what follows <auth> (a credential), a
 * stanza.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"

#define NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"
/* A SASL mechanism name: 1 to 20 of A-Z 0-9 - _ (RFC 4422 3.1). */
#define MECH_MAX 20u
/* The mechanisms kept of one feature list, space-separated. */
#define MECHS_MAX 128u

/* One tag: its name (after '<' and a '/'), the text before it, and the
 * bytes it ends after ('>' included). */
struct tag {
	struct td_reader name, text, whole;
	bool closing, empty;
	size_t end;
};

static bool name_end(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>';
}

/* The next tag of r (r moved past it); false without a whole one. */
static bool next_tag(struct td_reader *r, struct tag *t)
{
	size_t left = td_rd_left(r), lt = 0, gt;
	while (lt < left && td_rd_peek(r, lt) != '<')
		lt++;
	for (gt = lt; gt < left && td_rd_peek(r, gt) != '>'; gt++)
		;
	if (gt >= left)
		return false;
	t->text = td_rd_sub(r, lt);
	t->whole = td_rd_sub(r, gt + 1 - lt);
	struct td_reader w = t->whole;
	td_rd_skip(&w, 1);
	t->closing = td_rd_left(&w) > 0 && td_rd_peek(&w, 0) == '/';
	if (t->closing)
		td_rd_skip(&w, 1);
	size_t k = 0;
	while (k < td_rd_left(&w) && !name_end(td_rd_peek(&w, k)))
		k++;
	t->name = td_rd_sub(&w, k);
	size_t wl = td_rd_left(&t->whole);
	t->empty = wl >= 2 && td_rd_peek(&t->whole, wl - 2) == '/';
	t->end = gt + 1;
	return true;
}

/* The value of attribute a="..." or a='...' in the tag, empty if none. */
static struct td_reader attribute(struct td_reader tag, const char *a)
{
	char key[32];
	snprintf(key, sizeof key, " %s=", a);
	size_t at = td_app_find(&tag, key);
	if (at == SIZE_MAX)
		return td_rd_make(NULL, 0);
	td_rd_skip(&tag, at + strlen(key));
	uint8_t q = td_rd_left(&tag) > 0 ? td_rd_peek(&tag, 0) : 0;
	if (q != '\'' && q != '"')
		return td_rd_make(NULL, 0);
	td_rd_skip(&tag, 1);
	size_t k = 0;
	while (k < td_rd_left(&tag) && td_rd_peek(&tag, k) != q)
		k++;
	return td_rd_sub(&tag, k);
}

/* w as a SASL mechanism name into buf (MECH_MAX + 1), upper-cased;
 * false when it is none. */
static bool mech_name(struct td_reader w, char *buf)
{
	while (td_rd_left(&w) > 0 && (td_rd_peek(&w, 0) == ' ' || td_rd_peek(&w, 0) == '\n' ||
				      td_rd_peek(&w, 0) == '\r' || td_rd_peek(&w, 0) == '\t'))
		td_rd_skip(&w, 1);
	size_t n = td_rd_left(&w);
	while (n > 0 && (td_rd_peek(&w, n - 1) == ' ' || td_rd_peek(&w, n - 1) == '\n' ||
			 td_rd_peek(&w, n - 1) == '\r' || td_rd_peek(&w, n - 1) == '\t'))
		n--;
	if (n == 0 || n > MECH_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = td_rd_peek(&w, i);
		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - ('a' - 'A'));
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
		buf[i] = (char)c;
	}
	buf[n] = '\0';
	return true;
}

/* RFC 6120 6.5 (SASL) and 4.9.3 (stream) conditions. */
static const char *const conditions[] = {
	"aborted", "account-disabled", "credentials-expired", "encryption-required",
	"incorrect-encoding", "invalid-authzid", "invalid-mechanism", "malformed-request",
	"mechanism-too-weak", "not-authorized", "temporary-auth-failure",
	"bad-format", "bad-namespace-prefix", "conflict", "connection-timeout", "host-gone",
	"host-unknown", "improper-addressing", "internal-server-error", "invalid-from",
	"invalid-namespace", "invalid-xml", "not-well-formed", "policy-violation",
	"remote-connection-failed", "reset", "resource-constraint", "restricted-xml",
	"see-other-host", "system-shutdown", "undefined-condition", "unsupported-encoding",
	"unsupported-feature", "unsupported-stanza-type", "unsupported-version", NULL,
};

static const char *condition(struct td_reader name)
{
	for (size_t i = 0; conditions[i]; i++)
		if (td_app_ieq(name, conditions[i]))
			return conditions[i];
	return "other";  /* an application-specific one: its name is not kept */
}

/* The <text/>, its five predefined entities (XML 1.0 4.6) decoded. */
static char *element_text(struct td_reader r)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = { { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&apos;", '\'' },
		     { "&quot;", '"' } };
	uint8_t buf[TD_APP_TEXT_MAX];
	size_t k = 0;
	while (td_rd_left(&r) > 0 && k < sizeof buf) {
		size_t used = 1;
		uint8_t c = td_rd_peek(&r, 0);
		for (size_t i = 0; c == '&' && i < sizeof ents / sizeof ents[0]; i++) {
			bool whole = false;
			if (td_app_prefix(&r, ents[i].ent, &whole) && whole) {
				c = (uint8_t)ents[i].c;
				used = strlen(ents[i].ent);
				break;
			}
		}
		buf[k++] = c;
		td_rd_skip(&r, used);
	}
	return td_app_text(td_rd_make(buf, k));
}

/* Which element of interest a server's start tag opens. */
enum element { E_NONE, E_FEATURES, E_SASL_FAILURE, E_STREAM_ERROR };

static enum element element_of(const struct tag *t)
{
	if (t->closing || t->empty)
		return E_NONE;
	if (td_app_ieq(t->name, "stream:features"))
		return E_FEATURES;
	if (td_app_ieq(t->name, "stream:error"))
		return E_STREAM_ERROR;
	struct td_reader ns = attribute(t->whole, "xmlns");
	if (td_app_ieq(t->name, "failure") && td_app_ieq(ns, NS_SASL))
		return E_SASL_FAILURE;
	return E_NONE;
}

/* The rest of an element just opened: its children up to its end
 * tag (or, with final, to the end of the bytes), into m. */
static enum td_app_status read_element(enum element e, struct td_reader *r,
				  size_t n, bool final, struct td_app_msg *m, size_t *used)
{
	char mechs[MECHS_MAX] = "";
	const char *cond = NULL;
	struct td_reader text = td_rd_make(NULL, 0);
	bool have_text = false, ended = false;
	unsigned depth = 0;
	struct tag t;
	while (!ended && next_tag(r, &t)) {
		char one[MECH_MAX + 1];
		if (t.closing && depth == 0) {
			ended = td_app_ieq(t.name, "stream:features") || td_app_ieq(t.name, "failure") ||
				td_app_ieq(t.name, "stream:error");
			if (!ended)
				return TD_APP_NO;  /* not well-formed: stop reading */
		} else if (t.closing) {
			depth--;
			if (e == E_FEATURES && td_app_ieq(t.name, "mechanism") && mech_name(t.text, one) &&
			    strlen(mechs) + strlen(one) + 2 <= sizeof mechs)
				snprintf(mechs + strlen(mechs), sizeof mechs - strlen(mechs), "%s%s",
					 mechs[0] ? " " : "", one);
			if (td_app_ieq(t.name, "text") && depth == 0) {
				text = t.text;
				have_text = true;
			}
		} else {
			if (e != E_FEATURES && depth == 0 && !cond && !td_app_ieq(t.name, "text"))
				cond = condition(t.name);
			if (!t.empty)
				depth++;
		}
	}
	if (!ended && !final)
		return TD_APP_MORE;
	*used = ended ? n - td_rd_left(r) : n;
	m->proto = TD_APP_XMPP;
	if (e == E_FEATURES) {
		m->kind = TD_APP_FEATURES;
		m->mechanism = mechs[0] ? strdup(mechs) : NULL;
		return TD_APP_FOUND;
	}
	m->kind = TD_APP_REPLY;
	m->command = strdup(e == E_SASL_FAILURE ? "failure" : "stream:error");
	m->severity = strdup(cond ? cond : "?");
	m->message = have_text ? element_text(text) : NULL;
	return TD_APP_FOUND;
}

enum td_app_status td_app_xmpp(const uint8_t *p, size_t n, bool server, bool final,
			       struct td_app_msg *m, size_t *used)
{
	memset(m, 0, sizeof *m);
	struct td_reader r = td_rd_make(p, n);
	struct tag t;
	if (!next_tag(&r, &t)) {
		/* Text outside an element (blanks; the credential of an <auth>
		 * whose end tag is still to come) is passed over, never kept;
		 * a tag begun waits for its end. */
		if (n > 0 && td_app_find(&r, "<") == SIZE_MAX) {
			*used = n;
			return TD_APP_SKIP;
		}
		return TD_APP_MORE;
	}
	*used = t.end;
	if (server) {
		enum element e = element_of(&t);
		if (e == E_NONE)
			return TD_APP_SKIP;  /* <?xml?>, the stream header, a stanza */
		return read_element(e, &r, n, final, m, used);
	}
	if (!t.closing && td_app_ieq(t.name, "stream:stream")) {
		m->proto = TD_APP_XMPP;
		m->kind = TD_APP_COMMAND;
		m->command = strdup("stream");
		return TD_APP_FOUND;
	}
	struct td_reader ns = attribute(t.whole, "xmlns");
	if (!t.closing && td_app_ieq(t.name, "auth") && td_app_ieq(ns, NS_SASL)) {
		char one[MECH_MAX + 1];
		m->proto = TD_APP_XMPP;
		m->kind = TD_APP_COMMAND;
		m->command = strdup("auth");
		if (mech_name(attribute(t.whole, "mechanism"), one))
			m->mechanism = strdup(one);
		return TD_APP_FOUND;
	}
	return TD_APP_SKIP;  /* the credential after <auth>, a stanza: never kept */
}
