/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_reject.c - who refused what, when the reason itself is out of
 * sight (issue 15, Must 1 and 3; see rules.h):
 *
 *   CLOSED_WITHOUT_DATA   the client completed the handshake and left
 *                         without a byte of data, and nothing says it
 *                         refused anything (td_fate.quit TD_QUIT_CLOSED):
 *                         a probe, a health check.  A warning at most.
 *   SERVER_CERT_REJECTED  the client refused the server's certificate:
 *                         its alert right after the server's flight, a
 *                         generic alert about a certificate it could not
 *                         show us (TLS 1.3 without keys), or its prompt
 *                         leaving after the handshake (TD_QUIT_REJECTED);
 *                         the reason needs the certificate.
 *   CLIENT_CERT_REJECTED  the server refused the client's certificate, or
 *                         its absence: its unreadable alert right after
 *                         the client's flight, once it had asked for one.
 *
 * Both REJECTED codes are inferred and come late in the table (fallback):
 * a rule that names the reason goes first.  When a certificate of the
 * same server seen earlier in the capture (TLS 1.2, or a keyed
 * connection: struct server_memory) explains the refusal, the specific
 * code is given instead, still inferred.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hostname.h"
#include "infer.h"
#include "packet.h"
#include "rules.h"
#include "tls_names.h"

/* How the client left (td_fate.quit_at), in words. */
static const char *leaving_words(const struct dx *x, const struct td_event *e)
{
	switch (e->kind) {
	case TD_EV_ALERT:
		if (!e->encrypted || e->decrypted)
			return e->alert_desc == TD_ALERT_CLOSE_NOTIFY ? "a close_notify alert"
								     : "an alert";
		return "an encrypted alert";
	case TD_EV_TCP_FIN:
		return "a TCP FIN";
	case TD_EV_TCP_RST:
		return "a TCP RST";
	default:
		return x->tls13 ? "a protected record of an alert's size (inferred)"
				: "a record";
	}
}

/* Then how it closed TCP, if that was not its leaving event. */
static void closed_too(const struct dx *x, struct finding *f, size_t at)
{
	const struct td_conn *c = x->c;
	for (size_t i = at + 1; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->dir == TD_DIR_C2S && (e->kind == TD_EV_TCP_FIN || e->kind == TD_EV_TCP_RST)) {
			finding_evidence(f, "then it closed TCP (%s)",
					 e->kind == TD_EV_TCP_RST ? "RST" : "FIN");
			finding_event(f, i);
			return;
		}
	}
}

bool rule_closed_without_data(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	const struct td_fate *fa = &c->fate;
	if (fa->quit != TD_QUIT_CLOSED || fa->quit_at >= c->n_events)
		return false;
	const struct td_event *e = &c->events[fa->quit_at];
	const char *how = leaving_words(x, e);
	/* Nobody gave up: the handshake succeeded; the summary says who
	 * closed and how. */
	finding_set(f, TD_SEV_WARNING, TD_STAGE_AFTER_HANDSHAKE, TD_PARTY_NOBODY,
	    "The client completed the handshake and closed the connection without sending any "
	    "data (%s).", how);
	/* The handshake's end or the close_notify known by sizes alone. */
	if (x->tls13 && !c->decrypted)
		finding_inferred(f);
	finding_evidence(f, "the client sent %s right after the handshake, before any "
			 "application data", how);
	finding_event(f, fa->quit_at);
	closed_too(x, f, fa->quit_at);
	/* Why leaving is no refusal here (fate.c, judge_quit). */
	bool bare = e->kind == TD_EV_TCP_FIN || e->kind == TD_EV_TCP_RST;
	bool upgraded = c->cleartext[TD_DIR_C2S] || c->starttls.result == TD_STLS_UPGRADED;
	if ((c->ch.alpn.n > 0 || upgraded) && bare)
		finding_evidence(f, "it meant to speak an application protocol (ALPN or a cleartext "
				 "upgrade) but dropped the connection without any alert: a spare "
				 "connection closed (browsers race two to a server), not a refusal");
	else if (c->ch.alpn.n > 0 || upgraded)
		finding_evidence(f, "it left a while after the handshake, not at once: an idle "
				 "connection closed, not a refusal");
	else
		finding_evidence(f, "it offered no ALPN and nothing shows it refused the server's "
				 "certificate: this is how a probe (openssl s_client </dev/null) or a "
				 "load balancer's TLS health check ends");
	char addr[64];
	bool by_ip;
	const char *name = dx_asked_name(c, addr, sizeof addr, &by_ip);
	if (by_ip && x->server_leaf && x->server_leaf->parsed &&
	    td_hostname_match(x->server_leaf, name) != TD_NAME_MATCH) {
		char sans[300];
		dx_san_list(x->server_leaf, sans, sizeof sans);
		finding_evidence(f, "the client sent no SNI, so the name it checked (if any) is "
				 "unknown: the certificate names %s, not the address %s; not checked",
				 sans, name);
	}
	finding_fix(f, "Nothing to do if this is a health check or a probe; otherwise the "
	    "client's own log says why it closed without a request.");
	return true;
}

