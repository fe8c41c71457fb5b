/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filehash.h - SHA-256: of a file, for the Markdown report's header
 * (a reader can check that the report describes the capture they hold),
 * and of a buffer (the JA4 fingerprint's hashed parts, src/tls/ja4.c).
 *
 * src/crypto/filehash.c, through wolfSSL's wc_Sha256 (src/crypto is one of
 * wolfSSL's two rooms).
 */
#ifndef TD_FILEHASH_H
#define TD_FILEHASH_H

#include <stddef.h>
#include <stdint.h>
#include "result.h"

/*
 * Hash the file at path and write its SHA-256 as 64 lowercase hex
 * digits and a NUL into out_hex65.  The file is read in blocks, so any
 * size works in constant memory.  On failure out_hex65 is the empty
 * string and err (errlen bytes, may be NULL) says why:
 * TD_ERR_IO when the file cannot be opened or read (errno's text),
 * TD_ERR_UNSUPPORTED for "-" (standard input cannot be read twice),
 * TD_ERR_USAGE for a NULL or empty path.
 */
enum td_result td_file_sha256(const char *path, char out_hex65[65], char *err,
			      size_t errlen) TD_MUST_CHECK;

/* The SHA-256 of len bytes at data (NULL is fine when len is 0) into
 * out.  TD_ERR_UNSUPPORTED when wolfSSL fails (out is then zeroed),
 * TD_ERR_USAGE for a length wolfSSL cannot take (over 4 GiB). */
enum td_result td_sha256(const void *data, size_t len, uint8_t out[32]) TD_MUST_CHECK;

/* The SHA-1 of len bytes at data into out, with td_sha256()'s errors. */
enum td_result td_sha1(const void *data, size_t len, uint8_t out[20]) TD_MUST_CHECK;

#endif
