/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_quic.c - the QUIC packet layer (quic.h, quic_crypto.h).
 *
 * Vectors: RFC 9001 Appendix A (A.1 keys, A.2 the client Initial, A.3
 * the server Initial, A.4 Retry, A.5 the ChaCha20 header mask), RFC 9369
 * Appendix A (the same for QUIC version 2), RFC 9000 A.3 (packet number
 * decoding).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "quic.h"
#include "quic_crypto.h"
#include "tests.h"
#include "tls_handshake.h"

/* The client's first Destination Connection ID of every appendix. */
#define DCID_HEX "8394c8f03e515708"

/* A.2: the client's CRYPTO frame (its ClientHello), before PADDING to 1162 bytes. */
static const char A2_FRAMES[] =
	"060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c"
	"00000413011302010000c000000010000e00000b6578616d706c652e636f6dff01000100000a00080006"
	"001d0017001800100007000504616c706e000500050100000000003300260024001d00209370b2c9caa4"
	"7fbabaf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b0003020304000d0010000e040305"
	"0306030203080408050806002d00020101001c00024001003900320408ffffffffffffffff05048000ff"
	"ff07048000ffff0801100104800075300901100f088394c8f03e51570806048000ffff";

/* A.3: the server's payload (ACK, CRYPTO with its ServerHello) and packet. */
static const char A3_FRAMES[] =
	"02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739"
	"88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94"
	"0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00"
	"020304";
static const char A3_PROTECTED[] =
	"cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a"
	"5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3"
	"dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84"
	"022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4"
	"2158407dd074ee";
static const char V2_A3_PROTECTED[] =
	"dc6b3343cf0008f067a5502a4262b5004075d92faaf16f05d8a4398c47089698"
	"baeea26b91eb761d9b89237bbf87263017915358230035f7fd3945d88965cf17"
	"f9af6e16886c61bfc703106fbaf3cb4cfa52382dd16a393e42757507698075b2"
	"c984c707f0a0812d8cd5a6881eaf21ceda98f4bd23f6fe1a3e2c43edd9ce7ca8"
	"4bed8521e2e140";

/* A.4: Retry, v1 and v2. */
static const char A4_RETRY[] =
	"ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba";
static const char V2_A4_RETRY[] =
	"cf6b3343cf0008f067a5502a4262b5746f6b656ec8646ce8bfe33952d955543665dcc7b6";

static const char A2_PROTECTED[] =
	"c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
	"d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
	"1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
	"8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
	"30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
	"457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
	"4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
	"4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
	"485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
	"059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
	"7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
	"9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
	"be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
	"68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
	"c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
	"f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
	"291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
	"25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
	"14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
	"ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
	"e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
	"c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
	"203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
	"cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
	"fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
	"a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
	"90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
	"162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
	"40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
	"6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
	"8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
	"be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
	"54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
	"760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
	"f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
	"056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
	"7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
	"e221af44860018ab0856972e194cd934";

static const char V2_A2_PROTECTED[] =
	"d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"
	"dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"
	"9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"
	"250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"
	"12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500"
	"cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
	"18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33"
	"12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"
	"d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"
	"6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"
	"bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045"
	"636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
	"ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12"
	"16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"
	"4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"
	"fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"
	"8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7"
	"14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
	"9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91"
	"abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"
	"80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"
	"848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"
	"d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15"
	"c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
	"7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61"
	"f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"
	"10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"
	"3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"
	"06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce"
	"8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
	"34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1"
	"e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"
	"5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"
	"8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"
	"d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53"
	"6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
	"9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b"
	"a18b2faa745b6fe189cf772a9f84cbfc";

static struct td_quic_cid dcid(const char *hex)
{
	struct td_quic_cid c = { 0 };
	c.len = (uint8_t)td_test_unhex(hex, c.b, sizeof c.b);
	return c;
}

static void check_hex(const uint8_t *got, size_t n, const char *hex)
{
	uint8_t want[64];
	size_t wn = td_test_unhex(hex, want, sizeof want);
	CU_ASSERT_EQUAL(n, wn);
	CU_ASSERT(memcmp(got, want, wn) == 0);
}

