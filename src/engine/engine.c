/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine.c - packets in, finished TLS connections out (see engine.h).
 *
 * Per TCP flow the engine keeps a struct flow: for each physical side
 * (A = the source of the first packet seen, B = the other) a
 * reassembler, a TLS record stream and a handshake message joiner, plus
 * the connection model being built.  Which side is the client is
 * learnt from the SYN, the SYN-ACK or the ClientHello; until then the
 * side with the higher port is assumed to be the client.
 *
 * When does a record count as encrypted?  TLS <= 1.2: a side's records
 * after its ChangeCipherSpec.  TLS 1.3: every record after the
 * ServerHello except ChangeCipherSpec (RFC 8446 5: the compatibility
 * CCS is never protected).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "conn.h"
#include "diagnose.h"
#include "engine.h"
#include "flow.h"
#include "flowtab.h"
#include "infer.h"
#include "packet.h"
#include "reasm.h"
#include "text.h"
#include "tls_input.h"
#include "tls_names.h"

void td_config_defaults(struct td_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->flow_buffer = TD_DEFAULT_FLOW_BUFFER;
	cfg->max_memory = TD_DEFAULT_MAX_MEMORY;
	cfg->max_flows = TD_DEFAULT_MAX_FLOWS;
	cfg->idle_timeout_s = TD_DEFAULT_IDLE_TIMEOUT;
	cfg->ordered = true;
	cfg->report_grace_us = REPORT_GRACE_US;
	cfg->diagnoser = NULL;
	cfg->keylog = NULL;
}

/* ---- TCP, the transport ---------------------------------------------------
 *
 * Each side's reassembler hands its in-order bytes and its holes to the
 * TLS layer through the seam (tls_input.h); the gap itself is TCP's to
 * count and put in the timeline. */

struct tcp_ctx {
	struct flow *f;
	int side;
};

static void tcp_bytes(void *ctx, const uint8_t *data, size_t len)
{
	struct tcp_ctx *t = ctx;
	td_fl_stls_bytes(t->f, t->side, data, len);
}

static void tcp_gap(void *ctx, uint32_t missing)
{
	struct tcp_ctx *t = ctx;
	struct flow *f = t->f;
	td_fl_stls_gap(f, t->side);
	td_tls_in_gap(f, t->side);
	f->eng->st.gap_bytes += missing;
	if (!f->conn)
		return;
	enum td_dir dir = td_fl_side_dir(f, t->side);
	f->conn->side[dir].gaps++;
	f->conn->side[dir].gap_bytes += missing;
	if (f->conn->tls)
		td_fl_add_simple(f, dir, TD_EV_TCP_GAP, missing);
}

/* ---- reporting -------------------------------------------------------- */

static void emit(struct td_engine *e, struct td_conn *c)
{
	if (td_conn_has_error(c))
		e->st.connections_with_errors++;
	if (c->tls && c->decrypted)
		e->keylog_decrypted++;
	if (c->early.reported) {
		if (c->fate.outcome != c->early.outcome && (unsigned)c->fate.outcome < 3 &&
		    (unsigned)c->early.outcome < 3) {
			e->st.reported[c->early.outcome]--;
			e->st.reported[c->fate.outcome]++;
		}
	} else if ((unsigned)c->fate.outcome < 3) {
		e->st.reported[c->fate.outcome]++;
	}
	if (e->sink->conn_take) {
		/* Handed over: its certificates' bytes leave the budget now. */
		td_fl_conn_unbudget(e, c);
		e->sink->conn_take(e->sink, c, c->early.reported);
		return;
	}
	if (c->early.reported)
		e->sink->conn_end(e->sink, c);
	else
		e->sink->conn_done(e->sink, c);
	td_fl_conn_free(e, c);
}

/* The ordered queue is a binary min-heap on id: queue[0] is the lowest,
 * each entry's children are at 2i+1 and 2i+2 and hold higher ids. */
