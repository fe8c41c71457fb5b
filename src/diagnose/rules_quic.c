/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_quic.c - diagnoses of QUIC connections (issue 16).  Everything
 * about the TLS handshake they carry (alerts from CONNECTION_CLOSE,
 * certificates with a key log) is the other rules' business, as over
 * TCP; here is only what QUIC itself shows.
 */
#include "config.h"

#include <stdio.h>

#include "rules.h"

/* Packets the server sent, of any type. */
static uint64_t server_packets(const struct td_conn *c)
{
	uint64_t n = 0;
	for (size_t t = 0; t < TD_QP_N; t++)
		n += c->quic.packets[TD_DIR_S2C][t];
	return n;
}

bool rule_quic_no_answer(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->quic.present || server_packets(c) > 0)
		return false;
	uint64_t initials = c->quic.packets[TD_DIR_C2S][TD_QP_INITIAL];
	char ep[64];
	dx_endpoint(c, ep, sizeof ep);
	finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_HELLO, TD_PARTY_NOBODY,
	    "The QUIC server at %s never answered the client's Initial packets.", ep);
	finding_evidence(f, "the client sent %llu Initial packet%s (its ClientHello%s) and "
			 "nothing came back over UDP until the capture ended",
			 (unsigned long long)initials, initials == 1 ? "" : "s",
			 c->ch.present ? "" : ", not readable");
	size_t ch = dx_last_message(c, TD_DIR_C2S, TD_HS_CLIENT_HELLO);
	if (ch != SIZE_MAX)
		finding_event(f, ch);
	finding_fix(f, "Check that UDP to this port is allowed on the way (firewalls often block "
	    "UDP 443) and that the server listens for QUIC (HTTP/3) there; clients fall back to "
	    "TCP when it is not.");
	return true;
}