static void test_initial_keys_v1(void)
{
	struct td_quic_cid d = dcid(DCID_HEX);
	struct td_quic_keys c, s;
	CU_ASSERT_EQUAL_FATAL(td_quic_initial_keys(TD_QUIC_V1, &d, &c, &s), TD_OK);
	CU_ASSERT_EQUAL(c.key_len, 16);
	check_hex(c.key, 16, "1f369613dd76d5467730efcbe3b1a22d");
	check_hex(c.iv, 12, "fa044b2f42a3fd3b46fb255c");
	check_hex(c.hp, 16, "9f50449e04a0e810283a1e9933adedd2");
	check_hex(s.key, 16, "cf3a5331653c364c88f0f379b6067e37");
	check_hex(s.iv, 12, "0ac1493ca1905853b0bba03e");
	check_hex(s.hp, 16, "c206b8d9b9f0f37644430b490eeaa314");
	CU_ASSERT_EQUAL(td_quic_initial_keys(0xff00001du, &d, &c, &s), TD_ERR_UNSUPPORTED);
}

static void test_initial_keys_v2(void)
{
	/* RFC 9369 A.1. */
	struct td_quic_cid d = dcid(DCID_HEX);
	struct td_quic_keys c, s;
	CU_ASSERT_EQUAL_FATAL(td_quic_initial_keys(TD_QUIC_V2, &d, &c, &s), TD_OK);
	check_hex(c.key, 16, "8b1a0bc121284290a29e0971b5cd045d");
	check_hex(c.iv, 12, "91f73e2351d8fa91660e909f");
	check_hex(c.hp, 16, "45b95e15235d6f45a6b19cbcb0294ba9");
	check_hex(s.key, 16, "82db637861d55e1d011f19ea71d5d2a7");
	check_hex(s.iv, 12, "dd13c276499c0249d3310652");
	check_hex(s.hp, 16, "edf6d05c83121201b436e16877593c3a");
}

static void test_hp_mask(void)
{
	uint8_t hp[32], sample[16], mask[5];
	/* A.2 (client) and A.3 (server). */
	td_test_unhex("9f50449e04a0e810283a1e9933adedd2", hp, sizeof hp);
	td_test_unhex("d1b1c98dd7689fb8ec11d242b123dc9b", sample, sizeof sample);
	CU_ASSERT_EQUAL_FATAL(td_quic_hp_mask(TD_AEAD_AES_GCM, hp, 16, sample, mask), TD_OK);
	check_hex(mask, 5, "437b9aec36");
	td_test_unhex("c206b8d9b9f0f37644430b490eeaa314", hp, sizeof hp);
	td_test_unhex("2cd0991cd25b0aac406a5816b6394100", sample, sizeof sample);
	CU_ASSERT_EQUAL_FATAL(td_quic_hp_mask(TD_AEAD_AES_GCM, hp, 16, sample, mask), TD_OK);
	check_hex(mask, 5, "2ec0d8356a");
	/* A.5: ChaCha20. */
	td_test_unhex("25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4", hp,
		      sizeof hp);
	td_test_unhex("5e5cd55c41f69080575d7999c25a5bfb", sample, sizeof sample);
	CU_ASSERT_EQUAL_FATAL(td_quic_hp_mask(TD_AEAD_CHACHA20_POLY1305, hp, 32, sample, mask),
			      TD_OK);
	check_hex(mask, 5, "aefefe7d03");
	CU_ASSERT_EQUAL(td_quic_hp_mask(TD_AEAD_AES_GCM, hp, 15, sample, mask), TD_ERR_USAGE);
}

struct collect {
	uint8_t data[4096];
	size_t len;
	uint64_t first_offset;
	size_t crypto_frames;
	struct td_quic_close close;
	bool closed;
};

