/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_tcp.c - rules before TLS: refused and unanswered connections,
 * silent servers, peers that do not speak TLS (see rules.h).
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





bool rule_refused(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	size_t syn, rst;
	/* A ClientHello means the connection was accepted (its SYN-ACK was
	 * just not captured). */
	if (c->ch.present || c->cleartext[TD_DIR_C2S] ||
	    !dx_has_event(c, TD_EV_TCP_SYN, TD_DIR_C2S, &syn) ||
	    dx_has_event(c, TD_EV_TCP_SYNACK, TD_DIR_S2C, NULL) ||
	    !dx_has_event(c, TD_EV_TCP_RST, TD_DIR_S2C, &rst))
		return false;
	char ep[64];
	dx_endpoint(c, ep, sizeof ep);
	finding_set(f, TD_SEV_ERROR, TD_STAGE_TCP, TD_PARTY_SERVER,
	    "The connection to %s was refused: nothing accepted it.", ep);
	finding_evidence(f, "the client's SYN was answered by a RST");
	finding_event(f, syn);
	finding_event(f, rst);
	finding_fix(f, "Start the server or point the client at the right address and port (%s refused "
	    "it); a firewall that rejects also answers this way.", ep);
	return true;
}

bool rule_no_answer(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	size_t syn;
	if (!dx_has_event(c, TD_EV_TCP_SYN, TD_DIR_C2S, &syn) || !dx_server_sent_nothing(c))
		return false;
	char ep[64];
	dx_endpoint(c, ep, sizeof ep);
	finding_set(f, TD_SEV_ERROR, TD_STAGE_TCP, TD_PARTY_CLIENT,
	    "The client's SYN to %s was never answered; the client gave up waiting.", ep);
	finding_evidence(f, "a SYN from the client and nothing from the server in the capture");
	finding_event(f, syn);
	finding_fix(f, "Check the route and the firewalls between the client and %s (a silent drop), and "
	    "that the capture sees the server's side.", ep);
	return true;
}

bool rule_plaintext(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (c->ch.present || !c->cleartext[TD_DIR_C2S])
		return false;
	char ep[64];
	dx_endpoint(c, ep, sizeof ep);
	finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_HELLO,
	    x->closer == TD_PARTY_SERVER ? TD_PARTY_SERVER : TD_PARTY_NOBODY,
	    "The client sent cleartext to %s, where the server expects TLS.", ep);
	finding_evidence(f, "the client's first bytes: \"%s\"", c->cleartext[TD_DIR_C2S]);
	if (x->fatal)
		finding_evidence(f, "the server answered with a TLS alert (%s)",
				 dx_name(TD_REG_ALERT, x->fatal->alert_desc));
	else if (x->close && x->closer == TD_PARTY_SERVER)
		finding_evidence(f, "the server closed the connection");
	if (x->close)
		finding_event(f, x->close_idx);
	finding_fix(f, "Speak TLS to this port (https:// rather than http://, or the client's TLS "
	    "option), or send cleartext to the server's plain port.");
	return true;
}

bool rule_not_tls(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->ch.present || c->sh.present || !c->cleartext[TD_DIR_S2C])
		return false;
	char ep[64];
	dx_endpoint(c, ep, sizeof ep);
	/* The client, handed bytes that are not TLS, is the one that gives up. */
	finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_HELLO, TD_PARTY_CLIENT,
	    "The server at %s does not speak TLS: it answered the ClientHello in cleartext.", ep);
	finding_evidence(f, "the server answered: \"%s\"", c->cleartext[TD_DIR_S2C]);
	finding_fix(f, "Connect to the server's TLS port, or talk to this one without TLS (e.g. "
	    "http:// if it answers HTTP).");
	return true;
}

bool rule_server_silent(const struct dx *x, struct finding *f)
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
	/* The timeline may be cut (TD_CAP_EVENTS): the model says too.  QUIC
	 * has its own (rules_quic.c). */
	if (c->quic.present || !c->ch.present || !silent || c->cleartext[TD_DIR_S2C] || c->sh.present ||
	    c->side[TD_DIR_S2C].bytes > 0 || dx_clienthello_blackhole(c))
		return false;
	char ep[64];
	dx_endpoint(c, ep, sizeof ep);
	size_t ch = dx_last_message(c, TD_DIR_C2S, TD_HS_CLIENT_HELLO);
	finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_HELLO,
	    x->close ? TD_PARTY_CLIENT : TD_PARTY_NOBODY,
	    "The server at %s accepted the connection but never answered the ClientHello.", ep);
	finding_evidence(f, "no byte from the server after the ClientHello%s",
			 x->close ? ", then the client gave up and closed" : " until the capture ended");
	if (ch != SIZE_MAX)
		finding_event(f, ch);
	if (x->close)
		finding_event(f, x->close_idx);
	finding_fix(f, "Check that the server speaks TLS directly on this port (not STARTTLS or a "
	    "proxy protocol first), and that it is not stuck or overloaded.");
	return true;
}

