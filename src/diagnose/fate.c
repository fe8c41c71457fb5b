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
#include "hostname.h"
#include "tls_names.h"

/* A TLS 1.3 protected alert: 2 bytes + inner content type + 16-byte tag
 * (every suite but TLS_AES_128_CCM_8_SHA256, which no stack offers by
 * default). */
#define TLS13_ALERT_RECORD 19u
/* How soon after the last thing it received or sent a client that
 * announced an application protocol must leave for its leaving to count
 * as a refusal: a client that checks the server's name after the
 * handshake (curl, libpq) closes within milliseconds (0.4 ms and 23 ms
 * in captures/real); a pool or a browser's preconnect that drops a
 * spare connection does so seconds or minutes later, and that is no
 * refusal. */
#define QUIT_PROMPT_US 1000000u

static enum td_party party(enum td_dir d)
{
	return d == TD_DIR_C2S ? TD_PARTY_CLIENT : TD_PARTY_SERVER;
}

/* The events: the first fatal alert read, the unreadable alert, the
 * first close, reset and FIN, the first reaction, each side's first
 * leaving event, and whether a SYN went unanswered. */
struct seen {
	size_t fatal, alert, close, rst, fin, reaction;
	size_t leave[2];   /* by td_dir: its first alert (any level, read or
			      not, or alert-sized) or close */
	size_t qclose;     /* the first QUIC CONNECTION_CLOSE that is no alert */
	bool syn, synack;
};

/* A TLS 1.3 protected record of an alert's size (no keys). */
static bool alert_sized(const struct td_event *e, bool tls13)
{
	return tls13 && (e->kind == TD_EV_ENCRYPTED || e->kind == TD_EV_APPDATA) &&
	       e->content_type == TD_CT_APPLICATION_DATA && e->length == TLS13_ALERT_RECORD;
}

