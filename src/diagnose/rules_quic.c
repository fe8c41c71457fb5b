/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_quic.c - diagnoses of QUIC connections (issue 16).  Everything
 * about the TLS handshake they carry (alerts from CONNECTION_CLOSE,
 * certificates with a key log) is the other rules' business, as over
 * TCP; here is only what QUIC itself shows.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "diagnose.h"
#include "quic.h"
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

/* ---- Version Negotiation ------------------------------------------------ */

/* A version for people: its name and number ("QUICv1 (0x00000001)"). */
static void version_words(uint32_t v, char *buf, size_t len)
{
	const char *name = td_quic_version_name(v);
	if (name)
		snprintf(buf, len, "%s (0x%08x)", name, (unsigned)v);
	else
		snprintf(buf, len, "0x%08x", (unsigned)v);
}

/* RFC 9000 15: versions 0x?a?a?a?a are reserved to exercise version
 * negotiation (greasing); a server may list one among its own. */
static bool greased(uint32_t v)
{
	return (v & 0x0f0f0f0fu) == 0x0a0a0a0au;
}

bool rule_quic_version_negotiation(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	const struct td_quic_conn *q = &c->quic;
	if (!q->present || q->n_vn == 0 || c->sh.present)
		return false;
	char offered[48], listed[300] = "", one[48];
	version_words(q->version, offered, sizeof offered);
	uint32_t usable = 0;
	for (size_t i = 0; i < q->n_vn; i++) {
		version_words(q->vn_versions[i], one, sizeof one);
		size_t used = strlen(listed);
		snprintf(listed + used, sizeof listed - used, "%s%s", i ? ", " : "", one);
		if (!usable && !greased(q->vn_versions[i]))
			usable = q->vn_versions[i];
	}
	finding_set(f, TD_SEV_ERROR, TD_STAGE_CLIENT_HELLO, TD_PARTY_SERVER,
	    "The server does not speak the QUIC version the client offered (%s): it answered "
	    "with a Version Negotiation packet.", offered);
	finding_evidence(f, "the client's Initial packet is of version %s", offered);
	size_t at = SIZE_MAX;
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_QUIC_PACKET && e->quic_type == TD_QP_VERSION_NEG) {
			at = i;
			break;
		}
	}
	finding_evidence(f, "the server's Version Negotiation packet lists %s", listed);
	if (at != SIZE_MAX)
		finding_event(f, at);
	if (!td_quic_version_known(q->version))
		finding_evidence(f, "tlsdiag cannot open Initial packets of version 0x%08x: the "
				 "ClientHello is not shown", (unsigned)q->version);
	finding_evidence(f, "the client did not go on with a listed version on this connection");
	if (usable && greased(q->version)) {
		version_words(usable, one, sizeof one);
		finding_fix(f, "The client offered a version reserved for exercising version "
		    "negotiation (RFC 9000 15): it must then go on with a version the server lists, "
		    "%s, and did not; configure it to offer %s.", one, one);
	} else if (usable) {
		version_words(usable, one, sizeof one);
		finding_fix(f, "Configure the client to offer a version the server lists, %s (most "
		    "clients do so by themselves, and fall back to TCP otherwise), or enable %s "
		    "on the server.", one, offered);
	} else {
		finding_fix(f, "The server lists no usable version: enable QUIC version 1 (RFC 9000) "
		    "on both sides.");
	}
	return true;
}

/* ---- CONNECTION_CLOSE with a transport error --------------------------- */

/* RFC 9000 20.1 (and RFC 9368's VERSION_NEGOTIATION_ERROR). */
static const char *const transport_errors[] = {
	"NO_ERROR", "INTERNAL_ERROR", "CONNECTION_REFUSED", "FLOW_CONTROL_ERROR",
	"STREAM_LIMIT_ERROR", "STREAM_STATE_ERROR", "FINAL_SIZE_ERROR", "FRAME_ENCODING_ERROR",
	"TRANSPORT_PARAMETER_ERROR", "CONNECTION_ID_LIMIT_ERROR", "PROTOCOL_VIOLATION",
	"INVALID_TOKEN", "APPLICATION_ERROR", "CRYPTO_BUFFER_EXCEEDED", "KEY_UPDATE_ERROR",
	"AEAD_LIMIT_REACHED", "NO_VIABLE_PATH", "VERSION_NEGOTIATION_ERROR",
};

const char *td_quic_transport_error_name(uint64_t code)
{
	if (code < sizeof transport_errors / sizeof transport_errors[0])
		return transport_errors[code];
	return NULL;
}

/* What to look at, by error. */
static const char *transport_fix(uint64_t code)
{
	switch (code) {
	case 0x02:
		return "The server refused to accept a new connection (overloaded, or limiting "
		       "this client): check its connection limits and logs.";
	case 0x08:
		return "A transport parameter was refused: compare the client's quic_transport_"
		       "parameters with what the server accepts (its log names the parameter).";
	case 0x0a:
		return "One side broke the QUIC protocol: the reason phrase and the closing side's "
		       "log say what; try other versions of the QUIC stack.";
	case 0x0b:
		return "The server refused the client's address validation token (a Retry or "
		       "NEW_TOKEN token, expired or from another server): the client should "
		       "connect again without it.";
	case 0x0d:
		return "Too much handshake data arrived out of order for the receiver's buffer: "
		       "check the path for heavy reordering, or a very large certificate chain.";
	case 0x11:
		return "The versions in the client's version_information do not agree with what "
		       "was negotiated (RFC 9368): update the QUIC stacks.";
	default:
		return "The closing side's log and the reason phrase say why; the error is a "
		       "QUIC transport error, not a TLS one.";
	}
}

bool rule_quic_transport_error(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	const struct td_quic_conn *q = &c->quic;
	/* NO_ERROR is no cause: a client closing so after its idle timeout
	 * (a server that never answered: QUIC_NO_ANSWER says why). */
	if (!q->present || !q->close.seen || q->close.app || q->close.error == 0 ||
	    q->close.error >= 0x100 || c->handshake_done)
		return false;
	uint64_t code = q->close.error;
	const char *name = td_quic_transport_error_name(code);
	char words[64];
	if (name)
		snprintf(words, sizeof words, "%s (0x%llx)", name, (unsigned long long)code);
	else
		snprintf(words, sizeof words, "0x%llx (not in RFC 9000)", (unsigned long long)code);
	enum td_party who = q->close.dir == TD_DIR_C2S ? TD_PARTY_CLIENT : TD_PARTY_SERVER;
	size_t at = SIZE_MAX;
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].kind == TD_EV_QUIC_CLOSE) {
			at = i;
			break;
		}
	enum td_stage stage = at != SIZE_MAX ? dx_stage_at(c, at)
			    : c->sh.present ? TD_STAGE_SERVER_HELLO : TD_STAGE_CLIENT_HELLO;
	finding_set(f, TD_SEV_ERROR, stage, who,
	    "The %s closed the QUIC connection during the handshake with the transport error %s.",
	    td_party_name(who), words);
	finding_evidence(f, "a CONNECTION_CLOSE frame in %s %s packet from the %s: error %s%s%s%s",
			 q->close.in == TD_QP_INITIAL ? "an" : "a",
			 td_quic_ptype_label(q->close.in), td_party_name(who), words,
			 q->close.reason[0] ? ", reason \"" : "", q->close.reason,
			 q->close.reason[0] ? "\"" : "");
	if (at != SIZE_MAX)
		finding_event(f, at);
	finding_fix(f, "%s", transport_fix(code));
	return true;
}
