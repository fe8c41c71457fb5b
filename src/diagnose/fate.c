/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fate.c - how a connection ended, decided once (td_fate_judge(),
 * diagnose.h; the definitions are in conn.h, struct td_fate).
 *
 * Every sink reads c->fate: the text verdict line, the JSON outcome,
 * the Markdown outcome and failure sections, the Mermaid red band,
 * --only-failed and the TUI's rows and ladder.  The rules read it too
 * (struct dx), so a diagnosis and the verdict line name the same alert
 * and the same closer.  A sink that worked it out again would one day
 * disagree with another; tests/e2e/fate-agree.sh checks that they don't.
 */
#include "config.h"

#include <stdint.h>

#include "conn.h"
#include "diagnose.h"
#include "tls_names.h"

/* RFC 8446 6: AlertLevel fatal(2). */
enum { ALERT_LEVEL_FATAL = 2 };
/* A TLS 1.3 protected alert: 2 bytes + inner content type + 16-byte tag
 * (every suite but TLS_AES_128_CCM_8_SHA256, which no stack offers by
 * default). */
#define TLS13_ALERT_RECORD 19u

static enum td_party party(enum td_dir d)
{
	return d == TD_DIR_C2S ? TD_PARTY_CLIENT : TD_PARTY_SERVER;
}

/* The events: the first fatal alert read, the unreadable alert, the
 * first close, reset and FIN, and whether a SYN went unanswered. */
struct seen {
	size_t fatal, alert, close, rst, fin;
	bool syn, synack;
};

static void scan(const struct td_conn *c, struct seen *s)
{
	s->fatal = s->alert = s->close = s->rst = s->fin = SIZE_MAX;
	s->syn = s->synack = false;
	bool tls13 = c->sh.present && td_tls_version_is_13(c->version);
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		switch (e->kind) {
		case TD_EV_ALERT:
			if ((!e->encrypted || e->decrypted) && e->alert_level == ALERT_LEVEL_FATAL) {
				if (s->fatal == SIZE_MAX)
					s->fatal = i;
			} else if (e->encrypted && !e->decrypted && s->alert == SIZE_MAX) {
				s->alert = i;
			}
			break;
		case TD_EV_ENCRYPTED:
		case TD_EV_APPDATA:
			if (tls13 && e->content_type == TD_CT_APPLICATION_DATA &&
			    e->length == TLS13_ALERT_RECORD && s->alert == SIZE_MAX) {
				s->alert = i;
			} else if (s->alert != SIZE_MAX && e->dir == c->events[s->alert].dir &&
				   e->length > TLS13_ALERT_RECORD) {
				/* Data after it from the same side: it was no alert. */
				s->alert = SIZE_MAX;
			}
			break;
		case TD_EV_TCP_FIN:
		case TD_EV_TCP_RST:
			if (s->close == SIZE_MAX)
				s->close = i;
			if (e->kind == TD_EV_TCP_RST && s->rst == SIZE_MAX)
				s->rst = i;
			if (e->kind == TD_EV_TCP_FIN && s->fin == SIZE_MAX)
				s->fin = i;
			break;
		case TD_EV_TCP_SYN:
			s->syn = true;
			break;
		case TD_EV_TCP_SYNACK:
			s->synack = true;
			break;
		default:
			break;
		}
	}
}

/* ---- a later handshake that failed (issue 15, Must 6) --------------------
 *
 * A renegotiation or a TLS 1.3 post-handshake authentication is a
 * handshake too: when an alert stops it, the connection failed there,
 * though the first handshake completed.  The engine says one began and
 * never finished (later_unfinished); the alert that stopped it is the
 * first after its first entry: a fatal one read in clear or decrypted,
 * or one that could not be read (an encrypted alert record, or in TLS
 * 1.3 a protected record of an alert's size) that answers the peer's
 * last message of it.  An unreadable alert the sender of that last
 * message sends may be its close_notify after waiting in vain (a client
 * whose renegotiation the server ignored): not counted. */
