/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x509name.c - distinguished names through wolfSSL (x509name.h, and
 * td_x509_name_string of x509.h): RFC 4514 strings from wolfSSL's
 * X509_NAME, as every name in tlsdiag reads.
 *
 *   Name ::= SEQUENCE OF RelativeDistinguishedName
 *   RelativeDistinguishedName ::= SET OF SEQUENCE { type OID, value DirectoryString }
 *
 * What wolfSSL 5.5.4 cannot tell (multi-valued RDNs, unknown attribute
 * types, the DirectoryString kinds) is listed in x509.c.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/openssl/x509v3.h>

#include "caps.h"
#include "dynbuf.h"
#include "reader.h"
#include "text.h"
#include "vcert.h"  /* for its poison: no certificate is decoded here */
#include "x509.h"
#include "x509name.h"

/* Attribute types by wolfSSL NID, as `openssl -nameopt RFC2253` prints
 * them (wolfSSL says "givenName" and "dnQualifer"). */
static const struct {
	int nid;
	const char *name;
} attr_names[] = {
	{ NID_commonName, "CN" },
	{ NID_surname, "SN" },
	{ NID_serialNumber, "serialNumber" },
	{ NID_countryName, "C" },
	{ NID_localityName, "L" },
	{ NID_stateOrProvinceName, "ST" },
	{ NID_streetAddress, "street" },
	{ NID_organizationName, "O" },
	{ NID_organizationalUnitName, "OU" },
	{ NID_title, "title" },
	{ NID_description, "description" },
	{ NID_businessCategory, "businessCategory" },
	{ NID_postalCode, "postalCode" },
	{ NID_name, "name" },
	{ NID_givenName, "GN" },
	{ NID_initials, "initials" },
	{ NID_dnQualifier, "dnQualifier" },
	{ NID_emailAddress, "emailAddress" },
	{ NID_domainComponent, "DC" },
	{ NID_userId, "UID" },
	{ NID_jurisdictionCountryName, "jurisdictionC" },
	{ NID_jurisdictionStateOrProvinceName, "jurisdictionST" },
};

/* The short name of an attribute type, NULL when not in the table. */
static const char *attr_name(int nid)
{
	for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
		if (attr_names[i].nid == nid)
			return attr_names[i].name;
	return NULL;
}

struct td_reader td_x509_asn1_bytes(WOLFSSL_ASN1_STRING *s)
{
	const unsigned char *p = s ? wolfSSL_ASN1_STRING_get0_data(s) : NULL;
	int n = s ? wolfSSL_ASN1_STRING_length(s) : 0;
	return td_rd_make(p, n > 0 ? (size_t)n : 0);
}

/* ---- RFC 4514 distinguished names ---- */

/* RFC 4514 2.4: the characters escaped wherever they are (the backslash
 * too, but it arrives escaped from td_text_sanitize()). */
static bool rfc4514_special(char c)
{
	return c == ',' || c == '+' || c == '"' || c == '<' || c == '>' || c == ';';
}

/*
 * One attribute value, escaped, as a new string.  The bytes go through
 * td_text_sanitize() first, so a control byte or invalid UTF-8 becomes
 * \xHH (not RFC 4514's \HH: the project's one escape for hostile bytes)
 * and a backslash becomes "\\", which is also RFC 4514's escape for it.
 * Those escapes are copied as they are; the other specials get their
 * backslash here.
 */
static char *escape_value(const uint8_t *p, size_t n)
{
	char *s = td_text_sanitize(p, n);
	if (!s)
		return NULL;
	size_t len = strlen(s);
	char *out = malloc(2 * len + 1);  /* at most one backslash per char */
	if (!out) {
		free(s);
		return NULL;
	}
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t k = 1;
		if (s[i] == '\\') {
			/* "\\" or "\xHH" from td_text_sanitize */
			k = s[i + 1] == 'x' ? 4 : 2;
			if (k > len - i)
				k = len - i;
		} else if (rfc4514_special(s[i]) ||
			   (i == 0 && (s[i] == '#' || s[i] == ' ')) ||
			   (i + 1 == len && s[i] == ' ')) {
			out[o++] = '\\';
		}
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
	free(s);
	return out;
}

