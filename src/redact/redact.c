/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redact.c - stable pseudonyms for addresses, names and end-entity
 * certificates (see redact.h for what is and is not redacted).
 *
 * Not a protocol file: it rewrites the model (conn.h), never wire bytes.
 *
 * The map (pmap.h) holds original -> pseudonym, ASCII case-insensitive.
 * There are two: the redactor's own, capped at TD_CAP_REDACT_VALUES,
 * and a scratch one for the connection being redacted, which takes what
 * the full map cannot (with placeholders) so that even then the
 * connection's free text is cleaned of it.
 *
 * Order matters: every structured value of a connection is redacted
 * (and so learnt) before its free text is, and end-entity subjects
 * before any issuer or CA name, so that a self-signed leaf's issuer is
 * recognised as the subject it repeats.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "pmap.h"
#include "redact.h"
#include "redact_clear.h"
#include "redact_quic.h"
#include "redact_stls.h"

/* ---- the redactor ---- */

enum kind {
	K_IP4, K_IP6, K_HOST, K_SUBJECT, K_CA, K_EMAIL, K_URI, K_OTHER, K_SERIAL, K_DIGEST,
	K_CID, K_REASON, K_COUNT
};

struct td_redactor {
	enum td_redact_level level;
	struct td_pmap map;    /* capped at TD_CAP_REDACT_VALUES */
	struct td_pmap local;  /* this connection's originals that the full map could not take */
	uint32_t counter[K_COUNT];
	uint64_t overflow;
	/* New originals get this connection's placeholders, not remembered
	 * pseudonyms: a CA of a connection not yet judged (ca_fate). */
	bool for_now;
};

struct td_redactor *td_redactor_new(enum td_redact_level level)
{
	struct td_redactor *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->level = level;
	uint64_t base = td_pmap_draw_base(r);
	td_pmap_init(&r->map, base);
	td_pmap_init(&r->local, base);
	return r;
}

void td_redactor_free(struct td_redactor *r)
{
	if (!r)
		return;
	td_pmap_cleanup(&r->map);
	td_pmap_cleanup(&r->local);
	free(r);
}

uint64_t td_redactor_overflow(const struct td_redactor *r)
{
	return r ? r->overflow : 0;
}

static struct td_pmap_entry *find_any(const struct td_redactor *r, const char *s, size_t len)
{
	struct td_pmap_entry *e = td_pmap_find(&r->map, s, len);
	return e ? e : td_pmap_find(&r->local, s, len);
}

/* Pseudonym number n (from 1) of a kind, into buf. */
static void make_pseudo(char *buf, size_t len, enum kind k, uint32_t n)
{
	switch (k) {
	case K_IP4:
		/* RFC 5737's three documentation networks, then 10/8. */
		if (n <= 254u * 3u) {
			static const char *const nets[] = { "192.0.2", "198.51.100", "203.0.113" };
			snprintf(buf, len, "%s.%u", nets[(n - 1) / 254u], (n - 1) % 254u + 1u);
		} else {
			uint32_t x = n - 254u * 3u;
			snprintf(buf, len, "10.%u.%u.%u", (x >> 16) & 0xffu, (x >> 8) & 0xffu, x & 0xffu);
		}
		break;
	case K_IP6: {
		uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
		a[12] = (uint8_t)(n >> 24);
		a[13] = (uint8_t)(n >> 16);
		a[14] = (uint8_t)(n >> 8);
		a[15] = (uint8_t)n;
		if (!inet_ntop(AF_INET6, a, buf, (socklen_t)len))
			snprintf(buf, len, "2001:db8::");
		break;
	}
	case K_HOST: snprintf(buf, len, "host-%u.example", n); break;
	case K_SUBJECT: snprintf(buf, len, "CN=subject-%u", n); break;
	case K_CA: snprintf(buf, len, "CN=ca-%u", n); break;
	case K_EMAIL: snprintf(buf, len, "user-%u@example.com", n); break;
	case K_URI: snprintf(buf, len, "https://uri-%u.example/", n); break;
	case K_OTHER: snprintf(buf, len, "value-%u", n); break;
	case K_SERIAL:
		snprintf(buf, len, "00:00:00:00:%02x:%02x:%02x:%02x", (n >> 24) & 0xffu,
			 (n >> 16) & 0xffu, (n >> 8) & 0xffu, n & 0xffu);
		break;
	case K_DIGEST:
		snprintf(buf, len, "%056x%08x", 0u, n);
		break;
	case K_CID:  /* 8 bytes in hex: it is written back as bytes */
		snprintf(buf, len, "cd%014x", n);
		break;
	case K_REASON: snprintf(buf, len, "reason-%u", n); break;
	case K_COUNT:
		snprintf(buf, len, "redacted");
		break;
	}
}