static void on_crypto(void *ctx, uint64_t off, const uint8_t *d, size_t n)
{
	struct collect *c = ctx;
	if (c->crypto_frames++ == 0)
		c->first_offset = off;
	if (n <= sizeof c->data - c->len) {
		memcpy(c->data + c->len, d, n);
		c->len += n;
	}
}

static void on_close(void *ctx, const struct td_quic_close *cl)
{
	struct collect *c = ctx;
	c->close = *cl;
	c->closed = true;
}

/* Open a protected packet with the Initial keys of DCID_HEX; the payload
 * into out (at least 1500 bytes), its length returned, 0 on failure. */
static size_t open_packet(uint32_t version, bool from_client, const char *hex, uint8_t *pkt,
			  uint8_t *out, uint64_t *pn, struct td_quic_hdr *h)
{
	size_t n = td_test_unhex(hex, pkt, 1500);
	struct td_quic_cid d = dcid(DCID_HEX);
	struct td_quic_keys c, s;
	if (td_quic_initial_keys(version, &d, &c, &s) != TD_OK)
		return 0;
	if (td_quic_parse(pkt, n, h) != TD_OK || h->size != n)
		return 0;
	size_t len = 0;
	if (td_quic_unprotect(from_client ? &c : &s, pkt, h, UINT64_MAX, out, &len, pn) != TD_OK)
		return 0;
	return len;
}

static void check_client_initial(uint32_t version, const char *hex)
{
	uint8_t pkt[1500], out[1500], want[1200];
	uint64_t pn = 0;
	struct td_quic_hdr h;
	CU_ASSERT_TRUE(td_quic_looks_initial(pkt, td_test_unhex(hex, pkt, sizeof pkt)));
	size_t len = open_packet(version, true, hex, pkt, out, &pn, &h);
	CU_ASSERT_EQUAL_FATAL(len, 1162);
	CU_ASSERT_EQUAL(h.type, TD_QP_INITIAL);
	CU_ASSERT_EQUAL(h.version, version);
	CU_ASSERT_EQUAL(h.dcid.len, 8);
	CU_ASSERT_EQUAL(h.scid.len, 0);
	CU_ASSERT_EQUAL(h.token_len, 0);
	CU_ASSERT_EQUAL(pn, 2);
	size_t wn = td_test_unhex(A2_FRAMES, want, sizeof want);
	memset(want + wn, 0, 1162 - wn);  /* PADDING */
	CU_ASSERT(memcmp(out, want, 1162) == 0);

	/* Its frames: one CRYPTO at offset 0 holding the ClientHello. */
	struct collect col = { 0 };
	struct td_quic_frame_cb cb = { on_crypto, on_close, &col };
	struct td_quic_frame_info info;
	CU_ASSERT_EQUAL(td_quic_frames(out, len, &cb, &info), TD_OK);
	CU_ASSERT_EQUAL(col.crypto_frames, 1);
	CU_ASSERT_EQUAL(col.first_offset, 0);
	CU_ASSERT_EQUAL_FATAL(col.len, 241);
	CU_ASSERT_EQUAL(col.data[0], 1);  /* ClientHello */
	struct td_client_hello ch = { 0 };
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(col.data + 4, col.len - 4, &ch), TD_OK);
	CU_ASSERT_STRING_EQUAL(ch.sni ? ch.sni : "", "example.com");
	CU_ASSERT_EQUAL(ch.alpn.n, 1);
	if (ch.alpn.n == 1)
		CU_ASSERT_STRING_EQUAL(ch.alpn.v[0], "alpn");
	CU_ASSERT_TRUE(td_u16list_has(&ch.suites, 0x1301));
	td_client_hello_cleanup(&ch);

	/* One flipped byte of ciphertext: it does not authenticate. */
	size_t n = td_test_unhex(hex, pkt, sizeof pkt);
	pkt[100] ^= 1;
	struct td_quic_cid d = dcid(DCID_HEX);
	struct td_quic_keys c, s;
	CU_ASSERT_EQUAL_FATAL(td_quic_initial_keys(version, &d, &c, &s), TD_OK);
	CU_ASSERT_EQUAL(td_quic_parse(pkt, n, &h), TD_OK);
	CU_ASSERT_EQUAL(td_quic_unprotect(&c, pkt, &h, UINT64_MAX, out, &len, &pn),
			TD_ERR_MALFORMED);
	/* The server's keys do not open the client's packet. */
	pkt[100] ^= 1;
	CU_ASSERT_EQUAL(td_quic_unprotect(&s, pkt, &h, UINT64_MAX, out, &len, &pn),
			TD_ERR_MALFORMED);
}

