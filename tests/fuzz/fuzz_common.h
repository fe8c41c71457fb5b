/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_common.h - what the libFuzzer harnesses of tests/fuzz/ share.
 *
 * Each harness (fuzz_*.c) defines LLVMFuzzerTestOneInput() and, when it
 * needs one-time set-up, LLVMFuzzerInitialize().  They are linked either
 * with libFuzzer (clang -fsanitize=fuzzer: `make fuzz`) or with
 * replay.c, a plain main() that feeds files to them (`make check` runs
 * the committed regression inputs that way, with any compiler).
 *
 * The output oracle: every harness that runs the engine reports through
 * a sink that tees to the JSON, text and Markdown writers, each writing
 * into memory.  At the end of the input the output is checked: every
 * JSON line must be one valid JSON value in valid UTF-8, the text and
 * Markdown reports valid UTF-8 with no control character but newline and
 * tab (and ESC in the text report when colour is on).  A violation aborts, which libFuzzer reports as
 * a crash: hostile bytes must never reach a terminal or break JSON.
 */
#ifndef TD_FUZZ_COMMON_H
#define TD_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diagnose.h"
#include "engine.h"
#include "keylog.h"
#include "sink.h"

/* libFuzzer's entry points (also called by replay.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The source tree (captures/, tests/unit/data/): $TD_FUZZ_SRCDIR, else
 * the directory compiled in (-DTD_FUZZ_SRCDIR=...), else ".". */
const char *td_fuzz_srcdir(void);

/* A path under the source tree, in a static buffer (overwritten by the
 * next call). */
const char *td_fuzz_path(const char *rel);

/* td_x509_global_init() once per process (cleanup at exit). */
void td_fuzz_global_init(void);

/* Abort with a message: libFuzzer saves the input as a crash. */
void td_fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* The key logs of captures/ (every captures/ *.keylog), loaded once;
 * NULL when none could be read.  Shared, read-only. */
const struct td_keylog *td_fuzz_capture_keylog(void);

/* A new diagnoser trusting the lab PKI (captures/lab): rootCA.crt for
 * servers, clientCAs.pem for clients; no system bundle (fast and the
 * same on every machine).  Falls back to no store when the files are
 * missing.  NULL only when memory runs out. */
struct td_diagnoser *td_fuzz_diagnoser_new(void);

/* Output captured in memory and checked (see above). */
struct td_fuzz_out {
	FILE *jf, *tf, *mf;
	char *json, *text, *md;
	size_t json_len, text_len, md_len;
	bool color;
	struct td_sink *sink;  /* the tee: JSON + text + Markdown */
};

/* Open the writers; color and verbose set the text writer's options.
 * Aborts when memory runs out (nothing to learn from that here). */
void td_fuzz_out_open(struct td_fuzz_out *o, bool color, bool verbose);
/* Free the sinks, check what they wrote (abort on a violation), free. */
void td_fuzz_out_close(struct td_fuzz_out *o);

/* Check functions, exposed for the harnesses' own uses. */
bool td_fuzz_utf8_ok(const char *s, size_t n, bool allow_esc, size_t *bad_at);
bool td_fuzz_json_line_ok(const char *s, size_t n);

#endif
