/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules.c - the diagnosis rules, one small function each, and their
 * table (see rules.h).
 *
 * This file holds the seed's table and the handshake rules, and the
 * table of every rule in order of precedence; rules_tcp.c and
 * rules_cert.c hold the others, findings.c what they share.
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
#include "infer.h"
#include "packet.h"
#include "rules.h"
#include "tls_names.h"


/* ---- the seed's table ------------------------------------------------- */

/* "The client gets disconnected right after the client hello" (version).
 * A protocol_version alert says it; a client that offers at most TLS 1.1
 * answered by any other fatal alert, or a close, right after its
 * ClientHello almost always met a server that no longer speaks it
 * (servers answer internal_error, handshake_failure or nothing): the
 * same code, inferred. */
static bool rule_version(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	char offered[160];
	uint16_t max = 0;
	bool said = dx_fatal_alert(x, TD_ALERT_PROTOCOL_VERSION);
	bool old_only = false, answered = false;
	if (!said && c->ch.present && !c->sh.present) {
		dx_offered_versions(c, NULL, 0, &max);
		old_only = max && !td_tls_version_is_13(max) && max < TD_VERSION_TLS12;
		answered = x->fatal && x->fatal_from == TD_PARTY_SERVER;
		/* A bare close: the server sent nothing else (bytes that are not
		 * TLS are NOT_TLS's, whatever the client offered). */
		bool bare = !x->fatal && x->failed && x->close && x->closer == TD_PARTY_SERVER &&
			    !c->cleartext[TD_DIR_S2C];
		for (size_t i = 0; bare && i < c->n_events; i++) {
			enum td_event_kind k = c->events[i].kind;
			if (c->events[i].dir == TD_DIR_S2C && k != TD_EV_TCP_SYNACK &&
			    k != TD_EV_TCP_FIN && k != TD_EV_TCP_RST && k != TD_EV_TCP_GAP)
				bare = false;
		}
		answered = answered || bare;
	}
	if (!said && !(old_only && answered))
		return false;
	dx_offered_versions(c, offered, sizeof offered, &max);
	enum td_party who = said ? x->fatal_from : TD_PARTY_SERVER;
	finding_set(f, TD_SEV_ERROR, c->sh.present ? TD_STAGE_SERVER_HELLO : TD_STAGE_CLIENT_HELLO,
	    who, "The %s refused the connection because no TLS version is common "
	    "to both sides.", td_party_name(who));
	finding_evidence(f, "the client offered %s", offered);
	if (c->sh.present)
		finding_evidence(f, "the server chose %s", dx_name(TD_REG_VERSION, c->version));
	if (said) {
		finding_evidence(f, "the %s sent a fatal protocol_version alert", td_party_name(who));
		finding_event(f, x->fatal_idx);
	} else {
		finding_inferred(f);
		if (x->fatal) {
			finding_evidence(f, "the server answered the ClientHello with a fatal %s alert, "
					 "not protocol_version (inferred: servers that dropped TLS 1.0 "
					 "and 1.1 often answer so)",
					 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
			finding_event(f, x->fatal_idx);
		} else {
			finding_evidence(f, "the server closed the connection right after the "
					 "ClientHello, without a ServerHello or an alert (inferred)");
			finding_event(f, x->close_idx);
		}
	}
	if (x->mem && x->mem->version)
		finding_evidence(f, "this server negotiated %s with other clients in this capture",
				 dx_name(TD_REG_VERSION, x->mem->version));
	/* Never advise a server to enable a deprecated version (RFC 8996). */
	bool old_max = max && !td_tls_version_is_13(max) && max < TD_VERSION_TLS12;
	if (x->mem && x->mem->version && x->mem->version > max)
		finding_fix(f, "Enable %s on the client (it offered at most %s)%s%s%s.",
		    dx_name(TD_REG_VERSION, x->mem->version), dx_name(TD_REG_VERSION, max),
		    old_max ? "; allowing a deprecated version on the server would weaken it" :
			      ", or allow ",
		    old_max ? "" : dx_name(TD_REG_VERSION, max), old_max ? "" : " on the server");
	else if (old_max)
		finding_fix(f, "Enable TLS 1.2 or 1.3 on the client (it offered at most %s, deprecated "
		    "by RFC 8996); allowing it on the server would weaken the server.",
		    dx_name(TD_REG_VERSION, max));
	else
		finding_fix(f, "Allow one of the versions the client offered (%s) on the server, or "
		    "enable on the client a version the server accepts.", offered);
	return true;
}

/* "...couldn't find a compatible cipher". */
static bool rule_cipher(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (c->sh.present || !x->fatal || x->fatal_from != TD_PARTY_SERVER ||
	    (x->fatal->alert_desc != TD_ALERT_HANDSHAKE_FAILURE &&
	     x->fatal->alert_desc != TD_ALERT_INSUFFICIENT_SECURITY))
		return false;
	finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_HELLO, TD_PARTY_SERVER,
	    "The server rejected the ClientHello (%s): it shares no cipher suite, group or "
	    "signature algorithm with the client.", dx_name(TD_REG_ALERT, x->fatal->alert_desc));
	char tls13[200] = "", list[300] = "";
	size_t o13 = 0, o = 0, n = 0;
	for (size_t i = 0; i < c->ch.suites.n; i++) {
		uint16_t s = c->ch.suites.v[i];
		if (td_tls_is_grease(s) || s == 0x00ff || s == 0x5600)
			continue;
		n++;
		if ((s >> 8) == 0x13 && o13 < sizeof tls13) {
			int k = snprintf(tls13 + o13, sizeof tls13 - o13, "%s%s", o13 ? ", " : "",
					 dx_name(TD_REG_CIPHER, s));
			if (k > 0)
				o13 += (size_t)k;
		} else if (o < 200) {
			int k = snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "",
					 dx_name(TD_REG_CIPHER, s));
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
				 dx_name(TD_REG_GROUP, c->ch.groups.v[0]));
	finding_evidence(f, "the server answered the ClientHello with a fatal %s alert",
			 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
	finding_event(f, x->fatal_idx);
	/* A fix names only suites that exist on the side told to use them,
	 * and never a weak one (issue 15: a client offering only NULL suites
	 * was told to enable one of them on the server). */
	bool only_weak = dx_client_offers_only_weak(c);
	bool some_weak = false;
	for (size_t i = 0; i < c->ch.suites.n && !some_weak; i++)
		some_weak = dx_cipher_weakness(c->ch.suites.v[i]) != NULL;
	if (only_weak)
		finding_evidence(f, "every suite the client offered is weak (NULL, anonymous, "
				 "export, RC4 or DES): a server refusing them is right");
	if (x->mem && x->mem->cipher && !dx_cipher_weakness(x->mem->cipher)) {
		finding_evidence(f, "this server chose %s for another client in this capture",
				 dx_name(TD_REG_CIPHER, x->mem->cipher));
		finding_fix(f, "Offer a suite the server allows, such as %s (it chose it for another "
		    "client)%s.", dx_name(TD_REG_CIPHER, x->mem->cipher),
		    only_weak ? "" : ", or enable one of the client's strong suites on the server");
	} else if (only_weak) {
		finding_fix(f, "Configure the client to offer modern suites (TLS 1.3, or ECDHE with "
		    "AES-GCM or ChaCha20-Poly1305) instead of the weak ones it offered; do not "
		    "enable those on the server.");
	} else if (tls13[0]) {
		finding_fix(f, "Enable on the server one of the suites the client offered (TLS 1.3: %s), "
		    "or configure the client to offer a suite the server allows.", tls13);
	} else {
		finding_fix(f, "Enable on the server one of the %ssuites the client offered, or configure "
		    "the client to offer a suite the server allows.", some_weak ? "strong " : "");
	}
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
	const char *name = dx_asked_name(c, addr, sizeof addr, &by_ip);
	enum td_name_match m = td_hostname_match(leaf, name);
	if (m == TD_NAME_MATCH || m == TD_NAME_MATCH_CN)
		return false;
	/* The client refused the server right after the handshake (the fate
	 * judged it: td_fate.quit), or with an alert about the certificate. */
	bool quit_after = c->fate.quit == TD_QUIT_REJECTED;
	bool alerted = dx_client_rejected_server_cert(x);
	bool rejected = quit_after || alerted;
	/* Without SNI the name asked for is a guess (the address): say so only
	 * when the client did reject the server (a probe by address verifies
	 * nothing by name that we can see: CLOSED_WITHOUT_DATA says the name
	 * could not be checked). */
	if (by_ip && !rejected)
		return false;
	/* ...nor when the client's alert is unknown_ca: it names the issuer,
	 * not the name (OpenSSL's alert for a name it did not find is
	 * certificate_unknown); SERVER_CERT_UNTRUSTED explains it, and the
	 * address is only a guess (a MariaDB client sends no SNI). */
	if (by_ip && !quit_after && alerted && x->fatal &&
	    x->fatal->alert_desc == TD_ALERT_UNKNOWN_CA)
		return false;
	finding_set(f, rejected ? TD_SEV_ERROR : TD_SEV_WARNING,
	    quit_after ? TD_STAGE_AFTER_HANDSHAKE : TD_STAGE_SERVER_CERTIFICATE,
	    rejected ? TD_PARTY_CLIENT : TD_PARTY_NOBODY,
	    by_ip ? "The client connected by address (%s, no SNI) but the server certificate "
		    "does not name that address."
		  : "The server certificate does not cover the name the client asked for (%s).",
	    name);
	char sans[300];
	dx_san_list(leaf, sans, sizeof sans);
	finding_evidence(f, "the client %s %s", by_ip ? "sent no SNI; server address" : "asked for",
			 name);
	finding_evidence(f, "the certificate '%s' names %s", leaf->subject ? leaf->subject : "?",
			 sans);
	/* Without SNI, the name the client checked is a guess: the address. */
	if (by_ip)
		finding_inferred(f);
	if (quit_after) {
		finding_evidence(f, "the client closed right after the handshake without sending "
				 "any data");
		if (c->fate.quit_at < c->n_events)
			finding_event(f, c->fate.quit_at);
	} else if (alerted) {
		finding_evidence(f, "the client sent a fatal %s alert",
				 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
		finding_event(f, x->fatal_idx);
	}
	const char *dns = NULL;
	for (size_t i = 0; i < leaf->san.n && !dns; i++)
		if (strncmp(leaf->san.v[i], "DNS:", 4) == 0)
			dns = leaf->san.v[i] + 4;
	if (dns && by_ip)
		finding_fix(f, "Call the server by a name its certificate holds (%s: map it to %s in "
		    "/etc/hosts or use curl --resolve), or add IP:%s to the certificate's "
		    "subjectAltName.", dns, name, name);
	else if (dns)
		finding_fix(f, "Call the server by a name its certificate holds (%s), or reissue the "
		    "certificate with subjectAltName DNS:%s.", dns, name);
	else
		finding_fix(f, "Reissue the server certificate with subjectAltName %s:%s.",
		    by_ip ? "IP" : "DNS", name);
	return true;
}

/* "...complaining about an unknown CA or a self-signed certificate".
 * A generic alert (bad_certificate, certificate_unknown) is trust only
 * when tlsdiag's own checks find nothing else wrong with the chain
 * (dx_chain_fault: dates, a missing intermediate, usage, key or
 * signature, name); unknown_ca is trust unless the intermediate is
 * missing.  Otherwise that rule explains the alert, and a second error
 * here would tell to add a root the client most likely trusts. */
static bool rule_server_untrusted(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	bool alerted = dx_client_distrusted_server(x);
	/* Go, Chromium and Python send bad_certificate or certificate_unknown
	 * for every certificate problem: with the chain out of sight (TLS 1.3
	 * without keys) it says the client refused it, not why
	 * (SERVER_CERT_REJECTED). */
	if (alerted && x->hidden && (x->fatal->alert_desc == TD_ALERT_BAD_CERTIFICATE ||
				     x->fatal->alert_desc == TD_ALERT_CERTIFICATE_UNKNOWN))
		return false;
	enum dx_fault fault = dx_chain_fault(x, true);
	if (alerted && (fault == DX_FAULT_INCOMPLETE ||
			(fault != DX_FAULT_NONE && x->fatal->alert_desc != TD_ALERT_UNKNOWN_CA)))
		alerted = false;
	const struct td_chain_check *chk = x->server_check;
	bool bad_store = chk && chk->verdict != TD_CHAIN_OK && chk->verdict != TD_CHAIN_NOT_CHECKED;
	/* The system store speaks only when the client rejected the chain; a
	 * store the user named also raises a warning on a handshake the client
	 * accepted (its own store differs from the one given), and on one
	 * whose rejection another fault explains. */
	bool store_says = bad_store && (alerted || x->explicit_store);
	if (!alerted && !store_says)
		return false;
	/* A CA is called a root only when seen self-signed: the last
	 * certificate sent, or the untrusted root the store names. */
	const char *root = dx_chain_root(&c->server_chain);
	const char *end = dx_chain_end(&c->server_chain);
	if (store_says && chk->missing_issuer[0]) {
		if (chk->verdict == TD_CHAIN_UNKNOWN_ROOT) {
			root = chk->missing_issuer;
			end = NULL;
		} else if (chk->verdict == TD_CHAIN_MISSING_ISSUER) {
			root = NULL;
			end = chk->missing_issuer;
		}
	}
	finding_set(f, alerted ? TD_SEV_ERROR : TD_SEV_WARNING, TD_STAGE_SERVER_CERTIFICATE,
	    alerted ? TD_PARTY_CLIENT : TD_PARTY_NOBODY,
	    alerted ? "The client does not trust the server's certificate chain."
		    : "The server's certificate chain does not validate against the given trust store.");
	if (alerted) {
		finding_evidence(f, "the client sent a fatal %s alert after the server's %s",
				 dx_name(TD_REG_ALERT, x->fatal->alert_desc),
				 x->hidden ? "encrypted flight" : "certificates");
		finding_event(f, x->fatal_idx);
	}
	if (store_says)
		finding_evidence(f, "validation: %s", chk->reason);
	for (size_t i = 0; i < c->server_chain.n && i < 4; i++) {
		const struct td_cert *k = c->server_chain.certs[i];
		if (k->parsed)
			finding_evidence(f, "server certificate %zu: '%s' issued by '%s'", i,
					 k->subject, k->issuer);
	}
	if (alerted && dx_generic_cert_alert(x->fatal->alert_desc) && x->server_leaf)
		finding_evidence(f, "%s", c->ch.sni
		    ? "the alert does not say why; the chain's dates, usage, keys and names "
		      "pass tlsdiag's checks, so the client's trust store is the likely reason"
		    : "the alert does not say why; the chain's dates, usage and keys pass "
		      "tlsdiag's checks; the client sent no SNI, so the name it checked is "
		      "unknown and could not be checked");
	if (root)
		finding_fix(f, "Add the root CA '%s' to the client's trust store (e.g. curl --cacert "
		    "rootCA.crt, or the system store), or have the server use a certificate from "
		    "a CA the client trusts.", root);
	else if (end)
		finding_fix(f, "Add the CA where the chain stops, '%s', to the client's trust store "
		    "(e.g. curl --cacert) if it is a root; if it is an intermediate (it was not "
		    "sent, so tlsdiag cannot tell), have the server send it and trust its root "
		    "instead.  Or have the server use a certificate from a CA the client trusts.",
		    end);
	else
		finding_fix(f, "Add the root CA of the server's chain to the client's trust store%s.",
		    !x->hidden ? ""
		    : x->keylog_given ? " (the chain is encrypted in TLS 1.3, and the key log given "
					"holds no secrets for this connection)"
		    : " (the chain is encrypted in TLS 1.3: run with a key log to see it)");
	return true;
}

/* "The client aborts the handshake after the server hello". */
static bool rule_client_aborted(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->cr.present || x->client_sent_cert || c->client_chain.present ||
	    dx_client_rejected_server_cert(x))
		return false;
	bool alerted = x->fatal && x->fatal_from == TD_PARTY_CLIENT;
	bool closed = !x->fatal && x->close && x->closer == TD_PARTY_CLIENT;
	if (!alerted && !closed)
		return false;
	finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_CLIENT,
	    "The client gave up after the server asked for a client certificate, without "
	    "sending one.");
	char cas[400];
	dx_acceptable_list(c, cas, sizeof cas);
	finding_evidence(f, "the server sent a CertificateRequest%s%s",
			 cas[0] ? " accepting " : " with no CA names", cas);
	if (alerted) {
		finding_evidence(f, "the client sent a fatal %s alert instead of its Certificate",
				 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
		finding_event(f, x->fatal_idx);
	} else {
		finding_evidence(f, "the client closed the connection instead of sending its "
				 "Certificate");
		finding_event(f, x->close_idx);
	}
	finding_fix(f, "Give the client a key and certificate issued by %s, and let it build that "
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
	finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_SERVER,
	    "The server requires a client certificate and the client sent none.");
	char cas[400];
	dx_acceptable_list(c, cas, sizeof cas);
	finding_evidence(f, "the server sent a CertificateRequest%s%s",
			 cas[0] ? " accepting " : " with no CA names", cas);
	dx_later_evidence(x, f);
	finding_evidence(f, "the client answered with an empty Certificate message");
	size_t cert_idx = dx_last_message(c, TD_DIR_C2S, TD_HS_CERTIFICATE);
	if (cert_idx != SIZE_MAX)
		finding_event(f, cert_idx);
	if (alerted) {
		finding_evidence(f, "the server sent a fatal %s alert",
				 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
		finding_event(f, x->fatal_idx);
	}
	finding_fix(f, "Configure the client with a certificate and key issued by %s (curl --cert "
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
	case TD_ALERT_UNKNOWN_CA: case TD_ALERT_BAD_CERTIFICATE: case TD_ALERT_CERTIFICATE_UNKNOWN:
	case TD_ALERT_ACCESS_DENIED:
		break;
	default:
		return false;
	}
	const struct td_cert *leaf = x->client_leaf;
	/* A generic alert is distrust only when tlsdiag finds nothing else
	 * wrong (dates, usage, key, signature: their rules explain it) and
	 * nothing shows the server trusting the issuer: a chain issued by a
	 * CA the server lists, with no --client-ca-file verdict against it,
	 * is no evidence of an unknown CA (FATAL_ALERT then says what is known). */
	if (dx_generic_cert_alert(x->fatal->alert_desc)) {
		if (dx_chain_fault(x, false) != DX_FAULT_NONE)
			return false;
		bool listed = false;
		for (size_t i = 0; i < c->client_chain.n; i++)
			if (dx_ca_listed(c, c->client_chain.certs[i]->issuer) ||
			    dx_ca_listed(c, c->client_chain.certs[i]->subject))
				listed = true;
		bool store_bad = x->client_check && x->client_check->verdict != TD_CHAIN_OK;
		bool store_ok = x->client_check && x->client_check->verdict == TD_CHAIN_OK;
		if ((listed || store_ok) && !store_bad)
			return false;
	}
	finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_SERVER,
	    "The server rejected the client's certificate (%s).",
	    dx_name(TD_REG_ALERT, x->fatal->alert_desc));
	char cas[400];
	dx_acceptable_list(c, cas, sizeof cas);
	if (leaf && leaf->parsed)
		finding_evidence(f, "the client sent '%s' issued by '%s'", leaf->subject,
				 leaf->issuer);
	if (cas[0])
		finding_evidence(f, "the server accepts client certificates from %s", cas);
	dx_later_evidence(x, f);
	if (x->client_check && x->client_check->verdict != TD_CHAIN_NOT_CHECKED)
		finding_evidence(f, "validation against --client-ca-file: %s", x->client_check->reason);
	finding_evidence(f, "the server sent a fatal %s alert after the client's certificate",
			 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
	finding_event(f, x->fatal_idx);
	if (leaf && leaf->parsed && cas[0] && !dx_ca_listed(c, leaf->issuer))
		finding_fix(f, "Use a client certificate issued by %s; this one is issued by '%s'. Or add "
		    "'%s' to the server's client CA file.", cas, leaf->issuer, leaf->issuer);
	else
		finding_fix(f, "Use a client certificate issued by a CA the server trusts, or add its "
		    "issuing CA to the server's client CA file.");
	return true;
}

static bool rule_key_mismatch(const struct dx *x, struct finding *f)
{
	if (!dx_fatal_alert(x, TD_ALERT_DECRYPT_ERROR) || x->fatal_from != TD_PARTY_SERVER ||
	    !x->c->client_cert_verify)
		return false;
	finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_SERVER,
	    "The client's signature does not verify: its private key does not belong to its "
	    "certificate.");
	finding_evidence(f, "the server sent a fatal decrypt_error alert after the client's "
			 "CertificateVerify");
	finding_event(f, x->fatal_idx);
	finding_fix(f, "Give the client the key that matches its certificate (compare `openssl x509 "
	    "-noout -pubkey -in client.crt` with `openssl pkey -pubout -in client.key`).");
	return true;
}

static bool rule_alpn(const struct dx *x, struct finding *f)
{
	if (!dx_fatal_alert(x, TD_ALERT_NO_APPLICATION_PROTOCOL))
		return false;
	const struct td_conn *c = x->c;
	finding_set(f, TD_SEV_ERROR, dx_stage_at(c, x->fatal_idx), x->fatal_from,
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
			 td_party_name(x->fatal_from));
	finding_event(f, x->fatal_idx);
	finding_fix(f, "Enable on the server one of the protocols the client offers (%s), or make the "
	    "client offer one the server speaks.", list[0] ? list : "none");
	return true;
}

/* TLS 1.3 without keys: an alert-sized protected record, then a close. */
static bool rule_encrypted_alert(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	/* A client leaving after the handshake is the fate's quit
	 * (SERVER_CERT_REJECTED or CLOSED_WITHOUT_DATA), not this. */
	if (!x->enc_alert || !x->failed || x->fatal || !c->sh.present ||
	    c->fate.quit != TD_QUIT_NONE)
		return false;
	enum td_party p = dx_party(x->enc_alert->dir);
	enum td_stage stage;
	const char *meaning;
	const char *likely_fix;
	/* What the client's flight held, judged by record sizes (infer.h). */
	long empty_cert = td_infer_find(c, td_inf_empty_certificate, TD_DIR_C2S, 0);
	long client_cert = td_infer_find(c, td_inf_certificate, TD_DIR_C2S, 0);
	long server_fin = td_infer_find(c, td_inf_finished, TD_DIR_S2C, 0);
	if (p == TD_PARTY_CLIENT) {
		stage = TD_STAGE_SERVER_CERTIFICATE;
		meaning = "the client rejected the server's certificate (unknown CA, name mismatch "
			  "or expiry)";
		likely_fix = "check the server chain against the client's trust store";
	} else if (empty_cert >= 0) {
		stage = TD_STAGE_CLIENT_CERTIFICATE;
		meaning = "the client sent an empty Certificate, so the server most likely "
			  "refused to go on without one (certificate_required)";
		likely_fix = "give the client a certificate and key issued by a CA the server "
			     "accepts (curl --cert/--key, openssl s_client -cert/-key)";
	} else if (client_cert >= 0) {
		stage = TD_STAGE_CLIENT_CERTIFICATE;
		meaning = "the server rejected the client's certificate (unknown_ca, "
			  "bad_certificate or certificate_expired)";
		likely_fix = "check that the client's certificate is issued by a CA the server "
			     "trusts and is valid now";
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
	finding_set(f, TD_SEV_ERROR, stage, p,
	    "The %s sent an encrypted alert and closed (inferred: %s).", td_party_name(p), meaning);
	finding_inferred(f);
	finding_evidence(f, "a protected record of %u bytes from the %s, the size of an "
			 "encrypted alert", x->enc_alert->length, td_party_name(p));
	if (empty_cert >= 0 && p == TD_PARTY_SERVER) {
		finding_evidence(f, "the client's Certificate record is %u bytes, the size of an "
				 "empty Certificate message (inferred: it had no certificate to send)",
				 c->events[empty_cert].length);
		finding_event(f, (size_t)empty_cert);
	} else if (client_cert >= 0 && p == TD_PARTY_SERVER) {
		finding_evidence(f, "the client's flight holds a %u-byte record, large enough for "
				 "a certificate (inferred)", c->events[client_cert].length);
		finding_event(f, (size_t)client_cert);
	} else if (server_fin >= 0 && p == TD_PARTY_CLIENT) {
		uint64_t t0 = c->events[server_fin].ts_us, t1 = x->enc_alert->ts_us;
		finding_evidence(f, "the client sent it %.1f ms after the server's flight ended "
				 "(its Finished, inferred)", t1 > t0 ? (double)(t1 - t0) / 1000.0 : 0.0);
		finding_event(f, (size_t)server_fin);
	}
	finding_event(f, x->enc_alert_idx);
	if (x->close) {
		finding_evidence(f, "then the %s closed the connection", td_party_name(x->closer));
		finding_event(f, x->close_idx);
	}
	if (x->keylog_given)
		finding_fix(f, "The key log given (-k) holds no secrets for this connection: give "
		    "the key log this client wrote for it (SSLKEYLOGFILE; capture again keeping it "
		    "if needed) to see the exact alert; meanwhile %s.", likely_fix);
	else
		finding_fix(f, "Run tlsdiag with -k and the client's key log (SSLKEYLOGFILE; capture "
		    "again keeping it if needed) to see the exact alert; meanwhile %s.", likely_fix);
	return true;
}

static bool rule_aborted(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!x->failed || x->fatal || !x->close || c->handshake_done)
		return false;
	/* A client that chose plaintext (STARTTLS_NOT_USED) began no
	 * handshake to abort. */
	if (c->starttls.result == TD_STLS_NOT_USED)
		return false;
	enum td_stage stage = dx_stage_at(c, x->close_idx);
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
	finding_set(f, TD_SEV_ERROR, stage, x->closer,
	    "The %s closed the connection mid-handshake without an alert, %s.", td_party_name(x->closer),
	    pos);
	finding_inferred(f);
	finding_evidence(f, "the %s sent %s with no alert before it",
			 td_party_name(x->closer), x->close->kind == TD_EV_TCP_RST ? "a TCP RST" : "a TCP FIN");
	finding_event(f, x->close_idx);
	finding_fix(f, "Look at the %s's log for the reason it gave up at this point%s.",
		    td_party_name(x->closer),
	    stage == TD_STAGE_FINISHED && client
		? "; on the server's side, what kept it from answering (a slow CRL or OCSP "
		  "check, a stuck backend)" : "");
	return true;
}

static bool rule_fatal_alert(const struct dx *x, struct finding *f)
{
	if (!x->fatal)
		return false;
	finding_set(f, TD_SEV_ERROR, dx_stage_at(x->c, x->fatal_idx),
	    x->fatal_from, "The %s ended the handshake with a fatal %s alert.",
	    td_party_name(x->fatal_from),
	    dx_name(TD_REG_ALERT, x->fatal->alert_desc));
	finding_evidence(f, "fatal %s from the %s", dx_name(TD_REG_ALERT, x->fatal->alert_desc),
			 td_party_name(x->fatal_from));
	finding_event(f, x->fatal_idx);
	finding_fix(f, "Look at the %s's log: the alert %s is its reason for stopping.",
	    td_party_name(x->fatal_from), dx_name(TD_REG_ALERT, x->fatal->alert_desc));
	return true;
}

/* ---- warnings beyond the table ---------------------------------------- */






static bool rule_deprecated_version(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	char offered[160] = "";
	uint16_t max = 0;
	if (c->ch.present)
		dx_offered_versions(c, NULL, 0, &max);
	bool old_offer = c->ch.present && max && !td_tls_version_is_13(max) && max < TD_VERSION_TLS12;
	uint16_t v = c->sh.present ? c->version : 0;
	bool old_chosen = v && !td_tls_version_is_13(v) && v < TD_VERSION_TLS12;
	if (!old_offer && !old_chosen)
		return false;
	uint16_t shown = old_chosen ? v : max;
	finding_set(f, TD_SEV_WARNING, old_chosen ? TD_STAGE_SERVER_HELLO : TD_STAGE_CLIENT_HELLO,
	    TD_PARTY_NOBODY, "The connection %s %s, which is deprecated (RFC 8996).",
	    old_chosen ? "uses" : "offers at most", dx_name(TD_REG_VERSION, shown));
	if (old_chosen)
		finding_evidence(f, "the server chose %s", dx_name(TD_REG_VERSION, v));
	if (old_offer) {
		dx_offered_versions(c, offered, sizeof offered, &max);
		finding_evidence(f, "the client offered %s", offered);
	}
	finding_fix(f, "Enable TLS 1.2 or 1.3 on both sides and disable %s.",
		    dx_name(TD_REG_VERSION, shown));
	return true;
}

static bool rule_resumed(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->sh.present || !(c->sh.psk || c->sh.session_id_echo))
		return false;
	finding_set(f, TD_SEV_INFO, TD_STAGE_SERVER_HELLO, TD_PARTY_NOBODY,
	    "The session was resumed (%s): no certificates are exchanged, so certificate "
	    "checks do not apply.", c->sh.psk ? "pre-shared key" : "session id");
	finding_evidence(f, c->sh.psk ? "the server accepted the client's pre_shared_key"
				      : "the server echoed the client's session id");
	return true;
}