/* What a kind becomes once the map is full: not stable, never original. */
static const char *placeholder(enum kind k)
{
	switch (k) {
	case K_IP4: return "0.0.0.0";
	case K_IP6: return "::";
	case K_HOST: return "redacted.example";
	case K_SUBJECT: return "CN=redacted";
	case K_CA: return "CN=redacted-ca";
	case K_EMAIL: return "redacted@example.com";
	case K_URI: return "https://redacted.example/";
	case K_SERIAL: return "00";
	case K_DIGEST: return "0000000000000000000000000000000000000000000000000000000000000000";
	case K_CID: return "0000000000000000";
	case K_REASON: return "[redacted]";
	case K_OTHER:
	case K_COUNT:
		break;
	}
	return "redacted";
}

/*
 * The pseudonym of an original of kind k: the one it already has, or a
 * new one.  *out points into the map (valid until the redactor is freed
 * or, for an overflow placeholder, until td_redact_conn returns).
 */
static enum td_result pseudonym(struct td_redactor *r, enum kind k, const char *orig, size_t len,
				bool in_text, const char **out)
{
	struct td_pmap_entry *e = find_any(r, orig, len);
	bool local = e == NULL ? false : (td_pmap_find(&r->map, orig, len) == NULL);
	if (e) {
		*out = e->pseudo;
		return in_text ? td_pmap_mark_text(local ? &r->local : &r->map, e) : TD_OK;
	}
	struct td_pmap *m = &r->map;
	char buf[96];
	if (r->map.n < TD_CAP_REDACT_VALUES && !r->for_now) {
		/* Pseudonyms of different kinds have different shapes and a
		 * counter never repeats, so a new one differs from every other
		 * pseudonym; skip a candidate that is an original, though (a
		 * capture of 192.0.2.1), so no original shows as a pseudonym. */
		do {
			make_pseudo(buf, sizeof buf, k, ++r->counter[k]);
		} while ((find_any(r, buf, strlen(buf)) ||
			  (strlen(buf) == len && td_pmap_same_fold(buf, orig, len))) &&
			 r->counter[k] < UINT32_MAX - 1);
	} else {
		m = &r->local;
		snprintf(buf, sizeof buf, "%s", placeholder(k));
		if (!r->for_now)
			r->overflow++;
	}
	enum td_result res = td_pmap_add(m, orig, len, buf, in_text);
	if (res != TD_OK)
		return res;
	*out = m->v[m->n - 1].pseudo;
	return TD_OK;
}

/* orig -> an existing pseudonym (an alias: a CN for its subject's). */
static enum td_result alias(struct td_redactor *r, const char *orig, size_t len, const char *pseudo)
{
	struct td_pmap_entry *e = find_any(r, orig, len);
	if (e)
		return td_pmap_mark_text(td_pmap_find(&r->map, orig, len) ? &r->map : &r->local, e);
	if (r->map.n < TD_CAP_REDACT_VALUES && !r->for_now)
		return td_pmap_add(&r->map, orig, len, pseudo, true);
	if (!r->for_now)
		r->overflow++;
	return td_pmap_add(&r->local, orig, len, pseudo, true);
}

/* *field = a copy of s (the old string freed). */
static enum td_result replace(char **field, const char *s)
{
	char *n = strdup(s);
	if (!n)
		return TD_ERR_NOMEM;
	free(*field);
	*field = n;
	return TD_OK;
}

/* *field = a + b. */
static enum td_result replace2(char **field, const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	char *n = malloc(alen + blen + 1);
	if (!n)
		return TD_ERR_NOMEM;
	memcpy(n, a, alen);
	memcpy(n + alen, b, blen + 1);
	free(*field);
	*field = n;
	return TD_OK;
}

