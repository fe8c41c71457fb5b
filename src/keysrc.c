/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keysrc.c - -k files, pcapng Decryption Secrets Blocks and -w's copy of
 * the secrets, tied together (see keysrc.h).  The capture room finds the
 * DSBs, the key log room parses their lines; this file only decides when
 * the engine is told.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "keysrc.h"

static void no_refresh(void *ctx)
{
	(void)ctx;  /* DSB secrets are in the key log as soon as they are read */
}

/* A whole key log line: to the -w file, or kept until it is open. */
static void tap_line(void *ctx, const char *line, size_t len)
{
	struct td_keysrc *ks = ctx;
	if (ks->saving) {
		td_capture_save_secrets(ks->cap, line, len);
		td_capture_save_secrets(ks->cap, "\n", 1);
		return;
	}
	if (td_dynbuf_add(&ks->early, line, len) != TD_OK ||
	    td_dynbuf_add(&ks->early, "\n", 1) != TD_OK)
		ks->early_dropped += len + 1;
}

enum td_result td_keysrc_init(struct td_keysrc *ks, const char *const *keylogs, size_t n,
			      bool file_input, bool streaming, bool write,
			      char *err, size_t errlen)
{
	*ks = (struct td_keysrc){ .given = n > 0, .streaming = streaming };
	td_dynbuf_init(&ks->early, TD_CAP_SAVE_SECRETS);
	if (n == 0 && !file_input)
		return TD_OK;
	ks->keylog = td_keylog_new();
	if (!ks->keylog) {
		snprintf(err, errlen, "out of memory");
		return TD_ERR_NOMEM;
	}
	if (write)
		td_keylog_set_tap(ks->keylog, tap_line, ks);
	if (n > 0 && streaming) {
		/* Clients append while we capture; keep the files open and
		 * re-read them when a secret is missing. */
		enum td_result r = td_keylog_watch_new(&ks->watch, ks->keylog, keylogs, n,
						       err, errlen);
		if (r != TD_OK)
			return r;
		ks->wait = true;
		return TD_OK;
	}
	for (size_t i = 0; i < n; i++) {
		enum td_result r = td_keylog_load_file(ks->keylog, keylogs[i], err, errlen);
		if (r != TD_OK)
			return r;
	}
	return TD_OK;
}

/* Tell the engine and the diagnoser what changed since the last time. */
static void apply(struct td_keysrc *ks)
{
	if (!ks->eng || !(ks->given || ks->dsb_seen))
		return;
	if (ks->applied && ks->applied_wait == ks->wait)
		return;
	td_engine_set_keylog(ks->eng, ks->keylog,
			     ks->wait ? (ks->watch ? td_keylog_watch_poll : no_refresh) : NULL,
			     ks->watch);
	if (ks->diag)
		td_diagnoser_set_keylog_given(ks->diag, true);
	ks->applied = true;
	ks->applied_wait = ks->wait;
}

void td_keysrc_on_secrets(void *ctx, const uint8_t *text, size_t len, bool after_packets)
{
	struct td_keysrc *ks = ctx;
	if (!ks->keylog)
		return;
	/* --workers: the workers read the key log as the reader thread hands
	 * them packets; what comes before the first packet is in before any
	 * of them starts, what comes later would be written while they read. */
	if (ks->shared && after_packets) {
		ks->dsb_ignored++;
		return;
	}
	if (td_keylog_add_text(ks->keylog, (const char *)text, len) != TD_OK)
		ks->nomem = true;
	ks->dsb_seen = true;
	/* Secrets that arrive during the capture: wait for the next ones. */
	if (after_packets || ks->streaming)
		ks->wait = true;
	apply(ks);
}

bool td_keysrc_wants_pcapng(const struct td_keysrc *ks, const struct td_capture *cap)
{
	struct td_pcapng_stats st;
	td_capture_pcapng_stats(cap, &st);
	return ks->given || st.pcapng;
}