static void test_client_initial_v1(void)
{
	check_client_initial(TD_QUIC_V1, A2_PROTECTED);
}

static void test_client_initial_v2(void)
{
	check_client_initial(TD_QUIC_V2, V2_A2_PROTECTED);
}

static void check_server_initial(uint32_t version, const char *hex)
{
	uint8_t pkt[1500], out[1500], want[200];
	uint64_t pn = 0;
	struct td_quic_hdr h;
	size_t len = open_packet(version, false, hex, pkt, out, &pn, &h);
	size_t wn = td_test_unhex(A3_FRAMES, want, sizeof want);
	CU_ASSERT_EQUAL_FATAL(len, wn);
	CU_ASSERT(memcmp(out, want, wn) == 0);
	CU_ASSERT_EQUAL(pn, 1);
	CU_ASSERT_EQUAL(h.scid.len, 8);
	CU_ASSERT_EQUAL(h.dcid.len, 0);
	CU_ASSERT_FALSE(td_quic_looks_initial(pkt, h.size));  /* no 8-byte DCID */

	struct collect col = { 0 };
	struct td_quic_frame_cb cb = { on_crypto, on_close, &col };
	struct td_quic_frame_info info;
	CU_ASSERT_EQUAL(td_quic_frames(out, len, &cb, &info), TD_OK);
	CU_ASSERT_EQUAL(info.frames, 2);  /* ACK, CRYPTO */
	CU_ASSERT_EQUAL_FATAL(col.len, 0x5a);
	CU_ASSERT_EQUAL(col.data[0], 2);  /* ServerHello */
	struct td_server_hello sh = { 0 };
	CU_ASSERT_EQUAL(td_tls_decode_server_hello(col.data + 4, col.len - 4, &sh), TD_OK);
	CU_ASSERT_EQUAL(sh.cipher, 0x1301);
	CU_ASSERT_EQUAL(sh.selected_version, 0x0304);
	CU_ASSERT_EQUAL(sh.key_share_group, 0x001d);
	td_server_hello_cleanup(&sh);
}

static void test_server_initial_v1(void)
{
	check_server_initial(TD_QUIC_V1, A3_PROTECTED);
}

static void test_server_initial_v2(void)
{
	check_server_initial(TD_QUIC_V2, V2_A3_PROTECTED);
}

static void check_retry(uint32_t version, const char *hex)
{
	uint8_t pkt[100];
	size_t n = td_test_unhex(hex, pkt, sizeof pkt);
	struct td_quic_hdr h;
	CU_ASSERT_EQUAL_FATAL(td_quic_parse(pkt, n, &h), TD_OK);
	CU_ASSERT_EQUAL(h.type, TD_QP_RETRY);
	CU_ASSERT_EQUAL(h.version, version);
	CU_ASSERT_EQUAL(h.size, n);
	CU_ASSERT_EQUAL(h.scid.len, 8);
	CU_ASSERT_EQUAL_FATAL(h.token_len, 5);
	CU_ASSERT(memcmp(h.token, "token", 5) == 0);
	struct td_quic_cid od = dcid(DCID_HEX);
	CU_ASSERT_TRUE(td_quic_retry_valid(version, &od, pkt, n));
	struct td_quic_cid other = dcid("0102030405060708");
	CU_ASSERT_FALSE(td_quic_retry_valid(version, &other, pkt, n));
	pkt[16] ^= 0xff;
	CU_ASSERT_FALSE(td_quic_retry_valid(version, &od, pkt, n));
	/* The Retry's Source Connection ID gives the next Initial keys. */
	struct td_quic_keys c, s;
	CU_ASSERT_EQUAL(td_quic_initial_keys(version, &h.scid, &c, &s), TD_OK);
}

