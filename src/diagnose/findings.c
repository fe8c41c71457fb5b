/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * findings.c - what the rules share: writing a finding, and reading the
 * connection (names, positions, who rejected what).  See rules.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hostname.h"
#include "packet.h"
#include "rules.h"
#include "tls_names.h"


void finding_evidence(struct finding *f, const char *fmt, ...)
{
	if (f->n_evidence >= FINDING_EVIDENCE)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->evidence[f->n_evidence++], FINDING_TEXT, fmt, ap);
	va_end(ap);
}

void finding_event(struct finding *f, size_t idx)
{
	if (f->n_events < TD_DIAG_EVENTS)
		f->events[f->n_events++] = idx;
}

void finding_set(struct finding *f, enum td_severity sev, enum td_stage stage,
		enum td_party who, const char *summary_fmt, ...)
{
	f->severity = sev;
	f->stage = stage;
	f->gave_up = who;
	va_list ap;
	va_start(ap, summary_fmt);
	vsnprintf(f->summary, sizeof f->summary, summary_fmt, ap);
	va_end(ap);
}

void finding_fix(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->fix, sizeof f->fix, fmt, ap);
	va_end(ap);
}

/* An IANA name in one of 8 rotating buffers, so a printf may use several;
 * per thread, since --workers diagnose in several at once. */
const char *dx_name(enum td_tls_registry reg, uint16_t v)
{
	static _Thread_local char bufs[8][48];
	static _Thread_local unsigned next;
	char *b = bufs[next++ % 8];
	return td_tls_name(reg, v, b, sizeof bufs[0]);
}


enum td_party dx_party(enum td_dir d)
{
	return d == TD_DIR_C2S ? TD_PARTY_CLIENT : TD_PARTY_SERVER;
}

/* The versions the client offered, highest first as sent, in out. */
void dx_offered_versions(const struct td_conn *c, char *out, size_t len, uint16_t *max)
{
	if (out && len)
		out[0] = '\0';
	else
		out = NULL;  /* only the highest is wanted */
	*max = 0;
	const struct td_u16list *v = &c->ch.versions;
	size_t o = 0;
	bool any = false;
	for (size_t i = 0; i < v->n; i++) {
		if (td_tls_is_grease(v->v[i]))
			continue;
		any = true;
		if (v->v[i] > *max && !td_tls_version_is_13(*max))
			*max = v->v[i];
		if (td_tls_version_is_13(v->v[i]))
			*max = v->v[i];
		if (!out)
			continue;
		int k = snprintf(out + o, len - o, "%s%s", o ? ", " : "", dx_name(TD_REG_VERSION, v->v[i]));
		if (k < 0 || (size_t)k >= len - o) {
			out = NULL;  /* full: the highest is still worked out */
			continue;
		}
		o += (size_t)k;
	}
	if (!any) {
		*max = c->ch.legacy_version;
		if (out)
			snprintf(out, len, "up to %s", dx_name(TD_REG_VERSION, c->ch.legacy_version));
	}
}

/* Index of the last handshake message of `type` sent in direction d, or
 * SIZE_MAX. */
size_t dx_last_message(const struct td_conn *c, enum td_dir d, uint8_t type)
{
	size_t found = SIZE_MAX;
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].kind == TD_EV_HANDSHAKE && c->events[i].dir == d &&
		    (c->events[i].hs_type == type ||
		     (type == TD_HS_CERTIFICATE && td_tls_is_certificate_msg(c->events[i].hs_type))))
			found = i;
	return found;
}

/* The alert that ended things: its description, sender and index. */
bool dx_fatal_alert(const struct dx *x, uint8_t desc)
{
	return x->fatal && x->fatal->alert_desc == desc;
}

/* The root of a visible chain: its last certificate when that one is
 * self-signed.  The issuer a non-self-signed last certificate names may
 * be an intermediate the server did not send (issue 15: an incomplete
 * chain had its intermediate called a root): it is no root until seen
 * signing itself, see dx_chain_end(). */
const char *dx_chain_root(const struct td_chain *ch)
{
	if (ch->n == 0)
		return NULL;
	const struct td_cert *last = ch->certs[ch->n - 1];
	if (!last->parsed || !last->self_signed)
		return NULL;
	return last->subject;
}

