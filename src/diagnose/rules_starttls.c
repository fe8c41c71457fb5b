/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_starttls.c - diagnoses of the plaintext exchange before a
 * STARTTLS upgrade (issue 17; see rules.h), stage "starttls".
 *
 * They read the facts the recogniser computed once (conn.h: struct
 * td_starttls) and point at its steps (TD_EV_STARTTLS events, by role).
 * The server's own words are quoted: a refusal's text names the cause
 * ("454 4.7.0 TLS not available due to local problem"), and --redact
 * replaces the names in it like any free text (redact.h).
 *
 *   STARTTLS_REFUSED             the server said no
 *   STARTTLS_NOT_OFFERED         its capabilities lacked it; the client
 *                                never asked
 *   STARTTLS_NOT_USED            it offered it; the client went on in
 *                                plaintext without asking (a warning: a
 *                                security finding, no failure)
 *   STARTTLS_SERVER_CLOSED       it closed when asked
 *   PLAINTEXT_AFTER_TLS_FAILURE  the client went on in cleartext after a
 *                                refusal or without an offer: a security
 *                                finding (credentials, mail, queries in
 *                                clear)
 */
#include "config.h"

#include <stdio.h>

#include "rules.h"

/* The first STARTTLS step of this role, SIZE_MAX when none. */
static size_t step_of(const struct td_conn *c, enum td_stls_role role)
{
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].kind == TD_EV_STARTTLS && c->events[i].content_type == role)
			return i;
	return SIZE_MAX;
}

static void point(struct finding *f, size_t idx)
{
	if (idx != SIZE_MAX)
		finding_event(f, idx);
}

static const char *label(const struct td_conn *c)
{
	return td_starttls_proto_label(c->starttls.proto);
}

/* What the client's request was, as sent. */
static const char *ask_text(const struct td_conn *c)
{
	size_t i = step_of(c, TD_STLS_ASK);
	return i != SIZE_MAX && c->events[i].detail ? c->events[i].detail : "STARTTLS";
}

/* How to turn TLS on in the server of this protocol. */
static const char *server_fix(enum td_starttls_proto p)
{
	switch (p) {
	case TD_STLS_SMTP:
		return "give the SMTP server a certificate and key and enable STARTTLS (Postfix: "
		       "smtpd_tls_cert_file, smtpd_tls_key_file, smtpd_tls_security_level = may); a "
		       "454 means its TLS setup failed: its log names the file it could not load";
	case TD_STLS_IMAP:
	case TD_STLS_POP3:
		return "enable TLS in the mail server (Dovecot: ssl = yes with ssl_cert and ssl_key); "
		       "its log says why it refused";
	case TD_STLS_FTP:
		return "enable TLS in the FTP server (vsftpd: ssl_enable=YES with rsa_cert_file and "
		       "rsa_private_key_file)";
	case TD_STLS_LDAP:
		return "give the directory a certificate and key (slapd: olcTLSCertificateFile and "
		       "olcTLSCertificateKeyFile); the resultCode and message say what it lacks";
	case TD_STLS_XMPP:
		return "give the XMPP server a certificate for the domain and enable TLS on its "
		       "client or server-to-server port";
	case TD_STLS_POSTGRES:
		return "set ssl = on in postgresql.conf with ssl_cert_file and ssl_key_file, and "
		       "reload the server";
	case TD_STLS_MYSQL:
		return "give the MySQL/MariaDB server ssl_cert and ssl_key (and ssl_ca) so its "
		       "greeting offers CLIENT_SSL";
	case TD_STLS_NONE:
		break;
	}
	return "enable TLS on the server";
}

/* How to make the client refuse to go on without TLS. */
static const char *client_fix(enum td_starttls_proto p)
{
	switch (p) {
	case TD_STLS_SMTP:
		return "make the client require TLS (curl --ssl-reqd; Postfix as a client: "
		       "smtp_tls_security_level = encrypt or verify)";
	case TD_STLS_IMAP:
	case TD_STLS_POP3:
	case TD_STLS_FTP:
		return "make the client require TLS (curl --ssl-reqd; the mail or FTP client's "
		       "\"require STARTTLS\" setting)";
	case TD_STLS_LDAP:
		return "make the client require StartTLS (ldapsearch -ZZ, not -Z; TLS_REQCERT demand)";
	case TD_STLS_XMPP:
		return "make the client or peer server require TLS on the stream";
	case TD_STLS_POSTGRES:
		return "make the client require TLS: sslmode=verify-full (or require), never prefer "
		       "or allow";
	case TD_STLS_MYSQL:
		return "make the client require TLS: --ssl-mode=VERIFY_IDENTITY (MySQL) or "
		       "--ssl-verify-server-cert (MariaDB)";
	case TD_STLS_NONE:
		break;
	}
	return "make the client require TLS";
}

/* A quote of the facts, "" when there is none. */
static const char *quoted(const char *q)
{
	return q ? q : "";
}