/* ---- addresses and names ---- */

/* AF_INET or AF_INET6 when s[0..len) is an address (bytes in a), else 0. */
static int parse_ip(const char *s, size_t len, uint8_t a[16])
{
	char buf[64];
	if (len == 0 || len >= sizeof buf)
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, buf, a) == 1)
		return AF_INET6;
	return 0;
}

/* The pseudonym of an address in text form; the text as written is an
 * alias of its canonical form ("::0001" and "::1" are one address). */
static enum td_result ip_text(struct td_redactor *r, const char *s, size_t len, int af,
			      const uint8_t a[16], const char **out)
{
	char canon[64];
	if (!inet_ntop(af, a, canon, sizeof canon))
		return pseudonym(r, K_OTHER, s, len, true, out);
	enum td_result res = pseudonym(r, af == AF_INET ? K_IP4 : K_IP6, canon, strlen(canon),
				       true, out);
	if (res == TD_OK && (strlen(canon) != len || !td_pmap_same_fold(canon, s, len)))
		res = alias(r, s, len, *out);
	return res;
}

static enum td_result redact_addr(struct td_redactor *r, struct td_addr *a)
{
	int af = a->family == 4 ? AF_INET : a->family == 6 ? AF_INET6 : 0;
	char s[64];
	if (!af || !inet_ntop(af, a->b, s, sizeof s))
		return TD_OK;  /* printed as "?": nothing to hide */
	const char *p;
	enum td_result res = ip_text(r, s, strlen(s), af, a->b, &p);
	if (res != TD_OK)
		return res;
	uint8_t nb[16] = { 0 };
	if (inet_pton(af, p, nb) != 1)
		return TD_ERR_MALFORMED;  /* our own pseudonyms always parse */
	memcpy(a->b, nb, sizeof nb);
	return TD_OK;
}

/* A host name: its pseudonym, through the address's when it is one. */
static enum td_result host_pseudo(struct td_redactor *r, const char *name, size_t len,
				  const char **out)
{
	uint8_t a[16];
	int af = parse_ip(name, len, a);
	if (af)
		return ip_text(r, name, len, af, a, out);
	return pseudonym(r, K_HOST, name, len, true, out);
}

/* *field (a host name) -> its pseudonym; "*.x" -> "*." + x's. */
static enum td_result redact_host_field(struct td_redactor *r, char **field)
{
	const char *s = *field, *p;
	if (!s || !*s)
		return TD_OK;
	size_t skip = strncmp(s, "*.", 2) == 0 && s[2] ? 2 : 0;
	enum td_result res = host_pseudo(r, s + skip, strlen(s + skip), &p);
	if (res != TD_OK)
		return res;
	return replace2(field, s, skip, p);
}

