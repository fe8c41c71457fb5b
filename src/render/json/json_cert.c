/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_cert.c - the certificates of a connection line (schema: json.c):
 * each chain's certificates, whether the chain was seen and encrypted,
 * and the server's CertificateRequest.
 *
 * Every certificate is written afresh.  TODO: once certificates are
 * shared, reference-counted objects (issue 14, point 1), a certificate's
 * JSON could be kept by that identity (the td_cert pointer, holding a
 * reference), never by comparing every field; only if a benchmark
 * shows the gain: writing no certificate at all took 7% off a JSON
 * run on the handshake benchmark, where they are a tenth of the bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "jsonconn.h"

/* Certificate validity, RFC 3339 to the second; null when unknown. */
static void kcert_time(struct td_jsonw *w, struct td_jkey key, const struct td_cert *cert,
		       int64_t secs)
{
	char buf[40];
	if (cert->parsed && td_out_cert_time(buf, sizeof buf, secs, false))
		td_jsonw_jk_word(w, key, buf);
	else
		td_jsonw_jk_null(w, key);
}

static void write_cert(struct td_jsonw *w, const struct td_cert *cert)
{
	td_jsonw_object_begin(w);
	td_jsonw_jk_string(w, TD_JKEY("subject"), cert->subject);
	td_jsonw_jk_string(w, TD_JKEY("issuer"), cert->issuer);
	td_jsonw_jk_string(w, TD_JKEY("serial"), cert->serial);
	kcert_time(w, TD_JKEY("not_before"), cert, cert->not_before);
	kcert_time(w, TD_JKEY("not_after"), cert, cert->not_after);
	kstrings(w, TD_JKEY("san"), &cert->san);
	char key[160];
	td_jsonw_jk_string(w, TD_JKEY("key"), td_out_cert_key(key, sizeof key, cert) ? key : NULL);
	td_jsonw_jk_string(w, TD_JKEY("sig_alg"), cert->sig_alg);
	td_jsonw_jk_bool(w, TD_JKEY("is_ca"), cert->is_ca);
	td_jsonw_jkey(w, TD_JKEY("path_len"));
	if (cert->path_len >= 0)
		td_jsonw_int(w, cert->path_len);
	else
		td_jsonw_null(w);
	kstrings(w, TD_JKEY("key_usage"), &cert->key_usage);
	kstrings(w, TD_JKEY("ext_key_usage"), &cert->ext_key_usage);
	td_jsonw_jk_bool(w, TD_JKEY("self_signed"), cert->self_signed);
	td_jsonw_jk_string(w, TD_JKEY("sha256"), cert->sha256);
	td_jsonw_jk_uint(w, TD_JKEY("der_len"), cert->der_len);
	if (!cert->parsed)
		td_jsonw_jk_string(w, TD_JKEY("error"), cert->error ? cert->error : "unparsable");
	td_jsonw_object_end(w);
}

#define CERT_SLOTS 64u  /* a capture's busy chains; a miss only writes afresh */

struct td_json_certjson {
	struct {
		struct td_cert *cert;  /* a reference; NULL: empty */
		char *json;
		size_t len;
	} slot[CERT_SLOTS];
};

struct td_json_certjson *td_json_certjson_new(void)
{
	return calloc(1, sizeof(struct td_json_certjson));
}

void td_json_certjson_free(struct td_json_certjson *cj)
{
	if (!cj)
		return;
	for (size_t i = 0; i < CERT_SLOTS; i++) {
		td_cert_unref(cj->slot[i].cert);
		free(cj->slot[i].json);
	}
	free(cj);
}

/* cert's object written by a writer of its own into memory; false when
 * that fails (out of memory): the caller writes it in place. */
static bool render(struct td_cert *cert, char **json, size_t *len)
{
	*json = NULL;
	*len = 0;
	FILE *f = open_memstream(json, len);
	if (!f)
		return false;
	struct td_jsonw *mw = malloc(sizeof *mw);  /* its buffer is large */
	enum td_result r = TD_ERR_NOMEM;
	if (mw) {
		td_jsonw_init(mw, f);
		write_cert(mw, cert);
		r = td_jsonw_finish(mw);
		free(mw);
	}
	if (fclose(f) != 0 || r != TD_OK || *len == 0) {
		free(*json);
		*json = NULL;
		return false;
	}
	return true;
}

static void cert_value(struct td_jsonw *w, struct td_json_certjson *cj, struct td_cert *cert)
{
	if (!cj) {
		write_cert(w, cert);
		return;
	}
	uintptr_t a = (uintptr_t)cert;
	size_t h = (size_t)((a >> 4) ^ (a >> 12)) % CERT_SLOTS;
	if (cj->slot[h].cert != cert) {
		char *json;
		size_t len;
		if (!render(cert, &json, &len)) {
			write_cert(w, cert);
			return;
		}
		td_cert_unref(cj->slot[h].cert);
		free(cj->slot[h].json);
		cj->slot[h].cert = td_cert_ref(cert);
		cj->slot[h].json = json;
		cj->slot[h].len = len;
	}
	td_jsonw_value_raw(w, cj->slot[h].json, cj->slot[h].len);
}

void td_json_certs(struct td_jsonw *w, struct td_json_certjson *cj, struct td_jkey key,
		   const struct td_chain *ch)
{
	td_jsonw_jkey(w, key);
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < ch->n; i++)
		cert_value(w, cj, ch->certs[i]);
	td_jsonw_array_end(w);
}

void td_json_chain_flags(struct td_jsonw *w, struct td_jkey key, const struct td_chain *ch)
{
	td_jsonw_jkey(w, key);
	td_jsonw_object_begin(w);
	td_jsonw_jk_bool(w, TD_JKEY("seen"), ch->present);
	td_jsonw_jk_bool(w, TD_JKEY("encrypted"), ch->encrypted);
	if (ch->later)
		td_jsonw_jk_bool(w, TD_JKEY("later"), true);
	/* Only when it came as a CompressedCertificate (RFC 8879). */
	if (ch->compression)
		kname(w, TD_JKEY("compression"), TD_REG_CERT_COMPRESSION, ch->compression);
	td_jsonw_object_end(w);
}

void td_json_cert_request(struct td_jsonw *w, const struct td_cert_request *cr)
{
	td_jsonw_jkey(w, TD_JKEY("certificate_request"));
	if (!cr->present) {
		td_jsonw_null(w);
		return;
	}
	td_jsonw_object_begin(w);
	td_jsonw_jk_bool(w, TD_JKEY("tls13"), cr->tls13);
	knames(w, TD_JKEY("certificate_types"), TD_REG_CERT_TYPE, &cr->cert_types);
	knames(w, TD_JKEY("signature_algorithms"), TD_REG_SIGALG, &cr->sig_algs);
	if (cr->later)
		td_jsonw_jk_bool(w, TD_JKEY("later"), true);
	td_jsonw_object_end(w);
}
