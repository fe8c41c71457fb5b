/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_crypto_legacy.c - the legacy record protection of tls12_crypto.h:
 * RC4 (128, and the 40-bit export suites), 3DES-EDE-CBC, DES-CBC,
 * Camellia-CBC, and SSL 3.0 (crypto_ssl3.c).
 *
 * Vectors:
 *  - Real traffic captured on loopback with tcpdump, one connection per
 *    suite: GnuTLS 3.7.9 gnutls-serv --echo and gnutls-cli (key log from
 *    SSLKEYLOGFILE), the suite forced with a priority string such as
 *    NONE:+VERS-TLS1.0:+3DES-CBC:+SHA1:+DHE-RSA:...:%NO_ETM (GnuTLS
 *    negotiates encrypt_then_mac for CBC unless told %NO_ETM); and
 *    OpenSSL 3.0.19 s_server / s_client -keylogfile -cipher
 *    '...:@SECLEVEL=0' for the Camellia SHA-256/384 suites, which GnuTLS
 *    does not offer.  The client sends "hi\n" then "second line\n" (the
 *    GnuTLS server echoes both).  Each entry holds the master secret, the
 *    randoms and the first three protected records of each side (the
 *    Finished, sequence 0, first); the expected plaintexts are what
 *    tshark 4.0.17 shows with -o tls.keylog_file.
 *  - SSL 3.0, the export RC4-40 and DES40 suites and DES: nothing on the build
 *    machine speaks them any more (Debian's OpenSSL 3 and GnuTLS 3.7
 *    dropped SSL 3.0, export ciphers and DES), so those records were
 *    built by an independent reference written in Python (hashlib, hmac,
 *    pyca/cryptography's ARC4, TripleDES, AES and Camellia) from RFC 6101
 *    5.2.3 and 6.2.2 and RFC 2246 6.3; its SSL 3.0 CBC padding bytes are
 *    not pad_len (RFC 6101 leaves them arbitrary).  The key block, MAC
 *    and export key values below come from the same reference.  The
 *    DES40 connections, their bad-MAC records and the export IVs (RFC
 *    6101 6.2.2.1, RFC 2246 6.3 "IV block") come from a second such
 *    reference (hashlib, hmac, pyca/cryptography's TripleDES with one key
 *    thrice, i.e. DES, checked on the FIPS 81 "Now is t" vector).  The
 *    decryptor itself was also checked by hand against real SSL 3.0 and
 *    RC4 captures (wireshark-notes ssl3/ and tls/works/, not copied here):
 *    every record tshark decrypts there, it decrypts byte for byte (the
 *    SSL 3.0 RSA_EXPORT_WITH_DES40_CBC_SHA connection included).
 *  - SSL 3.0 padding flaws and the RC4 keystream on a failed record:
 *    built here with wolfSSL, as a working peer never sends them.
 */
#include "config.h"

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/camellia.h>
#include <wolfssl/wolfcrypt/des3.h>
#include <wolfssl/wolfcrypt/hmac.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "tls12_crypto.h"
#include "tls_names.h"


/* ---- connections ---- */

struct rec {
	const char *record;    /* header + body, hex */
	const char *plain;     /* expected plaintext, hex */
};

#define MAX_RECS 3

struct conn {
	const char *name;
	uint16_t version, suite;
	bool etm;
	const char *master, *client_random, *server_random;
	struct rec client[MAX_RECS];   /* from the client's Finished (seq 0) on */
	struct rec server[MAX_RECS];   /* from the server's Finished (seq 0) on */
};

static const struct conn conns[] = {
	/* TLS 1.2 RSA_WITH_RC4_128_SHA (GnuTLS) */
	{ "rc4sha12", 0x0303, 0x0005, false,
	  "9888a6aa31d4ac24a67f24811e6c0a53aa18a701489c7e3765d25e4d8ebcd58cacc305e127dc88a012690970604e61ce",
	  "ccfe59651ca3d38611c69206346f254ebf0817cef7e33a9a1839ae5a8833d4eb",
	  "80c2bbaaba385f9f6871db6306e6e71639cc6518831a9d91b90c8612615d6fce",
	  { { "1603030024b09893909faca7e2dc1d59df1eb076bc4dfa7806c79449108508c77b56b91e8f676d5892",
	      "1400000c4a2c2d0aa3857ef983d148d2" },
	    { "170303001738296a1d46ae97da631d6dc40cf10442b7bfda7c83f27a",
	      "68690a" },
	    { "17030300204c53bd45f0813ab5afcb0e7e85a753a60cf79ded8303809b8e20510bae0996c6",
	      "7365636f6e64206c696e650a" } },
	  { { "160303002425ae769cd4d6b96fdd590ea628691fac8814614101ef8a2ad1af8b9d03c28c318cac9254",
	      "1400000c979b787c88b05c608a8908c4" },
	    { "170303001700429037d9ef0fe7b25c63993c66d0799733334b2645d2",
	      "68690a" },
	    { "1703030020367ab336378f7d7d2b16e5abba5a65cf4afbe11fc26be16f55869903c7538c75",
	      "7365636f6e64206c696e650a" } } },
	/* TLS 1.2 RSA_WITH_RC4_128_MD5 (GnuTLS) */
	{ "rc4md5_12", 0x0303, 0x0004, false,
	  "28e3405308eaba21b457ea1d3660662332a7d51e51d00a02b8a8d703694bf84df0702e172c03bbfdb80f3d1662fd9acb",
	  "d3b2dd6cd7f3ce0b379474dbb974a7e03e6b47251bb203be2245a5259d9630fa",
	  "36ae7d1e7c247d1df74e7b2e10ca1128fdb263b09645783aa7f66cce3793797d",
	  { { "16030300200845c1efc5b528f651e751c783941a5dd7b68be3864003968c66c7e3c0ac20ac",
	      "1400000c522061da3365add30e94d5f7" },
	    { "1703030013945b2c5f0e52230f3594960c83a04ed3c79205",
	      "68690a" },
	    { "170303001c16019f957a3ba86a020ab0d698c8581a489f89b18f53c8d0875bbb3d",
	      "7365636f6e64206c696e650a" } },
	  { { "1603030020d06daa0151876ccc418b26fc2a47850bcaa0868e035d9a79779af0f019e08553",
	      "1400000c247ca53ec0bddb26bf572948" },
	    { "170303001315d94a4897d97a8882532b34301ac8a0f7d129",
	      "68690a" },
	    { "170303001c62a70b462054899af88f6f3b9ea0060697c0a3a0eba17bc67b31e52b",
	      "7365636f6e64206c696e650a" } } },
	/* TLS 1.0 ECDHE_RSA_WITH_RC4_128_SHA (GnuTLS) */
	{ "rc4ecdhe_10", 0x0301, 0xc011, false,
	  "8849d838821eadc31e1bddf36ad4548879b8c4a1d9226140c9388e32894cbc0b0f966ea997a4003f13036c9c4852e9a4",
	  "2d13588257b9c0af674c32e9ef1451e032deff32b4acf8647e79e6d18194a8de",
	  "d9257f31d6cde3b91ad491ae8cd8bfc831ab8aabeddac3cf90ed2531f003f56d",
	  { { "1603010024bd1e0ba29c8d12f43e75db28037ed1c0986fc5b1404184a5eb580e2da92a7b9e6db82355",
	      "1400000c1c953c347f0a9bdc916365c2" },
	    { "1703010017144bdaf3dbc7710811ed503cf0ac17cb098d9783ffbedc",
	      "68690a" },
	    { "1703010020190476c8faf272882342fdc81f673c00e8c48ddeb909e3195bb3be6e89a70f86",
	      "7365636f6e64206c696e650a" } },
	  { { "160301002499d8d7006a985af799a229e17f01b353e1218e86a1d29ea4943a876b8512d2ff204298a1",
	      "1400000ca73baa06f30a674972712242" },
	    { "17030100178fccc2575375b0246cd7d62d5db9001775ee07595adca6",
	      "68690a" },
	    { "17030100203c7219689b32e12d26906ba78da7e6d99032df1f0c53a0d92123b80e7b8ac26e",
	      "7365636f6e64206c696e650a" } } },
	/* TLS 1.2 RSA_WITH_3DES_EDE_CBC_SHA, encrypt_then_mac (GnuTLS) */
	{ "des3etm_12", 0x0303, 0x000a, true,
	  "868d3e7208c2e8e2f96567f7d19ef02c15a4e2f1165a7200a15608e79f48b36a0127e6f82bd38b28ff1da472c1e7138f",
	  "6f0a12acb23a4a2fa1f4595f421c23057ec995b155c70bcb47f012a63d9439e7",
	  "45e314d3b5aaf2bd1c7bc4d72523d97799c7e2386f21c4d5b9b926deead09d14",
	  { { "1603030034103209b6611d912af1828a94920243439d9030736a9ff2b651c158d973d162bc7654f5f748c07a8e696167"
	      "861cb245ca53fe121f",
	      "1400000c1aa8ed014af3ba7c06913e84" },
	    { "170303002462c822e198641060bc86b847b2e69252e733fdc045fbc2408fdaa6bf6cc8cce2e47ebe64",
	      "68690a" },
	    { "170303002c61969fcaba46161dbf38edec9d334937f726e001e1cc6cd55c76e4aafb48a5a145823e00778d0dedd0dce2"
	      "b8",
	      "7365636f6e64206c696e650a" } },
	  { { "160303003437d9ab4701bbd97ec7849cd8f3c9e4c67075f8afbd800aa78041e5a198fb632f56d1d645e5a6ff519c3537"
	      "2110dcb2c6549b6b94",
	      "1400000ce57cf56f964bc75c7ec32372" },
	    { "1703030024a3fa53df3d676eb7b4038ce46a628b9dcc4a64ba13827cbfb61ad01b5d15183af992a684",
	      "68690a" },
	    { "170303002c3713ef087a349c624a25bcd8f4f222378da111d561f13249d05422f02f3c6d156de0fdd5ae5dc20d219973"
	      "af",
	      "7365636f6e64206c696e650a" } } },
	/* TLS 1.0 DHE_RSA_WITH_3DES_EDE_CBC_SHA, %NO_ETM: the 8-byte IV chain (GnuTLS) */
	{ "des3dhe_10", 0x0301, 0x0016, false,
	  "816ef743732a2db3947bb2414a57090b3bed3247134f2384b8c5f06c5cca1edd5c95b098d2cd9bd9bec1fb424b7bcc88",
	  "ff267071b1fd37ce06a8141c90167bd305af2cc8565db0359667f10d1d6b7a46",
	  "0373cf6c5721f2e9079ae5b48ab9924a4a6c563b68745279045c2088de45b029",
	  { { "1603010028ae9c7bf74f70c202c90d71796f16c6831a5a09e175a45fb97db65c9d3e56e99a651bda84e6aae84b",
	      "1400000c4c46453cfb38e1b8c6d7433e" },
	    { "1703010018819af72cd3c09f3bb333ed26f9c442c067cfe4c28594ebec",
	      "68690a" },
	    { "170301002848c23d22c27416ff37345503f6c57d942a9064415e96192e2c9a8fee4935b563a66f87f103afcdd1",
	      "7365636f6e64206c696e650a" } },
	  { { "1603010028b0f3965ff3fd8d1f11d1a1f095586317bdd6a776e9b7ff0ecb7d9fb342a040a6a8c163e55c89a49e",
	      "1400000ce335144e557a89a8e458ae71" },
	    { "17030100181cd7befe7acadcbd30aa4609bb5baec6993a7c3c184d29f0",
	      "68690a" },
	    { "1703010028f1ddf2d2b8dc976b8ada9b6d8204377a0b0c8c4972a03c0115d892841d01a1ed202b36243c1f4440",
	      "7365636f6e64206c696e650a" } } },
	/* TLS 1.1 ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, %NO_ETM (GnuTLS) */
	{ "des3ecdhe_11", 0x0302, 0xc012, false,
	  "9ed5b304e597d5f1177ffb57b98bc3b5050db41585d3891a089f0ac1f7be172ea8e7b94f8df314c824f165093214a67a",
	  "0004769f6fe7a38587b6f7d8df0fa7f18108cb85485c20cdd30567abdd0d61b4",
	  "a0f6853bdfa062787861ad966775343d30f1e746eb2080ec7e0e24bbd3e583fd",
	  { { "1603020030fbc0102b062303e4012d5bbad5b58e98954ff77265c066d3f9e015bc444092884bad796231ef3f4a744c12"
	      "fce00cfcb9",
	      "1400000c6263a2b2f524d066d84c92a7" },
	    { "170302002052085ae97d8c94435469bbbc9096c82cb9949a50bbf711cd6dfb464cd30bfd48",
	      "68690a" },
	    { "17030200308b67d067f81a3efd36430a556e86725b0e75e7ffabdf44b4928bf1659222ecc325d611c2184b560b34b608"
	      "e9b735792b",
	      "7365636f6e64206c696e650a" } },
	  { { "16030200307fe62041003348b0aee00fcf69ad6c8f1e40ab725b3d38cd7a8f03763221666ac2fbf0ac7b118f837511a6"
	      "9b11bd027e",
	      "1400000cd22b8bb5c7bb1d9f361c8fdb" },
	    { "1703020020eb04eadbd3cd2f954d1ef9f99819349728012325371d685e9082f8d891f4e0ad",
	      "68690a" },
	    { "17030200308aca0aecdd12a0d7cd014cac82ac388287b733809a2995dd5aefa4ef8be98ae47c43af281cefada1cf11a6"
	      "13e9f3487b",
	      "7365636f6e64206c696e650a" } } },
	/* TLS 1.2 RSA_WITH_CAMELLIA_128_CBC_SHA, %NO_ETM (GnuTLS) */
	{ "cam128_12", 0x0303, 0x0041, false,
	  "049053d1593c68ddaea63666c22aec7a33ae29fd74c66d87cca7e35c3c671d633b6ce98f0d2a0346341730ca1f60af42",
	  "74c0118d37642de42fadfea2f8fa644540e0eff21cc32f8bd60a564ae2f7d1cd",
	  "2a774d016403a1f0dff74fb9e3f197b97441c9bc25766e54dba4f86542d34c3e",
	  { { "1603030040b9756bf7533d3c3970a5723049b032970630c69595efc80f33abe6d404b5ddc3c79812dcaad04bb8ef4fe1"
	      "a660873bdc8d704edf67ac122be5fcd21dab8ab65a",
	      "1400000c30c5beae8b47e508084db564" },
	    { "1703030030617443c425dd118b8d99ded948963df6d3f74955118e128f1c5ad5752c64a03e2c00a7b3f101a8f1f16aeb"
	      "8c156a2ca1",
	      "68690a" },
	    { "1703030040ac297c098388c9ec4922ff6d410496b131cee1fba111d2a545e9611787c354b2bbe3802a5b8fd31d0143f3"
	      "93e1947e91ad05d8db86a2d4f79ce541fd3c74d13d",
	      "7365636f6e64206c696e650a" } },
	  { { "160303004027b8c28c1a04fe79a42370e808b55b4e9ab078268f8227580e3348f6c975ce05b5aae9bca868ee52a12d7a"
	      "41041d2e7515b052edde34e10e47ea6112e6046dbd",
	      "1400000cbf208b2b75d0e40f5481aaa9" },
	    { "1703030030b07f3703d95047a5af99ce3d933eea7793f1cd60dd20432642c3dbb06d1238cb59576622418afe3d15a899"
	      "a5ebc6516e",
	      "68690a" },
	    { "1703030040867ca6577f241f1111e7479c491f1e55b553e95597b6080ebf41fd221ccb68b5a4a558a5774909129b6b62"
	      "d27662c35a21c9233669e18b4f5ba4073c06debee1",
	      "7365636f6e64206c696e650a" } } },
	/* TLS 1.0 DHE_RSA_WITH_CAMELLIA_256_CBC_SHA, encrypt_then_mac (GnuTLS) */
	{ "cam256dhe_10", 0x0301, 0x0088, true,
	  "db233b4a46ad977e81f308b132955300791c94a542b99e95ad0adf08a7ef782eb2f45a216ec64ecfc52e38b1959ea3cc",
	  "e7ad1197dd781fc6b406c39e5c1df8b59f8d781bf680cfb45ad108c7d78cd45d",
	  "3da9cbd466bc7c9c0a5a2f4792a7039f34bd6d2f175a0b9dd828871d5bbd3354",
	  { { "1603010034f136981c8f06848b7cb96ea0b9b5830b542fcb346cdc5bd653b83e904ecc9a8fceea60679bb78f7c5523c7"
	      "d00a17490b3d28ed1e",
	      "1400000cc8a2961a083f2abf7f5d7dea" },
	    { "1703010024b1be3c9ed70df334e70cc0aa9ce9449f688ce0ffbe9a748b59ebc3b7166ae8d35a85f26c",
	      "68690a" },
	    { "1703010024d23279428bcc05d899f73c0f8e36981f62a371bf597b29a2c11bf377d83221cb653185a2",
	      "7365636f6e64206c696e650a" } },
	  { { "1603010034cfaeb9688361117be52eb643f92d2f830077f279f2dee62059a9a100040665bc457de6ccaf2775d892d38f"
	      "71edd0cf22de1c2529",
	      "1400000c6cd0d22b6850c967ba0c6ef5" },
	    { "1703010024a62ea96f529b865942e459ec99c20886f62840aa4a5686bebefe92b7ab87fa2a35cc237a",
	      "68690a" },
	    { "1703010024bc22bf41861c4b916b41eda7bf7a1038b3c2f890334c1e2f7a36f72e9f2e36f5cc0951dc",
	      "7365636f6e64206c696e650a" } } },
	/* TLS 1.2 ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256, -no_etm (OpenSSL) */
	{ "camsha256_12", 0x0303, 0xc076, false,
	  "63d0c72f35b8e7824db8907dc3a49cd030c89a39e05792185e7b42dcb4d3578bdb04c6a4197dccf2f22ea4e5a85c9c20",
	  "7135e2c0a0f8a0eca48964bb64e20a21a02538d893bc5c60f4e022cb69398896",
	  "3d5f90df170df9c4d7506af7165f99cacb3f5e3f399bbbfbca235a07324df41c",
	  { { "16030300506e62469d302dd2d1879e99109563eb3b3a22929a0884f487869c93fb0b23e429297015c2f404ca6236a2c5"
	      "0b65d9dbc2a247cd092eb7db454d6d30d6b7b0740cdbeaebf89927904f1f7befd395b346d0",
	      "1400000c280be264e97be4dd47157f02" },
	    { "17030300409a8392b7728d820e14fc50d935062ab7641dd5d3e4041c296e8a2b1034a72d28d86ee862349345db7a4bb0"
	      "aed337ca711f9acdd1ae2463f964acf59876304733",
	      "68690a" },
	    { "17030300407e76e39a8f622da72b8d7629ca3123da38ba678f14ba22335ad2f5f7c40b9c909934bba4bbca8b52abcba0"
	      "1074e0fcf0c6fe4b57853e9ed63b4f5c49a186f690",
	      "7365636f6e64206c696e650a" } },
	  { { "16030300508d57744c276b40bff13ff555767d39a89537e5ebd8f17353360661e236c5898fd8bc39e60501c2c2214586"
	      "d1eb40f665954251272e99116db9b59747b79aaa4b0b8b05c2617c9b9410df92e7846298cd",
	      "1400000c6eb63237d809a3864b08c177" } } },
	/* TLS 1.2 ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384, encrypt_then_mac (OpenSSL) */
	{ "camsha384_12", 0x0303, 0xc077, true,
	  "567b634da1ceadefe70a67800f9a399a94a9c2cef2a5c702139b74f942ccf04d685e0133a32eca74ceb09ad768f88e54",
	  "bc2785e974ff2ef613619ba84f8172d931f6fdbb09272e354d0191121446a2a8",
	  "36dbbf8f4c25fc245147393347f7414440d0d74e782d0a8958f9d7239150d145",
	  { { "160303006004320166980cbb551c3506f5992261cc1e9d041a4f83be8ed70bd331e34aea4339f4f837d687420b394bf4"
	      "621af1cf7b458313b8644430b1eecbf32b913f7f2a816bfdac4fa64c7ec512239c38b576c9913d23ccd15b5d60c53f04"
	      "b216957735",
	      "1400000cd43e50f033262df811cb2918" },
	    { "1703030050e4b69f9bc23c0707be3f889e2ac749b5ee4603a1c80da0fcd8f61a9a4a5831845b23e1a5bdb13f5f2ffebf"
	      "997f7f03e82d8c681bf804eec3fe18582a9d58938e050f96ee015883ffb60ed5ddf0575b38",
	      "68690a" },
	    { "1703030050e6268999a8856f6c6d990f24bd16e3d8bf30ef61e75dbf4093a409f873fc715a82d6b5741187856d220050"
	      "d916d7b8f82bd7053a668af7958c9134484f99bce1a1ab4042f4aeeba30594ad5a0cfc2d3d",
	      "7365636f6e64206c696e650a" } },
	  { { "1603030060004dab2170943d17c34fe62db23f8e2f04340a1297c04333aef54f740f20925834542323c5700a82e2105a"
	      "d62096ed87314ed9407c0dd31fb0a341e8d6cdbcb4036f9b5dc6378bcf86bb4f999ee09b1554ed0b2d821f0f3f84991e"
	      "ee67e13759",
	      "1400000c841d8155ca5e274ed2bdb14c" } } },
	/* TLS 1.2 RSA_WITH_CAMELLIA_256_CBC_SHA256, encrypt_then_mac (OpenSSL) */
	{ "cam256sha256_12", 0x0303, 0x00c0, true,
	  "7a656a6d600865ab5f7dab559c3f86ba4a1cc1c1b308ee7ee6de00290a790dac033b6dd5d8aa67bb8e7dc6fa37cc3d75",
	  "20727fa763c4a7e76b6cd0037916ac61a5be76f5696ed44739f45562cc6e9466",
	  "3ebaf4baa4a3149f9871e5e4567dbf4fdc5db29e272c101a868db1b461445c6f",
	  { { "1603030050331028212199ab6495fb6f5cef6bf8ea8863baec19b9eed682220df130dbffb1b98ecc5bdc7f84fe4594b3"
	      "7d50304cb843a2e6c66e6d67543fe13a9f8de9bb7d96a63f97253d16e32de2ca5b3d658655",
	      "1400000ca44884c3a899a118b04572c9" },
	    { "1703030040d03f37876e1e1589bf33980238e6127cbf869216456717ce23cf9974d63e033fba21b1ca2c6769a6fa9eb7"
	      "d05782eeb3b8a6f498260634d0086cb073fc806838",
	      "68690a" },
	    { "170303004068aae5d4eceb1f5aa894eb5bda2e77a6185989bd769c97aa1a0ffe191f39b93cf33cf7cd9f5b9db0025f72"
	      "e9b3c288ff0583b6afcabbe2a9dd8645ba76853a29",
	      "7365636f6e64206c696e650a" } },
	  { { "160303005069756bcbad635663549a6c1aefa86885a4a524740c64d989638702597158a8c0d2d01f5450fb694e6aa7cd"
	      "d820fe0cc8b97d76eafb64e7dd0ce39fd600cfcce0f2aeb565ce8bbb98bbd366a9c78325ea",
	      "1400000c6240e81ea4b49a0087d9830b" } } },
	/* SSL 3.0 RC4_128_MD5 */
	{ "ssl3-rc4-md5", 0x0300, 0x0004, false,
	  "101316191c1f2225282b2e3134373a3d404346494c4f5255585b5e6164676a6d707376797c7f8285888b8e9194979a9d",
	  "505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f",
	  "b0b2b4b6b8babcbec0c2c4c6c8caccced0d2d4d6d8dadcdee0e2e4e6e8eaecee",
	  { { "160300003886716d593c34747ed4f87759f6c7c6f63a1fe3a1a60212932aa5fc87eb3cb1aed971557be1ded1e744c944"
	      "055edbd729ec2e82a732e34aae",
	      "14000024101d2a3744515e6b7885929facb9c6d3e0edfa0714212e3b4855626f7c8996a3b0bdcad7" },
	    { "17030000237354868a7b92272e1980da5c652b46dac4154fda9f4718d33220ace664695f50bb3c1a",
	      "68656c6c6f2c2073736c332d7263342d6d6435" },
	    { "17030000107784e3919b8497299b1ff1825a47dbc8",
	      "" } },
	  { { "160300003805883bc4885fb3e1b62a0da8a6962fa77212bdc95ce277cff71c762ebc09444e5737f49d283ce0d24e1413"
	      "995efe01ca7cc2a2ce2ed5db9d",
	      "14000024102132435465768798a9bacbdcedfe0f2031425364758697a8b9cadbecfd0e1f30415263" },
	    { "1503000012b88838aea28d74c7dc8ccc40170a0a9f31fe",
	      "0100" } } },
	/* SSL 3.0 RC4_128_SHA */
	{ "ssl3-rc4-sha", 0x0300, 0x0005, false,
	  "202326292c2f3235383b3e4144474a4d505356595c5f6265686b6e7174777a7d808386898c8f9295989b9ea1a4a7aaad",
	  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
	  "60626466686a6c6e70727476787a7c7e80828486888a8c8e90929496989a9c9e",
	  { { "160300003c39ee489534bf96eb26c6ecf054f672812fe8b9ed476d556f95e73d716009367f80efcb7a33bcc1277a275f"
	      "693cd54f26ff3b6b19c1db0bed6c769fea",
	      "14000024202d3a4754616e7b8895a2afbcc9d6e3f0fd0a1724313e4b5865727f8c99a6b3c0cddae7" },
	    { "1703000027e82e49862377cad6533193f28ae615661dd07d95751dd68a551efae52fcdb80f9ab825821a6faa",
	      "68656c6c6f2c2073736c332d7263342d736861" },
	    { "170300001470b00a1dbdad222206c20671f00530d6ec3bf015",
	      "" } },
	  { { "160300003cc66f6c177b06cea23223c17614a38a39429fabeb4035fbf0aab5dee46c827e2e131dbbc4b44f87deebc2ae"
	      "b83d7479d91b179ea6f19de93060e3f98e",
	      "140000242031425364758697a8b9cadbecfd0e1f30415263748596a7b8c9daebfc0d1e2f40516273" },
	    { "15030000160b2282a9c1e8bdd5fc63c243d8e850a5cbbf9f5c7381",
	      "0100" } } },
	/* SSL 3.0 RSA_EXPORT_WITH_RC4_40_MD5 */
	{ "ssl3-rc4-40", 0x0300, 0x0003, false,
	  "303336393c3f4245484b4e5154575a5d606366696c6f7275787b7e8184878a8d909396999c9fa2a5a8abaeb1b4b7babd",
	  "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f",
	  "10121416181a1c1e20222426282a2c2e30323436383a3c3e40424446484a4c4e",
	  { { "1603000038dba73260fd9bb56ffb1068402a058a386b23547846eb6d7dd8b07ad209ed36502515929d939a941c522493"
	      "c0a38cc0e404dd1fc2b5822f55",
	      "14000024303d4a5764717e8b98a5b2bfccd9e6f3000d1a2734414e5b6875828f9ca9b6c3d0ddeaf7" },
	    { "17030000227172db79466203aa380f3a6cd6b4e5f0124596030b555c803b3cf4e1af4070c77f5a",
	      "68656c6c6f2c2073736c332d7263342d3430" },
	    { "1703000010ba91e8606354bbab98a1f0c846464723",
	      "" } },
	  { { "16030000387ea669cac16e8070280043910fe1e4bc2c2f1200296424c6f1a09c4135a2b9b2d5f6c3a864d3b267cd6496"
	      "316076843061706dda468ac2eb",
	      "1400002430415263748596a7b8c9daebfc0d1e2f405162738495a6b7c8d9eafb0c1d2e3f50617283" },
	    { "1503000012791bdb016635657d8fc78f74b28e2b4b2919",
	      "0100" } } },
	/* SSL 3.0 3DES_EDE_CBC_SHA (padding bytes not pad_len) */
	{ "ssl3-3des", 0x0300, 0x000a, false,
	  "404346494c4f5255585b5e6164676a6d707376797c7f8285888b8e9194979a9da0a3a6a9acafb2b5b8bbbec1c4c7cacd",
	  "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
	  "c0c2c4c6c8caccced0d2d4d6d8dadcdee0e2e4e6e8eaeceef0f2f4f6f8fafcfe",
	  { { "1603000040dafeba9f933d8f615ff294c5a155aae040c022f6b4990aced0c53c2d4b64f8d4245011e22842e94dcb8ade"
	      "3e11be7db6df285a38ef3470fc1089273d725a4946",
	      "14000024404d5a6774818e9ba8b5c2cfdce9f603101d2a3744515e6b7885929facb9c6d3e0edfa07" },
	    { "17030000281cd54e9b97ee9704f60cc5e16afb007095f5ddce40252f0e17c6f6b21a842c7510283705edb2054e",
	      "68656c6c6f2c2073736c332d33646573" },
	    { "1703000018261fb9dfce27b9620bdbddc154207340a06eea0cb1f4124d",
	      "" } },
	  { { "16030000407ea25ae553f82bb23829ed7d754589445c804713277ec20a1b4e00a7b31414cf03be4bf5fb7c937ce91d8d"
	      "4e4ab070f2b2cfefa71cee163461938f37e1ebf875",
	      "14000024405162738495a6b7c8d9eafb0c1d2e3f5061728394a5b6c7d8e9fa0b1c2d3e4f60718293" },
	    { "1503000018cba0def93f6daee4ebdb00a9479dc067611cf9986298c693",
	      "0100" } } },
	/* SSL 3.0 DES_CBC_SHA */
	{ "ssl3-des", 0x0300, 0x0009, false,
	  "505356595c5f6265686b6e7174777a7d808386898c8f9295989b9ea1a4a7aaadb0b3b6b9bcbfc2c5c8cbced1d4d7dadd",
	  "909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	  "70727476787a7c7e80828486888a8c8e90929496989a9c9ea0a2a4a6a8aaacae",
	  { { "1603000040e3857e4c17a4cd06a2b0b3caaa5f593d9ff97ad6bdb0a4e7d93fad8ae4d4464f1950048a23cf61a8b17321"
	      "a960c235cb2232bbb19fac3a76b52f9f9851eebecc",
	      "14000024505d6a7784919eabb8c5d2dfecf90613202d3a4754616e7b8895a2afbcc9d6e3f0fd0a17" },
	    { "1703000028223500552edbf0f67f54a85cd6a50921e4f1deda0cca21348776d0ee1bb70e49daa1e41b0465ba53",
	      "68656c6c6f2c2073736c332d646573" },
	    { "1703000018be4d7b018bec635d061864fb4978cb55cc9f0ce584d9dbab",
	      "" } },
	  { { "1603000040ab6e516f7f2c0c2a83525e79ff32586a1b32707ec1042d76f63629e718fff46ff4cf4b867fcac56448dc94"
	      "8bed8bc6e9511ea43ac179db634aa00860cf19d321",
	      "140000245061728394a5b6c7d8e9fa0b1c2d3e4f60718293a4b5c6d7e8f90a1b2c3d4e5f708192a3" },
	    { "1503000018fe5f869882ec75cd77434cedb788973b8408fb21b2dd50ec",
	      "0100" } } },
	/* SSL 3.0 AES_128_CBC_SHA */
	{ "ssl3-aes", 0x0300, 0x002f, false,
	  "606366696c6f7275787b7e8184878a8d909396999c9fa2a5a8abaeb1b4b7babdc0c3c6c9cccfd2d5d8dbdee1e4e7eaed",
	  "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	  "20222426282a2c2e30323436383a3c3e40424446484a4c4e50525456585a5c5e",
	  { { "1603000040e9c7626f6dee4c98c405e213b8435d81b4d3900c8b6049b8434118fbde3b88ac0ddb760763c55ef79cfacd"
	      "d4f2f23aa429dfc3460caa1103cc106b5ad0ec9c31",
	      "14000024606d7a8794a1aebbc8d5e2effc091623303d4a5764717e8b98a5b2bfccd9e6f3000d1a27" },
	    { "170300003023a4bc4b51c7e0e44a047691bddc45ad465d36c1081c5e8ca98134e02f011daef80f699586946e114aa23b"
	      "81ca578fa8",
	      "68656c6c6f2c2073736c332d616573" },
	    { "1703000020aa54353903bf22a1edb457b4a8dc3c0f6e6283828630da0930c8d86547ce5a49",
	      "" } },
	  { { "16030000400f3a3fdc581d535edaa72b67663735e4de53a9c6ea3694c5181cb338c070ea67972e3db1dc8ecace80249c"
	      "a35c15d01419716db119ee2ea9e9c9328b2c05b02a",
	      "1400002460718293a4b5c6d7e8f90a1b2c3d4e5f708192a3b4c5d6e7f8091a2b3c4d5e6f8091a2b3" },
	    { "1503000020d6b7390f9c22639590364f388fc069b758d2853671aaceaa2b97ddde6e3a1f82",
	      "0100" } } },
	/* SSL 3.0 CAMELLIA_256_CBC_SHA */
	{ "ssl3-cam256", 0x0300, 0x0084, false,
	  "707376797c7f8285888b8e9194979a9da0a3a6a9acafb2b5b8bbbec1c4c7cacdd0d3d6d9dcdfe2e5e8ebeef1f4f7fafd",
	  "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
	  "d0d2d4d6d8dadcdee0e2e4e6e8eaeceef0f2f4f6f8fafcfe00020406080a0c0e",
	  { { "16030000400c0168689e52e8998411e090aa0867a9a222fcb37348a61e7094a774c99167f8f0242733d606bb0b29dc2b"
	      "a77680c7a8fc58a4dc032b1ff30481a8de47673a1c",
	      "14000024707d8a97a4b1becbd8e5f2ff0c192633404d5a6774818e9ba8b5c2cfdce9f603101d2a37" },
	    { "17030000302bceae977fd845e571b81ceacda802f98d86131af3a40742b570f36603dc5b17d39a27f8807747e6723837"
	      "bec91fd1c6",
	      "68656c6c6f2c2073736c332d63616d323536" },
	    { "1703000020fb87009e2d964a9c55a4c867bc78b82910c1ebcc2a1cd319092ba96caedfa65e",
	      "" } },
	  { { "1603000040ade100aaef71ad66880ce08e518f7257b2704663486c19e6834fb1b523642d85a9811faf011c24c28fec7b"
	      "3b6567aaf453ed353646a9e811595263597ca84051",
	      "14000024708192a3b4c5d6e7f8091a2b3c4d5e6f8091a2b3c4d5e6f708192a3b4c5d6e7f90a1b2c3" },
	    { "15030000204457259832e8f5bcb7f469b44b5943d35970aa69bd14fd9e0c860b274f7a69b0",
	      "0100" } } },
	/* TLS 1.0 RSA_EXPORT_WITH_RC4_40_MD5 */
	{ "tls10-rc4-40", 0x0301, 0x0003, false,
	  "808386898c8f9295989b9ea1a4a7aaadb0b3b6b9bcbfc2c5c8cbced1d4d7dadde0e3e6e9eceff2f5f8fbfe0104070a0d",
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
	  "80828486888a8c8e90929496989a9c9ea0a2a4a6a8aaacaeb0b2b4b6b8babcbe",
	  { { "16030100201d473d44fb1a396485d4e66e0c642b8c4eda8185dc0c4a4a2fc848849641847c",
	      "1400000c808d9aa7b4c1cedbe8f5020f" },
	    { "1703010023c984b2dcaad87a5c2292d8ac0f887f1d2a06040bf3ddbe01fe7127081a82dffd9277dd",
	      "68656c6c6f2c20746c7331302d7263342d3430" },
	    { "170301001016be68f118c30a879a5e9baf130f4642",
	      "" } },
	  { { "1603010020042f722f252a9f51ec48ef850ad7a4c42ed292add82e70f1b1c0177314adc2f6",
	      "1400000c8091a2b3c4d5e6f708192a3b" },
	    { "1503010012263398ed1618d389ebb40747f9e3cfe3d245",
	      "0100" } } },
	/* TLS 1.1 KRB5_EXPORT_WITH_RC4_40_SHA */
	{ "tls11-krb5-rc4-40", 0x0302, 0x0028, false,
	  "909396999c9fa2a5a8abaeb1b4b7babdc0c3c6c9cccfd2d5d8dbdee1e4e7eaedf0f3f6f9fcff0205080b0e1114171a1d",
	  "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef",
	  "30323436383a3c3e40424446484a4c4e50525456585a5c5e60626466686a6c6e",
	  { { "16030200241e1483cc7c68be1d848dee68de9ef6c8fe3cfb606fbceb232e9f3e634067e2098270011f",
	      "1400000c909daab7c4d1deebf805121f" },
	    { "170302002c4b9bdc864e3cfbc13d8c31c9e8a819f9b96b8b13606b4a48da56cbccfae74b49194c768fe781965c2e2a6a"
	      "f0",
	      "68656c6c6f2c20746c7331312d6b7262352d7263342d3430" },
	    { "170302001403c8a35316980668412cce027b40937875336c9d",
	      "" } },
	  { { "16030200242b31dabd1228f2b88a73e073f69803d61c84919a865af8182a6535dd2931dfd02e05f52f",
	      "1400000c90a1b2c3d4e5f60718293a4b" },
	    { "1503020016b0bb4468449a19b4757769f10c80c4f43e8733b6bded",
	      "0100" } } },
	/* TLS 1.2 RSA_EXPORT_WITH_RC4_40_MD5 */
	{ "tls12-rc4-40", 0x0303, 0x0003, false,
	  "a0a3a6a9acafb2b5b8bbbec1c4c7cacdd0d3d6d9dcdfe2e5e8ebeef1f4f7fafd000306090c0f1215181b1e2124272a2d",
	  "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
	  "e0e2e4e6e8eaeceef0f2f4f6f8fafcfe00020406080a0c0e10121416181a1c1e",
	  { { "160303002098d7981e61e7da80f99885d6d29f4108cfc539d7527e040bb4e9d42c47ed75c5",
	      "1400000ca0adbac7d4e1eefb0815222f" },
	    { "1703030023c6a2e0af9a6e79668f5823fad7e915a5c5ec97efe102de47f5d9ca840c0bdaab44fc5d",
	      "68656c6c6f2c20746c7331322d7263342d3430" },
	    { "170303001046a5d7a8098beed9269586a535ca9959",
	      "" } },
	  { { "160303002035ddde79b72e665fb8e33c6dcbe9b0e2ecc1d9a51b1625aa1ad9ec77f248b483",
	      "1400000ca0b1c2d3e4f5061728394a5b" },
	    { "1503030012a238d1343fa8e72f6ed50894f90c40e03b9b",
	      "0100" } } },
	/* TLS 1.2 DES_CBC_SHA */
	{ "tls12-des", 0x0303, 0x0009, false,
	  "b0b3b6b9bcbfc2c5c8cbced1d4d7dadde0e3e6e9eceff2f5f8fbfe0104070a0d101316191c1f2225282b2e3134373a3d",
	  "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f",
	  "90929496989a9c9ea0a2a4a6a8aaacaeb0b2b4b6b8babcbec0c2c4c6c8caccce",
	  { { "1603030030a0a1a2a3a4a5a6a7f90746586e79aa5db79ebce09fcf1552ffc3930459b24a8e345c6aacd4adafb1572662"
	      "834d790eda",
	      "1400000cb0bdcad7e4f1fe0b1825323f" },
	    { "1703030038a1a2a3a4a5a6a7a840c256300ff2045536215d250c097e53128f115dbe89cf3e1876f36242941e85a0d924"
	      "15cf4f16f3b7bf907014ef2607",
	      "68656c6c6f2c20746c7331322d646573" },
	    { "1703030020a2a3a4a5a6a7a8a93574db98b4708d4c55e5ac9c0b8b52ce3141ec319209d472",
	      "" } },
	  { { "1603030030a0a1a2a3a4a5a6a7360655c4db0f58729a7d9620d5b2d27eb9f96507353ed019195a125f4bdc19da02b43f"
	      "53eaccb014",
	      "1400000cb0c1d2e3f405162738495a6b" },
	    { "1503030028a1a2a3a4a5a6a7a8d835fd3607828d66dd965eeb66953dff732c69482df1caaef073d3ab5993af18",
	      "0100" } } },
	/* TLS 1.0 KRB5_WITH_DES_CBC_MD5 */
	{ "tls10-krb5-des-md5", 0x0301, 0x0022, false,
	  "c0c3c6c9cccfd2d5d8dbdee1e4e7eaedf0f3f6f9fcff0205080b0e1114171a1d202326292c2f3235383b3e4144474a4d",
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
	  "40424446484a4c4e50525456585a5c5e60626466686a6c6e70727476787a7c7e",
	  { { "160301002896016f6e14e74b1ce3f1441df670115a469cbed541ef6c68ffa3ab5cc2c6641cbf4586afbf8c56db",
	      "1400000cc0cddae7f4010e1b2835424f" },
	    { "1703010038b3d28f2cb847523aaa1c8bd9aee79f790dd22889b2c945b6a2698d96e01449130373a31d80fea4d2e69247"
	      "daf54954e8b179cfb1d408a1c8",
	      "68656c6c6f2c20746c7331302d6b7262352d6465732d6d6435" },
	    { "17030100182a257ea43fa856ec607b3dfd94facd106a259f9833a9e34e",
	      "" } },
	  { { "16030100285c0e62883d0f08f2f05bedb00d3c8a5e4f8407bb0e14cd0c07fd1cd096eca21f7039a5e5134427c1",
	      "1400000cc0d1e2f30415263748596a7b" },
	    { "1503010020932ea1314010a51314b06ae52f80499c71623089114f39ef63897fef88ed1d04",
	      "0100" } } },
	/* TLS 1.1 KRB5_WITH_3DES_EDE_CBC_MD5 */
	{ "tls11-krb5-3des-md5", 0x0302, 0x0023, false,
	  "d0d3d6d9dcdfe2e5e8ebeef1f4f7fafd000306090c0f1215181b1e2124272a2d303336393c3f4245484b4e5154575a5d",
	  "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f",
	  "f0f2f4f6f8fafcfe00020406080a0c0e10121416181a1c1e20222426282a2c2e",
	  { { "1603020030a0a1a2a3a4a5a6a754fd2a086f79dea4a47ed60831499d6a583f9b83bf59df8ec465e5ddb6e43dc1d7d410"
	      "12eab8b2be",
	      "1400000cd0ddeaf704111e2b3845525f" },
	    { "1703020040a1a2a3a4a5a6a7a82cb2c945c0740a9ea673d0bfbf1634c4c5f69356e8ea262bdc167bc748d9b4ad0360d2"
	      "857e97c0d8e2cd27cb9144dcce4311018713f70416",
	      "68656c6c6f2c20746c7331312d6b7262352d336465732d6d6435" },
	    { "1703020020a2a3a4a5a6a7a8a9ce7ac7db3f143d7ed585e3a242c01a90580a4420e99896b1",
	      "" } },
	  { { "1603020030a0a1a2a3a4a5a6a7ce433f44c732531fb4c8cae828d26de33753b9d00897dde799b81b17b3f7fa03f916df"
	      "02c2866629",
	      "1400000cd0e1f2031425364758697a8b" },
	    { "1503020028a1a2a3a4a5a6a7a8fc9400fd39ab3db3a60f1f6d6ea29d02084a236cc88f8185ac0445456e41c84d",
	      "0100" } } },
	/* SSL 3.0 RSA_EXPORT_WITH_DES40_CBC_SHA */
	{ "ssl3-des40", 0x0300, 0x0008, false,
	  "1114171a1d202326292c2f3235383b3e4144474a4d505356595c5f6265686b6e7174777a7d808386898c8f9295989b9e",
	  "3132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f50",
	  "61636567696b6d6f71737577797b7d7f81838587898b8d8f91939597999b9d9f",
	  { { "16030000402a54d823842e3bad973ea6b7099eafae3656daa81bc6f45ffc9c0f9294281623a4572418e657c4731c600825"
	      "9f9e38e1ee3206431d063569ca52f0391b769caf",
	      "14000024111e2b3845525f6c798693a0adbac7d4e1eefb0815222f3c495663707d8a97a4b1becbd8" },
	    { "170300002814b5f1e5082cf63cc8642f6d1ca845ad867f74c645b0bba6e2bb11ad5ff34d7726ae75a288e90e64",
	      "68656c6c6f2c2073736c332d6465733430" },
	    { "1703000018e6c256ca095243ed377a6a0f7f4985671d29c928d7f9b23e",
	      "" } },
	  { { "16030000406cf94bb44614918aad34a436369b19ef47c91148eb01af9e27a3e8e240e9c3933c37731e7a8256ec002c1f48"
	      "546368aa25fbe71936c8158ea37048b481460bd1",
	      "14000024112233445566778899aabbccddeeff102132435465768798a9bacbdcedfe0f2031425364" },
	    { "15030000180c66a50037f619be2a3c099e5711b0edc92b77b1cd712133",
	      "0100" } } },
	/* TLS 1.0 DHE_RSA_EXPORT_WITH_DES40_CBC_SHA */
	{ "tls10-des40", 0x0301, 0x0014, false,
	  "2225282b2e3134373a3d404346494c4f5255585b5e6164676a6d707376797c7f8285888b8e9194979a9da0a3a6a9acaf",
	  "42434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6061",
	  "727476787a7c7e80828486888a8c8e90929496989a9c9ea0a2a4a6a8aaacaeb0",
	  { { "1603010028ce1aad4850ff57ddbb5baff18bd5f9c644a3a58ba9c07318503131d9017f29aabc5c21d36edd9ce0",
	      "1400000c222f3c495663707d8a97a4b1" },
	    { "170301002892ece5ff39d3d46de811b4b2ca86eb9d0adf2bc72463687f8ef6c7797665915e3ea6a2d18f508fd2",
	      "68656c6c6f2c20746c7331302d6465733430" },
	    { "1703010018f680825149bb4d64e6c2b876cf0a0cb2e39910250d6885bd",
	      "" } },
	  { { "16030100288d8cf356da68abe3b62e43dcb3058b70f3947a3b681f1b4d1b01db35c198e1d3d04397a160e29ff8",
	      "1400000c2233445566778899aabbccdd" },
	    { "1503010018851586a005a486c5267117aad43f36285df223e941614b0a",
	      "0100" } } },
	/* TLS 1.1 DH_anon_EXPORT_WITH_DES40_CBC_SHA */
	{ "tls11-des40", 0x0302, 0x0019, false,
	  "3336393c3f4245484b4e5154575a5d606366696c6f7275787b7e8184878a8d909396999c9fa2a5a8abaeb1b4b7babdc0",
	  "535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172",
	  "838587898b8d8f91939597999b9d9fa1a3a5a7a9abadafb1b3b5b7b9bbbdbfc1",
	  { { "1603020030b0b1b2b3b4b5b6b71566774539666bbf969dab34e4d6cba3f1a2859b554c2addedc261250163d5c09a3759ea"
	      "d5c46594",
	      "1400000c33404d5a6774818e9ba8b5c2" },
	    { "1703020030b1b2b3b4b5b6b7b8a7ce3d949d64b50f16a665471020ea98922267b5310151152fbe6e6f8b22035f3bf14445"
	      "ab1d5240",
	      "68656c6c6f2c20746c7331312d6465733430" },
	    { "1703020020b2b3b4b5b6b7b8b9215e169ed9e6cff5a45be74a07163007a21f4eb2899fa977",
	      "" } },
	  { { "1603020030b0b1b2b3b4b5b6b72eb23c73d55c1a90f2dec1afca54bbdba6202ee92be86f14069f5d4c618f8a7d38b3f61b"
	      "eed51b89",
	      "1400000c33445566778899aabbccddee" },
	    { "1503020020b1b2b3b4b5b6b7b8706d7acafd236be778628aeb2e2e3cebdbc4c931098bd907",
	      "0100" } } },
};

#define NCONNS (sizeof conns / sizeof conns[0])

static const struct conn *conn_named(const char *name)
{
	for (size_t i = 0; i < NCONNS; i++)
		if (strcmp(conns[i].name, name) == 0)
			return &conns[i];
	abort();
}

/* Keys for one direction of a connection; version 0 keeps the
 * connection's. */
static enum td_result conn_keys(const struct conn *c, enum td_tls12_dir dir, uint16_t version,
				bool flip_master, struct td_tls12_keys *k)
{
	uint8_t ms[48], cr[32], sr[32];
	size_t mlen = td_test_unhex(c->master, ms, sizeof ms);
	if (td_test_unhex(c->client_random, cr, sizeof cr) != 32 || td_test_unhex(c->server_random, sr, sizeof sr) != 32)
		abort();
	if (flip_master)
		ms[47] ^= 0x01;
	return td_tls12_keys_init(k, version ? version : c->version, c->suite, ms, mlen, cr, sr,
				  c->etm, dir);
}

/* A record in a buffer of exactly its size, so ASan sees any overread. */
struct wire {
	uint8_t *rec;
	size_t len;     /* header + body */
};

static struct wire wire_from_hex(const char *hex)
{
	static uint8_t tmp[TD_TLS12_CIPHERTEXT_MAX + 5];
	struct wire w;
	w.len = td_test_unhex(hex, tmp, sizeof tmp);
	if (w.len < 5)
		abort();
	w.rec = malloc(w.len);
	if (!w.rec)
		abort();
	memcpy(w.rec, tmp, w.len);
	return w;
}

static enum td_result decrypt_wire(struct td_tls12_keys *k, const struct wire *w, uint8_t *out,
				   size_t *outlen)
{
	return td_tls12_decrypt(k, w->rec, w->rec + 5, w->len - 5, out, outlen);
}

/* The whole mutable state: what must not move when a record fails. */
static bool same_state(const struct td_tls12_keys *a, const struct td_tls12_keys *b)
{
	return a->seq == b->seq && memcmp(a->iv, b->iv, sizeof a->iv) == 0 &&
	       memcmp(a->stream, b->stream, sizeof a->stream) == 0;
}

/* ---- suites ---- */

struct suite_vec {
	uint16_t id;
	enum td_tls12_cipher cipher;
	size_t key_len, mac_len, fixed_iv_len, explicit_nonce_len, export_key_len;
	enum td_tls12_mac mac;
	enum td_tls12_prf prf;
};

static void test_legacy_suites(void)
{
	static const struct suite_vec v[] = {
		{ 0x0003, TD_TLS12_RC4, 16, 16, 0, 0, 5, TD_TLS12_MAC_MD5, TD_TLS12_PRF_SHA256 },
		{ 0x0004, TD_TLS12_RC4, 16, 16, 0, 0, 0, TD_TLS12_MAC_MD5, TD_TLS12_PRF_SHA256 },
		{ 0xc011, TD_TLS12_RC4, 16, 20, 0, 0, 0, TD_TLS12_MAC_SHA1, TD_TLS12_PRF_SHA256 },
		{ 0x0028, TD_TLS12_RC4, 16, 20, 0, 0, 5, TD_TLS12_MAC_SHA1, TD_TLS12_PRF_SHA256 },
		{ 0x000a, TD_TLS12_3DES_EDE_CBC, 24, 20, 8, 8, 0, TD_TLS12_MAC_SHA1, TD_TLS12_PRF_SHA256 },
		{ 0x0023, TD_TLS12_3DES_EDE_CBC, 24, 16, 8, 8, 0, TD_TLS12_MAC_MD5, TD_TLS12_PRF_SHA256 },
		{ 0x0015, TD_TLS12_DES_CBC, 8, 20, 8, 8, 0, TD_TLS12_MAC_SHA1, TD_TLS12_PRF_SHA256 },
		{ 0x0008, TD_TLS12_DES_CBC, 8, 20, 8, 8, 5, TD_TLS12_MAC_SHA1, TD_TLS12_PRF_SHA256 },
		{ 0x000b, TD_TLS12_DES_CBC, 8, 20, 8, 8, 5, TD_TLS12_MAC_SHA1, TD_TLS12_PRF_SHA256 },
		{ 0x000e, TD_TLS12_DES_CBC, 8, 20, 8, 8, 5, TD_TLS12_MAC_SHA1, TD_TLS12_PRF_SHA256 },
		{ 0x0011, TD_TLS12_DES_CBC, 8, 20, 8, 8, 5, TD_TLS12_MAC_SHA1, TD_TLS12_PRF_SHA256 },
		{ 0x0014, TD_TLS12_DES_CBC, 8, 20, 8, 8, 5, TD_TLS12_MAC_SHA1, TD_TLS12_PRF_SHA256 },
		{ 0x0019, TD_TLS12_DES_CBC, 8, 20, 8, 8, 5, TD_TLS12_MAC_SHA1, TD_TLS12_PRF_SHA256 },
		{ 0x0041, TD_TLS12_CAMELLIA_CBC, 16, 20, 16, 16, 0, TD_TLS12_MAC_SHA1, TD_TLS12_PRF_SHA256 },
		{ 0x0088, TD_TLS12_CAMELLIA_CBC, 32, 20, 16, 16, 0, TD_TLS12_MAC_SHA1, TD_TLS12_PRF_SHA256 },
		{ 0x00ba, TD_TLS12_CAMELLIA_CBC, 16, 32, 16, 16, 0, TD_TLS12_MAC_SHA256, TD_TLS12_PRF_SHA256 },
		{ 0xc077, TD_TLS12_CAMELLIA_CBC, 32, 48, 16, 16, 0, TD_TLS12_MAC_SHA384, TD_TLS12_PRF_SHA384 },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const struct td_tls12_suite *s = td_tls12_suite_find(v[i].id);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(s->cipher, v[i].cipher);
		CU_ASSERT_EQUAL(s->key_len, v[i].key_len);
		CU_ASSERT_EQUAL(s->mac, v[i].mac);
		CU_ASSERT_EQUAL(s->mac_len, v[i].mac_len);
		CU_ASSERT_EQUAL(s->fixed_iv_len, v[i].fixed_iv_len);
		CU_ASSERT_EQUAL(s->explicit_nonce_len, v[i].explicit_nonce_len);
		CU_ASSERT_EQUAL(s->tag_len, 0);
		CU_ASSERT_EQUAL(s->prf, v[i].prf);
		CU_ASSERT_EQUAL(s->export_key_len, v[i].export_key_len);
		CU_ASSERT_STRING_EQUAL(s->name, td_tls_lookup(TD_REG_CIPHER, v[i].id));
	}
	/* Still not decryptable: RC2 export, the KRB5 DES_CBC_40 suites
	 * (0x0026, 0x0029: not asked for yet), IDEA, SEED, NULL, Camellia-GCM,
	 * the unregistered EXPORT1024 drafts and Netscape FIPS. */
	static const uint16_t unknown[] = { 0x0006, 0x0007, 0x0026, 0x0029, 0x0096, 0x0001,
					    0xc07a, 0x0060, 0x0064, 0x0066, 0xfeff, 0xffe0 };
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
		CU_ASSERT_PTR_NULL(td_tls12_suite_find(unknown[i]));

	/* Which versions each suite exists in: MD5 and SHA-1 suites from SSL
	 * 3.0 on, SHA-256/384 and AEAD suites in TLS 1.2 only. */
	static const struct { uint16_t suite, version; enum td_result rc; } in[] = {
		{ 0x0004, 0x0300, TD_OK }, { 0x0005, 0x0303, TD_OK }, { 0x0003, 0x0303, TD_OK },
		{ 0x000a, 0x0300, TD_OK }, { 0x0041, 0x0300, TD_OK }, { 0xc014, 0x0300, TD_OK },
		{ 0x0009, 0x0302, TD_OK }, { 0x00ba, 0x0303, TD_OK },
		{ 0x0008, 0x0300, TD_OK }, { 0x0014, 0x0301, TD_OK }, { 0x0019, 0x0303, TD_OK },
		{ 0x00ba, 0x0302, TD_ERR_UNSUPPORTED }, { 0xc077, 0x0301, TD_ERR_UNSUPPORTED },
		{ 0xc02f, 0x0300, TD_ERR_UNSUPPORTED }, { 0x003c, 0x0300, TD_ERR_UNSUPPORTED },
		{ 0x0004, 0x0200, TD_ERR_UNSUPPORTED }, { 0x0004, 0x02ff, TD_ERR_UNSUPPORTED },
		{ 0x0004, 0x0304, TD_ERR_UNSUPPORTED },
	};
	uint8_t ms[48] = { 1 }, cr[32] = { 2 }, sr[32] = { 3 };
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		struct td_tls12_keys k;
		enum td_result rc = td_tls12_keys_init(&k, in[i].version, in[i].suite, ms, 48, cr, sr, true,
						       TD_TLS12_CLIENT_WRITE);
		if (rc != in[i].rc)
			fprintf(stderr, "\n%04x in %04x: %s\n", in[i].suite, in[i].version, td_result_str(rc));
		CU_ASSERT_EQUAL(rc, in[i].rc);
		/* encrypt_then_mac: CBC in TLS only (RFC 7366 2: not for streams). */
		if (rc == TD_OK) {
			const struct td_tls12_suite *s = td_tls12_suite_find(in[i].suite);
			CU_ASSERT_EQUAL(k.encrypt_then_mac, s->cipher != TD_TLS12_RC4 && in[i].version != 0x0300);
		}
		td_tls12_keys_cleanup(&k);
	}
}