static bool is_plain_word(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

/* A DNS name: a dot, and only letters, digits, '-', '_', '.', '*'. */
static bool is_host_like(const char *s, size_t len)
{
	bool dot = false;
	if (len == 0 || s[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.')
			dot = true;
		else if (!td_pmap_glue(c) && c != '*')
			return false;
	}
	return dot;
}

/*
 * The identifying values inside a DN of a redacted certificate: a CN or
 * UID that is a host name becomes that host's pseudonym in free text; any
 * other that is more than a plain word becomes "subject-N" (the DN's own
 * number); an emailAddress, an email pseudonym.
 */
static enum td_result dn_values(struct td_redactor *r, const char *dn, const char *dn_pseudo)
{
	const char *word = strncmp(dn_pseudo, "CN=", 3) == 0 ? dn_pseudo + 3 : dn_pseudo;
	size_t i = 0, n = strlen(dn);
	while (i < n) {
		size_t start = i;
		while (i < n && dn[i] != ',' && dn[i] != '+') {
			if (dn[i] == '\\' && i + 1 < n)
				i++;
			i++;
		}
		const char *attr = dn + start;
		size_t alen = i - start;
		i++;  /* the separator */
		const char *eq = memchr(attr, '=', alen);
		if (!eq)
			continue;
		size_t tlen = (size_t)(eq - attr), vlen = alen - tlen - 1;
		const char *val = eq + 1, *p;
		if (vlen == 0)
			continue;
		bool cn = (tlen == 2 && td_pmap_same_fold("cn", attr, 2)) ||
			  (tlen == 3 && td_pmap_same_fold("uid", attr, 3));
		bool mail = (tlen == 12 && td_pmap_same_fold("emailaddress", attr, 12)) ||
			    (tlen == 1 && td_pmap_same_fold("e", attr, 1));
		enum td_result res = TD_OK;
		uint8_t a[16];
		if ((cn || mail) && parse_ip(val, vlen, a))
			res = ip_text(r, val, vlen, parse_ip(val, vlen, a), a, &p);
		else if (mail)
			res = pseudonym(r, K_EMAIL, val, vlen, true, &p);
		else if (cn && is_host_like(val, vlen))
			res = host_pseudo(r, val + (vlen > 2 && val[0] == '*' && val[1] == '.' ? 2 : 0),
					  vlen - (vlen > 2 && val[0] == '*' && val[1] == '.' ? 2 : 0), &p);
		else if (cn && !is_plain_word(val, vlen))
			res = alias(r, val, vlen, word);
		if (res != TD_OK)
			return res;
	}
	return TD_OK;
}

/* An end-entity subject (or, with TD_REDACT_ALL, a CA name) and its values. */
static enum td_result dn_pseudo(struct td_redactor *r, enum kind k, const char *dn, const char **out)
{
	enum td_result res = pseudonym(r, k, dn, strlen(dn), true, out);
	if (res == TD_OK)
		res = dn_values(r, dn, *out);
	return res;
}

/* A DN field: the pseudonym it has, a new CA one with register_ca, or kept. */
static enum td_result redact_dn_field(struct td_redactor *r, char **field, bool register_ca,
				      bool *changed)
{
	const char *p = NULL;
	if (!*field)
		return TD_OK;
	struct td_pmap_entry *e = find_any(r, *field, strlen(*field));
	if (e)
		p = e->pseudo;
	else if (register_ca) {
		enum td_result res = dn_pseudo(r, K_CA, *field, &p);
		if (res != TD_OK)
			return res;
	}
	if (!p)
		return TD_OK;
	if (changed)
		*changed = true;
	return replace(field, p);
}

/* "DNS:x", "IP:x", "email:x", "URI:x", or anything else. */
static enum td_result redact_san(struct td_redactor *r, char **field)
{
	const char *s = *field, *p;
	const char *colon = strchr(s, ':');
	size_t plen = colon ? (size_t)(colon - s) + 1 : 0;
	const char *v = s + plen;
	size_t vlen = strlen(v);
	enum td_result res;
	uint8_t a[16];
	if (vlen == 0)
		return TD_OK;
	if (plen == 4 && strncmp(s, "DNS:", 4) == 0) {
		size_t skip = vlen > 2 && v[0] == '*' && v[1] == '.' ? 2 : 0;
		res = host_pseudo(r, v + skip, vlen - skip, &p);
		if (res != TD_OK)
			return res;
		char pre[8];
		snprintf(pre, sizeof pre, "DNS:%s", skip ? "*." : "");
		return replace2(field, pre, strlen(pre), p);
	}
	if (plen == 3 && strncmp(s, "IP:", 3) == 0 && parse_ip(v, vlen, a))
		res = ip_text(r, v, vlen, parse_ip(v, vlen, a), a, &p);
	else if (plen == 6 && strncmp(s, "email:", 6) == 0)
		res = pseudonym(r, K_EMAIL, v, vlen, true, &p);
	else if (plen == 4 && strncmp(s, "URI:", 4) == 0)
		res = pseudonym(r, K_URI, v, vlen, true, &p);
	else
		res = pseudonym(r, K_OTHER, v, vlen, true, &p);
	if (res != TD_OK)
		return res;
	return replace2(field, s, plen, p);
}

/* serial and sha256 identify a certificate in public logs. */
static enum td_result redact_ids(struct td_redactor *r, struct td_cert *cert)
{
	const char *p;
	enum td_result res;
	if (cert->serial && cert->serial[0]) {
		/* "01:02" would replace every "01" in the text: only from 3 bytes. */
		size_t len = strlen(cert->serial);
		res = pseudonym(r, K_SERIAL, cert->serial, len, len >= 8, &p);
		if (res == TD_OK)
			res = replace(&cert->serial, p);
		if (res != TD_OK)
			return res;
	}
	if (cert->sha256[0]) {
		res = pseudonym(r, K_DIGEST, cert->sha256, strlen(cert->sha256), true, &p);
		if (res != TD_OK)
			return res;
		snprintf(cert->sha256, sizeof cert->sha256, "%s", p);
	}
	return TD_OK;
}

static bool end_entity(const struct td_cert *cert, size_t index)
{
	return index == 0 || !cert->is_ca;
}

/* Every end-entity subject first, so that a self-signed leaf's issuer,
 * or the same DN as a CA name, is found by the second pass. */
static enum td_result register_subjects(struct td_redactor *r, const struct td_chain *ch)
{
	for (size_t i = 0; i < ch->n; i++) {
		const struct td_cert *cert = ch->certs[i];
		const char *p;
		if (!end_entity(cert, i) || !cert->subject)
			continue;
		enum td_result res = dn_pseudo(r, K_SUBJECT, cert->subject, &p);
		if (res != TD_OK)
			return res;
	}
	return TD_OK;
}

/*
 * What becomes of a CA's name, serial and digest (redact.h): kept with
 * --redact=names, hidden with =all; at the default level hidden unless
 * the diagnoser judged the CA public (`pub`).  A connection not judged
 * yet (the live view's updates come before the diagnosis) hides them
 * FOR_NOW: with placeholders that are not remembered, so that a public
 * CA keeps its name once its connection is judged.
 */
enum ca_fate { CA_KEEP, CA_HIDE, CA_HIDE_FOR_NOW };

static enum ca_fate ca_fate(const struct td_redactor *r, const struct td_conn *c, bool pub)
{
	switch (r->level) {
	case TD_REDACT_NAMES:
		return CA_KEEP;
	case TD_REDACT_PRIVATE:
		if (!c->public_cas_judged)
			return CA_HIDE_FOR_NOW;
		return pub ? CA_KEEP : CA_HIDE;
	case TD_REDACT_ALL:
		break;
	}
	return CA_HIDE;
}

/* A CA's DN field under its fate: the pseudonym it already has (any fate),
 * else a new one unless kept. */
static enum td_result redact_ca_field(struct td_redactor *r, char **field, enum ca_fate fate,
				      bool *changed)
{
	r->for_now = fate == CA_HIDE_FOR_NOW;
	enum td_result res = redact_dn_field(r, field, fate != CA_KEEP, changed);
	r->for_now = false;
	return res;
}

/*
 * Each certificate of the chain becomes a new one (td_cert_derive) with
 * its own copies of what is rewritten here and by the free-text pass,
 * and no DER (it holds all of it); the original, shared with the
 * connection that was cloned, is let go unchanged.  The new ones are
 * this connection's alone until td_redact_conn returns.
 */
static enum td_result redact_chain(struct td_redactor *r, const struct td_conn *c,
				   struct td_chain *ch)
{
	for (size_t i = 0; i < ch->n; i++) {
		struct td_cert *cert = td_cert_derive(ch->certs[i]);
		if (!cert)
			return TD_ERR_NOMEM;
		td_cert_unref(ch->certs[i]);
		ch->certs[i] = cert;
		bool ee = end_entity(cert, i);
		enum ca_fate fate = ee ? CA_HIDE : ca_fate(r, c, ch->public_ca[i]);
		bool hit = fate != CA_KEEP;
		/* An end-entity subject is in the map already (register_subjects). */
		enum td_result res = redact_ca_field(r, &cert->subject, fate, &hit);
		if (res == TD_OK)
			res = redact_ca_field(r, &cert->issuer, ca_fate(r, c, ch->public_issuer[i]),
					      NULL);
		for (size_t k = 0; res == TD_OK && hit && k < cert->san.n; k++)
			res = redact_san(r, &cert->san.v[k]);
		if (res == TD_OK && hit) {
			r->for_now = fate == CA_HIDE_FOR_NOW;
			res = redact_ids(r, cert);
			r->for_now = false;
		}
		if (res != TD_OK)
			return res;
	}
	return TD_OK;
}

/* The Host header of cleartext HTTP ("...\x0d\x0aHost: name:port\x0d\x0a..."
 * once sanitized): a name the client asked for, like an SNI. */
static enum td_result cleartext_hosts(struct td_redactor *r, const char *s)
{
	static const char nl[] = "\\x0a";
	size_t n = s ? strlen(s) : 0;
	for (size_t i = 0; i + 5 <= n; i++) {
		if (!td_pmap_same_fold("host:", s + i, 5))
			continue;
		if (i != 0 && !(i >= 4 && memcmp(s + i - 4, nl, 4) == 0))
			continue;
		size_t j = i + 5;
		while (j < n && s[j] == ' ')
			j++;
		size_t start = j;
		if (j < n && s[j] == '[') {
			start = ++j;
			while (j < n && s[j] != ']' && s[j] != '\\')
				j++;
		} else {
			while (j < n && s[j] != ':' && s[j] != '\\' && s[j] != ' ')
				j++;
		}
		const char *p;
		if (j > start) {
			enum td_result res = host_pseudo(r, s + start, j - start, &p);
			if (res != TD_OK)
				return res;
		}
	}
	return TD_OK;
}

static bool addr_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
	       c == '.' || c == ':';
}

/* Addresses written in the cleartext bytes (an X-Forwarded-For header, a
 * URL): every word that parses as an IPv4 or IPv6 address is learnt, so
 * that the free-text pass replaces it there and wherever it is quoted.
 * Only the cleartext: the one free text that is not tlsdiag's own words
 * (elsewhere "36:8f:d6:93:14:98:7c:3f", a serial, would parse as IPv6). */
static enum td_result cleartext_addrs(struct td_redactor *r, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	for (size_t i = 0; i < n;) {
		if (!addr_char(s[i]) || (i > 0 && td_pmap_glue(s[i - 1]))) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && addr_char(s[j]))
			j++;
		size_t end = j;
		while (end > i && s[end - 1] == '.')  /* "... from 10.0.0.1." */
			end--;
		uint8_t a[16];
		int af = j < n && td_pmap_glue(s[j]) ? 0 : parse_ip(s + i, end - i, a);
		if (af) {
			const char *p;
			enum td_result res = ip_text(r, s + i, end - i, af, a, &p);
			if (res != TD_OK)
				return res;
		}
		i = j;
	}
	return TD_OK;
}