/* ---- what an earlier connection to the same server showed ------------- */

/* The leaf this server sent earlier in the capture, if it fits this
 * connection: the server sent only that one, or sent it for the same
 * SNI.  NULL when nothing is known. */
static const struct td_cert *remembered_leaf(const struct dx *x)
{
	const struct server_memory *m = x->mem;
	if (!m || !m->leaf || !m->leaf->parsed)
		return NULL;
	if (!m->leaves_differ)
		return m->leaf;
	const char *sni = x->c->ch.sni;
	bool same = (!sni && !m->leaf_sni) || (sni && m->leaf_sni && strcmp(sni, m->leaf_sni) == 0);
	return same ? m->leaf : NULL;
}

/* A certificate seen elsewhere explains the client's refusal: the
 * specific code (rewritten in f->code), its summary and evidence; false
 * when it does not. */
static bool explain_from_memory(const struct dx *x, struct finding *f, enum td_stage stage)
{
	const struct td_conn *c = x->c;
	const struct td_cert *leaf = remembered_leaf(x);
	if (!leaf)
		return false;
	char sans[300], when[40];
	dx_san_list(leaf, sans, sizeof sans);
	const char *sni = c->ch.sni;
	enum td_name_match m = sni ? td_hostname_match(leaf, sni) : TD_NAME_MATCH;
	if (m == TD_NAME_MISMATCH || m == TD_NAME_NO_NAMES) {
		f->code = "HOSTNAME_MISMATCH";
		finding_set(f, TD_SEV_ERROR, stage, TD_PARTY_CLIENT,
		    "The client most likely refused the server certificate because it does not cover "
		    "the name the client asked for (%s).", sni);
		finding_evidence(f, "the client asked for %s", sni);
		finding_evidence(f, "earlier in this capture the same server sent '%s', which names "
				 "%s", leaf->subject ? leaf->subject : "?", sans);
		finding_fix(f, "Call the server by a name its certificate holds, or reissue the "
		    "certificate with subjectAltName DNS:%s.", sni);
		return true;
	}
	bool expired = x->at > leaf->not_after, early = x->at < leaf->not_before;
	if (expired || early) {
		struct tm tm;
		time_t t = (time_t)(expired ? leaf->not_after : leaf->not_before);
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
		f->code = expired ? "SERVER_CERT_EXPIRED" : "SERVER_CERT_NOT_YET_VALID";
		finding_set(f, TD_SEV_ERROR, stage, TD_PARTY_CLIENT,
		    expired ? "The client most likely refused the server certificate because it "
			      "had expired."
			    : "The client most likely refused the server certificate because it "
			      "was not yet valid.");
		finding_evidence(f, "earlier in this capture the same server sent '%s', valid %s %s",
				 leaf->subject ? leaf->subject : "?", expired ? "until" : "from", when);
		finding_fix(f, "Renew the server certificate (or fix the server's clock) and reload "
		    "the server.");
		return true;
	}
	const struct server_memory *mem = x->mem;
	if (mem->chain == TD_CHAIN_UNKNOWN_ROOT || mem->chain == TD_CHAIN_MISSING_ISSUER) {
		f->code = "SERVER_CERT_UNTRUSTED";
		finding_set(f, TD_SEV_ERROR, stage, TD_PARTY_CLIENT,
		    "The client most likely does not trust the server's certificate chain.");
		finding_evidence(f, "earlier in this capture the same server sent '%s'; its chain "
				 "did not validate: %s", leaf->subject ? leaf->subject : "?",
				 mem->chain_reason);
		finding_fix(f, "Add the root CA of the server's chain to the client's trust store, or "
		    "have the server use a certificate from a CA the client trusts.");
		return true;
	}
	return false;
}

