/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor.c - the benchmark's floor: the cheapest possible libpcap reader.
 *
 * A bare pcap_next_ex() loop over a capture file that only counts packets
 * and captured bytes.  Any tool that reads a capture through libpcap pays
 * at least this much, so `make bench` reports every analyzer's time as a
 * multiple of it ("x floor").  The counts go to standard output so the
 * loop cannot be optimized away and the driver can check them.
 *
 * The file is read through the same 256 KiB stdio buffer tlsdiag gives
 * libpcap (src/capture/capture.c): with stdio's default 4 KiB the floor
 * itself took twice as long, and a floor slower than it need be would
 * flatter every ratio.
 *
 * Usage: floor FILE
 * Prints: "packets N bytes B" (B = the sum of captured lengths).
 *        floor --version prints libpcap's version.
 * Exit status: 0, or 2 when the file cannot be read.
 */
#include "config.h"

#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	if (argc != 2) {
		fprintf(stderr, "usage: floor FILE\n");
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s\n", pcap_lib_version());
		return 0;
	}
	FILE *f = fopen(argv[1], "rb");
	static char iobuf[256u * 1024u];
	if (!f || setvbuf(f, iobuf, _IOFBF, sizeof iobuf) != 0) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	pcap_t *p = pcap_fopen_offline(f, err);
	if (!p) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], err);
		fclose(f);
		return 2;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, bytes = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen;
	}
	int status = 0;
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], pcap_geterr(p));
		status = 2;
	}
	pcap_close(p);
	printf("packets %" PRIu64 " bytes %" PRIu64 "\n", packets, bytes);
	return status;
}
