/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * queue.c - a bounded blocking FIFO of pointers (see queue.h): a ring
 * of cap slots under one mutex; pushers wait on not_full, poppers on
 * not_empty.  A signal is sent only when someone waits, so a busy queue
 * costs one uncontended lock per item.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "queue.h"

struct td_queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	void **slot;
	size_t cap, head, len;  /* items are slot[(head + i) % cap], i < len */
	size_t wait_pop, wait_push; /* threads waiting, so a signal is needed */
	bool closed;
};

struct td_queue *td_queue_new(size_t cap)
{
	if (cap == 0)
		return NULL;
	struct td_queue *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->slot = calloc(cap, sizeof *q->slot);
	if (!q->slot) {
		free(q);
		return NULL;
	}
	q->cap = cap;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	return q;
}

void td_queue_free(struct td_queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	free(q->slot);
	free(q);
}

bool td_queue_push(struct td_queue *q, void *item)
{
	pthread_mutex_lock(&q->lock);
	while (q->len == q->cap && !q->closed) {
		q->wait_push++;
		pthread_cond_wait(&q->not_full, &q->lock);
		q->wait_push--;
	}
	bool ok = !q->closed;
	if (ok) {
		q->slot[(q->head + q->len) % q->cap] = item;
		q->len++;
		if (q->wait_pop)
			pthread_cond_signal(&q->not_empty);
	}
	pthread_mutex_unlock(&q->lock);
	return ok;
}

/* Called with the lock held and len > 0. */
static void *take(struct td_queue *q)
{
	void *item = q->slot[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	if (q->wait_push)
		pthread_cond_signal(&q->not_full);
	return item;
}

void *td_queue_pop(struct td_queue *q)
{
	void *item = NULL;
	pthread_mutex_lock(&q->lock);
	while (q->len == 0 && !q->closed) {
		q->wait_pop++;
		pthread_cond_wait(&q->not_empty, &q->lock);
		q->wait_pop--;
	}
	if (q->len > 0)
		item = take(q);
	pthread_mutex_unlock(&q->lock);
	return item;
}

void *td_queue_try_pop(struct td_queue *q)
{
	void *item = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->len > 0)
		item = take(q);
	pthread_mutex_unlock(&q->lock);
	return item;
}

void td_queue_close(struct td_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}

size_t td_queue_len(struct td_queue *q)
{
	pthread_mutex_lock(&q->lock);
	size_t n = q->len;
	pthread_mutex_unlock(&q->lock);
	return n;
}
