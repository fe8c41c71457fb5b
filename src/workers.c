/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * workers.c - --workers N (see workers.h): the worker threads, the
 * reader of a file, the live fanout captures, and the sink each engine
 * reports to, which hands its connections to the output (workers_out.c).
 *
 * A file: the reader numbers the frames (seq, from 1), decodes each
 * frame's headers (packet.h) and appends it to a 256 KiB batch for the
 * worker its flow hashes to; a frame that is not TCP or UDP over IP goes
 * to worker 0.  Every other worker gets a clock tick (a frame without
 * data) when the capture's time moved on, so each engine's clock, and so
 * its idle timeouts, run as one engine's would over the whole capture.
 * Batches go out when full, every FLUSH_FRAMES frames (so that every
 * worker's progress reaches the output) and, from a pipe, after each
 * frame (records as packets arrive).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "packet.h"
#include "workers_int.h"

/* A batch of frames: entries of struct fhdr then caplen bytes, each
 * padded to 8 bytes. */
#define CHUNK_BYTES (320u * 1024u)   /* room for a 262144-byte frame */
#define CHUNKS_PER_WORKER 8u         /* in flight at once: the reader's lead */
#define FLUSH_FRAMES 4096u
#define OUT_ITEMS 1024u

struct chunk {
	size_t used;
	uint64_t last_seq;        /* every frame up to it was dispatched */
	_Alignas(8) uint8_t data[CHUNK_BYTES];
};

struct fhdr {
	uint64_t seq, ts_us;
	uint32_t caplen, wirelen;
	uint32_t link;
	uint32_t tick;            /* 1: a clock tick, no data */
};

static size_t pad8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

/* ---- the sink each engine reports to --------------------------------- */

static struct worker *relay_worker(struct td_sink *s)
{
	return (struct worker *)((char *)s - offsetof(struct worker, relay));
}

/* Ranges of ids given during frames (a file): note the new ones. */
static void note_ids(struct worker *wk)
{
	uint64_t given = td_engine_ids_given(wk->eng);
	if (given <= wk->ids_seen)
		return;
	if (wk->r_n == wk->r_cap) {
		size_t cap = wk->r_cap ? 2 * wk->r_cap : 64;
		struct id_range *r = calloc(cap, sizeof *r);
		if (!r) {
			/* Out of memory: these ids are ordered as given now, when
			 * their connection is handed over (a lookup miss). */
			wk->ids_seen = given;
			return;
		}
		for (size_t i = 0; i < wk->r_n; i++)
			r[i] = wk->ranges[(wk->r_head + i) % wk->r_cap];
		free(wk->ranges);
		wk->ranges = r;
		wk->r_cap = cap;
		wk->r_head = 0;
	}
	wk->ranges[(wk->r_head + wk->r_n++) % wk->r_cap] =
		(struct id_range){ .first = wk->ids_seen + 1, .last = given, .seq = wk->cur_seq };
	wk->ids_seen = given;
}

static struct id_range *range_at(struct worker *wk, size_t i)
{
	return &wk->ranges[(wk->r_head + i) % wk->r_cap];
}

/* The frame during which id was given; the ranges whose ids were all
 * handed over are dropped. */
static uint64_t id_seq(struct worker *wk, uint64_t id)
{
	size_t lo = 0, hi = wk->r_n;
	while (lo < hi) {  /* the first range whose last >= id */
		size_t mid = lo + (hi - lo) / 2;
		if (range_at(wk, mid)->last < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == wk->r_n || range_at(wk, lo)->first > id)
		return wk->cur_seq;
	struct id_range *r = range_at(wk, lo);
	uint64_t seq = r->seq;
	r->emitted++;
	while (wk->r_n > 0 && range_at(wk, 0)->emitted > range_at(wk, 0)->last - range_at(wk, 0)->first) {
		wk->r_head = (wk->r_head + 1) % wk->r_cap;
		wk->r_n--;
	}
	return seq;
}

static void push_item(struct worker *wk, struct item *it)
{
	if (!td_queue_push(wk->pool->out, it)) {
		if (it->conn)
			td_conn_free(it->conn);
		free(it->stats);
		free(it);
	}
}

/* The engine hands its connection over (sink.h: conn_take): it goes to
 * the output as it is, and comes back to this worker to be freed. */
static void relay_take(struct td_sink *s, struct td_conn *c, bool end)
{
	struct worker *wk = relay_worker(s);
	struct item *it = calloc(1, sizeof *it);
	if (wk->pool->ordered)
		note_ids(wk);
	uint64_t seq = wk->pool->ordered ? id_seq(wk, c->id) : 0;
	if (!it) {
		td_conn_free(c);
		wk->dropped++;
		return;
	}
	*it = (struct item){ .kind = end ? ITEM_END : ITEM_DONE, .worker = wk->index, .conn = c,
			     .key = { seq, wk->index, c->id } };
	push_item(wk, it);
}

static void relay_finish(struct td_sink *s, const struct td_stats *st)
{
	relay_worker(s)->st = *st;  /* what it points to lives with the engine */
}

/* The periodic statistics: a copy for the output, which merges the
 * workers' (workers_out.c).  Counts only: what the engine lends (the
 * ports, the note) stays behind. */
static void relay_stats(struct td_sink *s, const struct td_stats *st)
{
	struct worker *wk = relay_worker(s);
	struct item *it = calloc(1, sizeof *it);
	struct td_stats *copy = it ? malloc(sizeof *copy) : NULL;
	if (!copy) {
		free(it);
		return;  /* the output merges this worker's previous copy */
	}
	*copy = *st;
	copy->tcp_without_tls = NULL;
	copy->n_tcp_without_tls = 0;
	copy->note = copy->truncated_reason = NULL;
	*it = (struct item){ .kind = ITEM_STATS, .worker = wk->index, .stats = copy };
	push_item(wk, it);
}

static void relay_free(struct td_sink *s)
{
	(void)s;  /* part of the worker */
}

/* The bound for the output: connections this worker hands over from now
 * on are ordered after it (workers_out.c).  Sent when it moved. */
static void send_bound(struct worker *wk, bool end)
{
	struct order_key b = { wk->done_seq + 1, wk->index, 0 };
	if (end)
		b.seq = UINT64_MAX;
	else if (wk->r_n > 0)
		b = (struct order_key){ range_at(wk, 0)->seq, wk->index, range_at(wk, 0)->first };
	if (b.seq == wk->bound_sent.seq && b.id == wk->bound_sent.id)
		return;
	struct item *it = calloc(1, sizeof *it);
	if (!it)
		return;  /* the output holds connections a little longer */
	wk->bound_sent = b;
	*it = (struct item){ .kind = ITEM_BOUND, .worker = wk->index, .key = b };
	push_item(wk, it);
}

/* Live: the kernel's counts of this worker's capture, for the
 * statistics its engine hands over next. */
static void note_kernel(struct worker *wk)
{
	uint64_t received, dropped;
	if (wk->cap && td_capture_stats(wk->cap, &received, &dropped))
		td_engine_note_kernel(wk->eng, received, dropped);
}

/* The periodic statistics, when due on this worker's clock (a file's
 * reader gives every worker the capture's time, so they fall together;
 * live, each capture's clock ticks every 200 ms). */
static void stats_due(struct worker *wk)
{
	if (td_engine_stats_due(wk->eng)) {
		note_kernel(wk);
		td_engine_emit_stats(wk->eng);
	}
}

/* Free the connections the output is done with (workers_int.h: garbage). */
static void collect(struct worker *wk)
{
	struct td_conn *c;
	while (wk->garbage && (c = td_queue_try_pop(wk->garbage)) != NULL)
		td_conn_free(c);
}

static void worker_finish(struct worker *wk)
{
	struct td_workers *p = wk->pool;
	if (p->barrier_up) {
		uint64_t mine = td_engine_stats(wk->eng)->tls_connections;
		__atomic_add_fetch(&p->tls_seen, mine, __ATOMIC_RELAXED);
		pthread_barrier_wait(&p->end_barrier);
		if (mine == 0 && __atomic_load_n(&p->tls_seen, __ATOMIC_RELAXED) > 0)
			td_engine_note_tls_elsewhere(wk->eng);
	}
	wk->cur_seq = SEQ_END;
	note_kernel(wk);
	td_engine_finish(wk->eng);
	if (wk->pool->ordered)
		note_ids(wk);
	struct item *it = calloc(1, sizeof *it);
	if (!it) {
		/* The output must hear of the end: wait for memory. */
		while (!(it = calloc(1, sizeof *it)))
			usleep(1000);
	}
	*it = (struct item){ .kind = ITEM_FINISH, .worker = wk->index };
	push_item(wk, it);
}

/* ---- a worker of a file ---------------------------------------------- */

static void *file_worker(void *arg)
{
	struct worker *wk = arg;
	struct chunk *ch;
	while ((ch = td_queue_pop(wk->in)) != NULL) {
		size_t off = 0;
		while (off < ch->used) {
			const struct fhdr *h = (const struct fhdr *)(const void *)(ch->data + off);
			const uint8_t *data = ch->data + off + sizeof *h;
			wk->cur_seq = h->seq;
			td_engine_frame(wk->eng, (enum td_link)h->link, h->ts_us, h->tick ? NULL : data,
					h->caplen, h->wirelen);
			if (wk->pool->ordered)
				note_ids(wk);
			stats_due(wk);
			off += sizeof *h + pad8(h->caplen);
		}
		collect(wk);
		wk->done_seq = ch->last_seq;
		if (wk->pool->ordered)
			send_bound(wk, false);
		ch->used = 0;
		(void)td_queue_push(wk->free_chunks, ch);  /* never full: it holds them all */
	}
	worker_finish(wk);
	return NULL;
}

/* ---- the reader of a file ------------------------------------------- */

struct reader {
	struct td_workers *p;
	uint64_t seq;
	struct chunk *cur[TD_WORKERS_MAX];
	uint64_t sent_ts[TD_WORKERS_MAX];  /* the clock each worker was given last */
	bool dead;                         /* a queue closed: stop dispatching */
};

/* Hand worker i its batch (if any) and take an empty one. */
static void flush_one(struct reader *r, unsigned i, bool take_new)
{
	struct worker *wk = &r->p->w[i];
	if (r->cur[i]) {
		r->cur[i]->last_seq = r->seq;
		if (!td_queue_push(wk->in, r->cur[i])) {
			free(r->cur[i]);
			r->dead = true;
		}
		r->cur[i] = NULL;
	}
	if (take_new)
		r->cur[i] = td_queue_pop(wk->free_chunks);
}

static void flush_all(struct reader *r)
{
	for (unsigned i = 0; i < r->p->n; i++)
		flush_one(r, i, true);
}

static void append(struct reader *r, unsigned i, enum td_link link, uint64_t ts,
		   const uint8_t *data, size_t caplen, size_t wirelen)
{
	/* A frame past the batch (only a file's, whose snaplen is over
	 * libpcap's 262144) is cut to fit: the engine counts it as missing. */
	if (caplen > CHUNK_BYTES - sizeof(struct fhdr))
		caplen = CHUNK_BYTES - sizeof(struct fhdr);
	size_t need = sizeof(struct fhdr) + pad8(caplen);
	if (r->cur[i] && CHUNK_BYTES - r->cur[i]->used < need)
		flush_one(r, i, true);
	struct chunk *ch = r->cur[i];
	if (!ch) {
		r->dead = true;
		return;
	}
	struct fhdr h = { .seq = r->seq, .ts_us = ts, .caplen = (uint32_t)caplen,
			  .wirelen = (uint32_t)(wirelen > UINT32_MAX ? UINT32_MAX : wirelen),
			  .link = (uint32_t)link, .tick = data == NULL };
	memcpy(ch->data + ch->used, &h, sizeof h);
	if (caplen)
		memcpy(ch->data + ch->used + sizeof h, data, caplen);
	ch->used += need;
}

/* The worker a flow belongs to: a hash of its two ends taken in a fixed
 * order (the lower address, then port, first), so that both directions
 * give the same worker; FNV-1a, then a multiply to spread it over n. */
static unsigned flow_worker(const struct td_segment *s, unsigned n)
{
	size_t alen = s->src.family == 6 ? 16 : 4;
	int cmp = memcmp(s->src.b, s->dst.b, alen);
	bool swap = cmp > 0 || (cmp == 0 && s->sport > s->dport);
	const struct td_addr *a = swap ? &s->dst : &s->src, *b = swap ? &s->src : &s->dst;
	uint16_t pa = swap ? s->dport : s->sport, pb = swap ? s->sport : s->dport;
	uint32_t h = 2166136261u;
	uint8_t tail[5] = { (uint8_t)(pa >> 8), (uint8_t)pa, (uint8_t)(pb >> 8), (uint8_t)pb,
			    (uint8_t)s->proto };
	for (size_t i = 0; i < alen; i++)
		h = (h ^ a->b[i]) * 16777619u;
	for (size_t i = 0; i < alen; i++)
		h = (h ^ b->b[i]) * 16777619u;
	for (size_t i = 0; i < sizeof tail; i++)
		h = (h ^ tail[i]) * 16777619u;
	return (unsigned)(((uint64_t)h * n) >> 32);
}

static void reader_frame(void *ctx, enum td_link link, uint64_t ts, const uint8_t *data,
			 size_t caplen, size_t wirelen)
{
	struct reader *r = ctx;
	struct td_workers *p = r->p;
	if (r->dead || __atomic_load_n(&p->stop, __ATOMIC_RELAXED)) {
		td_capture_stop(p->reader_cap);
		return;
	}
	r->seq++;
	unsigned to = 0;
	struct td_segment seg;
	if (data && td_packet_decode(link, ts, data, caplen, wirelen, &seg) == TD_OK)
		to = flow_worker(&seg, p->n);
	append(r, to, link, ts, data, caplen, wirelen);
	if (ts > r->sent_ts[to])
		r->sent_ts[to] = ts;
	for (unsigned i = 0; i < p->n; i++) {
		if (i != to && ts > r->sent_ts[i]) {
			append(r, i, link, ts, NULL, 0, 0);
			r->sent_ts[i] = ts;
		}
	}
	if (p->stream) {
		/* From a pipe: each frame reaches its worker at once. */
		for (unsigned i = 0; i < p->n; i++)
			if (r->cur[i] && r->cur[i]->used)
				flush_one(r, i, true);
	} else if (r->seq % FLUSH_FRAMES == 0) {
		flush_all(r);
	}
}

struct reader_run {
	struct reader r;
	enum td_result res;
	char err[512];
};

static void *reader_thread(void *arg)
{
	struct reader_run *rr = arg;
	struct td_workers *p = rr->r.p;
	for (unsigned i = 0; i < p->n; i++)
		rr->r.cur[i] = td_queue_pop(p->w[i].free_chunks);
	rr->res = td_capture_run(p->reader_cap, reader_frame, &rr->r, rr->err, sizeof rr->err);
	for (unsigned i = 0; i < p->n; i++) {
		flush_one(&rr->r, i, false);
		td_queue_close(p->w[i].in);
	}
	return NULL;
}

/* ---- live ------------------------------------------------------------ */

static void live_frame(void *ctx, enum td_link link, uint64_t ts, const uint8_t *data,
		       size_t caplen, size_t wirelen)
{
	struct worker *wk = ctx;
	if (__atomic_load_n(&wk->pool->stop, __ATOMIC_RELAXED)) {
		td_capture_stop(wk->cap);  /* its own, from its own thread */
		return;
	}
	/* Before the last capture joined the group, each saw every packet. */
	if (data && ts < wk->join_us)
		return;
	td_engine_frame(wk->eng, link, ts, data, caplen, wirelen);
	stats_due(wk);
}

static void *live_worker(void *arg)
{
	struct worker *wk = arg;
	if (td_capture_run(wk->cap, live_frame, wk, wk->err, sizeof wk->err) != TD_OK)
		td_workers_stop(wk->pool);  /* one member lost: stop them all, say why */
	worker_finish(wk);
	return NULL;
}

static uint64_t now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

enum td_result td_workers_open_live(struct td_workers *p, const char *iface, int snaplen,
				    bool promisc, const char *filter, char *err, size_t errlen)
{
	/* A group id of this process's (the groups of a network namespace
	 * are shared by every process in it). */
	uint16_t group = (uint16_t)(getpid() & 0xffff);
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *wk = &p->w[i];
		enum td_result r = td_capture_open_live(&wk->cap, iface, snaplen, promisc, err, errlen);
		if (r == TD_OK)
			r = td_capture_join_fanout(wk->cap, group, err, errlen);
		if (r == TD_OK && filter)
			r = td_capture_set_filter(wk->cap, filter, err, errlen);
		if (r != TD_OK)
			return r;
	}
	uint64_t joined = now_us();
	for (unsigned i = 0; i < p->n; i++)
		p->w[i].join_us = joined;
	p->live = true;
	return TD_OK;
}

/* ---- the pool -------------------------------------------------------- */

enum td_result td_workers_new(struct td_workers **out, const struct td_workers_opts *o,
			      char *err, size_t errlen)
{
	enum td_result r = TD_ERR_NOMEM;
	struct td_workers *p = calloc(1, sizeof *p);
	*out = NULL;
	if (!p)
		goto nomem;
	p->n = o->n;
	p->opts = *o;
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *wk = &p->w[i];
		wk->pool = p;
		wk->index = i;
		if (i == 0)
			continue;  /* borrows the caller's diagnoser and key log */
		if (o->cfg.diagnoser) {
			r = td_diagnoser_new(&wk->diag, o->diag, err, errlen);
			if (r != TD_OK)
				goto fail;
		}
		if (o->cfg.keylog_refresh && o->n_keylog_files) {
			wk->keylog = td_keylog_new();
			if (!wk->keylog)
				goto nomem;
			r = td_keylog_watch_new(&wk->watch, wk->keylog, o->keylog_files,
						o->n_keylog_files, err, errlen);
			if (r != TD_OK)
				goto fail;
		}
	}
	*out = p;
	return TD_OK;
nomem:
	r = TD_ERR_NOMEM;
	snprintf(err, errlen, "out of memory");
fail:
	td_workers_free(p);
	return r;
}