static void scan(const struct td_conn *c, struct seen *s)
{
	s->fatal = s->alert = s->close = s->rst = s->fin = s->reaction = SIZE_MAX;
	s->leave[0] = s->leave[1] = SIZE_MAX;
	s->qclose = SIZE_MAX;
	s->syn = s->synack = false;
	bool tls13 = c->sh.present && td_tls_version_is_13(c->version);
	/* Each side's first FIN or RST, and whether the client's FIN was a
	 * half-close: it came after the client's whole flight (its
	 * ChangeCipherSpec in TLS <= 1.2, a protected record other than an
	 * alert in TLS 1.3: the flight goes in one write), so it still waits
	 * for the server's verdict. */
	size_t closed[2] = { SIZE_MAX, SIZE_MAX };
	bool client_flight = false, half_close = false;
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		enum td_dir peer = e->dir == TD_DIR_C2S ? TD_DIR_S2C : TD_DIR_C2S;
		/* An alert after the peer's FIN or RST answers it (conn.h). */
		bool reaction = closed[peer] != SIZE_MAX && !(peer == TD_DIR_C2S && half_close);
		switch (e->kind) {
		case TD_EV_ALERT: {
			if (s->leave[e->dir] == SIZE_MAX)
				s->leave[e->dir] = i;
			bool read = !e->encrypted || e->decrypted;
			if (read && e->alert_level != TD_ALERT_LEVEL_FATAL)
				break;  /* a warning (close_notify...) ends nothing */
			size_t *slot = read ? &s->fatal : &s->alert;
			if (reaction)
				slot = &s->reaction;
			if (*slot == SIZE_MAX)
				*slot = i;
			break;
		}
		case TD_EV_ENCRYPTED:
		case TD_EV_APPDATA:
			if (e->dir == TD_DIR_C2S && !alert_sized(e, tls13))
				client_flight = true;
			if (alert_sized(e, tls13)) {
				if (s->leave[e->dir] == SIZE_MAX)
					s->leave[e->dir] = i;
				size_t *slot = reaction ? &s->reaction : &s->alert;
				if (*slot == SIZE_MAX)
					*slot = i;
			} else if (s->alert != SIZE_MAX && e->dir == c->events[s->alert].dir &&
				   e->length > TLS13_ALERT_RECORD) {
				/* Data after it from the same side: it was no alert. */
				s->alert = SIZE_MAX;
			}
			break;
		case TD_EV_HANDSHAKE:
			if (e->dir == TD_DIR_C2S && e->hs_type == TD_HS_FINISHED)
				client_flight = true;  /* decrypted */
			break;
		case TD_EV_CCS:
			/* TLS 1.3's CCS is for middleboxes and may come alone. */
			if (e->dir == TD_DIR_C2S && !tls13)
				client_flight = true;
			break;
		case TD_EV_TCP_FIN:
		case TD_EV_TCP_RST:
			if (s->close == SIZE_MAX)
				s->close = i;
			if (e->kind == TD_EV_TCP_RST && s->rst == SIZE_MAX)
				s->rst = i;
			if (e->kind == TD_EV_TCP_FIN && s->fin == SIZE_MAX)
				s->fin = i;
			if (closed[e->dir] == SIZE_MAX) {
				closed[e->dir] = i;
				if (e->dir == TD_DIR_C2S)
					half_close = e->kind == TD_EV_TCP_FIN && client_flight;
			}
			if (s->leave[e->dir] == SIZE_MAX)
				s->leave[e->dir] = i;
			break;
		case TD_EV_QUIC_CLOSE:
			if (s->qclose == SIZE_MAX)
				s->qclose = i;
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
		bool fatal = e->kind == TD_EV_ALERT && read && e->alert_level == TD_ALERT_LEVEL_FATAL;
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

/* ---- QUIC without keys (issue 16) ------------------------------------
 *
 * Without a key log only the Initial packets open: the ServerHello is
 * read, the rest of the handshake (the server's Certificate to Finished,
 * the client's Finished, a CONNECTION_CLOSE carrying the client's alert)
 * travels in Handshake packets, and what follows in 1-RTT packets.  Each
 * side's keys are what the packet types show, in datagram order
 * (td_quic_conn.datagrams):
 *
 *   - A client sends 1-RTT packets only with the application keys, which
 *     come with the server's Finished (RFC 9001 4.1.4): TLS stacks
 *     derive them once they have checked the server's flight (its
 *     certificate among it), and the client's Finished goes in the same
 *     flight.  So a client's 1-RTT packet says it accepted the server.
 *   - The server's own 1-RTT packets may come before that (0.5-RTT data:
 *     HTTP/3's control stream along its flight), so they prove nothing
 *     alone.  But once the server has the client's Finished, the
 *     handshake is complete and confirmed on its side (RFC 9001 4.1.2):
 *     it drops its Handshake keys (4.9.2) and speaks 1-RTT only,
 *     HANDSHAKE_DONE first.  A server that refuses the client's flight
 *     closes in a Handshake packet instead (RFC 9000 10.2.3), coalesced
 *     with a 1-RTT one at most.
 *   Completed: after the client's first 1-RTT packet, the server sent a
 *   datagram of 1-RTT packets alone, later than its last Handshake one.
 *
 *   - A client that refuses the server's certificate does not derive its
 *     1-RTT keys: it acknowledges the server's flight and closes, both in
 *     Handshake packets, then says nothing (its CONNECTION_CLOSE with the
 *     crypto error, Chromium's certificate_unknown, is out of sight).
 *   Refused: the server's flight came (a ServerHello and Handshake
 *   packets), the client answered in Handshake packets and never sent a
 *   1-RTT packet, and it spoke last, a Handshake packet: the server was
 *   not the one left to answer (a flight cut off by the capture would end
 *   on the server's packets or the client's acknowledgement in the
 *   middle of them; that the client spoke last is what this cannot rule
 *   out, hence inferred).
 *
 *   - A server that refuses the client's flight (its certificate or the
 *     lack of one: TLS 1.3's second client flight holds nothing else but
 *     CertificateVerify and Finished) closes in a Handshake packet, and
 *     repeats the close to what the client still sends (RFC 9000
 *     10.2.1), 1-RTT packets by then: the client had accepted the server.
 *   Server refused: the client sent a 1-RTT packet, and the server's
 *   last datagram, later than it, held a Handshake packet; it never sent
 *   a datagram of 1-RTT packets alone after the client's first 1-RTT
 *   packet (else: completed).  A capture cut while the server
 *   retransmits its flight would look the same, hence inferred.
 */
bool td_fate_quic_completed(const struct td_conn *c)
{
	const struct td_quic_conn *q = &c->quic;
	uint32_t client = q->first_short[TD_DIR_C2S], server = q->last_short_only[TD_DIR_S2C];
	return q->present && c->sh.present && client != 0 && server > client &&
	       server > q->last_long[TD_DIR_S2C];
}

bool td_fate_quic_refused(const struct td_conn *c)
{
	const struct td_quic_conn *q = &c->quic;
	return q->present && c->sh.present && !c->handshake_done && !td_fate_quic_completed(c) &&
	       q->packets[TD_DIR_S2C][TD_QP_HANDSHAKE] > 0 &&
	       q->packets[TD_DIR_C2S][TD_QP_HANDSHAKE] > 0 &&
	       q->packets[TD_DIR_C2S][TD_QP_1RTT] == 0 &&
	       q->last_dgram[TD_DIR_C2S] > q->last_dgram[TD_DIR_S2C] &&
	       q->last_long[TD_DIR_C2S] == q->last_dgram[TD_DIR_C2S] && !q->close.seen;
}

bool td_fate_quic_server_refused(const struct td_conn *c)
{
	const struct td_quic_conn *q = &c->quic;
	uint32_t client = q->first_short[TD_DIR_C2S];
	return q->present && c->sh.present && !c->handshake_done && !td_fate_quic_completed(c) &&
	       client != 0 && q->packets[TD_DIR_C2S][TD_QP_HANDSHAKE] > 0 &&
	       q->last_dgram[TD_DIR_S2C] > client &&
	       q->last_long[TD_DIR_S2C] == q->last_dgram[TD_DIR_S2C] && !q->close.seen;
}

/* The client's first alert read in clear or decrypted that is not
 * close_notify (a warning: a fatal one would be fate.fatal), SIZE_MAX
 * if none. */
static size_t client_alert_read(const struct td_conn *c)
{
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_ALERT && e->dir == TD_DIR_C2S && (!e->encrypted || e->decrypted) &&
		    e->alert_desc != TD_ALERT_CLOSE_NOTIFY)
			return i;
	}
	return SIZE_MAX;
}