/* The CA a visible chain stops at without a root: the issuer named by a
 * last certificate that is not self-signed (root or intermediate: not
 * sent, so unknown), NULL when the chain ends in a root. */
const char *dx_chain_end(const struct td_chain *ch)
{
	if (ch->n == 0)
		return NULL;
	const struct td_cert *last = ch->certs[ch->n - 1];
	if (!last->parsed || last->self_signed)
		return NULL;
	return last->issuer;
}

/* Is name among the acceptable CAs? */
bool dx_ca_listed(const struct td_conn *c, const char *name)
{
	if (!name)
		return false;
	for (size_t i = 0; i < c->cr.ca_names.n; i++)
		if (strcmp(c->cr.ca_names.v[i], name) == 0)
			return true;
	return false;
}

void dx_acceptable_list(const struct td_conn *c, char *out, size_t len)
{
	out[0] = '\0';
	size_t o = 0;
	for (size_t i = 0; i < c->cr.ca_names.n && i < 4; i++) {
		int k = snprintf(out + o, len - o, "%s'%s'", i ? ", " : "", c->cr.ca_names.v[i]);
		if (k < 0 || (size_t)k >= len - o)
			break;
		o += (size_t)k;
	}
	if (c->cr.ca_names.n > 4 && o < len)
		snprintf(out + o, len - o, " and %zu more", c->cr.ca_names.n - 4);
}

/* The name the client asked for: its SNI, or the server's address when
 * it sent none (it most likely connected by address). */
const char *dx_asked_name(const struct td_conn *c, char *buf, size_t len, bool *by_ip)
{
	*by_ip = c->ch.sni == NULL;
	if (c->ch.sni)
		return c->ch.sni;
	td_addr_format(buf, len, &c->server_addr, 0);
	/* td_addr_format appends ":port": cut it (and IPv6 brackets). */
	char *colon = strrchr(buf, ':');
	if (colon)
		*colon = '\0';
	if (buf[0] == '[') {
		size_t n = strlen(buf);
		memmove(buf, buf + 1, n);
		if (n >= 2 && buf[n - 2] == ']')
			buf[n - 2] = '\0';
	}
	return buf;
}

void dx_san_list(const struct td_cert *cert, char *out, size_t len)
{
	out[0] = '\0';
	size_t o = 0;
	for (size_t i = 0; i < cert->san.n && i < 6; i++) {
		int k = snprintf(out + o, len - o, "%s%s", i ? ", " : "", cert->san.v[i]);
		if (k < 0 || (size_t)k >= len - o)
			break;
		o += (size_t)k;
	}
	if (o == 0)
		snprintf(out, len, "no subjectAltName");
}

/* Where the handshake was when event idx happened, from what came before. */
enum td_stage dx_stage_at(const struct td_conn *c, size_t idx)
{
	bool sh = false, server_flight = false, client_flight = false;
	for (size_t i = 0; i < idx && i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_HANDSHAKE && e->hs_type == TD_HS_SERVER_HELLO)
			sh = true;
		else if (e->dir == TD_DIR_S2C && sh &&
			 ((e->kind == TD_EV_HANDSHAKE && td_tls_is_certificate_msg(e->hs_type)) ||
			  e->kind == TD_EV_ENCRYPTED))
			server_flight = true;
		else if (e->dir == TD_DIR_C2S && server_flight &&
			 (e->kind == TD_EV_HANDSHAKE || e->kind == TD_EV_ENCRYPTED))
			client_flight = true;
	}
	if (!sh)
		return TD_STAGE_CLIENT_HELLO;
	if (!server_flight)
		return TD_STAGE_SERVER_HELLO;
	if (!client_flight)
		return TD_STAGE_SERVER_CERTIFICATE;
	return c->handshake_done ? TD_STAGE_AFTER_HANDSHAKE : TD_STAGE_FINISHED;
}

bool dx_has_event(const struct td_conn *c, enum td_event_kind k, enum td_dir d, size_t *idx)
{
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].kind == k && c->events[i].dir == d) {
			if (idx)
				*idx = i;
			return true;
		}
	return false;
}

/* Nothing at all came from the server: no record, no cleartext, no close. */
bool dx_server_sent_nothing(const struct td_conn *c)
{
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].dir == TD_DIR_S2C && c->events[i].kind != TD_EV_TCP_GAP)
			return false;
	return c->cleartext[TD_DIR_S2C] == NULL;
}