bool rule_starttls_refused(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (c->starttls.result != TD_STLS_REFUSED)
		return false;
	finding_set(f, TD_SEV_ERROR, TD_STAGE_STARTTLS, TD_PARTY_SERVER,
	    "The %s server refused to start TLS: \"%s\".", label(c),
	    c->starttls.answer ? c->starttls.answer : "no");
	size_t ask = step_of(c, TD_STLS_ASK), answer = step_of(c, TD_STLS_ANSWER);
	finding_evidence(f, "the client asked to upgrade (\"%s\")", ask_text(c));
	point(f, ask);
	finding_evidence(f, "the server answered \"%s\"", quoted(c->starttls.answer));
	point(f, answer);
	if (c->starttls.offered)
		finding_evidence(f, "its capabilities had offered the upgrade");
	if (c->starttls.plaintext_after)
		finding_evidence(f, "the client then went on in plaintext (\"%s\")", quoted(c->starttls.after));
	finding_fix(f, "On the server: %s.", server_fix(c->starttls.proto));
	return true;
}

bool rule_starttls_not_offered(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (c->starttls.result != TD_STLS_NOT_OFFERED)
		return false;
	bool went_on = c->starttls.plaintext_after;
	/* Who ended it: the client that leaves after capabilities without
	 * the upgrade, or a server that ends the session itself before the
	 * client could ask (an XMPP server with no features to offer sends a
	 * stream error and closes: its words are the answer). */
	bool server_ended = !went_on && x->close && x->closer == TD_PARTY_SERVER;
	finding_set(f, TD_SEV_ERROR, TD_STAGE_STARTTLS,
	    went_on ? TD_PARTY_NOBODY : server_ended ? TD_PARTY_SERVER : TD_PARTY_CLIENT,
	    "The %s server does not offer TLS (STARTTLS is not among its capabilities), so the "
	    "connection %s.", label(c), went_on ? "went on in plaintext" : "never upgraded");
	finding_evidence(f, "the server's capabilities lacked the upgrade, and the client did not "
			 "ask for it");
	if (c->starttls.answer)
		finding_evidence(f, "the server ended the session instead: \"%s\"", c->starttls.answer);
	if (server_ended) {
		finding_evidence(f, "the server closed the connection first");
		point(f, x->close_idx);
	}
	if (went_on) {
		finding_evidence(f, "the client went on in plaintext (\"%s\")", quoted(c->starttls.after));
		point(f, step_of(c, TD_STLS_AFTER));
	}
	finding_fix(f, "On the server: %s; on the client: %s.", server_fix(c->starttls.proto),
		    client_fix(c->starttls.proto));
	return true;
}

bool rule_starttls_not_used(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (c->starttls.result != TD_STLS_NOT_USED)
		return false;
	finding_set(f, TD_SEV_WARNING, TD_STAGE_STARTTLS, TD_PARTY_CLIENT,
	    "The %s server offered TLS but the client did not ask for it and went on in "
	    "plaintext: what it sends (credentials, mail, queries) crosses the network "
	    "unencrypted.", label(c));
	finding_evidence(f, "the server's capabilities offered the upgrade");
	finding_evidence(f, "the client sent \"%s\" in plaintext instead of asking",
			 quoted(c->starttls.after));
	point(f, step_of(c, TD_STLS_AFTER));
	finding_fix(f, "On the client: %s.", client_fix(c->starttls.proto));
	return true;
}

bool rule_starttls_server_closed(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (c->starttls.result != TD_STLS_SERVER_CLOSED)
		return false;
	finding_set(f, TD_SEV_ERROR, TD_STAGE_STARTTLS, TD_PARTY_SERVER,
	    "The %s server closed the connection when the client asked to start TLS.", label(c));
	finding_evidence(f, "the client asked to upgrade (\"%s\")", ask_text(c));
	point(f, step_of(c, TD_STLS_ASK));
	finding_evidence(f, "the server closed the connection without answering");
	if (x->close && x->closer == TD_PARTY_SERVER)
		point(f, x->close_idx);
	finding_fix(f, "Look at the server's log: a server whose TLS setup fails (a certificate or "
		    "key it cannot read) often drops the connection here; a firewall or proxy that "
		    "strips STARTTLS does the same. On the server: %s.", server_fix(c->starttls.proto));
	return true;
}

bool rule_plaintext_after_failure(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->starttls.plaintext_after || c->starttls.result == TD_STLS_UPGRADED ||
	    c->starttls.result == TD_STLS_NOT_USED)
		return false;
	finding_set(f, TD_SEV_ERROR, TD_STAGE_STARTTLS, TD_PARTY_NOBODY,
	    "The client went on in plaintext after TLS %s: what it sends next (credentials, "
	    "mail, queries) crosses the network unencrypted.",
	    c->starttls.result == TD_STLS_REFUSED ? "was refused" : "was not offered");
	if (c->starttls.result == TD_STLS_REFUSED) {
		finding_evidence(f, "the server refused the upgrade (\"%s\")", quoted(c->starttls.answer));
		point(f, step_of(c, TD_STLS_ANSWER));
	} else {
		finding_evidence(f, "the server's capabilities lacked the upgrade");
	}
	finding_evidence(f, "the client then sent \"%s\" in plaintext", quoted(c->starttls.after));
	point(f, step_of(c, TD_STLS_AFTER));
	finding_fix(f, "On the client: %s, so that it stops instead of going on in the clear.",
		    client_fix(c->starttls.proto));
	return true;
}