/* ---- SSL 3.0 and export key derivation, against the Python reference ---- */

static void test_ssl3_kat(void)
{
	uint8_t ms[48], cr[32], sr[32], out[TD_SSL3_KEY_BLOCK_MAX + 1], want[128];
	for (size_t i = 0; i < 48; i++)
		ms[i] = (uint8_t)i;
	for (size_t i = 0; i < 32; i++) {
		cr[i] = (uint8_t)(0x40 + i);
		sr[i] = (uint8_t)(0x80 + i);
	}
	/* Key block: 104 bytes (3DES-SHA), a prefix, the longest ("Z"). */
	size_t n = td_test_unhex("71b9ad5d98cdb492416c838b2ff2546976d792002515e7b7dd9800aeb703a96f5a5f60204a944c55"
			 "004e2181c402bdcd6ea4fef321d0ca96d97c32071019602812e7f7012b9397f8cfd7ab370fb613bc"
			 "0985d60c3a9f00f13d912807f19da133dca05bdce7f03e52", want, sizeof want);
	CU_ASSERT_EQUAL_FATAL(n, 104);
	memset(out, 0, sizeof out);
	CU_ASSERT_EQUAL(td_ssl3_key_block(ms, cr, sr, out, n), TD_OK);
	CU_ASSERT_EQUAL(memcmp(out, want, n), 0);
	CU_ASSERT_EQUAL(out[n], 0);
	memset(out, 0, sizeof out);
	CU_ASSERT_EQUAL(td_ssl3_key_block(ms, cr, sr, out, 21), TD_OK);
	CU_ASSERT_EQUAL(memcmp(out, want, 21), 0);
	CU_ASSERT_EQUAL(out[21], 0);
	CU_ASSERT_EQUAL(td_ssl3_key_block(ms, cr, sr, out, TD_SSL3_KEY_BLOCK_MAX), TD_OK);
	td_test_unhex("6c421ac5dd4484ca0981b4649db1be54", want, sizeof want);
	CU_ASSERT_EQUAL(memcmp(out + TD_SSL3_KEY_BLOCK_MAX - 16, want, 16), 0);
	CU_ASSERT_EQUAL(td_ssl3_key_block(ms, cr, sr, out, TD_SSL3_KEY_BLOCK_MAX + 1), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_ssl3_key_block(ms, cr, sr, out, 0), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_ssl3_key_block(NULL, cr, sr, out, 16), TD_ERR_USAGE);
	/* The randoms are not interchangeable. */
	CU_ASSERT_EQUAL(td_ssl3_key_block(ms, sr, cr, out, 16), TD_OK);
	td_test_unhex("71b9ad5d98cdb492416c838b2ff25469", want, sizeof want);
	CU_ASSERT_NOT_EQUAL(memcmp(out, want, 16), 0);

	/* The MAC: MD5 and SHA-1, seq 0x0102030405060708, type 23, "hello";
	 * SHA-1 over empty content, seq 0, type 21. */
	uint8_t key[20], mac[20];
	for (size_t i = 0; i < 20; i++)
		key[i] = (uint8_t)i;
	static const uint8_t hello[] = "hello";
	CU_ASSERT_EQUAL(td_ssl3_mac(TD_TLS12_MAC_MD5, key, 0x0102030405060708u, 23, hello, 5, mac), TD_OK);
	td_test_unhex("f8eab401268094ec26f69f8290d58266", want, sizeof want);
	CU_ASSERT_EQUAL(memcmp(mac, want, 16), 0);
	CU_ASSERT_EQUAL(td_ssl3_mac(TD_TLS12_MAC_SHA1, key, 0x0102030405060708u, 23, hello, 5, mac), TD_OK);
	td_test_unhex("5c03332b3f0ac5bcb1ef6665c7a5552ee0e9a54f", want, sizeof want);
	CU_ASSERT_EQUAL(memcmp(mac, want, 20), 0);
	CU_ASSERT_EQUAL(td_ssl3_mac(TD_TLS12_MAC_SHA1, key, 0, 21, NULL, 0, mac), TD_OK);
	td_test_unhex("246b3481ceb8b5e4777eb7cadc979961966632ca", want, sizeof want);
	CU_ASSERT_EQUAL(memcmp(mac, want, 20), 0);
	CU_ASSERT_EQUAL(td_ssl3_mac(TD_TLS12_MAC_SHA256, key, 0, 23, hello, 5, mac), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_ssl3_mac(TD_TLS12_MAC_SHA1, key, 0, 23, NULL, 5, mac), TD_ERR_USAGE);

	/* Export keys from the 5 bytes 01..05: SSL 3.0 (MD5 of the randoms,
	 * the server's own first), TLS 1.0 and TLS 1.2 (the PRF). */
	static const uint8_t material[5] = { 1, 2, 3, 4, 5 };
	static const struct { uint16_t version; enum td_tls12_prf prf; enum td_tls12_dir dir;
			      const char *key; } ex[] = {
		{ 0x0300, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_CLIENT_WRITE, "4fb6d6484f10ae97ff625d8b002d52a7" },
		{ 0x0300, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_SERVER_WRITE, "4f9d8a2884c43bcebdddcc88955ce00d" },
		{ 0x0301, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_CLIENT_WRITE, "8b2b53b458ea9595f2bd1ee8e5728946" },
		{ 0x0301, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_SERVER_WRITE, "df6d5563d81a2123c6d112bbd046c674" },
		{ 0x0303, TD_TLS12_PRF_SHA256, TD_TLS12_CLIENT_WRITE, "3bb0dae83367b56061f91e8548ac9f7b" },
	};
	for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
		uint8_t k16[17] = { 0 };
		td_test_unhex(ex[i].key, want, sizeof want);
		CU_ASSERT_EQUAL(td_tls12_export_key(ex[i].version, ex[i].prf, ex[i].dir, material, 5, cr, sr,
						    k16, 16), TD_OK);
		CU_ASSERT_EQUAL(memcmp(k16, want, 16), 0);
		CU_ASSERT_EQUAL(k16[16], 0);
	}
	uint8_t big[33];
	CU_ASSERT_EQUAL(td_tls12_export_key(0x0300, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_CLIENT_WRITE, material,
					    5, cr, sr, big, 17), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_tls12_export_key(0x0301, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_CLIENT_WRITE, material,
					    0, cr, sr, big, 16), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_tls12_export_key(0x0301, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_CLIENT_WRITE, material,
					    5, cr, sr, big, 33), TD_ERR_USAGE);

	/* Export CBC IVs: SSL 3.0 MD5 of the randoms (the server's first for
	 * its own), TLS PRF("", "IV block", client_random + server_random)
	 * cut in two halves of out_len bytes (so a 16-byte server IV is not
	 * the end of the 8-byte case's block). */
	static const struct { uint16_t version; enum td_tls12_prf prf; enum td_tls12_dir dir;
			      const char *iv; } ivs[] = {
		{ 0x0300, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_CLIENT_WRITE, "5e2dc597dc8f71e2" },
		{ 0x0300, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_SERVER_WRITE, "63b8f42b13dbccad" },
		{ 0x0300, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_CLIENT_WRITE, "5e2dc597dc8f71e2d600e14a6398f373" },
		{ 0x0300, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_SERVER_WRITE, "63b8f42b13dbccadcb960395f67884d2" },
		{ 0x0301, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_CLIENT_WRITE, "a1954aa00f605f6c" },
		{ 0x0301, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_SERVER_WRITE, "b14dbdf693dd0bd8" },
		{ 0x0301, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_CLIENT_WRITE, "a1954aa00f605f6cb14dbdf693dd0bd8" },
		{ 0x0301, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_SERVER_WRITE, "661f53e4a5d6187a420bfa8edbe93455" },
		{ 0x0303, TD_TLS12_PRF_SHA256, TD_TLS12_CLIENT_WRITE, "f46b125a111d5efa" },
		{ 0x0303, TD_TLS12_PRF_SHA256, TD_TLS12_SERVER_WRITE, "c5b8d0723792621e" },
	};
	for (size_t i = 0; i < sizeof ivs / sizeof ivs[0]; i++) {
		uint8_t iv[17];
		memset(iv, 0, sizeof iv);
		size_t ivlen = td_test_unhex(ivs[i].iv, want, sizeof want);
		CU_ASSERT_EQUAL(td_tls12_export_iv(ivs[i].version, ivs[i].prf, ivs[i].dir, cr, sr, iv, ivlen),
				TD_OK);
		CU_ASSERT_EQUAL(memcmp(iv, want, ivlen), 0);
		CU_ASSERT_EQUAL(iv[ivlen], 0);
	}
	CU_ASSERT_EQUAL(td_tls12_export_iv(0x0300, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_CLIENT_WRITE, cr, sr,
					   big, 0), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_tls12_export_iv(0x0301, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_CLIENT_WRITE, cr, sr,
					   big, TD_TLS12_IV_MAX + 1), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_tls12_export_iv(0x0301, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_CLIENT_WRITE, NULL, sr,
					   big, 8), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_tls12_export_iv(0x0300, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_SERVER_WRITE, cr, NULL,
					   big, 8), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_tls12_export_iv(0x0300, TD_TLS12_PRF_MD5_SHA1, TD_TLS12_SERVER_WRITE, cr, sr,
					   NULL, 8), TD_ERR_USAGE);
}

