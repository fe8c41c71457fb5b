/*
 * rules.c - the diagnosis rules, one small function each, and their
 * table (see rules.h).
 *
 * Each rule reads the connection (and the facts struct dx precomputed)
 * and, when it applies, writes one finding: a stable code, a severity,
 * the stage, who gave up, a one-sentence summary, evidence pointing at
 * timeline entries, and a concrete fix.  Rules never print and never
 * change the connection.  The seed's troubleshooting table is rows
 * PROTOCOL_VERSION_MISMATCH .. CLIENT_CERT_UNTRUSTED.
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

/* Alert descriptions the rules look for (RFC 8446 6.2, RFC 5246 7.2.2). */
enum {
	A_CLOSE_NOTIFY = 0,
	A_HANDSHAKE_FAILURE = 40,
	A_BAD_CERTIFICATE = 42,
	A_UNSUPPORTED_CERTIFICATE = 43,
	A_CERTIFICATE_REVOKED = 44,
	A_CERTIFICATE_EXPIRED = 45,
	A_CERTIFICATE_UNKNOWN = 46,
	A_UNKNOWN_CA = 48,
	A_ACCESS_DENIED = 49,
	A_DECRYPT_ERROR = 51,
	A_PROTOCOL_VERSION = 70,
	A_INSUFFICIENT_SECURITY = 71,
	A_CERTIFICATE_REQUIRED = 116,
	A_NO_APPLICATION_PROTOCOL = 120
};

#define EXPIRING_SOON_S (30 * 24 * 3600)

/* ---- helpers ---------------------------------------------------------- */

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

static void set(struct finding *f, enum td_severity sev, enum td_stage stage,
		enum td_party who, const char *summary_fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void set(struct finding *f, enum td_severity sev, enum td_stage stage,
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

static void fix(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fix(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->fix, sizeof f->fix, fmt, ap);
	va_end(ap);
}

/* An IANA name in one of 8 rotating buffers, so a printf may use several. */
static const char *nm(enum td_tls_registry reg, uint16_t v)
{
	static char bufs[8][48];
	static unsigned next;
	char *b = bufs[next++ % 8];
	return td_tls_name(reg, v, b, sizeof bufs[0]);
}

static const char *who(enum td_party p)
{
	return p == TD_PARTY_CLIENT ? "client" : p == TD_PARTY_SERVER ? "server" : "nobody";
}

static enum td_party from(enum td_dir d)
{
	return d == TD_DIR_C2S ? TD_PARTY_CLIENT : TD_PARTY_SERVER;
}

/* The versions the client offered, highest first as sent, in out. */
static void offered_versions(const struct td_conn *c, char *out, size_t len, uint16_t *max)
{
	out[0] = '\0';
	*max = 0;
	const struct td_u16list *v = &c->ch.versions;
	size_t o = 0;
	for (size_t i = 0; i < v->n; i++) {
		if (td_tls_is_grease(v->v[i]))
			continue;
		if (v->v[i] > *max && !td_tls_version_is_13(*max))
			*max = v->v[i];
		if (td_tls_version_is_13(v->v[i]))
			*max = v->v[i];
		int k = snprintf(out + o, len - o, "%s%s", o ? ", " : "", nm(TD_REG_VERSION, v->v[i]));
		if (k < 0 || (size_t)k >= len - o)
			break;
		o += (size_t)k;
	}
	if (o == 0) {
		*max = c->ch.legacy_version;
		snprintf(out, len, "up to %s", nm(TD_REG_VERSION, c->ch.legacy_version));
	}
}

/* Index of the last handshake message of `type` sent in direction d, or
 * SIZE_MAX. */
static size_t last_message(const struct td_conn *c, enum td_dir d, uint8_t type)
{
	size_t found = SIZE_MAX;
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].kind == TD_EV_HANDSHAKE && c->events[i].dir == d &&
		    c->events[i].hs_type == type)
			found = i;
	return found;
}

/* The alert that ended things: its description, sender and index. */
static bool fatal_alert(const struct dx *x, uint8_t desc)
{
	return x->fatal && x->fatal->alert_desc == desc;
}

/* The root of a visible chain: a self-signed last certificate, or the
 * issuer named by the last one. */
static const char *chain_root(const struct td_chain *ch)
{
	if (ch->n == 0)
		return NULL;
	const struct td_cert *last = &ch->certs[ch->n - 1];
	if (!last->parsed)
		return NULL;
	return last->self_signed ? last->subject : last->issuer;
}

/* Is name among the acceptable CAs? */
static bool ca_listed(const struct td_conn *c, const char *name)
{
	if (!name)
		return false;
	for (size_t i = 0; i < c->cr.ca_names.n; i++)
		if (strcmp(c->cr.ca_names.v[i], name) == 0)
			return true;
	return false;
}

static void acceptable_list(const struct td_conn *c, char *out, size_t len)
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
static const char *asked_name(const struct td_conn *c, char *buf, size_t len, bool *by_ip)
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

