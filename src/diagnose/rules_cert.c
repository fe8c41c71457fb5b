/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_cert.c - rules about certificates themselves: validity dates,
 * incomplete chains, key usage, missing SAN, weak keys and signatures,
 * acceptable-CA lists (see rules.h).
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

/* Expiry judged at the handshake's time, from the certificate or the alert. */
static bool cert_time(const struct dx *x, struct finding *f, bool server, bool expired)
{
	const struct td_conn *c = x->c;
	const struct td_chain *ch = server ? &c->server_chain : &c->client_chain;
	enum td_party judge = server ? TD_PARTY_CLIENT : TD_PARTY_SERVER;
	const struct td_cert *bad = NULL;
	for (size_t i = 0; i < ch->n; i++) {
		const struct td_cert *k = ch->certs[i];
		if (!k->parsed)
			continue;
		if (expired ? x->at > k->not_after : x->at < k->not_before) {
			bad = k;
			break;
		}
	}
	bool alert = expired && dx_fatal_alert(x, TD_ALERT_CERTIFICATE_EXPIRED) && x->fatal_from == judge;
	/* certificate_expired also means "not currently valid" (RFC 5246
	 * 7.2.2): with a chain that is not yet valid, that rule explains it. */
	if (alert && !bad)
		for (size_t i = 0; i < ch->n; i++)
			if (ch->certs[i]->parsed && x->at < ch->certs[i]->not_before)
				alert = false;
	if (!bad && !alert)
		return false;
	const char *whose = server ? "server" : "client";
	bool rejected = alert || (x->failed && x->fatal_from == judge) ||
			(x->failed && !x->fatal && x->closer == judge);
	finding_set(f, rejected ? TD_SEV_ERROR : TD_SEV_WARNING,
	    server ? TD_STAGE_SERVER_CERTIFICATE : TD_STAGE_CLIENT_CERTIFICATE,
	    rejected ? judge : TD_PARTY_NOBODY,
	    expired ? "The %s certificate%s had expired at the time of the handshake."
		    : "The %s certificate%s was not yet valid at the time of the handshake.",
	    whose, bad && bad != ch->certs[0] ? " chain" : "");
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
		finding_evidence(f, "the %s sent a fatal certificate_expired alert", td_party_name(judge));
		finding_event(f, x->fatal_idx);
	} else if (rejected && x->fatal && x->fatal_from == judge) {
		/* a generic alert (Go, Chromium: bad_certificate): the dates are
		 * the first fault tlsdiag's checks find (dx_chain_fault) */
		finding_evidence(f, "the %s sent a fatal %s alert, which does not say why",
				 td_party_name(judge), dx_name(TD_REG_ALERT, x->fatal->alert_desc));
		finding_event(f, x->fatal_idx);
	}
	if (bad && bad->subject)
		finding_fix(f, "Renew the %s certificate '%s' and install the new one%s.", whose,
		    bad->subject, expired ? "" : " (or check the clock of the machine that issued it)");
	else
		finding_fix(f, "Renew the %s certificate and install the new one.", whose);
	return true;
}

bool rule_server_expired(const struct dx *x, struct finding *f)
{
	return cert_time(x, f, true, true);
}

bool rule_server_not_yet_valid(const struct dx *x, struct finding *f)
{
	return cert_time(x, f, true, false);
}

bool rule_client_expired(const struct dx *x, struct finding *f)
{
	return cert_time(x, f, false, true);
}

bool rule_client_not_yet_valid(const struct dx *x, struct finding *f)
{
	return cert_time(x, f, false, false);
}

