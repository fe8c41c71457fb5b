/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cert.c - a certificate's lifetime (conn.h): made once per distinct DER
 * by x509, shared by reference among connections, their clones and the
 * certificate cache, freed with its last reference.
 *
 * The count is atomic: with --workers a connection's clone, which shares
 * its certificates, is written and freed by the output thread while the
 * worker that made it goes on using them (src/workers.c).  Everything
 * else about a shared certificate is immutable (conn.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"

struct td_cert *td_cert_new(void)
{
	struct td_cert *cert = calloc(1, sizeof *cert);
	if (cert)
		cert->refs = 1;
	return cert;
}

struct td_cert *td_cert_ref(struct td_cert *cert)
{
	if (cert)
		__atomic_add_fetch(&cert->refs, 1, __ATOMIC_RELAXED);
	return cert;
}

static void cert_free(struct td_cert *cert)
{
	free(cert->der);
	free(cert->error);
	free(cert->subject);
	free(cert->issuer);
	free(cert->serial);
	td_strlist_cleanup(&cert->san);
	/* x509 keeps its validation view in one allocation (vcert.h). */
	free(cert->vcert);
	if (cert->base) {
		/* Borrowed from base (td_cert_derive): base frees them. */
		td_cert_unref(cert->base);
	} else {
		free(cert->key_type);
		free(cert->key_curve);
		free(cert->sig_alg);
		td_strlist_cleanup(&cert->key_usage);
		td_strlist_cleanup(&cert->ext_key_usage);
	}
	free(cert);
}

void td_cert_unref(struct td_cert *cert)
{
	/* Release, and acquire for the last one: the freeing thread sees
	 * every write made before the other references went. */
	if (cert && __atomic_sub_fetch(&cert->refs, 1, __ATOMIC_ACQ_REL) == 0)
		cert_free(cert);
}

void td_chain_take(struct td_chain *chain, struct td_cert *cert)
{
	if (!cert)
		return;
	if (chain->n >= TD_CAP_CHAIN) {
		chain->dropped++;
		td_cert_unref(cert);
		return;
	}
	chain->certs[chain->n++] = cert;
}
