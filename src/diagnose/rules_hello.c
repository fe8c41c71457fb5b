/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_hello.c - rules about getting the hellos across (see rules.h):
 * a ClientHello the path swallows (CLIENTHELLO_BLACKHOLE) and the
 * round trip a HelloRetryRequest costs (HELLO_RETRY).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "tls_names.h"

/* The non-GREASE values of l by name, "a, b and c", into out. */
static void name_list(enum td_tls_registry reg, const struct td_u16list *l, char *out, size_t len)
{
	size_t n = 0, k = 0, o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < l->n; i++)
		n += !td_tls_is_grease(l->v[i]);
	for (size_t i = 0; i < l->n && o < len; i++) {
		if (td_tls_is_grease(l->v[i]))
			continue;
		const char *sep = k == 0 ? "" : k + 1 == n ? " and " : ", ";
		int w = snprintf(out + o, len - o, "%s%s", sep, dx_name(reg, l->v[i]));
		if (w < 0)
			break;
		o += (size_t)w;
		k++;
	}
}

/* A group whose key share alone passes a few hundred bytes: the
 * post-quantum and hybrid ones (ML-KEM, Kyber). */
static bool large_share(uint16_t g)
{
	return g == 0x11ec || g == 0x11eb || g == 0x11ed || g == 0x6399 || g == 0x639a ||
	       g == 0x0200 || g == 0x0201 || g == 0x0202 || g == 0xfe30 || g == 0xfe31;
}

/*
 * CLIENTHELLO_BLACKHOLE: the client's first flight took several TCP
 * segments, the server never acknowledged all of it (nor sent a byte),
 * and the client sent its bytes again or a RST ended the attempt.  The
 * path carried the SYNs and the small segments but not the rest: an MTU
 * black hole (a smaller link whose ICMP "fragmentation needed" is
 * filtered) or a middlebox that drops or resets large ClientHellos.
 */
bool dx_clienthello_blackhole(const struct td_conn *c)
{
	const struct td_tcp_flight *fl = &c->flight;
	bool rst = c->side[TD_DIR_C2S].rst || c->side[TD_DIR_S2C].rst;
	return c->tls && fl->seen && !fl->answered && fl->segments >= 2 && fl->acked < fl->sent &&
	       !c->sh.present && c->side[TD_DIR_S2C].bytes == 0 && !c->cleartext[TD_DIR_S2C] &&
	       (fl->retransmits > 0 || rst);
}

bool rule_clienthello_blackhole(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	const struct td_tcp_flight *fl = &c->flight;
	if (!dx_clienthello_blackhole(c))
		return false;
	char ep[64];
	dx_endpoint(c, ep, sizeof ep);
	finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_HELLO,
	    x->close ? x->closer : TD_PARTY_NOBODY,
	    "The ClientHello to %s (%u bytes in %u TCP segments) never fully reached the server: a "
	    "path problem with large ClientHellos (an MTU black hole, or a middlebox dropping big "
	    "hellos).", ep, (unsigned)fl->sent, (unsigned)fl->segments);
	finding_inferred(f);
	finding_evidence(f, "the client's first flight took %u segments of up to %u bytes",
			 (unsigned)fl->segments, (unsigned)fl->largest);
	if (fl->acked == 0)
		finding_evidence(f, "the server acknowledged none of its %u bytes", (unsigned)fl->sent);
	else
		finding_evidence(f, "the server acknowledged only the first %u of its %u bytes",
				 (unsigned)fl->acked, (unsigned)fl->sent);
	if (fl->retransmits > 0)
		finding_evidence(f, "the client sent unacknowledged bytes again %u time%s",
				 (unsigned)fl->retransmits, fl->retransmits == 1 ? "" : "s");
	if (x->close && x->close->kind == TD_EV_TCP_RST)
		finding_evidence(f, "a RST from the %s side ended it%s", td_party_name(x->closer),
				 x->closer == TD_PARTY_SERVER ? " (the server, or a middlebox in its name)"
							      : "");
	for (size_t i = 0; i < c->ch.key_share_groups.n; i++) {
		uint16_t g = c->ch.key_share_groups.v[i];
		if (large_share(g)) {
			finding_evidence(f, "its key shares include %s, whose key alone takes over "
					 "a kilobyte", dx_name(TD_REG_GROUP, g));
			break;
		}
	}
	size_t ch = dx_last_message(c, TD_DIR_C2S, TD_HS_CLIENT_HELLO);
	if (ch != SIZE_MAX)
		finding_event(f, ch);
	if (x->close)
		finding_event(f, x->close_idx);
	finding_fix(f, "Find what drops large packets between the client and %s: let ICMP "
	    "\"fragmentation needed\" through (path MTU discovery) or clamp the TCP MSS on the "
	    "router or tunnel with the smaller MTU, and check firewalls or TLS-inspecting "
	    "middleboxes for a limit on ClientHello size.  Turning off the client's post-quantum "
	    "key share makes the hello small again: a workaround, not a fix.", ep);
	return true;
}

/* HELLO_RETRY: the server asked for a key share the client had not sent
 * (RFC 8446 4.1.4): the client's shares against the group it wanted. */
bool rule_hrr(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	if (!c->sh.present || !c->sh.hrr)
		return false;
	finding_set(f, TD_SEV_INFO, TD_STAGE_SERVER_HELLO, TD_PARTY_NOBODY,
	    "The server asked the client to retry with another key share "
	    "(HelloRetryRequest), costing a round trip.");
	char shares[FINDING_TEXT / 2];
	name_list(TD_REG_GROUP, &c->ch.key_share_groups, shares, sizeof shares);
	uint16_t want = c->sh.key_share_group;
	if (want && shares[0])
		finding_evidence(f, "the client sent key shares for %s, the server wanted %s: one "
				 "extra round trip", shares, dx_name(TD_REG_GROUP, want));
	else if (want)
		finding_evidence(f, "the client sent no key share, the server wanted %s: one extra "
				 "round trip", dx_name(TD_REG_GROUP, want));
	else
		finding_evidence(f, "the HelloRetryRequest names no group (it asks for a cookie or "
				 "another change): one extra round trip");
	if (want && c->ch.groups.n > 0 && !td_u16list_has(&c->ch.groups, want))
		finding_evidence(f, "%s is not among the groups the client offered",
				 dx_name(TD_REG_GROUP, want));
	/* The HelloRetryRequest is the server's first ServerHello. */
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->dir == TD_DIR_S2C && e->kind == TD_EV_HANDSHAKE &&
		    e->hs_type == TD_HS_SERVER_HELLO) {
			finding_event(f, i);
			break;
		}
	}
	finding_fix(f, "Let the client send a key share for a group the server prefers%s%s.",
	    want ? ": " : "", want ? dx_name(TD_REG_GROUP, want) : "");
	return true;
}
