/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * publicca.c - which CAs of a connection are public (publicca.h), for
 * --redact.  The signatures are checked by the x509 layer (verify.h):
 * a name alone is not evidence, since a private CA may take any name.
 */
#include "config.h"

#include <string.h>

#include "caps.h"
#include "publicca.h"

/* Reset every fact to "not public". */
static void clear_chain(struct td_chain *ch)
{
	memset(ch->public_ca, 0, sizeof ch->public_ca);
	memset(ch->public_issuer, 0, sizeof ch->public_issuer);
}

static enum td_result judge_chain(const struct td_trust *sys, struct td_chain *ch)
{
	const struct td_cert *sent[TD_CAP_CHAIN] = { NULL };
	size_t at[TD_CAP_CHAIN];
	bool issued[TD_CAP_CHAIN], vouched[TD_CAP_CHAIN];
	size_t n = 0;
	clear_chain(ch);
	/* Certificates without DER (dropped by a cap) cannot be judged. */
	for (size_t i = 0; i < ch->n && n < TD_CAP_CHAIN; i++) {
		if (!ch->certs[i]->der || ch->certs[i]->der_len == 0)
			continue;
		sent[n] = ch->certs[i];
		at[n++] = i;
	}
	enum td_result r = td_trust_vouch(sys, sent, n, issued, vouched);
	if (r != TD_OK)
		return r;
	/* On the chain, not the certificate: the certificate is shared, and
	 * the judgement is this connection's (its store, --redact). */
	for (size_t k = 0; k < n; k++) {
		/* The leaf is an end entity whatever it is: always hidden. */
		ch->public_ca[at[k]] = vouched[k] && at[k] > 0 && sent[k]->is_ca;
		ch->public_issuer[at[k]] = issued[k];
	}
	return TD_OK;
}

/* dn is the subject of a public CA certificate of ch. */
static bool public_in_chain(const struct td_chain *ch, const char *dn)
{
	for (size_t i = 0; i < ch->n; i++)
		if (ch->public_ca[i] && ch->certs[i]->subject &&
		    strcmp(ch->certs[i]->subject, dn) == 0)
			return true;
	return false;
}

/* A name is public when an anchor or a public CA of c bears it: then it
 * names nothing private, even where no signature could be checked (the
 * issuer of a leaf sent without its intermediate). */
static bool public_name(const struct td_trust *sys, const struct td_conn *c, const char *dn)
{
	return dn && (td_trust_has_subject(sys, dn) || public_in_chain(&c->server_chain, dn) ||
		      public_in_chain(&c->client_chain, dn));
}

static void judge_issuers(const struct td_trust *sys, const struct td_conn *c, struct td_chain *ch)
{
	for (size_t i = 0; i < ch->n; i++)
		ch->public_issuer[i] = ch->public_issuer[i] ||
				       public_name(sys, c, ch->certs[i]->issuer);
}

enum td_result td_judge_public_cas(const struct td_trust *sys, struct td_conn *c)
{
	c->public_cas_judged = true;
	memset(c->cr.ca_public, 0, sizeof c->cr.ca_public);
	enum td_result r = judge_chain(sys, &c->server_chain);
	if (r == TD_OK)
		r = judge_chain(sys, &c->client_chain);
	if (r != TD_OK) {
		clear_chain(&c->server_chain);
		clear_chain(&c->client_chain);
		return r;
	}
	judge_issuers(sys, c, &c->server_chain);
	judge_issuers(sys, c, &c->client_chain);
	for (size_t i = 0; i < c->cr.ca_names.n && i < TD_CAP_CA_NAMES; i++)
		if (public_name(sys, c, c->cr.ca_names.v[i]))
			c->cr.ca_public[i / 8] |= (uint8_t)(1u << (i % 8));
	return TD_OK;
}