struct kb_vec {
	uint16_t version, suite;
	enum td_tls12_dir dir;
	const char *mac_key, *key, *iv;
};

/* Key blocks cut by td_tls12_keys_init (Python reference, same inputs as
 * test_ssl3_kat): SSL 3.0 and TLS 1.0 3DES (with the 8-byte IV), export
 * RC4-40 in SSL 3.0 and TLS 1.2 (the final, expanded key), export DES40
 * in SSL 3.0 and TLS 1.0 (the final 8-byte key and the IV from the
 * randoms, not the key block's). */
static const struct kb_vec kb_vectors[] = {
	{ 0x0300, 0x000a, TD_TLS12_CLIENT_WRITE, "71b9ad5d98cdb492416c838b2ff2546976d79200",
	  "004e2181c402bdcd6ea4fef321d0ca96d97c320710196028", "3d912807f19da133" },
	{ 0x0300, 0x000a, TD_TLS12_SERVER_WRITE, "2515e7b7dd9800aeb703a96f5a5f60204a944c55",
	  "12e7f7012b9397f8cfd7ab370fb613bc0985d60c3a9f00f1", "dca05bdce7f03e52" },
	{ 0x0301, 0x000a, TD_TLS12_CLIENT_WRITE, "c8d7f2a96d11fcf322bc8642653ee7863891bcae",
	  "9466babd7999acac5a334aa3868b087acc059a19726b8d38", "ae7da6d42e3ac0ad" },
	{ 0x0301, 0x000a, TD_TLS12_SERVER_WRITE, "449ecdbf5ead09a4be5a290dff561d90f5daa632",
	  "a08bfda09157f2de6562da81373bbdab2eb24b7c3938f3cd", "ccb7c7b2a578ff16" },
	{ 0x0300, 0x0003, TD_TLS12_CLIENT_WRITE, "71b9ad5d98cdb492416c838b2ff25469",
	  "c547fbf9a58a8e45a17830475b3576d0", "" },
	{ 0x0300, 0x0003, TD_TLS12_SERVER_WRITE, "76d792002515e7b7dd9800aeb703a96f",
	  "c70bff64753fc5863485081b1728415d", "" },
	{ 0x0303, 0x0028, TD_TLS12_CLIENT_WRITE, "a1c8bdbce8830007e5719b5f9764ae0c42c3a103",
	  "434de13213affbc9143c3a44d6c484af", "" },
	{ 0x0303, 0x0028, TD_TLS12_SERVER_WRITE, "d08d01b711b292bfd1f332473e5667ef1f21ed64",
	  "b65e6ca926d6908dfc45011a8562ed10", "" },
	{ 0x0300, 0x0008, TD_TLS12_CLIENT_WRITE, "71b9ad5d98cdb492416c838b2ff2546976d79200",
	  "d1d6e2e8d31848ee", "5e2dc597dc8f71e2" },
	{ 0x0300, 0x0008, TD_TLS12_SERVER_WRITE, "2515e7b7dd9800aeb703a96f5a5f60204a944c55",
	  "e7bcfdbd6f665d50", "63b8f42b13dbccad" },
	{ 0x0301, 0x0008, TD_TLS12_CLIENT_WRITE, "c8d7f2a96d11fcf322bc8642653ee7863891bcae",
	  "7b951fee17f39477", "a1954aa00f605f6c" },
	{ 0x0301, 0x0008, TD_TLS12_SERVER_WRITE, "449ecdbf5ead09a4be5a290dff561d90f5daa632",
	  "7b42d600ccc222bb", "b14dbdf693dd0bd8" },
};

