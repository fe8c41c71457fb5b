/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_timeline.c - the timeline of a connection line (schema: json.c):
 * one object per event, in capture order, and the alerts again on
 * their own.
 */
#include "config.h"

#include "jsonconn.h"
#include "quic.h"

static const char *event_name(enum td_event_kind k)
{
	switch (k) {
	case TD_EV_TCP_SYN: return "syn";
	case TD_EV_TCP_SYNACK: return "syn-ack";
	case TD_EV_TCP_FIN: return "fin";
	case TD_EV_TCP_RST: return "rst";
	case TD_EV_TCP_GAP: return "gap";
	case TD_EV_HANDSHAKE: return "handshake";
	case TD_EV_CCS: return "change_cipher_spec";
	case TD_EV_ALERT: return "alert";
	case TD_EV_ENCRYPTED: return "encrypted";
	case TD_EV_APPDATA: return "application_data";
	case TD_EV_SSLV2_HELLO: return "sslv2_client_hello";
	case TD_EV_APPLICATION: return "application";
	case TD_EV_QUIC_PACKET: return "quic_packet";
	case TD_EV_QUIC_CLOSE: return "quic_close";
	case TD_EV_STARTTLS: return "starttls";
	case TD_EV_MALFORMED: break;
	}
	return "malformed";
}

/* A STARTTLS step's role (conn.h: enum td_stls_role). */
static const char *stls_role_name(uint8_t role)
{
	switch (role) {
	case TD_STLS_ASK: return "ask";
	case TD_STLS_ANSWER: return "answer";
	case TD_STLS_AFTER: return "plaintext_after";
	case TD_STLS_CLEARED: return "cleared";
	}
	return "step";
}

/* An alert's level and description are known unless it stayed encrypted. */
static bool alert_known(const struct td_event *e)
{
	return !e->encrypted || e->decrypted;
}

/* The members after "t" up to the "length" key (written, not its value);
 * returns whether "length" follows. */
static bool write_event_head(struct td_jsonw *w, const struct td_event *e)
{
	td_jsonw_jk_word(w, TD_JKEY("dir"), e->dir == TD_DIR_C2S ? "c2s" : "s2c");
	td_jsonw_jk_word(w, TD_JKEY("event"), event_name(e->kind));
	switch (e->kind) {
	case TD_EV_HANDSHAKE:
		kname(w, TD_JKEY("message"), TD_REG_HANDSHAKE, e->hs_type);
		td_jsonw_jk_bool(w, TD_JKEY("encrypted"), e->encrypted);
		td_jsonw_jkey(w, TD_JKEY("length"));
		return true;
	case TD_EV_ALERT:
		if (alert_known(e)) {
			kname(w, TD_JKEY("level"), TD_REG_ALERT_LEVEL, e->alert_level);
			kname(w, TD_JKEY("description"), TD_REG_ALERT, e->alert_desc);
		}
		td_jsonw_jk_bool(w, TD_JKEY("encrypted"), e->encrypted);
		return false;
	case TD_EV_ENCRYPTED:
		if (e->content_type != 0)
			kname(w, TD_JKEY("content_type"), TD_REG_CONTENT_TYPE, e->content_type);
		/* The kind says it: an encrypted record is encrypted even if
		 * the decoder did not also set the flag. */
		td_jsonw_jk_bool(w, TD_JKEY("encrypted"), true);
		td_jsonw_jkey(w, TD_JKEY("length"));
		return true;
	case TD_EV_QUIC_PACKET:
		td_jsonw_jk_word(w, TD_JKEY("packet"),
				 td_quic_ptype_name((enum td_quic_ptype)e->quic_type));
		td_jsonw_jkey(w, TD_JKEY("length"));
		return true;
	case TD_EV_STARTTLS:
		if (e->content_type != TD_STLS_STEP)
			td_jsonw_jk_word(w, TD_JKEY("step"), stls_role_name(e->content_type));
		td_jsonw_jkey(w, TD_JKEY("length"));
		return true;
	case TD_EV_TCP_GAP:
	case TD_EV_APPDATA:
	case TD_EV_SSLV2_HELLO:
	case TD_EV_APPLICATION:
		td_jsonw_jkey(w, TD_JKEY("length"));
		return true;
	case TD_EV_TCP_SYN:
	case TD_EV_TCP_SYNACK:
	case TD_EV_TCP_FIN:
	case TD_EV_TCP_RST:
	case TD_EV_CCS:
	case TD_EV_MALFORMED:
	case TD_EV_QUIC_CLOSE:
		break;
	}
	return false;
}

static void opt_string(struct td_jsonw *w, struct td_jkey key, const char *s)
{
	if (s)
		td_jsonw_jk_string(w, key, s);
}

/* An application message's fields (conn.h: struct td_app_msg), only
 * those its kind has. */
