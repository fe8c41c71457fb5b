/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_keylog.c - libFuzzer harness: the NSS key log parser (keylog.h),
 * checked against a reference model.
 *
 * Input: mode  1 byte  bits 0-1: 0 td_keylog_add_text() at once,
 *                      1 td_keylog_feed() in pieces then add_text of
 *                      nothing (ends the last line), 2 td_keylog_load_file()
 *                      through a memfd, 3 as 1 with one-byte pieces
 *        piece 1 byte  piece length for mode 1 (1..256)
 *        text  the rest: key log text
 *
 * The reference model is the format as keylog.h states it, written
 * independently and slowly: lines end at LF, a line over
 * TD_KEYLOG_LINE_MAX bytes is bad, CR and blanks at the end are not part
 * of the line, fields are runs of non-blanks, '#' starts a comment,
 * LABEL RANDOM SECRET with a 64-hex-digit random, a hex secret of at
 * most TD_KEYLOG_SECRET_MAX bytes (48 for CLIENT_RANDOM, at least 32
 * for the TLS 1.3 labels), unknown labels ignored, a later line for the
 * same label and random replacing the secret.  The parser must agree on
 * every count, on the line numbers of the bad lines kept, and on every
 * secret.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "keylog.h"
#include "reader.h"

struct ref_entry {
	unsigned label;
	uint8_t random[TD_KEYLOG_RANDOM_LEN];
	uint8_t secret[TD_KEYLOG_SECRET_MAX];
	size_t secret_len;
};

struct ref {
	struct ref_entry *e;
	size_t n, alloc;
	size_t ignored, bad, lines;
	size_t bad_line[TD_KEYLOG_BAD_KEPT];
};

static int memfd = -1;
static char memfd_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (memfd >= 0)
		return 0;
	memfd = memfd_create("fuzz_keylog", MFD_CLOEXEC);
	if (memfd < 0)
		td_fuzz_fail("memfd_create failed");
	snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
	return 0;
}