/* The visible server certificate does not cover the name the client
 * sent.  Without SNI there is no name: the address the client dialled
 * is a guess, and a probe by address verifies nothing by name. */
static bool name_refused(const struct td_conn *c)
{
	if (!c->ch.sni || c->server_chain.n == 0 || !c->server_chain.certs[0]->parsed)
		return false;
	enum td_name_match m = td_hostname_match(c->server_chain.certs[0], c->ch.sni);
	return m == TD_NAME_MISMATCH || m == TD_NAME_NO_NAMES;
}

/* It left at once: within QUIT_PROMPT_US of the event before. */
static bool prompt(const struct td_conn *c, size_t at)
{
	for (size_t i = at; i-- > 0;)
		if (c->events[i].kind != TD_EV_TCP_GAP)
			return c->events[at].ts_us <= c->events[i].ts_us + QUIT_PROMPT_US;
	return true;
}

/*
 * A client that finished the handshake and left without a byte of data
 * (the engine's client_quit_after_handshake): a refusal, or a probe?
 * On the wire the two look the same: curl closing on a name mismatch
 * and `openssl s_client </dev/null` both send a close_notify (a 19-byte
 * record in TLS 1.3, 26 bytes in TLS 1.2 with AES-GCM: the sizes cannot
 * tell them apart) and a FIN right after their Finished; a HAProxy
 * check-ssl health check sends a RST.  So leaving is a refusal only when
 * something else says so, and each sign is checked in this order:
 *   - an alert other than close_notify, read in clear or decrypted;
 *   - the server certificate is visible (TLS 1.2, or a key log) and does
 *     not cover the SNI the client sent: whatever the client is, it was
 *     handed a certificate for another name and left (no SNI: no name
 *     to check, and no sign: a probe by address verifies nothing by
 *     name that we could see);
 *   - the client announced an application protocol and left at once
 *     without speaking it: it offered ALPN (HTTP clients and browsers
 *     do; s_client and health checks do not), or it upgraded a cleartext
 *     exchange to TLS (STARTTLS, PostgreSQL's SSLRequest).  Such a
 *     client sends its request as soon as the handshake is done; leaving
 *     within QUIT_PROMPT_US instead, with an alert first (a close_notify:
 *     the TLS library's shutdown), is what curl and libpq do when their
 *     own check of the certificate fails after the handshake.  A bare FIN
 *     or RST is a socket dropped, not a TLS session refused: Chromium
 *     closes the spare one of two connections it raced to a server right
 *     after its Finished, with a FIN (mercury's test_decrypt.pcap), and a
 *     HAProxy health check resets.  But a STARTTLS client that wrote
 *     bytes that are not TLS before its FIN (upgraded_clear_bye) left the
 *     TLS session for its own protocol: a choice, not a dropped socket.
 * Nothing of this: TD_QUIT_CLOSED, a warning at most (CLOSED_WITHOUT_DATA).
 * The client must have left first: after the server's close or alert,
 * its own close is an answer, not a choice.
 */
