/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * workers_out.c - the output of --workers (workers.h): the only thread
 * that calls the sink.  It gives connection ids in the order it writes,
 * and merges the workers' statistics for the periodic records and the
 * sink's finish.
 *
 * Reading a file, one engine reports its connections in the order of
 * their ids, given as frames are read.  Each worker's connections come
 * in its own id order, each keyed by the frame during which its id was
 * given (struct order_key); the output holds them in a heap and writes
 * the lowest once no worker can still send a lower one: each worker's
 * bound (ITEM_BOUND) is the key of the lowest id it gave and did not hand
 * over yet, or the next frame.  So the order is one engine's, but for
 * connections whose ids were given during the same frame (a worker's
 * clock tick and another's packet), which go by worker.  At most
 * HELD_MAX connections are held, as one engine holds at most
 * ORDER_QUEUE_MAX (engine.c): past that the lowest goes out.
 *
 * Streaming (live, a pipe): connections are written as they come; a
 * connection's end (conn_end) gets the id its first report got, kept in
 * a small open-addressing map from (worker, the worker's id).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "workers_int.h"

#define HELD_MAX 4096u

struct idmap_slot {
	uint64_t key;   /* worker << 56 | its id; 0: empty */
	uint64_t id;
};

struct out_state {
	struct item **heap;
	size_t heap_n;
	struct order_key bound[TD_WORKERS_MAX];
	struct idmap_slot *map;
	size_t map_cap, map_n;
};

static int key_cmp(const struct order_key *a, const struct order_key *b)
{
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	if (a->worker != b->worker)
		return a->worker < b->worker ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static void heap_push(struct out_state *o, struct item *it)
{
	size_t i = o->heap_n++;
	o->heap[i] = it;
	while (i > 0 && key_cmp(&o->heap[(i - 1) / 2]->key, &o->heap[i]->key) > 0) {
		struct item *t = o->heap[i];
		o->heap[i] = o->heap[(i - 1) / 2];
		o->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static struct item *heap_pop(struct out_state *o)
{
	struct item *top = o->heap[0];
	o->heap[0] = o->heap[--o->heap_n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < o->heap_n && key_cmp(&o->heap[l]->key, &o->heap[m]->key) < 0)
			m = l;
		if (r < o->heap_n && key_cmp(&o->heap[r]->key, &o->heap[m]->key) < 0)
			m = r;
		if (m == i)
			break;
		struct item *t = o->heap[i];
		o->heap[i] = o->heap[m];
		o->heap[m] = t;
		i = m;
	}
	return top;
}

/* ---- (worker, its id) -> the id written ---- */

static size_t map_slot(const struct out_state *o, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15u;
	return (size_t)(h >> 20) & (o->map_cap - 1);
}

static bool map_grow(struct out_state *o)
{
	size_t cap = o->map_cap ? 2 * o->map_cap : 1024;
	struct idmap_slot *old = o->map, *m = calloc(cap, sizeof *m);
	size_t old_cap = o->map_cap;
	if (!m)
		return false;
	o->map = m;
	o->map_cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].key)
			continue;
		size_t j = map_slot(o, old[i].key);
		while (m[j].key)
			j = (j + 1) & (cap - 1);
		m[j] = old[i];
	}
	free(old);
	return true;
}

static void map_put(struct out_state *o, uint64_t key, uint64_t id)
{
	if ((o->map_n + 1) * 2 > o->map_cap && !map_grow(o))
		return;  /* out of memory: its end will get a new id */
	size_t j = map_slot(o, key);
	while (o->map[j].key)
		j = (j + 1) & (o->map_cap - 1);
	o->map[j] = (struct idmap_slot){ key, id };
	o->map_n++;
}

/* The id and its slot removed (backward-shift deletion keeps every other
 * key reachable from its home slot); 0 when absent. */
static uint64_t map_take(struct out_state *o, uint64_t key)
{
	if (!o->map_cap)
		return 0;
	size_t j = map_slot(o, key);
	while (o->map[j].key && o->map[j].key != key)
		j = (j + 1) & (o->map_cap - 1);
	if (!o->map[j].key)
		return 0;
	uint64_t id = o->map[j].id;
	size_t hole = j;
	for (size_t k = (j + 1) & (o->map_cap - 1); o->map[k].key; k = (k + 1) & (o->map_cap - 1)) {
		size_t home = map_slot(o, o->map[k].key);
		/* Move k into the hole when its home is not between hole and k. */
		bool between = hole <= k ? (home > hole && home <= k) : (home > hole || home <= k);
		if (!between) {
			o->map[hole] = o->map[k];
			hole = k;
		}
	}
	o->map[hole] = (struct idmap_slot){ 0, 0 };
	o->map_n--;
	return id;
}

/* ---- writing ---- */

static void write_item(struct td_workers *p, struct out_state *o, struct item *it)
{
	struct td_conn *c = it->conn;
	uint64_t mkey = ((uint64_t)it->worker << 56) | (c->id & ((1ull << 56) - 1));
	/* Counted as the engine counts (engine.c, emit): the final state. */
	bool final = it->kind == ITEM_END || !c->early.reported;
	if (final && c->tls && c->decrypted)
		p->w[it->worker].decrypted++;
	if (it->kind == ITEM_END) {
		uint64_t id = map_take(o, mkey);
		c->id = id ? id : ++p->next_id;
		p->sink->conn_end(p->sink, c);
	} else {
		c->id = ++p->next_id;
		if (c->early.reported)
			map_put(o, mkey, c->id);
		p->sink->conn_done(p->sink, c);
	}
	/* Back to its worker to free (workers_int.h), unless that queue is
	 * full: only this thread pushes to it, so a length below the bound
	 * means the push does not wait. */
	const struct worker *wk = &p->w[it->worker];
	free(it);
	if (!wk->garbage || wk->finished || td_queue_len(wk->garbage) >= GARBAGE_MAX ||
	    !td_queue_push(wk->garbage, c))
		td_conn_free(c);
}

/* Write what no worker can precede any more (all: everything). */
static void release(struct td_workers *p, struct out_state *o, bool all)
{
	while (o->heap_n > 0) {
		const struct order_key *k = &o->heap[0]->key;
		bool ready = true;
		for (unsigned i = 0; ready && !all && o->heap_n < HELD_MAX && i < p->n; i++)
			ready = key_cmp(&o->bound[i], k) > 0;
		if (!ready)
			return;
		write_item(p, o, heap_pop(o));
	}
}

static int port_order(const void *a, const void *b)
{
	const struct td_tcp_port *x = a, *y = b;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	return (x->port > y->port) - (x->port < y->port);
}

/* TCP without TLS: the same port's counts added up, earliest first, at
 * most TD_CAP_TCP_PORTS ports (the rest counted as one engine counts
 * them: connections not itemised). */
static void merge_ports(struct td_workers *p, struct td_stats *m)
{
	size_t total = 0;
	for (unsigned i = 0; i < p->n; i++)
		total += p->w[i].st.n_tcp_without_tls;
	m->tcp_without_tls = NULL;
	m->n_tcp_without_tls = 0;
	if (!total)
		return;
	p->ports = calloc(total, sizeof *p->ports);
	if (!p->ports)
		return;
	size_t n = 0;
	for (unsigned i = 0; i < p->n; i++) {
		for (size_t j = 0; j < p->w[i].st.n_tcp_without_tls; j++) {
			const struct td_tcp_port *t = &p->w[i].st.tcp_without_tls[j];
			size_t k = 0;
			while (k < n && p->ports[k].port != t->port)
				k++;
			if (k == n) {
				p->ports[n++] = *t;
				continue;
			}
			struct td_tcp_port *d = &p->ports[k];
			d->refused += t->refused;
			d->unanswered += t->unanswered;
			d->plaintext += t->plaintext;
			d->closed += t->closed;
			if (t->first_us < d->first_us)
				d->first_us = t->first_us;
		}
	}
	qsort(p->ports, n, sizeof *p->ports, port_order);
	for (size_t k = TD_CAP_TCP_PORTS; k < n; k++)
		m->tcp_without_tls_dropped += p->ports[k].refused + p->ports[k].unanswered +
					      p->ports[k].plaintext + p->ports[k].closed;
	m->tcp_without_tls = p->ports;
	m->n_tcp_without_tls = n < TD_CAP_TCP_PORTS ? n : TD_CAP_TCP_PORTS;
}

/* One worker's counts added to m: what the run saw and dropped, and what
 * is so now (flows, memory and their caps, each worker having its share,
 * connections reported, the kernel's counts of its capture). */
static void add_counts(struct td_stats *m, const struct td_stats *s)
{
	m->frames += s->frames;
	m->bytes += s->bytes;
	m->tcp_segments += s->tcp_segments;
	m->skipped_frames += s->skipped_frames;
	m->malformed_frames += s->malformed_frames;
	m->flows += s->flows;
	m->tls_connections += s->tls_connections;
	m->connections_with_errors += s->connections_with_errors;
	m->flows_evicted_full += s->flows_evicted_full;
	m->flows_idle += s->flows_idle;
	m->reasm_cap_dropped += s->reasm_cap_dropped;
	m->memory_cap_dropped += s->memory_cap_dropped;
	m->hs_messages_dropped += s->hs_messages_dropped;
	m->stls_bytes_dropped += s->stls_bytes_dropped;
	m->stls_steps_dropped += s->stls_steps_dropped;
	m->dup_bytes += s->dup_bytes;
	m->gap_bytes += s->gap_bytes;
	m->tcp_without_tls_dropped += s->tcp_without_tls_dropped;
	if (s->first_us && (!m->first_us || s->first_us < m->first_us))
		m->first_us = s->first_us;
	if (s->last_us > m->last_us)
		m->last_us = s->last_us;
	if (s->now_us > m->now_us)
		m->now_us = s->now_us;
	m->flows_active += s->flows_active;
	m->max_flows += s->max_flows;
	m->memory_used += s->memory_used;
	m->memory_cap += s->memory_cap;
	for (int k = 0; k < 3; k++)
		m->reported[k] += s->reported[k];
	if (s->kernel) {
		m->kernel = true;
		m->kernel_received += s->kernel_received;
		m->kernel_dropped += s->kernel_dropped;
	}
}

static void merge_stats(struct td_workers *p, struct td_stats *m)
{
	memset(m, 0, sizeof *m);
	uint64_t decrypted = 0;
	const char *note = p->w[0].st.note, *tls_note = NULL, *dec_note = NULL;
	for (unsigned i = 0; i < p->n; i++) {
		const struct td_stats *s = &p->w[i].st;
		add_counts(m, s);
		decrypted += p->w[i].decrypted;
		if (!tls_note && s->tls_connections > 0)
			tls_note = s->note;
		if (!dec_note && p->w[i].decrypted > 0)
			dec_note = s->note;
	}
	/* Each engine's note is its diagnoser's (the same options, the same
	 * words), plus "the key log decrypted nothing" when it decrypted none
	 * of its TLS connections: true of the whole run only when no worker
	 * decrypted any. */
	if (decrypted > 0)
		note = dec_note;
	else if (tls_note || m->tls_connections > 0)
		note = tls_note;
	m->note = note;
	merge_ports(p, m);
}

/* A worker's periodic statistics (ITEM_STATS): once every worker still
 * running sent its k-th, the k-th record goes out, the sum of each
 * worker's k-th (or, for a worker that finished with fewer, its final
 * statistics).  The workers' clocks agree reading a file (the reader gives
 * each the capture's time, and keeps them within a few batches of each
 * other); live, each capture ticks on its own, so a record waits for the
 * last of them, at most a tick or so. */
static void on_stats(struct td_workers *p, struct item *it)
{
	struct worker *wk = &p->w[it->worker];
	it->next = NULL;
	if (wk->snap_tail)
		wk->snap_tail->next = it;
	else
		wk->snap_head = it;
	wk->snap_tail = it;
	for (;;) {
		bool any = false;
		for (unsigned i = 0; i < p->n; i++) {
			const struct worker *w = &p->w[i];
			if (w->started && !w->finished && !w->snap_head)
				return;
			any = any || w->snap_head;
		}
		if (!any)
			return;
		struct td_stats m;
		memset(&m, 0, sizeof m);
		for (unsigned i = 0; i < p->n; i++) {
			struct worker *w = &p->w[i];
			struct item *head = w->snap_head;
			if (!head) {
				if (w->finished)
					add_counts(&m, &w->st);
				continue;
			}
			add_counts(&m, head->stats);
			w->snap_head = head->next;
			if (!w->snap_head)
				w->snap_tail = NULL;
			free(head->stats);
			free(head);
		}
		p->sink->stats(p->sink, &m);
	}
}

bool td_wk_output(struct td_workers *p)
{
	struct out_state *o = calloc(1, sizeof *o);
	if (o)
		o->heap = calloc(HELD_MAX + 1, sizeof *o->heap);
	if (!o || !o->heap) {
		free(o);
		return false;
	}
	p->out_state = o;
	unsigned running = 0;
	for (unsigned i = 0; i < p->n; i++) {
		running += p->w[i].started;
		o->bound[i] = (struct order_key){ p->w[i].started ? 0 : UINT64_MAX, i, 0 };
	}
	while (running > 0) {
		/* Live, the records wait in the sink's buffers (main.c:
		 * stdout_buffering) until the workers have nothing more. */
		struct item *it = p->live ? td_queue_try_pop(p->out) : NULL;
		if (!it) {
			if (p->live)
				td_sink_flush(p->sink);
			it = td_queue_pop(p->out);
		}
		if (!it)
			break;
		switch (it->kind) {
		case ITEM_BOUND:
			o->bound[it->worker] = it->key;
			free(it);
			break;
		case ITEM_FINISH:
			p->w[it->worker].finished = true;
			o->bound[it->worker] = (struct order_key){ UINT64_MAX, it->worker, 0 };
			running--;
			free(it);
			break;
		case ITEM_STATS:
			on_stats(p, it);
			break;
		case ITEM_DONE:
		case ITEM_END:
			if (!p->ordered) {
				write_item(p, o, it);
				continue;
			}
			heap_push(o, it);
			break;
		}
		if (p->ordered)
			release(p, o, false);
	}
	release(p, o, true);
	merge_stats(p, &p->st);
	if (p->reader_cap && td_capture_cut_short(p->reader_cap)) {
		p->st.truncated = true;
		p->st.truncated_reason = td_capture_cut_short(p->reader_cap);
	}
	if (p->sink->finish)
		p->sink->finish(p->sink, &p->st);
	return true;
}

void td_wk_output_free(struct td_workers *p)
{
	struct out_state *o = p->out_state;
	if (!o)
		return;
	for (size_t i = 0; i < o->heap_n; i++) {
		td_conn_free(o->heap[i]->conn);
		free(o->heap[i]);
	}
	free(o->heap);
	free(o->map);
	free(o);
}