static void test_legacy_key_block(void)
{
	uint8_t ms[48], cr[32], sr[32];
	for (size_t i = 0; i < 48; i++)
		ms[i] = (uint8_t)i;
	for (size_t i = 0; i < 32; i++) {
		cr[i] = (uint8_t)(0x40 + i);
		sr[i] = (uint8_t)(0x80 + i);
	}
	for (size_t i = 0; i < sizeof kb_vectors / sizeof kb_vectors[0]; i++) {
		const struct kb_vec *v = &kb_vectors[i];
		uint8_t mac[48], key[32], iv[16];
		size_t mlen = td_test_unhex(v->mac_key, mac, sizeof mac);
		size_t klen = td_test_unhex(v->key, key, sizeof key);
		size_t ivlen = td_test_unhex(v->iv, iv, sizeof iv);
		struct td_tls12_keys k;
		CU_ASSERT_EQUAL_FATAL(td_tls12_keys_init(&k, v->version, v->suite, ms, 48, cr, sr, false,
							 v->dir), TD_OK);
		CU_ASSERT_EQUAL(k.mac_len, mlen);
		CU_ASSERT_EQUAL(k.key_len, klen);
		CU_ASSERT_EQUAL(k.iv_len, ivlen);
		CU_ASSERT_EQUAL(memcmp(k.mac_key, mac, mlen), 0);
		CU_ASSERT_EQUAL(memcmp(k.key, key, klen), 0);
		CU_ASSERT_EQUAL(memcmp(k.iv, iv, ivlen), 0);
		td_tls12_keys_cleanup(&k);
		CU_ASSERT_EQUAL(k.stream[0] | k.stream[1] | k.stream[100] | k.key[0], 0);
	}
}