/* Each worker's engine, queues and batches. */
static bool setup_workers(struct td_workers *p, bool file)
{
	struct td_config cfg = p->opts.cfg;
	/* As one engine: streaming needs a sink with conn_end (engine.h),
	 * and turns ordering off. */
	p->stream = cfg.stream && p->sink->conn_end;
	p->ordered = cfg.ordered && !p->stream;
	cfg.stream = p->stream;
	cfg.max_memory = cfg.max_memory / p->n;
	cfg.max_flows = cfg.max_flows / p->n ? cfg.max_flows / p->n : 1;
	p->out = td_queue_new(OUT_ITEMS * p->n);
	if (!p->out)
		return false;
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *wk = &p->w[i];
		struct td_config c = cfg;
		if (i > 0) {
			c.diagnoser = wk->diag;
			if (wk->keylog) {
				c.keylog = wk->keylog;
				c.keylog_refresh_ctx = wk->watch;
			}
		}
		wk->relay = (struct td_sink){ .conn_take = relay_take, .finish = relay_finish,
					      .free = relay_free,
					      .stats = p->sink->stats ? relay_stats : NULL };
		wk->eng = td_engine_new(&c, &wk->relay);
		if (!wk->eng)
			return false;
		if (!file)
			continue;
		wk->garbage = td_queue_new(GARBAGE_MAX);
		wk->in = td_queue_new(CHUNKS_PER_WORKER);
		wk->free_chunks = td_queue_new(CHUNKS_PER_WORKER);
		if (!wk->in || !wk->free_chunks || !wk->garbage)
			return false;
		for (unsigned k = 0; k < CHUNKS_PER_WORKER; k++) {
			struct chunk *ch = malloc(sizeof *ch);
			if (!ch)
				return false;
			ch->used = 0;
			(void)td_queue_push(wk->free_chunks, ch);
		}
	}
	return true;
}