/* The key log advice, when the cause needs the certificate. */
static void keylog_fix(const struct dx *x, struct finding *f, const char *meanwhile)
{
	if (x->keylog_given)
		finding_fix(f, "The key log given (-k) holds no secrets for this connection: give the "
		    "key log this client wrote for it (SSLKEYLOGFILE) to see the certificate and "
		    "the exact reason; meanwhile %s.", meanwhile);
	else
		finding_fix(f, "Run tlsdiag with -k and the client's key log (SSLKEYLOGFILE; capture "
		    "again keeping it if needed) to see the certificate and the exact reason; "
		    "meanwhile %s.", meanwhile);
}

/* The packets that show a QUIC client refused the server (fate.c says
 * why they do). */
static void quic_evidence(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	const struct td_quic_conn *q = &c->quic;
	unsigned long long sh = q->packets[TD_DIR_S2C][TD_QP_HANDSHAKE],
			   ch = q->packets[TD_DIR_C2S][TD_QP_HANDSHAKE];
	finding_evidence(f, "the server sent its flight after the ServerHello: %llu Handshake "
			 "packet%s (its certificate among them, encrypted)", sh, sh == 1 ? "" : "s");
	finding_evidence(f, "the client answered with %llu Handshake packet%s and never sent a "
			 "1-RTT packet: a client that accepts the server's flight derives its "
			 "1-RTT keys and sends 1-RTT packets after its Finished", ch,
			 ch == 1 ? "" : "s");
	uint64_t t0 = q->last_dgram_us[TD_DIR_S2C], t1 = q->last_dgram_us[TD_DIR_C2S];
	finding_evidence(f, "the client's last packet, a Handshake packet %.1f ms after the "
			 "server's last, ended the exchange: most likely its CONNECTION_CLOSE "
			 "with a crypto error, unreadable without keys",
			 t1 > t0 ? (double)(t1 - t0) / 1000.0 : 0.0);
	/* The client's last Handshake packet in the timeline, if kept. */
	for (size_t i = c->n_events; i-- > 0;) {
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_QUIC_PACKET && e->dir == TD_DIR_C2S) {
			if (e->quic_type == TD_QP_HANDSHAKE)
				finding_event(f, i);
			break;
		}
	}
}

/* Alerts that say "your certificate" without saying why (Go, Chromium
 * and Python send bad_certificate or certificate_unknown for an unknown
 * root, a wrong name and an expired certificate alike). */
static bool generic_cert_alert(uint8_t desc)
{
	return desc == TD_ALERT_BAD_CERTIFICATE || desc == TD_ALERT_CERTIFICATE_UNKNOWN ||
	       desc == TD_ALERT_UNSUPPORTED_CERTIFICATE;
}

