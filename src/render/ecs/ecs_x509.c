/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecs_x509.c - certificates in ECS form: the x509 field set, the chain
 * as base64 DER, the leaf's SHA-256 (ecsconn.h).
 *
 * ECS splits a distinguished name into its attributes (subject.common_name,
 * subject.organization, ...).  The model keeps the name as the RFC 4514
 * string src/x509/x509name.c wrote from wolfSSL's parse; it is split
 * back here by that writer's own rules, not parsed from the wire:
 *
 *   TYPE=VALUE,TYPE=VALUE,...      the last RDN first, one attribute each
 *
 * where VALUE escapes ',', '+', '"', '<', '>', ';' (and a leading '#'
 * or ' ', a trailing ' ') with a backslash, and holds the project's
 * escapes for hostile bytes, "\\" and "\xHH" (text.h).  The RFC 4514
 * backslashes are removed (ECS wants the value); the project's escapes
 * stay, as in every other output.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ecsconn.h"
#include "render.h"

/* The length of the escape at s[0] == '\\' (s NUL-terminated). */
static size_t escape_len(const char *s)
{
	if (s[1] == 'x' && isxdigit((unsigned char)s[2]) && isxdigit((unsigned char)s[3]))
		return 4;  /* the project's \xHH */
	return s[1] ? 2 : 1;
}

/* ECS's name attributes and their RFC 4514 / X.520 short names. */
static const struct {
	const char *type;
	struct td_jkey key;
} dn_fields[] = {
	{ "CN", TD_JKEY("common_name") },
	{ "C", TD_JKEY("country") },
	{ "L", TD_JKEY("locality") },
	{ "O", TD_JKEY("organization") },
	{ "OU", TD_JKEY("organizational_unit") },
	{ "ST", TD_JKEY("state_or_province") },
};

/*
 * The next attribute of dn from *pos: its type at [type, type + tlen)
 * and its value, RFC 4514 escapes removed, into val (at least
 * strlen(dn) + 1 bytes: a value only shrinks).  False at the end.
 */
static bool next_attr(const char *dn, size_t *pos, const char **type, size_t *tlen, char *val,
		      size_t *vlen)
{
	size_t i = *pos;
	if (!dn[i])
		return false;
	*type = dn + i;
	while (dn[i] && dn[i] != '=' && dn[i] != ',')
		i++;
	*tlen = (size_t)(dn + i - *type);
	size_t o = 0;
	if (dn[i] == '=') {
		i++;
		while (dn[i] && dn[i] != ',') {
			if (dn[i] != '\\') {
				val[o++] = dn[i++];
				continue;
			}
			size_t k = escape_len(dn + i);
			if (k == 2 && dn[i + 1] != '\\') {
				val[o++] = dn[i + 1];  /* an RFC 4514 special: the character */
			} else {
				memcpy(val + o, dn + i, k);  /* "\\", "\xHH": kept as they are */
				o += k;
			}
			i += k;
		}
	}
	val[o] = '\0';
	*vlen = o;
	if (dn[i] == ',')
		i++;
	*pos = i;
	return true;
}

/* key: {"distinguished_name": dn, and each attribute ECS names as an
 * array of its values in the order written}. */
static void write_name(struct td_jsonw *w, struct td_jkey key, const char *dn)
{
	if (!dn || !dn[0])
		return;
	td_jsonw_jkey(w, key);
	td_jsonw_object_begin(w);
	td_jsonw_jk_string(w, TD_JKEY("distinguished_name"), dn);
	char *val = malloc(strlen(dn) + 1);
	for (size_t f = 0; val && f < sizeof dn_fields / sizeof dn_fields[0]; f++) {
		size_t pos = 0, tlen, vlen;
		const char *type;
		bool open = false;
		while (next_attr(dn, &pos, &type, &tlen, val, &vlen)) {
			if (tlen != strlen(dn_fields[f].type) ||
			    strncmp(type, dn_fields[f].type, tlen) != 0)
				continue;
			if (!open) {
				td_jsonw_jkey(w, dn_fields[f].key);
				td_jsonw_array_begin(w);
				open = true;
			}
			td_jsonw_string_n(w, val, vlen);
		}
		if (open)
			td_jsonw_array_end(w);
	}
	free(val);
	td_jsonw_object_end(w);
}