/* ---- records ---- */

/* The server's Finished of each DES40 connection (sequence 0) with the
 * first bit of its MAC flipped before encryption (Python reference): the
 * padding is right, only the MAC is wrong. */
static const struct { const char *conn, *record; } bad_mac[] = {
	{ "ssl3-des40",
	  "16030000406cf94bb44614918aad34a436369b19ef47c91148eb01af9e27a3e8e240e9c3933c37731e7a8256ec77e55d4c"
	  "29fd3d700b264149261431549a0a355b413599b0" },
	{ "tls10-des40",
	  "16030100288d8cf356da68abe3b62e43dcb3058b706a59c96b178af6f9c0ad2a6c29af5dd9efe5ff82f3111e89" },
	{ "tls11-des40",
	  "1603020030b0b1b2b3b4b5b6b72eb23c73d55c1a90f2dec1afca54bbdbfd67279e3940d5c27595da763880ca36d3a7f542"
	  "bf4bd71d" },
};

static void test_des40_bad_mac(void)
{
	for (size_t i = 0; i < sizeof bad_mac / sizeof bad_mac[0]; i++) {
		const struct conn *c = conn_named(bad_mac[i].conn);
		struct wire bad = wire_from_hex(bad_mac[i].record);
		struct wire good = wire_from_hex(c->server[0].record);
		CU_ASSERT_EQUAL(bad.len, good.len);
		uint8_t want[64], out[256];
		size_t wlen = td_test_unhex(c->server[0].plain, want, sizeof want);
		struct td_tls12_keys k, before;
		CU_ASSERT_EQUAL_FATAL(conn_keys(c, TD_TLS12_SERVER_WRITE, 0, false, &k), TD_OK);
		before = k;
		memset(out, 0xaa, sizeof out);
		size_t outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &bad, out, &outlen), TD_ERR_MALFORMED);
		CU_ASSERT_EQUAL(outlen, 0);
		CU_ASSERT_TRUE(same_state(&k, &before));
		CU_ASSERT_NOT_EQUAL(memcmp(out, want, wlen), 0);
		/* The real one still opens at sequence 0 on the export IV. */
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &good, out, &outlen), TD_OK);
		CU_ASSERT_EQUAL(outlen, wlen);
		CU_ASSERT_EQUAL(memcmp(out, want, wlen), 0);
		CU_ASSERT_EQUAL(k.seq, 1);
		td_tls12_keys_cleanup(&k);
		free(bad.rec);
		free(good.rec);
	}
}