static void heap_swap(struct held *q, size_t i, size_t j)
{
	struct held t = q[i];
	q[i] = q[j];
	q[j] = t;
}

static void heap_push(struct td_engine *e, struct held h)
{
	size_t i = e->queue_n++;
	e->queue[i] = h;
	while (i > 0 && e->queue[(i - 1) / 2].id > e->queue[i].id) {
		heap_swap(e->queue, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static struct held heap_pop(struct td_engine *e)
{
	struct held top = e->queue[0];
	e->queue[0] = e->queue[--e->queue_n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < e->queue_n && e->queue[l].id < e->queue[m].id)
			m = l;
		if (r < e->queue_n && e->queue[r].id < e->queue[m].id)
			m = r;
		if (m == i)
			break;
		heap_swap(e->queue, i, m);
		i = m;
	}
	return top;
}

/* Hand finished connections to the sink, in id order when asked to. */
static void release_ordered(struct td_engine *e, bool all)
{
	while (e->queue_n > 0 &&
	       (all || e->queue[0].id <= e->next_report || e->queue_n >= ORDER_QUEUE_MAX)) {
		struct held h = heap_pop(e);
		if (h.id >= e->next_report)
			e->next_report = h.id + 1;
		emit(e, h.conn);
	}
}

static void report(struct td_engine *e, struct td_conn *c)
{
	if (!e->cfg.ordered) {
		emit(e, c);
		return;
	}
	if (!e->queue) {
		e->queue = calloc(ORDER_QUEUE_MAX, sizeof *e->queue);
		if (!e->queue) {
			emit(e, c);
			return;
		}
	}
	heap_push(e, (struct held){ .id = c->id, .conn = c });
	release_ordered(e, false);
}

/* Flush what is buffered, judge, and hand the connection over. */
static void finish_conn(struct flow *f);

static void flow_free(struct flow *f)
{
	if (!f)
		return;
	for (int i = 0; i < 2; i++)
		td_reasm_cleanup(&f->s[i].reasm);
	td_fl_quic_free(f->quic);
	td_fl_free(f);
}

static void flush_side(struct flow *f, int side)
{
	struct tcp_ctx t = { f, side };
	struct td_reasm_cb cb = { tcp_bytes, tcp_gap, &t };
	td_reasm_flush(&f->s[side].reasm, &cb);
}

/* After the report: no more buffering for this flow (it stays a
 * tombstone in the table until it closes or goes idle). */
static void release_buffers(struct flow *f)
{
	for (int i = 0; i < 2; i++) {
		td_reasm_stop(&f->s[i].reasm);
		td_tls_stream_cleanup(&f->s[i].tls);
		td_tls_stream_init(&f->s[i].tls);
		td_hs_reasm_cleanup(&f->s[i].hs);
		td_hs_reasm_init(&f->s[i].hs);
		if (f->s[i].k)
			td_dynbuf_reset(&f->s[i].k->held);
	}
}

/* Ports where TLS is usual (RFC 6335 registrations and common practice). */
static bool well_known_tls_port(uint16_t port)
{
	static const uint16_t ports[] = { 443, 465, 636, 853, 989, 990, 992, 993, 994, 995, 2376,
					  3269, 4443, 5061, 5223, 5671, 6443, 6514, 8443, 8883,
					  9443, 10250 };
	for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
		if (ports[i] == port)
			return true;
	return false;
}

static bool tls_port_seen(const struct td_engine *e, uint16_t port)
{
	for (size_t i = 0; i < e->cfg.n_tls_ports; i++)
		if (e->cfg.tls_ports[i] == port)
			return true;
	for (size_t i = 0; i < e->n_tls_ports; i++)
		if (e->tls_ports[i] == port)
			return true;
	return false;
}

static void remember_tls_port(struct td_engine *e, uint16_t port)
{
	if (tls_port_seen(e, port))
		return;
	e->tls_ports[e->next_tls_port++ % TLS_PORTS_KEPT] = port;
	if (e->n_tls_ports < TLS_PORTS_KEPT)
		e->n_tls_ports++;
}

/* A SYN refused or never answered. */
static bool tcp_failed(const struct td_conn *c)
{
	bool syn = false, synack = false, server_rst = false;
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *ev = &c->events[i];
		syn = syn || (ev->kind == TD_EV_TCP_SYN && ev->dir == TD_DIR_C2S);
		synack = synack || ev->kind == TD_EV_TCP_SYNACK;
		server_rst = server_rst || (ev->kind == TD_EV_TCP_RST && ev->dir == TD_DIR_S2C);
	}
	return syn && (!synack || server_rst);
}

/* ---- TCP without TLS: what is not reported is still counted ----------
 *
 * A flow that carried no TLS and is not reported as a connection (below)
 * is counted under its server port for the summary (sink.h:
 * td_tcp_port), so that a refused database port or plain HTTP next to
 * the TLS traffic is not dropped without a word (issue 15 point 10). */

static enum nontls_kind nontls_kind(const struct flow *f, const struct td_conn *c)
{
	for (int i = 0; i < 2; i++) {
		const struct td_reasm *r = &f->s[i].reasm;
		if (r->delivered || r->gap_bytes || r->cap_dropped)
			return NONTLS_PLAINTEXT;
	}
	bool syn = false, synack = false, server_rst = false;
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *ev = &c->events[i];
		syn = syn || (ev->kind == TD_EV_TCP_SYN && ev->dir == TD_DIR_C2S);
		synack = synack || ev->kind == TD_EV_TCP_SYNACK;
		server_rst = server_rst || (ev->kind == TD_EV_TCP_RST && ev->dir == TD_DIR_S2C);
	}
	if (syn && !synack)
		return server_rst ? NONTLS_REFUSED : NONTLS_UNANSWERED;
	return NONTLS_CLOSED;
}

