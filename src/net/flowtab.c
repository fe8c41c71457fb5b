/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flowtab.c - the table of TCP flows (see flowtab.h).
 *
 * A flow is keyed by its 4-tuple in either direction:
 *
 *   key = SipHash-1-3(seed, words of the lo endpoint || of the hi endpoint)
 *   IPv4 endpoint: one 64-bit word, family << 48 | address << 16 | port
 *   IPv6 endpoint: three, the address's two halves then family << 16 | port
 *
 * where lo/hi orders the two endpoints (by address, then port), so A->B
 * and B->A hash alike.  The SipHash key is drawn from the kernel per table: an
 * attacker who cannot predict the seed cannot send a capture whose
 * flows all land in one bucket (the hash-flooding attack SipHash was
 * designed against; Aumasson and Bernstein, 2012).  SipHash-1-3 (one
 * round per word, three to finish) is the variant hash tables use
 * (Rust's HashMap, CPython): flooding needs the seed either way, and it
 * costs a third of SipHash-2-4 on a 14-byte IPv4 key, once per packet.
 *
 * Buckets chain singly; the table doubles when it holds more flows than
 * buckets, so chains stay O(1) long.  Every flow is also on a doubly
 * linked LRU list (oldest first) so eviction of the least recently used
 * flow, idle expiry and flush each start at the old end and stop early.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__has_include)
#if __has_include(<sys/random.h>)
#include <sys/random.h>
#define TD_HAVE_GETRANDOM 1
#endif
#endif

#include "flowtab.h"

enum {
	INITIAL_BUCKETS = 64
};

struct flow {
	struct flow *hnext;   /* next in the bucket chain */
	struct flow *older;   /* LRU neighbours: toward t->oldest ... */
	struct flow *newer;   /* ... and toward t->newest */
	uint64_t hash;
	uint64_t last_us;     /* time of the last packet, microseconds */
	struct td_addr a, b;  /* side A sent the first packet seen */
	uint16_t aport, bport;
	void *state;          /* the caller's, handed back on eviction */
};

struct td_flowtab {
	struct flow **buckets;
	size_t nbuckets;      /* a power of two */
	size_t count;
	size_t max;           /* max_flows, at least 1 */
	struct flow *oldest, *newest;
	struct flow *last;    /* the flow of the last lookup, or NULL */
	uint64_t k0, k1;      /* SipHash key */
	uint64_t evicted_full;
	td_flow_evict_fn evict;
	void *ctx;
};

/* ---- SipHash-1-3 (https://www.aumasson.jp/siphash/siphash.pdf: SipHash-c-d
 * with c = 1 compression round per word, d = 3 finalization rounds) ---- */

static uint64_t rotl64(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

/* One SipRound on four local variables (a macro, so they stay in
 * registers: this runs for most packets). */
#define SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32); \
	v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32); \
} while (0)

static uint64_t load_le64(const uint8_t *p, size_t n)
{
	uint64_t m = 0;
	for (size_t i = 0; i < n; i++)
		m |= (uint64_t)p[i] << (8 * i);
	return m;
}

/* SipHash-1-3 of n words, as of their 8n little-endian bytes. */
static uint64_t siphash13(uint64_t k0, uint64_t k1, const uint64_t *in, size_t n)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
	for (size_t i = 0; i < n; i++) {
		v3 ^= in[i];
		SIPROUND(v0, v1, v2, v3);
		v0 ^= in[i];
	}
	uint64_t b = (uint64_t)(n * 8) << 56;
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- seed ---- */

