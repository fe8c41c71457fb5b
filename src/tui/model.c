/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * model.c - the TUI's own copy of what the engine reported (tui_int.h).
 *
 * A ring of rows, one per connection, oldest first.  conn_update and
 * conn_done find a running connection's row through a small hash of id
 * -> seq (only rows still running are in it, so it stays as small as
 * the number of handshakes in flight).  Each row keeps a summary (what
 * the list shows and filters on, formatted once) and a deep copy of the
 * connection for the details pane and the s report.  The engine calls
 * conn_update only when the connection changed (conn.h's changes), and a
 * copy is made only when a cheap fingerprint of what the views show
 * moved.
 *
 * Memory is bounded twice: at most cap rows (the oldest is dropped) and
 * max_bytes of copies (the oldest finished rows lose their copy first).
 * Both drops are counted for the status line.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_names.h"
#include "tui_int.h"

struct td_tui_slot {
	uint64_t id;   /* 0: empty (connection ids start at 1) */
	uint64_t seq;
};

/* ---- state and class --------------------------------------------------- */

static bool is_server_flight_msg(uint8_t t)
{
	return t == TD_HS_SERVER_HELLO || td_tls_is_certificate_msg(t) ||
	       t == TD_HS_SERVER_KEY_EXCHANGE || t == TD_HS_CERTIFICATE_REQUEST ||
	       t == TD_HS_SERVER_HELLO_DONE || t == TD_HS_ENCRYPTED_EXTENSIONS ||
	       t == TD_HS_CERTIFICATE_STATUS || t == TD_HS_CERTIFICATE_VERIFY;
}

/* The state after event e, from state st (running connections). */
static enum td_tui_state step(enum td_tui_state st, const struct td_event *e)
{
	if (st == TD_TUI_ST_ALERT)
		return st;  /* a fatal alert is the story, whatever follows */
	switch (e->kind) {
	case TD_EV_TCP_SYN:
	case TD_EV_TCP_SYNACK:
	case TD_EV_TCP_GAP:
	case TD_EV_MALFORMED:
		return st;
	case TD_EV_TCP_FIN:
	case TD_EV_TCP_RST:
		return st == TD_TUI_ST_ESTABLISHED ? st : TD_TUI_ST_CLOSED;
	case TD_EV_SSLV2_HELLO:
		return TD_TUI_ST_HELLO;
	case TD_EV_HANDSHAKE:
		if (e->hs_type == TD_HS_CLIENT_HELLO)
			return st == TD_TUI_ST_TCP ? TD_TUI_ST_HELLO : st;
		if (e->hs_type == TD_HS_NEW_SESSION_TICKET || e->hs_type == TD_HS_KEY_UPDATE)
			return st;
		if (e->dir == TD_DIR_S2C)
			return st == TD_TUI_ST_CLIENT_FLIGHT && !is_server_flight_msg(e->hs_type)
				? st : TD_TUI_ST_SERVER_FLIGHT;
		return TD_TUI_ST_CLIENT_FLIGHT;
	case TD_EV_CCS:
	case TD_EV_ENCRYPTED:
		/* A server record after the client's second flight is its
		 * Finished (TLS 1.2) or a ticket: the client flight goes on. */
		if (e->dir == TD_DIR_C2S)
			return TD_TUI_ST_CLIENT_FLIGHT;
		return st == TD_TUI_ST_CLIENT_FLIGHT ? st : TD_TUI_ST_SERVER_FLIGHT;
	case TD_EV_APPDATA:
		return TD_TUI_ST_ESTABLISHED;
	case TD_EV_APPLICATION:
	case TD_EV_QUIC_PACKET:
	case TD_EV_QUIC_CLOSE:
	case TD_EV_STARTTLS:
		return st;
	case TD_EV_ALERT:
		if (e->encrypted && !e->decrypted)
			return st == TD_TUI_ST_ESTABLISHED ? st : TD_TUI_ST_ALERT;
		if (e->alert_level == TD_ALERT_LEVEL_FATAL)
			return TD_TUI_ST_ALERT;
		return st;
	}
	return st;
}

enum td_tui_state td_tui_state_of(const struct td_conn *c, bool done)
{
	if (done) {
		switch (c->fate.outcome) {
		case TD_OUTCOME_ESTABLISHED: return TD_TUI_ST_ESTABLISHED;
		case TD_OUTCOME_FAILED: return TD_TUI_ST_FAILED;
		case TD_OUTCOME_INCOMPLETE: return TD_TUI_ST_INCOMPLETE;
		}
		return TD_TUI_ST_INCOMPLETE;
	}
	enum td_tui_state st = TD_TUI_ST_TCP;
	for (size_t i = 0; i < c->n_events; i++)
		st = step(st, &c->events[i]);
	if ((c->handshake_done || (c->finished[0] && c->finished[1])) &&
	    st != TD_TUI_ST_ALERT && st != TD_TUI_ST_CLOSED)
		st = TD_TUI_ST_ESTABLISHED;
	return st;
}

enum td_tui_class td_tui_class_of(const struct td_conn *c, enum td_tui_state st, bool done)
{
	/* Failed is the fate's word (conn.h), live as at the end. */
	if (c->fate.outcome == TD_OUTCOME_FAILED)
		return TD_TUI_FAIL;
	if (!done)
		return st == TD_TUI_ST_ESTABLISHED ? TD_TUI_OK : TD_TUI_RUNNING;
	if (c->fate.outcome == TD_OUTCOME_INCOMPLETE)
		return TD_TUI_WARN;
	/* Established: a problem worth a look, not a failure. */
	for (size_t i = 0; i < c->n_diags; i++)
		if (c->diags[i].severity != TD_SEV_INFO)
			return TD_TUI_WARN;
	return TD_TUI_OK;
}

const char *td_tui_state_name(enum td_tui_state s, bool brief)
{
	switch (s) {
	case TD_TUI_ST_TCP: return "tcp";
	case TD_TUI_ST_HELLO: return "hello";
	case TD_TUI_ST_SERVER_FLIGHT: return brief ? "srv flight" : "server flight";
	case TD_TUI_ST_CLIENT_FLIGHT: return brief ? "cli flight" : "client flight";
	case TD_TUI_ST_ESTABLISHED: return "established";
	case TD_TUI_ST_ALERT: return "alert";
	case TD_TUI_ST_CLOSED: return "closed";
	case TD_TUI_ST_FAILED: return "failed";
	case TD_TUI_ST_INCOMPLETE: return "incomplete";
	}
	return "?";
}

char td_tui_class_symbol(enum td_tui_class k)
{
	switch (k) {
	case TD_TUI_FAIL: return 'X';
	case TD_TUI_WARN: return '!';
	case TD_TUI_OK: return '+';
	case TD_TUI_RUNNING: return '~';
	}
	return '?';
}

/* ---- the id hash (running rows only) ------------------------------------ */

static size_t slot_of(const struct td_tui_model *m, uint64_t id)
{
	/* Fibonacci hashing: ids are consecutive, spread them. */
	return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 17) & (m->hcap - 1);
}