static void san_list(const struct td_cert *cert, char *out, size_t len)
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
static enum td_stage stage_at(const struct td_conn *c, size_t idx)
{
	bool sh = false, server_flight = false, client_flight = false;
	for (size_t i = 0; i < idx && i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_HANDSHAKE && e->hs_type == TD_HS_SERVER_HELLO)
			sh = true;
		else if (e->dir == TD_DIR_S2C && sh &&
			 ((e->kind == TD_EV_HANDSHAKE && e->hs_type == TD_HS_CERTIFICATE) ||
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

/* ---- before TLS: TCP, and peers that do not speak TLS ------------------- */

static bool has_event(const struct td_conn *c, enum td_event_kind k, enum td_dir d, size_t *idx)
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
static bool server_sent_nothing(const struct td_conn *c)
{
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].dir == TD_DIR_S2C && c->events[i].kind != TD_EV_TCP_GAP)
			return false;
	return c->cleartext[TD_DIR_S2C] == NULL;
}

static void endpoint(const struct td_conn *c, char *buf, size_t len)
{
	td_addr_format(buf, len, &c->server_addr, c->server_port);
}

static bool rule_refused(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	size_t syn, rst;
	/* A ClientHello means the connection was accepted (its SYN-ACK was
	 * just not captured). */
	if (c->ch.present || c->cleartext[TD_DIR_C2S] ||
	    !has_event(c, TD_EV_TCP_SYN, TD_DIR_C2S, &syn) ||
	    has_event(c, TD_EV_TCP_SYNACK, TD_DIR_S2C, NULL) ||
	    !has_event(c, TD_EV_TCP_RST, TD_DIR_S2C, &rst))
		return false;
	char ep[64];
	endpoint(c, ep, sizeof ep);
	set(f, TD_SEV_ERROR, TD_STAGE_TCP, TD_PARTY_SERVER,
	    "The connection to %s was refused: nothing accepted it.", ep);
	finding_evidence(f, "the client's SYN was answered by a RST");
	finding_event(f, syn);
	finding_event(f, rst);
	fix(f, "Start the server or point the client at the right address and port (%s refused "
	    "it); a firewall that rejects also answers this way.", ep);
	return true;
}

static bool rule_no_answer(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	size_t syn;
	if (!has_event(c, TD_EV_TCP_SYN, TD_DIR_C2S, &syn) || !server_sent_nothing(c))
		return false;
	char ep[64];
	endpoint(c, ep, sizeof ep);
	set(f, TD_SEV_ERROR, TD_STAGE_TCP, TD_PARTY_CLIENT,
	    "The client's SYN to %s was never answered; the client gave up waiting.", ep);
	finding_evidence(f, "a SYN from the client and nothing from the server in the capture");
	finding_event(f, syn);
	fix(f, "Check the route and the firewalls between the client and %s (a silent drop), and "
	    "that the capture sees the server's side.", ep);
	return true;
}

static bool rule_plaintext(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (c->ch.present || !c->cleartext[TD_DIR_C2S])
		return false;
	char ep[64];
	endpoint(c, ep, sizeof ep);
	set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_HELLO,
	    x->closer == TD_PARTY_SERVER ? TD_PARTY_SERVER : TD_PARTY_NOBODY,
	    "The client sent cleartext to %s, where the server expects TLS.", ep);
	finding_evidence(f, "the client's first bytes: \"%s\"", c->cleartext[TD_DIR_C2S]);
	if (x->fatal)
		finding_evidence(f, "the server answered with a TLS alert (%s)",
				 nm(TD_REG_ALERT, x->fatal->alert_desc));
	else if (x->close && x->closer == TD_PARTY_SERVER)
		finding_evidence(f, "the server closed the connection");
	if (x->close)
		finding_event(f, x->close_idx);
	fix(f, "Speak TLS to this port (https:// rather than http://, or the client's TLS "
	    "option), or send cleartext to the server's plain port.");
	return true;
}

static bool rule_not_tls(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->ch.present || c->sh.present || !c->cleartext[TD_DIR_S2C])
		return false;
	char ep[64];
	endpoint(c, ep, sizeof ep);
	/* The client, handed bytes that are not TLS, is the one that gives up. */
	set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_HELLO, TD_PARTY_CLIENT,
	    "The server at %s does not speak TLS: it answered the ClientHello in cleartext.", ep);
	finding_evidence(f, "the server answered: \"%s\"", c->cleartext[TD_DIR_S2C]);
	fix(f, "Connect to the server's TLS port, or talk to this one without TLS (e.g. "
	    "http:// if it answers HTTP).");
	return true;
}

static bool rule_server_silent(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	/* The server's SYN-ACK is all it sent, but for closing after the client. */
	bool silent = true, client_closed = false;
	for (size_t i = 0; i < c->n_events && silent; i++) {
		const struct td_event *e = &c->events[i];
		if (e->dir == TD_DIR_C2S) {
			client_closed = client_closed || e->kind == TD_EV_TCP_FIN ||
					e->kind == TD_EV_TCP_RST;
			continue;
		}
		silent = e->kind == TD_EV_TCP_SYNACK ||
			 (client_closed && (e->kind == TD_EV_TCP_FIN || e->kind == TD_EV_TCP_RST));
	}
	if (!c->ch.present || !silent || c->cleartext[TD_DIR_S2C])
		return false;
	char ep[64];
	endpoint(c, ep, sizeof ep);
	size_t ch = last_message(c, TD_DIR_C2S, TD_HS_CLIENT_HELLO);
	set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_HELLO,
	    x->close ? TD_PARTY_CLIENT : TD_PARTY_NOBODY,
	    "The server at %s accepted the connection but never answered the ClientHello.", ep);
	finding_evidence(f, "no byte from the server after the ClientHello%s",
			 x->close ? ", then the client gave up and closed" : " until the capture ended");
	if (ch != SIZE_MAX)
		finding_event(f, ch);
	if (x->close)
		finding_event(f, x->close_idx);
	fix(f, "Check that the server speaks TLS directly on this port (not STARTTLS or a "
	    "proxy protocol first), and that it is not stuck or overloaded.");
	return true;
}

/* ---- the seed's table ------------------------------------------------- */

/* "The client gets disconnected right after the client hello" (version). */
static bool rule_version(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!fatal_alert(x, A_PROTOCOL_VERSION))
		return false;
	char offered[160];
	uint16_t max;
	offered_versions(c, offered, sizeof offered, &max);
	set(f, TD_SEV_ERROR, c->sh.present ? TD_STAGE_SERVER_HELLO : TD_STAGE_CLIENT_HELLO,
	    x->fatal_from, "The %s refused the connection because no TLS version is common "
	    "to both sides.", who(x->fatal_from));
	finding_evidence(f, "the client offered %s", offered);
	if (c->sh.present)
		finding_evidence(f, "the server chose %s", nm(TD_REG_VERSION, c->version));
	finding_evidence(f, "the %s sent a fatal protocol_version alert", who(x->fatal_from));
	finding_event(f, x->fatal_idx);
	if (x->mem && x->mem->version)
		finding_evidence(f, "this server negotiated %s with other clients in this capture",
				 nm(TD_REG_VERSION, x->mem->version));
	if (x->mem && x->mem->version && x->mem->version > max)
		fix(f, "Enable %s on the client (it offered at most %s), or allow %s on the server.",
		    nm(TD_REG_VERSION, x->mem->version), nm(TD_REG_VERSION, max),
		    nm(TD_REG_VERSION, max));
	else
		fix(f, "Allow one of the versions the client offered (%s) on the server, or "
		    "enable on the client a version the server accepts.", offered);
	return true;
}