static void test_retry(void)
{
	check_retry(TD_QUIC_V1, A4_RETRY);
	check_retry(TD_QUIC_V2, V2_A4_RETRY);
}

static void test_version_negotiation(void)
{
	static const uint8_t vn[] = { 0x80, 0, 0, 0, 0, 4, 1, 2, 3, 4, 2, 5, 6,
				      0, 0, 0, 1, 0x6b, 0x33, 0x43, 0xcf };
	struct td_quic_hdr h;
	CU_ASSERT_EQUAL_FATAL(td_quic_parse(vn, sizeof vn, &h), TD_OK);
	CU_ASSERT_EQUAL(h.type, TD_QP_VERSION_NEG);
	CU_ASSERT_EQUAL(h.n_versions, 2);
	CU_ASSERT_EQUAL(h.dcid.len, 4);
	CU_ASSERT_EQUAL(h.scid.len, 2);
	CU_ASSERT_STRING_EQUAL(td_quic_version_name(TD_QUIC_V2), "QUICv2");
	CU_ASSERT_STRING_EQUAL(td_quic_version_name(0xff00001du), "draft-29");
	CU_ASSERT_PTR_NULL(td_quic_version_name(0x12345678u));
	/* A short header runs to the end; a zero byte is padding. */
	static const uint8_t sh[] = { 0x41, 1, 2, 3 };
	CU_ASSERT_EQUAL(td_quic_parse(sh, sizeof sh, &h), TD_OK);
	CU_ASSERT_EQUAL(h.type, TD_QP_1RTT);
	static const uint8_t pad[] = { 0, 0 };
	CU_ASSERT_EQUAL(td_quic_parse(pad, sizeof pad, &h), TD_SKIP);
}

/* Every prefix of a packet parses or fails cleanly; a coalesced pair is
 * split where the first packet's Length says. */
static void test_truncation_and_coalescing(void)
{
	uint8_t pkt[1500];
	size_t n = td_test_unhex(A3_PROTECTED, pkt, sizeof pkt);
	struct td_quic_hdr h;
	for (size_t i = 0; i < n; i++) {
		enum td_result r = td_quic_parse(pkt, i, &h);
		CU_ASSERT(r == TD_ERR_TRUNCATED || r == TD_ERR_MALFORMED || r == TD_SKIP);
	}
	uint8_t two[400];
	memcpy(two, pkt, n);
	memcpy(two + n, pkt, n);
	CU_ASSERT_EQUAL_FATAL(td_quic_parse(two, 2 * n, &h), TD_OK);
	CU_ASSERT_EQUAL(h.size, n);
	CU_ASSERT_EQUAL(td_quic_parse(two + h.size, 2 * n - h.size, &h), TD_OK);
	CU_ASSERT_EQUAL(h.size, n);
}

static void test_pn_decode(void)
{
	/* RFC 9000 A.3. */
	CU_ASSERT_EQUAL(td_quic_pn_decode(0xa82f30ea, 0x9b32, 16), 0xa82f9b32);
	CU_ASSERT_EQUAL(td_quic_pn_decode(UINT64_MAX, 2, 32), 2);
	CU_ASSERT_EQUAL(td_quic_pn_decode(UINT64_MAX, 0, 8), 0);
	CU_ASSERT_EQUAL(td_quic_pn_decode(255, 0, 8), 256);
	CU_ASSERT_EQUAL(td_quic_pn_decode(256, 0xff, 8), 255);
}

