/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_later.c - diagnoses of handshakes after the first (issue 15,
 * Must 6): TLS <= 1.2 renegotiation, TLS 1.3 post-handshake
 * authentication (conn.h: td_phase, later_unfinished; the engine's
 * src/engine/later.c marks them).
 *
 * With a key log a later handshake is read like the first: its
 * CertificateRequest and the client's Certificate fill the model
 * (cr.later, client_chain.later) and the usual rules (CLIENT_CERT_MISSING,
 * CLIENT_CERT_UNTRUSTED...) judge them; dx_later_evidence says where the
 * request came from.  Without keys only the shape is left: the server
 * asked again after the handshake (its HelloRequest, or a record before
 * the client's post-handshake flight), the client answered, and the
 * server stopped it with an alert that could not be read: the server
 * refused the client's certificate or its absence, CLIENT_CERT_REJECTED,
 * inferred.
 */
#include "config.h"

#include <stdio.h>

#include "diagnose.h"
#include "infer.h"
#include "rules.h"

void dx_later_evidence(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->cr.present || !c->cr.later)
		return;
	if (c->cr.tls13)
		finding_evidence(f, "the server asked for it after the handshake (TLS 1.3 "
				 "post-handshake authentication), not during the handshake");
	else
		finding_evidence(f, "the server asked for it in a renegotiation after the "
				 "handshake (a second handshake), not in the first one");
}

/* The index of the first and of the last entry of a later handshake
 * before `end`; false when there is none. */
static bool later_span(const struct td_conn *c, size_t end, size_t *first, size_t *last)
{
	*first = *last = SIZE_MAX;
	for (size_t i = 0; i < end && i < c->n_events; i++) {
		if (c->events[i].phase == TD_PHASE_FIRST)
			continue;
		if (*first == SIZE_MAX)
			*first = i;
		*last = i;
	}
	return *first != SIZE_MAX;
}

/* How many entries of the later handshake came from direction d. */
static size_t later_count(const struct td_conn *c, size_t first, size_t last, enum td_dir d)
{
	size_t n = 0;
	for (size_t i = first; i <= last; i++)
		n += c->events[i].phase != TD_PHASE_FIRST && c->events[i].dir == d &&
		     c->events[i].kind != TD_EV_CCS;
	return n;
}

/* Without keys: the server asked for the client's certificate after the
 * handshake, the client answered, the server stopped with an alert. */
bool rule_later_rejected(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	size_t alert, first, last;
	if (x->fatal || !x->failed || !td_fate_later_failed(c, &alert) ||
	    c->events[alert].dir != TD_DIR_S2C || !later_span(c, alert, &first, &last))
		return false;
	bool pha = c->events[first].phase == TD_PHASE_POST_HANDSHAKE_AUTH;
	/* The server asked (its HelloRequest opens a renegotiation it wants;
	 * a post-handshake CertificateRequest is always its), and the client
	 * had answered when the alert came. */
	if (c->events[first].dir != TD_DIR_S2C || c->events[last].dir != TD_DIR_C2S)
		return false;
	const struct td_event *a = &c->events[alert];
	finding_set(f, TD_SEV_ERROR, TD_STAGE_AFTER_HANDSHAKE, TD_PARTY_SERVER,
	    "The server refused the client in a %s after the handshake (inferred: it asked "
	    "for the client's certificate, and the certificate was missing or not accepted).",
	    pha ? "post-handshake authentication" : "renegotiation");
	finding_inferred(f);
	finding_event(f, first);
	finding_event(f, last);
	size_t ns = later_count(c, first, last, TD_DIR_S2C);
	size_t nc = later_count(c, first, last, TD_DIR_C2S);
	if (pha) {
		finding_evidence(f, "after the handshake the server sent a record and the client "
				 "answered with %zu record%s ending in one of a Finished's size: a "
				 "post-handshake authentication (the client offered "
				 "post_handshake_auth)", nc, nc == 1 ? "" : "s");
		long empty = td_infer_find(c, td_inf_empty_certificate, TD_DIR_C2S, first);
		if (empty >= 0 && (size_t)empty <= last) {
			finding_evidence(f, "the client's Certificate record is %u bytes, too small "
					 "to hold a certificate: most likely empty",
					 c->events[empty].length);
			finding_event(f, (size_t)empty);
		}
	} else {
		finding_evidence(f, "after the handshake the server started a renegotiation: %zu "
				 "encrypted handshake record%s from the server (a HelloRequest, then "
				 "its second flight), %zu from the client", ns, ns == 1 ? "" : "s",
				 nc);
		bool server_ccs = false, client_ccs = false;
		for (size_t i = first; i < alert; i++) {
			const struct td_event *e = &c->events[i];
			if (e->kind == TD_EV_CCS && e->phase != TD_PHASE_FIRST) {
				server_ccs = server_ccs || e->dir == TD_DIR_S2C;
				client_ccs = client_ccs || e->dir == TD_DIR_C2S;
			}
		}
		if (client_ccs && !server_ccs)
			finding_evidence(f, "the client finished its part of the renegotiation "
					 "(ChangeCipherSpec, Finished); the server sent no "
					 "ChangeCipherSpec of its own");
	}
	finding_evidence(f, "then the server sent %s (%u bytes)%s",
			 a->kind == TD_EV_ALERT ? "an encrypted alert"
						: "a protected record of an alert's size",
			 a->length, x->close && x->closer == TD_PARTY_SERVER
			 ? " and closed the connection" : "");
	finding_event(f, alert);
	if (x->close)
		finding_event(f, x->close_idx);
	const char *meanwhile = "give the client a certificate and key issued by a CA the server "
		"accepts for this resource (a server may ask for one only for some paths, "
		"as Apache's SSLVerifyClient in a <Location> does; curl --cert/--key)";
	if (x->keylog_given)
		finding_fix(f, "The key log given (-k) holds no secrets for this connection: give "
		    "the key log this client wrote for it (SSLKEYLOGFILE) to see the server's alert "
		    "and the client's Certificate; meanwhile %s.", meanwhile);
	else
		finding_fix(f, "Run tlsdiag with -k and the client's key log (SSLKEYLOGFILE) to "
		    "see the server's alert and the client's Certificate; meanwhile %s.",
		    meanwhile);
	return true;
}