/* "...couldn't find a compatible cipher". */
static bool rule_cipher(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (c->sh.present || !x->fatal || x->fatal_from != TD_PARTY_SERVER ||
	    (x->fatal->alert_desc != A_HANDSHAKE_FAILURE &&
	     x->fatal->alert_desc != A_INSUFFICIENT_SECURITY))
		return false;
	set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_HELLO, TD_PARTY_SERVER,
	    "The server rejected the ClientHello (%s): it shares no cipher suite, group or "
	    "signature algorithm with the client.", nm(TD_REG_ALERT, x->fatal->alert_desc));
	char tls13[200] = "", list[300] = "";
	size_t o13 = 0, o = 0, n = 0;
	for (size_t i = 0; i < c->ch.suites.n; i++) {
		uint16_t s = c->ch.suites.v[i];
		if (td_tls_is_grease(s) || s == 0x00ff || s == 0x5600)
			continue;
		n++;
		if ((s >> 8) == 0x13 && o13 < sizeof tls13) {
			int k = snprintf(tls13 + o13, sizeof tls13 - o13, "%s%s", o13 ? ", " : "",
					 nm(TD_REG_CIPHER, s));
			if (k > 0)
				o13 += (size_t)k;
		} else if (o < 200) {
			int k = snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "",
					 nm(TD_REG_CIPHER, s));
			if (k > 0)
				o += (size_t)k;
		}
	}
	finding_evidence(f, "the client offered %zu cipher suites%s%s", n,
			 tls13[0] ? "; for TLS 1.3 only " : "", tls13);
	if (list[0])
		finding_evidence(f, "TLS 1.2 and older suites offered: %s%s", list,
				 o >= 200 ? ", ..." : "");
	if (c->ch.groups.n)
		finding_evidence(f, "groups offered: %zu (first %s)", c->ch.groups.n,
				 nm(TD_REG_GROUP, c->ch.groups.v[0]));
	finding_evidence(f, "the server answered the ClientHello with a fatal %s alert",
			 nm(TD_REG_ALERT, x->fatal->alert_desc));
	finding_event(f, x->fatal_idx);
	if (x->mem && x->mem->cipher) {
		finding_evidence(f, "this server chose %s for another client in this capture",
				 nm(TD_REG_CIPHER, x->mem->cipher));
		fix(f, "Offer a suite the server allows, such as %s (it chose it for another "
		    "client), or enable one of the client's suites on the server.",
		    nm(TD_REG_CIPHER, x->mem->cipher));
	} else if (tls13[0]) {
		fix(f, "Enable on the server one of the suites the client offered (TLS 1.3: %s), "
		    "or configure the client to offer a suite the server allows.", tls13);
	} else {
		fix(f, "Enable on the server one of the suites the client offered, or configure "
		    "the client to offer a suite the server allows.");
	}
	return true;
}

/* Expiry judged at the handshake's time, from the certificate or the alert. */
static bool cert_time(const struct dx *x, struct finding *f, bool server, bool expired)
{
	const struct td_conn *c = x->c;
	const struct td_chain *ch = server ? &c->server_chain : &c->client_chain;
	enum td_party judge = server ? TD_PARTY_CLIENT : TD_PARTY_SERVER;
	const struct td_cert *bad = NULL;
	for (size_t i = 0; i < ch->n; i++) {
		const struct td_cert *k = &ch->certs[i];
		if (!k->parsed)
			continue;
		if (expired ? x->at > k->not_after : x->at < k->not_before) {
			bad = k;
			break;
		}
	}
	bool alert = expired && fatal_alert(x, A_CERTIFICATE_EXPIRED) && x->fatal_from == judge;
	/* certificate_expired also means "not currently valid" (RFC 5246
	 * 7.2.2): with a chain that is not yet valid, that rule explains it. */
	if (alert && !bad)
		for (size_t i = 0; i < ch->n; i++)
			if (ch->certs[i].parsed && x->at < ch->certs[i].not_before)
				alert = false;
	if (!bad && !alert)
		return false;
	const char *whose = server ? "server" : "client";
	bool rejected = alert || (x->failed && x->fatal_from == judge) ||
			(x->failed && !x->fatal && x->closer == judge);
	set(f, rejected ? TD_SEV_ERROR : TD_SEV_WARNING,
	    server ? TD_STAGE_SERVER_CERTIFICATE : TD_STAGE_CLIENT_CERTIFICATE,
	    rejected ? judge : TD_PARTY_NOBODY,
	    expired ? "The %s certificate%s had expired at the time of the handshake."
		    : "The %s certificate%s was not yet valid at the time of the handshake.",
	    whose, bad && bad != &ch->certs[0] ? " chain" : "");
	if (bad) {
		char when[40];
		struct tm tm;
		time_t t = (time_t)(expired ? bad->not_after : bad->not_before);
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
		finding_evidence(f, "'%s' is valid %s %s", bad->subject ? bad->subject : "?",
				 expired ? "until" : "from", when);
	}
	if (alert) {
		finding_evidence(f, "the %s sent a fatal certificate_expired alert", who(judge));
		finding_event(f, x->fatal_idx);
	}
	if (bad && bad->subject)
		fix(f, "Renew the %s certificate '%s' and install the new one%s.", whose,
		    bad->subject, expired ? "" : " (or check the clock of the machine that issued it)");
	else
		fix(f, "Renew the %s certificate and install the new one.", whose);
	return true;
}

static bool rule_server_expired(const struct dx *x, struct finding *f)
{
	return cert_time(x, f, true, true);
}

static bool rule_server_not_yet_valid(const struct dx *x, struct finding *f)
{
	return cert_time(x, f, true, false);
}

static bool rule_client_expired(const struct dx *x, struct finding *f)
{
	return cert_time(x, f, false, true);
}

static bool rule_client_not_yet_valid(const struct dx *x, struct finding *f)
{
	return cert_time(x, f, false, false);
}

/* Did the client reject the server's certificate with an alert? */
static bool client_rejected_server_cert(const struct dx *x)
{
	if (!x->fatal || x->fatal_from != TD_PARTY_CLIENT || !x->c->sh.present)
		return false;
	switch (x->fatal->alert_desc) {
	case A_UNKNOWN_CA: case A_BAD_CERTIFICATE: case A_CERTIFICATE_UNKNOWN:
	case A_UNSUPPORTED_CERTIFICATE: case A_CERTIFICATE_EXPIRED: case A_CERTIFICATE_REVOKED:
		return true;
	default:
		return false;
	}
}

/* Same, for the reasons that are about trust (not usage or dates). */
static bool client_distrusted_server(const struct dx *x)
{
	return client_rejected_server_cert(x) &&
	       x->fatal->alert_desc != A_UNSUPPORTED_CERTIFICATE &&
	       x->fatal->alert_desc != A_CERTIFICATE_EXPIRED &&
	       x->fatal->alert_desc != A_CERTIFICATE_REVOKED;
}

/* Did the peer that checks this chain reject it with an alert? */
static bool peer_rejected_chain(const struct dx *x, bool server_chain)
{
	if (server_chain)
		return client_rejected_server_cert(x);
	if (!x->fatal || x->fatal_from != TD_PARTY_SERVER || x->c->client_chain.n == 0)
		return false;
	switch (x->fatal->alert_desc) {
	case A_UNKNOWN_CA: case A_BAD_CERTIFICATE: case A_CERTIFICATE_UNKNOWN:
	case A_UNSUPPORTED_CERTIFICATE: case A_ACCESS_DENIED:
		return true;
	default:
		return false;
	}
}

