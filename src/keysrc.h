/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keysrc.h - where the TLS secrets come from, tied together for main():
 * -k files (read whole, or watched as they grow when the capture is live
 * or streamed), the pcapng Decryption Secrets Blocks of the capture
 * itself (capture.h), and the copy -w writes into a pcapng file.
 *
 * Order of use: td_keysrc_init() (before the capture is opened, with
 * privileges), open the capture with td_keysrc_on_secrets as its secrets
 * callback, td_keysrc_opened(), td_keysrc_save() when -w is given,
 * td_keysrc_config() before the engine is made, td_keysrc_engine() after,
 * td_keysrc_report() at the end, td_keysrc_cleanup().
 *
 * When keys count (the rules of tlsdiag(1), -k):
 *   - -k given: from the start, as always.
 *   - DSBs before the first packet of a file (editcap --inject-secrets,
 *     tlsdiag -w): from the start, exactly as if given with -k.
 *   - a DSB after packets: its secrets count from where it is read
 *     (before any packet after it is analysed); from then on a missing
 *     secret is waited for until the connection ends, as with a live key
 *     log (the records are held, TD_CAP_HELD_RECORDS).
 *   - a streamed capture (-r from a pipe or FIFO, -i): -k files are
 *     watched (a FIFO never blocks start-up, appended lines are read),
 *     and missing secrets are waited for once any key source exists.
 */
#ifndef TD_KEYSRC_H
#define TD_KEYSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "diagnose.h"
#include "dynbuf.h"
#include "engine.h"
#include "keylog.h"
#include "result.h"

struct td_keysrc {
	struct td_keylog *keylog;       /* owned; NULL: no key source possible */
	struct td_keylog_watch *watch;  /* owned; -k watched (streamed input) */
	bool given;                     /* -k given */
	bool streaming;                 /* the input is a pipe, FIFO or interface */
	bool dsb_seen;                  /* a DSB handed secrets over */
	bool wait;                      /* missing secrets are to be waited for */
	bool applied, applied_wait;     /* what the engine was last told */
	bool nomem;                     /* secrets lost for want of memory */
	struct td_capture *cap;         /* borrowed: the -w file's capture */
	bool saving;                    /* -w writes pcapng: lines go to cap */
	struct td_dynbuf early;         /* lines before the -w file was open */
	uint64_t early_dropped;
	bool shared;                    /* --workers: the key log is read by several
					   threads; secrets past the first packet are
					   not taken (counted in dsb_ignored) */
	uint64_t dsb_ignored;
	struct td_engine *eng;          /* borrowed */
	struct td_diagnoser *diag;      /* borrowed */
};

/* Set up: a key log when keys may come (-k, or a capture file), its -k
 * files read (or watched when streaming), lines copied for -w when
 * write is true.  TD_ERR_IO / TD_ERR_NOMEM / TD_ERR_USAGE with err. */
enum td_result td_keysrc_init(struct td_keysrc *ks, const char *const *keylogs, size_t n,
			      bool file_input, bool streaming, bool write,
			      char *err, size_t errlen) TD_MUST_CHECK;

/* The capture's secrets callback (td_capture_open_file_secrets). */
void td_keysrc_on_secrets(void *ctx, const uint8_t *text, size_t len, bool after_packets);

/* The capture is open: does -w write pcapng (true: -k given or the
 * capture is pcapng, so there are or may be secrets to carry)? */
bool td_keysrc_wants_pcapng(const struct td_keysrc *ks, const struct td_capture *cap);

/* -w writes pcapng to cap: the lines so far go to it, later ones follow. */
void td_keysrc_save(struct td_keysrc *ks, struct td_capture *cap);

/* Fill the engine's and the diagnoser's key settings for the start. */
void td_keysrc_config(struct td_keysrc *ks, struct td_config *cfg, struct td_diag_opts *dopts);

/* The engine and diagnoser exist: keys arriving later are passed on. */
void td_keysrc_engine(struct td_keysrc *ks, struct td_engine *eng, struct td_diagnoser *diag);

/* Warnings on stderr: DSBs skipped, dropped or cut short, a walk that
 * stopped, -w secrets dropped, malformed key log lines. */
void td_keysrc_report(const struct td_keysrc *ks, const struct td_capture *cap);

void td_keysrc_cleanup(struct td_keysrc *ks);

#endif