static bool blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode n hex digits into out; false unless all are hex. */
static bool unhex(const uint8_t *p, size_t n, uint8_t *out)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		int hi = hexval(p[i]), lo = hexval(p[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static void ref_bad(struct ref *m)
{
	if (m->bad < TD_KEYLOG_BAD_KEPT)
		m->bad_line[m->bad] = m->lines;
	m->bad++;
}

static void ref_line(struct ref *m, const uint8_t *p, size_t n)
{
	m->lines++;
	if (n > TD_KEYLOG_LINE_MAX) {
		ref_bad(m);
		return;
	}
	while (n > 0 && (p[n - 1] == '\r' || blank(p[n - 1])))
		n--;
	const uint8_t *f[4];
	size_t fl[4], nf = 0;
	size_t i = 0;
	while (i < n && nf < 4) {
		while (i < n && blank(p[i]))
			i++;
		if (i == n)
			break;
		f[nf] = p + i;
		size_t s = i;
		while (i < n && !blank(p[i]))
			i++;
		fl[nf++] = i - s;
	}
	if (nf == 0 || f[0][0] == '#')
		return;
	if (nf != 3) {
		ref_bad(m);
		return;
	}
	unsigned label = TD_KEYLOG_LABEL_COUNT;
	for (unsigned k = 0; k < TD_KEYLOG_LABEL_COUNT; k++) {
		const char *name = td_keylog_label_name((enum td_keylog_label)k);
		if (fl[0] == strlen(name) && memcmp(f[0], name, fl[0]) == 0)
			label = k;
	}
	if (label == TD_KEYLOG_LABEL_COUNT) {
		m->ignored++;
		return;
	}
	struct ref_entry e;
	memset(&e, 0, sizeof e);
	e.label = label;
	if (fl[1] != 2 * TD_KEYLOG_RANDOM_LEN || !unhex(f[1], fl[1], e.random)) {
		ref_bad(m);
		return;
	}
	if (fl[2] == 0 || fl[2] % 2 || fl[2] / 2 > TD_KEYLOG_SECRET_MAX ||
	    !unhex(f[2], fl[2], e.secret)) {
		ref_bad(m);
		return;
	}
	e.secret_len = fl[2] / 2;
	if (label == TD_KEYLOG_CLIENT_RANDOM ? e.secret_len != 48 : e.secret_len < 32) {
		ref_bad(m);
		return;
	}
	for (size_t k = 0; k < m->n; k++) {
		if (m->e[k].label == label && memcmp(m->e[k].random, e.random, sizeof e.random) == 0) {
			m->e[k] = e;
			return;
		}
	}
	if (m->n == m->alloc) {
		size_t na = m->alloc ? 2 * m->alloc : 16;
		struct ref_entry *ne = realloc(m->e, na * sizeof *ne);
		if (!ne)
			td_fuzz_fail("out of memory");
		m->e = ne;
		m->alloc = na;
	}
	m->e[m->n++] = e;
}

static void ref_parse(struct ref *m, const uint8_t *p, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n')
			continue;
		ref_line(m, p + start, i - start);
		start = i + 1;
	}
	if (start < n)
		ref_line(m, p + start, n - start);
}

static void load(struct td_keylog *k, uint8_t mode, size_t piece, const char *text, size_t len)
{
	switch (mode & 3) {
	case 0:
		if (td_keylog_add_text(k, text, len) != TD_OK)
			td_fuzz_fail("td_keylog_add_text failed");
		return;
	case 2: {
		char err[256];
		if (ftruncate(memfd, 0) != 0 || (len && pwrite(memfd, text, len, 0) != (ssize_t)len))
			td_fuzz_fail("writing the memfd failed");
		if (td_keylog_load_file(k, memfd_path, err, sizeof err) != TD_OK)
			td_fuzz_fail("td_keylog_load_file: %s", err);
		return;
	}
	default:
		for (size_t off = 0; off < len; off += piece) {
			size_t n = len - off < piece ? len - off : piece;
			if (td_keylog_feed(k, text + off, n) != TD_OK)
				td_fuzz_fail("td_keylog_feed failed");
		}
		if (td_keylog_add_text(k, "", 0) != TD_OK)
			td_fuzz_fail("td_keylog_add_text failed");
		return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	LLVMFuzzerInitialize(NULL, NULL);
	struct td_reader r = td_rd_make(data, size);
	uint8_t mode = td_rd_u8(&r);
	size_t piece = (mode & 3) == 3 ? 1 : (size_t)td_rd_u8(&r) + 1;
	if (!td_rd_ok(&r))
		return 0;
	size_t len = td_rd_left(&r);
	const uint8_t *text = td_rd_bytes(&r, len);

	struct td_keylog *k = td_keylog_new();
	if (!k)
		td_fuzz_fail("out of memory");
	load(k, mode, piece, (const char *)text, len);

	struct ref m;
	memset(&m, 0, sizeof m);
	ref_parse(&m, text, len);

	size_t first = 99;
	size_t bad = td_keylog_bad_lines(k, &first);
	if (bad != m.bad || td_keylog_ignored(k) != m.ignored || td_keylog_count(k) != m.n ||
	    td_keylog_dropped(k) != 0)
		td_fuzz_fail("counts: bad %zu (ref %zu) ignored %zu (ref %zu) entries %zu (ref %zu) "
			     "dropped %zu", bad, m.bad, td_keylog_ignored(k), m.ignored,
			     td_keylog_count(k), m.n, td_keylog_dropped(k));
	if (first != (bad ? m.bad_line[0] : 0))
		td_fuzz_fail("first bad line %zu, ref %zu", first, bad ? m.bad_line[0] : 0);
	for (size_t i = 0; i < TD_KEYLOG_BAD_KEPT + 1; i++) {
		size_t line = 0;
		const char *why = td_keylog_bad_line(k, i, &line);
		bool want = i < m.bad && i < TD_KEYLOG_BAD_KEPT;
		if (!why != !want)
			td_fuzz_fail("bad line %zu: reason %s, expected %s", i, why ? why : "NULL",
				     want ? "one" : "none");
		if (why && (line != m.bad_line[i] || !why[0]))
			td_fuzz_fail("bad line %zu: line %zu, ref %zu", i, line, m.bad_line[i]);
	}
	for (size_t i = 0; i < m.n; i++) {
		size_t slen = 0;
		const uint8_t *s = td_keylog_find(k, (enum td_keylog_label)m.e[i].label,
						  m.e[i].random, &slen);
		if (!s || slen != m.e[i].secret_len || memcmp(s, m.e[i].secret, slen) != 0)
			td_fuzz_fail("entry %zu (%s): secret %s", i,
				     td_keylog_label_name((enum td_keylog_label)m.e[i].label),
				     s ? "differs" : "missing");
	}
	/* Lookups that must miss: an out-of-range label, and a random no line gave. */
	uint8_t none[TD_KEYLOG_RANDOM_LEN];
	memset(none, 0xa5, sizeof none);
	size_t slen = 1;
	if (td_keylog_find(k, TD_KEYLOG_LABEL_COUNT, none, &slen) || slen != 0)
		td_fuzz_fail("an out-of-range label was found");
	bool have_none = false;
	for (size_t i = 0; i < m.n; i++)
		have_none |= memcmp(m.e[i].random, none, sizeof none) == 0;
	if (!have_none && td_keylog_find(k, TD_KEYLOG_CLIENT_RANDOM, none, &slen))
		td_fuzz_fail("a random never given was found");
	free(m.e);
	td_keylog_free(k);
	return 0;
}