static void count_nontls(struct td_engine *e, uint16_t port, enum nontls_kind kind,
			 uint64_t first_us)
{
	struct td_tcp_port *p = NULL;
	for (size_t i = 0; i < e->n_nontls && !p; i++)
		if (e->nontls[i].port == port)
			p = &e->nontls[i];
	if (!p) {
		if (e->n_nontls == TD_CAP_TCP_PORTS) {
			e->st.tcp_without_tls_dropped++;
			return;
		}
		p = &e->nontls[e->n_nontls++];
		*p = (struct td_tcp_port){ .port = port, .first_us = first_us };
	}
	if (first_us < p->first_us)
		p->first_us = first_us;
	switch (kind) {
	case NONTLS_PLAINTEXT: p->plaintext++; break;
	case NONTLS_REFUSED: p->refused++; break;
	case NONTLS_UNANSWERED: p->unanswered++; break;
	case NONTLS_CLOSED: p->closed++; break;
	}
}

static int nontls_order(const void *a, const void *b)
{
	const struct td_tcp_port *x = a, *y = b;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	return (x->port > y->port) - (x->port < y->port);
}

/* A flow without TLS is still reported when it looks like a failed TLS
 * attempt: to a TLS port (well known, or seen with TLS in this capture),
 * a SYN refused or never answered, or cleartext from the client. */
static bool failed_tls_attempt(const struct td_engine *e, const struct flow *f,
			       const struct td_conn *c)
{
	if (!well_known_tls_port(c->server_port) && !tls_port_seen(e, c->server_port))
		return false;
	const struct side *cs = &f->s[f->a_is_client ? 0 : 1];
	return tcp_failed(c) || cs->tls.prefix_len > 0;
}

/* A STARTTLS exchange that asked for TLS, or met a server without it,
 * is reported although TLS never began: its diagnosis is the point. */
static bool stls_attempt(const struct td_conn *c)
{
	return c->starttls.proto != TD_STLS_NONE &&
	       (c->starttls.asked || c->starttls.result == TD_STLS_NOT_OFFERED ||
		c->starttls.result == TD_STLS_NOT_USED);
}

