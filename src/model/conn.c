/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conn.c - the connection model (see conn.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "conn.h"
#include "tls_registry.h"

/* Events of a timeline's first allocation (td_conn_add_event doubles it). */
#define EVENTS_FIRST 4u

struct td_conn *td_conn_new(uint64_t id)
{
	struct td_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->id = id;
	c->fate.end = c->fate.fatal = c->fate.alert = c->fate.first_close = SIZE_MAX;
	c->fate.root = c->fate.reaction = c->fate.quit_at = SIZE_MAX;
	return c;
}

void td_client_hello_cleanup(struct td_client_hello *ch)
{
	td_u16list_cleanup(&ch->versions);
	td_u16list_cleanup(&ch->suites);
	td_u16list_cleanup(&ch->extensions);
	td_u16list_cleanup(&ch->groups);
	td_u16list_cleanup(&ch->key_share_groups);
	td_u16list_cleanup(&ch->sig_algs);
	td_u16list_cleanup(&ch->compression);
	td_u16list_cleanup(&ch->cert_compression);
	td_strlist_cleanup(&ch->alpn);
	free(ch->sni);
	free(ch->ja4_r);
	free(ch->quic_tp);
	memset(ch, 0, sizeof *ch);
}

void td_server_hello_cleanup(struct td_server_hello *sh)
{
	td_u16list_cleanup(&sh->extensions);
	free(sh->alpn);
	free(sh->quic_tp);
	memset(sh, 0, sizeof *sh);
}

void td_cert_request_cleanup(struct td_cert_request *cr)
{
	td_u16list_cleanup(&cr->cert_types);
	td_u16list_cleanup(&cr->sig_algs);
	td_strlist_cleanup(&cr->ca_names);
	memset(cr, 0, sizeof *cr);
}

void td_chain_cleanup(struct td_chain *chain)
{
	for (size_t i = 0; i < chain->n; i++)
		td_cert_unref(chain->certs[i]);
	memset(chain, 0, sizeof *chain);
}

void td_starttls_cleanup(struct td_starttls *s)
{
	free(s->answer);
	free(s->after);
	s->answer = s->after = NULL;
}

void td_conn_free(struct td_conn *c)
{
	if (!c)
		return;
	td_client_hello_cleanup(&c->ch);
	td_server_hello_cleanup(&c->sh);
	td_cert_request_cleanup(&c->cr);
	td_chain_cleanup(&c->server_chain);
	td_chain_cleanup(&c->client_chain);
	for (size_t i = 0; i < c->n_events; i++) {
		free(c->events[i].detail);
		td_app_msg_free(c->events[i].app);
	}
	free(c->events);
	td_anomalies_cleanup(&c->anomalies);
	free(c->cleartext[0]);
	free(c->cleartext[1]);
	td_starttls_cleanup(&c->starttls);
	for (size_t i = 0; i < c->n_diags; i++)
		td_diagnosis_cleanup(&c->diags[i]);
	free(c->diags);
	free(c);
}

enum td_result td_conn_add_event(struct td_conn *c, const struct td_event *ev,
				 struct td_event **out)
{
	if (out)
		*out = NULL;
	c->changes++;
	if (c->n_events >= TD_CAP_EVENTS) {
		c->dropped_events++;
		return TD_OK;
	}
	if (c->n_events == c->alloc_events) {
		/* Small first: a connection of a flood (a SYN, a client
		 * Initial) holds 1 or 2 events, and 32 of them took 1.8 KiB
		 * of each; a handshake's 15 to 25 take three doublings. */
		size_t a = c->alloc_events ? c->alloc_events * 2 : EVENTS_FIRST;
		if (a > TD_CAP_EVENTS)
			a = TD_CAP_EVENTS;
		struct td_event *e = realloc(c->events, a * sizeof *e);
		if (!e)
			return TD_ERR_NOMEM;
		c->events = e;
		c->alloc_events = a;
	}
	struct td_event *e = &c->events[c->n_events];
	*e = *ev;
	e->detail = NULL;
	e->app = NULL;
	if (ev->detail) {
		e->detail = strdup(ev->detail);
		if (!e->detail)
			return TD_ERR_NOMEM;
	}
	if (ev->app) {
		e->app = td_app_msg_copy(ev->app);
		if (!e->app) {
			free(e->detail);
			e->detail = NULL;
			return TD_ERR_NOMEM;
		}
	}
	c->n_events++;
	if (out)
		*out = e;
	return TD_OK;
}

enum td_result td_conn_anomaly(struct td_conn *c, enum td_anomaly_code code, enum td_dir dir,
			       uint64_t num, const char *s0, const char *s1)
{
	c->changes++;
	return td_anomalies_add(&c->anomalies, code, (uint8_t)dir, num, s0, s1);
}

const char *td_outcome_name(enum td_outcome o)
{
	switch (o) {
	case TD_OUTCOME_ESTABLISHED: return "established";
	case TD_OUTCOME_FAILED: return "failed";
	case TD_OUTCOME_INCOMPLETE: break;
	}
	return "incomplete";
}

void td_diagnosis_cleanup(struct td_diagnosis *d)
{
	free(d->summary);
	free(d->fix);
	td_strlist_cleanup(&d->evidence);
	memset(d, 0, sizeof *d);
}

enum td_result td_conn_add_diagnosis(struct td_conn *c, struct td_diagnosis *d)
{
	c->changes++;
	struct td_diagnosis *v = realloc(c->diags, (c->n_diags + 1) * sizeof *v);
	if (!v) {
		td_diagnosis_cleanup(d);
		return TD_ERR_NOMEM;
	}
	c->diags = v;
	c->diags[c->n_diags++] = *d;
	memset(d, 0, sizeof *d);
	return TD_OK;
}

bool td_conn_has_error(const struct td_conn *c)
{
	for (size_t i = 0; i < c->n_diags; i++)
		if (c->diags[i].severity == TD_SEV_ERROR)
			return true;
	return false;
}

const char *td_severity_name(enum td_severity s)
{
	switch (s) {
	case TD_SEV_ERROR: return "error";
	case TD_SEV_WARNING: return "warning";
	case TD_SEV_INFO: break;
	}
	return "info";
}

const char *td_stage_name(enum td_stage s)
{
	switch (s) {
	case TD_STAGE_TCP: return "tcp";
	case TD_STAGE_CLIENT_HELLO: return "client_hello";
	case TD_STAGE_SERVER_HELLO: return "server_hello";
	case TD_STAGE_SERVER_CERTIFICATE: return "server_certificate";
	case TD_STAGE_CLIENT_CERTIFICATE: return "client_certificate";
	case TD_STAGE_FINISHED: return "finished";
	case TD_STAGE_STARTTLS: return "starttls";
	case TD_STAGE_AFTER_HANDSHAKE: break;
	}
	return "after_handshake";
}

const char *td_party_name(enum td_party p)
{
	switch (p) {
	case TD_PARTY_CLIENT: return "client";
	case TD_PARTY_SERVER: return "server";
	case TD_PARTY_NOBODY: break;
	}
	return "nobody";
}

const char *td_confidence_name(enum td_confidence k)
{
	return k == TD_CONF_INFERRED ? "inferred" : "certain";
}

const char *td_phase_name(enum td_phase p)
{
	switch (p) {
	case TD_PHASE_RENEGOTIATION: return "renegotiation";
	case TD_PHASE_POST_HANDSHAKE_AUTH: return "post_handshake_auth";
	case TD_PHASE_FIRST: break;
	}
	return "first";
}

const char *td_starttls_proto_name(enum td_starttls_proto p)
{
	switch (p) {
	case TD_STLS_SMTP: return "smtp";
	case TD_STLS_IMAP: return "imap";
	case TD_STLS_POP3: return "pop3";
	case TD_STLS_FTP: return "ftp";
	case TD_STLS_LDAP: return "ldap";
	case TD_STLS_XMPP: return "xmpp";
	case TD_STLS_POSTGRES: return "postgres";
	case TD_STLS_MYSQL: return "mysql";
	case TD_STLS_NONE: break;
	}
	return NULL;
}

const char *td_starttls_proto_label(enum td_starttls_proto p)
{
	switch (p) {
	case TD_STLS_SMTP: return "SMTP";
	case TD_STLS_IMAP: return "IMAP";
	case TD_STLS_POP3: return "POP3";
	case TD_STLS_FTP: return "FTP";
	case TD_STLS_LDAP: return "LDAP";
	case TD_STLS_XMPP: return "XMPP";
	case TD_STLS_POSTGRES: return "PostgreSQL";
	case TD_STLS_MYSQL: return "MySQL";
	case TD_STLS_NONE: break;
	}
	return "TLS";
}

const char *td_starttls_result_name(enum td_starttls_result r)
{
	switch (r) {
	case TD_STLS_UPGRADED: return "upgraded";
	case TD_STLS_REFUSED: return "refused";
	case TD_STLS_NOT_OFFERED: return "not_offered";
	case TD_STLS_SERVER_CLOSED: return "server_closed";
	case TD_STLS_INCOMPLETE: return "incomplete";
	case TD_STLS_NOT_USED: return "not_used";
	case TD_STLS_R_NONE: break;
	}
	return NULL;
}