/* The client of an upgraded session wrote bytes that are not TLS once TLS
 * had begun (TD_AN_NON_TLS_BYTES): it dropped the TLS session and went
 * on in its own protocol, as libldap does after its check of the
 * certificate fails (an unbindRequest in clear, then its FIN). */
static bool upgraded_clear_bye(const struct td_conn *c)
{
	if (c->starttls.result != TD_STLS_UPGRADED)
		return false;
	for (size_t i = 0; i < c->anomalies.n; i++)
		if (c->anomalies.v[i].code == TD_AN_NON_TLS_BYTES &&
		    c->anomalies.v[i].dir == TD_DIR_C2S)
			return true;
	return false;
}

static void judge_quit(const struct td_conn *c, const struct seen *s, struct td_fate *fa)
{
	fa->quit = TD_QUIT_NONE;
	fa->quit_sign = TD_SIGN_NONE;
	fa->quit_at = SIZE_MAX;
	size_t at = s->leave[TD_DIR_C2S];
	if (!c->handshake_done || !c->client_quit_after_handshake || s->fatal != SIZE_MAX ||
	    at == SIZE_MAX || s->leave[TD_DIR_S2C] < at)
		return;
	fa->quit_at = at;
	fa->quit = TD_QUIT_REJECTED;
	if (client_alert_read(c) != SIZE_MAX)
		fa->quit_sign = TD_SIGN_ALERT;
	else if (name_refused(c))
		fa->quit_sign = TD_SIGN_NAME;
	else if ((c->ch.alpn.n > 0 || c->cleartext[TD_DIR_C2S] ||
		  c->starttls.result == TD_STLS_UPGRADED) && prompt(c, at) &&
		 ((c->events[at].kind != TD_EV_TCP_FIN && c->events[at].kind != TD_EV_TCP_RST) ||
		  (c->events[at].kind == TD_EV_TCP_FIN && upgraded_clear_bye(c))))
		fa->quit_sign = TD_SIGN_APP_PROTOCOL;
	else
		fa->quit = TD_QUIT_CLOSED;
}