/* Threads started with the signals blocked: SIGINT and SIGTERM reach the
 * calling thread, whose handler stops the capture. */
static bool start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0;
}

enum td_result td_workers_run(struct td_workers *p, const struct td_config *cfg,
			      struct td_capture *cap, struct td_sink *sink,
			      char *err, size_t errlen)
{
	err[0] = '\0';
	p->opts.cfg = *cfg;
	p->sink = sink;
	p->reader_cap = cap;
	if (!setup_workers(p, cap != NULL)) {
		snprintf(err, errlen, "out of memory");
		return TD_ERR_NOMEM;
	}
	struct reader_run *rr = cap ? calloc(1, sizeof *rr) : NULL;
	pthread_t rt;
	bool reader = false, ok = !cap || rr;
	p->barrier_up = ok && pthread_barrier_init(&p->end_barrier, NULL, p->n) == 0;
	ok = ok && p->barrier_up;
	for (unsigned i = 0; ok && i < p->n; i++) {
		struct worker *wk = &p->w[i];
		wk->started = start(&wk->thread, cap ? file_worker : live_worker, wk);
		ok = wk->started;
	}
	if (ok && cap) {
		rr->r.p = p;
		reader = ok = start(&rt, reader_thread, rr);
	}
	if (!ok) {
		/* Wind down what started: no input, so each worker finishes;
		 * without the barrier, since not all of them reach it. */
		p->barrier_up = false;
		td_workers_stop(p);
		for (unsigned i = 0; cap && i < p->n; i++)
			td_queue_close(p->w[i].in);
	}
	/* The output runs here until every started worker finished. */
	bool out_ok = td_wk_output(p);
	if (reader)
		pthread_join(rt, NULL);
	for (unsigned i = 0; i < p->n; i++)
		if (p->w[i].started)
			pthread_join(p->w[i].thread, NULL);
	enum td_result res = TD_OK;
	if (!ok || !out_ok) {
		snprintf(err, errlen, "%s", !ok ? "cannot start the worker threads" : "out of memory");
		res = TD_ERR_NOMEM;
	} else if (rr) {
		res = rr->res;
		snprintf(err, errlen, "%s", rr->err);
	} else {
		for (unsigned i = 0; i < p->n; i++) {
			if (p->w[i].err[0]) {
				snprintf(err, errlen, "%s", p->w[i].err);
				res = TD_ERR_IO;
				break;
			}
		}
	}
	free(rr);
	if (p->barrier_up)
		pthread_barrier_destroy(&p->end_barrier);
	return res;
}