/* The leaf's issuer was not sent (and, when a store was given, is not in it). */
static bool rule_chain_incomplete(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	const struct td_cert *leaf = x->server_leaf;
	if (!leaf || !leaf->parsed || leaf->self_signed || !leaf->issuer)
		return false;
	for (size_t i = 1; i < c->server_chain.n; i++)
		if (c->server_chain.certs[i].subject &&
		    strcmp(c->server_chain.certs[i].subject, leaf->issuer) == 0)
			return false;  /* sent */
	if (x->server_check && x->server_check->verdict != TD_CHAIN_MISSING_ISSUER)
		return false;  /* the store had it */
	bool rejected = client_rejected_server_cert(x);
	set(f, rejected ? TD_SEV_ERROR : TD_SEV_WARNING, TD_STAGE_SERVER_CERTIFICATE,
	    rejected ? TD_PARTY_CLIENT : TD_PARTY_NOBODY,
	    "The server sent an incomplete chain: the issuer of its certificate, '%s', is "
	    "not in it.", leaf->issuer);
	finding_evidence(f, "the server sent %zu certificate%s, leaf '%s'", c->server_chain.n,
			 c->server_chain.n == 1 ? "" : "s", leaf->subject ? leaf->subject : "?");
	if (rejected) {
		finding_evidence(f, "the client answered with a fatal %s alert",
				 nm(TD_REG_ALERT, x->fatal->alert_desc));
		finding_event(f, x->fatal_idx);
	}
	if (x->mem && x->mem->intermediate_subject &&
	    strcmp(x->mem->intermediate_subject, leaf->issuer) == 0)
		finding_evidence(f, "another connection of this capture carried '%s'", leaf->issuer);
	fix(f, "Configure the server to send its intermediate certificate '%s' after its own "
	    "(e.g. openssl s_server -cert_chain, nginx ssl_certificate with the full chain).",
	    leaf->issuer);
	return true;
}

/* The certificate's extended key usage forbids its role. */
static bool wrong_usage(const struct dx *x, struct finding *f, bool server)
{
	const struct td_cert *leaf = server ? x->server_leaf : x->client_leaf;
	const char *need = server ? "serverAuth" : "clientAuth";
	enum td_party judge = server ? TD_PARTY_CLIENT : TD_PARTY_SERVER;
	bool alert = fatal_alert(x, A_UNSUPPORTED_CERTIFICATE) && x->fatal_from == judge;
	bool lacks = false;
	if (leaf && leaf->parsed && leaf->ext_key_usage.n > 0) {
		lacks = true;
		for (size_t i = 0; i < leaf->ext_key_usage.n; i++)
			if (strcmp(leaf->ext_key_usage.v[i], need) == 0 ||
			    strcmp(leaf->ext_key_usage.v[i], "anyExtendedKeyUsage") == 0)
				lacks = false;
	}
	if (!lacks && !alert)
		return false;
	const char *whose = server ? "server" : "client";
	set(f, alert || (x->failed && x->fatal_from == judge) ? TD_SEV_ERROR : TD_SEV_WARNING,
	    server ? TD_STAGE_SERVER_CERTIFICATE : TD_STAGE_CLIENT_CERTIFICATE,
	    alert || (x->failed && x->fatal_from == judge) ? judge : TD_PARTY_NOBODY,
	    "The %s certificate is not allowed for %s authentication (extended key usage).",
	    whose, whose);
	if (lacks) {
		char eku[200] = "";
		size_t o = 0;
		for (size_t i = 0; i < leaf->ext_key_usage.n; i++) {
			int k = snprintf(eku + o, sizeof eku - o, "%s%s", i ? ", " : "",
					 leaf->ext_key_usage.v[i]);
			if (k < 0 || (size_t)k >= sizeof eku - o)
				break;
			o += (size_t)k;
		}
		finding_evidence(f, "'%s' allows only: %s (no %s)", leaf->subject, eku, need);
	}
	if (alert) {
		finding_evidence(f, "the %s sent a fatal unsupported_certificate alert", who(judge));
		finding_event(f, x->fatal_idx);
	}
	fix(f, "Issue the %s certificate with extendedKeyUsage = %s (openssl: -addext "
	    "'extendedKeyUsage = %s').", whose, need, need);
	return true;
}

static bool rule_server_usage(const struct dx *x, struct finding *f)
{
	return wrong_usage(x, f, true);
}

static bool rule_client_usage(const struct dx *x, struct finding *f)
{
	return wrong_usage(x, f, false);
}

static bool rule_no_san(const struct dx *x, struct finding *f)
{
	const struct td_cert *leaf = x->server_leaf;
	if (!leaf || !leaf->parsed || leaf->san.n > 0)
		return false;
	/* unknown_ca is about trust, not names: SERVER_CERT_UNTRUSTED says it. */
	bool rejected = (client_rejected_server_cert(x) && x->fatal->alert_desc != A_UNKNOWN_CA) ||
			(x->failed && !x->fatal && x->closer == TD_PARTY_CLIENT &&
			 x->c->handshake_done);
	set(f, rejected ? TD_SEV_ERROR : TD_SEV_WARNING, TD_STAGE_SERVER_CERTIFICATE,
	    rejected ? TD_PARTY_CLIENT : TD_PARTY_NOBODY,
	    "The server certificate has no subjectAltName; modern clients ignore the "
	    "subject CN and reject it.");
	finding_evidence(f, "server certificate '%s' carries no subjectAltName extension",
			 leaf->subject ? leaf->subject : "?");
	if (rejected && x->fatal)
		finding_event(f, x->fatal_idx);
	fix(f, "Reissue the server certificate with the names clients use as subjectAltName "
	    "(openssl: -addext 'subjectAltName=DNS:%s').",
	    x->c->ch.sni ? x->c->ch.sni : "your.server.name");
	return true;
}

