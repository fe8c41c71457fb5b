/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_app.c - refusals after a complete handshake (see rules.h).
 *
 * Some servers never fail the TLS handshake over a client certificate:
 * nginx (ssl_verify_client on or optional), PostgreSQL (clientcert=...),
 * HAProxy and Apache behind an optional request answer the first
 * request with an error instead (an HTTP 400 whose page names the
 * certificate problem, a 403, a FATAL 28000), then close.  The handshake
 * stands (the outcome stays established); the refusal is its own error,
 * blamed on the server, at stage after_handshake.
 *
 * After STARTTLS the same happens in the upgraded protocol: an SMTP
 * server answers 5xx, an LDAP server refuses a bind, IMAP says NO.  Such
 * a reply is about the certificate only when the words say so: its
 * text names a certificate, or it refuses a SASL EXTERNAL
 * authentication (RFC 4422 Appendix A), whose credential is the
 * client's TLS certificate (an LDAP bind answered
 * strongerAuthRequired, inappropriateAuthentication, invalidCredentials
 * or insufficientAccessRights; an XMPP SASL <failure/>; any SMTP, IMAP,
 * POP3 or FTP error).  A
 * refused password is not a TLS problem and is only shown.
 *
 * With a key log the refusal is read (td_app_msg events, app.h):
 * certain.  Without one, TLS <= 1.2 still shows the client's
 * certificate in clear: an empty one (or one tlsdiag cannot trust)
 * under a CertificateRequest, then a request of one record, one
 * short answer (an error page, not a page served) and the server's alert
 * or close, is the same refusal, inferred.  TLS 1.3 hides both the certificate and the sizes' meaning:
 * nothing is said there without keys.
 *
 * Evidence quotes only what is not private: status codes, SQLSTATEs and
 * the fixed texts of known servers (td_app_known); never a path, a user
 * name or a free-text message (redact.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "text.h"

/* The post_handshake_auth extension (RFC 8446 4.2.6). */
#define EXT_POST_HANDSHAKE_AUTH 49u
/* A short exchange without keys: one application record from the client
 * (a request, a StartupMessage), one from the server of at most
 * SHORT_ANSWER bytes (an error page or message; a page served, as
 * openssl s_server -www's, is bigger), then the server's end.  A client
 * that sends more before the answer is talking, not being turned away
 * (a sensor that posts a report every few seconds, sees a short answer
 * and closes, in mercury/tls_sgt.pcap). */
#define SHORT_ANSWER 2048u
/* PostgreSQL's invalid_authorization_specification. */
#define SQLSTATE_AUTH "28000"

/* The server's first application message that says no, with its index. */
static const struct td_app_msg *refusal(const struct td_conn *c, size_t *idx)
{
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_APPLICATION && e->dir == TD_DIR_S2C && e->app &&
		    td_app_is_error(e->app)) {
			*idx = i;
			return e->app;
		}
	}
	return NULL;
}

/* The server's application messages were read (a key log opened them). */
static bool server_read(const struct td_conn *c)
{
	return dx_has_event(c, TD_EV_APPLICATION, TD_DIR_S2C, NULL);
}

static bool pg_auth(const struct td_app_msg *m)
{
	return m->kind == TD_APP_PG_ERROR && strcmp(m->sqlstate, SQLSTATE_AUTH) == 0;
}

/* LDAP resultCodes (RFC 4511 4.1.9) that refuse a bind's credential. */
#define LDAP_STRONGER_AUTH_REQUIRED 8u
#define LDAP_INAPPROPRIATE_AUTH     48u
#define LDAP_INVALID_CREDENTIALS    49u
#define LDAP_INSUFFICIENT_ACCESS    50u

/* s contains w, ASCII case-insensitively. */
static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (; s && *s; s++) {
		size_t k = 0;
		while (k < n && s[k] && (s[k] | 0x20) == (w[k] | 0x20))
			k++;
		if (k == n)
			return true;
	}
	return false;
}