/* TLS 1.3: the client offered a pre-shared key (a ticket) and the
 * server answered with a full handshake (RFC 8446 4.2.11: no
 * pre_shared_key in its ServerHello).  Not an error: the connection goes
 * on, at the cost of a certificate exchange and, with 0-RTT, of the early
 * data the server skipped. */
static bool rule_resumption_refused(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->ch.present || !c->ch.psk || !c->sh.present || c->sh.psk || c->sh.session_id_echo)
		return false;
	unsigned ids = c->ch.psk_identities;
	finding_set(f, TD_SEV_INFO, TD_STAGE_SERVER_HELLO, TD_PARTY_NOBODY,
	    "The client offered to resume a session (pre-shared key) but the server did a "
	    "full handshake: resumption was refused.");
	finding_evidence(f, "the ClientHello offered %u pre_shared_key identit%s", ids,
			 ids == 1 ? "y" : "ies");
	finding_evidence(f, "the ServerHello selected none (no pre_shared_key extension)");
	if (c->early_data == TD_EARLY_REJECTED)
		finding_evidence(f, "the client's 0-RTT early data was skipped with it");
	finding_fix(f, "If resumption was expected: the server could not use the ticket. Its "
		    "ticket keys rotated or are not shared between server instances (behind a "
		    "load balancer), or the ticket expired or was used once already "
		    "(single-use tickets with 0-RTT anti-replay).");
	return true;
}