/* The leaf's issuer was not sent (and, when a store was given, is not in it). */
bool rule_chain_incomplete(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	const struct td_cert *leaf = x->server_leaf;
	if (!dx_leaf_issuer_missing(x))
		return false;
	bool rejected = dx_client_rejected_server_cert(x);
	finding_set(f, rejected ? TD_SEV_ERROR : TD_SEV_WARNING, TD_STAGE_SERVER_CERTIFICATE,
	    rejected ? TD_PARTY_CLIENT : TD_PARTY_NOBODY,
	    "The server sent an incomplete chain: the issuer of its certificate, '%s', is "
	    "not in it.", leaf->issuer);
	finding_evidence(f, "the server sent %zu certificate%s, leaf '%s'", c->server_chain.n,
			 c->server_chain.n == 1 ? "" : "s", leaf->subject ? leaf->subject : "?");
	if (rejected) {
		finding_evidence(f, "the client answered with a fatal %s alert",
				 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
		finding_event(f, x->fatal_idx);
	}
	/* Only a certificate seen below a root makes '%s' an intermediate
	 * for sure; a leaf issued straight by a root the client does not
	 * trust looks the same on the wire. */
	bool seen = x->mem && x->mem->intermediate_subject &&
		    strcmp(x->mem->intermediate_subject, leaf->issuer) == 0;
	if (seen) {
		finding_evidence(f, "another connection of this capture carried '%s'", leaf->issuer);
		finding_fix(f, "Configure the server to send its intermediate certificate '%s' after "
		    "its own (e.g. openssl s_server -cert_chain, nginx ssl_certificate with the full "
		    "chain).", leaf->issuer);
	} else {
		finding_fix(f, "Configure the server to send the certificate of its issuer '%s' (its "
		    "intermediate CA) after its own (e.g. openssl s_server -cert_chain, nginx "
		    "ssl_certificate with the full chain); if that issuer is a root CA, the chain "
		    "is complete and the client must trust that root instead.", leaf->issuer);
	}
	return true;
}

/* A list's items, comma separated, as many as fit in len. */
static void join_list(const struct td_strlist *l, char *out, size_t len)
{
	out[0] = '\0';
	size_t o = 0;
	for (size_t i = 0; i < l->n; i++) {
		int k = snprintf(out + o, len - o, "%s%s", i ? ", " : "", l->v[i]);
		if (k < 0 || (size_t)k >= len - o)
			break;
		o += (size_t)k;
	}
}

/* The certificate's extended key usage (or key usage) forbids its role. */
static bool wrong_usage(const struct dx *x, struct finding *f, bool server)
{
	const struct td_cert *leaf = server ? x->server_leaf : x->client_leaf;
	const char *need = server ? "serverAuth" : "clientAuth";
	enum td_party judge = server ? TD_PARTY_CLIENT : TD_PARTY_SERVER;
	bool alert = dx_fatal_alert(x, TD_ALERT_UNSUPPORTED_CERTIFICATE) && x->fatal_from == judge;
	bool lacks = dx_usage_forbids(leaf, server);
	if (!lacks && !alert)
		return false;
	bool eku_lacks = false;
	if (lacks && leaf->ext_key_usage.n > 0) {
		eku_lacks = true;
		for (size_t i = 0; i < leaf->ext_key_usage.n; i++)
			if (strcmp(leaf->ext_key_usage.v[i], need) == 0 ||
			    strcmp(leaf->ext_key_usage.v[i], "anyExtendedKeyUsage") == 0)
				eku_lacks = false;
	}
	bool ku_lacks = lacks && !eku_lacks;
	const char *whose = server ? "server" : "client";
	finding_set(f, alert || (x->failed && x->fatal_from == judge) ? TD_SEV_ERROR : TD_SEV_WARNING,
	    server ? TD_STAGE_SERVER_CERTIFICATE : TD_STAGE_CLIENT_CERTIFICATE,
	    alert || (x->failed && x->fatal_from == judge) ? judge : TD_PARTY_NOBODY,
	    "The %s certificate is not allowed for %s authentication (%s).",
	    whose, whose, ku_lacks ? "key usage" : "extended key usage");
	char list[200];
	if (eku_lacks) {
		join_list(&leaf->ext_key_usage, list, sizeof list);
		finding_evidence(f, "'%s' allows only: %s (no %s)", leaf->subject, list, need);
	} else if (ku_lacks) {
		join_list(&leaf->key_usage, list, sizeof list);
		finding_evidence(f, "'%s' key usage: %s (no digitalSignature, keyEncipherment or "
				 "keyAgreement)", leaf->subject, list);
	}
	if (alert) {
		finding_evidence(f, "the %s sent a fatal unsupported_certificate alert", td_party_name(judge));
		finding_event(f, x->fatal_idx);
	} else if (lacks && x->failed && x->fatal && x->fatal_from == judge) {
		finding_evidence(f, "the %s sent a fatal %s alert", td_party_name(judge),
				 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
		finding_event(f, x->fatal_idx);
	}
	if (ku_lacks)
		finding_fix(f, "Issue the %s certificate with keyUsage = digitalSignature, plus "
		    "keyEncipherment for an RSA key (openssl: -addext 'keyUsage = "
		    "digitalSignature, keyEncipherment').", whose);
	else
		finding_fix(f, "Issue the %s certificate with extendedKeyUsage = %s (openssl: -addext "
		    "'extendedKeyUsage = %s').", whose, need, need);
	return true;
}

bool rule_server_usage(const struct dx *x, struct finding *f)
{
	return wrong_usage(x, f, true);
}

bool rule_client_usage(const struct dx *x, struct finding *f)
{
	return wrong_usage(x, f, false);
}

bool rule_no_san(const struct dx *x, struct finding *f)
{
	const struct td_cert *leaf = x->server_leaf;
	if (!leaf || !leaf->parsed || leaf->san.n > 0)
		return false;
	/* unknown_ca is about trust, not names: SERVER_CERT_UNTRUSTED says it. */
	bool rejected = (dx_client_rejected_server_cert(x) &&
			 x->fatal->alert_desc != TD_ALERT_UNKNOWN_CA) ||
			(x->failed && !x->fatal && x->closer == TD_PARTY_CLIENT &&
			 x->c->handshake_done);
	finding_set(f, rejected ? TD_SEV_ERROR : TD_SEV_WARNING, TD_STAGE_SERVER_CERTIFICATE,
	    rejected ? TD_PARTY_CLIENT : TD_PARTY_NOBODY,
	    "The server certificate has no subjectAltName; modern clients ignore the "
	    "subject CN and reject it.");
	finding_evidence(f, "server certificate '%s' carries no subjectAltName extension",
			 leaf->subject ? leaf->subject : "?");
	if (rejected && x->fatal)
		finding_event(f, x->fatal_idx);
	finding_fix(f, "Reissue the server certificate with the names clients use as subjectAltName "
	    "(openssl: -addext 'subjectAltName=DNS:%s').",
	    x->c->ch.sni ? x->c->ch.sni : "your.server.name");
	return true;
}

/* CLIENT_CERT_ISSUER_NOT_LISTED (before issue 15 it was named
 * CLIENT_CERT_NOT_ACCEPTABLE, a code that now means a key or signature
 * the server refuses, as SERVER_CERT_NOT_ACCEPTABLE for the client). */
bool rule_issuer_not_listed(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->cr.present || c->cr.ca_names.n == 0 || c->client_chain.n == 0)
		return false;
	for (size_t i = 0; i < c->client_chain.n; i++) {
		const struct td_cert *k = c->client_chain.certs[i];
		if (dx_ca_listed(c, k->issuer) || dx_ca_listed(c, k->subject))
			return false;
	}
	finding_set(f, TD_SEV_WARNING, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_NOBODY,
	    "No certificate of the client's chain is issued by a CA on the server's "
	    "acceptable list.");
	char cas[400];
	dx_acceptable_list(c, cas, sizeof cas);
	finding_evidence(f, "acceptable CAs: %s", cas);
	if (x->client_leaf && x->client_leaf->parsed)
		finding_evidence(f, "the client's certificate is issued by '%s'",
				 x->client_leaf->issuer);
	finding_fix(f, "Use a client certificate issued by %s.", cas);
	return true;
}

bool rule_empty_ca_list(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->cr.present || c->cr.ca_names.n > 0 || c->cr.ca_names.dropped > 0)
		return false;
	finding_set(f, TD_SEV_WARNING, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_NOBODY,
	    "The server asked for a client certificate without naming any acceptable CA; "
	    "some clients then send none.");
	finding_evidence(f, "the CertificateRequest lists no certificate authorities");
	size_t idx = dx_last_message(c, TD_DIR_S2C, 13);
	if (idx != SIZE_MAX)
		finding_event(f, idx);
	finding_fix(f, "Configure the server to send its client CA names (e.g. do not use openssl "
	    "s_server -no_ca_names; set the client CA file).");
	return true;
}