void dx_endpoint(const struct td_conn *c, char *buf, size_t len)
{
	td_addr_format(buf, len, &c->server_addr, c->server_port);
}

/* The alerts that say "something is wrong with your certificate"
 * without saying what: Go and Chromium send bad_certificate or
 * certificate_unknown for every certificate problem, OpenSSL
 * bad_certificate for a key or digest below its security level, some
 * stacks decode_error for a certificate they cannot use. */
bool dx_generic_cert_alert(uint8_t desc)
{
	return desc == TD_ALERT_BAD_CERTIFICATE || desc == TD_ALERT_CERTIFICATE_UNKNOWN ||
	       desc == TD_ALERT_UNSUPPORTED_CERTIFICATE || desc == TD_ALERT_DECODE_ERROR;
}

/* Did the client reject the server's certificate with an alert?  A
 * decode_error counts only when the server's chain was seen (it is the
 * client failing to read some message otherwise). */
bool dx_client_rejected_server_cert(const struct dx *x)
{
	if (!x->fatal || x->fatal_from != TD_PARTY_CLIENT || !x->c->sh.present)
		return false;
	switch (x->fatal->alert_desc) {
	case TD_ALERT_UNKNOWN_CA: case TD_ALERT_BAD_CERTIFICATE: case TD_ALERT_CERTIFICATE_UNKNOWN:
	case TD_ALERT_UNSUPPORTED_CERTIFICATE: case TD_ALERT_CERTIFICATE_EXPIRED:
	case TD_ALERT_CERTIFICATE_REVOKED:
		return true;
	case TD_ALERT_DECODE_ERROR:
		return x->c->server_chain.n > 0 && dx_stage_at(x->c, x->fatal_idx) ==
						     TD_STAGE_SERVER_CERTIFICATE;
	default:
		return false;
	}
}

/* Same, for the reasons that may be about trust (not usage, dates or a
 * message the client could not read). */
bool dx_client_distrusted_server(const struct dx *x)
{
	return dx_client_rejected_server_cert(x) &&
	       x->fatal->alert_desc != TD_ALERT_UNSUPPORTED_CERTIFICATE &&
	       x->fatal->alert_desc != TD_ALERT_CERTIFICATE_EXPIRED &&
	       x->fatal->alert_desc != TD_ALERT_CERTIFICATE_REVOKED &&
	       x->fatal->alert_desc != TD_ALERT_DECODE_ERROR;
}

/* Did the peer that checks this chain reject it with an alert? */
bool dx_peer_rejected_chain(const struct dx *x, bool server_chain)
{
	if (server_chain)
		return dx_client_rejected_server_cert(x);
	if (!x->fatal || x->fatal_from != TD_PARTY_SERVER || x->c->client_chain.n == 0)
		return false;
	switch (x->fatal->alert_desc) {
	case TD_ALERT_UNKNOWN_CA: case TD_ALERT_BAD_CERTIFICATE: case TD_ALERT_CERTIFICATE_UNKNOWN:
	case TD_ALERT_UNSUPPORTED_CERTIFICATE: case TD_ALERT_ACCESS_DENIED:
	case TD_ALERT_DECODE_ERROR:
		return true;
	default:
		return false;
	}
}

/* ---- judging a visible certificate as its peer does ---------------------- */

/* Below the minimums current peers enforce (OpenSSL's default security
 * level 2, Go, browsers): RSA and DSA under 2048 bits, EC under 256. */
bool dx_key_too_small(const struct td_cert *k, unsigned *min_bits)
{
	unsigned min = 0;
	if (!k->parsed || !k->key_type || k->key_bits == 0)
		return false;
	if (strcmp(k->key_type, "RSA") == 0 || strcmp(k->key_type, "RSASSA-PSS") == 0 ||
	    strcmp(k->key_type, "DSA") == 0)
		min = 2048;
	else if (strcmp(k->key_type, "EC") == 0)
		min = 256;
	if (min_bits)
		*min_bits = min;
	return min && k->key_bits < min;
}

/* Signed with a digest current peers refuse (MD5, SHA-1).  A self-signed
 * root's own signature is never checked, so it does not count. */