static bool read_urandom(uint8_t *buf, size_t n)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(fd, buf + got, n - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	return got == n;
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* 16 unpredictable bytes: getrandom(), else /dev/urandom (gone after a
 * chroot), else a last resort from the clock, the pid and an address,
 * which is not secret but still differs from run to run. */
static void draw_seed(struct td_flowtab *t)
{
	uint8_t buf[16];
	bool ok = false;
#ifdef TD_HAVE_GETRANDOM
	ok = getrandom(buf, sizeof buf, GRND_NONBLOCK) == (ssize_t)sizeof buf;
#endif
	if (!ok)
		ok = read_urandom(buf, sizeof buf);
	if (ok) {
		t->k0 = load_le64(buf, 8);
		t->k1 = load_le64(buf + 8, 8);
		return;
	}
	struct timespec ts = { 0, 0 };
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	x ^= (uint64_t)getpid() << 32;
	x ^= (uint64_t)(uintptr_t)t;
	t->k0 = splitmix64(&x);
	t->k1 = splitmix64(&x);
}

/* ---- keys ---- */

static uint64_t endpoint4(const struct td_addr *a, uint16_t port)
{
	uint32_t ip = (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 |
		      (uint32_t)a->b[2] << 8 | a->b[3];
	return (uint64_t)a->family << 48 | (uint64_t)ip << 16 | port;
}

static void endpoint6(uint64_t w[3], const struct td_addr *a, uint16_t port)
{
	w[0] = load_le64(a->b, 8);
	w[1] = load_le64(a->b + 8, 8);
	w[2] = (uint64_t)a->family << 16 | port;
}

static uint64_t flow_hash(const struct td_flowtab *t, const struct td_segment *seg)
{
	const struct td_addr *s = &seg->src, *d = &seg->dst;
	uint64_t w[6];
	if (s->family != 6 && d->family != 6) {
		uint64_t x = endpoint4(s, seg->sport), y = endpoint4(d, seg->dport);
		w[0] = x < y ? x : y;
		w[1] = x < y ? y : x;
		return siphash13(t->k0, t->k1, w, 2);
	}
	/* IPv6: ip.c gives both ends of a segment one family. */
	int order = memcmp(s->b, d->b, sizeof s->b);
	bool swap = order > 0 || (order == 0 && seg->sport > seg->dport);
	endpoint6(w + (swap ? 3 : 0), s, seg->sport);
	endpoint6(w + (swap ? 0 : 3), d, seg->dport);
	return siphash13(t->k0, t->k1, w, 6);
}

/* Does f carry seg's 4-tuple?  *from_a says in which direction. */
static bool flow_match(const struct flow *f, const struct td_segment *seg, bool *from_a)
{
	if (f->aport == seg->sport && f->bport == seg->dport &&
	    td_addr_equal(&f->a, &seg->src) && td_addr_equal(&f->b, &seg->dst)) {
		*from_a = true;
		return true;
	}
	if (f->aport == seg->dport && f->bport == seg->sport &&
	    td_addr_equal(&f->a, &seg->dst) && td_addr_equal(&f->b, &seg->src)) {
		*from_a = false;
		return true;
	}
	return false;
}

/* The link in the bucket chain that points at seg's flow, or NULL. */
static struct flow **find(const struct td_flowtab *t, const struct td_segment *seg,
			  uint64_t hash, bool *from_a)
{
	struct flow **pp = &t->buckets[hash & (t->nbuckets - 1)];
	for (; *pp; pp = &(*pp)->hnext)
		if ((*pp)->hash == hash && flow_match(*pp, seg, from_a))
			return pp;
	return NULL;
}

/* ---- LRU list ---- */

static void lru_unlink(struct td_flowtab *t, struct flow *f)
{
	if (f->older)
		f->older->newer = f->newer;
	else
		t->oldest = f->newer;
	if (f->newer)
		f->newer->older = f->older;
	else
		t->newest = f->older;
	f->older = f->newer = NULL;
}

static void lru_push_newest(struct td_flowtab *t, struct flow *f)
{
	f->older = t->newest;
	f->newer = NULL;
	if (t->newest)
		t->newest->newer = f;
	else
		t->oldest = f;
	t->newest = f;
}

/* Take f out of the table entirely and return its state. */
static void *unlink_flow(struct td_flowtab *t, struct flow *f)
{
	struct flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	lru_unlink(t, f);
	if (t->last == f)
		t->last = NULL;
	t->count--;
	void *state = f->state;
	free(f);
	return state;
}

/* Unlink first, call back second: the callback may use the table. */
static void evict_oldest(struct td_flowtab *t, enum td_evict_reason why)
{
	void *state = unlink_flow(t, t->oldest);
	if (t->evict)
		t->evict(t->ctx, state, why);
}

/* Double the buckets; on allocation failure keep the old ones (chains
 * get longer, nothing breaks). */
static void grow(struct td_flowtab *t)
{
	size_t n = t->nbuckets * 2;
	if (n < t->nbuckets || n > SIZE_MAX / sizeof(struct flow *))
		return;
	struct flow **nb = calloc(n, sizeof *nb);
	if (!nb)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct flow *f = t->buckets[i];
		while (f) {
			struct flow *next = f->hnext;
			size_t j = f->hash & (n - 1);
			f->hnext = nb[j];
			nb[j] = f;
			f = next;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

/* ---- the interface ---- */

struct td_flowtab *td_flowtab_new(size_t max_flows, td_flow_evict_fn evict, void *ctx)
{
	struct td_flowtab *t = calloc(1, sizeof *t);
	if (!t)
		goto out;
	t->buckets = calloc(INITIAL_BUCKETS, sizeof *t->buckets);
	if (!t->buckets) {
		free(t);
		t = NULL;
		goto out;
	}
	t->nbuckets = INITIAL_BUCKETS;
	t->max = max_flows ? max_flows : 1;  /* a table that holds nothing is no table */
	t->evict = evict;
	t->ctx = ctx;
	draw_seed(t);
out:
	return t;
}

void td_flowtab_free(struct td_flowtab *t)
{
	if (!t)
		return;
	td_flowtab_flush(t);
	free(t->buckets);
	free(t);
}

void *td_flowtab_lookup(struct td_flowtab *t, const struct td_segment *seg, bool *from_a)
{
	bool dir = false;
	struct flow *f = t->last;
	/* A flight of segments comes from one flow: the last flow found is
	 * checked before anything is hashed. */
	if (!f || !flow_match(f, seg, &dir)) {
		struct flow **pp = find(t, seg, flow_hash(t, seg), &dir);
		if (!pp)
			return NULL;
		f = *pp;
		t->last = f;
	}
	/* Capture files are not always in time order: never move a flow's
	 * clock backwards. */
	if (seg->ts_us > f->last_us)
		f->last_us = seg->ts_us;
	if (t->newest != f) {
		lru_unlink(t, f);
		lru_push_newest(t, f);
	}
	if (from_a)
		*from_a = dir;
	return f->state;
}

enum td_result td_flowtab_add(struct td_flowtab *t, const struct td_segment *seg,
			      void *state)
{
	bool dir;
	uint64_t hash = flow_hash(t, seg);
	if (find(t, seg, hash, &dir))
		return TD_ERR_USAGE;  /* already there: the caller should have looked */

	/* Allocate before evicting, so that running out of memory leaves
	 * the table as it was. */
	struct flow *f = calloc(1, sizeof *f);
	if (!f)
		return TD_ERR_NOMEM;
	while (t->count >= t->max && t->oldest) {
		t->evicted_full++;
		evict_oldest(t, TD_EVICT_FULL);
	}
	if (t->count >= t->nbuckets)
		grow(t);

	f->hash = hash;
	f->last_us = seg->ts_us;
	f->a = seg->src;
	f->b = seg->dst;
	f->aport = seg->sport;
	f->bport = seg->dport;
	f->state = state;
	struct flow **bucket = &t->buckets[hash & (t->nbuckets - 1)];
	f->hnext = *bucket;
	*bucket = f;
	lru_push_newest(t, f);
	t->count++;
	return TD_OK;
}

void *td_flowtab_remove(struct td_flowtab *t, const struct td_segment *seg)
{
	bool dir;
	struct flow **pp = find(t, seg, flow_hash(t, seg), &dir);
	return pp ? unlink_flow(t, *pp) : NULL;
}

void td_flowtab_expire(struct td_flowtab *t, uint64_t now_us, uint64_t timeout_us)
{
	if (now_us < timeout_us)
		return;  /* nothing can be that old yet */
	uint64_t limit = now_us - timeout_us;
	while (t->oldest && t->oldest->last_us < limit)
		evict_oldest(t, TD_EVICT_IDLE);
}

void td_flowtab_flush(struct td_flowtab *t)
{
	while (t->oldest)
		evict_oldest(t, TD_EVICT_FLUSH);
}

size_t td_flowtab_count(const struct td_flowtab *t)
{
	return t->count;
}

uint64_t td_flowtab_evicted_full(const struct td_flowtab *t)
{
	return t->evicted_full;
}
