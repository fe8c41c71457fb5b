/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diagnose.c - runs the rules over a finished connection (see
 * diagnose.h): works out the facts every rule needs once (struct dx),
 * validates the chains against the trust stores, runs the table of
 * rules.c, orders what they found (errors first, in the table's order
 * of precedence, then warnings, then information) and stores it on the
 * connection.  It also remembers per server what each connection
 * showed, for the connections after it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "diagnose.h"
#include "publicca.h"
#include "rules.h"
#include "tls_names.h"
#include "verify.h"

/* Servers remembered at once; older ones are forgotten first. */
#define MEMORY_SERVERS 1024

struct server_slot {
	bool used;
	struct td_addr addr;
	uint16_t port;
	struct server_memory mem;
};

/* Chain verdicts remembered (see check_chain). */
#define VERDICTS_KEPT 64
/* A verdict is reused only this close in time to the one it was made at. */
#define VERDICT_SPAN_S 3600

/* One chain's verdict: the chain as sent (references to its
 * certificates: one DER is one object, so the same chain is the same
 * pointers, and the references keep an address from being reused by
 * another certificate), the store it was checked against, and the times
 * it holds for. */
struct verdict_slot {
	bool used;
	bool server;
	size_t n;
	struct td_cert *certs[TD_CAP_CHAIN];
	int64_t lo, hi;              /* reusable for lo <= at < hi */
	uint64_t last;
	struct td_chain_check check;
};

struct td_diagnoser {
	struct td_trust *server_store;  /* the client's view of servers */
	struct td_trust *client_store;  /* the server's view of clients */
	int64_t at;
	bool explicit_store;            /* the server store was named by the user */
	struct td_trust *system_store;  /* judge_public_cas: the system bundle alone */
	bool system_store_owned;        /* ...loaded for it, not the server store */
	bool judge_public_cas;
	bool keylog_given;              /* -k: see td_diag_opts */
	char note[256];
	struct server_slot *servers;    /* MEMORY_SERVERS slots, round robin */
	size_t next_slot;
	struct verdict_slot verdicts[VERDICTS_KEPT];
	uint64_t verdict_clock;
	struct finding *found;          /* scratch: one finding per rule */
};

/*
 * The store that says which CAs are public (publicca.h): the server
 * store when it is the system bundle alone, else the bundle loaded on
 * its own.  Never the user's stores: what --ca-file names is a private
 * PKI.  A bundle that is missing or unreadable leaves an empty store
 * (every CA private: the safe side), not an error.
 */
static enum td_result system_store(struct td_diagnoser *d, const struct td_diag_opts *opts,
				   char *err, size_t errlen)
{
	d->judge_public_cas = true;
	if (d->server_store && !opts->ca_file && !opts->ca_path && !opts->no_system_store) {
		d->system_store = d->server_store;
	} else {
		enum td_result r = td_trust_new(&d->system_store, NULL, NULL, true, err, errlen);
		if (r == TD_ERR_NOMEM)
			return r;
		if (err && errlen)
			err[0] = '\0';
		d->system_store_owned = true;
	}
	return td_trust_index_subjects(d->system_store);
}