static void test_frames(void)
{
	/* PING, ACK with a range and ECN, CONNECTION_CLOSE 0x1c with crypto
	 * error 0x0178 (no_application_protocol), frame type 6, reason "x",
	 * then an unknown frame type 0x21 that stops the walk. */
	static const uint8_t f[] = { 0x01, 0x03, 0x05, 0x00, 0x01, 0x00, 0x01, 0x01, 0x00, 0x00,
				     0x00, 0x1c, 0x41, 0x78, 0x06, 0x01, 'x', 0x21, 0x00 };
	struct collect col = { 0 };
	struct td_quic_frame_cb cb = { on_crypto, on_close, &col };
	struct td_quic_frame_info info;
	CU_ASSERT_EQUAL(td_quic_frames(f, sizeof f, &cb, &info), TD_SKIP);
	CU_ASSERT_EQUAL(info.unknown_type, 0x21);
	CU_ASSERT_TRUE(col.closed);
	CU_ASSERT_EQUAL(col.close.error, 0x178);
	CU_ASSERT_EQUAL(col.close.frame_type, 6);
	CU_ASSERT_EQUAL(col.close.reason_len, 1);
	CU_ASSERT_FALSE(col.close.app);
	/* Each prefix fails cleanly or stops. */
	for (size_t i = 0; i < sizeof f; i++) {
		enum td_result r = td_quic_frames(f, i, NULL, &info);
		CU_ASSERT(r == TD_OK || r == TD_ERR_MALFORMED || r == TD_SKIP);
	}
	/* A CRYPTO frame longer than the payload. */
	static const uint8_t bad[] = { 0x06, 0x00, 0x10, 1, 2 };
	CU_ASSERT_EQUAL(td_quic_frames(bad, sizeof bad, &cb, &info), TD_ERR_MALFORMED);
}

static void deliver(void *ctx, const uint8_t *d, size_t n)
{
	struct collect *c = ctx;
	if (n <= sizeof c->data - c->len) {
		memcpy(c->data + c->len, d, n);
		c->len += n;
	}
}

static void test_stream(void)
{
	const uint8_t msg[] = "0123456789abcdefghij";
	struct td_quic_stream s;
	struct collect col = { 0 };
	td_quic_stream_init(&s);
	/* Out of order, overlapping, duplicated. */
	CU_ASSERT_EQUAL(td_quic_stream_add(&s, 10, msg + 10, 5, deliver, &col), TD_OK);
	CU_ASSERT_EQUAL(col.len, 0);
	CU_ASSERT_EQUAL(td_quic_stream_add(&s, 12, msg + 12, 8, deliver, &col), TD_OK);
	CU_ASSERT_EQUAL(td_quic_stream_add(&s, 4, msg + 4, 4, deliver, &col), TD_OK);
	CU_ASSERT_EQUAL(col.len, 0);
	CU_ASSERT_EQUAL(td_quic_stream_add(&s, 0, msg, 6, deliver, &col), TD_OK);
	CU_ASSERT_EQUAL(col.len, 8);
	CU_ASSERT_EQUAL(td_quic_stream_add(&s, 0, msg, 11, deliver, &col), TD_OK);
	CU_ASSERT_EQUAL_FATAL(col.len, 20);
	CU_ASSERT(memcmp(col.data, msg, 20) == 0);
	CU_ASSERT_EQUAL(s.delivered, 20);
	CU_ASSERT_EQUAL(s.dup_bytes, 3 + 2 + 8 + 1);
	CU_ASSERT_EQUAL(s.held, 0);
	/* In order again: straight through. */
	CU_ASSERT_EQUAL(td_quic_stream_add(&s, 20, msg, 3, deliver, &col), TD_OK);
	CU_ASSERT_EQUAL(col.len, 23);
	/* Past the cap: dropped and counted, never buffered. */
	CU_ASSERT_EQUAL(td_quic_stream_add(&s, 23 + TD_CAP_QUIC_CRYPTO_AHEAD, msg, 3, deliver, &col),
			TD_ERR_CAP);
	CU_ASSERT_EQUAL(s.dropped, 3);
	CU_ASSERT_EQUAL(td_quic_stream_add(&s, UINT64_MAX - 2, msg, 2, deliver, &col), TD_ERR_CAP);
	CU_ASSERT_EQUAL(td_quic_stream_add(&s, 23 + TD_CAP_QUIC_CRYPTO_AHEAD - 2, msg, 4, deliver,
					   &col), TD_ERR_CAP);
	CU_ASSERT_EQUAL(s.dropped, 3 + 2 + 2);
	CU_ASSERT_EQUAL(col.len, 23);
	td_quic_stream_cleanup(&s);
}

