/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trust.c - the trust store (verify.h): the system bundle, --ca-file and
 * --ca-path read into trust anchors, each parsed once (vcert.c), and the
 * anchors' names indexed for --redact.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "dynbuf.h"
#include "reader.h"
#include "text.h"
#include "vcert.h"
#include "verify.h"

/* Largest trust store file read (Debian's bundle is about 220 KB).  A
 * local limit: caps.h is another engineer's file; it belongs there. */
#define TRUST_FILE_MAX (64u * 1024u * 1024u)

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A file name fit for a one-line message (control bytes escaped). */
static char *shown(const char *name)
{
	return td_text_sanitize((const uint8_t *)name, strlen(name));
}


/* Whether an anchor of this DER is already in t. */
static bool known(const struct td_trust *t, const uint8_t *der, size_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (td_vcert_same_der(t->a[i], der, len))
			return true;
	return false;
}

/* Keep the parsed anchor v (owning its DER copy), or free it when memory
 * runs out. */
static enum td_result keep_anchor(struct td_trust *t, struct td_vcert *v, size_t *usable)
{
	if (t->n == t->alloc) {
		size_t na = t->alloc ? 2 * t->alloc : 64;
		struct td_vcert **grown = na <= SIZE_MAX / sizeof *t->a ?
					  realloc(t->a, na * sizeof *t->a) : NULL;
		if (!grown) {
			free(v);
			return TD_ERR_NOMEM;
		}
		t->a = grown;
		t->alloc = na;
	}
	t->a[t->n++] = v;
	(*usable)++;
	return TD_OK;
}

/*
 * Add one DER certificate (copied) unless already there.  *usable is
 * incremented when it is a certificate wolfSSL parses (a duplicate
 * counts: the file did hold a certificate).
 */
static enum td_result add_anchor(struct td_trust *t, const uint8_t *der, size_t len, size_t *usable)
{
	if (known(t, der, len)) {
		(*usable)++;
		return TD_OK;
	}
	struct td_vcert *v;
	enum td_result r = td_vcert_parse(der, len, true, &v);
	if (r != TD_OK || !v->parsed) {
		if (r == TD_OK)
			t->skipped++;
		free(v);
		return r;
	}
	return keep_anchor(t, v, usable);
}

/* Offset of needle in what r has left, via memmem. */
static bool find_text(const struct td_reader *r, const char *needle, size_t *at)
{
	size_t nl = strlen(needle);
	const uint8_t *hit = td_rd_left(r) >= nl ? memmem(r->p, r->left, needle, nl) : NULL;
	if (!hit)
		return false;
	*at = (size_t)(hit - r->p);
	return true;
}

/*
 * Every "-----BEGIN CERTIFICATE-----" block of buf, decoded by wolfSSL;
 * a buffer without one is tried as a single DER certificate.  Blocks
 * that do not decode or parse are counted in t->skipped.
 */
static enum td_result load_buffer(struct td_trust *t, const uint8_t *buf, size_t len, size_t *usable)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	struct td_reader r = td_rd_make(buf, len);
	enum td_result res = TD_OK;
	bool any = false;
	size_t at;

	while (res == TD_OK && find_text(&r, begin, &at)) {
		any = true;
		td_rd_skip(&r, at);
		size_t stop;
		if (!find_text(&r, end, &stop) || stop > INT_MAX - sizeof end) {
			t->skipped++;       /* a block cut short: the file ends */
			break;
		}
		size_t blen = stop + sizeof end - 1;
		const uint8_t *block = td_rd_bytes(&r, blen);
		uint8_t *der = block ? malloc(blen) : NULL;  /* DER is shorter than its base64 */
		if (!der)
			return block ? TD_ERR_NOMEM : TD_OK;
		int dlen = wc_CertPemToDer(block, (int)blen, der, (int)blen, CERT_TYPE);
		if (dlen > 0)
			res = add_anchor(t, der, (size_t)dlen, usable);
		else
			t->skipped++;
		free(der);
	}
	if (res == TD_OK && !any && len > 0) {
		/* Not PEM: one DER certificate, or nothing at all (not
		 * counted); decoded once, kept when it is a certificate. */
		struct td_vcert *v = NULL;
		if (known(t, buf, len))
			(*usable)++;
		else if ((res = td_vcert_parse(buf, len, true, &v)) == TD_OK && v->parsed)
			res = keep_anchor(t, v, usable);
		else
			free(v);
	}
	return res;
}

/* Read a whole regular file.  TD_ERR_IO with *err_no set on failure. */
static enum td_result read_file(const char *path, struct td_dynbuf *b, int *err_no)
{
	enum td_result r = TD_OK;
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err_no = errno;
		return TD_ERR_IO;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0) {
		*err_no = errno;
		r = TD_ERR_IO;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		*err_no = EISDIR;
		r = TD_ERR_IO;
		goto out;
	}
	uint8_t chunk[16384];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
		r = td_dynbuf_add(b, chunk, k);
		if (r == TD_ERR_CAP) {
			*err_no = EFBIG;
			r = TD_ERR_IO;
		}
		if (r != TD_OK)
			goto out;
	}
	if (ferror(f)) {
		*err_no = errno ? errno : EIO;
		r = TD_ERR_IO;
	}
out:
	fclose(f);
	return r;
}