/* The client asked, before event idx, to authenticate with SASL
 * EXTERNAL: with its TLS certificate. */
static bool external_before(const struct td_conn *c, size_t idx)
{
	for (size_t i = 0; i < idx && i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_APPLICATION && e->dir == TD_DIR_C2S && e->app &&
		    e->app->kind == TD_APP_COMMAND && e->app->mechanism &&
		    strcmp(e->app->mechanism, "EXTERNAL") == 0)
			return true;
	}
	return false;
}

/* After STARTTLS: an error reply that is about the client's certificate
 * (see the top of the file). */
static bool reply_about_cert(const struct td_conn *c, const struct td_app_msg *m, size_t idx)
{
	if (m->kind != TD_APP_REPLY)
		return false;
	if (has_word(m->message, "certificate"))
		return true;
	if (!external_before(c, idx))
		return false;
	/* XMPP: the SASL <failure/> answers the <auth/>; a stream error may
	 * be anything (a timeout, a policy). */
	if (m->proto == TD_APP_XMPP)
		return m->command && strcmp(m->command, "failure") == 0;
	if (m->proto != TD_APP_LDAP)
		return true;
	return m->command && strcmp(m->command, "BindResponse") == 0 &&
	       (m->code == LDAP_STRONGER_AUTH_REQUIRED || m->code == LDAP_INAPPROPRIATE_AUTH ||
		m->code == LDAP_INVALID_CREDENTIALS || m->code == LDAP_INSUFFICIENT_ACCESS);
}

/* What the refusal says, in words that hold nothing private. */
static void refusal_evidence(const struct td_conn *c, struct finding *f,
			     const struct td_app_msg *m, size_t idx)
{
	const char *title = m->known == TD_APP_KNOWN_NGINX_NO_CERT ||
			    m->known == TD_APP_KNOWN_NGINX_CERT_ERROR ? m->title : NULL;
	const char *msg = m->known == TD_APP_KNOWN_PG_CERT_REQUIRED ? m->message : NULL;
	switch (m->kind) {
	case TD_APP_RESPONSE:
		if (title)
			finding_evidence(f, "after the handshake the server answered the request with "
					 "HTTP %u, its page titled '%s' (decrypted)", m->status, title);
		else
			finding_evidence(f, "after the handshake the server answered the request with "
					 "HTTP %u (decrypted)", m->status);
		break;
	case TD_APP_PG_ERROR:
		finding_evidence(f, "after the handshake the server answered the StartupMessage with "
				 "a PostgreSQL ErrorResponse %s %s%s%s%s (decrypted)",
				 m->severity ? m->severity : "?", m->sqlstate[0] ? m->sqlstate : "?",
				 msg ? " '" : "", msg ? msg : "", msg ? "'" : "");
		break;
	case TD_APP_REPLY: {
		/* The brief holds a code, a condition word or an RFC 4511 name:
		 * nothing private; the server's text may name a user. */
		char brief[64];
		td_app_brief(m, brief, sizeof brief);
		finding_evidence(f, "after the STARTTLS upgrade the server answered with %s "
				 "(decrypted)%s", brief,
				 external_before(c, idx) ? ", refusing the client's SASL EXTERNAL "
				 "authentication, whose credential is its TLS certificate"
				 : has_word(m->message, "certificate") ? ", its text naming a "
				 "certificate" : "");
		break;
	}
	default: {
		char brief[64];
		td_app_brief(m, brief, sizeof brief);
		finding_evidence(f, "after the handshake the server answered with %s (decrypted)",
				 brief);
		break;
	}
	}
	finding_event(f, idx);
}

/* Without keys (TLS <= 1.2): after the handshake a short exchange, then
 * the server's alert (its close_notify, most likely) or its close first:
 * what a refusal looks like from outside.  *end is the server's alert or
 * close. */