/* The window held past a hole is charged to the budget (twice its
 * length: bytes and map); a window the budget cannot pay for is not
 * grown and its bytes are counted; a filled hole frees the window. */
static void test_stream_budget(void)
{
	const uint8_t msg[] = "0123456789abcdefghij";
	const size_t window = 2u * TD_CAP_QUIC_CRYPTO_AHEAD;
	struct td_budget b = { .cap = window + window / 2 };
	struct td_quic_stream s1, s2;
	struct collect col = { 0 };
	td_quic_stream_init(&s1);
	td_quic_stream_init(&s2);
	td_quic_stream_set_budget(&s1, &b);
	td_quic_stream_set_budget(&s2, &b);
	/* In order: nothing held, nothing charged. */
	CU_ASSERT_EQUAL(td_quic_stream_add(&s1, 0, msg, 4, deliver, &col), TD_OK);
	CU_ASSERT_EQUAL(b.used, 0);
	/* One byte just inside the cap: the whole window is charged. */
	CU_ASSERT_EQUAL(td_quic_stream_add(&s1, 4 + TD_CAP_QUIC_CRYPTO_AHEAD - 1, msg, 1, deliver,
					   &col), TD_OK);
	CU_ASSERT_EQUAL(b.used, window);
	/* A second such window does not fit: refused, counted, not held. */
	CU_ASSERT_EQUAL(td_quic_stream_add(&s2, TD_CAP_QUIC_CRYPTO_AHEAD - 1, msg, 1, deliver, &col),
			TD_ERR_CAP);
	CU_ASSERT_EQUAL(s2.budget_dropped, 1);
	CU_ASSERT_EQUAL(s2.dropped, 0);
	CU_ASSERT_EQUAL(s2.held, 0);
	CU_ASSERT_EQUAL(b.dropped, 1);
	CU_ASSERT_EQUAL(b.used, window);
	/* A small window still fits (4 KiB: 8 KiB charged). */
	CU_ASSERT_EQUAL(td_quic_stream_add(&s2, 10, msg + 10, 2, deliver, &col), TD_OK);
	CU_ASSERT_EQUAL(b.used, window + 2u * 4096u);
	/* s2's hole filled: delivered, its window freed and given back. */
	CU_ASSERT_EQUAL(td_quic_stream_add(&s2, 0, msg, 10, deliver, &col), TD_OK);
	CU_ASSERT_EQUAL(s2.delivered, 12);
	CU_ASSERT_EQUAL(s2.alloc, 0);
	CU_ASSERT_EQUAL(b.used, window);
	/* Cleanup gives the rest back. */
	td_quic_stream_cleanup(&s1);
	td_quic_stream_cleanup(&s2);
	CU_ASSERT_EQUAL(b.used, 0);
}

void td_suite_quic(void)
{
	CU_pSuite s = td_test_suite("quic");
	td_test_add(s, "initial_keys_v1", test_initial_keys_v1);
	td_test_add(s, "initial_keys_v2", test_initial_keys_v2);
	td_test_add(s, "hp_mask", test_hp_mask);
	td_test_add(s, "client_initial_v1", test_client_initial_v1);
	td_test_add(s, "client_initial_v2", test_client_initial_v2);
	td_test_add(s, "server_initial_v1", test_server_initial_v1);
	td_test_add(s, "server_initial_v2", test_server_initial_v2);
	td_test_add(s, "retry", test_retry);
	td_test_add(s, "version_negotiation", test_version_negotiation);
	td_test_add(s, "truncation_and_coalescing", test_truncation_and_coalescing);
	td_test_add(s, "pn_decode", test_pn_decode);
	td_test_add(s, "frames", test_frames);
	td_test_add(s, "stream", test_stream);
	td_test_add(s, "stream_budget", test_stream_budget);
}
