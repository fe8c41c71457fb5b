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

void td_json_certs(struct td_jsonw *w, struct td_jkey key, const struct td_chain *ch)
{
	td_jsonw_jkey(w, key);
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < ch->n; i++)
		write_cert(w, ch->certs[i]);
	td_jsonw_array_end(w);
}

void td_json_chain_flags(struct td_jsonw *w, struct td_jkey key, const struct td_chain *ch)
{
	td_jsonw_jkey(w, key);
	td_jsonw_object_begin(w);
	td_jsonw_jk_bool(w, TD_JKEY("seen"), ch->present);
	td_jsonw_jk_bool(w, TD_JKEY("encrypted"), ch->encrypted);
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
	td_jsonw_object_end(w);
}