/* A SAN as ECS shows it: the name alone ("DNS:x" -> "x"). */
static const char *san_value(const char *san)
{
	static const char *const prefixes[] = { "DNS:", "IP:", "email:", "URI:" };
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(san, prefixes[i], n) == 0)
			return san + n;
	}
	return san;
}

/* key: hex without colons, uppercase ("01:0a" -> "010A"), as ECS asks
 * for serial numbers and digests. */
static void write_upper_hex(struct td_jsonw *w, struct td_jkey key, const char *hex)
{
	char buf[256];
	size_t o = 0;
	for (size_t i = 0; hex[i] && o + 1 < sizeof buf; i++)
		if (hex[i] != ':')
			buf[o++] = (char)toupper((unsigned char)hex[i]);
	buf[o] = '\0';
	td_jsonw_jk_string(w, key, buf);
}

static void write_time(struct td_jsonw *w, struct td_jkey key, int64_t secs)
{
	char buf[40];
	if (td_out_cert_time(buf, sizeof buf, secs, false))
		td_jsonw_jk_string(w, key, buf);
}

void td_ecs_x509(struct td_jsonw *w, const struct td_cert *cert)
{
	if (!cert || !cert->parsed)
		return;
	td_jsonw_jkey(w, TD_JKEY("x509"));
	td_jsonw_object_begin(w);
	if (cert->san.n) {
		td_jsonw_jkey(w, TD_JKEY("alternative_names"));
		td_jsonw_array_begin(w);
		for (size_t i = 0; i < cert->san.n; i++)
			td_jsonw_string(w, san_value(cert->san.v[i]));
		td_jsonw_array_end(w);
	}
	write_name(w, TD_JKEY("subject"), cert->subject);
	write_name(w, TD_JKEY("issuer"), cert->issuer);
	write_time(w, TD_JKEY("not_before"), cert->not_before);
	write_time(w, TD_JKEY("not_after"), cert->not_after);
	if (cert->key_type)
		td_jsonw_jk_string(w, TD_JKEY("public_key_algorithm"), cert->key_type);
	if (cert->key_curve)
		td_jsonw_jk_string(w, TD_JKEY("public_key_curve"), cert->key_curve);
	if (cert->key_bits)
		td_jsonw_jk_uint(w, TD_JKEY("public_key_size"), cert->key_bits);
	if (cert->serial && cert->serial[0])
		write_upper_hex(w, TD_JKEY("serial_number"), cert->serial);
	if (cert->sig_alg)
		td_jsonw_jk_string(w, TD_JKEY("signature_algorithm"), cert->sig_alg);
	td_jsonw_object_end(w);
}

/* One DER as a base64 string, written a slice at a time: base64 needs
 * no JSON escaping, and a certificate may be tens of kilobytes. */
static void write_base64(struct td_jsonw *w, const uint8_t *der, size_t len)
{
	enum { SLICE = 3 * 256 };  /* a multiple of 3: no padding inside */
	char buf[TD_BASE64_SIZE(SLICE)];
	td_jsonw_before_value(w);
	td_jsonw_outc(w, '"');
	for (size_t i = 0; i < len; i += SLICE) {
		size_t n = len - i < SLICE ? len - i : SLICE;
		size_t k = td_out_base64(buf, sizeof buf, der + i, n);
		td_jsonw_out(w, buf, k);
	}
	td_jsonw_outc(w, '"');
}

void td_ecs_chain(struct td_jsonw *w, const struct td_chain *ch)
{
	if (ch->n == 0)
		return;
	for (size_t i = 0; i < ch->n; i++)
		if (!ch->certs[i]->der || ch->certs[i]->der_len == 0)
			return;  /* a partial chain would mislead: none */
	td_jsonw_jkey(w, TD_JKEY("certificate_chain"));
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < ch->n; i++)
		write_base64(w, ch->certs[i]->der, ch->certs[i]->der_len);
	td_jsonw_array_end(w);
}

void td_ecs_hash(struct td_jsonw *w, const struct td_cert *cert)
{
	if (!cert || !cert->sha256[0])
		return;
	td_jsonw_jkey(w, TD_JKEY("hash"));
	td_jsonw_object_begin(w);
	write_upper_hex(w, TD_JKEY("sha256"), cert->sha256);
	td_jsonw_object_end(w);
}
