/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * facts.c - the engine's own facts about a connection's handshake, for
 * its fate (td_fate_judge(), conn.h): whether it completed, and whether
 * the client then left at once without data.  Read from the flow's state
 * (records.c) and the connection's timeline when a flow ends (engine.c)
 * or is reported early (stream.c).
 */
#include "config.h"

#include "conn.h"
#include "diagnose.h"
#include "flow.h"
#include "tls_input.h"

/* How soon after its Finished a TLS 1.3 client must leave for the
 * handshake to count as completed by the client alone (below): a
 * client refusing the certificate it has just checked leaves within
 * milliseconds; one that gives up on a server stuck after the client's
 * flight does so after its own timeout, seconds later. */
#define LEFT_PROMPT_US 1000000u

/* The timeline holds application data from the client (TLS 1.3 without
 * keys: not a record of an alert's size, which is its close_notify). */
static bool client_appdata(const struct td_conn *c)
{
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_APPDATA && e->dir == TD_DIR_C2S &&
		    !(td_fl_is_tls13(c) && !e->decrypted && e->length == TLS13_ALERT_RECORD))
			return true;
	}
	return false;
}

/* A record or alert that says "I am leaving": an alert (read or not), a
 * TLS 1.3 protected record of an alert's size, a FIN or a RST. */
static bool leaving(const struct td_event *e)
{
	return e->kind == TD_EV_ALERT || e->kind == TD_EV_TCP_FIN || e->kind == TD_EV_TCP_RST ||
	       ((e->kind == TD_EV_ENCRYPTED || e->kind == TD_EV_APPDATA) &&
		e->content_type == TD_CT_APPLICATION_DATA && e->length == TLS13_ALERT_RECORD);
}

/*
 * TLS 1.3: the server shows it accepted the client's flight only by what
 * it sends next (a NewSessionTicket, data: records.c).  A client that
 * sent its Finished (seen, or known by its size: records.c) and left at
 * once, before the server sent anything more and without data, finished
 * the handshake on its side: the server had all it needed and had not
 * objected.  That is a completed handshake, left by the client (libpq
 * refusing the name it has just checked; a probe to a server that sends
 * no tickets), not one the server stopped.  The client's leaving must be
 * the next thing after its flight and come within LEFT_PROMPT_US.
 */
static bool client_left_after_finished(const struct flow *f, const struct td_conn *c)
{
	if (!td_fl_is_tls13(c) || f->client_data_after ||
	    !(f->client_finished || c->finished[TD_DIR_C2S]))
		return false;
	/* The client's Finished: decrypted, or its protected record of hash
	 * length + 21 bytes (records.c, track_client). */
	uint32_t fin_len = c->cipher == 0x1302 ? 48 + 21 : 32 + 21;  /* TLS_AES_256_GCM_SHA384 */
	size_t fin = SIZE_MAX;
	for (size_t i = 0; i < c->n_events && fin == SIZE_MAX; i++) {
		const struct td_event *e = &c->events[i];
		if (e->dir == TD_DIR_C2S &&
		    ((e->kind == TD_EV_HANDSHAKE && e->hs_type == TD_HS_FINISHED) ||
		     (e->kind == TD_EV_ENCRYPTED && e->content_type == TD_CT_APPLICATION_DATA &&
		      e->length == fin_len)))
			fin = i;
	}
	if (fin == SIZE_MAX)
		return false;
	size_t last = fin;  /* the client's last record before it left */
	for (size_t i = fin + 1; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_TCP_GAP)
			continue;
		if (e->dir == TD_DIR_S2C)
			return false;  /* the server spoke first after the client's flight */
		if (!leaving(e)) {
			last = i;
			continue;
		}
		return e->ts_us <= c->events[last].ts_us + LEFT_PROMPT_US;
	}
	return false;
}

/* The engine's own facts for the fate (td_fate_judge(), conn.h): whether
 * the handshake completed, and whether the client then left at once
 * without data.  Whether that leaving was a refusal, and the outcome,
 * are the fate's to decide (td_fate.quit). */
void td_fl_handshake_facts(const struct flow *f, struct td_conn *c)
{
	/* Both Finished seen: in TLS <= 1.2 the server's comes last, so the
	 * server accepted the client's flight; in TLS 1.3 the client's comes
	 * last and the server may still refuse it (an alert: the fate reads
	 * it as fatal), or say nothing and close (not completed). */
	bool both = c->finished[TD_DIR_C2S] && c->finished[TD_DIR_S2C] && !td_fl_is_tls13(c);
	c->handshake_done = f->established_us != 0 || both || client_left_after_finished(f, c);
	td_fate_judge(c, true);
	/* What the client sent after its Finished is known only once its
	 * Finished was recognised (records.c: a record that coalesces it with
	 * the client's Certificate is not); application data decrypted, or
	 * seen after the handshake, is in the timeline too. */
	bool finished = f->client_finished || c->finished[TD_DIR_C2S];
	bool data = f->client_data_after || client_appdata(c);
	if (!c->handshake_done || c->fate.fatal != SIZE_MAX || data || !finished)
		return;
	if (f->client_alert_after || c->side[TD_DIR_C2S].fin || c->side[TD_DIR_C2S].rst)
		c->client_quit_after_handshake = true;
	if (f->client_alert_after)
		td_fl_nomem(c, td_conn_anomaly(c, td_fl_is_tls13(c)
			? TD_AN_CLIENT_ALERT_AFTER_HANDSHAKE_INFERRED
			: TD_AN_CLIENT_ALERT_AFTER_HANDSHAKE, TD_DIR_C2S, 0, NULL, NULL));
}
