/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clone.c - a copy of a connection (conn.h), for sinks that keep
 * connections after conn_done returns (the TUI, the Markdown report,
 * redaction): deep but for the certificates, which are immutable and
 * shared by reference; and the copy of a certificate redaction makes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"

/* strdup that accepts NULL; *ok goes false when memory runs out. */
static char *dup_str(const char *s, bool *ok)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*ok = false;
	return d;
}

/* A heap copy of n items of size sz (NULL for none); *ok false on failure. */
static void *dup_mem(const void *p, size_t n, size_t sz, bool *ok)
{
	if (!p || n == 0)
		return NULL;
	void *d = calloc(n, sz);
	if (!d) {
		*ok = false;
		return NULL;
	}
	memcpy(d, p, n * sz);
	return d;
}

static void copy_u16list(struct td_u16list *dst, const struct td_u16list *src, bool *ok)
{
	dst->v = dup_mem(src->v, src->n, sizeof *src->v, ok);
	dst->n = dst->v ? src->n : 0;
	dst->alloc = dst->n;
	dst->dropped = src->dropped;
}

static void copy_strlist(struct td_strlist *dst, const struct td_strlist *src, bool *ok)
{
	memset(dst, 0, sizeof *dst);
	dst->dropped = src->dropped;
	if (src->n == 0)
		return;
	dst->v = calloc(src->n, sizeof *dst->v);
	if (!dst->v) {
		*ok = false;
		return;
	}
	dst->alloc = src->n;
	for (size_t i = 0; i < src->n; i++) {
		dst->v[i] = dup_str(src->v[i], ok);
		if (!dst->v[i])
			return;
		dst->n++;
	}
}

/* dst's lists must be empty (zeroed) first. */
static void copy_cert_request_lists(struct td_cert_request *dst, const struct td_cert_request *src,
				    bool *ok)
{
	copy_u16list(&dst->cert_types, &src->cert_types, ok);
	copy_u16list(&dst->sig_algs, &src->sig_algs, ok);
	copy_strlist(&dst->ca_names, &src->ca_names, ok);
}

enum td_result td_cert_request_copy(struct td_cert_request *dst, const struct td_cert_request *src)
{
	bool ok = true;
	*dst = *src;
	memset(&dst->cert_types, 0, sizeof dst->cert_types);
	memset(&dst->sig_algs, 0, sizeof dst->sig_algs);
	memset(&dst->ca_names, 0, sizeof dst->ca_names);
	copy_cert_request_lists(dst, src, &ok);
	if (ok)
		return TD_OK;
	td_cert_request_cleanup(dst);
	return TD_ERR_NOMEM;
}

struct td_cert *td_cert_derive(struct td_cert *base)
{
	struct td_cert *d = td_cert_new();
	if (!d)
		return NULL;
	bool ok = true;
	size_t refs = d->refs;
	*d = *base;
	d->refs = refs;
	d->der = NULL;
	d->der_len = 0;
	d->vcert = NULL;
	d->base = td_cert_ref(base);
	/* What redaction rewrites is d's own; the rest stays base's. */
	d->error = dup_str(base->error, &ok);
	d->subject = dup_str(base->subject, &ok);
	d->issuer = dup_str(base->issuer, &ok);
	d->serial = dup_str(base->serial, &ok);
	copy_strlist(&d->san, &base->san, &ok);
	if (!ok) {
		td_cert_unref(d);
		return NULL;
	}
	return d;
}

/* A transport parameter list is one flat allocation of n entries. */
static struct td_quic_tps *dup_tps(const struct td_quic_tps *src, bool *ok)
{
	if (!src)
		return NULL;
	size_t size = sizeof *src + src->n * sizeof src->v[0];
	struct td_quic_tps *t = malloc(size);
	if (!t) {
		*ok = false;
		return NULL;
	}
	memcpy(t, src, size);
	return t;
}

/* The clone shares the certificates: one more reference each. */
static void copy_chain(struct td_chain *dst, const struct td_chain *src)
{
	*dst = *src;
	for (size_t i = 0; i < dst->n; i++)
		td_cert_ref(dst->certs[i]);
}

static void copy_diag(struct td_diagnosis *dst, const struct td_diagnosis *src, bool *ok)
{
	*dst = *src;
	dst->summary = dup_str(src->summary, ok);
	dst->fix = dup_str(src->fix, ok);
	copy_strlist(&dst->evidence, &src->evidence, ok);
}

struct td_conn *td_conn_clone(const struct td_conn *src)
{
	struct td_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	bool ok = true;
	*c = *src;

