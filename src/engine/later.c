/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * later.c - handshakes after the first one (see flow.h): TLS <= 1.2
 * renegotiation and TLS 1.3 post-handshake authentication (issue 15,
 * Must 6).  records.c asks here which handshake a message or record
 * belongs to (the event's phase) and tells of every record; this file
 * keeps the counters and the "unfinished" fact on the connection, and
 * the hellos the current TLS <= 1.2 keys come from (decrypt.c).
 *
 * Renegotiation (RFC 5246 7.4.1.1, RFC 5746), all of it protected
 * under the first handshake's keys until each side's second CCS:
 *
 *   Client                                  Server
 *   ...first handshake..., application data
 *                           <--------       {HelloRequest}    (optional)
 *   {ClientHello}           -------->
 *                                           {ServerHello ... ServerHelloDone}
 *                           <--------       (CertificateRequest when asked)
 *   {Certificate}...{Finished} ------>      (new keys after the client's CCS)
 *                           <--------       CCS, {Finished}   (or a fatal alert)
 *
 * The key log has one CLIENT_RANDOM line per handshake: the second
 * handshake's keys come from the second ClientHello's random (flow.h,
 * client_random) and the second ServerHello's (hello.server_random).
 *
 * Post-handshake authentication (RFC 8446 4.6.2), under the application
 * traffic keys: the server's CertificateRequest; the client's
 * Certificate (empty when it has none), CertificateVerify (when not
 * empty), Finished; then the server goes on, or sends
 * certificate_required and closes.  Without keys all this is
 * application data: only the pattern "a server record, then a client
 * flight ending in a record of a Finished's size, then an alert-sized
 * record from the server, which closes", from a client that offered
 * post_handshake_auth, is put in the timeline (td_fl_later_end).
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "conn.h"
#include "flow.h"
#include "tls_crypto.h"
#include "tls_handshake.h"

/* Extension types (IANA): encrypt_then_mac (RFC 7366),
 * post_handshake_auth (RFC 8446 4.2.6). */
#define EXT_ENCRYPT_THEN_MAC 22u
#define EXT_POST_HANDSHAKE_AUTH 49u
/* Encrypted renegotiation records put in the timeline per direction (a
 * client renegotiating over and over must not push the end of the
 * connection out of TD_CAP_EVENTS). */
#define LATER_EVENTS_MAX 32u

void td_fl_hello_keys(struct flow *f, const struct td_server_hello *sh, bool client_etm)
{
	memcpy(f->hello.server_random, sh->random, sizeof f->hello.server_random);
	f->hello.version = sh->selected_version ? sh->selected_version : sh->legacy_version;
	f->hello.cipher = sh->cipher;
	f->hello.etm = client_etm && td_u16list_has(&sh->extensions, EXT_ENCRYPT_THEN_MAC);
}

/* TLS <= 1.2: the first handshake is over (both Finished went by, seen
 * or judged from the records), so a handshake record now is a
 * renegotiation. */
static bool first_over(const struct flow *f)
{
	return f->conn->sh.present && !td_fl_is_tls13(f->conn) && f->established_us != 0;
}

/* A renegotiation record or message: one begins when none is under way. */
static void reneg_begin(struct flow *f)
{
	if (f->later.open)
		return;
	memset(&f->later, 0, offsetof(struct later, events));
	f->later.open = true;
	f->conn->renegotiations++;
	f->conn->changes++;
}

/* A side's handshake record after its renegotiation CCS is its Finished:
 * the renegotiation is over when both sides sent theirs. */
static void reneg_finished(struct flow *f, enum td_dir dir)
{
	if (!f->later.ccs[dir])
		return;
	f->later.fin[dir] = true;
	if (f->later.fin[TD_DIR_C2S] && f->later.fin[TD_DIR_S2C])
		f->later.open = false;
}

/* A later ClientHello or ServerHello: what the next keys are made of.
 * The model keeps the first handshake's hellos. */
static void later_hello(struct flow *f, uint8_t type, const uint8_t *body, size_t len)
{
	if (type == TD_HS_CLIENT_HELLO) {
		struct td_client_hello ch = { 0 };
		if (td_tls_decode_client_hello(body, len, &ch) == TD_OK)
			f->later.client_etm = td_u16list_has(&ch.extensions, EXT_ENCRYPT_THEN_MAC);
		td_client_hello_cleanup(&ch);
	} else if (type == TD_HS_SERVER_HELLO) {
		struct td_server_hello sh = { 0 };
		if (td_tls_decode_server_hello(body, len, &sh) == TD_OK)
			td_fl_hello_keys(f, &sh, f->later.client_etm);
		else
			td_fl_malformed(f, TD_DIR_S2C, "ServerHello (renegotiation)", TD_ERR_MALFORMED);
		td_server_hello_cleanup(&sh);
	}
}

/* TLS 1.3 messages of a post-handshake authentication. */
static bool pha_message(uint8_t type)
{
	return type == TD_HS_CERTIFICATE_REQUEST || type == TD_HS_CERTIFICATE ||
	       type == TD_HS_COMPRESSED_CERTIFICATE || type == TD_HS_CERTIFICATE_VERIFY ||
	       type == TD_HS_FINISHED;
}

enum td_phase td_fl_later_message(struct flow *f, int side, uint8_t type, const uint8_t *body,
				  size_t len)
{
	struct td_conn *c = f->conn;
	enum td_dir dir = td_fl_side_dir(f, side);
	if (td_fl_is_tls13(c)) {
		/* Under the sender's application keys, only a post-handshake
		 * message can be one of these (its handshake Finished moved it
		 * there, records.c). */
		if (f->s[side].key_state != KEYS_APPLICATION || !pha_message(type))
			return TD_PHASE_FIRST;
		if (type == TD_HS_CERTIFICATE_REQUEST && dir == TD_DIR_S2C) {
			f->later.open = true;
			f->later.client_fin = false;
			c->post_handshake_auths++;
			c->changes++;
		} else if (type == TD_HS_FINISHED && dir == TD_DIR_C2S) {
			f->later.client_fin = true;
		}
		return TD_PHASE_POST_HANDSHAKE_AUTH;
	}
	if (!first_over(f))
		return TD_PHASE_FIRST;
	/* A Finished after the side's CCS ends its part; anything else that
	 * arrives with no renegotiation under way begins one. */
	if (type == TD_HS_FINISHED && f->later.open)
		reneg_finished(f, dir);
	else
		reneg_begin(f);
	later_hello(f, type, body, len);
	return TD_PHASE_RENEGOTIATION;
}

enum td_phase td_fl_later_record(struct flow *f, int side, uint8_t type)
{
	if (!first_over(f))
		return TD_PHASE_FIRST;
	enum td_dir dir = td_fl_side_dir(f, side);
	if (type == TD_CT_CHANGE_CIPHER_SPEC) {
		/* A CCS with no renegotiation under way is no handshake of ours
		 * (a stray one): leave it as it is. */
		if (!f->later.open)
			return TD_PHASE_FIRST;
		f->later.ccs[dir] = true;
		f->later.fin[dir] = false;
		return TD_PHASE_RENEGOTIATION;
	}
	/* An encrypted handshake record: the side's Finished after its CCS,
	 * else a renegotiation message. */
	if (f->later.open && f->later.ccs[dir])
		reneg_finished(f, dir);
	else
		reneg_begin(f);
	return TD_PHASE_RENEGOTIATION;
}

bool td_fl_later_event_room(struct flow *f, enum td_dir dir)
{
	return f->later.events[dir]++ < LATER_EVENTS_MAX;
}

/* The size of a TLS 1.3 protected record holding `content` bytes (the
 * inner type byte and the AEAD tag; nobody pads these), 0 for an
 * unknown suite. */
static size_t tls13_record(const struct td_conn *c, size_t content)
{
	const struct td_tls13_suite *s = td_tls13_suite_find(c->cipher);
	return s ? content + 1 + s->tag_len : 0;
}

void td_fl_later_after(struct flow *f, int side, const struct td_tls_record *rec, int inner,
		       bool shown)
{
	struct td_conn *c = f->conn;
	if (!c || f->replaying || !td_fl_is_tls13(c) || !f->established_us ||
	    rec->type != TD_CT_APPLICATION_DATA)
		return;
	enum td_dir dir = td_fl_side_dir(f, side);
	if (inner >= 0) {
		/* Decrypted: the server went on after the client's
		 * post-handshake Finished (a ticket, data): it accepted it. */
		if (f->later.open && f->later.client_fin && dir == TD_DIR_S2C &&
		    inner != TD_CT_ALERT)
			f->later.open = false;
		return;
	}
	/* Not decrypted (passed over, past the first records): a server
	 * record longer than an alert after the client's post-handshake
	 * Finished is data or a ticket, an acceptance too. */
	if (f->later.open && f->later.client_fin && dir == TD_DIR_S2C &&
	    rec->len > tls13_record(c, 2))
		f->later.open = false;
	/* Remember its size, the last LATE_RING of them. */
	if (f->later.ring_n == LATE_RING) {
		memmove(f->later.ring, f->later.ring + 1, (LATE_RING - 1) * sizeof f->later.ring[0]);
		f->later.ring_n--;
	}
	f->later.ring[f->later.ring_n++] = (struct late_rec){
		.ts_us = f->eng->now_us, .len = rec->len > UINT32_MAX ? UINT32_MAX : (uint32_t)rec->len,
		.dir = dir, .shown = shown };
}

/* TLS 1.3 without keys: does the connection end with a refused
 * post-handshake authentication?  The last records must be: a server
 * record (its CertificateRequest), the client's flight ending in a
 * record of a Finished's size (its Certificate, [CertificateVerify,]
 * Finished), then one alert-sized record from the server, which then
 * closed; and the client offered post_handshake_auth.  *first gets the
 * ring index of the server's request. */
static bool refused_pha(const struct flow *f, size_t *first)
{
	const struct td_conn *c = f->conn;
	const struct td_tls13_suite *s = td_tls13_suite_find(c->cipher);
	const struct late_rec *r = f->later.ring;
	size_t n = f->later.ring_n;
	const struct side *server = &f->s[td_fl_dir_side(f, TD_DIR_S2C)];
	if (!s || n < 3 || !td_u16list_has(&c->ch.extensions, EXT_POST_HANDSHAKE_AUTH) ||
	    !(server->fin || server->rst))
		return false;
	size_t alert = tls13_record(c, 2), fin = tls13_record(c, 4 + s->hash_len);
	if (r[n - 1].dir != TD_DIR_S2C || r[n - 1].len != alert ||
	    r[n - 2].dir != TD_DIR_C2S || r[n - 2].len != fin)
		return false;
	size_t j = n - 2;
	while (j > 0 && r[j - 1].dir == TD_DIR_C2S)
		j--;
	if (j == 0 || r[j - 1].dir != TD_DIR_S2C || r[j - 1].len <= alert)
		return false;
	*first = j - 1;
	return true;
}

void td_fl_later_end(struct flow *f)
{
	struct td_conn *c = f->conn;
	if (!c)
		return;
	size_t first;
	if (td_fl_is_tls13(c) && !f->later.open && c->post_handshake_auths == 0 &&
	    refused_pha(f, &first)) {
		/* Put the records in the timeline, where they were: the
		 * exchange by position, then the server's alert as an alert-sized
		 * record (infer.c labels them, the fate reads the alert). */
		uint64_t now = f->eng->now_us;
		for (size_t i = first; i < f->later.ring_n; i++) {
			const struct late_rec *r = &f->later.ring[i];
			if (r->shown)
				continue;
			bool last = i + 1 == f->later.ring_n;
			struct td_event ev = { .kind = TD_EV_ENCRYPTED,
					       .content_type = TD_CT_APPLICATION_DATA,
					       .encrypted = true, .length = r->len,
					       .phase = last ? TD_PHASE_FIRST
							     : TD_PHASE_POST_HANDSHAKE_AUTH };
			f->eng->now_us = r->ts_us;
			td_fl_add_event(f, r->dir, &ev);
		}
		f->eng->now_us = now;
		td_fl_sort_timeline(c);
		c->post_handshake_auths++;
		f->later.open = true;
	}
	if (f->later.open && (c->renegotiations > 0 || c->post_handshake_auths > 0)) {
		c->later_unfinished = true;
		c->changes++;
	}
}
