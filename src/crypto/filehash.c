/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filehash.c - the SHA-256 of a file or a buffer (see filehash.h).
 *
 * The capture is read once more, in 64 KiB blocks, before the analysis:
 * the Markdown report names the exact file it describes.  Standard
 * input cannot be hashed that way (it is consumed by the capture), so
 * "-" is refused rather than read.  SHA-1 only for the Community ID,
 * whose version 1 is defined over it.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/sha.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "filehash.h"
#include "text.h"

enum { BLOCK = 64 * 1024 };

static void set_err(char *err, size_t errlen, const char *what, const char *path, int e)
{
	if (err && errlen > 0)
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
}

enum td_result td_file_sha256(const char *path, char out_hex65[65], char *err, size_t errlen)
{
	enum td_result r = TD_ERR_IO;
	uint8_t *buf = NULL;
	FILE *f = NULL;
	wc_Sha256 sha;
	bool sha_init = false;
	byte hash[WC_SHA256_DIGEST_SIZE];

	out_hex65[0] = '\0';
	if (err && errlen > 0)
		err[0] = '\0';
	if (!path || !path[0]) {
		if (err && errlen > 0)
			snprintf(err, errlen, "no file name to hash");
		return TD_ERR_USAGE;
	}
	if (strcmp(path, "-") == 0) {
		if (err && errlen > 0)
			snprintf(err, errlen, "standard input cannot be hashed");
		return TD_ERR_UNSUPPORTED;
	}
	buf = malloc(BLOCK);
	if (!buf) {
		if (err && errlen > 0)
			snprintf(err, errlen, "out of memory");
		r = TD_ERR_NOMEM;
		goto out;
	}
	f = fopen(path, "rb");
	if (!f) {
		set_err(err, errlen, "cannot open", path, errno);
		goto out;
	}
	if (wc_InitSha256(&sha) != 0) {
		if (err && errlen > 0)
			snprintf(err, errlen, "cannot initialise SHA-256");
		goto out;
	}
	sha_init = true;
	for (;;) {
		size_t n = fread(buf, 1, BLOCK, f);
		/* n <= BLOCK, which fits a word32. */
		if (n > 0 && wc_Sha256Update(&sha, buf, (word32)n) != 0) {
			if (err && errlen > 0)
				snprintf(err, errlen, "SHA-256 failed on %s", path);
			goto out;
		}
		if (n < BLOCK) {
			if (ferror(f)) {
				set_err(err, errlen, "cannot read", path, errno ? errno : EIO);
				goto out;
			}
			break;
		}
	}
	if (wc_Sha256Final(&sha, hash) != 0) {
		if (err && errlen > 0)
			snprintf(err, errlen, "SHA-256 failed on %s", path);
		goto out;
	}
	td_text_hex(out_hex65, hash, sizeof hash, 0);
	r = TD_OK;
out:
	if (sha_init)
		wc_Sha256Free(&sha);
	if (f)
		fclose(f);
	free(buf);
	return r;
}

enum td_result td_sha256(const void *data, size_t len, uint8_t out[32])
{
	memset(out, 0, WC_SHA256_DIGEST_SIZE);
	if (len > UINT32_MAX || (!data && len > 0))
		return TD_ERR_USAGE;
	/* wc_Sha256Hash: init, update and final in one call. */
	static const uint8_t none[1];
	if (wc_Sha256Hash(len ? data : none, (word32)len, out) != 0) {
		memset(out, 0, WC_SHA256_DIGEST_SIZE);
		return TD_ERR_UNSUPPORTED;
	}
	return TD_OK;
}

enum td_result td_sha1(const void *data, size_t len, uint8_t out[20])
{
	memset(out, 0, WC_SHA_DIGEST_SIZE);
	if (len > UINT32_MAX || (!data && len > 0))
		return TD_ERR_USAGE;
	static const uint8_t none[1];
	if (wc_ShaHash(len ? data : none, (word32)len, out) != 0) {
		memset(out, 0, WC_SHA_DIGEST_SIZE);
		return TD_ERR_UNSUPPORTED;
	}
	return TD_OK;
}