/* Refused or unanswered connections on other ports are TLS attempts too
 * when the capture holds no TLS at all (a client that never got as far
 * as a ClientHello, on whatever port).  Offline, they wait for the end of
 * the capture (at most ORDER_QUEUE_MAX; past that the capture is taken
 * to hold none) and are dropped as soon as TLS shows up. */
static void drop_candidates(struct td_engine *e)
{
	for (size_t i = 0; i < e->n_candidates; i++) {
		struct td_conn *c = e->candidates[i].conn;
		count_nontls(e, c->server_port, e->candidates[i].kind, c->start_us);
		td_fl_conn_free(e, c);
	}
	e->n_candidates = 0;
}

static void report_candidates(struct td_engine *e)
{
	for (size_t i = 0; i < e->n_candidates; i++) {
		e->candidates[i].conn->id = ++e->next_id;
		report(e, e->candidates[i].conn);
	}
	e->n_candidates = 0;
}

/* True when c was kept (or reported) as a candidate; false when the
 * caller must count and free it. */
static bool keep_candidate(struct td_engine *e, struct td_conn *c, enum nontls_kind kind)
{
	if (e->st.tls_connections > 0) {
		drop_candidates(e);
		return false;
	}
	if (!e->candidates) {
		e->candidates = calloc(ORDER_QUEUE_MAX, sizeof *e->candidates);
		if (!e->candidates)
			return false;
	}
	if (e->n_candidates == ORDER_QUEUE_MAX)
		report_candidates(e);
	e->candidates[e->n_candidates++] = (struct candidate){ c, kind };
	return true;
}

static void finish_conn(struct flow *f)
{
	struct td_engine *e = f->eng;
	td_fl_due_unlink(f);
	if (!f->conn)
		return;
	for (int i = 0; i < 2; i++)
		flush_side(f, i);
	td_fl_stls_end(f);
	td_tls_in_end(f);
	struct td_conn *c = f->conn;
	f->conn = NULL;
	/* What the caps dropped counts for every flow, TLS or not. */
	for (int i = 0; i < 2; i++) {
		const struct side *sd = &f->s[i];
		e->st.reasm_cap_dropped += sd->reasm.cap_dropped - sd->reasm.budget_dropped;
		e->st.hs_messages_dropped += sd->hs.oversize;
		e->st.dup_bytes += sd->reasm.dup_bytes;
	}
	e->st.stls_bytes_dropped += c->starttls.cap_dropped;
	e->st.stls_steps_dropped += c->starttls.steps_dropped;
	bool candidate = false;
	enum nontls_kind kind = NONTLS_CLOSED;
	if (c->tls) {
		remember_tls_port(e, c->server_port);
	} else if (failed_tls_attempt(e, f, c) || stls_attempt(c)) {
		c->id = ++e->next_id;
	} else if (e->cfg.ordered && e->st.tls_connections == 0 && tcp_failed(c)) {
		candidate = true;
		kind = nontls_kind(f, c);
	} else {
		count_nontls(e, c->server_port, nontls_kind(f, c), c->start_us);
		td_fl_conn_free(e, c);
		return;
	}
	for (int i = 0; i < 2; i++) {
		enum td_dir dir = (i == 0) == f->a_is_client ? TD_DIR_C2S : TD_DIR_S2C;
		const struct side *sd = &f->s[i];
		c->side[dir].fin = sd->fin;
		c->side[dir].rst = sd->rst;
		c->side[dir].dup_bytes = sd->reasm.dup_bytes;
		/* Added: a QUIC flow counted its CRYPTO streams' drops there
		 * (quic_in.c); its TCP reassembly holds none. */
		c->side[dir].cap_dropped += sd->reasm.cap_dropped;
		if (sd->tls.prefix_len > 0) {
			free(c->cleartext[dir]);
			c->cleartext[dir] = td_text_sanitize(sd->tls.prefix, sd->tls.prefix_len);
			c->cleartext_bytes[dir] = sd->tls.skipped;
			td_fl_nomem(c, td_conn_anomaly(c, sd->tls.state == TD_TS_SYNCED
				? TD_AN_NON_TLS_BEFORE_TLS : TD_AN_NON_TLS_BYTES, dir,
				sd->tls.skipped, c->cleartext[dir], NULL));
		}
		if (sd->tls.oversize)
			td_fl_nomem(c, td_conn_anomaly(c, TD_AN_RECORD_TOO_LONG, dir, TD_CAP_RECORD,
				NULL, NULL));
	}
	if (f->first_us)
		c->start_us = c->start_us ? c->start_us : f->first_us;
	td_fl_handshake_facts(f, c);
	release_buffers(f);
	td_infer_records(c);
	td_early_judge(c);
	if (e->cfg.diagnoser)
		td_fl_nomem(c, td_diagnose(e->cfg.diagnoser, c));
	else
		td_fate_judge(c, true);
	if (candidate) {
		if (!keep_candidate(e, c, kind)) {
			count_nontls(e, c->server_port, kind, c->start_us);
			td_fl_conn_free(e, c);
		}
		return;
	}
	report(e, c);
}