void td_keysrc_save(struct td_keysrc *ks, struct td_capture *cap)
{
	ks->cap = cap;
	ks->saving = true;
	td_capture_save_secrets(cap, (const char *)ks->early.data, ks->early.len);
	td_dynbuf_reset(&ks->early);
}

void td_keysrc_config(struct td_keysrc *ks, struct td_config *cfg, struct td_diag_opts *dopts)
{
	bool keys = ks->given || ks->dsb_seen;
	dopts->keylog_given = keys;
	cfg->keylog = keys ? ks->keylog : NULL;
	cfg->keylog_refresh = NULL;
	cfg->keylog_refresh_ctx = NULL;
	if (keys && ks->wait) {
		cfg->keylog_refresh = ks->watch ? td_keylog_watch_poll : no_refresh;
		cfg->keylog_refresh_ctx = ks->watch;
	}
	ks->applied = keys;
	ks->applied_wait = keys && ks->wait;
}

void td_keysrc_engine(struct td_keysrc *ks, struct td_engine *eng, struct td_diagnoser *diag)
{
	ks->eng = eng;
	ks->diag = diag;
	apply(ks);
}

void td_keysrc_report(const struct td_keysrc *ks, const struct td_capture *cap)
{
	struct td_pcapng_stats st = { 0 };
	if (cap)
		td_capture_pcapng_stats(cap, &st);
	if (ks->dsb_ignored)
		fprintf(stderr, "tlsdiag: warning: %llu pcapng Decryption Secrets Block%s after the "
			"first packet not used with --workers (give the key log with -k)\n",
			(unsigned long long)ks->dsb_ignored, ks->dsb_ignored == 1 ? "" : "s");
	if (st.other_blocks)
		fprintf(stderr, "tlsdiag: note: %llu pcapng Decryption Secrets Block%s of another "
			"kind than a TLS key log skipped (secrets type 0x%08x)\n",
			(unsigned long long)st.other_blocks, st.other_blocks == 1 ? "" : "s",
			(unsigned)st.other_type);
	if (st.dropped_blocks)
		fprintf(stderr, "tlsdiag: warning: %llu pcapng Decryption Secrets Block%s larger "
			"than %u bytes skipped: their secrets are not used\n",
			(unsigned long long)st.dropped_blocks, st.dropped_blocks == 1 ? "" : "s",
			TD_CAP_DSB_BYTES);
	if (st.malformed_blocks)
		fprintf(stderr, "tlsdiag: warning: %llu malformed pcapng Decryption Secrets "
			"Block%s skipped (secrets longer than the block)\n",
			(unsigned long long)st.malformed_blocks, st.malformed_blocks == 1 ? "" : "s");
	if (st.cut_blocks)
		fprintf(stderr, "tlsdiag: warning: the capture ends inside a pcapng Decryption "
			"Secrets Block: its secrets are not used\n");
	if (st.stopped)
		fprintf(stderr, "tlsdiag: warning: pcapng: %s; Decryption Secrets Blocks after "
			"it are not looked for\n", st.stopped);
	if (ks->nomem)
		fprintf(stderr, "tlsdiag: warning: out of memory: secrets of a pcapng Decryption "
			"Secrets Block lost\n");
	uint64_t lost = ks->early_dropped + td_capture_save_secrets_dropped(cap);
	if (lost)
		fprintf(stderr, "tlsdiag: warning: -w: %llu bytes of key log past %u not written "
			"to the file\n", (unsigned long long)lost, TD_CAP_SAVE_SECRETS);
	if (ks->dsb_seen && !ks->given && ks->keylog) {
		size_t first = 0, bad = td_keylog_bad_lines(ks->keylog, &first);
		if (bad)
			fprintf(stderr, "tlsdiag: warning: pcapng Decryption Secrets Blocks: %zu "
				"malformed key log line%s skipped\n", bad, bad == 1 ? "" : "s");
	}
}

void td_keysrc_cleanup(struct td_keysrc *ks)
{
	td_keylog_watch_free(ks->watch);
	td_keylog_free(ks->keylog);
	td_dynbuf_cleanup(&ks->early);
	*ks = (struct td_keysrc){ 0 };
}