bool td_fate_later_failed(const struct td_conn *c, size_t *alert)
{
	if (!c->later_unfinished)
		return false;
	bool tls13 = c->sh.present && td_tls_version_is_13(c->version);
	bool begun = false;
	enum td_dir last = TD_DIR_C2S;  /* who sent its last entry so far */
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->phase != TD_PHASE_FIRST) {
			begun = true;
			last = e->dir;
		}
		if (!begun)
			continue;
		bool read = !e->encrypted || e->decrypted;
		bool fatal = e->kind == TD_EV_ALERT && read && e->alert_level == ALERT_LEVEL_FATAL;
		bool unread = e->kind == TD_EV_ALERT
			? !read
			: tls13 && e->kind == TD_EV_ENCRYPTED && !e->decrypted &&
			  e->content_type == TD_CT_APPLICATION_DATA &&
			  e->length == TLS13_ALERT_RECORD;
		bool stop = fatal || (unread && e->dir != last);
		if (stop) {
			if (alert)
				*alert = i;
			return true;
		}
	}
	return false;
}

static enum td_outcome outcome(const struct td_conn *c, const struct seen *s, bool final)
{
	/* Live, the engine sets handshake_done only at the end: both
	 * Finished seen say the same meanwhile. */
	bool done = c->handshake_done || (!final && c->finished[TD_DIR_C2S] &&
					  c->finished[TD_DIR_S2C]);
	bool fatal = s->fatal != SIZE_MAX;
	if (done && !fatal)
		return c->client_quit_after_handshake || td_fate_later_failed(c, NULL)
			? TD_OUTCOME_FAILED : TD_OUTCOME_ESTABLISHED;
	bool closed = s->close != SIZE_MAX;
	for (int d = 0; d < 2; d++)
		closed = closed || c->side[d].fin || c->side[d].rst;
	/* A flow picked up after its handshake: its close says nothing. */
	bool hello = c->ch.present || c->sh.present;
	/* A SYN never answered is a failed connection, whatever the capture
	 * saw afterwards; live, the answer may still come. */
	bool unanswered = final && s->syn && !s->synack;
	if (fatal || (closed && hello) || unanswered || (closed && c->cleartext[TD_DIR_C2S]))
		return TD_OUTCOME_FAILED;
	/* A handshake that stopped with an error diagnosis has its verdict
	 * (a server that never answered the ClientHello, say). */
	if (final && c->fate.root != SIZE_MAX)
		return TD_OUTCOME_FAILED;
	return TD_OUTCOME_INCOMPLETE;
}

void td_fate_judge(struct td_conn *c, bool final)
{
	struct td_fate *fa = &c->fate;
	struct seen s;
	scan(c, &s);
	fa->judged = true;
	fa->final = final;
	fa->fatal = s.fatal;
	fa->alert = s.alert;
	fa->first_close = s.close;
	fa->first_closer = s.close == SIZE_MAX ? TD_PARTY_NOBODY : party(c->events[s.close].dir);
	fa->root = SIZE_MAX;
	for (size_t i = 0; i < c->n_diags && fa->root == SIZE_MAX; i++)
		if (c->diags[i].severity == TD_SEV_ERROR)
			fa->root = i;

	if (s.fatal != SIZE_MAX) {
		fa->end = s.fatal;
		fa->how = TD_END_FATAL_ALERT;
	} else if (s.alert != SIZE_MAX) {
		fa->end = s.alert;
		fa->how = c->events[s.alert].kind == TD_EV_ALERT ? TD_END_ENCRYPTED_ALERT
								: TD_END_ALERT_SIZED;
	} else if (s.rst != SIZE_MAX) {
		fa->end = s.rst;
		fa->how = TD_END_RST;
	} else if (s.fin != SIZE_MAX) {
		fa->end = s.fin;
		fa->how = TD_END_FIN;
	} else {
		fa->end = SIZE_MAX;
		fa->how = !final ? TD_END_NONE
			: c->stop == TD_STOP_IDLE ? TD_END_IDLE
			: c->stop == TD_STOP_EVICTED ? TD_END_EVICTED
			: c->stop == TD_STOP_CAPTURE_END ? TD_END_CAPTURE : TD_END_NONE;
	}
	fa->by = fa->end == SIZE_MAX ? TD_PARTY_NOBODY : party(c->events[fa->end].dir);
	fa->outcome = outcome(c, &s, final);
}