static void on_evict(void *ctx, void *state, enum td_evict_reason why)
{
	struct td_engine *e = ctx;
	struct flow *f = state;
	if (why == TD_EVICT_FULL)
		e->st.flows_evicted_full++;
	else if (why == TD_EVICT_IDLE)
		e->st.flows_idle++;
	if (f->conn)
		f->conn->stop = why == TD_EVICT_FULL ? TD_STOP_EVICTED
			: why == TD_EVICT_IDLE ? TD_STOP_IDLE : TD_STOP_CAPTURE_END;
	if (f->conn && why != TD_EVICT_FLUSH) {
		td_fl_nomem(f->conn, td_conn_anomaly(f->conn, why == TD_EVICT_FULL
			? TD_AN_FLOW_TABLE_FULL : TD_AN_IDLE_TIMEOUT, TD_DIR_C2S, 0, NULL, NULL));
	}
	finish_conn(f);
	flow_free(f);
}

static struct flow *flow_new(struct td_engine *e, const struct td_segment *seg)
{
	struct flow *f = td_fl_new(e, seg->ts_us);
	if (!f)
		return NULL;
	for (int i = 0; i < 2; i++)
		td_reasm_init(&f->s[i].reasm, e->cfg.flow_buffer, &e->budget);
	f->s[0].addr = seg->src;
	f->s[0].port = seg->sport;
	f->s[1].addr = seg->dst;
	f->s[1].port = seg->dport;
	/* Guess: the side with the higher port is the client, until the SYN,
	 * SYN-ACK or ClientHello says. */
	f->a_is_client = seg->sport >= seg->dport;
	td_fl_set_endpoints(f);
	return f;
}