/* "...complaining about a mismatched server name". */
static bool rule_hostname(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	const struct td_cert *leaf = x->server_leaf;
	if (!leaf || !leaf->parsed)
		return false;
	char addr[64];
	bool by_ip;
	const char *name = asked_name(c, addr, sizeof addr, &by_ip);
	enum td_name_match m = td_hostname_match(leaf, name);
	if (m == TD_NAME_MATCH || m == TD_NAME_MATCH_CN)
		return false;
	bool quit_after = c->handshake_done && c->client_quit_after_handshake;
	bool alerted = client_rejected_server_cert(x);
	bool rejected = quit_after || alerted;
	/* Without SNI the name asked for is a guess (the address): say so only
	 * when the client did reject the server. */
	if (by_ip && !rejected)
		return false;
	set(f, rejected ? TD_SEV_ERROR : TD_SEV_WARNING,
	    quit_after ? TD_STAGE_AFTER_HANDSHAKE : TD_STAGE_SERVER_CERTIFICATE,
	    rejected ? TD_PARTY_CLIENT : TD_PARTY_NOBODY,
	    by_ip ? "The client connected by address (%s, no SNI) but the server certificate "
		    "does not name that address."
		  : "The server certificate does not cover the name the client asked for (%s).",
	    name);
	char sans[300];
	san_list(leaf, sans, sizeof sans);
	finding_evidence(f, "the client %s %s", by_ip ? "sent no SNI; server address" : "asked for",
			 name);
	finding_evidence(f, "the certificate '%s' names %s", leaf->subject ? leaf->subject : "?",
			 sans);
	if (quit_after) {
		finding_evidence(f, "the client closed right after the handshake without sending "
				 "any data");
		if (x->close)
			finding_event(f, x->close_idx);
	} else if (alerted) {
		finding_evidence(f, "the client sent a fatal %s alert",
				 nm(TD_REG_ALERT, x->fatal->alert_desc));
		finding_event(f, x->fatal_idx);
	}
	const char *dns = NULL;
	for (size_t i = 0; i < leaf->san.n && !dns; i++)
		if (strncmp(leaf->san.v[i], "DNS:", 4) == 0)
			dns = leaf->san.v[i] + 4;
	if (dns && by_ip)
		fix(f, "Call the server by a name its certificate holds (%s: map it to %s in "
		    "/etc/hosts or use curl --resolve), or add IP:%s to the certificate's "
		    "subjectAltName.", dns, name, name);
	else if (dns)
		fix(f, "Call the server by a name its certificate holds (%s), or reissue the "
		    "certificate with subjectAltName DNS:%s.", dns, name);
	else
		fix(f, "Reissue the server certificate with subjectAltName %s:%s.",
		    by_ip ? "IP" : "DNS", name);
	return true;
}

/* "...complaining about an unknown CA or a self-signed certificate". */
static bool rule_server_untrusted(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	bool alerted = client_distrusted_server(x);
	/* The system store speaks only when the client rejected the chain; a
	 * store the user named also raises a warning on a handshake the client
	 * accepted (its own store differs from the one given). */
	bool store_says = x->server_check && x->server_check->verdict != TD_CHAIN_OK &&
			  x->server_check->verdict != TD_CHAIN_NOT_CHECKED &&
			  (alerted || x->explicit_store);
	if (!alerted && !store_says)
		return false;
	const char *root = chain_root(&c->server_chain);
	if (store_says && x->server_check->missing_issuer[0])
		root = x->server_check->missing_issuer;
	set(f, alerted ? TD_SEV_ERROR : TD_SEV_WARNING, TD_STAGE_SERVER_CERTIFICATE,
	    alerted ? TD_PARTY_CLIENT : TD_PARTY_NOBODY,
	    alerted ? "The client does not trust the server's certificate chain."
		    : "The server's certificate chain does not validate against the given trust store.");
	if (alerted) {
		finding_evidence(f, "the client sent a fatal %s alert after the server's %s",
				 nm(TD_REG_ALERT, x->fatal->alert_desc),
				 x->hidden ? "encrypted flight" : "certificates");
		finding_event(f, x->fatal_idx);
	}
	if (store_says)
		finding_evidence(f, "validation: %s", x->server_check->reason);
	for (size_t i = 0; i < c->server_chain.n; i++) {
		const struct td_cert *k = &c->server_chain.certs[i];
		if (k->parsed && k->key_type && strcmp(k->key_type, "RSA") == 0 && k->key_bits &&
		    k->key_bits < 2048)
			finding_evidence(f, "'%s' has a %u-bit RSA key, below what most clients "
					 "accept", k->subject, k->key_bits);
	}
	for (size_t i = 0; i < c->server_chain.n && i < 4; i++) {
		const struct td_cert *k = &c->server_chain.certs[i];
		if (k->parsed)
			finding_evidence(f, "server certificate %zu: '%s' issued by '%s'", i,
					 k->subject, k->issuer);
	}
	if (root)
		fix(f, "Add the root CA '%s' to the client's trust store (e.g. curl --cacert "
		    "rootCA.crt, or the system store), or have the server use a certificate from "
		    "a CA the client trusts.", root);
	else
		fix(f, "Add the root CA of the server's chain to the client's trust store%s.",
		    x->hidden ? " (the chain is encrypted in TLS 1.3: run with a key log to see it)"
			      : "");
	return true;
}

/* "The client aborts the handshake after the server hello". */
static bool rule_client_aborted(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->cr.present || x->client_sent_cert || c->client_chain.present ||
	    client_rejected_server_cert(x))
		return false;
	bool alerted = x->fatal && x->fatal_from == TD_PARTY_CLIENT;
	bool closed = !x->fatal && x->close && x->closer == TD_PARTY_CLIENT;
	if (!alerted && !closed)
		return false;
	set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_CLIENT,
	    "The client gave up after the server asked for a client certificate, without "
	    "sending one.");
	char cas[400];
	acceptable_list(c, cas, sizeof cas);
	finding_evidence(f, "the server sent a CertificateRequest%s%s",
			 cas[0] ? " accepting " : " with no CA names", cas);
	if (alerted) {
		finding_evidence(f, "the client sent a fatal %s alert instead of its Certificate",
				 nm(TD_REG_ALERT, x->fatal->alert_desc));
		finding_event(f, x->fatal_idx);
	} else {
		finding_evidence(f, "the client closed the connection instead of sending its "
				 "Certificate");
		finding_event(f, x->close_idx);
	}
	fix(f, "Give the client a key and certificate issued by %s, and let it build that "
	    "certificate's chain (trust the CA of its own certificate too); strict clients "
	    "send nothing when no certificate matches.", cas[0] ? cas : "a CA the server trusts");
	return true;
}

/* "The server closes the connection requesting a client certificate". */
static bool rule_client_cert_missing(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->cr.present || !c->client_chain.present || c->client_chain.n > 0)
		return false;
	bool alerted = x->fatal && x->fatal_from == TD_PARTY_SERVER;
	bool closed = !x->fatal && x->failed && x->closer == TD_PARTY_SERVER;
	if (!alerted && !closed && !(x->failed && x->enc_alert &&
				     x->enc_alert->dir == TD_DIR_S2C))
		return false;
	set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_SERVER,
	    "The server requires a client certificate and the client sent none.");
	char cas[400];
	acceptable_list(c, cas, sizeof cas);
	finding_evidence(f, "the server sent a CertificateRequest%s%s",
			 cas[0] ? " accepting " : " with no CA names", cas);
	finding_evidence(f, "the client answered with an empty Certificate message");
	size_t cert_idx = last_message(c, TD_DIR_C2S, 11);
	if (cert_idx != SIZE_MAX)
		finding_event(f, cert_idx);
	if (alerted) {
		finding_evidence(f, "the server sent a fatal %s alert",
				 nm(TD_REG_ALERT, x->fatal->alert_desc));
		finding_event(f, x->fatal_idx);
	}
	fix(f, "Configure the client with a certificate and key issued by %s (curl --cert "
	    "client.crt --key client.key).", cas[0] ? cas : "a CA the server trusts");
	return true;
}

