/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay.c - run a fuzz harness without libFuzzer: feed it files.
 *
 *   replay_x [FILE|DIR]...
 *
 * Each FILE, and each regular file in each DIR (sorted by name, dot
 * files and *.md skipped), goes once through LLVMFuzzerTestOneInput().
 * With no argument the harness's regression directory compiled in
 * (-DTD_FUZZ_REGRESS=...) is used, which is how `make check` runs the
 * committed inputs of tests/fuzz/regress/<harness>/ with gcc and the
 * sanitizers of the build.  A crash, a sanitizer report or an oracle
 * abort fails; the exit status is 0 otherwise, 77 (automake's SKIP)
 * when there was nothing to run.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

#ifndef TD_FUZZ_REGRESS
#define TD_FUZZ_REGRESS "."
#endif

/* Read a whole file; NULL with errno on failure. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			uint8_t *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	*len = n;
	return buf;
}

static int run_file(const char *path, size_t *count)
{
	size_t len = 0;
	uint8_t *data = slurp(path, &len);
	if (!data) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	/* libFuzzer hands over a buffer of exactly len bytes: so does this,
	 * so that ASan sees reads past the end. */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) {
		free(data);
		return 1;
	}
	if (len)
		memcpy(exact, data, len);
	free(data);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	(*count)++;
	return 0;
}

static int skip_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return d->d_name[0] != '.' && !(n > 3 && strcmp(d->d_name + n - 3, ".md") == 0);
}

static int run_path(const char *path, size_t *count)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path, count);
	struct dirent **names = NULL;
	int n = scandir(path, &names, skip_name, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char sub[4096];
		snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
		if (stat(sub, &st) == 0 && S_ISREG(st.st_mode))
			rc |= run_file(sub, count);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	size_t count = 0;
	int rc = 0;
	if (argc < 2)
		rc = run_path(TD_FUZZ_REGRESS, &count);
	for (int i = 1; i < argc; i++)
		rc |= run_path(argv[i], &count);
	printf("%s: %zu input%s replayed%s\n", argv[0], count, count == 1 ? "" : "s",
	       rc ? ", some could not be read" : "");
	if (rc)
		return 1;
	return count ? 0 : 77;
}
