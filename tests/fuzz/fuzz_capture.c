/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_capture.c - libFuzzer harness: a whole capture file through the
 * full pipeline, as `tlsdiag -r FILE -k captures/ *.keylog` runs it.
 *
 * Input: the bytes of a capture file (pcap, pcapng, or gzip of either).
 * td_capture_open_file() wants a path, so the bytes go to a memfd that
 * is reopened through /proc/self/fd (no disk, no cleanup).  The engine
 * gets the key logs of captures/ (so the seeds, which are captures/,
 * decrypt their TLS 1.3 handshakes), a diagnoser with the lab trust
 * stores, and the JSON + text writers, whose output is checked
 * (fuzz_common.h).  The input's length picks the text writer's colour
 * and verbosity, so both paths are covered without spending input bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture.h"
#include "fuzz_common.h"

static int memfd = -1;
static char memfd_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	td_fuzz_global_init();
	(void)td_fuzz_capture_keylog();
	memfd = memfd_create("fuzz_capture", MFD_CLOEXEC);
	if (memfd < 0)
		td_fuzz_fail("memfd_create failed");
	snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
	return 0;
}

static void frame_cb(void *ctx, enum td_link link, uint64_t ts_us,
		     const uint8_t *data, size_t caplen, size_t wirelen)
{
	td_engine_frame(ctx, link, ts_us, data, caplen, wirelen);
}

static void write_all(const uint8_t *data, size_t size)
{
	if (ftruncate(memfd, 0) != 0)
		td_fuzz_fail("ftruncate failed");
	size_t off = 0;
	while (off < size) {
		ssize_t n = pwrite(memfd, data + off, size - off, (off_t)off);
		if (n <= 0)
			td_fuzz_fail("pwrite failed");
		off += (size_t)n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memfd < 0)
		LLVMFuzzerInitialize(NULL, NULL);
	write_all(data, size);

	char err[512] = "";
	struct td_capture *cap = NULL;
	if (td_capture_open_file(&cap, memfd_path, err, sizeof err) != TD_OK) {
		if (!err[0])
			td_fuzz_fail("td_capture_open_file failed without a message");
		return 0;
	}
	struct td_fuzz_out out;
	td_fuzz_out_open(&out, size & 1, size & 2);
	struct td_config cfg;
	td_config_defaults(&cfg);
	cfg.ordered = true;
	cfg.keylog = td_fuzz_capture_keylog();
	cfg.diagnoser = td_fuzz_diagnoser_new();
	struct td_engine *eng = td_engine_new(&cfg, out.sink);
	if (!eng)
		td_fuzz_fail("out of memory");
	enum td_result r = td_capture_run(cap, frame_cb, eng, err, sizeof err);
	if (r != TD_OK && !err[0])
		td_fuzz_fail("td_capture_run failed without a message");
	td_engine_finish(eng);
	td_engine_free(eng);
	td_diagnoser_free(cfg.diagnoser);
	td_fuzz_out_close(&out);
	td_capture_close(cap);
	return 0;
}