/* "The server closes the connection complaining that the CA is unknown". */
static bool rule_client_untrusted(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!x->fatal || x->fatal_from != TD_PARTY_SERVER || c->client_chain.n == 0)
		return false;
	switch (x->fatal->alert_desc) {
	case A_UNKNOWN_CA: case A_BAD_CERTIFICATE: case A_CERTIFICATE_UNKNOWN:
	case A_ACCESS_DENIED:
		break;
	default:
		return false;
	}
	const struct td_cert *leaf = x->client_leaf;
	set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_SERVER,
	    "The server rejected the client's certificate (%s).",
	    nm(TD_REG_ALERT, x->fatal->alert_desc));
	char cas[400];
	acceptable_list(c, cas, sizeof cas);
	if (leaf && leaf->parsed)
		finding_evidence(f, "the client sent '%s' issued by '%s'", leaf->subject,
				 leaf->issuer);
	if (cas[0])
		finding_evidence(f, "the server accepts client certificates from %s", cas);
	if (x->client_check && x->client_check->verdict != TD_CHAIN_NOT_CHECKED)
		finding_evidence(f, "validation against --client-ca-file: %s", x->client_check->reason);
	finding_evidence(f, "the server sent a fatal %s alert after the client's certificate",
			 nm(TD_REG_ALERT, x->fatal->alert_desc));
	finding_event(f, x->fatal_idx);
	if (leaf && leaf->parsed && cas[0] && !ca_listed(c, leaf->issuer))
		fix(f, "Use a client certificate issued by %s; this one is issued by '%s'. Or add "
		    "'%s' to the server's client CA file.", cas, leaf->issuer, leaf->issuer);
	else
		fix(f, "Use a client certificate issued by a CA the server trusts, or add its "
		    "issuing CA to the server's client CA file.");
	return true;
}

static bool rule_key_mismatch(const struct dx *x, struct finding *f)
{
	if (!fatal_alert(x, A_DECRYPT_ERROR) || x->fatal_from != TD_PARTY_SERVER ||
	    !x->c->client_cert_verify)
		return false;
	set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_SERVER,
	    "The client's signature does not verify: its private key does not belong to its "
	    "certificate.");
	finding_evidence(f, "the server sent a fatal decrypt_error alert after the client's "
			 "CertificateVerify");
	finding_event(f, x->fatal_idx);
	fix(f, "Give the client the key that matches its certificate (compare `openssl x509 "
	    "-noout -pubkey -in client.crt` with `openssl pkey -pubout -in client.key`).");
	return true;
}

static bool rule_alpn(const struct dx *x, struct finding *f)
{
	if (!fatal_alert(x, A_NO_APPLICATION_PROTOCOL))
		return false;
	const struct td_conn *c = x->c;
	set(f, TD_SEV_ERROR, stage_at(c, x->fatal_idx), x->fatal_from,
	    "No application protocol (ALPN) is common to the client and the server.");
	char list[200] = "";
	size_t o = 0;
	for (size_t i = 0; i < c->ch.alpn.n; i++) {
		int k = snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", c->ch.alpn.v[i]);
		if (k < 0 || (size_t)k >= sizeof list - o)
			break;
		o += (size_t)k;
	}
	finding_evidence(f, "the client offered ALPN %s", list[0] ? list : "(none)");
	finding_evidence(f, "the %s sent a fatal no_application_protocol alert",
			 who(x->fatal_from));
	finding_event(f, x->fatal_idx);
	fix(f, "Enable on the server one of the protocols the client offers (%s), or make the "
	    "client offer one the server speaks.", list[0] ? list : "none");
	return true;
}

/* TLS 1.3 without keys: an alert-sized protected record, then a close. */
static bool rule_encrypted_alert(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!x->enc_alert || !x->failed || x->fatal || !c->sh.present)
		return false;
	enum td_party p = from(x->enc_alert->dir);
	enum td_stage stage;
	const char *meaning;
	const char *likely_fix;
	if (p == TD_PARTY_CLIENT && c->handshake_done) {
		stage = TD_STAGE_AFTER_HANDSHAKE;
		meaning = c->ch.sni ? "the client rejected the server after the handshake (often a "
				      "name or trust check done late)"
				    : "the client rejected the server after the handshake; it sent "
				      "no SNI, so it most likely connected by address and the "
				      "certificate's names did not match";
		likely_fix = c->ch.sni ? "check the server certificate's names and chain against "
					 "what the client expects"
				       : "call the server by a name in its certificate instead of "
					 "its address";
	} else if (p == TD_PARTY_CLIENT) {
		stage = TD_STAGE_SERVER_CERTIFICATE;
		meaning = "the client rejected the server's certificate (unknown CA, name mismatch "
			  "or expiry)";
		likely_fix = "check the server chain against the client's trust store";
	} else if (c->side[TD_DIR_C2S].encrypted_records > 0 || c->finished[TD_DIR_C2S]) {
		stage = TD_STAGE_CLIENT_CERTIFICATE;
		meaning = "the server rejected the client's certificate or its absence "
			  "(certificate_required, unknown_ca or bad_certificate)";
		likely_fix = "check that the client sends a certificate issued by a CA the "
			     "server accepts";
	} else {
		stage = TD_STAGE_SERVER_HELLO;
		meaning = "the server aborted during its own flight";
		likely_fix = "check the server's logs";
	}
	set(f, TD_SEV_ERROR, stage, p,
	    "The %s sent an encrypted alert and closed (inferred: %s).", who(p), meaning);
	finding_evidence(f, "a protected record of %u bytes from the %s, the size of an "
			 "encrypted alert", x->enc_alert->length, who(p));
	finding_event(f, x->enc_alert_idx);
	if (x->close) {
		finding_evidence(f, "then the %s closed the connection", who(x->closer));
		finding_event(f, x->close_idx);
	}
	fix(f, "Run tlsdiag with -k and the client's key log (SSLKEYLOGFILE; capture again "
	    "keeping it if needed) to see the exact alert; meanwhile %s.", likely_fix);
	return true;
}