enum td_result td_diagnoser_new(struct td_diagnoser **out, const struct td_diag_opts *opts,
				char *err, size_t errlen)
{
	enum td_result r = TD_ERR_NOMEM;
	struct td_diagnoser *d = calloc(1, sizeof *d);
	*out = NULL;
	if (!d)
		goto out;
	d->servers = calloc(MEMORY_SERVERS, sizeof *d->servers);
	if (!d->servers)
		goto out;
	d->at = opts->at;
	bool named = opts->ca_file || opts->ca_path;
	d->explicit_store = named;
	d->keylog_given = opts->keylog_given;
	if (named || !opts->no_system_store) {
		r = td_trust_new(&d->server_store, opts->ca_file, opts->ca_path,
				 !named && !opts->no_system_store, err, errlen);
		if (r != TD_OK && named)
			goto out;
		if (r != TD_OK || td_trust_anchor_count(d->server_store) == 0) {
			/* No system bundle: not an error, a note. */
			td_trust_free(d->server_store);
			d->server_store = NULL;
			snprintf(d->note, sizeof d->note, "server chains not validated against a trust "
				 "store: no system bundle (%s); give --ca-file", TD_TRUST_SYSTEM_BUNDLE);
		}
	}
	if (opts->client_ca_file) {
		r = td_trust_new(&d->client_store, opts->client_ca_file, NULL, false, err, errlen);
		if (r != TD_OK)
			goto out;
	}
	if (opts->judge_public_cas) {
		r = system_store(d, opts, err, errlen);
		if (r != TD_OK)
			goto out;
	}
	r = TD_OK;
out:
	if (r != TD_OK) {
		td_diagnoser_free(d);
		return r;
	}
	*out = d;
	return TD_OK;
}

/* Free what a server's memory owns and empty it. */
static void forget(struct server_memory *m)
{
	free(m->intermediate_subject);
	td_cert_unref(m->leaf);
	td_cert_unref(m->client_kept);
	free(m->leaf_sni);
	memset(m, 0, sizeof *m);
	m->chain = TD_CHAIN_NOT_CHECKED;
}

void td_diagnoser_set_keylog_given(struct td_diagnoser *d, bool given)
{
	d->keylog_given = given;
}

void td_diagnoser_free(struct td_diagnoser *d)
{
	if (!d)
		return;
	if (d->system_store_owned)
		td_trust_free(d->system_store);
	td_trust_free(d->server_store);
	td_trust_free(d->client_store);
	if (d->servers)
		for (size_t i = 0; i < MEMORY_SERVERS; i++)
			forget(&d->servers[i].mem);
	free(d->servers);
	free(d->found);
	for (size_t i = 0; i < VERDICTS_KEPT; i++)
		for (size_t k = 0; k < d->verdicts[i].n; k++)
			td_cert_unref(d->verdicts[i].certs[k]);
	free(d);
}

const char *td_diagnoser_note(const struct td_diagnoser *d)
{
	return d->note[0] ? d->note : NULL;
}

static struct server_slot *find_server(struct td_diagnoser *d, const struct td_conn *c)
{
	for (size_t i = 0; i < MEMORY_SERVERS; i++) {
		struct server_slot *s = &d->servers[i];
		if (s->used && s->port == c->server_port &&
		    memcmp(&s->addr, &c->server_addr, sizeof s->addr) == 0)
			return s;
	}
	return NULL;
}

/* Remember the leaf c's server sent in sight, for the TLS 1.3
 * connections without keys that follow (rules_reject.c): which leaf, for
 * which SNI, and what the trust store said of its chain (check, NULL
 * when not validated).  Out of memory: the SNI is forgotten, and so the
 * leaf is kept only when the server never sent another. */
static void learn_leaf(struct server_memory *m, const struct td_conn *c,
		       const struct td_chain_check *check)
{
	if (c->server_chain.n == 0 || !c->server_chain.certs[0]->parsed)
		return;
	struct td_cert *leaf = c->server_chain.certs[0];
	if (m->leaf && m->leaf != leaf)
		m->leaves_differ = true;
	td_cert_unref(m->leaf);
	m->leaf = td_cert_ref(leaf);
	free(m->leaf_sni);
	m->leaf_sni = c->ch.sni ? strdup(c->ch.sni) : NULL;
	if (c->ch.sni && !m->leaf_sni)
		m->leaves_differ = true;
	m->chain = check ? check->verdict : TD_CHAIN_NOT_CHECKED;
	snprintf(m->chain_reason, sizeof m->chain_reason, "%s", check ? check->reason : "");
}

/* Remember the client leaf of a connection that went on after the
 * handshake: more than one record from either side beyond the handshake
 * (a request and its answer are one each), and no error found. */