bool rule_server_rejected(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	const struct td_fate *fa = &c->fate;
	bool after = fa->quit == TD_QUIT_REJECTED;
	/* A generic alert in clear about a certificate we cannot see. */
	bool generic = x->hidden && dx_client_rejected_server_cert(x) &&
		       generic_cert_alert(x->fatal->alert_desc);
	/* TLS 1.3 without keys: an unreadable alert from the client after
	 * the server's flight, instead of its own (no Finished of its own:
	 * after that, the handshake was over on its side). */
	bool unread = x->hidden && !x->fatal && x->failed && x->enc_alert &&
		      x->enc_alert->dir == TD_DIR_C2S && !c->handshake_done &&
		      td_infer_find(c, td_inf_finished, TD_DIR_C2S, 0) < 0 && !c->finished[TD_DIR_C2S];
	/* QUIC without keys: Handshake packets alone from the client, then
	 * its silence (fate.c, td_fate_quic_refused()). */
	bool quic = c->fate.quic_refused && !x->fatal;
	if (!after && !generic && !unread && !quic)
		return false;
	enum td_stage stage = after ? TD_STAGE_AFTER_HANDSHAKE : TD_STAGE_SERVER_CERTIFICATE;
	finding_inferred(f);
	if (explain_from_memory(x, f, stage)) {
		/* (its evidence is written; the client's part follows) */
	} else if (after) {
		finding_set(f, TD_SEV_ERROR, stage, TD_PARTY_CLIENT,
		    "The client refused the server right after the handshake (inferred: most "
		    "likely its certificate's name or chain, checked once the handshake was done).");
	} else {
		finding_set(f, TD_SEV_ERROR, stage, TD_PARTY_CLIENT,
		    "The client refused the server's certificate (inferred: the reason, an unknown "
		    "CA, a wrong name or an expired certificate, needs the certificate).");
	}
	if (after) {
		const struct td_event *e = &c->events[fa->quit_at];
		finding_evidence(f, "the client sent %s right after the handshake, without sending "
				 "any data", leaving_words(x, e));
		finding_event(f, fa->quit_at);
		if (fa->quit_sign == TD_SIGN_ALERT)
			finding_evidence(f, "it sent an alert that is not close_notify");
		else if (fa->quit_sign == TD_SIGN_APP_PROTOCOL && c->ch.alpn.n > 0)
			finding_evidence(f, "it had offered ALPN %s%s: it meant to send a request, and "
					 "left instead", c->ch.alpn.v[0], c->ch.alpn.n > 1 ? ", ..." : "");
		else if (fa->quit_sign == TD_SIGN_APP_PROTOCOL && c->starttls.proto != TD_STLS_NONE)
			finding_evidence(f, "it had upgraded a %s exchange to TLS (STARTTLS): it meant "
					 "to go on, and left instead",
					 td_starttls_proto_label(c->starttls.proto));
		else if (fa->quit_sign == TD_SIGN_APP_PROTOCOL)
			finding_evidence(f, "it had asked for TLS in a cleartext exchange (\"%s\"): it "
					 "meant to go on, and left instead", c->cleartext[TD_DIR_C2S]);
		closed_too(x, f, fa->quit_at);
	} else if (quic) {
		quic_evidence(x, f);
	} else if (generic) {
		finding_evidence(f, "the client sent a fatal %s alert after the server's encrypted "
				 "flight: a generic alert, and the certificate is encrypted (TLS 1.3)",
				 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
		finding_event(f, x->fatal_idx);
	} else {
		finding_evidence(f, "a protected record of %u bytes from the client after the "
				 "server's flight, the size of an encrypted alert", x->enc_alert->length);
		long fin = td_infer_find(c, td_inf_finished, TD_DIR_S2C, 0);
		if (fin >= 0) {
			uint64_t t0 = c->events[fin].ts_us, t1 = x->enc_alert->ts_us;
			finding_evidence(f, "the client sent it %.1f ms after the server's flight ended "
					 "(its Finished, inferred)",
					 t1 > t0 ? (double)(t1 - t0) / 1000.0 : 0.0);
			finding_event(f, (size_t)fin);
		}
		finding_event(f, x->enc_alert_idx);
	}
	if (!f->fix[0])
		keylog_fix(x, f, after && !c->ch.sni
			? "check that the client calls the server by a name in its certificate, not "
			  "by its address (it sent no SNI)"
			: "check the server certificate's names, dates and chain against what the "
			  "client expects and trusts");
	return true;
}

/* The packets that show a QUIC server refused the client's flight
 * (fate.c, td_fate_quic_server_refused(), says why they do). */
static void quic_server_evidence(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	const struct td_quic_conn *q = &c->quic;
	unsigned long long ch = q->packets[TD_DIR_C2S][TD_QP_HANDSHAKE];
	finding_evidence(f, "the client answered the server's flight with %llu Handshake "
			 "packet%s (its Certificate, if any, and Finished: encrypted), then sent "
			 "1-RTT packets: it accepted the server", ch, ch == 1 ? "" : "s");
	finding_evidence(f, "the server then sent Handshake packets again and never a datagram "
			 "of 1-RTT packets alone: a server that accepts the client's Finished "
			 "drops its Handshake keys and speaks 1-RTT only; one that refuses the "
			 "client's flight closes in a Handshake packet (its CONNECTION_CLOSE with "
			 "a crypto error, unreadable without keys)");
	/* The server's last Handshake packet in the timeline, if kept. */
	for (size_t i = c->n_events; i-- > 0;) {
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_QUIC_PACKET && e->dir == TD_DIR_S2C &&
		    e->quic_type == TD_QP_HANDSHAKE) {
			finding_event(f, i);
			break;
		}
	}
}

/* The fix of a refusal by the server seen without keys: the key log,
 * and meanwhile what the client's certificate (empty: none sent) needs. */