/* ---- free text ---- */

static enum td_result text_field(const struct td_redactor *r, char **field)
{
	if (!*field)
		return TD_OK;
	char *n = td_redact_text(r, *field);
	if (!n)
		return TD_ERR_NOMEM;
	free(*field);
	*field = n;
	return TD_OK;
}

static enum td_result text_list(const struct td_redactor *r, struct td_strlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		enum td_result res = text_field(r, &l->v[i]);
		if (res != TD_OK)
			return res;
	}
	return TD_OK;
}

/* An anomaly's words are its template's; only its strings are free text. */
static enum td_result text_anomalies(const struct td_redactor *r, struct td_anomalies *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (int k = 0; k < 2; k++) {
			enum td_result res = text_field(r, &l->v[i].str[k]);
			if (res != TD_OK)
				return res;
		}
	}
	return TD_OK;
}

/* The parse errors, and the names kept (CA names): a CA's DN may repeat
 * a value of the leaf's ("emailAddress=postmaster@..."), which must not
 * survive there either.  Pseudonyms pass through unchanged.  The
 * certificates are redact_chain's new ones: these fields are their own. */
static enum td_result text_chain(const struct td_redactor *r, struct td_chain *ch)
{
	for (size_t i = 0; i < ch->n; i++) {
		struct td_cert *cert = ch->certs[i];
		enum td_result res = text_field(r, &cert->error);
		if (res == TD_OK)
			res = text_field(r, &cert->subject);
		if (res == TD_OK)
			res = text_field(r, &cert->issuer);
		if (res != TD_OK)
			return res;
	}
	return TD_OK;
}