static bool rule_aborted(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!x->failed || x->fatal || !x->close || c->handshake_done)
		return false;
	enum td_stage stage = stage_at(c, x->close_idx);
	bool client = x->closer == TD_PARTY_CLIENT;
	const char *pos;
	switch (stage) {
	case TD_STAGE_CLIENT_HELLO:
		pos = client ? "before the server answered the ClientHello"
			     : "right after the ClientHello: the server would not negotiate (many "
			       "servers close without an alert when no version or cipher is common)";
		break;
	case TD_STAGE_SERVER_HELLO:
	case TD_STAGE_SERVER_CERTIFICATE:
		pos = client ? "after the server's flight: the client most likely rejected the "
			       "server's certificate or found no client certificate to send"
			     : "during its own flight";
		break;
	default:
		pos = client ? "after its own flight: the server never finished the handshake and "
			       "the client stopped waiting"
			     : "after the client's flight: the server most likely rejected the "
			       "client's certificate or its absence";
		if (!client)
			stage = TD_STAGE_CLIENT_CERTIFICATE;
		break;
	}
	set(f, TD_SEV_ERROR, stage, x->closer,
	    "The %s closed the connection mid-handshake without an alert, %s.", who(x->closer),
	    pos);
	finding_evidence(f, "the %s sent %s with no alert before it",
			 who(x->closer), x->close->kind == TD_EV_TCP_RST ? "a TCP RST" : "a TCP FIN");
	finding_event(f, x->close_idx);
	fix(f, "Look at the %s's log for the reason it gave up at this point%s.", who(x->closer),
	    stage == TD_STAGE_FINISHED && client
		? "; on the server's side, what kept it from answering (a slow CRL or OCSP "
		  "check, a stuck backend)" : "");
	return true;
}

static bool rule_fatal_alert(const struct dx *x, struct finding *f)
{
	if (!x->fatal)
		return false;
	set(f, TD_SEV_ERROR, stage_at(x->c, x->fatal_idx),
	    x->fatal_from, "The %s ended the handshake with a fatal %s alert.", who(x->fatal_from),
	    nm(TD_REG_ALERT, x->fatal->alert_desc));
	finding_evidence(f, "fatal %s from the %s", nm(TD_REG_ALERT, x->fatal->alert_desc),
			 who(x->fatal_from));
	finding_event(f, x->fatal_idx);
	fix(f, "Look at the %s's log: the alert %s is its reason for stopping.",
	    who(x->fatal_from), nm(TD_REG_ALERT, x->fatal->alert_desc));
	return true;
}

/* ---- warnings beyond the table ---------------------------------------- */

static bool rule_not_acceptable(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->cr.present || c->cr.ca_names.n == 0 || c->client_chain.n == 0)
		return false;
	for (size_t i = 0; i < c->client_chain.n; i++) {
		const struct td_cert *k = &c->client_chain.certs[i];
		if (ca_listed(c, k->issuer) || ca_listed(c, k->subject))
			return false;
	}
	set(f, TD_SEV_WARNING, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_NOBODY,
	    "No certificate of the client's chain is issued by a CA on the server's "
	    "acceptable list.");
	char cas[400];
	acceptable_list(c, cas, sizeof cas);
	finding_evidence(f, "acceptable CAs: %s", cas);
	if (x->client_leaf && x->client_leaf->parsed)
		finding_evidence(f, "the client's certificate is issued by '%s'",
				 x->client_leaf->issuer);
	fix(f, "Use a client certificate issued by %s.", cas);
	return true;
}

static bool rule_empty_ca_list(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->cr.present || c->cr.ca_names.n > 0 || c->cr.ca_names.dropped > 0)
		return false;
	set(f, TD_SEV_WARNING, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_NOBODY,
	    "The server asked for a client certificate without naming any acceptable CA; "
	    "some clients then send none.");
	finding_evidence(f, "the CertificateRequest lists no certificate authorities");
	size_t idx = last_message(c, TD_DIR_S2C, 13);
	if (idx != SIZE_MAX)
		finding_event(f, idx);
	fix(f, "Configure the server to send its client CA names (e.g. do not use openssl "
	    "s_server -no_ca_names; set the client CA file).");
	return true;
}

static bool rule_expiring_soon(const struct dx *x, struct finding *f)
{
	const struct td_cert *leaf = x->server_leaf;
	const char *whose = "server";
	if (!leaf || !leaf->parsed || x->at > leaf->not_after ||
	    leaf->not_after - x->at >= EXPIRING_SOON_S) {
		leaf = x->client_leaf;
		whose = "client";
		if (!leaf || !leaf->parsed || x->at > leaf->not_after ||
		    leaf->not_after - x->at >= EXPIRING_SOON_S)
			return false;
	}
	long days = (long)((leaf->not_after - x->at) / 86400);
	set(f, TD_SEV_WARNING, strcmp(whose, "server") == 0 ? TD_STAGE_SERVER_CERTIFICATE
							    : TD_STAGE_CLIENT_CERTIFICATE,
	    TD_PARTY_NOBODY, "The %s certificate expires in %ld day%s.", whose, days,
	    days == 1 ? "" : "s");
	finding_evidence(f, "'%s' is valid until %lld (epoch seconds)", leaf->subject,
			 (long long)leaf->not_after);
	fix(f, "Renew the %s certificate '%s' before it expires.", whose, leaf->subject);
	return true;
}

static bool rule_weak_key(const struct dx *x, struct finding *f)
{
	const struct td_chain *chains[2] = { &x->c->server_chain, &x->c->client_chain };
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < chains[k]->n; i++) {
			const struct td_cert *cert = &chains[k]->certs[i];
			if (!cert->parsed || !cert->key_type || strcmp(cert->key_type, "RSA") != 0 ||
			    cert->key_bits == 0 || cert->key_bits >= 2048)
				continue;
			bool rej = peer_rejected_chain(x, k == 0);
			set(f, TD_SEV_WARNING,
			    k == 0 ? TD_STAGE_SERVER_CERTIFICATE : TD_STAGE_CLIENT_CERTIFICATE,
			    TD_PARTY_NOBODY,
			    "The %s chain has an RSA key of %u bits; 2048 is the minimum most "
			    "peers accept%s.", k == 0 ? "server" : "client", cert->key_bits,
			    rej ? " (the likely reason for the rejection)" : "");
			if (rej) {
				finding_evidence(f, "the %s sent a fatal %s alert", who(x->fatal_from),
						 nm(TD_REG_ALERT, x->fatal->alert_desc));
				finding_event(f, x->fatal_idx);
			}
			finding_evidence(f, "'%s': RSA %u bits", cert->subject, cert->key_bits);
			fix(f, "Reissue '%s' with an RSA key of 2048 bits or more, or an EC key.",
			    cert->subject);
			return true;
		}
	}
	return false;
}

