/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * certcache.c - certificates parsed once per distinct DER (see x509.h).
 *
 * Real servers present the same chain to every client, thousands of
 * times in a busy capture; parsing it with wolfSSL each time (ASN.1,
 * names, the public key) was most of tlsdiag's time on handshake-heavy
 * captures.  A small table keyed by a hash of the DER, checked byte for
 * byte, keeps a reference to the parsed certificate; a hit hands out one
 * more reference to it (certificates are immutable, conn.h), so one DER
 * is one object while it stays here.
 * The table is split in sets of four slots picked by the hash; the least
 * recently used slot of a set makes room.  No wolfSSL here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "x509.h"

struct slot {
	bool used;
	uint64_t hash;
	uint64_t last;   /* use counter, for least recently used */
	struct td_cert *cert;  /* a reference; holds its own DER copy (cert->der) */
};

/* Slots per set (see td_cert_cache_parse). */
#define CACHE_WAYS 4u

struct td_cert_cache {
	struct slot *slots;
	size_t n;
	uint64_t clock;
	uint64_t hits, misses;
};

/* FNV-1a, 64 bits, over the length and the last 64 bytes (the
 * signature, different for any two certificates): the DER is compared in
 * full on a match, so hashing all of it would only cost time. */
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t k = 0; k < sizeof n; k++) {
		h ^= (uint8_t)(n >> (8 * k));
		h *= 0x100000001b3u;
	}
	for (size_t i = n > 64 ? n - 64 : 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3u;
	}
	return h;
}

struct td_cert_cache *td_cert_cache_new(size_t entries)
{
	struct td_cert_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->n = entries ? entries : 1;
	c->slots = calloc(c->n, sizeof *c->slots);
	if (!c->slots) {
		free(c);
		return NULL;
	}
	return c;
}

void td_cert_cache_free(struct td_cert_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (c->slots[i].used)
			td_cert_unref(c->slots[i].cert);
	free(c->slots);
	free(c);
}

enum td_result td_cert_cache_parse(struct td_cert_cache *c, const uint8_t *der, size_t len,
				   struct td_cert **out)
{
	if (!c)
		return td_x509_parse(der, len, out);
	uint64_t h = fnv1a(der, len);
	/* Sets of CACHE_WAYS slots: a DER can only be in the set its hash
	 * picks, so a lookup reads a few slots, not the whole table. */
	size_t ways = c->n < CACHE_WAYS ? c->n : CACHE_WAYS;
	size_t base = (size_t)(h % (c->n / ways)) * ways;
	struct slot *victim = &c->slots[base];
	for (size_t i = base; i < base + ways; i++) {
		struct slot *s = &c->slots[i];
		if (s->used && s->hash == h && s->cert->der_len == len &&
		    memcmp(s->cert->der, der, len) == 0) {
			s->last = ++c->clock;
			c->hits++;
			*out = td_cert_ref(s->cert);
			return TD_OK;
		}
		if (!s->used || (victim->used && s->last < victim->last))
			victim = s;
	}
	c->misses++;
	enum td_result r = td_x509_parse(der, len, out);
	/* Keep only what has its DER copy (not an empty certificate). */
	if (r != TD_OK || !(*out)->der)
		return r;
	if (victim->used)
		td_cert_unref(victim->cert);
	victim->cert = td_cert_ref(*out);
	victim->used = true;
	victim->hash = h;
	victim->last = ++c->clock;
	return TD_OK;
}

void td_cert_cache_stats(const struct td_cert_cache *c, uint64_t *hits, uint64_t *misses)
{
	*hits = c ? c->hits : 0;
	*misses = c ? c->misses : 0;
}
