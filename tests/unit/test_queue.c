/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_queue.c - the bounded blocking queue of --workers (queue.h): FIFO
 * order, the bound, close, and a producer and a consumer on two threads
 * passing 100,000 items through a queue of 4 (every push past the fourth
 * waits) with nothing lost, duplicated or reordered.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>

#include "queue.h"
#include "tests.h"

static void test_queue_fifo(void)
{
	struct td_queue *q = td_queue_new(3);
	CU_ASSERT_PTR_NULL(td_queue_new(0));
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	int v[4];
	CU_ASSERT_PTR_NULL(td_queue_try_pop(q));
	for (int i = 0; i < 3; i++)
		CU_ASSERT_TRUE(td_queue_push(q, &v[i]));
	CU_ASSERT_EQUAL(td_queue_len(q), 3);
	CU_ASSERT_PTR_EQUAL(td_queue_pop(q), &v[0]);
	CU_ASSERT_TRUE(td_queue_push(q, &v[3]));  /* wraps around the ring */
	CU_ASSERT_PTR_EQUAL(td_queue_try_pop(q), &v[1]);
	CU_ASSERT_PTR_EQUAL(td_queue_pop(q), &v[2]);
	td_queue_close(q);
	CU_ASSERT_FALSE(td_queue_push(q, &v[0]));
	CU_ASSERT_PTR_EQUAL(td_queue_pop(q), &v[3]);  /* what was left, then NULL */
	CU_ASSERT_PTR_NULL(td_queue_pop(q));
	td_queue_free(q);
}

#define N_ITEMS 100000u

static void *producer(void *arg)
{
	struct td_queue *q = arg;
	for (uintptr_t i = 1; i <= N_ITEMS; i++)
		if (!td_queue_push(q, (void *)i))
			break;
	td_queue_close(q);
	return NULL;
}

static void test_queue_threads(void)
{
	struct td_queue *q = td_queue_new(4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	pthread_t t;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, producer, q), 0);
	uintptr_t want = 1;
	bool in_order = true;
	void *it;
	while ((it = td_queue_pop(q)) != NULL) {
		in_order = in_order && (uintptr_t)it == want;
		want++;
	}
	pthread_join(t, NULL);
	CU_ASSERT_TRUE(in_order);
	CU_ASSERT_EQUAL(want - 1, N_ITEMS);
	td_queue_free(q);
}

void td_suite_queue(void)
{
	CU_pSuite s = td_test_suite("queue (--workers)");
	td_test_add(s, "FIFO, bound, close", test_queue_fifo);
	td_test_add(s, "two threads through a queue of 4", test_queue_threads);
}