/* Decrypt a whole direction in order; every record must match. */
static void check_direction(const struct conn *c, enum td_tls12_dir dir, const struct rec *recs)
{
	struct td_tls12_keys k;
	CU_ASSERT_EQUAL_FATAL(conn_keys(c, dir, 0, false, &k), TD_OK);
	for (size_t i = 0; i < MAX_RECS && recs[i].record; i++) {
		static uint8_t out[TD_TLS12_CIPHERTEXT_MAX];
		uint8_t want[64];
		size_t wlen = td_test_unhex(recs[i].plain, want, sizeof want);
		struct wire w = wire_from_hex(recs[i].record);
		memset(out, 0xaa, sizeof out);
		size_t outlen = sizeof out;
		enum td_result rc = decrypt_wire(&k, &w, out, &outlen);
		if (rc != TD_OK || outlen != wlen || memcmp(out, want, wlen) != 0)
			fprintf(stderr, "\n%s %s record %zu: %s, %zu bytes\n", c->name,
				dir == TD_TLS12_CLIENT_WRITE ? "client" : "server", i,
				td_result_str(rc), outlen);
		CU_ASSERT_EQUAL(rc, TD_OK);
		CU_ASSERT_EQUAL(outlen, wlen);
		CU_ASSERT_EQUAL(memcmp(out, want, wlen), 0);
		CU_ASSERT_EQUAL(k.seq, i + 1);
		free(w.rec);
	}
	td_tls12_keys_cleanup(&k);
}