/* A flag each capture's own thread reads at its next frame or clock tick
 * (live: at most 200 ms away) and then stops its capture: stopping it from
 * here would write the capture's flag under its reader's feet.  A lock-free
 * store, safe in a signal handler. */
void td_workers_stop(struct td_workers *p)
{
	if (p)
		__atomic_store_n(&p->stop, 1, __ATOMIC_RELAXED);
}

const struct td_stats *td_workers_stats(const struct td_workers *p)
{
	return &p->st;
}

uint64_t td_workers_dropped(const struct td_workers *p)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < p->n; i++)
		n += p->w[i].dropped;
	return n;
}

void td_workers_free(struct td_workers *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *wk = &p->w[i];
		td_engine_free(wk->eng);
		td_diagnoser_free(wk->diag);
		td_keylog_watch_free(wk->watch);
		td_keylog_free(wk->keylog);
		td_capture_close(wk->cap);
		void *ch;
		while (wk->in && (ch = td_queue_try_pop(wk->in)) != NULL)
			free(ch);
		while (wk->free_chunks && (ch = td_queue_try_pop(wk->free_chunks)) != NULL)
			free(ch);
		collect(wk);
		td_queue_free(wk->garbage);
		td_queue_free(wk->in);
		td_queue_free(wk->free_chunks);
		free(wk->ranges);
		while (wk->snap_head) {
			struct item *it = wk->snap_head;
			wk->snap_head = it->next;
			free(it->stats);
			free(it);
		}
	}
	if (p->out) {
		struct item *it;
		while ((it = td_queue_try_pop(p->out)) != NULL) {
			if (it->conn)
				td_conn_free(it->conn);
			free(it->stats);
			free(it);
		}
	}
	td_queue_free(p->out);
	td_wk_output_free(p);
	free(p->ports);
	free(p);
}