static char *stls_text(const void *ctx, const char *s) { return td_redact_text(ctx, s); }

static enum td_result redact_free_text(const struct td_redactor *r, struct td_conn *c)
{
	enum td_result res = TD_OK;
	for (size_t i = 0; res == TD_OK && i < c->n_events; i++)
		res = text_field(r, &c->events[i].detail);
	if (res == TD_OK)
		res = text_anomalies(r, &c->anomalies);
	for (size_t d = 0; res == TD_OK && d < 2; d++)
		res = text_field(r, &c->cleartext[d]);
	if (res == TD_OK)
		res = td_redact_starttls_text(c, stls_text, r);
	if (res == TD_OK)
		res = text_chain(r, &c->server_chain);
	if (res == TD_OK)
		res = text_chain(r, &c->client_chain);
	if (res == TD_OK)
		res = text_list(r, &c->cr.ca_names);
	for (size_t i = 0; res == TD_OK && i < c->n_diags; i++) {
		struct td_diagnosis *d = &c->diags[i];
		res = text_field(r, &d->summary);
		if (res == TD_OK)
			res = text_field(r, &d->fix);
		if (res == TD_OK)
			res = text_list(r, &d->evidence);
	}
	return res;
}

char *td_redact_text(const struct td_redactor *r, const char *s)
{
	return td_pmap_substitute(&r->map, &r->local, s);
}