bool dx_sig_too_weak(const struct td_cert *k)
{
	if (!k->parsed || k->self_signed || !k->sig_alg)
		return false;
	/* "sha1", "md5" or "md2" in either case ("sha1WithRSAEncryption",
	 * "ecdsa-with-SHA1"): one pass, every rule asks of every certificate. */
	for (const char *p = k->sig_alg; *p; p++) {
		char a = (char)(*p | 0x20);
		if (a == 's' && (p[1] | 0x20) == 'h' && (p[2] | 0x20) == 'a' && p[3] == '1')
			return true;
		if (a == 'm' && (p[1] | 0x20) == 'd' && (p[2] == '5' || p[2] == '2'))
			return true;
	}
	return false;
}

/* The first certificate of ch whose key or signature peers refuse, NULL
 * when none. */
const struct td_cert *dx_refused_cert(const struct td_chain *ch)
{
	for (size_t i = 0; i < ch->n; i++)
		if (dx_key_too_small(ch->certs[i], NULL) || dx_sig_too_weak(ch->certs[i]))
			return ch->certs[i];
	return NULL;
}

/* The leaf's extended key usage or key usage forbids its role
 * (serverAuth / clientAuth; a key usage without digitalSignature,
 * keyEncipherment or keyAgreement cannot sign or agree a TLS key). */
bool dx_usage_forbids(const struct td_cert *leaf, bool server)
{
	if (!leaf || !leaf->parsed)
		return false;
	const char *need = server ? "serverAuth" : "clientAuth";
	bool eku_ok = leaf->ext_key_usage.n == 0;
	for (size_t i = 0; i < leaf->ext_key_usage.n; i++)
		if (strcmp(leaf->ext_key_usage.v[i], need) == 0 ||
		    strcmp(leaf->ext_key_usage.v[i], "anyExtendedKeyUsage") == 0)
			eku_ok = true;
	bool ku_ok = leaf->key_usage.n == 0;
	for (size_t i = 0; i < leaf->key_usage.n; i++)
		if (strcmp(leaf->key_usage.v[i], "digitalSignature") == 0 ||
		    strcmp(leaf->key_usage.v[i], "keyEncipherment") == 0 ||
		    strcmp(leaf->key_usage.v[i], "keyAgreement") == 0)
			ku_ok = true;
	return !eku_ok || !ku_ok;
}

/* The issuer of the server's leaf is neither sent nor (when the chain
 * was checked) found in the store. */
bool dx_leaf_issuer_missing(const struct dx *x)
{
	const struct td_conn *c = x->c;
	const struct td_cert *leaf = x->server_leaf;
	if (!leaf || !leaf->parsed || leaf->self_signed || !leaf->issuer)
		return false;
	for (size_t i = 1; i < c->server_chain.n; i++)
		if (c->server_chain.certs[i]->subject &&
		    strcmp(c->server_chain.certs[i]->subject, leaf->issuer) == 0)
			return false;  /* sent */
	return !x->server_check || x->server_check->verdict == TD_CHAIN_MISSING_ISSUER;
}

/* What tlsdiag's own checks find wrong with a visible chain, in the order
 * peers check: dates, a missing intermediate (server), usage, key and
 * signature strength, the name (server: the SNI against the leaf, or no
 * subjectAltName at all).  Without SNI the name cannot be checked and is
 * no fault.  Trust is not here: the system store is not the peer's. */
enum dx_fault dx_chain_fault(const struct dx *x, bool server)
{
	const struct td_chain *ch = server ? &x->c->server_chain : &x->c->client_chain;
	const struct td_cert *leaf = server ? x->server_leaf : x->client_leaf;
	if (ch->n == 0 || !leaf)
		return DX_FAULT_NONE;
	for (size_t i = 0; i < ch->n; i++) {
		const struct td_cert *k = ch->certs[i];
		if (k->parsed && (x->at > k->not_after || x->at < k->not_before))
			return DX_FAULT_DATES;
	}
	if (server && dx_leaf_issuer_missing(x))
		return DX_FAULT_INCOMPLETE;
	if (dx_usage_forbids(leaf, server))
		return DX_FAULT_USAGE;
	if (dx_refused_cert(ch))
		return DX_FAULT_STRENGTH;
	if (server && leaf->parsed) {
		if (leaf->san.n == 0)
			return DX_FAULT_NAME;
		if (x->c->ch.sni && td_hostname_match(leaf, x->c->ch.sni) == TD_NAME_MISMATCH)
			return DX_FAULT_NAME;
	}
	return DX_FAULT_NONE;
}