/* "type=value" for one name entry, as a new string. */
static char *attribute_string(WOLFSSL_X509_NAME_ENTRY *e)
{
	WOLFSSL_ASN1_OBJECT *obj = wolfSSL_X509_NAME_ENTRY_get_object(e);
	int nid = obj ? wolfSSL_OBJ_obj2nid(obj) : NID_undef;
	const char *type = attr_name(nid);
	char oid[128] = "";
	if (!type && nid > 0)
		type = wolfSSL_OBJ_nid2sn(nid);
	if (!type) {
		if (obj && wolfSSL_OBJ_obj2txt(oid, (int)sizeof oid, obj, 1) > 0)
			type = oid;
		else
			type = "UNKNOWN";
		oid[sizeof oid - 1] = '\0';
	}
	struct td_reader v = td_x509_asn1_bytes(wolfSSL_X509_NAME_ENTRY_get_data(e));
	char *t = td_text_sanitize((const uint8_t *)type, strlen(type));
	char *val = escape_value(v.p, v.left);
	char *s = NULL;
	if (t && val) {
		size_t len = strlen(t) + strlen(val) + 2;
		s = malloc(len);
		if (s)
			snprintf(s, len, "%s=%s", t, val);
	}
	free(t);
	free(val);
	return s;
}

/*
 * A wolfSSL name as a new RFC 4514 string in *out: the last RDN first
 * (RFC 4514 2.1), ',' between.  The length is bounded by wolfSSL, which
 * keeps at most WC_MAX_NAME_ENTRIES attributes, each value cut by
 * td_text_sanitize() at TD_CAP_STRING bytes; TD_CAP_HS_MESSAGE on the
 * buffer is only a backstop (past it the name ends in "...").
 */
enum td_result td_x509_dn_string(WOLFSSL_X509_NAME *name, char **out)
{
	enum td_result r = TD_OK;
	struct td_dynbuf b;
	td_dynbuf_init(&b, TD_CAP_HS_MESSAGE + 4);
	*out = NULL;

	int n = name ? wolfSSL_X509_NAME_entry_count(name) : 0;
	bool first = true;
	for (int i = n - 1; i >= 0; i--) {
		WOLFSSL_X509_NAME_ENTRY *e = wolfSSL_X509_NAME_get_entry(name, i);
		if (!e)
			continue;
		char *attr = attribute_string(e);
		if (!attr) {
			r = TD_ERR_NOMEM;
			goto out;
		}
		size_t len = strlen(attr);
		if (len + 1 > TD_CAP_HS_MESSAGE - b.len) {
			free(attr);
			r = td_dynbuf_add(&b, "...", 3);
			break;
		}
		r = td_dynbuf_add(&b, ",", first ? 0 : 1);
		if (r == TD_OK)
			r = td_dynbuf_add(&b, attr, len);
		free(attr);
		if (r != TD_OK)
			goto out;
		first = false;
	}
	if (r == TD_OK)
		r = td_dynbuf_add(&b, "", 1);
	if (r == TD_OK) {
		*out = (char *)b.data;
		b.data = NULL;
	}
out:
	td_dynbuf_cleanup(&b);
	return r == TD_ERR_CAP ? TD_ERR_NOMEM : r;  /* CAP cannot happen: checked above */
}

char *td_x509_name_string(const uint8_t *der, size_t len)
{
	char *s = NULL;
	if (!der || len == 0 || len > TD_CAP_HS_MESSAGE)
		return NULL;
	/* wolfSSL_d2i_X509_NAME() takes a non-const pointer: give it a copy. */
	unsigned char *copy = malloc(len);
	if (!copy)
		return NULL;
	memcpy(copy, der, len);
	unsigned char *p = copy;
	WOLFSSL_X509_NAME *name = wolfSSL_d2i_X509_NAME(NULL, &p, (long)len);
	if (name) {
		if (td_x509_dn_string(name, &s) != TD_OK)
			s = NULL;
		wolfSSL_X509_NAME_free(name);
	} else {
		wolfSSL_ERR_clear_error();
	}
	free(copy);
	return s;
}
