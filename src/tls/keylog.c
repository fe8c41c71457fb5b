/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keylog.c - NSS key log files (keylog.h).
 *
 * Format (NSS "Key Log Format", as written by SSLKEYLOGFILE in NSS,
 * OpenSSL's SSL_CTX_set_keylog_callback, Go's KeyLogWriter, curl):
 *
 *   # comment line
 *   <LABEL> SP <client_random: 64 hex digits> SP <secret: 2n hex digits> LF
 *
 *   CLIENT_RANDOM                    secret = 48-byte TLS 1.2 master secret
 *   CLIENT_EARLY_TRAFFIC_SECRET      \
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET   |
 *   SERVER_HANDSHAKE_TRAFFIC_SECRET   |  TLS 1.3 secrets, one hash long
 *   CLIENT_TRAFFIC_SECRET_0           |  (32 bytes SHA-256, 48 SHA-384)
 *   SERVER_TRAFFIC_SECRET_0           |
 *   EXPORTER_SECRET                   |
 *   EARLY_EXPORTER_SECRET            /
 *
 * Other labels (RSA, the QUIC ones, ECH_SECRET, ECH_CONFIG of Encrypted
 * Client Hello) are valid lines that tlsdiag does not use: counted as
 * ignored, never as bad; an ECH_CONFIG line may pass the line cap.
 *
 * Separators may be runs of spaces or tabs; CR before LF is accepted
 * (files written on Windows).  The text is read through the bounded
 * reader, one line at a time, with no line longer than TD_KEYLOG_LINE_MAX.
 *
 * Storage: a flat array of entries plus an open-addressing hash table of
 * indices keyed by (label, client random), kept at most half full.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "keylog.h"
#include "reader.h"
#include "text.h"

struct kl_entry {
	uint8_t random[TD_KEYLOG_RANDOM_LEN];
	uint8_t secret[TD_KEYLOG_SECRET_MAX];
	uint8_t secret_len;                     /* bytes used in secret */
	uint8_t label;                          /* enum td_keylog_label */
};

struct kl_bad {
	size_t line;
	const char *reason;
};

struct td_keylog {
	struct kl_entry *entries;
	size_t count, alloc;                    /* entries used / allocated */
	uint32_t *table;                        /* entry index + 1; 0 = empty */
	size_t table_size;                      /* a power of two, or 0 */
	size_t line;                            /* lines seen so far */
	size_t bad, ignored, dropped;
	struct kl_bad bad_kept[TD_KEYLOG_BAD_KEPT];
	char partial[TD_KEYLOG_LINE_MAX];       /* unterminated line (td_keylog_feed) */
	size_t partial_len;
	int partial_long;                       /* the pending line overflowed */
	td_keylog_tap_fn tap;                   /* td_keylog_set_tap(), or NULL */
	void *tap_ctx;
};

