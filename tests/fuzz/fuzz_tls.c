/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_tls.c - libFuzzer harness: the TLS record and handshake layers
 * over a two-direction byte stream, through the whole engine.
 *
 * The input describes a TCP conversation; the harness builds the frames
 * (tests/unit/frames.c) and hands them to td_engine_frame(), so what is
 * fuzzed is the byte streams, not the packet headers (fuzz_capture does
 * those).  Layout, read through the bounded reader:
 *
 *   opts0   1 byte  bits 0-2 link type (enum td_link order), bit 3 IPv6,
 *                   bit 4 start with SYN/SYN-ACK, bit 5 end with FINs,
 *                   bit 6 end with a server RST, bit 7 small caps
 *                   (2 flows, 2 KiB per direction, 4 KiB in all)
 *   opts1   1 byte  bits 0-1 server port (443, 8443, 8080, 25),
 *                   bit 2 unordered reporting, bit 3 an 802.1Q tag,
 *                   bit 4 colour and bit 5 verbose text report
 *   chunk*          until the input ends:
 *     hdr   1 byte  bit 7 from the server, bit 6 a gap (the bytes are
 *                   skipped in sequence space, never sent), bit 5 held
 *                   back and sent after the next segment (reordering),
 *                   bit 4 sent twice (a retransmission), bit 3 a new
 *                   connection from the next client port starts here,
 *                   bits 0-2 time since the last segment: n ms, 7 = 200 s
 *                   (past the idle timeout)
 *     len   2 bytes big-endian; cut to what is left
 *     data  len bytes of TCP payload (split into 16 KiB segments)
 *
 * The seeds (tests/fuzz/make-seeds.py) are the TCP payloads of the
 * connections in captures/, one chunk per segment.  The engine has the
 * key logs of captures/, so the TLS 1.3 seeds decrypt, and reports to
 * the checked JSON + text writers (fuzz_common.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_conv.h"
#include "reader.h"

enum {
	O0_LINK = 0x07, O0_V6 = 0x08, O0_SYN = 0x10, O0_FIN = 0x20, O0_RST = 0x40, O0_SMALL = 0x80,
	O1_PORT = 0x03, O1_UNORDERED = 0x04, O1_VLAN = 0x08, O1_COLOR = 0x10, O1_VERBOSE = 0x20,
	C_SERVER = 0x80, C_GAP = 0x40, C_HOLD = 0x20, C_DUP = 0x10, C_NEWCONN = 0x08, C_TIME = 0x07
};

static const enum td_link links[8] = {
	TD_LINK_ETHERNET, TD_LINK_SLL, TD_LINK_SLL2, TD_LINK_NULL,
	TD_LINK_LOOP, TD_LINK_RAW, TD_LINK_IPV4, TD_LINK_IPV6
};
static const uint16_t ports[4] = { 443, 8443, 8080, 25 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	td_fuzz_global_init();
	(void)td_fuzz_capture_keylog();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_reader r = td_rd_make(data, size);
	uint8_t o0 = td_rd_u8(&r);
	uint8_t o1 = td_rd_u8(&r);
	if (!td_rd_ok(&r))
		return 0;
	td_fuzz_global_init();

	struct td_fuzz_out out;
	td_fuzz_out_open(&out, o1 & O1_COLOR, o1 & O1_VERBOSE);
	struct td_config cfg;
	td_config_defaults(&cfg);
	cfg.ordered = !(o1 & O1_UNORDERED);
	if (o0 & O0_SMALL) {
		cfg.max_flows = 2;
		cfg.flow_buffer = 2048;
		cfg.max_memory = 4096;
	}
	cfg.keylog = td_fuzz_capture_keylog();
	cfg.diagnoser = td_fuzz_diagnoser_new();
	struct td_engine *eng = td_engine_new(&cfg, out.sink);
	if (!eng)
		td_fuzz_fail("out of memory");
	static struct td_conv cv;   /* static: the frame buffer is 70 kB */
	td_conv_init(&cv, eng, links[o0 & O0_LINK], o0 & O0_V6, ports[o1 & O1_PORT],
		     o1 & O1_VLAN);

	td_conv_start(&cv, o0 & O0_SYN);
	while (td_rd_left(&r) > 0) {
		uint8_t hdr = td_rd_u8(&r);
		size_t want = td_rd_u16(&r);
		size_t n = want < td_rd_left(&r) ? want : td_rd_left(&r);
		const uint8_t *p = td_rd_bytes(&r, n);
		int side = (hdr & C_SERVER) ? 1 : 0;
		unsigned dt = hdr & C_TIME;
		cv.ts += dt == 7 ? 200000000ull : dt * 1000ull;
		if (hdr & C_NEWCONN) {
			td_conv_end(&cv, o0 & O0_FIN, o0 & O0_RST);
			cv.cport++;
			td_conv_start(&cv, o0 & O0_SYN);
		}
		if (hdr & C_GAP) {
			cv.seq[side] += (uint32_t)n;
			continue;
		}
		if (hdr & C_HOLD)
			cv.hold_next = true;
		td_conv_send(&cv, side, p, n, hdr & C_DUP);
	}
	td_conv_end(&cv, o0 & O0_FIN, o0 & O0_RST);
	td_engine_finish(eng);
	td_engine_free(eng);
	td_conv_cleanup(&cv);
	td_diagnoser_free(cfg.diagnoser);
	td_fuzz_out_close(&out);
	return 0;
}