static void test_legacy_records(void)
{
	for (size_t i = 0; i < NCONNS; i++) {
		check_direction(&conns[i], TD_TLS12_CLIENT_WRITE, conns[i].client);
		check_direction(&conns[i], TD_TLS12_SERVER_WRITE, conns[i].server);
	}
}

/*
 * Every record with one byte changed (the last: in the MAC; the first of
 * the body; the header's type, which is authenticated) fails where it
 * stands in the sequence and leaves the state as it was (seq, TLS 1.0 /
 * SSL 3.0 IV, RC4 keystream) with no plaintext shown; the intact record
 * then opens.  Every prefix of it (the header saying so) fails too.
 */
static void test_legacy_tampered(void)
{
	static uint8_t out[TD_TLS12_CIPHERTEXT_MAX];
	for (size_t i = 0; i < NCONNS; i++) {
		const struct conn *c = &conns[i];
		for (int d = 0; d < 2; d++) {
			enum td_tls12_dir dir = d ? TD_TLS12_SERVER_WRITE : TD_TLS12_CLIENT_WRITE;
			const struct rec *recs = d ? c->server : c->client;
			struct td_tls12_keys k, before;
			CU_ASSERT_EQUAL_FATAL(conn_keys(c, dir, 0, false, &k), TD_OK);
			for (size_t r = 0; r < MAX_RECS && recs[r].record; r++) {
				struct wire w = wire_from_hex(recs[r].record);
				uint8_t want[64];
				size_t wlen = td_test_unhex(recs[r].plain, want, sizeof want);
				const size_t where[] = { w.len - 1, 5, 0 };
				before = k;
				for (size_t j = 0; j < sizeof where / sizeof where[0]; j++) {
					w.rec[where[j]] ^= 0x01;
					memset(out, 0xaa, sizeof out);
					size_t outlen = sizeof out;
					CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_MALFORMED);
					CU_ASSERT_EQUAL(outlen, 0);
					CU_ASSERT_TRUE(same_state(&k, &before));
					CU_ASSERT_TRUE(wlen == 0 || memcmp(out, want, wlen) != 0);
					w.rec[where[j]] ^= 0x01;
				}
				for (size_t n = 0; n < w.len - 5; n++) {
					uint8_t hdr[5] = { w.rec[0], w.rec[1], w.rec[2], (uint8_t)(n >> 8),
							   (uint8_t)n };
					uint8_t *body = malloc(n ? n : 1);
					CU_ASSERT_PTR_NOT_NULL_FATAL(body);
					memcpy(body, w.rec + 5, n);
					size_t outlen = sizeof out;
					CU_ASSERT_EQUAL(td_tls12_decrypt(&k, hdr, body, n, out, &outlen),
							TD_ERR_MALFORMED);
					CU_ASSERT_EQUAL(outlen, 0);
					free(body);
				}
				CU_ASSERT_TRUE(same_state(&k, &before));
				size_t outlen = sizeof out;
				CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_OK);
				CU_ASSERT_EQUAL(outlen, wlen);
				CU_ASSERT_EQUAL(memcmp(out, want, wlen), 0);
				CU_ASSERT_EQUAL(k.seq, r + 1);
				free(w.rec);
			}
			td_tls12_keys_cleanup(&k);
		}
	}
}

/* The first client record under the wrong keys, sequence, version or
 * options. */
static void test_legacy_wrong_keys(void)
{
	static uint8_t out[1024];
	for (size_t i = 0; i < NCONNS; i++) {
		const struct conn *c = &conns[i];
		const struct td_tls12_suite *s = td_tls12_suite_find(c->suite);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		struct wire w = wire_from_hex(c->client[0].record);
		struct td_tls12_keys k;
		size_t outlen;

		CU_ASSERT_EQUAL_FATAL(conn_keys(c, TD_TLS12_CLIENT_WRITE, 0, true, &k), TD_OK);
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_MALFORMED);
		CU_ASSERT_EQUAL_FATAL(conn_keys(c, TD_TLS12_SERVER_WRITE, 0, false, &k), TD_OK);
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_MALFORMED);
		CU_ASSERT_EQUAL_FATAL(conn_keys(c, TD_TLS12_CLIENT_WRITE, 0, false, &k), TD_OK);
		k.seq = 1;
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_MALFORMED);
		CU_ASSERT_EQUAL(k.seq, 1);
		k.seq = 0;
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_OK);
		/* SSL 3.0 keys for a TLS record and TLS 1.0 keys for an SSL 3.0
		 * one: another key block, another MAC. */
		if (s->mac == TD_TLS12_MAC_SHA1 || s->mac == TD_TLS12_MAC_MD5) {
			uint16_t other = c->version == 0x0300 ? 0x0301 : 0x0300;
			CU_ASSERT_EQUAL_FATAL(conn_keys(c, TD_TLS12_CLIENT_WRITE, other, false, &k), TD_OK);
			outlen = sizeof out;
			CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_MALFORMED);
			CU_ASSERT_EQUAL(k.seq, 0);
		}
		/* encrypt_then_mac the other way round than negotiated (TLS CBC). */
		if (s->cipher != TD_TLS12_RC4 && c->version != 0x0300) {
			uint8_t ms[48], cr[32], sr[32];
			td_test_unhex(c->master, ms, sizeof ms);
			td_test_unhex(c->client_random, cr, sizeof cr);
			td_test_unhex(c->server_random, sr, sizeof sr);
			CU_ASSERT_EQUAL_FATAL(td_tls12_keys_init(&k, c->version, c->suite, ms, 48, cr, sr,
								 !c->etm, TD_TLS12_CLIENT_WRITE), TD_OK);
			outlen = sizeof out;
			CU_ASSERT_EQUAL(decrypt_wire(&k, &w, out, &outlen), TD_ERR_MALFORMED);
		}
		td_tls12_keys_cleanup(&k);
		free(w.rec);
	}
}