static void learn_client(struct server_memory *m, const struct td_conn *c, bool error)
{
	if (error || !c->handshake_done || c->client_chain.n == 0 ||
	    !c->client_chain.certs[0]->parsed)
		return;
	if (c->side[TD_DIR_C2S].encrypted_records < 2 && c->side[TD_DIR_S2C].encrypted_records < 2)
		return;
	td_cert_unref(m->client_kept);
	m->client_kept = td_cert_ref(c->client_chain.certs[0]);
}

/* Remember what c shows about its server. */
static void learn(struct td_diagnoser *d, const struct td_conn *c,
		  const struct td_chain_check *server_check, bool error)
{
	if (!c->sh.present)
		return;
	struct server_slot *s = find_server(d, c);
	if (!s) {
		s = &d->servers[d->next_slot++ % MEMORY_SERVERS];
		forget(&s->mem);
		s->used = true;
		s->addr = c->server_addr;
		s->port = c->server_port;
	}
	if (c->fate.outcome == TD_OUTCOME_ESTABLISHED) {
		s->mem.version = c->version;
		s->mem.cipher = c->cipher;
	}
	if (c->server_chain.n > 1 && c->server_chain.certs[1]->parsed &&
	    c->server_chain.certs[1]->subject && !s->mem.intermediate_subject)
		s->mem.intermediate_subject = strdup(c->server_chain.certs[1]->subject);
	learn_leaf(&s->mem, c, server_check);
	learn_client(&s->mem, c, error);
}

/* Validate a visible chain against a store. */
/* The times around `at` for which every sent certificate keeps the
 * validity status it has at `at` (not yet valid, valid, expired): the
 * verdict of a path built from them cannot change in [*lo, *hi) but for
 * the trust store's own certificates, hence also VERDICT_SPAN_S. */
static void stable_span(const struct td_chain *ch, int64_t at, int64_t *lo, int64_t *hi)
{
	*lo = at - VERDICT_SPAN_S;
	*hi = at + VERDICT_SPAN_S;
	for (size_t i = 0; i < ch->n; i++) {
		const int64_t edge[2] = { ch->certs[i]->not_before, ch->certs[i]->not_after + 1 };
		for (int k = 0; k < 2; k++) {
			if (edge[k] <= at && edge[k] > *lo)
				*lo = edge[k];
			if (edge[k] > at && edge[k] < *hi)
				*hi = edge[k];
		}
	}
}

static struct verdict_slot *find_verdict(struct td_diagnoser *d, const struct td_chain *ch,
					 bool server, int64_t at)
{
	for (size_t i = 0; i < VERDICTS_KEPT; i++) {
		struct verdict_slot *v = &d->verdicts[i];
		if (!v->used || v->server != server || v->n != ch->n || at < v->lo || at >= v->hi)
			continue;
		size_t k = 0;
		while (k < ch->n && v->certs[k] == ch->certs[k])
			k++;
		if (k == ch->n) {
			v->last = ++d->verdict_clock;
			return v;
		}
	}
	return NULL;
}

static void keep_verdict(struct td_diagnoser *d, const struct td_chain *ch, bool server,
			 int64_t at, const struct td_chain_check *check)
{
	if (ch->n > TD_CAP_CHAIN)
		return;
	struct verdict_slot *v = &d->verdicts[0];
	for (size_t i = 1; i < VERDICTS_KEPT && v->used; i++)
		if (!d->verdicts[i].used || d->verdicts[i].last < v->last)
			v = &d->verdicts[i];
	for (size_t k = 0; k < v->n; k++)
		td_cert_unref(v->certs[k]);
	v->used = true;
	v->server = server;
	v->n = ch->n;
	for (size_t k = 0; k < ch->n; k++)
		v->certs[k] = td_cert_ref(ch->certs[k]);
	stable_span(ch, at, &v->lo, &v->hi);
	v->last = ++d->verdict_clock;
	v->check = *check;
}

static void verify_chain(const struct td_trust *store, const struct td_chain *ch, int64_t at,
			 bool server, struct td_chain_check *out);

/* Validate a chain, or reuse the verdict of the same chain seen before
 * (servers send the same chain to every client; path building and
 * signature checks were most of the work on busy captures). */