static void on_segment(struct td_engine *e, const struct td_segment *seg)
{
	bool from_a = true;
	struct flow *f = td_flowtab_lookup(e->flows, seg, &from_a);
	if (f && f->quic)
		return;  /* a QUIC flow on the same addresses and ports */
	if (!f) {
		/* Only a SYN or data starts a flow: a bare ACK, FIN or RST of a
		 * flow we never saw (or just reported) carries nothing to decode. */
		if (!(seg->flags & TD_TCP_SYN) && seg->len == 0 && seg->missing == 0)
			return;
		f = flow_new(e, seg);
		if (!f || td_flowtab_add(e->flows, seg, f) != TD_OK) {
			flow_free(f);
			return;
		}
		e->st.flows++;
		from_a = true;
	}
	int side = from_a ? 0 : 1;
	struct side *sd = &f->s[side];
	if (f->conn)
		f->conn->last_us = seg->ts_us;

	if (seg->flags & TD_TCP_SYN) {
		bool synack = seg->flags & TD_TCP_ACK;
		td_fl_set_client(f, side, !synack);
		td_reasm_syn(&sd->reasm, seg->seq);
		if (f->conn && f->conn->n_events < 8)
			td_fl_add_simple(f, td_fl_side_dir(f, side), synack ? TD_EV_TCP_SYNACK : TD_EV_TCP_SYN, 0);
	}
	td_fl_flight(f, side, seg);
	if (seg->len > 0 || seg->missing > 0) {
		if (f->conn && !sd->reasm.started && !(seg->flags & TD_TCP_SYN))
			f->conn->partial = true;
		struct tcp_ctx t = { f, side };
		struct td_reasm_cb cb = { tcp_bytes, tcp_gap, &t };
		td_reasm_segment(&sd->reasm, seg->seq + ((seg->flags & TD_TCP_SYN) ? 1u : 0u),
				 seg->payload, seg->len, seg->missing, &cb);
	}
	if ((seg->flags & TD_TCP_FIN) && !sd->fin) {
		sd->fin = true;
		td_fl_add_simple(f, td_fl_side_dir(f, side), TD_EV_TCP_FIN, 0);
	}
	if ((seg->flags & TD_TCP_RST) && !sd->rst) {
		sd->rst = true;
		td_fl_add_simple(f, td_fl_side_dir(f, side), TD_EV_TCP_RST, 0);
	}

	bool over = sd->rst || (f->s[0].fin && f->s[1].fin);
	bool grace = f->established_us && f->s[0].appdata && f->s[1].appdata &&
		     seg->ts_us > f->established_us + REPORT_GRACE_US;
	if (over) {
		(void)td_flowtab_remove(e->flows, seg);
		finish_conn(f);
		flow_free(f);
	} else if (grace && f->conn && !e->cfg.stream) {
		/* The flow stays as a tombstone until it closes.  Streaming, the
		 * connection was reported already and waits for its end. */
		finish_conn(f);
	}
}

/* ---- the public interface ------------------------------------------------ */

struct td_engine *td_engine_new(const struct td_config *cfg, struct td_sink *sink)
{
	struct td_engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->sink = sink;
	if (!sink->conn_end && !sink->conn_take)
		e->cfg.stream = false;
	if (!e->cfg.stream || !sink->stats)
		e->cfg.stats_every_us = 0;
	if (e->cfg.stream)
		e->cfg.ordered = false;  /* reports go out as outcomes become known */
	e->budget.cap = cfg->max_memory;
	e->next_report = 1;
	e->flows = td_flowtab_new(cfg->max_flows, on_evict, e);
	e->certs = td_cert_cache_new(CERT_CACHE_ENTRIES);
	if (!e->flows || !e->certs) {
		td_flowtab_free(e->flows);
		td_cert_cache_free(e->certs);
		free(e);
		return NULL;
	}
	return e;
}

void td_engine_set_keylog(struct td_engine *e, const struct td_keylog *keylog,
			  void (*refresh)(void *ctx), void *refresh_ctx)
{
	e->cfg.keylog = keylog;
	e->cfg.keylog_refresh = refresh;
	e->cfg.keylog_refresh_ctx = refresh_ctx;
}

void td_engine_frame(struct td_engine *e, enum td_link link, uint64_t ts_us,
		     const uint8_t *data, size_t caplen, size_t wirelen)
{
	if (ts_us > e->now_us)
		e->now_us = ts_us;
	if (data) {
		e->st.frames++;
		e->st.bytes += caplen;
		if (!e->st.first_us || ts_us < e->st.first_us)
			e->st.first_us = ts_us;
		if (ts_us > e->st.last_us)
			e->st.last_us = ts_us;
		struct td_segment seg;
		enum td_result r = td_packet_decode(link, ts_us, data, caplen, wirelen, &seg);
		if (r == TD_OK && seg.proto == TD_PROTO_UDP) {
			if (!td_fl_quic_datagram(e, &seg))
				e->st.skipped_frames++;
		} else if (r == TD_OK) {
			e->st.tcp_segments++;
			on_segment(e, &seg);
		} else if (r == TD_SKIP) {
			e->st.skipped_frames++;
		} else {
			e->st.malformed_frames++;
		}
	}
	if (e->cfg.stream)
		td_fl_report_due(e);
	if (e->cfg.idle_timeout_s)
		td_flowtab_expire(e->flows, e->now_us, (uint64_t)e->cfg.idle_timeout_s * 1000000u);
}

