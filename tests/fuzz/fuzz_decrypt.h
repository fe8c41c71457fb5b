/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_decrypt.h - what the two halves of the decrypt harness share:
 * fuzz_decrypt.c (the entry point, TLS 1.3) and fuzz_decrypt12.c
 * (TLS 1.0-1.2).  See fuzz_decrypt.c for the input layout.
 */
#ifndef TD_FUZZ_DECRYPT_H
#define TD_FUZZ_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "fuzz_conv.h"
#include "keylog.h"
#include "reader.h"

/* The client random of every connection the harness makes, and the
 * fixed secrets the key logs hold for it. */
extern uint8_t td_fd_client_random[32];
extern const uint8_t td_fd_server_random[32];
void td_fd_secret(enum td_keylog_label label, size_t len, uint8_t *out);

/* A small writer for hellos and records. */
struct td_fd_wr {
	uint8_t b[1024];
	size_t n;
};
void td_fd_put8(struct td_fd_wr *w, unsigned v);
void td_fd_put16(struct td_fd_wr *w, unsigned v);
void td_fd_putn(struct td_fd_wr *w, const uint8_t *p, size_t n);
/* Patch the big-endian length (`bytes` wide) at off: what follows it. */
void td_fd_patch(struct td_fd_wr *w, size_t off, size_t bytes);

/* A connection through the engine: output, config, engine, frames.
 * opts bit 3 no SYN, bits 4-5 server port, bit 6 colour, bit 7 verbose. */
struct td_fd_run {
	struct td_fuzz_out out;
	struct td_config cfg;
	struct td_engine *eng;
	struct td_conv *cv;
};
void td_fd_run_start(struct td_fd_run *run, uint8_t opts, bool sha384);
void td_fd_run_stop(struct td_fd_run *run);

/* TLS 1.0-1.2 (fuzz_decrypt12.c): mode is the input's first byte. */
void td_fd_record12(uint8_t mode, struct td_reader *r);
void td_fd_connection12(uint8_t mode, struct td_reader *r);

#endif