static void check_chain(struct td_diagnoser *d, const struct td_trust *store,
			const struct td_chain *ch, int64_t at, bool server,
			struct td_chain_check *out)
{
	const struct verdict_slot *v = store ? find_verdict(d, ch, server, at) : NULL;
	if (v) {
		*out = v->check;
		return;
	}
	verify_chain(store, ch, at, server, out);
	if (store && ch->n > 0)
		keep_verdict(d, ch, server, at, out);
}

static void verify_chain(const struct td_trust *store, const struct td_chain *ch, int64_t at,
			 bool server, struct td_chain_check *out)
{
	memset(out, 0, sizeof *out);
	out->verdict = TD_CHAIN_NOT_CHECKED;
	if (!store || ch->n == 0)
		return;
	const struct td_cert *sent[TD_CAP_CHAIN] = { NULL };
	size_t n = 0;
	for (size_t i = 0; i < ch->n && n < TD_CAP_CHAIN; i++)
		if (ch->certs[i]->der)
			sent[n++] = ch->certs[i];
	if (n == 0 || td_trust_verify(store, sent, n, at, server, out) != TD_OK)
		out->verdict = TD_CHAIN_NOT_CHECKED;
}

/* The facts every rule reads; how the connection ended is its fate
 * (td_fate_judge(), judged before the rules run). */
static void facts(struct dx *x, const struct td_conn *c)
{
	memset(x, 0, sizeof *x);
	x->c = c;
	x->tls13 = c->sh.present && td_tls_version_is_13(c->version);
	x->failed = c->fate.outcome == TD_OUTCOME_FAILED;
	x->hidden = x->tls13 && !c->server_chain.present;
	const struct td_fate *fa = &c->fate;
	if (fa->fatal != SIZE_MAX) {
		x->fatal = &c->events[fa->fatal];
		x->fatal_idx = fa->fatal;
		x->fatal_from = dx_party(x->fatal->dir);
	}
	if (fa->alert != SIZE_MAX) {
		x->enc_alert = &c->events[fa->alert];
		x->enc_alert_idx = fa->alert;
	}
	if (fa->first_close != SIZE_MAX) {
		x->close = &c->events[fa->first_close];
		x->close_idx = fa->first_close;
		x->closer = fa->first_closer;
	}
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->kind == TD_EV_HANDSHAKE && e->dir == TD_DIR_C2S &&
		    td_tls_is_certificate_msg(e->hs_type))
			x->client_sent_cert = true;
	}
	if (c->server_chain.n > 0)
		x->server_leaf = c->server_chain.certs[0];
	if (c->client_chain.n > 0)
		x->client_leaf = c->client_chain.certs[0];
}

/* Causality (conn.h): an alert sent after the peer's FIN or RST is a
 * reaction, never the cause; the root cause (the first error found)
 * says so, so the reader does not take it for the reason. */
static void reaction_evidence(const struct dx *x, struct finding *found, size_t n)
{
	const struct td_conn *c = x->c;
	size_t r = c->fate.reaction;
	if (r >= c->n_events || c->fate.first_close >= c->n_events)
		return;
	const struct td_event *e = &c->events[r];
	const struct td_event *cl = &c->events[c->fate.first_close];
	for (size_t i = 0; i < n; i++) {
		if (found[i].severity != TD_SEV_ERROR)
			continue;
		if (!e->encrypted || e->decrypted)
			finding_evidence(&found[i], "the %s's fatal %s alert came after the %s's %s: a "
					 "reaction to it, not the cause", td_dir_from(e->dir),
					 dx_name(TD_REG_ALERT, e->alert_desc), td_dir_from(cl->dir),
					 cl->kind == TD_EV_TCP_RST ? "RST" : "FIN");
		else
			finding_evidence(&found[i], "the %s's encrypted alert came after the %s's %s: "
					 "a reaction to it, not the cause", td_dir_from(e->dir),
					 td_dir_from(cl->dir), cl->kind == TD_EV_TCP_RST ? "RST" : "FIN");
		finding_event(&found[i], r);
		return;
	}
}