const struct rule td_rules[] = {
	{ "TCP_CONNECTION_REFUSED", rule_refused, false },
	{ "TCP_NO_ANSWER", rule_no_answer, false },
	/* Before TLS: the STARTTLS exchange (rules_starttls.c); the refusal
	 * is the cause, the plaintext that followed its consequence. */
	{ "STARTTLS_REFUSED", rule_starttls_refused, false },
	{ "STARTTLS_NOT_OFFERED", rule_starttls_not_offered, false },
	{ "STARTTLS_NOT_USED", rule_starttls_not_used, false },
	{ "STARTTLS_SERVER_CLOSED", rule_starttls_server_closed, false },
	{ "PLAINTEXT_AFTER_TLS_FAILURE", rule_plaintext_after_failure, false },
	{ "PLAINTEXT_TO_TLS_PORT", rule_plaintext, false },
	{ "NOT_TLS", rule_not_tls, false },
	{ "QUIC_NO_ANSWER", rule_quic_no_answer, false },
	{ "CLIENTHELLO_BLACKHOLE", rule_clienthello_blackhole, false },
	{ "QUIC_VERSION_NEGOTIATION", rule_quic_version_negotiation, false },
	{ "QUIC_TRANSPORT_ERROR", rule_quic_transport_error, false },
	{ "SERVER_SILENT", rule_server_silent, false },
	{ "PROTOCOL_VERSION_MISMATCH", rule_version, false },
	{ "NO_SHARED_CIPHER", rule_cipher, false },
	{ "ALPN_MISMATCH", rule_alpn, false },
	{ "SERVER_CERT_EXPIRED", rule_server_expired, false },
	{ "SERVER_CERT_NOT_YET_VALID", rule_server_not_yet_valid, false },
	{ "SERVER_CHAIN_INCOMPLETE", rule_chain_incomplete, false },
	{ "SERVER_CERT_WRONG_USAGE", rule_server_usage, false },
	{ "SERVER_CERT_NOT_ACCEPTABLE", rule_server_not_acceptable, false },
	{ "WEAK_KEY", rule_weak_key, false },
	{ "WEAK_SIGNATURE", rule_weak_signature, false },
	{ "SERVER_CERT_NO_SAN", rule_no_san, false },
	{ "HOSTNAME_MISMATCH", rule_hostname, false },
	{ "SERVER_CERT_UNTRUSTED", rule_server_untrusted, false },
	{ "CLIENT_ABORTED_AFTER_CERT_REQUEST", rule_client_aborted, false },
	/* Refusals after the handshake (rules_app.c): before the handshake
	 * rules of the same codes, which then stay silent (one finding per
	 * code, diagnose.c). */
	{ "CLIENT_CERT_MISSING", rule_app_cert_missing, false },
	{ "CLIENT_CERT_EXPIRED", rule_app_cert_expired, false },
	{ "CLIENT_CERT_UNTRUSTED", rule_app_cert_untrusted, false },
	{ "CLIENT_CERT_REJECTED", rule_app_cert_rejected, false },
	{ "CLIENT_CERT_MISSING", rule_client_cert_missing, false },
	{ "CLIENT_CERT_EXPIRED", rule_client_expired, false },
	{ "CLIENT_CERT_NOT_YET_VALID", rule_client_not_yet_valid, false },
	{ "CLIENT_CERT_WRONG_USAGE", rule_client_usage, false },
	{ "CLIENT_CERT_NOT_ACCEPTABLE", rule_client_not_acceptable, false },
	{ "CLIENT_CERT_UNTRUSTED", rule_client_untrusted, false },
	{ "CLIENT_KEY_MISMATCH", rule_key_mismatch, false },
	/* The side and the step known, the reason not (issue 15 Must 3):
	 * before the codes that know even less. */
	{ "SERVER_CERT_REJECTED", rule_server_rejected, true },
	{ "CLIENT_CERT_REJECTED", rule_later_rejected, true },
	{ "CLIENT_CERT_MISSING", rule_client_missing_inferred, true },
	{ "CLIENT_CERT_REJECTED", rule_client_rejected, true },
	{ "ENCRYPTED_ALERT", rule_encrypted_alert, true },
	{ "HANDSHAKE_ABORTED", rule_aborted, true },
	{ "FATAL_ALERT", rule_fatal_alert, true },
	{ "CLOSED_WITHOUT_DATA", rule_closed_without_data, false },
	{ "CLIENT_CERT_ISSUER_NOT_LISTED", rule_issuer_not_listed, false },
	{ "EMPTY_CA_LIST", rule_empty_ca_list, false },
	{ "CERT_EXPIRING_SOON", rule_expiring_soon, false },
	{ "DEPRECATED_VERSION", rule_deprecated_version, false },
	{ "WEAK_CIPHER", rule_weak_cipher, false },
	{ "RESUMED", rule_resumed, false },
	{ "RESUMPTION_REFUSED", rule_resumption_refused, false },
	{ "HELLO_RETRY", rule_hrr, false },
};
const size_t td_rules_count = sizeof td_rules / sizeof td_rules[0];
