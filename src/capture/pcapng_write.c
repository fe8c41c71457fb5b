/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapng_write.c - the few pcapng blocks -w writes (see pcapng.h).
 *
 * libpcap 1.10 writes only classic pcap, and Debian 12 packages no
 * general pcapng writer library (apt-cache search pcapng: DPDK's
 * librte-pcapng, tied to DPDK ports, and pcapfix, a repair tool), so the
 * four blocks needed are written here: an SHB, one IDB, the secrets
 * (DSB; editcap --inject-secrets puts it before the IDB, which is as
 * good: both come before the first packet), then Enhanced Packet Blocks,
 * with DSBs between them when secrets arrive during the run.
 * Host byte order throughout: the SHB's byte-order magic says which.
 */
#include "config.h"

#include <string.h>

#include "pcapng.h"

/* Options (section 3.5): code, length, value padded to 32 bits. */
#define OPT_ENDOFOPT     0u
#define OPT_SHB_USERAPPL 4u

static size_t pad4(size_t n)
{
	return (4u - (n & 3u)) & 3u;
}

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, sizeof v, 1, f);
}

static void put16(FILE *f, uint16_t v)
{
	fwrite(&v, sizeof v, 1, f);
}

static void put_bytes(FILE *f, const void *p, size_t n)
{
	static const uint8_t zero[4];
	if (n)
		fwrite(p, 1, n, f);
	fwrite(zero, 1, pad4(n), f);
}

enum td_result td_pcapng_write_header(FILE *f, uint32_t linktype, uint32_t snaplen,
				      const char *app)
{
	size_t alen = app ? strlen(app) : 0;
	if (alen > UINT16_MAX)
		alen = UINT16_MAX;
	size_t opts = alen ? 4u + alen + pad4(alen) + 4u : 0;
	uint32_t total = (uint32_t)(28u + opts);
	put32(f, TD_PCAPNG_SHB);
	put32(f, total);
	put32(f, TD_PCAPNG_BOM);
	put16(f, 1);                      /* major */
	put16(f, 0);                      /* minor */
	put32(f, UINT32_MAX);             /* section length: unknown (-1) */
	put32(f, UINT32_MAX);
	if (alen) {
		put16(f, OPT_SHB_USERAPPL);
		put16(f, (uint16_t)alen);
		put_bytes(f, app, alen);
		put32(f, OPT_ENDOFOPT);
	}
	put32(f, total);

	put32(f, TD_PCAPNG_IDB);
	put32(f, 20);
	put16(f, (uint16_t)linktype);
	put16(f, 0);                      /* reserved */
	put32(f, snaplen);
	put32(f, 20);
	return TD_OK;
}

enum td_result td_pcapng_write_packet(FILE *f, uint64_t ts_us, const uint8_t *data,
				      size_t caplen, size_t wirelen)
{
	uint64_t total = 32u + (uint64_t)caplen + pad4(caplen);
	if (total > UINT32_MAX || wirelen > UINT32_MAX)
		return TD_ERR_CAP;
	put32(f, TD_PCAPNG_EPB);
	put32(f, (uint32_t)total);
	put32(f, 0);                      /* interface */
	put32(f, (uint32_t)(ts_us >> 32));
	put32(f, (uint32_t)ts_us);
	put32(f, (uint32_t)caplen);
	put32(f, (uint32_t)wirelen);
	put_bytes(f, data, caplen);
	put32(f, (uint32_t)total);
	return TD_OK;
}

enum td_result td_pcapng_write_secrets(FILE *f, const uint8_t *text, size_t len)
{
	uint64_t total = 20u + (uint64_t)len + pad4(len);
	if (total > UINT32_MAX)
		return TD_ERR_CAP;
	put32(f, TD_PCAPNG_DSB);
	put32(f, (uint32_t)total);
	put32(f, TD_PCAPNG_SECRETS_TLS);
	put32(f, (uint32_t)len);
	put_bytes(f, text, len);
	put32(f, (uint32_t)total);
	return TD_OK;
}