/* What the statistics say of now: the flow table, the memory budget. */
static void stats_now(struct td_engine *e)
{
	e->st.now_us = e->now_us;
	e->st.flows_active = td_flowtab_count(e->flows);
	e->st.max_flows = e->cfg.max_flows;
	e->st.memory_used = e->budget.used;
	e->st.memory_cap = e->budget.cap;
	e->st.memory_cap_dropped = e->budget.dropped;
}

void td_engine_note_kernel(struct td_engine *e, uint64_t received, uint64_t dropped)
{
	e->st.kernel = true;
	e->st.kernel_received = received;
	e->st.kernel_dropped = dropped;
}

bool td_engine_stats_due(struct td_engine *e)
{
	uint64_t every = e->cfg.stats_every_us;
	if (!every || !e->now_us)
		return false;
	if (!e->stats_next_us) {
		e->stats_next_us = e->now_us + every;
		return false;
	}
	if (e->now_us < e->stats_next_us)
		return false;
	e->stats_next_us = e->now_us + every;
	return true;
}

void td_engine_emit_stats(struct td_engine *e)
{
	if (!e->sink->stats)
		return;
	stats_now(e);
	e->sink->stats(e->sink, &e->st);
}

void td_engine_finish(struct td_engine *e)
{
	td_flowtab_flush(e->flows);
	if (e->st.tls_connections == 0 && !e->tls_elsewhere)
		report_candidates(e);
	drop_candidates(e);
	release_ordered(e, true);
	qsort(e->nontls, e->n_nontls, sizeof e->nontls[0], nontls_order);
	e->st.tcp_without_tls = e->n_nontls ? e->nontls : NULL;
	e->st.n_tcp_without_tls = e->n_nontls;
	stats_now(e);
	e->st.note = e->cfg.diagnoser ? td_diagnoser_note(e->cfg.diagnoser) : NULL;
	/* A key log that decrypted nothing: say so, or the reader believes
	 * it was used (issue 15: a note when a key log matched no connection). */
	if (e->cfg.keylog && e->st.tls_connections > 0 && e->keylog_decrypted == 0) {
		static const char kl[] = "the key log given decrypted no TLS connection of "
			"this capture (its secrets are for other connections, or no handshake "
			"got far enough to have any)";
		snprintf(e->note, sizeof e->note, "%s%s%s", e->st.note ? e->st.note : "",
			 e->st.note ? "; " : "", kl);
		e->st.note = e->note;
	}
	if (e->sink->finish)
		e->sink->finish(e->sink, &e->st);
}

void td_engine_note_truncated(struct td_engine *e, const char *reason)
{
	e->st.truncated = true;
	e->st.truncated_reason = reason;
}

const struct td_stats *td_engine_stats(const struct td_engine *e)
{
	return &e->st;
}

void td_engine_note_tls_elsewhere(struct td_engine *e)
{
	e->tls_elsewhere = true;
}

uint64_t td_engine_ids_given(const struct td_engine *e)
{
	return e->next_id;
}

void td_engine_free(struct td_engine *e)
{
	if (!e)
		return;
	td_flowtab_free(e->flows);
	for (size_t i = 0; i < e->queue_n; i++)
		td_fl_conn_free(e, e->queue[i].conn);
	free(e->queue);
	drop_candidates(e);
	free(e->candidates);
	td_cert_cache_free(e->certs);
	td_fl_cr_memo_clear(e);
	free(e->quic_buf);
	free(e);
}