static int finding_rank(const struct finding *f)
{
	return f->severity == TD_SEV_ERROR ? 0 : f->severity == TD_SEV_WARNING ? 1 : 2;
}

static enum td_result store(struct td_conn *c, const struct finding *f)
{
	struct td_diagnosis d = { 0 };
	d.code = f->code;
	d.severity = f->severity;
	d.stage = f->stage;
	d.gave_up = f->gave_up;
	d.confidence = f->confidence;
	d.summary = strdup(f->summary);
	d.fix = f->fix[0] ? strdup(f->fix) : NULL;
	enum td_result r = (!d.summary || (f->fix[0] && !d.fix)) ? TD_ERR_NOMEM : TD_OK;
	for (size_t i = 0; i < f->n_evidence && r == TD_OK; i++)
		r = td_strlist_add(&d.evidence, f->evidence[i]);
	memcpy(d.events, f->events, sizeof d.events);
	d.n_events = f->n_events;
	if (r == TD_OK)
		r = td_conn_add_diagnosis(c, &d);
	if (r != TD_OK)
		td_diagnosis_cleanup(&d);
	return r;
}

/* A code is reported once: by the first rule in the table that finds it
 * (rules_app.c's refusals come before the handshake rules of the same
 * codes). */
static bool code_found(const struct finding *found, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(found[i].code, code) == 0)
			return true;
	return false;
}

enum td_result td_diagnose(struct td_diagnoser *d, struct td_conn *c)
{
	struct dx x;
	td_fate_judge(c, true);
	facts(&x, c);
	x.at = d->at ? d->at : (int64_t)(c->start_us / 1000000u);
	x.mem = NULL;
	struct server_slot *slot = find_server(d, c);
	if (slot)
		x.mem = &slot->mem;
	struct td_chain_check sc, cc;
	check_chain(d, d->server_store, &c->server_chain, x.at, true, &sc);
	check_chain(d, d->client_store, &c->client_chain, x.at, false, &cc);
	x.server_check = sc.verdict == TD_CHAIN_NOT_CHECKED ? NULL : &sc;
	x.explicit_store = d->explicit_store;
	x.keylog_given = d->keylog_given;
	x.client_check = cc.verdict == TD_CHAIN_NOT_CHECKED ? NULL : &cc;

	/* A rule's findings in table order, then stable-sorted by severity.
	 * The scratch table is the diagnoser's (a finding is 5 KiB of text:
	 * clearing all of them for every connection was a measurable part
	 * of a busy capture's time); a rule fills only what it writes. */
	if (!d->found) {
		d->found = malloc(td_rules_count * sizeof *d->found);
		if (!d->found)
			return TD_ERR_NOMEM;  /* the fate stands, judged without diagnoses */
	}
	struct finding *found = d->found;
	size_t n = 0;
	bool error = false;
	for (size_t i = 0; i < td_rules_count; i++) {
		if (td_rules[i].fallback && error)
			continue;
		finding_clear(&found[n]);
		found[n].code = td_rules[i].code;
		if (td_rules[i].fn(&x, &found[n]) && !code_found(found, n, found[n].code)) {
			error = error || found[n].severity == TD_SEV_ERROR;
			n++;
		}
	}
	reaction_evidence(&x, found, n);
	enum td_result r = TD_OK;
	for (int rank = 0; rank < 3 && r == TD_OK; rank++)
		for (size_t i = 0; i < n && r == TD_OK; i++)
			if (finding_rank(&found[i]) == rank)
				r = store(c, &found[i]);
	/* With its diagnoses: the root, and a stopped handshake's verdict. */
	td_fate_with_diagnoses(c);
	/* A fact for --redact alone: no rule reads it. */
	if (r == TD_OK && d->judge_public_cas)
		r = td_judge_public_cas(d->system_store, c);
	learn(d, c, x.server_check, error);
	return r;
}
