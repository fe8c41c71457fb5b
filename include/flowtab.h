/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flowtab.h - the table of TCP flows being tracked.
 *
 * A flow is one TCP connection, keyed by its 4-tuple in either
 * direction.  Side A is whichever endpoint sent the first packet seen;
 * lookups say whether a segment came from A.  Each flow carries an
 * opaque state pointer owned by the caller (the engine): the table
 * hands it back through the evict callback when the flow leaves the
 * table for any reason other than td_flowtab_remove().
 *
 * Bounded: at most max_flows flows; adding one more evicts the least
 * recently used.  td_flowtab_expire() evicts flows idle for too long.
 * Lookups are O(1) (hash table; the hash is keyed with a per-table
 * random seed so an attacker cannot aim for one bucket).
 */
#ifndef TD_FLOWTAB_H
#define TD_FLOWTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "packet.h"
#include "result.h"

struct td_flowtab;

enum td_evict_reason {
	TD_EVICT_FULL,     /* the table was full: least recently used */
	TD_EVICT_IDLE,     /* idle timeout */
	TD_EVICT_FLUSH     /* td_flowtab_flush(): end of capture */
};

/* Called with the caller's state of a flow leaving the table.  The
 * callback owns state from then on (typically: report, then free). */
typedef void (*td_flow_evict_fn)(void *ctx, void *state, enum td_evict_reason why);

struct td_flowtab *td_flowtab_new(size_t max_flows, td_flow_evict_fn evict, void *ctx);
/* Evicts (TD_EVICT_FLUSH) every flow still present, then frees. NULL ok. */
void td_flowtab_free(struct td_flowtab *t);

/*
 * Find the flow of seg.  On a hit returns its state and sets *from_a.
 * On a miss returns NULL.  Marks the flow used at seg->ts_us.
 */
void *td_flowtab_lookup(struct td_flowtab *t, const struct td_segment *seg, bool *from_a);

/* Add a flow whose side A is seg's source, with the caller's state.
 * May evict the least recently used flow first. */
enum td_result td_flowtab_add(struct td_flowtab *t, const struct td_segment *seg,
			      void *state) TD_MUST_CHECK;

/* Remove the flow of seg without calling evict; returns its state. */
void *td_flowtab_remove(struct td_flowtab *t, const struct td_segment *seg);

/* Evict (TD_EVICT_IDLE) flows whose last packet is older than
 * now_us - timeout_us.  Cheap to call often: it walks the LRU end only. */
void td_flowtab_expire(struct td_flowtab *t, uint64_t now_us, uint64_t timeout_us);

/* Evict (TD_EVICT_FLUSH) every flow, oldest first. */
void td_flowtab_flush(struct td_flowtab *t);

size_t td_flowtab_count(const struct td_flowtab *t);
/* Flows evicted because the table was full, over the table's life. */
uint64_t td_flowtab_evicted_full(const struct td_flowtab *t);

#endif