/*
 * RC4 is a stream: records open only in order and only once.  A skipped
 * record, a replayed one or one the caller has no room for leaves the
 * keystream where it was, so the right record still opens after it.
 */
static void test_rc4_stream(void)
{
	static const char *const names[] = { "rc4sha12", "rc4ecdhe_10", "ssl3-rc4-md5", "tls12-rc4-40" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const struct conn *c = conn_named(names[i]);
		struct wire w[MAX_RECS];
		for (size_t r = 0; r < MAX_RECS; r++)
			w[r] = wire_from_hex(c->client[r].record);
		uint8_t out[256];
		size_t outlen;
		struct td_tls12_keys k, before;
		CU_ASSERT_EQUAL_FATAL(conn_keys(c, TD_TLS12_CLIENT_WRITE, 0, false, &k), TD_OK);
		/* Too small an output: all of the body (content and MAC) is needed. */
		before = k;
		outlen = w[0].len - 5 - 1;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w[0], out, &outlen), TD_ERR_USAGE);
		CU_ASSERT_TRUE(same_state(&k, &before));
		outlen = w[0].len - 5;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w[0], out, &outlen), TD_OK);
		/* Record 2 before record 1: at seq 1 its MAC fails, and even at
		 * seq 2 the keystream is record 1's. */
		before = k;
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w[2], out, &outlen), TD_ERR_MALFORMED);
		k.seq = 2;
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w[2], out, &outlen), TD_ERR_MALFORMED);
		k.seq = 1;
		CU_ASSERT_TRUE(same_state(&k, &before));
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w[1], out, &outlen), TD_OK);
		/* A replay of record 1 (a TCP retransmission) fails and does not
		 * move the stream: record 2 opens. */
		before = k;
		k.seq = 1;
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w[1], out, &outlen), TD_ERR_MALFORMED);
		k.seq = 2;
		CU_ASSERT_TRUE(same_state(&k, &before));
		uint8_t want[64];
		size_t wlen = td_test_unhex(c->client[2].plain, want, sizeof want);
		outlen = sizeof out;
		CU_ASSERT_EQUAL(decrypt_wire(&k, &w[2], out, &outlen), TD_OK);
		CU_ASSERT_EQUAL(outlen, wlen);
		CU_ASSERT_EQUAL(memcmp(out, want, wlen), 0);
		CU_ASSERT_NOT_EQUAL(memcmp(k.stream, before.stream, sizeof k.stream), 0);
		for (size_t r = 0; r < MAX_RECS; r++)
			free(w[r].rec);
		td_tls12_keys_cleanup(&k);
	}
}

/* ---- SSL 3.0 CBC padding (RFC 6101 5.2.3.2), built with wolfSSL ---- */

/* A CBC record (no record IV: SSL 3.0 or TLS 1.0) of content under k at
 * k->seq: MAC-then-encrypt, pad_len = pad, the pad padding bytes all
 * fill; returns the record length (header included). */
static size_t seal_cbc0(const struct td_tls12_keys *k, const uint8_t *content, size_t clen,
			size_t pad, uint8_t fill, uint8_t *rec)
{
	const struct td_tls12_suite *s = td_tls12_suite_find(k->suite);
	if (!s)
		abort();
	size_t block = s->fixed_iv_len;
	uint8_t plain[600];
	memcpy(plain, content, clen);
	size_t n = clen;
	if (k->version == 0x0300) {
		if (td_ssl3_mac(s->mac, k->mac_key, k->seq, 23, content, clen, plain + n) != TD_OK)
			abort();
	} else {
		uint8_t h[13] = { 0 };
		for (int i = 0; i < 8; i++)
			h[i] = (uint8_t)(k->seq >> (56 - 8 * i));
		h[8] = 23;
		h[9] = (uint8_t)(k->version >> 8);
		h[10] = (uint8_t)k->version;
		h[11] = (uint8_t)(clen >> 8);
		h[12] = (uint8_t)clen;
		Hmac m;
		if (wc_HmacInit(&m, NULL, INVALID_DEVID) != 0 ||
		    wc_HmacSetKey(&m, s->mac == TD_TLS12_MAC_MD5 ? WC_MD5 : WC_SHA, k->mac_key,
				  (word32)k->mac_len) != 0 ||
		    wc_HmacUpdate(&m, h, 13) != 0 || (clen && wc_HmacUpdate(&m, content, (word32)clen) != 0) ||
		    wc_HmacFinal(&m, plain + n) != 0)
			abort();
		wc_HmacFree(&m);
	}
	n += k->mac_len;
	memset(plain + n, fill, pad);
	plain[n + pad] = (uint8_t)pad;
	n += pad + 1;
	if (n % block != 0 || n > sizeof plain)
		abort();
	int rc;
	if (s->cipher == TD_TLS12_DES_CBC) {
		Des des;
		rc = wc_Des_SetKey(&des, k->key, k->iv, DES_ENCRYPTION);
		if (rc == 0)
			rc = wc_Des_CbcEncrypt(&des, rec + 5, plain, (word32)n);
	} else if (block == 8) {
		Des3 des;
		rc = wc_Des3Init(&des, NULL, INVALID_DEVID);
		if (rc == 0)
			rc = wc_Des3_SetKey(&des, k->key, k->iv, DES_ENCRYPTION);
		if (rc == 0)
			rc = wc_Des3_CbcEncrypt(&des, rec + 5, plain, (word32)n);
		wc_Des3Free(&des);
	} else if (s->cipher == TD_TLS12_CAMELLIA_CBC) {
		Camellia cam;
		rc = wc_CamelliaSetKey(&cam, k->key, (word32)k->key_len, k->iv);
		if (rc == 0)
			rc = wc_CamelliaCbcEncrypt(&cam, rec + 5, plain, (word32)n);
	} else {
		Aes aes;
		rc = wc_AesInit(&aes, NULL, INVALID_DEVID);
		if (rc == 0)
			rc = wc_AesSetKey(&aes, k->key, (word32)k->key_len, k->iv, AES_ENCRYPTION);
		if (rc == 0)
			rc = wc_AesCbcEncrypt(&aes, rec + 5, plain, (word32)n);
		wc_AesFree(&aes);
	}
	if (rc != 0)
		abort();
	rec[0] = 23;
	rec[1] = (uint8_t)(k->version >> 8);
	rec[2] = (uint8_t)k->version;
	rec[3] = (uint8_t)(n >> 8);
	rec[4] = (uint8_t)n;
	return n + 5;
}

struct pad_case {
	bool longer;      /* pad_len a block more than the minimum */
	bool fill_other;  /* padding bytes other than pad_len */
	bool ssl3_ok, tls_ok;
};

/* In order, on one key state; each record that opens chains the IV. */
static const struct pad_case pad_cases[] = {
	{ false, false, true, true },    /* minimal, every byte pad_len */
	{ false, true, true, false },    /* minimal, arbitrary bytes: SSL 3.0 only */
	{ true, false, false, true },    /* a block or more: TLS only */
	{ false, true, true, false },
};

static void test_ssl3_padding(void)
{
	/* AES, 3DES, Camellia, DES40 (export key and IV) */
	static const uint16_t suites[] = { 0x002f, 0x000a, 0x0084, 0x0011 };
	static const uint8_t content[] = "hello, ssl3 padding";
	uint8_t ms[48], cr[32], sr[32], rec[700], out[700];
	memset(ms, 0x5a, sizeof ms);
	memset(cr, 0x6b, sizeof cr);
	memset(sr, 0x7c, sizeof sr);
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
		const struct td_tls12_suite *s = td_tls12_suite_find(suites[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		size_t block = s->fixed_iv_len;
		for (uint16_t version = 0x0300; version <= 0x0301; version++) {
			struct td_tls12_keys k, before;
			CU_ASSERT_EQUAL_FATAL(td_tls12_keys_init(&k, version, suites[i], ms, 48, cr, sr, false,
								 TD_TLS12_SERVER_WRITE), TD_OK);
			for (size_t clen = 0; clen <= 19; clen += 19) {
				size_t min = (block - (clen + k.mac_len + 1) % block) % block;
				for (size_t j = 0; j < sizeof pad_cases / sizeof pad_cases[0]; j++) {
					const struct pad_case *t = &pad_cases[j];
					if (t->fill_other && min == 0)
						continue;   /* no padding byte to vary */
					size_t pad = t->longer ? min + block : min;
					size_t n = seal_cbc0(&k, content, clen, pad,
							     t->fill_other ? 0xee : (uint8_t)pad, rec);
					bool ok = version == 0x0300 ? t->ssl3_ok : t->tls_ok;
					before = k;
					memset(out, 0xaa, sizeof out);
					size_t outlen = sizeof out;
					enum td_result rc = td_tls12_decrypt(&k, rec, rec + 5, n - 5, out, &outlen);
					if (rc != (ok ? TD_OK : TD_ERR_MALFORMED))
						fprintf(stderr, "\n%04x/%04x content %zu case %zu: %s\n", version,
							suites[i], clen, j, td_result_str(rc));
					CU_ASSERT_EQUAL(rc, ok ? TD_OK : TD_ERR_MALFORMED);
					if (ok) {
						CU_ASSERT_EQUAL(outlen, clen);
						CU_ASSERT_EQUAL(memcmp(out, content, clen), 0);
						CU_ASSERT_EQUAL(k.seq, before.seq + 1);
						CU_ASSERT_EQUAL(memcmp(k.iv, rec + n - block, block), 0);
					} else {
						CU_ASSERT_EQUAL(outlen, 0);
						CU_ASSERT_TRUE(same_state(&k, &before));
						CU_ASSERT_TRUE(clen == 0 || memcmp(out, content, clen) != 0);
					}
				}
			}
			td_tls12_keys_cleanup(&k);
		}
	}
}

void td_suite_crypto_legacy(void)
{
	CU_pSuite s = td_test_suite("crypto_legacy");
	td_test_add(s, "suites", test_legacy_suites);
	td_test_add(s, "ssl3_kat", test_ssl3_kat);
	td_test_add(s, "key_block", test_legacy_key_block);
	td_test_add(s, "records", test_legacy_records);
	td_test_add(s, "tampered", test_legacy_tampered);
	td_test_add(s, "wrong_keys", test_legacy_wrong_keys);
	td_test_add(s, "rc4_stream", test_rc4_stream);
	td_test_add(s, "ssl3_padding", test_ssl3_padding);
	td_test_add(s, "des40_bad_mac", test_des40_bad_mac);
}
