/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * workers_int.h - what src/workers.c (the threads) and
 * src/workers_out.c (the output: order, ids, statistics) share.
 */
#ifndef TD_WORKERS_INT_H
#define TD_WORKERS_INT_H

#include <pthread.h>
#include <signal.h>

#include "queue.h"
#include "workers.h"

/* What a worker hands the output thread, through one shared queue (in
 * each worker's order). */
enum item_kind {
	ITEM_DONE,   /* sink conn_done */
	ITEM_END,    /* sink conn_end (streaming) */
	ITEM_BOUND,  /* the worker's connections to come are ordered after bound */
	ITEM_FINISH, /* the worker's engine finished: its statistics are final */
	ITEM_STATS   /* the worker's periodic statistics (--stats-interval) */
};

/* Where a connection goes in the output of a file: the frame during which
 * its id was given (seq, counted from 1 by the reader; SEQ_END at the
 * end of the capture), then the worker, then its id there. */
struct order_key {
	uint64_t seq;
	unsigned worker;
	uint64_t id;
};

#define SEQ_END (UINT64_MAX - 1)

struct item {
	enum item_kind kind;
	unsigned worker;
	struct order_key key;     /* ITEM_DONE: its place; ITEM_BOUND: the bound */
	struct td_conn *conn;     /* ITEM_DONE, ITEM_END: the engine's, handed over */
	struct td_stats *stats;   /* ITEM_STATS: a copy, owned (no borrowed pointers) */
	struct item *next;        /* ITEM_STATS: the output's list of them */
};

/* Ids given by a worker's engine during one frame: [first, last]. */
struct id_range {
	uint64_t first, last, seq;
	uint64_t emitted;         /* of them already handed over */
};

struct worker {
	struct td_workers *pool;
	unsigned index;
	pthread_t thread;
	bool started;
	struct td_engine *eng;
	struct td_sink relay;     /* what the engine reports to: to the output */
	struct td_diagnoser *diag;     /* owned (index > 0) */
	struct td_keylog *keylog;      /* live, owned (index > 0) */
	struct td_keylog_watch *watch; /* live, owned (index > 0) */
	struct td_capture *cap;        /* live: this worker's member of the fanout group */
	struct td_queue *in, *free_chunks; /* a file: batches of frames, and empty ones */
	/* Connections the output wrote, handed back to be freed by the thread that
	 * made them: the allocator (mimalloc) frees a block of another
	 * thread's through a slower, atomic path (it was a sixth of a run). */
	struct td_queue *garbage;
	struct td_stats st;            /* the engine's, copied at its finish */
	bool finished;
	/* The frame being analysed, and the ids given so far (a file). */
	uint64_t cur_seq, done_seq, ids_seen;
	struct id_range *ranges;       /* a ring: ranges[(r_head + i) % r_cap], i < r_n */
	size_t r_head, r_n, r_cap;
	struct order_key bound_sent;
	uint64_t dropped;              /* connections not handed over (out of memory) */
	uint64_t decrypted;            /* output: its connections decrypted */
	uint64_t join_us;              /* live: frames stamped before are skipped */
	/* The output's: the worker's periodic statistics not merged yet,
	 * oldest first (a worker may run a little ahead of the others). */
	struct item *snap_head, *snap_tail;
	char err[256];
};

struct td_workers {
	unsigned n;
	struct td_workers_opts opts;
	struct worker w[TD_WORKERS_MAX];
	struct td_queue *out;          /* items from every worker to the output */
	struct td_sink *sink;
	bool stream;                   /* engines report early (engine.h: stream) */
	bool ordered;                  /* a file read in order: the output is ordered */
	bool live;
	struct td_capture *reader_cap; /* a file: the reader's */
	int stop;                      /* atomic: td_workers_stop() */
	/* The end of the input: every worker waits for the others, so each
	 * knows whether any saw TLS (td_engine_note_tls_elsewhere). */
	pthread_barrier_t end_barrier;
	bool barrier_up;
	uint64_t tls_seen;             /* atomic: TLS connections over the workers */
	/* The output (workers_out.c). */
	uint64_t next_id;
	struct td_stats st;            /* merged */
	struct td_tcp_port *ports;     /* st.tcp_without_tls, owned */
	void *out_state;               /* workers_out.c's: heap and id map */
};

/* workers_out.c: run the output until every worker finished, then the
 * sink's finish with the merged statistics.  False when memory ran out. */
bool td_wk_output(struct td_workers *p);
#define GARBAGE_MAX 4096u
void td_wk_output_free(struct td_workers *p);

#endif