bool rule_expiring_soon(const struct dx *x, struct finding *f)
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
	finding_set(f, TD_SEV_WARNING, strcmp(whose, "server") == 0 ? TD_STAGE_SERVER_CERTIFICATE
							    : TD_STAGE_CLIENT_CERTIFICATE,
	    TD_PARTY_NOBODY, "The %s certificate expires in %ld day%s.", whose, days,
	    days == 1 ? "" : "s");
	finding_evidence(f, "'%s' is valid until %lld (epoch seconds)", leaf->subject,
			 (long long)leaf->not_after);
	finding_fix(f, "Renew the %s certificate '%s' before it expires.", whose, leaf->subject);
	return true;
}

/* A key or signature the peer refuses, read as the reason for its
 * generic alert (issue 15): OpenSSL sends bad_certificate for a key or
 * digest below its security level ("ee key too small", "ca md too weak"),
 * many servers do for a client's 1024-bit key.  Only when that is the
 * first fault of the chain (dx_chain_fault): dates, a missing
 * intermediate or the usage come first and have their own codes. */
static bool not_acceptable(const struct dx *x, struct finding *f, bool server)
{
	const struct td_chain *ch = server ? &x->c->server_chain : &x->c->client_chain;
	const struct td_cert *k = dx_refused_cert(ch);
	enum td_party judge = server ? TD_PARTY_CLIENT : TD_PARTY_SERVER;
	if (!k || !x->fatal || x->fatal_from != judge ||
	    !dx_generic_cert_alert(x->fatal->alert_desc) || !dx_peer_rejected_chain(x, server) ||
	    dx_chain_fault(x, server) != DX_FAULT_STRENGTH)
		return false;
	const char *whose = server ? "server" : "client";
	unsigned min = 0;
	bool small = dx_key_too_small(k, &min);
	if (small)
		finding_set(f, TD_SEV_ERROR,
		    server ? TD_STAGE_SERVER_CERTIFICATE : TD_STAGE_CLIENT_CERTIFICATE, judge,
		    "The %s refused the %s's certificate chain: '%s' has a %u-bit %s key, under "
		    "the %u bits current peers require.", td_party_name(judge), whose, k->subject,
		    k->key_bits, k->key_type, min);
	else
		finding_set(f, TD_SEV_ERROR,
		    server ? TD_STAGE_SERVER_CERTIFICATE : TD_STAGE_CLIENT_CERTIFICATE, judge,
		    "The %s refused the %s's certificate chain: '%s' is signed with %s, a digest "
		    "current peers refuse.", td_party_name(judge), whose, k->subject, k->sig_alg);
	size_t cert_idx = dx_last_message(x->c, server ? TD_DIR_S2C : TD_DIR_C2S, TD_HS_CERTIFICATE);
	if (cert_idx != SIZE_MAX && cert_idx < x->fatal_idx)
		finding_event(f, cert_idx);
	finding_evidence(f, "the %s sent a fatal %s alert after the %s's certificates",
			 td_party_name(judge), dx_name(TD_REG_ALERT, x->fatal->alert_desc), whose);
	finding_event(f, x->fatal_idx);
	if (small)
		finding_evidence(f, "'%s': %s %u bits", k->subject, k->key_type, k->key_bits);
	else
		finding_evidence(f, "'%s' signed with %s by '%s'", k->subject, k->sig_alg, k->issuer);
	finding_evidence(f, "the alert does not say why; %s pass tlsdiag's checks",
			 server ? "the chain is complete, and its dates and usage"
				: "the chain's dates and usage");
	if (!server && x->client_leaf && x->client_leaf->parsed &&
	    dx_ca_listed(x->c, x->client_leaf->issuer))
		finding_evidence(f, "its issuer '%s' is one the server lists as acceptable: "
				 "not a trust problem", x->client_leaf->issuer);
	if (small)
		finding_fix(f, "Reissue '%s' with an RSA key of 2048 bits or more, or an EC key of "
		    "256 bits or more (lowering the %s's security level, e.g. OpenSSL @SECLEVEL=1, "
		    "only hides the weakness).", k->subject, td_party_name(judge));
	else
		finding_fix(f, "Have '%s' reissue '%s' signed with SHA-256 or better.", k->issuer,
		    k->subject);
	return true;
}