/* ---- a connection ---- */

/* A QUIC connection ID (or token, redact_quic.h): its hex -> a pseudonym
 * in hex, written back as bytes. */
static enum td_result quic_bytes(void *ctx, uint8_t *b, uint8_t *len, size_t cap)
{
	char hex[2 * UINT8_MAX + 1];
	const char *p;
	if (*len == 0)
		return TD_OK;  /* an empty CID hides nothing */
	td_rq_hex(b, *len, hex);
	enum td_result res = pseudonym(ctx, K_CID, hex, strlen(hex), true, &p);
	if (res == TD_OK)
		*len = (uint8_t)td_rq_unhex(p, b, cap);
	return res;
}

static enum td_result quic_text(void *ctx, char *s, size_t cap)
{
	const char *p;
	if (!*s)
		return TD_OK;
	enum td_result res = pseudonym(ctx, K_REASON, s, strlen(s), true, &p);
	if (res == TD_OK)
		snprintf(s, cap, "%s", p);
	return res;
}

/* STARTTLS (redact_stls.h): a host name learnt; a text substituted. */
static enum td_result stls_host(void *ctx, const char *name, size_t len)
{
	const char *p;
	return host_pseudo(ctx, name, len, &p);
}

static enum td_result redact_structured(struct td_redactor *r, struct td_conn *c)
{
	enum td_result res = redact_addr(r, &c->client_addr);
	if (res == TD_OK)
		res = redact_addr(r, &c->server_addr);
	if (res == TD_OK)
		res = redact_host_field(r, &c->ch.sni);
	if (res == TD_OK)
		res = td_redact_quic(c, quic_bytes, quic_text, r);
	if (res == TD_OK)
		res = td_redact_starttls(c, stls_host, r);
	for (size_t d = 0; res == TD_OK && d < 2; d++)
		res = cleartext_hosts(r, c->cleartext[d]);
	for (size_t d = 0; res == TD_OK && d < 2; d++)
		res = cleartext_addrs(r, c->cleartext[d]);
	if (res == TD_OK)
		res = register_subjects(r, &c->server_chain);
	if (res == TD_OK)
		res = register_subjects(r, &c->client_chain);
	if (res == TD_OK)
		res = redact_chain(r, c, &c->server_chain);
	if (res == TD_OK)
		res = redact_chain(r, c, &c->client_chain);
	for (size_t i = 0; res == TD_OK && i < c->cr.ca_names.n; i++)
		res = redact_ca_field(r, &c->cr.ca_names.v[i],
				      ca_fate(r, c, td_cr_ca_public(&c->cr, i)), NULL);
	return res;
}

enum td_result td_redact_conn(struct td_redactor *r, struct td_conn *c)
{
	/* Every structured value first, so that the free text of this very
	 * connection knows all of them. */
	enum td_result res = redact_structured(r, c);
	if (res == TD_OK)
		res = td_redact_cleartext(c);
	if (res == TD_OK)
		res = td_redact_app(c);
	if (res == TD_OK)
		res = redact_free_text(r, c);
	td_pmap_cleanup(&r->local);
	return res;
}