/* Load a named bundle: it must be readable and hold a certificate. */
static enum td_result load_file(struct td_trust *t, const char *path, char *err, size_t errlen)
{
	struct td_dynbuf b;
	td_dynbuf_init(&b, TRUST_FILE_MAX);
	int e = 0;
	size_t usable = 0;
	enum td_result r = read_file(path, &b, &e);
	if (r == TD_OK)
		r = load_buffer(t, b.data, b.len, &usable);
	if (r == TD_OK && usable == 0)
		r = TD_ERR_IO;
	if (r == TD_ERR_IO) {
		char *s = shown(path);
		if (e)
			set_err(err, errlen, "cannot read %s: %s", s ? s : "?",
				e == EFBIG ? "larger than 64 MiB" : strerror(e));
		else
			set_err(err, errlen, "%s holds no certificate (PEM or DER) that wolfSSL can read",
				s ? s : "?");
		free(s);
	}
	td_dynbuf_cleanup(&b);
	return r;
}

/* Names worth reading in a CA directory: *.pem, *.crt, and the HHHHHHHH.N
 * names of `openssl rehash` / c_rehash. */
static bool ca_file_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || name[0] == '.')
		return false;
	if (n > 4 && (strcasecmp(name + n - 4, ".pem") == 0 || strcasecmp(name + n - 4, ".crt") == 0))
		return true;
	if (n < 10 || name[8] != '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
		if (i < 8 ? !hex : i > 8 && !(c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

/* Load every certificate file of a directory; files that cannot be read
 * or hold no certificate are passed over, but the directory must give
 * at least one certificate. */
static enum td_result load_dir(struct td_trust *t, const char *dir, char *err, size_t errlen)
{
	enum td_result r = TD_OK;
	size_t usable = 0;
	struct td_dynbuf b;
	td_dynbuf_init(&b, TRUST_FILE_MAX);
	DIR *d = opendir(dir);
	if (!d) {
		int e = errno;
		char *s = shown(dir);
		set_err(err, errlen, "cannot open directory %s: %s", s ? s : "?", strerror(e));
		free(s);
		return TD_ERR_IO;
	}
	const struct dirent *de;
	while (r == TD_OK && (de = readdir(d)) != NULL) {
		if (!ca_file_name(de->d_name))
			continue;
		size_t plen = strlen(dir) + strlen(de->d_name) + 2;
		char *path = malloc(plen);
		if (!path) {
			r = TD_ERR_NOMEM;
			break;
		}
		snprintf(path, plen, "%s/%s", dir, de->d_name);
		struct stat st;
		int e = 0;
		td_dynbuf_reset(&b);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			r = read_file(path, &b, &e);
			if (r == TD_OK)
				r = load_buffer(t, b.data, b.len, &usable);
			if (r == TD_ERR_IO)
				r = TD_OK;  /* an unreadable member: the others may do */
		}
		free(path);
	}
	closedir(d);
	td_dynbuf_cleanup(&b);
	if (r == TD_OK && usable == 0) {
		char *s = shown(dir);
		set_err(err, errlen, "%s holds no certificate (no readable *.pem, *.crt or hashed file)",
			s ? s : "?");
		free(s);
		r = TD_ERR_IO;
	}
	return r;
}

enum td_result td_trust_new(struct td_trust **out, const char *ca_file, const char *ca_path,
			    bool use_system, char *err, size_t errlen)
{
	enum td_result r = TD_OK;
	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return TD_ERR_USAGE;
	*out = NULL;
	struct td_trust *t = calloc(1, sizeof *t);
	if (!t)
		return TD_ERR_NOMEM;
	if (use_system && access(TD_TRUST_SYSTEM_BUNDLE, F_OK) == 0)
		r = load_file(t, TD_TRUST_SYSTEM_BUNDLE, err, errlen);
	if (r == TD_OK && ca_file)
		r = load_file(t, ca_file, err, errlen);
	if (r == TD_OK && ca_path)
		r = load_dir(t, ca_path, err, errlen);
	if (r != TD_OK)
		goto out;
	*out = t;
	t = NULL;
out:
	if (r == TD_ERR_NOMEM)
		set_err(err, errlen, "out of memory while loading trust anchors");
	td_trust_free(t);
	return r;
}

void td_trust_free(struct td_trust *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->a[i]);
	for (size_t i = 0; i < t->n_subjects; i++)
		free(t->subjects[i]);
	free(t->subjects);
	free(t->a);
	free(t);
}

size_t td_trust_anchor_count(const struct td_trust *t)
{
	return t ? t->n : 0;
}

size_t td_trust_skipped(const struct td_trust *t)
{
	return t ? t->skipped : 0;
}

/* ---- the anchors' names (--redact) ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

enum td_result td_trust_index_subjects(struct td_trust *t)
{
	if (!t || t->subjects || t->n == 0)
		return TD_OK;
	char **v = calloc(t->n, sizeof *v);
	if (!v)
		return TD_ERR_NOMEM;
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		/* A Name wolfSSL points at but x509.c cannot write (NULL) is
		 * simply not indexed: that anchor's name then vouches nothing. */
		v[k] = td_vcert_name_string(t->a[i], false);
		if (v[k])
			k++;
	}
	qsort(v, k, sizeof *v, cmp_str);
	t->subjects = v;
	t->n_subjects = k;
	return TD_OK;
}

bool td_trust_has_subject(const struct td_trust *t, const char *dn)
{
	if (!t || !dn || t->n_subjects == 0)
		return false;
	return bsearch(&dn, t->subjects, t->n_subjects, sizeof *t->subjects, cmp_str) != NULL;
}
