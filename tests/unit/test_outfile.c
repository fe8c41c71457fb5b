/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_outfile.c - the rotating report file (outfile.h): where it cuts,
 * what it names the files, that the files joined are what was written,
 * that only finished files carry their name, and its errors.  Time
 * rotation (-G) is checked end to end in tests/e2e/rotation.py.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "outfile.h"
#include "tests.h"

static char dir[64];

static void mkdir_tmp(void)
{
	snprintf(dir, sizeof dir, "/tmp/td-outfile-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
}

/* Remove the directory and everything in it. */
static void rm_tmp(void)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char p[512];
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

/* Entries of the directory, and how many are hidden. */
static size_t count(size_t *hidden)
{
	size_t n = 0;
	*hidden = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		*hidden += e->d_name[0] == '.';
	}
	if (d)
		closedir(d);
	return n;
}

/* The file's bytes (malloc'd, NUL-terminated), or NULL when absent. */
static char *slurp(const char *name)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "rb");
	if (!f)
		return NULL;
	char *b = calloc(1, 1 << 16);
	size_t n = fread(b, 1, (1 << 16) - 1, f);
	b[n] = '\0';
	fclose(f);
	return b;
}

static struct td_outfile *open_of(const char *name, uint64_t bytes, enum td_outfile_mode mode)
{
	char path[256], err[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct td_outfile_opts o = { .path = path, .rotate_bytes = bytes, .mode = mode };
	struct td_outfile *of = NULL;
	CU_ASSERT_EQUAL(td_outfile_open(&of, &o, err, sizeof err), TD_OK);
	return of;
}

/* Lines: one block of six 10-byte lines, 25-byte files: each file ends at
 * the first line end past 25 bytes (30), FILE, FILE1, then the rest. */
static void test_lines_cut_inside_a_block(void)
{
	mkdir_tmp();
	struct td_outfile *of = open_of("r.json", 25, TD_OUTFILE_LINES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(of);
	FILE *f = td_outfile_stream(of);
	setvbuf(f, NULL, _IONBF, 0);
	const char *block = "{\"a\":111}\n{\"a\":222}\n{\"a\":333}\n{\"a\":444}\n{\"a\":555}\n{\"a\":666}\n";
	CU_ASSERT_EQUAL(fwrite(block, 1, strlen(block), f), strlen(block));
	size_t hidden;
	CU_ASSERT_EQUAL(count(&hidden), 2);  /* r.json published, r.json1 being written */
	CU_ASSERT_EQUAL(hidden, 1);
	char err[256];
	CU_ASSERT_EQUAL(td_outfile_close(of, err, sizeof err), TD_OK);
	char *a = slurp("r.json"), *b = slurp("r.json1"), *c = slurp("r.json2");
	CU_ASSERT_STRING_EQUAL(a ? a : "", "{\"a\":111}\n{\"a\":222}\n{\"a\":333}\n");
	CU_ASSERT_STRING_EQUAL(b ? b : "", "{\"a\":444}\n{\"a\":555}\n{\"a\":666}\n");
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL(count(&hidden), 2);
	CU_ASSERT_EQUAL(hidden, 0);
	free(a);
	free(b);
	free(c);
	rm_tmp();
}

/* Records: lines alone never cut; td_outfile_boundary() does, once due. */
static void test_records_cut_at_boundaries(void)
{
	mkdir_tmp();
	struct td_outfile *of = open_of("r.txt", 8, TD_OUTFILE_RECORDS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(of);
	FILE *f = td_outfile_stream(of);
	char err[256];
	fputs("#1 one\n  two\n  three\n", f);
	fflush(f);
	size_t hidden;
	CU_ASSERT_EQUAL(count(&hidden), 1);  /* over the size, but inside a record */
	CU_ASSERT_EQUAL(td_outfile_boundary(of, err, sizeof err), TD_OK);
	fputs("#2 xxxxxx\n", f);  /* buffered: still counts toward the size */
	CU_ASSERT_EQUAL(td_outfile_boundary(of, err, sizeof err), TD_OK);
	fputs("#3 y\n", f);
	CU_ASSERT_EQUAL(td_outfile_close(of, err, sizeof err), TD_OK);
	char *a = slurp("r.txt"), *b = slurp("r.txt1"), *c = slurp("r.txt2");
	CU_ASSERT_STRING_EQUAL(a ? a : "", "#1 one\n  two\n  three\n");
	CU_ASSERT_STRING_EQUAL(b ? b : "", "#2 xxxxxx\n");
	CU_ASSERT_STRING_EQUAL(c ? c : "", "#3 y\n");
	free(a);
	free(b);
	free(c);
	rm_tmp();
}

/* A request (SIGHUP) publishes the current file at the next boundary;
 * one with nothing written is dropped; the first file is published even
 * empty when it is the only one. */
static void test_request_and_empty(void)
{
	mkdir_tmp();
	char err[256];
	size_t hidden;
	struct td_outfile *of = open_of("h.json", 0, TD_OUTFILE_LINES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(of);
	FILE *f = td_outfile_stream(of);
	td_outfile_rotate_request(of);  /* nothing written: nothing to publish */
	CU_ASSERT_EQUAL(td_outfile_boundary(of, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(count(&hidden), 1);
	CU_ASSERT_EQUAL(hidden, 1);
	fputs("{}\n", f);
	td_outfile_rotate_request(of);
	CU_ASSERT_EQUAL(td_outfile_boundary(of, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_outfile_published(of), 1);
	CU_ASSERT_EQUAL(count(&hidden), 1);  /* h.json; the next begins with the next byte */
	CU_ASSERT_EQUAL(hidden, 0);
	CU_ASSERT_EQUAL(td_outfile_close(of, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(count(&hidden), 1);
	rm_tmp();

	mkdir_tmp();
	of = open_of("e.json", 0, TD_OUTFILE_LINES);
	CU_ASSERT_EQUAL(td_outfile_close(of, err, sizeof err), TD_OK);
	char *e = slurp("e.json");
	CU_ASSERT_PTR_NOT_NULL(e);
	CU_ASSERT_STRING_EQUAL(e ? e : "x", "");
	free(e);
	rm_tmp();
}

/* Errors: a directory that does not exist; a name that is a directory. */
static void test_errors(void)
{
	char err[256];
	struct td_outfile *of = NULL;
	struct td_outfile_opts o = { .path = "/nonexistent-td-dir/r.json" };
	CU_ASSERT_EQUAL(td_outfile_open(&of, &o, err, sizeof err), TD_ERR_IO);
	CU_ASSERT_PTR_NULL(of);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent-td-dir/.r.json.tmp"));
	o.path = "/tmp/";
	CU_ASSERT_EQUAL(td_outfile_open(&of, &o, err, sizeof err), TD_ERR_USAGE);
	o.path = "";
	CU_ASSERT_EQUAL(td_outfile_open(&of, &o, err, sizeof err), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_outfile_close(NULL, err, sizeof err), TD_OK);
}

void td_suite_outfile(void)
{
	CU_pSuite s = td_test_suite("outfile");
	td_test_add(s, "report file: JSON lines cut inside one write", test_lines_cut_inside_a_block);
	td_test_add(s, "report file: text cut only between records", test_records_cut_at_boundaries);
	td_test_add(s, "report file: SIGHUP request, empty files", test_request_and_empty);
	td_test_add(s, "report file: errors", test_errors);
}