static bool rule_weak_signature(const struct dx *x, struct finding *f)
{
	const struct td_chain *chains[2] = { &x->c->server_chain, &x->c->client_chain };
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < chains[k]->n; i++) {
			const struct td_cert *cert = &chains[k]->certs[i];
			if (!cert->parsed || cert->self_signed || !cert->sig_alg ||
			    (!strstr(cert->sig_alg, "sha1") && !strstr(cert->sig_alg, "SHA1") &&
			     !strstr(cert->sig_alg, "md5") && !strstr(cert->sig_alg, "MD5")))
				continue;
			bool rej = peer_rejected_chain(x, k == 0);
			set(f, TD_SEV_WARNING,
			    k == 0 ? TD_STAGE_SERVER_CERTIFICATE : TD_STAGE_CLIENT_CERTIFICATE,
			    TD_PARTY_NOBODY,
			    "A certificate below the root is signed with %s, which current peers "
			    "reject%s.", cert->sig_alg, rej ? " (the likely reason for the rejection)"
							    : "");
			if (rej) {
				finding_evidence(f, "the %s sent a fatal %s alert", who(x->fatal_from),
						 nm(TD_REG_ALERT, x->fatal->alert_desc));
				finding_event(f, x->fatal_idx);
			}
			finding_evidence(f, "'%s' signed with %s", cert->subject, cert->sig_alg);
			fix(f, "Reissue '%s' signed with SHA-256 or better.", cert->subject);
			return true;
		}
	}
	return false;
}

static bool rule_deprecated_version(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	char offered[160];
	uint16_t max = 0;
	if (c->ch.present)
		offered_versions(c, offered, sizeof offered, &max);
	bool old_offer = c->ch.present && max && !td_tls_version_is_13(max) && max < 0x0303;
	uint16_t v = c->sh.present ? c->version : 0;
	bool old_chosen = v && !td_tls_version_is_13(v) && v < 0x0303;
	if (!old_offer && !old_chosen)
		return false;
	uint16_t shown = old_chosen ? v : max;
	set(f, TD_SEV_WARNING, old_chosen ? TD_STAGE_SERVER_HELLO : TD_STAGE_CLIENT_HELLO,
	    TD_PARTY_NOBODY, "The connection %s %s, which is deprecated (RFC 8996).",
	    old_chosen ? "uses" : "offers at most", nm(TD_REG_VERSION, shown));
	if (old_chosen)
		finding_evidence(f, "the server chose %s", nm(TD_REG_VERSION, v));
	if (old_offer)
		finding_evidence(f, "the client offered %s", offered);
	fix(f, "Enable TLS 1.2 or 1.3 on both sides and disable %s.", nm(TD_REG_VERSION, shown));
	return true;
}

static bool rule_resumed(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->sh.present || !(c->sh.psk || c->sh.session_id_echo))
		return false;
	set(f, TD_SEV_INFO, TD_STAGE_SERVER_HELLO, TD_PARTY_NOBODY,
	    "The session was resumed (%s): no certificates are exchanged, so certificate "
	    "checks do not apply.", c->sh.psk ? "pre-shared key" : "session id");
	finding_evidence(f, c->sh.psk ? "the server accepted the client's pre_shared_key"
				      : "the server echoed the client's session id");
	return true;
}

static bool rule_hrr(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->sh.present || !c->sh.hrr)
		return false;
	set(f, TD_SEV_INFO, TD_STAGE_SERVER_HELLO, TD_PARTY_NOBODY,
	    "The server asked the client to retry with another key share "
	    "(HelloRetryRequest), costing a round trip.");
	if (c->sh.key_share_group)
		finding_evidence(f, "the server wants group %s",
				 nm(TD_REG_GROUP, c->sh.key_share_group));
	fix(f, "Let the client send a key share for a group the server prefers%s%s.",
	    c->sh.key_share_group ? ": " : "",
	    c->sh.key_share_group ? nm(TD_REG_GROUP, c->sh.key_share_group) : "");
	return true;
}

const struct rule td_rules[] = {
	{ "TCP_CONNECTION_REFUSED", rule_refused, false },
	{ "TCP_NO_ANSWER", rule_no_answer, false },
	{ "PLAINTEXT_TO_TLS_PORT", rule_plaintext, false },
	{ "NOT_TLS", rule_not_tls, false },
	{ "SERVER_SILENT", rule_server_silent, false },
	{ "PROTOCOL_VERSION_MISMATCH", rule_version, false },
	{ "NO_SHARED_CIPHER", rule_cipher, false },
	{ "ALPN_MISMATCH", rule_alpn, false },
	{ "SERVER_CERT_EXPIRED", rule_server_expired, false },
	{ "SERVER_CERT_NOT_YET_VALID", rule_server_not_yet_valid, false },
	{ "SERVER_CHAIN_INCOMPLETE", rule_chain_incomplete, false },
	{ "SERVER_CERT_WRONG_USAGE", rule_server_usage, false },
	{ "WEAK_KEY", rule_weak_key, false },
	{ "WEAK_SIGNATURE", rule_weak_signature, false },
	{ "SERVER_CERT_NO_SAN", rule_no_san, false },
	{ "HOSTNAME_MISMATCH", rule_hostname, false },
	{ "SERVER_CERT_UNTRUSTED", rule_server_untrusted, false },
	{ "CLIENT_ABORTED_AFTER_CERT_REQUEST", rule_client_aborted, false },
	{ "CLIENT_CERT_MISSING", rule_client_cert_missing, false },
	{ "CLIENT_CERT_EXPIRED", rule_client_expired, false },
	{ "CLIENT_CERT_NOT_YET_VALID", rule_client_not_yet_valid, false },
	{ "CLIENT_CERT_WRONG_USAGE", rule_client_usage, false },
	{ "CLIENT_CERT_UNTRUSTED", rule_client_untrusted, false },
	{ "CLIENT_KEY_MISMATCH", rule_key_mismatch, false },
	{ "ENCRYPTED_ALERT", rule_encrypted_alert, true },
	{ "HANDSHAKE_ABORTED", rule_aborted, true },
	{ "FATAL_ALERT", rule_fatal_alert, true },
	{ "CLIENT_CERT_NOT_ACCEPTABLE", rule_not_acceptable, false },
	{ "EMPTY_CA_LIST", rule_empty_ca_list, false },
	{ "CERT_EXPIRING_SOON", rule_expiring_soon, false },
	{ "DEPRECATED_VERSION", rule_deprecated_version, false },
	{ "RESUMED", rule_resumed, false },
	{ "HELLO_RETRY", rule_hrr, false },
};
const size_t td_rules_count = sizeof td_rules / sizeof td_rules[0];