static void write_app(struct td_jsonw *w, const struct td_app_msg *m)
{
	td_jsonw_jk_word(w, TD_JKEY("protocol"), td_app_proto_name(m->proto));
	td_jsonw_jk_word(w, TD_JKEY("message"), td_app_kind_name(m->kind));
	opt_string(w, TD_JKEY("method"), m->method);
	opt_string(w, TD_JKEY("command"), m->command);
	opt_string(w, TD_JKEY("mechanism"), m->mechanism);
	if (m->kind == TD_APP_REPLY && m->code) {
		td_jsonw_jkey(w, TD_JKEY("code"));
		td_jsonw_uint(w, m->code);
	}
	opt_string(w, TD_JKEY("target"), m->target);
	opt_string(w, TD_JKEY("version"), m->version);
	if (m->kind == TD_APP_RESPONSE) {
		td_jsonw_jkey(w, TD_JKEY("status"));
		td_jsonw_uint(w, m->status);
	}
	opt_string(w, TD_JKEY("reason"), m->reason);
	opt_string(w, TD_JKEY("title"), m->title);
	if (m->proto == TD_APP_HTTP2 && m->kind != TD_APP_H2_PREFACE) {
		td_jsonw_jkey(w, TD_JKEY("stream"));
		td_jsonw_uint(w, m->stream);
	}
	if (m->kind == TD_APP_H2_GOAWAY || m->kind == TD_APP_H2_RST_STREAM) {
		td_jsonw_jkey(w, TD_JKEY("error_code"));
		td_jsonw_uint(w, m->error_code);
		const char *name = td_h2_error_name(m->error_code);
		if (name)
			td_jsonw_jk_word(w, TD_JKEY("error"), name);
	}
	opt_string(w, TD_JKEY("severity"), m->severity);
	if (m->sqlstate[0])
		td_jsonw_jk_string(w, TD_JKEY("sqlstate"), m->sqlstate);
	opt_string(w, TD_JKEY("text"), m->message);
	opt_string(w, TD_JKEY("user"), m->user);
	if (m->redacted)
		td_jsonw_jk_bool(w, TD_JKEY("redacted"), true);
}

static void write_event(struct td_jsonw *w, const struct td_conn *c, const struct td_event *e)
{
	td_jsonw_object_begin(w);
	td_jsonw_jkey(w, TD_JKEY("t"));
	td_jsonw_fixed(w, td_out_rel_us(c, e->ts_us), 6);
	if (write_event_head(w, e))
		td_jsonw_uint(w, e->length);
	if (e->decrypted)
		td_jsonw_jk_bool(w, TD_JKEY("decrypted"), true);
	if (e->phase != TD_PHASE_FIRST)
		td_jsonw_jk_word(w, TD_JKEY("phase"), td_phase_name(e->phase));
	if (e->inferred)
		td_jsonw_jk_string(w, TD_JKEY("inferred"), e->inferred);
	if (e->kind == TD_EV_APPLICATION && e->app)
		write_app(w, e->app);
	if (e->detail)
		td_jsonw_jk_string(w, TD_JKEY("detail"), e->detail);
	td_jsonw_object_end(w);
}

void td_json_later(struct td_jsonw *w, const struct td_conn *c)
{
	if (c->renegotiations == 0 && c->post_handshake_auths == 0)
		return;
	td_jsonw_jkey(w, TD_JKEY("later_handshakes"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_uint(w, TD_JKEY("renegotiations"), c->renegotiations);
	td_jsonw_jk_uint(w, TD_JKEY("post_handshake_auth"), c->post_handshake_auths);
	td_jsonw_jk_bool(w, TD_JKEY("unfinished"), c->later_unfinished);
	td_jsonw_object_end(w);
}

void td_json_timeline_from(struct td_jsonw *w, const struct td_conn *c, size_t from)
{
	td_jsonw_jkey(w, TD_JKEY("timeline"));
	td_jsonw_array_begin(w);
	for (size_t i = from; i < c->n_events; i++)
		write_event(w, c, &c->events[i]);
	td_jsonw_array_end(w);
}

void td_json_timeline(struct td_jsonw *w, const struct td_conn *c)
{
	td_json_timeline_from(w, c, 0);
}

void td_json_alerts(struct td_jsonw *w, const struct td_conn *c)
{
	td_jsonw_jkey(w, TD_JKEY("alerts"));
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->kind != TD_EV_ALERT)
			continue;
		td_jsonw_object_begin(w);
		td_jsonw_jk_word(w, TD_JKEY("from"), td_dir_from(e->dir));
		if (alert_known(e)) {
			kname(w, TD_JKEY("level"), TD_REG_ALERT_LEVEL, e->alert_level);
			kname(w, TD_JKEY("description"), TD_REG_ALERT, e->alert_desc);
		} else {
			td_jsonw_jk_null(w, TD_JKEY("level"));
			td_jsonw_jk_null(w, TD_JKEY("description"));
		}
		td_jsonw_jk_bool(w, TD_JKEY("encrypted"), e->encrypted);
		td_jsonw_jkey(w, TD_JKEY("t"));
		td_jsonw_fixed(w, td_out_rel_us(c, e->ts_us), 6);
		td_jsonw_object_end(w);
	}
	td_jsonw_array_end(w);
}