static bool hash_find(const struct td_tui_model *m, uint64_t id, uint64_t *seq)
{
	for (size_t i = slot_of(m, id);; i = (i + 1) & (m->hcap - 1)) {
		if (m->hash[i].id == 0)
			return false;
		if (m->hash[i].id == id) {
			*seq = m->hash[i].seq;
			return true;
		}
	}
}

static void hash_put(struct td_tui_model *m, uint64_t id, uint64_t seq)
{
	size_t i = slot_of(m, id);
	while (m->hash[i].id != 0 && m->hash[i].id != id)
		i = (i + 1) & (m->hcap - 1);
	if (m->hash[i].id == 0)
		m->hn++;
	m->hash[i].id = id;
	m->hash[i].seq = seq;
}

/* Linear probing removal by backward shift: no tombstones, so lookups
 * stay short however many rows came and went. */
static void hash_remove(struct td_tui_model *m, uint64_t id)
{
	size_t mask = m->hcap - 1, i = slot_of(m, id);
	while (m->hash[i].id != id) {
		if (m->hash[i].id == 0)
			return;
		i = (i + 1) & mask;
	}
	m->hn--;
	for (size_t j = (i + 1) & mask; m->hash[j].id != 0; j = (j + 1) & mask) {
		size_t home = slot_of(m, m->hash[j].id);
		/* Move j into the hole at i unless its home lies in (i, j]. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			m->hash[i] = m->hash[j];
			i = j;
		}
	}
	m->hash[i].id = 0;
}

/* ---- the ring ----------------------------------------------------------- */

enum td_result td_tui_model_init(struct td_tui_model *m, size_t cap, size_t max_bytes)
{
	memset(m, 0, sizeof *m);
	if (cap == 0)
		cap = 1;
	size_t hcap = 16;
	while (hcap < cap * 2)
		hcap *= 2;
	m->rows = calloc(cap, sizeof *m->rows);
	m->hash = calloc(hcap, sizeof *m->hash);
	if (!m->rows || !m->hash) {
		free(m->rows);
		free(m->hash);
		memset(m, 0, sizeof *m);
		return TD_ERR_NOMEM;
	}
	m->cap = cap;
	m->hcap = hcap;
	m->max_bytes = max_bytes;
	return TD_OK;
}

static struct td_tui_row *row_at(const struct td_tui_model *m, uint64_t seq)
{
	return &m->rows[seq % m->cap];
}

static void row_drop_copy(struct td_tui_model *m, struct td_tui_row *r)
{
	if (!r->conn)
		return;
	td_conn_free(r->conn);
	r->conn = NULL;
	m->bytes -= r->conn_bytes < m->bytes ? r->conn_bytes : m->bytes;
	r->conn_bytes = 0;
}

static void row_clear(struct td_tui_model *m, struct td_tui_row *r)
{
	row_drop_copy(m, r);
	free(r->sni);
	memset(r, 0, sizeof *r);
}

void td_tui_model_cleanup(struct td_tui_model *m)
{
	if (!m->rows)
		return;
	for (uint64_t s = m->head; s < m->next; s++)
		row_clear(m, row_at(m, s));
	free(m->rows);
	free(m->hash);
	memset(m, 0, sizeof *m);
}

const struct td_tui_row *td_tui_model_row(const struct td_tui_model *m, uint64_t seq)
{
	if (seq < m->head || seq >= m->next)
		return NULL;
	return row_at(m, seq);
}

/* A new row for c at the end, dropping the oldest when the ring is full. */
static struct td_tui_row *row_new(struct td_tui_model *m, const struct td_conn *c)
{
	if (m->next - m->head == m->cap) {
		struct td_tui_row *old = row_at(m, m->head);
		if (!old->done && old->id)
			hash_remove(m, old->id);
		row_clear(m, old);
		m->head++;
		m->rows_dropped++;
		if (m->trim < m->head)
			m->trim = m->head;
	}
	uint64_t seq = m->next++;
	struct td_tui_row *r = row_at(m, seq);
	memset(r, 0, sizeof *r);
	r->seq = seq;
	r->id = c->id;
	m->total++;
	if (c->id)
		hash_put(m, c->id, seq);
	return r;
}

/* A rough size of a copy of c, for the byte cap: the model's arrays and
 * strings, not malloc's overhead. */
static size_t strlist_size(const struct td_strlist *l)
{
	size_t n = l->n * sizeof *l->v;
	for (size_t i = 0; i < l->n; i++)
		n += strlen(l->v[i]) + 1;
	return n;
}

static size_t anomalies_size(const struct td_anomalies *l)
{
	size_t n = l->n * sizeof *l->v;
	for (size_t i = 0; i < l->n; i++)
		for (int k = 0; k < 2; k++)
			n += l->v[i].str[k] ? strlen(l->v[i].str[k]) + 1 : 0;
	return n;
}

static size_t chain_size(const struct td_chain *ch)
{
	size_t n = ch->n * sizeof *ch->certs;
	for (size_t i = 0; i < ch->n; i++) {
		const struct td_cert *x = ch->certs[i];
		n += x->der_len + strlist_size(&x->san) + strlist_size(&x->key_usage) +
		     strlist_size(&x->ext_key_usage) + 256;  /* subject, issuer, serial... */
		if (x->subject)
			n += strlen(x->subject);
		if (x->issuer)
			n += strlen(x->issuer);
	}
	return n;
}

static size_t conn_size(const struct td_conn *c)
{
	size_t n = sizeof *c + c->n_events * sizeof *c->events;
	n += chain_size(&c->server_chain) + chain_size(&c->client_chain);
	n += strlist_size(&c->cr.ca_names) + anomalies_size(&c->anomalies) +
	     strlist_size(&c->ch.alpn);
	n += 2 * (c->ch.suites.n + c->ch.extensions.n + c->ch.groups.n + c->ch.sig_algs.n +
		  c->ch.versions.n + c->sh.extensions.n + c->cr.sig_algs.n);
	for (size_t i = 0; i < c->n_diags; i++) {
		const struct td_diagnosis *d = &c->diags[i];
		n += sizeof *d + strlist_size(&d->evidence);
		if (d->summary)
			n += strlen(d->summary);
		if (d->fix)
			n += strlen(d->fix);
	}
	return n;
}

/* What decides whether a new copy is worth making: everything the views
 * show moves one of these. */
static uint64_t fingerprint(const struct td_conn *c)
{
	const uint64_t v[] = {
		c->n_events, c->dropped_events, c->n_diags, (uint64_t)c->fate.outcome, c->version,
		c->cipher, c->server_chain.n, c->client_chain.n, c->cr.present, c->ch.present,
		c->sh.present, c->handshake_done, c->finished[0], c->finished[1],
		c->anomalies.n, c->decrypted, c->tls, c->server_port, c->client_port,
	};
	uint64_t h = 1469598103934665603ull;  /* FNV-1a over the values */
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		h ^= v[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* Drop the copies of the oldest finished rows until the bytes fit. */
static void trim(struct td_tui_model *m)
{
	if (m->trim < m->head)
		m->trim = m->head;
	while (m->bytes > m->max_bytes && m->trim < m->next) {
		struct td_tui_row *r = row_at(m, m->trim);
		if (r->done && r->conn) {
			row_drop_copy(m, r);
			r->gen++;
			m->copies_dropped++;
		}
		m->trim++;
	}
}

static void set_summary(struct td_tui_row *r, const struct td_conn *c, bool done)
{
	r->start_us = c->start_us;
	td_addr_format(r->client, sizeof r->client, &c->client_addr, c->client_port);
	td_addr_format(r->server, sizeof r->server, &c->server_addr, c->server_port);
	/* The client's address alone: what td_addr_format put before ":port". */
	snprintf(r->client_ip, sizeof r->client_ip, "%s", r->client);
	char *colon = strrchr(r->client_ip, ':');
	if (colon)
		*colon = '\0';
	if (r->client_ip[0] == '[') {
		size_t l = strlen(r->client_ip);
		memmove(r->client_ip, r->client_ip + 1, l);
		if (l >= 2 && r->client_ip[l - 2] == ']')
			r->client_ip[l - 2] = '\0';
	}
	r->version = c->version;
	r->state = td_tui_state_of(c, done);
	r->cls = td_tui_class_of(c, r->state, done);
	r->code = c->n_diags ? c->diags[0].code : NULL;
}

enum td_result td_tui_model_update(struct td_tui_model *m, const struct td_conn *c, bool done)
{
	uint64_t seq;
	struct td_tui_row *r;
	if (c->id && hash_find(m, c->id, &seq)) {
		r = row_at(m, seq);
	} else {
		r = row_new(m, c);
	}
	if (done && c->id)
		hash_remove(m, c->id);
	uint64_t fp = fingerprint(c);
	bool changed = done || fp != r->fp || !r->conn;
	const char *sni = c->ch.present ? c->ch.sni : NULL;
	if (sni && (!r->sni || strcmp(r->sni, sni) != 0)) {
		char *copy = strdup(sni);
		if (copy) {
			free(r->sni);
			r->sni = copy;
		}
	}
	if (changed)
		set_summary(r, c, done);
	r->done = done;
	enum td_result res = TD_OK;
	if (changed) {
		struct td_conn *copy = td_conn_clone(c);
		if (copy) {
			row_drop_copy(m, r);
			r->conn = copy;
			r->conn_bytes = conn_size(copy);
			m->bytes += r->conn_bytes;
			r->fp = fp;
		} else {
			m->nomem++;
			res = TD_ERR_NOMEM;
		}
		r->gen++;
		m->gen++;
	}
	if (done) {
		if (r->cls == TD_TUI_FAIL)
			m->failures++;
		m->gen++;
	}
	trim(m);
	return res;
}

/* ---- filter and view ---------------------------------------------------- */

static bool has(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle) != NULL;
}

bool td_tui_row_matches(const struct td_tui_row *r, const struct td_tui_filter *f)
{
	if (f->failures_only && r->cls != TD_TUI_FAIL)
		return false;
	const char *t = f->text;
	if (!t[0])
		return true;
	if (has(r->sni, t) || has(r->client, t) || has(r->server, t) || has(r->code, t))
		return true;
	if (r->conn)
		for (size_t i = 0; i < r->conn->n_diags; i++)
			if (has(r->conn->diags[i].code, t))
				return true;
	return false;
}

enum td_result td_tui_view_build(struct td_tui_view *v, const struct td_tui_model *m,
				 const struct td_tui_filter *f, uint64_t until)
{
	v->n = 0;
	size_t want = (size_t)(m->next - m->head);
	if (want > v->alloc) {
		uint64_t *p = realloc(v->seq, want * sizeof *p);
		if (!p)
			return TD_ERR_NOMEM;
		v->seq = p;
		v->alloc = want;
	}
	uint64_t end = until < m->next ? until : m->next;
	bool all = !f->failures_only && !f->text[0];
	for (uint64_t s = m->head; s < end; s++)
		if (all || td_tui_row_matches(row_at(m, s), f))
			v->seq[v->n++] = s;
	return TD_OK;
}

void td_tui_view_cleanup(struct td_tui_view *v)
{
	free(v->seq);
	memset(v, 0, sizeof *v);
}

size_t td_tui_view_find(const struct td_tui_view *v, uint64_t seq)
{
	size_t lo = 0, hi = v->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->seq[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