	/* Every owned pointer is replaced before anything can fail, so that
	 * td_conn_free() on a half-made copy frees only the copy's memory. */
	c->ch.sni = NULL;
	c->ch.ja4_r = NULL;
	c->sh.alpn = NULL;
	c->ch.quic_tp = c->sh.quic_tp = NULL;
	c->events = NULL;
	c->n_events = c->alloc_events = 0;
	c->cleartext[0] = c->cleartext[1] = NULL;
	c->starttls.answer = c->starttls.after = NULL;
	c->diags = NULL;
	c->n_diags = 0;
	memset(&c->ch.versions, 0, sizeof c->ch.versions);
	memset(&c->ch.suites, 0, sizeof c->ch.suites);
	memset(&c->ch.extensions, 0, sizeof c->ch.extensions);
	memset(&c->ch.groups, 0, sizeof c->ch.groups);
	memset(&c->ch.key_share_groups, 0, sizeof c->ch.key_share_groups);
	memset(&c->ch.sig_algs, 0, sizeof c->ch.sig_algs);
	memset(&c->ch.compression, 0, sizeof c->ch.compression);
	memset(&c->ch.cert_compression, 0, sizeof c->ch.cert_compression);
	memset(&c->ch.alpn, 0, sizeof c->ch.alpn);
	memset(&c->sh.extensions, 0, sizeof c->sh.extensions);
	memset(&c->cr.cert_types, 0, sizeof c->cr.cert_types);
	memset(&c->cr.sig_algs, 0, sizeof c->cr.sig_algs);
	memset(&c->cr.ca_names, 0, sizeof c->cr.ca_names);
	memset(&c->server_chain, 0, sizeof c->server_chain);
	memset(&c->client_chain, 0, sizeof c->client_chain);
	memset(&c->anomalies, 0, sizeof c->anomalies);

	c->ch.sni = dup_str(src->ch.sni, &ok);
	c->ch.ja4_r = dup_str(src->ch.ja4_r, &ok);
	copy_u16list(&c->ch.versions, &src->ch.versions, &ok);
	copy_u16list(&c->ch.suites, &src->ch.suites, &ok);
	copy_u16list(&c->ch.extensions, &src->ch.extensions, &ok);
	copy_u16list(&c->ch.groups, &src->ch.groups, &ok);
	copy_u16list(&c->ch.key_share_groups, &src->ch.key_share_groups, &ok);
	copy_u16list(&c->ch.sig_algs, &src->ch.sig_algs, &ok);
	copy_u16list(&c->ch.compression, &src->ch.compression, &ok);
	copy_u16list(&c->ch.cert_compression, &src->ch.cert_compression, &ok);
	copy_strlist(&c->ch.alpn, &src->ch.alpn, &ok);
	c->sh.alpn = dup_str(src->sh.alpn, &ok);
	c->ch.quic_tp = dup_tps(src->ch.quic_tp, &ok);
	c->sh.quic_tp = dup_tps(src->sh.quic_tp, &ok);
	copy_u16list(&c->sh.extensions, &src->sh.extensions, &ok);
	copy_cert_request_lists(&c->cr, &src->cr, &ok);
	copy_chain(&c->server_chain, &src->server_chain);
	copy_chain(&c->client_chain, &src->client_chain);
	if (ok && td_anomalies_copy(&c->anomalies, &src->anomalies) != TD_OK)
		ok = false;
	c->cleartext[0] = dup_str(src->cleartext[0], &ok);
	c->cleartext[1] = dup_str(src->cleartext[1], &ok);
	c->starttls.answer = dup_str(src->starttls.answer, &ok);
	c->starttls.after = dup_str(src->starttls.after, &ok);

	if (src->n_events) {
		c->events = calloc(src->n_events, sizeof *c->events);
		if (!c->events)
			ok = false;
		for (size_t i = 0; c->events && i < src->n_events; i++) {
			c->events[i] = src->events[i];
			c->events[i].detail = dup_str(src->events[i].detail, &ok);
			c->events[i].app = NULL;
			if (src->events[i].app) {
				c->events[i].app = td_app_msg_copy(src->events[i].app);
				if (!c->events[i].app)
					ok = false;
			}
			c->n_events++;
		}
		c->alloc_events = c->n_events;
	}
	if (src->n_diags) {
		c->diags = calloc(src->n_diags, sizeof *c->diags);
		if (!c->diags)
			ok = false;
		for (size_t i = 0; c->diags && i < src->n_diags; i++) {
			copy_diag(&c->diags[i], &src->diags[i], &ok);
			c->n_diags++;
		}
	}
	if (!ok) {
		td_conn_free(c);
		return NULL;
	}
	return c;
}