static bool short_refusal(const struct dx *x, size_t *end)
{
	const struct td_conn *c = x->c;
	if (x->tls13 || !c->handshake_done || server_read(c))
		return false;
	uint32_t cr = c->side[TD_DIR_C2S].encrypted_records;
	size_t answer = SIZE_MAX;
	if (cr != 1 || c->side[TD_DIR_S2C].encrypted_records != 1 ||
	    !dx_has_event(c, TD_EV_APPDATA, TD_DIR_S2C, &answer) ||
	    c->events[answer].length > SHORT_ANSWER)
		return false;
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->dir == TD_DIR_S2C && e->kind == TD_EV_ALERT && e->encrypted) {
			*end = i;
			return true;
		}
	}
	if (x->close && x->closer == TD_PARTY_SERVER) {
		*end = x->close_idx;
		return true;
	}
	return false;
}

static void short_evidence(const struct dx *x, struct finding *f, size_t end)
{
	const struct td_conn *c = x->c;
	size_t answer = SIZE_MAX;
	(void)dx_has_event(c, TD_EV_APPDATA, TD_DIR_S2C, &answer);
	finding_evidence(f, "after the handshake the client sent one application record and the "
			 "server answered with one of %u bytes, then %s (no key log: the words "
			 "are encrypted)", answer != SIZE_MAX ? c->events[answer].length : 0,
			 c->events[end].kind == TD_EV_ALERT ? "sent an alert" : "closed the connection");
	if (answer != SIZE_MAX)
		finding_event(f, answer);
	finding_event(f, end);
}

/* The client sent no certificate: an empty Certificate, or none at all. */
static bool no_client_cert(const struct td_conn *c)
{
	return c->client_chain.n == 0;
}

/* TLS 1.3 without post_handshake_auth offered: a server that wants a
 * certificate only for some requests (Apache's per-directory
 * SSLVerifyClient) cannot ask for it after the handshake. */
static bool pha_impossible(const struct dx *x)
{
	return x->tls13 && !x->c->cr.present &&
	       !td_u16list_has(&x->c->ch.extensions, EXT_POST_HANDSHAKE_AUTH);
}

/* A refusal that means "no certificate" when none was sent. */
static bool refuses_missing(const struct dx *x, const struct td_app_msg *m, size_t idx)
{
	const struct td_conn *c = x->c;
	if (reply_about_cert(c, m, idx))
		return true;
	if (m->known == TD_APP_KNOWN_NGINX_NO_CERT || m->known == TD_APP_KNOWN_PG_CERT_REQUIRED ||
	    m->known == TD_APP_KNOWN_APACHE_NO_PHA)
		return true;
	if (pg_auth(m))
		return c->cr.present;
	if (m->kind != TD_APP_RESPONSE)
		return false;
	/* 495/496: nginx's own codes for these, when an error_page keeps them. */
	if (m->status == 495 || m->status == 496)
		return true;
	/* Without a CertificateRequest, a 403 is any refusal (a path, a
	 * login): only the server's own words above tie it to a certificate. */
	return c->cr.present && (m->status == 400 || m->status == 401 || m->status == 403);
}

