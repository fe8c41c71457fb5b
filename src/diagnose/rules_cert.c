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
	if (!leaf || !leaf->parsed || leaf->self_signed || !leaf->issuer)
		return false;
	for (size_t i = 1; i < c->server_chain.n; i++)
		if (c->server_chain.certs[i]->subject &&
		    strcmp(c->server_chain.certs[i]->subject, leaf->issuer) == 0)
			return false;  /* sent */
	if (x->server_check && x->server_check->verdict != TD_CHAIN_MISSING_ISSUER)
		return false;  /* the store had it */
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
	if (x->mem && x->mem->intermediate_subject &&
	    strcmp(x->mem->intermediate_subject, leaf->issuer) == 0)
		finding_evidence(f, "another connection of this capture carried '%s'", leaf->issuer);
	finding_fix(f, "Configure the server to send its intermediate certificate '%s' after its own "
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
	bool alert = dx_fatal_alert(x, TD_ALERT_UNSUPPORTED_CERTIFICATE) && x->fatal_from == judge;
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
	finding_set(f, alert || (x->failed && x->fatal_from == judge) ? TD_SEV_ERROR : TD_SEV_WARNING,
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
		finding_evidence(f, "the %s sent a fatal unsupported_certificate alert", td_party_name(judge));
		finding_event(f, x->fatal_idx);
	}
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

bool rule_not_acceptable(const struct dx *x, struct finding *f)
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

bool rule_weak_key(const struct dx *x, struct finding *f)
{
	const struct td_chain *chains[2] = { &x->c->server_chain, &x->c->client_chain };
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < chains[k]->n; i++) {
			const struct td_cert *cert = chains[k]->certs[i];
			if (!cert->parsed || !cert->key_type || strcmp(cert->key_type, "RSA") != 0 ||
			    cert->key_bits == 0 || cert->key_bits >= 2048)
				continue;
			bool rej = dx_peer_rejected_chain(x, k == 0);
			finding_set(f, TD_SEV_WARNING,
			    k == 0 ? TD_STAGE_SERVER_CERTIFICATE : TD_STAGE_CLIENT_CERTIFICATE,
			    TD_PARTY_NOBODY,
			    "The %s chain has an RSA key of %u bits; 2048 is the minimum most "
			    "peers accept%s.", k == 0 ? "server" : "client", cert->key_bits,
			    rej ? " (the likely reason for the rejection)" : "");
			if (rej) {
				finding_evidence(f, "the %s sent a fatal %s alert", td_party_name(x->fatal_from),
						 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
				finding_event(f, x->fatal_idx);
			}
			finding_evidence(f, "'%s': RSA %u bits", cert->subject, cert->key_bits);
			finding_fix(f, "Reissue '%s' with an RSA key of 2048 bits or more, or an EC key.",
			    cert->subject);
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
			if (!cert->parsed || cert->self_signed || !cert->sig_alg ||
			    (!strstr(cert->sig_alg, "sha1") && !strstr(cert->sig_alg, "SHA1") &&
			     !strstr(cert->sig_alg, "md5") && !strstr(cert->sig_alg, "MD5")))
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