static enum td_outcome outcome(const struct td_conn *c, const struct seen *s, bool final)
{
	/* Live, the engine sets handshake_done only at the end: both
	 * Finished seen say the same meanwhile. */
	bool done = c->handshake_done || (!final && c->finished[TD_DIR_C2S] &&
					  c->finished[TD_DIR_S2C]);
	bool fatal = s->fatal != SIZE_MAX;
	/* Established means established: what follows a completed handshake
	 * (a close without data, an alert that is not fatal, an application
	 * refusal) has its own diagnosis, but for a client that refused the
	 * server right after it. */
	if (done && !fatal)
		return c->fate.quit == TD_QUIT_REJECTED || td_fate_later_failed(c, NULL)
			? TD_OUTCOME_FAILED : TD_OUTCOME_ESTABLISHED;
	bool closed = s->close != SIZE_MAX;
	for (int d = 0; d < 2; d++)
		closed = closed || c->side[d].fin || c->side[d].rst;
	/* A flow picked up after its handshake: its close says nothing. */
	bool hello = c->ch.present || c->sh.present;
	/* A SYN never answered is a failed connection, whatever the capture
	 * saw afterwards; live, the answer may still come. */
	bool unanswered = final && s->syn && !s->synack;
	/* A STARTTLS exchange that never reached TLS and closed: stopped
	 * before TLS (issue 17), as cleartext sent to a TLS port is. */
	bool stls_stopped = c->starttls.proto != TD_STLS_NONE &&
			    c->starttls.result != TD_STLS_UPGRADED && c->starttls.result != TD_STLS_INCOMPLETE;
	if (fatal || (closed && hello) || unanswered || (closed && c->cleartext[TD_DIR_C2S]) ||
	    (closed && stls_stopped))
		return TD_OUTCOME_FAILED;
	/* QUIC: a CONNECTION_CLOSE before the handshake completed ended it
	 * (a transport error, or a Version Negotiation's client giving up
	 * shows no close); a client that refused the server, or a server
	 * that refused the client's flight (see above). */
	if (s->qclose != SIZE_MAX ||
	    (final && (c->fate.quic_refused || c->fate.quic_server_refused)))
		return TD_OUTCOME_FAILED;
	/* A handshake that stopped with an error diagnosis has its verdict
	 * (a server that never answered the ClientHello, say). */
	if (final && c->fate.root != SIZE_MAX)
		return TD_OUTCOME_FAILED;
	return TD_OUTCOME_INCOMPLETE;
}

/* The first error diagnosis, SIZE_MAX when none. */
static size_t root_of(const struct td_conn *c)
{
	for (size_t i = 0; i < c->n_diags; i++)
		if (c->diags[i].severity == TD_SEV_ERROR)
			return i;
	return SIZE_MAX;
}

void td_fate_with_diagnoses(struct td_conn *c)
{
	struct td_fate *fa = &c->fate;
	if (!fa->judged) {
		td_fate_judge(c, true);
		return;
	}
	fa->root = root_of(c);
	/* outcome()'s last test, the only one that reads the diagnoses. */
	if (fa->final && fa->outcome == TD_OUTCOME_INCOMPLETE && fa->root != SIZE_MAX)
		fa->outcome = TD_OUTCOME_FAILED;
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
	fa->reaction = s.reaction;
	judge_quit(c, &s, fa);
	fa->quic_refused = final && s.fatal == SIZE_MAX && td_fate_quic_refused(c);
	fa->quic_server_refused = final && s.fatal == SIZE_MAX && td_fate_quic_server_refused(c);
	fa->root = root_of(c);

	if (s.fatal != SIZE_MAX) {
		fa->end = s.fatal;
		fa->how = TD_END_FATAL_ALERT;
	} else if (s.alert != SIZE_MAX) {
		fa->end = s.alert;
		fa->how = c->events[s.alert].kind == TD_EV_ALERT ? TD_END_ENCRYPTED_ALERT
								: TD_END_ALERT_SIZED;
	} else if (s.close != SIZE_MAX) {
		/* The first close in time, whichever it is: a RST after the
		 * peer's FIN (a kernel answering unread data) is its echo. */
		fa->end = s.close;
		fa->how = c->events[s.close].kind == TD_EV_TCP_RST ? TD_END_RST : TD_END_FIN;
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