bool rule_app_cert_missing(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->handshake_done || !no_client_cert(c))
		return false;
	size_t idx = SIZE_MAX, end = SIZE_MAX;
	const struct td_app_msg *m = refusal(c, &idx);
	bool certain = m && refuses_missing(x, m, idx);
	if (!certain && !(c->cr.present && c->client_chain.present && short_refusal(x, &end)))
		return false;
	finding_set(f, TD_SEV_ERROR, TD_STAGE_AFTER_HANDSHAKE, TD_PARTY_SERVER,
	    "The server requires a client certificate and refused the connection after the "
	    "handshake: the client sent none.");
	char cas[400];
	dx_acceptable_list(c, cas, sizeof cas);
	if (c->cr.present)
		finding_evidence(f, "the server sent a CertificateRequest%s%s",
				 cas[0] ? " accepting " : " with no CA names", cas);
	size_t cert_idx = dx_last_message(c, TD_DIR_C2S, TD_HS_CERTIFICATE);
	if (c->client_chain.present) {
		finding_evidence(f, "the client answered with an empty Certificate message");
		if (cert_idx != SIZE_MAX)
			finding_event(f, cert_idx);
	} else if (pha_impossible(x)) {
		finding_evidence(f, "the client did not offer post-handshake authentication "
				 "(post_handshake_auth): the server could not ask it for a "
				 "certificate after the handshake");
	} else {
		finding_evidence(f, "the client sent no certificate");
	}
	if (certain) {
		refusal_evidence(c, f, m, idx);
	} else {
		finding_inferred(f);
		short_evidence(x, f, end);
	}
	if (!c->client_chain.present && pha_impossible(x))
		finding_fix(f, "Give the client a certificate and enable post-handshake "
		    "authentication on it (openssl s_client -enable_pha; curl does), or make the "
		    "server ask for the certificate during the handshake.");
	else
		finding_fix(f, "Configure the client with a certificate and key issued by %s (curl "
		    "--cert client.crt --key client.key; psql sslcert=... sslkey=...).",
		    cas[0] ? cas : "a CA the server trusts");
	return true;
}

/* What is wrong with the client's certificate, by tlsdiag's own checks. */
enum cert_fault {
	FAULT_NONE,       /* nothing tlsdiag can see */
	FAULT_EXPIRED,    /* a certificate of the chain had expired */
	FAULT_UNTRUSTED   /* not issued by an acceptable CA, or its chain does not validate */
};

static enum cert_fault client_fault(const struct dx *x)
{
	const struct td_conn *c = x->c;
	for (size_t i = 0; i < c->client_chain.n; i++) {
		const struct td_cert *k = c->client_chain.certs[i];
		if (k->parsed && x->at > k->not_after)
			return FAULT_EXPIRED;
	}
	if (x->client_check && x->client_check->verdict != TD_CHAIN_OK &&
	    x->client_check->verdict != TD_CHAIN_NOT_CHECKED)
		return x->client_check->verdict == TD_CHAIN_EXPIRED ? FAULT_EXPIRED : FAULT_UNTRUSTED;
	if (c->cr.present && c->cr.ca_names.n > 0 && c->cr.ca_names.dropped == 0) {
		for (size_t i = 0; i < c->client_chain.n; i++) {
			const struct td_cert *k = c->client_chain.certs[i];
			if (dx_ca_listed(c, k->issuer) || dx_ca_listed(c, k->subject))
				return FAULT_NONE;
		}
		return FAULT_UNTRUSTED;
	}
	return FAULT_NONE;
}

/* The same server went on talking with this client certificate in an
 * earlier connection (struct server_memory). */
static bool kept_before(const struct dx *x)
{
	const struct td_cert *kept = x->mem ? x->mem->client_kept : NULL;
	const struct td_cert *leaf = x->c->client_chain.n ? x->c->client_chain.certs[0] : NULL;
	return kept && leaf &&
	       (kept == leaf || (kept->sha256[0] && strcmp(kept->sha256, leaf->sha256) == 0));
}

/* A refusal that is about the certificate the client sent. */
static bool refuses_cert(const struct td_conn *c, const struct td_app_msg *m, size_t idx)
{
	return reply_about_cert(c, m, idx) || m->known == TD_APP_KNOWN_NGINX_CERT_ERROR || pg_auth(m) ||
	       (m->kind == TD_APP_RESPONSE && m->status == 495);
}

/* The client sent a certificate and the server refused after the
 * handshake: which of the three codes, decided by the fault. */
