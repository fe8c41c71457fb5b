/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * queue.h - a bounded, blocking FIFO of pointers between threads
 * (--workers: the reader hands batches of frames to each worker, the
 * workers hand finished connections to the output thread).
 *
 * Any number of producers and consumers may use one queue; tlsdiag uses
 * them single-producer/single-consumer (frames) and many-producers/one-
 * consumer (connections).  A push waits while the queue is full, so
 * nothing is lost and memory stays bounded; a pop waits while it is
 * empty.  A mutex and two condition variables: the items are batches
 * (a 256 KiB block of frames, a connection), so the lock is taken a few
 * thousand times a second, not once a packet.
 *
 * Ownership: the queue owns neither the items nor what they point to;
 * td_queue_free() on a queue still holding items leaves them to the
 * caller (td_queue_try_pop() them first).
 */
#ifndef TD_QUEUE_H
#define TD_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

struct td_queue;

/* A queue holding at most cap (>= 1) items; NULL when memory runs out. */
struct td_queue *td_queue_new(size_t cap);
void td_queue_free(struct td_queue *q);

/* Append item (not NULL), waiting while the queue is full.  False when
 * the queue was closed (the item was not taken). */
bool td_queue_push(struct td_queue *q, void *item);

/* The oldest item, waiting while the queue is empty; NULL once the queue
 * is closed and empty. */
void *td_queue_pop(struct td_queue *q);

/* The oldest item, or NULL at once when there is none. */
void *td_queue_try_pop(struct td_queue *q);

/* No more pushes: waiting pops return what is left, then NULL; waiting
 * pushes return false. */
void td_queue_close(struct td_queue *q);

/* Items in the queue now (for tests and statistics). */
size_t td_queue_len(struct td_queue *q);

#endif