bool rule_server_not_acceptable(const struct dx *x, struct finding *f)
{
	return not_acceptable(x, f, true);
}

bool rule_client_not_acceptable(const struct dx *x, struct finding *f)
{
	return not_acceptable(x, f, false);
}

bool rule_weak_key(const struct dx *x, struct finding *f)
{
	const struct td_chain *chains[2] = { &x->c->server_chain, &x->c->client_chain };
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < chains[k]->n; i++) {
			const struct td_cert *cert = chains[k]->certs[i];
			unsigned min = 0;
			if (!dx_key_too_small(cert, &min))
				continue;
			bool rej = dx_peer_rejected_chain(x, k == 0);
			finding_set(f, TD_SEV_WARNING,
			    k == 0 ? TD_STAGE_SERVER_CERTIFICATE : TD_STAGE_CLIENT_CERTIFICATE,
			    TD_PARTY_NOBODY,
			    "The %s chain has an %s key of %u bits; %u is the minimum most "
			    "peers accept%s.", k == 0 ? "server" : "client", cert->key_type,
			    cert->key_bits, min, rej ? " (the likely reason for the rejection)" : "");
			if (rej) {
				finding_evidence(f, "the %s sent a fatal %s alert", td_party_name(x->fatal_from),
						 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
				finding_event(f, x->fatal_idx);
			}
			finding_evidence(f, "'%s': %s %u bits", cert->subject, cert->key_type,
					 cert->key_bits);
			finding_fix(f, "Reissue '%s' with an RSA key of 2048 bits or more, or an EC key "
			    "of 256 bits or more.", cert->subject);
			return true;
		}
	}
	return false;
}

bool rule_weak_signature(const struct dx *x, struct finding *f)
{
	const struct td_chain *chains[2] = { &x->c->server_chain, &x->c->client_chain };
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < chains[k]->n; i++) {
			const struct td_cert *cert = chains[k]->certs[i];
			if (!dx_sig_too_weak(cert))
				continue;
			bool rej = dx_peer_rejected_chain(x, k == 0);
			finding_set(f, TD_SEV_WARNING,
			    k == 0 ? TD_STAGE_SERVER_CERTIFICATE : TD_STAGE_CLIENT_CERTIFICATE,
			    TD_PARTY_NOBODY,
			    "A certificate below the root is signed with %s, which current peers "
			    "reject%s.", cert->sig_alg, rej ? " (the likely reason for the rejection)"
							    : "");
			if (rej) {
				finding_evidence(f, "the %s sent a fatal %s alert", td_party_name(x->fatal_from),
						 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
				finding_event(f, x->fatal_idx);
			}
			finding_evidence(f, "'%s' signed with %s", cert->subject, cert->sig_alg);
			finding_fix(f, "Reissue '%s' signed with SHA-256 or better.", cert->subject);
			return true;
		}
	}
	return false;
}