static const char *const label_names[TD_KEYLOG_LABEL_COUNT] = {
	[TD_KEYLOG_CLIENT_RANDOM] = "CLIENT_RANDOM",
	[TD_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET] = "CLIENT_EARLY_TRAFFIC_SECRET",
	[TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
	[TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
	[TD_KEYLOG_CLIENT_TRAFFIC_SECRET_0] = "CLIENT_TRAFFIC_SECRET_0",
	[TD_KEYLOG_SERVER_TRAFFIC_SECRET_0] = "SERVER_TRAFFIC_SECRET_0",
	[TD_KEYLOG_EXPORTER_SECRET] = "EXPORTER_SECRET",
	[TD_KEYLOG_EARLY_EXPORTER_SECRET] = "EARLY_EXPORTER_SECRET",
};

/* The TLS 1.2 master secret is always 48 bytes (RFC 5246 8.1). */
#define KL_MASTER_SECRET_LEN 48u

const char *td_keylog_label_name(enum td_keylog_label label)
{
	if ((unsigned)label >= TD_KEYLOG_LABEL_COUNT)
		return "?";
	return label_names[label];
}

struct td_keylog *td_keylog_new(void)
{
	return calloc(1, sizeof(struct td_keylog));
}

void td_keylog_free(struct td_keylog *k)
{
	if (!k)
		return;
	if (k->entries)
		explicit_bzero(k->entries, k->alloc * sizeof k->entries[0]);
	free(k->entries);
	free(k->table);
	explicit_bzero(k->partial, sizeof k->partial);
	free(k);
}

/* FNV-1a over the label and the random: randoms are uniformly random in
 * practice, and the table content comes from the user's own file. */
static size_t kl_hash(unsigned label, const uint8_t *random)
{
	uint32_t h = 2166136261u;
	h = (h ^ label) * 16777619u;
	for (size_t i = 0; i < TD_KEYLOG_RANDOM_LEN; i++)
		h = (h ^ random[i]) * 16777619u;
	return h;
}

/* The table slot holding (label, random), or the empty slot where it goes. */
static size_t kl_slot(const struct td_keylog *k, unsigned label, const uint8_t *random)
{
	size_t mask = k->table_size - 1;
	size_t i = kl_hash(label, random) & mask;
	for (;;) {
		uint32_t v = k->table[i];
		if (v == 0)
			return i;
		const struct kl_entry *e = &k->entries[v - 1];
		if (e->label == label && memcmp(e->random, random, TD_KEYLOG_RANDOM_LEN) == 0)
			return i;
		i = (i + 1) & mask;
	}
}

/* Make room for one more entry: the array and a table at most half full. */
static enum td_result kl_reserve(struct td_keylog *k)
{
	if (k->count == k->alloc) {
		size_t n = k->alloc ? k->alloc * 2 : 64;
		if (n > TD_CAP_KEYLOG_ENTRIES)
			n = TD_CAP_KEYLOG_ENTRIES;
		struct kl_entry *e = malloc(n * sizeof *e);
		if (!e)
			return TD_ERR_NOMEM;
		if (k->count) {
			memcpy(e, k->entries, k->count * sizeof *e);
			explicit_bzero(k->entries, k->alloc * sizeof *e);
		}
		free(k->entries);
		k->entries = e;
		k->alloc = n;
	}
	if ((k->count + 1) * 2 > k->table_size) {
		size_t n = k->table_size ? k->table_size * 2 : 128;
		uint32_t *t = calloc(n, sizeof *t);
		if (!t)
			return TD_ERR_NOMEM;
		free(k->table);
		k->table = t;
		k->table_size = n;
		for (size_t i = 0; i < k->count; i++) {
			size_t s = kl_slot(k, k->entries[i].label, k->entries[i].random);
			k->table[s] = (uint32_t)(i + 1);
		}
	}
	return TD_OK;
}

static void kl_bad(struct td_keylog *k, const char *reason)
{
	if (k->bad < TD_KEYLOG_BAD_KEPT) {
		k->bad_kept[k->bad].line = k->line;
		k->bad_kept[k->bad].reason = reason;
	}
	k->bad++;
}

static int kl_is_space(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* The next field: a run of non-blank bytes, after skipping blanks. */
static struct td_reader kl_field(struct td_reader *r)
{
	while (td_rd_left(r) > 0 && kl_is_space(td_rd_peek(r, 0)))
		td_rd_skip(r, 1);
	size_t n = 0;
	while (n < td_rd_left(r) && !kl_is_space(td_rd_peek(r, n)))
		n++;
	return td_rd_sub(r, n);
}

/* Decode a hex field into out (exactly max bytes at most); the byte count,
 * or 0 when the field is not even-length hex or does not fit. */
static size_t kl_hex(struct td_reader f, uint8_t *out, size_t max)
{
	size_t n = td_rd_left(&f);
	if (n == 0 || n % 2 != 0 || n / 2 > max)
		return 0;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = td_hex_value(td_rd_u8(&f));
		int lo = td_hex_value(td_rd_u8(&f));
		if (hi < 0 || lo < 0)
			return 0;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return n / 2;
}

static int kl_field_is(struct td_reader f, const char *s)
{
	size_t n = strlen(s);
	if (td_rd_left(&f) != n)
		return 0;
	const uint8_t *p = td_rd_bytes(&f, n);
	return p && memcmp(p, s, n) == 0;
}

/* One complete line (without its LF). */
static enum td_result kl_line(struct td_keylog *k, const uint8_t *p, size_t n)
{
	/* A CR before the LF, then trailing blanks, are not part of the line. */
	while (n > 0 && (p[n - 1] == '\r' || kl_is_space(p[n - 1])))
		n--;
	struct td_reader r = td_rd_make(p, n);

	struct td_reader label = kl_field(&r);
	if (td_rd_left(&label) == 0)
		return TD_OK;                   /* blank line */
	if (td_rd_peek(&label, 0) == '#')
		return TD_OK;                   /* comment */

	unsigned which = TD_KEYLOG_LABEL_COUNT;
	for (unsigned i = 0; i < TD_KEYLOG_LABEL_COUNT; i++) {
		if (kl_field_is(label, label_names[i])) {
			which = i;
			break;
		}
	}
	struct td_reader random_hex = kl_field(&r);
	struct td_reader secret_hex = kl_field(&r);
	struct td_reader extra = kl_field(&r);
	if (td_rd_left(&secret_hex) == 0 || td_rd_left(&extra) != 0) {
		kl_bad(k, "not three fields: LABEL CLIENT_RANDOM SECRET");
		return TD_OK;
	}
	if (which == TD_KEYLOG_LABEL_COUNT) {
		/* RSA, QUIC and future labels are valid lines we do not use. */
		k->ignored++;
		return TD_OK;
	}
	struct kl_entry e;
	memset(&e, 0, sizeof e);
	e.label = (uint8_t)which;
	if (td_rd_left(&random_hex) != 2 * TD_KEYLOG_RANDOM_LEN ||
	    kl_hex(random_hex, e.random, TD_KEYLOG_RANDOM_LEN) != TD_KEYLOG_RANDOM_LEN) {
		kl_bad(k, "client random is not 64 hex digits");
		return TD_OK;
	}
	size_t slen = kl_hex(secret_hex, e.secret, TD_KEYLOG_SECRET_MAX);
	if (slen == 0) {
		kl_bad(k, "secret is not hex of at most 64 bytes");
		return TD_OK;
	}
	if (which == TD_KEYLOG_CLIENT_RANDOM ? slen != KL_MASTER_SECRET_LEN : slen < 32) {
		kl_bad(k, which == TD_KEYLOG_CLIENT_RANDOM ? "master secret is not 48 bytes"
							    : "traffic secret shorter than 32 bytes");
		explicit_bzero(&e, sizeof e);
		return TD_OK;
	}
	e.secret_len = (uint8_t)slen;

	if (k->table_size) {
		size_t s = kl_slot(k, which, e.random);
		if (k->table[s] != 0) {         /* a later line replaces the secret */
			k->entries[k->table[s] - 1] = e;
			explicit_bzero(&e, sizeof e);
			return TD_OK;
		}
	}
	if (k->count >= TD_CAP_KEYLOG_ENTRIES) {
		k->dropped++;
		explicit_bzero(&e, sizeof e);
		return TD_OK;
	}
	enum td_result rc = kl_reserve(k);
	if (rc == TD_OK) {
		size_t s = kl_slot(k, which, e.random);
		k->entries[k->count] = e;
		k->count++;
		k->table[s] = (uint32_t)k->count;
	}
	explicit_bzero(&e, sizeof e);
	return rc;
}

/*
 * A line past TD_KEYLOG_LINE_MAX that is valid all the same: ECH_CONFIG
 * (draft-ietf-tls-keylogfile: the ECHConfig the client used, whole, in
 * hex) may run to kilobytes, and tlsdiag has no use for it.  Its start
 * is in partial: the label, then a blank.  (ECH_SECRET, one HPKE secret
 * long, fits a line and is ignored as any unused label is.)
 */
static int kl_long_ok(const struct td_keylog *k)
{
	static const char label[] = "ECH_CONFIG";
	size_t n = sizeof label - 1;
	return k->partial_len > n && memcmp(k->partial, label, n) == 0 &&
	       kl_is_space((uint8_t)k->partial[n]);
}

/* Finish the pending line, if any. */
static enum td_result kl_flush(struct td_keylog *k)
{
	if (k->partial_len == 0 && !k->partial_long)
		return TD_OK;
	k->line++;
	enum td_result rc = TD_OK;
	if (k->partial_long && kl_long_ok(k))
		k->ignored++;
	else if (k->partial_long)
		kl_bad(k, "line too long");
	else
		rc = kl_line(k, (const uint8_t *)k->partial, k->partial_len);
	if (k->tap && !k->partial_long)
		k->tap(k->tap_ctx, k->partial, k->partial_len);
	explicit_bzero(k->partial, k->partial_len);
	k->partial_len = 0;
	k->partial_long = 0;
	return rc;
}

void td_keylog_set_tap(struct td_keylog *k, td_keylog_tap_fn fn, void *ctx)
{
	k->tap = fn;
	k->tap_ctx = ctx;
}

enum td_result td_keylog_feed(struct td_keylog *k, const char *text, size_t len)
{
	struct td_reader r = td_rd_make((const uint8_t *)text, len);
	while (td_rd_left(&r) > 0) {
		size_t n = 0;
		size_t left = td_rd_left(&r);
		while (n < left && td_rd_peek(&r, n) != '\n')
			n++;
		const uint8_t *p = td_rd_bytes(&r, n);
		/* Append to the pending line, up to the line cap. */
		if (!k->partial_long) {
			if (n > sizeof k->partial - k->partial_len) {
				/* Keep what fits: its label says whether the
				 * long line is one to ignore (kl_long_ok). */
				size_t room = sizeof k->partial - k->partial_len;
				memcpy(k->partial + k->partial_len, p, room);
				k->partial_len += room;
				k->partial_long = 1;
			}
			else if (n > 0) {
				memcpy(k->partial + k->partial_len, p, n);
				k->partial_len += n;
			}
		}
		if (td_rd_left(&r) == 0)
			break;                  /* no LF yet: keep the line pending */
		td_rd_skip(&r, 1);              /* the LF */
		if (k->partial_len == 0 && !k->partial_long) {
			k->line++;              /* an empty line */
			continue;
		}
		enum td_result rc = kl_flush(k);
		if (rc != TD_OK)
			return rc;
	}
	return TD_OK;
}

enum td_result td_keylog_add_text(struct td_keylog *k, const char *text, size_t len)
{
	enum td_result rc = td_keylog_feed(k, text, len);
	if (rc != TD_OK)
		return rc;
	return kl_flush(k);
}

enum td_result td_keylog_load_file(struct td_keylog *k, const char *path, char *err, size_t errlen)
{
	enum td_result rc = TD_OK;
	char buf[8192];
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open key log %s: %s", path, strerror(errno));
		return TD_ERR_IO;
	}
	for (;;) {
		size_t n = fread(buf, 1, sizeof buf, f);
		if (n > 0) {
			rc = td_keylog_feed(k, buf, n);
			if (rc != TD_OK)
				goto out;
		}
		if (n < sizeof buf) {
			if (ferror(f)) {
				snprintf(err, errlen, "cannot read key log %s: %s", path, strerror(errno));
				rc = TD_ERR_IO;
				goto out;
			}
			break;
		}
	}
	rc = kl_flush(k);
out:
	explicit_bzero(buf, sizeof buf);
	fclose(f);
	return rc;
}

size_t td_keylog_bad_lines(const struct td_keylog *k, size_t *first_line)
{
	if (first_line)
		*first_line = k->bad ? k->bad_kept[0].line : 0;
	return k->bad;
}

const char *td_keylog_bad_line(const struct td_keylog *k, size_t i, size_t *line)
{
	if (i >= k->bad || i >= TD_KEYLOG_BAD_KEPT)
		return NULL;
	if (line)
		*line = k->bad_kept[i].line;
	return k->bad_kept[i].reason;
}

size_t td_keylog_count(const struct td_keylog *k) { return k->count; }
size_t td_keylog_ignored(const struct td_keylog *k) { return k->ignored; }
size_t td_keylog_dropped(const struct td_keylog *k) { return k->dropped; }

const uint8_t *td_keylog_find(const struct td_keylog *k, enum td_keylog_label label,
			      const uint8_t client_random[TD_KEYLOG_RANDOM_LEN], size_t *len)
{
	*len = 0;
	if ((unsigned)label >= TD_KEYLOG_LABEL_COUNT || k->table_size == 0)
		return NULL;
	size_t s = kl_slot(k, (unsigned)label, client_random);
	if (k->table[s] == 0)
		return NULL;
	const struct kl_entry *e = &k->entries[k->table[s] - 1];
	*len = e->secret_len;
	return e->secret;
}