static bool cert_refused(const struct dx *x, struct finding *f, enum cert_fault want)
{
	const struct td_conn *c = x->c;
	if (!c->handshake_done || c->client_chain.n == 0)
		return false;
	enum cert_fault fault = client_fault(x);
	if (fault != want)
		return false;
	size_t idx = SIZE_MAX, end = SIZE_MAX;
	const struct td_app_msg *m = refusal(c, &idx);
	bool certain = m && refuses_cert(c, m, idx);
	/* Without keys only what tlsdiag itself finds wrong explains a
	 * short exchange; a certificate it finds fine says nothing, and
	 * neither does one the same server went on talking with earlier in
	 * the capture (it took it then: mercury/tls_sgt.pcap's sensor, whose
	 * server answers some reports and closes). */
	if (!certain && (want == FAULT_NONE || !short_refusal(x, &end) || kept_before(x)))
		return false;
	const struct td_cert *leaf = x->client_leaf;
	const char *why = want == FAULT_EXPIRED ? "it had expired"
			: want == FAULT_UNTRUSTED ? "it is not issued by a CA the server trusts"
			: "the certificate is valid, but not accepted for this request or user";
	finding_set(f, TD_SEV_ERROR, TD_STAGE_AFTER_HANDSHAKE, TD_PARTY_SERVER,
	    "The server refused the client's certificate after the handshake: %s.", why);
	if (leaf && leaf->parsed)
		finding_evidence(f, "the client sent '%s' issued by '%s'",
				 leaf->subject ? leaf->subject : "?", leaf->issuer ? leaf->issuer : "?");
	size_t cert_idx = dx_last_message(c, TD_DIR_C2S, TD_HS_CERTIFICATE);
	if (cert_idx != SIZE_MAX)
		finding_event(f, cert_idx);
	char cas[400];
	dx_acceptable_list(c, cas, sizeof cas);
	const struct td_cert *bad = NULL;
	for (size_t i = 0; i < c->client_chain.n; i++)
		if (c->client_chain.certs[i]->parsed && x->at > c->client_chain.certs[i]->not_after)
			bad = c->client_chain.certs[i];
	if (want == FAULT_EXPIRED && bad) {
		char when[40] = "?";
		td_text_utc(when, sizeof when, bad->not_after, false);
		finding_evidence(f, "'%s' is valid until %s", bad->subject ? bad->subject : "?", when);
	} else if (want == FAULT_UNTRUSTED) {
		if (cas[0])
			finding_evidence(f, "the server accepts client certificates from %s", cas);
		if (x->client_check && x->client_check->verdict != TD_CHAIN_NOT_CHECKED)
			finding_evidence(f, "validation against --client-ca-file: %s",
					 x->client_check->reason);
	}
	if (certain) {
		refusal_evidence(c, f, m, idx);
	} else {
		finding_inferred(f);
		short_evidence(x, f, end);
	}
	if (want == FAULT_EXPIRED)
		finding_fix(f, "Renew the client certificate '%s' and install the new one.",
		    bad && bad->subject ? bad->subject : leaf && leaf->subject ? leaf->subject : "");
	else if (want == FAULT_UNTRUSTED && cas[0] && leaf && leaf->parsed && leaf->issuer)
		finding_fix(f, "Use a client certificate issued by %s; this one is issued by '%s'. Or "
		    "add '%s' to the server's client CA file.", cas, leaf->issuer, leaf->issuer);
	else if (want == FAULT_UNTRUSTED)
		finding_fix(f, "Use a client certificate issued by a CA the server trusts, or add its "
		    "issuing CA to the server's client CA file.");
	else if (m && m->kind == TD_APP_PG_ERROR)
		finding_fix(f, "Log in as the user the certificate names (its CN), or map the "
		    "certificate to this user (pg_ident.conf, map= in pg_hba.conf); the server's "
		    "log says which check failed.");
	else
		finding_fix(f, "Read the server's log for why it refused the certificate (access "
		    "rules, revocation, the user it maps to).");
	return true;
}

bool rule_app_cert_expired(const struct dx *x, struct finding *f)
{
	return cert_refused(x, f, FAULT_EXPIRED);
}

bool rule_app_cert_untrusted(const struct dx *x, struct finding *f)
{
	return cert_refused(x, f, FAULT_UNTRUSTED);
}

bool rule_app_cert_rejected(const struct dx *x, struct finding *f)
{
	return cert_refused(x, f, FAULT_NONE);
}