static void refused_fix(const struct dx *x, struct finding *f, bool empty)
{
	const char *meanwhile = empty
		? "give the client a certificate and key issued by a CA the server accepts (curl "
		  "--cert/--key, openssl s_client -cert/-key)"
		: "check that the client's certificate is issued by a CA the server trusts and is "
		  "valid now";
	if (x->keylog_given)
		finding_fix(f, "The key log given (-k) holds no secrets for this connection: give the "
		    "key log this client wrote for it (SSLKEYLOGFILE) to see the server's alert; "
		    "meanwhile %s.", meanwhile);
	else
		finding_fix(f, "Run tlsdiag with -k and the client's key log (SSLKEYLOGFILE; capture "
		    "again keeping it if needed) to see the server's alert; meanwhile %s.", meanwhile);
}

/* The server refused the client after its flight (TLS 1.3 without keys).
 * empty_only: only when the client's Certificate record has the size of
 * an empty one (CLIENT_CERT_MISSING, inferred: the most specific code the
 * sizes support, issue 15 Must 3); else only when it does not
 * (CLIENT_CERT_REJECTED). */
static bool client_refused(const struct dx *x, struct finding *f, bool empty_only)
{
	const struct td_conn *c = x->c;
	/* QUIC: the packet sizes cannot tell an empty Certificate (ACKs and
	 * padding share the packets), so never CLIENT_CERT_MISSING. */
	bool quic = c->fate.quic_server_refused && !x->fatal && !c->client_chain.present;
	if (quic && !empty_only) {
		finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_SERVER,
		    "The server refused the client's certificate or its absence (inferred: "
		    "unknown CA, expired or missing).");
		finding_inferred(f);
		quic_server_evidence(x, f);
		refused_fix(x, f, false);
		return true;
	}
	if (!x->enc_alert || x->enc_alert->dir != TD_DIR_S2C || x->fatal || !x->failed ||
	    !c->sh.present || c->handshake_done || c->client_chain.present)
		return false;
	/* The client's flight went (its protected records) and the server had
	 * asked for a certificate (seen, or known by the size of a record of
	 * its flight), or the client's flight holds one (or an empty one). */
	long empty = td_infer_find(c, td_inf_empty_certificate, TD_DIR_C2S, 0);
	long cert = td_infer_find(c, td_inf_certificate, TD_DIR_C2S, 0);
	long req = td_infer_find(c, td_inf_cert_request, TD_DIR_S2C, 0);
	bool flight = c->side[TD_DIR_C2S].encrypted_records > 0 || c->finished[TD_DIR_C2S];
	if (!flight || (req < 0 && !c->cr.present && empty < 0 && cert < 0))
		return false;
	if (empty_only != (empty >= 0))
		return false;
	finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_SERVER,
	    empty >= 0 ? "The server refused the client after its flight, which held an empty "
			 "Certificate (inferred: the server requires a client certificate)."
		       : "The server refused the client's certificate or its absence (inferred: "
			 "unknown CA, expired or missing).");
	finding_inferred(f);
	if (req >= 0) {
		finding_evidence(f, "the server's flight holds a %u-byte record, the size of a "
				 "CertificateRequest (inferred)", c->events[req].length);
		finding_event(f, (size_t)req);
	}
	if (empty >= 0) {
		finding_evidence(f, "the client's Certificate record is %u bytes, the size of an "
				 "empty Certificate message (inferred: it had no certificate to send)",
				 c->events[empty].length);
		finding_event(f, (size_t)empty);
	} else if (cert >= 0) {
		finding_evidence(f, "the client's flight holds a %u-byte record, large enough for a "
				 "certificate (inferred)", c->events[cert].length);
		finding_event(f, (size_t)cert);
	}
	finding_evidence(f, "then a protected record of %u bytes from the server, the size of an "
			 "encrypted alert", x->enc_alert->length);
	finding_event(f, x->enc_alert_idx);
	if (x->close) {
		finding_evidence(f, "then the %s closed the connection", td_party_name(x->closer));
		finding_event(f, x->close_idx);
	}
	refused_fix(x, f, empty >= 0);
	return true;
}

bool rule_client_missing_inferred(const struct dx *x, struct finding *f)
{
	return client_refused(x, f, true);
}

bool rule_client_rejected(const struct dx *x, struct finding *f)
{
	return client_refused(x, f, false);
}
