/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tls_handshake.c - handshake reassembly (src/tls/handshake.c) and
 * the message decoders (src/tls/hello.c, src/tls/certmsg.c).
 *
 * The messages are real ones cut from public captures (the origin is
 * named above each, or in tls_vectors.c for the records the record-layer
 * tests use too); the values asserted are the ones tshark shows for the
 * same packets.  A few messages that no capture has in clear (TLS
 * 1.3 Certificate and CertificateRequest, EncryptedExtensions) are built
 * here around real DER.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "caps.h"
#include "conn.h"
#include "tests.h"
#include "tls_handshake.h"
#include "tls_names.h"
#include "tls_vectors.h"

/* zeek/client-certificate.pcap, frame 4: ClientHello record (TLS 1.3-capable Firefox, SNI certauth.idrix.fr) */
static const uint8_t cc_ch_rec[] = {
	0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x65, 0xab, 0x83, 0x92, 0x88,
	0x0a, 0xeb, 0x2a, 0x68, 0xe9, 0xe8, 0x36, 0x04, 0xc4, 0x44, 0x32, 0x99, 0x74, 0xa5, 0x27, 0xce,
	0x9b, 0x2b, 0x2e, 0x33, 0xe2, 0xaa, 0x8e, 0xd5, 0xb2, 0x73, 0xbe, 0x20, 0xbf, 0x6a, 0xed, 0x7f,
	0x07, 0x11, 0xfc, 0x26, 0x8e, 0x77, 0x5f, 0x95, 0x99, 0x5d, 0xa1, 0xd3, 0x6c, 0xe0, 0x85, 0xac,
	0x7a, 0x15, 0x40, 0x6e, 0xa1, 0x83, 0x2d, 0xbb, 0x90, 0x42, 0xb5, 0x73, 0x00, 0x22, 0x13, 0x01,
	0x13, 0x03, 0x13, 0x02, 0xc0, 0x2b, 0xc0, 0x2f, 0xcc, 0xa9, 0xcc, 0xa8, 0xc0, 0x2c, 0xc0, 0x30,
	0xc0, 0x0a, 0xc0, 0x09, 0xc0, 0x13, 0xc0, 0x14, 0x00, 0x9c, 0x00, 0x9d, 0x00, 0x2f, 0x00, 0x35,
	0x01, 0x00, 0x01, 0x91, 0x00, 0x00, 0x00, 0x16, 0x00, 0x14, 0x00, 0x00, 0x11, 0x63, 0x65, 0x72,
	0x74, 0x61, 0x75, 0x74, 0x68, 0x2e, 0x69, 0x64, 0x72, 0x69, 0x78, 0x2e, 0x66, 0x72, 0x00, 0x17,
	0x00, 0x00, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x0e, 0x00, 0x0c, 0x00, 0x1d, 0x00,
	0x17, 0x00, 0x18, 0x00, 0x19, 0x01, 0x00, 0x01, 0x01, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, 0x00,
	0x23, 0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74, 0x74,
	0x70, 0x2f, 0x31, 0x2e, 0x31, 0x00, 0x05, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x22,
	0x00, 0x0a, 0x00, 0x08, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x02, 0x03, 0x00, 0x33, 0x00, 0x6b,
	0x00, 0x69, 0x00, 0x1d, 0x00, 0x20, 0x01, 0x9f, 0xa9, 0x69, 0x4f, 0x56, 0x9d, 0x9c, 0xef, 0x1f,
	0x98, 0x39, 0x0b, 0x05, 0xba, 0x8c, 0x0f, 0xad, 0x66, 0x8d, 0x08, 0x82, 0xdc, 0x40, 0x51, 0xc1,
	0x09, 0x23, 0x50, 0xa2, 0xc4, 0x38, 0x00, 0x17, 0x00, 0x41, 0x04, 0x3a, 0x7c, 0x1e, 0xa9, 0x71,
	0xb4, 0x41, 0x22, 0x70, 0xc8, 0x7a, 0xed, 0xf5, 0x06, 0x9b, 0x38, 0x7d, 0x37, 0xc2, 0x21, 0xef,
	0xde, 0x0f, 0x54, 0x88, 0x78, 0x32, 0x96, 0xb2, 0x8f, 0x3a, 0xaf, 0xb7, 0x80, 0x80, 0x3c, 0x05,
	0xe0, 0xa0, 0xcf, 0x9f, 0xa4, 0xfb, 0x5c, 0x8c, 0x47, 0x9f, 0xed, 0xa9, 0x23, 0x72, 0x6b, 0x5f,
	0x66, 0xcb, 0x9c, 0xc3, 0xd2, 0x71, 0xe1, 0xdc, 0xcb, 0x8b, 0xe8, 0x00, 0x2b, 0x00, 0x05, 0x04,
	0x03, 0x04, 0x03, 0x03, 0x00, 0x0d, 0x00, 0x18, 0x00, 0x16, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03,
	0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x02, 0x03, 0x02, 0x01,
	0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x00, 0x1c, 0x00, 0x02, 0x40, 0x01, 0x00, 0x15, 0x00, 0x85,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00,
};

/* mercury/tls_sgt.pcap, frame 11: client Certificate record (one 947-byte certificate) */
static const uint8_t sgt_cert_rec[] = {
	0x16, 0x03, 0x03, 0x03, 0xbd, 0x0b, 0x00, 0x03, 0xb9, 0x00, 0x03, 0xb6, 0x00, 0x03, 0xb3, 0x30,
	0x82, 0x03, 0xaf, 0x30, 0x82, 0x02, 0x97, 0x02, 0x14, 0x7c, 0x92, 0x0d, 0xa8, 0x7e, 0xfd, 0x1c,
	0x8a, 0x2b, 0x89, 0x0c, 0x56, 0xe4, 0xdd, 0xe2, 0x07, 0x98, 0xb8, 0x5b, 0x22, 0x30, 0x0d, 0x06,
	0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00, 0x30, 0x81, 0x93, 0x31,
	0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x55, 0x53, 0x31, 0x0b, 0x30, 0x09,
	0x06, 0x03, 0x55, 0x04, 0x08, 0x0c, 0x02, 0x43, 0x41, 0x31, 0x11, 0x30, 0x0f, 0x06, 0x03, 0x55,
	0x04, 0x07, 0x0c, 0x08, 0x53, 0x61, 0x6e, 0x20, 0x4a, 0x6f, 0x73, 0x65, 0x31, 0x1c, 0x30, 0x1a,
	0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x13, 0x43, 0x69, 0x73, 0x63, 0x6f, 0x20, 0x53, 0x79, 0x73,
	0x74, 0x65, 0x6d, 0x73, 0x2c, 0x20, 0x49, 0x6e, 0x63, 0x2e, 0x31, 0x22, 0x30, 0x20, 0x06, 0x03,
	0x55, 0x04, 0x03, 0x0c, 0x19, 0x54, 0x65, 0x74, 0x72, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x20, 0x53,
	0x6f, 0x66, 0x74, 0x77, 0x61, 0x72, 0x65, 0x20, 0x53, 0x65, 0x6e, 0x73, 0x6f, 0x72, 0x31, 0x22,
	0x30, 0x20, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01, 0x16, 0x13, 0x74,
	0x65, 0x74, 0x72, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x40, 0x63, 0x69, 0x73, 0x63, 0x6f, 0x2e, 0x63,
	0x6f, 0x6d, 0x30, 0x1e, 0x17, 0x0d, 0x32, 0x31, 0x30, 0x34, 0x31, 0x31, 0x31, 0x34, 0x34, 0x35,
	0x32, 0x34, 0x5a, 0x17, 0x0d, 0x33, 0x31, 0x30, 0x34, 0x30, 0x39, 0x31, 0x34, 0x34, 0x35, 0x32,
	0x34, 0x5a, 0x30, 0x81, 0x93, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02,
	0x55, 0x53, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x08, 0x0c, 0x02, 0x43, 0x41, 0x31,
	0x11, 0x30, 0x0f, 0x06, 0x03, 0x55, 0x04, 0x07, 0x0c, 0x08, 0x53, 0x61, 0x6e, 0x20, 0x4a, 0x6f,
	0x73, 0x65, 0x31, 0x1c, 0x30, 0x1a, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x13, 0x43, 0x69, 0x73,
	0x63, 0x6f, 0x20, 0x53, 0x79, 0x73, 0x74, 0x65, 0x6d, 0x73, 0x2c, 0x20, 0x49, 0x6e, 0x63, 0x2e,
	0x31, 0x22, 0x30, 0x20, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x19, 0x54, 0x65, 0x74, 0x72, 0x61,
	0x74, 0x69, 0x6f, 0x6e, 0x20, 0x53, 0x6f, 0x66, 0x74, 0x77, 0x61, 0x72, 0x65, 0x20, 0x53, 0x65,
	0x6e, 0x73, 0x6f, 0x72, 0x31, 0x22, 0x30, 0x20, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x09, 0x01, 0x16, 0x13, 0x74, 0x65, 0x74, 0x72, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x40, 0x63,
	0x69, 0x73, 0x63, 0x6f, 0x2e, 0x63, 0x6f, 0x6d, 0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09,
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00,
	0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00, 0xcc, 0xa5, 0x00, 0x9f, 0xa2, 0x8f, 0x89,
	0x52, 0xff, 0xdc, 0x6a, 0xd2, 0xf3, 0xaa, 0xef, 0xee, 0xdf, 0xaa, 0x91, 0x17, 0x96, 0x30, 0xa2,
	0x42, 0x1b, 0x99, 0xc0, 0x72, 0xaa, 0x07, 0x3d, 0x29, 0x60, 0x58, 0xaf, 0x6e, 0x32, 0x50, 0xd2,
	0x5e, 0x4b, 0x57, 0x2e, 0x53, 0x01, 0x02, 0x91, 0xeb, 0x80, 0xa5, 0x70, 0x2a, 0xa3, 0x6f, 0x10,
	0xb7, 0x50, 0x50, 0x1a, 0xe0, 0xab, 0x67, 0xc7, 0x81, 0xcb, 0xc6, 0x42, 0xa5, 0x2f, 0x5b, 0xa4,
	0x42, 0x3b, 0x50, 0x2b, 0x3b, 0x2e, 0xb0, 0x63, 0xa9, 0xf7, 0x70, 0xed, 0xc7, 0x1f, 0x8c, 0x4f,
	0xbc, 0xfd, 0xee, 0xa0, 0x01, 0x40, 0x01, 0xed, 0x03, 0x63, 0xa9, 0xae, 0xd9, 0x70, 0x19, 0x7f,
	0x92, 0x02, 0x60, 0xb4, 0xd1, 0x7f, 0x98, 0x43, 0xe6, 0x5d, 0xaa, 0xaf, 0x73, 0x0b, 0x8b, 0xa6,
	0xbc, 0x59, 0x83, 0x2b, 0x2f, 0xf9, 0xb8, 0x98, 0xfe, 0x83, 0xe9, 0x57, 0xb3, 0x70, 0x4b, 0xd2,
	0x84, 0xbc, 0xb7, 0xfd, 0xd3, 0x23, 0x28, 0xd7, 0xf3, 0x74, 0x78, 0x30, 0x73, 0x85, 0x94, 0x49,
	0x16, 0xcf, 0x3c, 0xd5, 0x42, 0x06, 0x0c, 0x13, 0x6d, 0xa0, 0x74, 0xd0, 0x67, 0x02, 0xb9, 0x0d,
	0x2e, 0x18, 0xe8, 0x52, 0xa9, 0x3f, 0xd8, 0x6f, 0xeb, 0x5f, 0x2e, 0x8e, 0x12, 0xc9, 0xc8, 0x8f,
	0x17, 0x31, 0x61, 0xf9, 0x74, 0x4d, 0x18, 0x7d, 0x1c, 0x0d, 0x0b, 0x13, 0xf3, 0x6d, 0x6d, 0x0c,
	0xf8, 0x35, 0x61, 0x26, 0x41, 0x94, 0x22, 0x09, 0x9d, 0xe9, 0x20, 0xe8, 0x62, 0x76, 0xdc, 0x9d,
	0x77, 0x50, 0xc8, 0xa1, 0x0f, 0x38, 0x38, 0x66, 0xb1, 0x16, 0x1c, 0xea, 0xa0, 0x9a, 0xc2, 0x7c,
	0xa6, 0xcd, 0xfe, 0x9e, 0xd0, 0xbd, 0xf6, 0x12, 0x47, 0x0b, 0x80, 0x87, 0x3d, 0xc4, 0x24, 0x1b,
	0x3b, 0x2c, 0xbe, 0xef, 0x90, 0xd8, 0xd5, 0x8a, 0xe1, 0x02, 0x03, 0x01, 0x00, 0x01, 0x30, 0x0d,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00, 0x03, 0x82, 0x01,
	0x01, 0x00, 0x5c, 0xca, 0x7a, 0x21, 0x01, 0xfe, 0x59, 0xa9, 0x73, 0xf0, 0x88, 0xb9, 0x9e, 0x03,
	0x98, 0xff, 0xa0, 0xaa, 0x34, 0x13, 0x20, 0xbd, 0xa6, 0xec, 0x95, 0x8f, 0x39, 0xc5, 0xac, 0x8f,
	0x39, 0xce, 0x21, 0xa7, 0x2c, 0x15, 0x96, 0x1b, 0xd0, 0x9d, 0xcb, 0x3a, 0x50, 0x29, 0xc7, 0x16,
	0xf1, 0x7d, 0x75, 0x8c, 0x23, 0x87, 0x8a, 0x09, 0x70, 0xd7, 0x2d, 0x70, 0x0f, 0x05, 0xd5, 0xd8,
	0xe7, 0xd4, 0x97, 0x2c, 0x86, 0x4a, 0x0f, 0x72, 0xe5, 0xa2, 0xa3, 0x38, 0x9a, 0xae, 0x48, 0xe7,
	0xf3, 0xff, 0x0a, 0x0c, 0x6e, 0x3c, 0xfb, 0xb5, 0xca, 0x57, 0x7e, 0x8b, 0x15, 0xc4, 0x23, 0x7b,
	0xe1, 0x59, 0x31, 0x28, 0xf8, 0x6d, 0xa4, 0x00, 0x37, 0x2b, 0xb1, 0x08, 0x68, 0xbc, 0x59, 0x76,
	0x9e, 0x74, 0xd5, 0x38, 0x06, 0x06, 0xf1, 0x45, 0xc2, 0xf2, 0x48, 0x35, 0x2b, 0xb1, 0x56, 0x3b,
	0x83, 0x9a, 0xc1, 0x44, 0x55, 0x03, 0xe7, 0xa3, 0xa4, 0xe3, 0x0f, 0x99, 0x4f, 0x02, 0x57, 0x6e,
	0x21, 0x8b, 0x38, 0x59, 0xdb, 0x2a, 0x7a, 0xb2, 0x00, 0x30, 0x00, 0x0a, 0x09, 0x0a, 0x4f, 0xd7,
	0x51, 0x5a, 0xd0, 0x6b, 0x48, 0x25, 0x1f, 0x69, 0x9a, 0x1f, 0x63, 0x69, 0x5d, 0xa0, 0x52, 0x39,
	0x4e, 0xb0, 0x79, 0x03, 0x31, 0x12, 0xc5, 0xbc, 0xc4, 0x55, 0x45, 0xd5, 0xe1, 0xba, 0x69, 0x32,
	0x3d, 0x4c, 0x00, 0xe4, 0x27, 0x95, 0xb3, 0xa5, 0x60, 0xa1, 0xe0, 0xd3, 0x91, 0x91, 0x52, 0x3d,
	0x44, 0xce, 0x6d, 0x83, 0x2a, 0xe0, 0x2e, 0x01, 0xea, 0x2c, 0xb3, 0x9c, 0xba, 0xcf, 0x3c, 0xb9,
	0xa7, 0x3b, 0xe3, 0x04, 0x29, 0x0e, 0x5e, 0x3f, 0x6b, 0x31, 0xd5, 0x9e, 0xe8, 0x9f, 0x08, 0x5b,
	0x75, 0xa5, 0x21, 0x68, 0x0a, 0xfc, 0xd9, 0x08, 0xfe, 0x91, 0x38, 0xc2, 0xdb, 0xf4, 0x0a, 0x0c,
	0xe2, 0x7a,
};

/* mercury/tls_sgt.pcap, frame 6: CertificateRequest + ServerHelloDone record (3 CA names) */
static const uint8_t sgt_cr_rec[] = {
	0x16, 0x03, 0x03, 0x00, 0xda, 0x0d, 0x00, 0x00, 0xd2, 0x03, 0x01, 0x02, 0x40, 0x00, 0x1e, 0x06,
	0x01, 0x06, 0x02, 0x06, 0x03, 0x05, 0x01, 0x05, 0x02, 0x05, 0x03, 0x04, 0x01, 0x04, 0x02, 0x04,
	0x03, 0x03, 0x01, 0x03, 0x02, 0x03, 0x03, 0x02, 0x01, 0x02, 0x02, 0x02, 0x03, 0x00, 0xac, 0x00,
	0x21, 0x30, 0x1f, 0x31, 0x1d, 0x30, 0x1b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x14, 0x74, 0x65,
	0x74, 0x2d, 0x70, 0x6f, 0x76, 0x2d, 0x72, 0x74, 0x70, 0x31, 0x2e, 0x63, 0x70, 0x6f, 0x63, 0x2e,
	0x63, 0x6f, 0x00, 0x34, 0x30, 0x32, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13,
	0x02, 0x55, 0x53, 0x31, 0x16, 0x30, 0x14, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x13, 0x0d, 0x4c, 0x65,
	0x74, 0x27, 0x73, 0x20, 0x45, 0x6e, 0x63, 0x72, 0x79, 0x70, 0x74, 0x31, 0x0b, 0x30, 0x09, 0x06,
	0x03, 0x55, 0x04, 0x03, 0x13, 0x02, 0x52, 0x33, 0x00, 0x51, 0x30, 0x4f, 0x31, 0x0b, 0x30, 0x09,
	0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x55, 0x53, 0x31, 0x29, 0x30, 0x27, 0x06, 0x03, 0x55,
	0x04, 0x0a, 0x13, 0x20, 0x49, 0x6e, 0x74, 0x65, 0x72, 0x6e, 0x65, 0x74, 0x20, 0x53, 0x65, 0x63,
	0x75, 0x72, 0x69, 0x74, 0x79, 0x20, 0x52, 0x65, 0x73, 0x65, 0x61, 0x72, 0x63, 0x68, 0x20, 0x47,
	0x72, 0x6f, 0x75, 0x70, 0x31, 0x15, 0x30, 0x13, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x0c, 0x49,
	0x53, 0x52, 0x47, 0x20, 0x52, 0x6f, 0x6f, 0x74, 0x20, 0x58, 0x31, 0x0e, 0x00, 0x00, 0x00,
};

/* zeek/hrr.pcap, frame 6: HelloRetryRequest record (selects secp256r1) */
static const uint8_t hrr_rec[] = {
	0x16, 0x03, 0x03, 0x00, 0x58, 0x02, 0x00, 0x00, 0x54, 0x03, 0x03, 0xcf, 0x21, 0xad, 0x74, 0xe5,
	0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a,
	0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c, 0x20, 0x1a, 0x6b, 0xb8, 0x36,
	0x8a, 0xdd, 0x0e, 0x28, 0x01, 0x5b, 0xd6, 0xcc, 0xed, 0x64, 0x82, 0x36, 0xf4, 0x9e, 0x24, 0x07,
	0xf1, 0x96, 0x53, 0xac, 0x1f, 0xdd, 0x1f, 0xfa, 0x48, 0xbf, 0xae, 0xcd, 0x13, 0x02, 0x00, 0x00,
	0x0c, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x02, 0x00, 0x17,
};

/* The message (handshake header on) and body inside a one-message record. */
static const uint8_t *msg_of(const uint8_t *rec) { return rec + TV_REC_HDR; }
static const uint8_t *body_of(const uint8_t *rec) { return rec + TV_REC_HDR + TV_HS_HDR; }
static size_t body_len(size_t rec_len) { return rec_len - TV_REC_HDR - TV_HS_HDR; }

static bool list_is(const struct td_u16list *l, const uint16_t *v, size_t n)
{
	return l->n == n && memcmp(l->v, v, n * sizeof *v) == 0;
}

/* ---- reassembly ---- */

#define MAX_MSGS 16
struct msgs {
	size_t n;
	uint8_t type[MAX_MSGS];
	size_t len[MAX_MSGS];
	uint8_t first[MAX_MSGS];   /* first body byte, 0 when empty */
	uint32_t sum[MAX_MSGS];    /* a checksum of the body */
};

static void on_msg(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct msgs *m = ctx;
	if (m->n >= MAX_MSGS)
		return;
	uint32_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = sum * 31 + body[i];
	m->type[m->n] = type;
	m->len[m->n] = len;
	m->first[m->n] = len ? body[0] : 0;
	m->sum[m->n] = sum;
	m->n++;
}

static bool msgs_equal(const struct msgs *a, const struct msgs *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

/* The handshake bytes of a server flight: ServerHello, Certificate,
 * CertificateRequest, ServerHelloDone (4 messages). */
static void flight(struct tv_stream *st)
{
	st->n = 0;
	tv_add(st, msg_of(cc_sh_rec), sizeof cc_sh_rec - TV_REC_HDR);
	tv_add(st, msg_of(sgt_cert_rec), sizeof sgt_cert_rec - TV_REC_HDR);
	tv_add(st, msg_of(sgt_cr_rec), sizeof sgt_cr_rec - TV_REC_HDR);
}

static void test_reasm_whole(void)
{
	static struct tv_stream st;
	flight(&st);
	const uint8_t *fl = st.b;
	size_t n = st.n;
	struct td_hs_reasm h;
	struct msgs m;
	memset(&m, 0, sizeof m);
	td_hs_reasm_init(&h);
	CU_ASSERT_EQUAL(td_hs_reasm_feed(&h, fl, n, on_msg, &m), TD_OK);
	CU_ASSERT_FALSE(td_hs_reasm_pending(&h));
	CU_ASSERT_EQUAL(h.messages, 4);
	CU_ASSERT_EQUAL_FATAL(m.n, 4);
	CU_ASSERT_EQUAL(m.type[0], TD_HS_SERVER_HELLO);
	CU_ASSERT_EQUAL(m.len[0], 80);
	CU_ASSERT_EQUAL(m.type[1], TD_HS_CERTIFICATE);
	CU_ASSERT_EQUAL(m.len[1], 953);
	CU_ASSERT_EQUAL(m.type[2], TD_HS_CERTIFICATE_REQUEST);
	CU_ASSERT_EQUAL(m.len[2], 210);
	CU_ASSERT_EQUAL(m.type[3], TD_HS_SERVER_HELLO_DONE);
	CU_ASSERT_EQUAL(m.len[3], 0);
	CU_ASSERT_EQUAL(h.buf.len, 0);
	td_hs_reasm_cleanup(&h);
}

static void test_reasm_split(void)
{
	static struct tv_stream st;
	flight(&st);
	const uint8_t *fl = st.b;
	size_t n = st.n;
	struct msgs whole, part;
	struct td_hs_reasm h;
	memset(&whole, 0, sizeof whole);
	td_hs_reasm_init(&h);
	CU_ASSERT_EQUAL(td_hs_reasm_feed(&h, fl, n, on_msg, &whole), TD_OK);
	td_hs_reasm_cleanup(&h);

	/* Two records, cut at every byte. */
	for (size_t i = 0; i <= n; i++) {
		memset(&part, 0, sizeof part);
		td_hs_reasm_init(&h);
		CU_ASSERT_EQUAL(td_hs_reasm_feed(&h, fl, i, on_msg, &part), TD_OK);
		CU_ASSERT_EQUAL(td_hs_reasm_feed(&h, fl + i, n - i, on_msg, &part), TD_OK);
		CU_ASSERT(msgs_equal(&whole, &part));
		CU_ASSERT_FALSE(td_hs_reasm_pending(&h));
		td_hs_reasm_cleanup(&h);
	}
	/* Records of every size from 1 to 64 bytes. */
	for (size_t k = 1; k <= 64; k++) {
		memset(&part, 0, sizeof part);
		td_hs_reasm_init(&h);
		for (size_t at = 0; at < n; at += k) {
			size_t len = n - at < k ? n - at : k;
			CU_ASSERT_EQUAL(td_hs_reasm_feed(&h, fl + at, len, on_msg, &part), TD_OK);
		}
		CU_ASSERT(msgs_equal(&whole, &part));
		td_hs_reasm_cleanup(&h);
	}
}

static void test_reasm_pending_reset(void)
{
	struct td_hs_reasm h;
	struct msgs m;
	memset(&m, 0, sizeof m);
	td_hs_reasm_init(&h);
	CU_ASSERT_EQUAL(td_hs_reasm_feed(&h, msg_of(cc_sh_rec), 30, on_msg, &m), TD_OK);
	CU_ASSERT(td_hs_reasm_pending(&h));
	CU_ASSERT_EQUAL(h.buf.len, 30);
	td_hs_reasm_reset(&h);
	CU_ASSERT_FALSE(td_hs_reasm_pending(&h));
	CU_ASSERT_EQUAL(td_hs_reasm_feed(&h, msg_of(sgt_cr_rec), sizeof sgt_cr_rec - TV_REC_HDR,
					 on_msg, &m), TD_OK);
	CU_ASSERT_EQUAL(m.n, 2);
	CU_ASSERT_EQUAL(m.type[0], TD_HS_CERTIFICATE_REQUEST);
	td_hs_reasm_cleanup(&h);
}

static void test_reasm_oversize(void)
{
	/* A Certificate announcing TD_CAP_HS_MESSAGE + 1 bytes, sent in
	 * 16 KiB records, then a ServerHelloDone. */
	static uint8_t rec[16384];
	uint32_t big = TD_CAP_HS_MESSAGE + 1;
	struct td_hs_reasm h;
	struct msgs m;
	memset(&m, 0, sizeof m);
	memset(rec, 0x42, sizeof rec);
	rec[0] = TD_HS_CERTIFICATE;
	rec[1] = (uint8_t)(big >> 16);
	rec[2] = (uint8_t)(big >> 8);
	rec[3] = (uint8_t)big;
	td_hs_reasm_init(&h);
	CU_ASSERT_EQUAL(td_hs_reasm_feed(&h, rec, sizeof rec, on_msg, &m), TD_ERR_CAP);
	CU_ASSERT_EQUAL(h.oversize, 1);
	CU_ASSERT(td_hs_reasm_pending(&h));
	CU_ASSERT_EQUAL(h.buf.len, 0);   /* nothing buffered */
	size_t left = big - (sizeof rec - 4);
	memset(rec, 0x42, sizeof rec);
	while (left > sizeof rec) {
		CU_ASSERT_EQUAL(td_hs_reasm_feed(&h, rec, sizeof rec, on_msg, &m), TD_OK);
		left -= sizeof rec;
	}
	/* The last piece of the skipped body and a ServerHelloDone. */
	static const uint8_t shd[] = { 0x0e, 0x00, 0x00, 0x00 };
	memcpy(rec + left, shd, sizeof shd);
	CU_ASSERT_EQUAL(td_hs_reasm_feed(&h, rec, left + sizeof shd, on_msg, &m), TD_OK);
	CU_ASSERT_EQUAL_FATAL(m.n, 1);
	CU_ASSERT_EQUAL(m.type[0], TD_HS_SERVER_HELLO_DONE);
	CU_ASSERT_FALSE(td_hs_reasm_pending(&h));
	CU_ASSERT_EQUAL(h.messages, 1);

	/* The oversize header itself split over two records. */
	memset(&m, 0, sizeof m);
	td_hs_reasm_reset(&h);
	rec[0] = TD_HS_CERTIFICATE;
	rec[1] = (uint8_t)(big >> 16);
	rec[2] = (uint8_t)(big >> 8);
	rec[3] = (uint8_t)big;
	CU_ASSERT_EQUAL(td_hs_reasm_feed(&h, rec, 2, on_msg, &m), TD_OK);
	CU_ASSERT_EQUAL(td_hs_reasm_feed(&h, rec + 2, 100, on_msg, &m), TD_ERR_CAP);
	CU_ASSERT_EQUAL(h.oversize, 2);
	CU_ASSERT_EQUAL(h.skip_left, big - 98);
	td_hs_reasm_cleanup(&h);
}

/* ---- ClientHello ---- */

static void test_client_hello(void)
{
	struct td_client_hello ch;
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_EQUAL_FATAL(msg_of(cc_ch_rec)[0], TD_HS_CLIENT_HELLO);
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(body_of(cc_ch_rec), body_len(sizeof cc_ch_rec), &ch),
			TD_OK);
	/* Values as tshark shows them for frame 4 of client-certificate.pcap. */
	CU_ASSERT(ch.present);
	CU_ASSERT_FALSE(ch.sslv2);
	CU_ASSERT_EQUAL(ch.legacy_version, 0x0303);
	CU_ASSERT_EQUAL(ch.session_id_len, 32);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ch.sni);
	CU_ASSERT_STRING_EQUAL(ch.sni, "certauth.idrix.fr");
	static const uint16_t suites[] = { 0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c,
					   0xc030, 0xc00a, 0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f,
					   0x0035 };
	CU_ASSERT(list_is(&ch.suites, suites, 17));
	static const uint16_t exts[] = { 0, 23, 65281, 10, 11, 35, 16, 5, 34, 51, 43, 13, 45, 28, 21 };
	CU_ASSERT(list_is(&ch.extensions, exts, 15));
	CU_ASSERT_EQUAL_FATAL(ch.alpn.n, 2);
	CU_ASSERT_STRING_EQUAL(ch.alpn.v[0], "h2");
	CU_ASSERT_STRING_EQUAL(ch.alpn.v[1], "http/1.1");
	static const uint16_t groups[] = { 0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101 };
	CU_ASSERT(list_is(&ch.groups, groups, 6));
	static const uint16_t ks[] = { 29, 23 };
	CU_ASSERT(list_is(&ch.key_share_groups, ks, 2));
	static const uint16_t versions[] = { 0x0304, 0x0303 };
	CU_ASSERT(list_is(&ch.versions, versions, 2));
	static const uint16_t sigs[] = { 0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501,
					 0x0601, 0x0203, 0x0201 };
	CU_ASSERT(list_is(&ch.sig_algs, sigs, 11));
	static const uint16_t comp[] = { 0 };
	CU_ASSERT(list_is(&ch.compression, comp, 1));
	CU_ASSERT(ch.session_ticket);
	CU_ASSERT_FALSE(ch.session_ticket_data);
	CU_ASSERT_FALSE(ch.psk);
	CU_ASSERT_FALSE(ch.early_data);
	CU_ASSERT_FALSE(ch.ech);
	td_client_hello_cleanup(&ch);
}

static void test_client_hello_tls13_only(void)
{
	struct td_client_hello ch;
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(body_of(hrr_ch_rec), body_len(sizeof hrr_ch_rec), &ch),
			TD_OK);
	/* zeek/hrr.pcap frame 4 per tshark. */
	static const uint16_t suites[] = { 0x1302, 0x1303, 0x1301, 0x00ff };
	CU_ASSERT(list_is(&ch.suites, suites, 4));
	static const uint16_t exts[] = { 11, 10, 35, 22, 23, 13, 43, 45, 51 };
	CU_ASSERT(list_is(&ch.extensions, exts, 9));
	static const uint16_t groups[] = { 0x0015, 0x0017, 0x0018 };
	CU_ASSERT(list_is(&ch.groups, groups, 3));
	static const uint16_t ks[] = { 0x0015 };
	CU_ASSERT(list_is(&ch.key_share_groups, ks, 1));
	static const uint16_t versions[] = { 0x0304 };
	CU_ASSERT(list_is(&ch.versions, versions, 1));
	CU_ASSERT_EQUAL(ch.sig_algs.n, 14);
	CU_ASSERT_PTR_NULL(ch.sni);
	CU_ASSERT_EQUAL(ch.alpn.n, 0);
	td_client_hello_cleanup(&ch);
}

/* Offset of the extensions block in a ClientHello body. */
static size_t ch_ext_offset(const uint8_t *b)
{
	size_t off = 2 + 32;
	off += 1 + b[off];
	off += 2 + (size_t)(b[off] << 8 | b[off + 1]);
	off += 1 + b[off];
	return off;
}

static void test_client_hello_prefixes(void)
{
	const struct { const uint8_t *rec; size_t len; } v[] = {
		{ cc_ch_rec, sizeof cc_ch_rec }, { hrr_ch_rec, sizeof hrr_ch_rec }
	};
	for (size_t k = 0; k < 2; k++) {
		const uint8_t *b = body_of(v[k].rec);
		size_t n = body_len(v[k].len);
		size_t ext_off = ch_ext_offset(b);
		for (size_t i = 0; i < n; i++) {
			struct td_client_hello ch;
			memset(&ch, 0, sizeof ch);
			/* A copy of exactly i bytes so ASan sees any overread. */
			uint8_t *p = malloc(i ? i : 1);
			CU_ASSERT_PTR_NOT_NULL_FATAL(p);
			memcpy(p, b, i);
			enum td_result r = td_tls_decode_client_hello(p, i, &ch);
			if (i == ext_off)
				CU_ASSERT_EQUAL(r, TD_OK)   /* a hello without extensions */
			else
				CU_ASSERT(r == TD_ERR_TRUNCATED || r == TD_ERR_MALFORMED);
			td_client_hello_cleanup(&ch);
			free(p);
		}
	}
}

static void test_client_hello_lies(void)
{
	static uint8_t b[600];
	size_t n = body_len(sizeof cc_ch_rec);
	size_t ext_off = ch_ext_offset(body_of(cc_ch_rec));
	struct td_client_hello ch;

	/* cipher_suites length larger than the message. */
	memcpy(b, body_of(cc_ch_rec), n);
	b[2 + 32 + 1 + 32] = 0xff;
	b[2 + 32 + 1 + 32 + 1] = 0xff;
	memset(&ch, 0, sizeof ch);
	enum td_result r = td_tls_decode_client_hello(b, n, &ch);
	CU_ASSERT(r == TD_ERR_TRUNCATED || r == TD_ERR_MALFORMED);
	td_client_hello_cleanup(&ch);

	/* An odd cipher_suites length. */
	memcpy(b, body_of(cc_ch_rec), n);
	b[2 + 32 + 1 + 32 + 1] = 33;  /* was 34 */
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_NOT_EQUAL(td_tls_decode_client_hello(b, n, &ch), TD_OK);
	td_client_hello_cleanup(&ch);

	/* The extensions block claims more than is there. */
	memcpy(b, body_of(cc_ch_rec), n);
	b[ext_off] = 0xff;
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(b, n, &ch), TD_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(ch.suites.n, 17);  /* what came before is kept */
	td_client_hello_cleanup(&ch);

	/* The first extension (server_name) overruns the block: framing is
	 * broken, the walk stops after listing its type. */
	memcpy(b, body_of(cc_ch_rec), n);
	b[ext_off + 2 + 2] = 0xff;
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(b, n, &ch), TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(ch.extensions.n, 1);
	CU_ASSERT_PTR_NULL(ch.sni);
	td_client_hello_cleanup(&ch);

	/* The ServerNameList inside server_name lies: that extension is
	 * malformed, the ones after it are still decoded. */
	memcpy(b, body_of(cc_ch_rec), n);
	b[ext_off + 2 + 4 + 1] = 0x40;  /* list length 0x0016 -> 0x0040 */
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(b, n, &ch), TD_ERR_MALFORMED);
	CU_ASSERT_PTR_NULL(ch.sni);
	CU_ASSERT_EQUAL(ch.extensions.n, 15);
	CU_ASSERT_EQUAL(ch.alpn.n, 2);
	CU_ASSERT_EQUAL(ch.versions.n, 2);
	td_client_hello_cleanup(&ch);

	/* Trailing bytes after the extensions. */
	memcpy(b, body_of(cc_ch_rec), n);
	b[n] = 0;
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(b, n + 1, &ch), TD_ERR_MALFORMED);
	CU_ASSERT_PTR_NOT_NULL(ch.sni);
	td_client_hello_cleanup(&ch);
}

static void test_client_hello_grease_ech(void)
{
	/* A small hand-made hello: GREASE suite and extension kept in
	 * order, a hostile SNI sanitized, ECH, early_data, PSK, ticket data. */
	static const uint8_t b[] = {
		0x03, 0x03,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x00,                                   /* session id */
		0x00, 0x04, 0x3a, 0x3a, 0x13, 0x01,     /* suites */
		0x01, 0x00,                             /* compression */
		0x00, 0x33,                             /* extensions: 51 bytes */
		0x3a, 0x3a, 0x00, 0x00,                 /* GREASE, empty */
		0x00, 0x00, 0x00, 0x0a, 0x00, 0x08, 0x00, 0x00, 0x05, 'a', '\x1b', 'b', '.', 'c',
		0x00, 0x23, 0x00, 0x02, 0xab, 0xcd,     /* session_ticket with data */
		0x00, 0x2a, 0x00, 0x00,                 /* early_data */
		0xfe, 0x0d, 0x00, 0x01, 0x01,           /* encrypted_client_hello: inner */
		0x00, 0x29, 0x00, 0x0e,                 /* pre_shared_key */
		0x00, 0x07, 0x00, 0x01, 0x77, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x03, 0x02, 0x00, 0x00,
	};
	struct td_client_hello ch;
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(b, sizeof b, &ch), TD_OK);
	static const uint16_t suites[] = { 0x3a3a, 0x1301 };
	CU_ASSERT(list_is(&ch.suites, suites, 2));
	static const uint16_t exts[] = { 0x3a3a, 0, 35, 42, 0xfe0d, 41 };
	CU_ASSERT(list_is(&ch.extensions, exts, 6));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ch.sni);
	CU_ASSERT_STRING_EQUAL(ch.sni, "a\\x1bb.c");
	CU_ASSERT(ch.session_ticket);
	CU_ASSERT(ch.session_ticket_data);
	CU_ASSERT(ch.early_data);
	CU_ASSERT(ch.ech);
	CU_ASSERT(ch.ech_ext.parsed);
	CU_ASSERT_EQUAL(ch.ech_ext.type, TD_ECH_INNER);
	CU_ASSERT(ch.psk);
	td_client_hello_cleanup(&ch);
}

static void test_sslv2_hello(void)
{
	struct td_client_hello ch;
	const uint8_t *msg = sslv2_rec + 2;
	size_t n = sizeof sslv2_rec - 2;
	memset(&ch, 0, sizeof ch);
	CU_ASSERT_EQUAL(td_tls_decode_sslv2_hello(msg, n, &ch), TD_OK);
	/* tshark: version TLS 1.0, 26 specs of which 20 are TLS suites. */
	CU_ASSERT(ch.sslv2);
	CU_ASSERT(ch.present);
	CU_ASSERT_EQUAL(ch.legacy_version, 0x0301);
	CU_ASSERT_EQUAL(ch.session_id_len, 0);
	CU_ASSERT_EQUAL_FATAL(ch.suites.n, 20);
	CU_ASSERT_EQUAL(ch.suites.v[0], 0x0039);
	CU_ASSERT_EQUAL(ch.suites.v[10], 0xfeff);
	CU_ASSERT_EQUAL(ch.suites.v[19], 0x0006);
	CU_ASSERT_EQUAL(ch.extensions.n, 0);
	td_client_hello_cleanup(&ch);

	for (size_t i = 0; i < n; i++) {
		uint8_t *p = malloc(i ? i : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		memcpy(p, msg, i);
		memset(&ch, 0, sizeof ch);
		CU_ASSERT_NOT_EQUAL(td_tls_decode_sslv2_hello(p, i, &ch), TD_OK);
		td_client_hello_cleanup(&ch);
		free(p);
	}
}

/* ---- ServerHello, HRR, EncryptedExtensions ---- */

static void test_server_hello(void)
{
	struct td_server_hello sh;
	memset(&sh, 0, sizeof sh);
	CU_ASSERT_EQUAL(td_tls_decode_server_hello(body_of(cc_sh_rec), body_len(sizeof cc_sh_rec), &sh),
			TD_OK);
	/* client-certificate.pcap frame 6 per tshark. */
	CU_ASSERT(sh.present);
	CU_ASSERT_FALSE(sh.hrr);
	CU_ASSERT_EQUAL(sh.legacy_version, 0x0303);
	CU_ASSERT_EQUAL(sh.cipher, 0xc030);
	CU_ASSERT_EQUAL(sh.compression, 0);
	CU_ASSERT_EQUAL(sh.session_id_len, 0);
	/* The server random: the 32 bytes after the version. */
	CU_ASSERT_EQUAL(sh.random[0], 0x30);
	CU_ASSERT_EQUAL(sh.random[1], 0xd7);
	CU_ASSERT_EQUAL(sh.random[31], 0x6b);
	static const uint16_t exts[] = { 65281, 0, 11, 35, 16, 23 };
	CU_ASSERT(list_is(&sh.extensions, exts, 6));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sh.alpn);
	CU_ASSERT_STRING_EQUAL(sh.alpn, "http/1.1");
	CU_ASSERT_EQUAL(sh.selected_version, 0);
	CU_ASSERT_EQUAL(sh.key_share_group, 0);
	td_server_hello_cleanup(&sh);

	/* The same hello cut before its extensions is a valid TLS 1.0-style
	 * hello: version, random, session id, suite, compression. */
	size_t ext_off = 2 + 32 + 1 + body_of(cc_sh_rec)[34] + 2 + 1;
	memset(&sh, 0, sizeof sh);
	CU_ASSERT_EQUAL(td_tls_decode_server_hello(body_of(cc_sh_rec), ext_off, &sh), TD_OK);
	CU_ASSERT_EQUAL(sh.cipher, 0xc030);
	CU_ASSERT_EQUAL(sh.extensions.n, 0);
	td_server_hello_cleanup(&sh);

	for (size_t k = 0; k < 2; k++) {
		const uint8_t *b = k ? body_of(hrr_rec) : body_of(cc_sh_rec);
		size_t n = k ? body_len(sizeof hrr_rec) : body_len(sizeof cc_sh_rec);
		size_t off = 2 + 32 + 1 + b[34] + 2 + 1;
		for (size_t i = 0; i < n; i++) {
			uint8_t *p = malloc(i ? i : 1);
			CU_ASSERT_PTR_NOT_NULL_FATAL(p);
			memcpy(p, b, i);
			memset(&sh, 0, sizeof sh);
			enum td_result r = td_tls_decode_server_hello(p, i, &sh);
			if (i == off)
				CU_ASSERT_EQUAL(r, TD_OK)
			else
				CU_ASSERT(r == TD_ERR_TRUNCATED || r == TD_ERR_MALFORMED);
			td_server_hello_cleanup(&sh);
			free(p);
		}
	}
}

static void test_hello_retry_request(void)
{
	struct td_server_hello sh;
	memset(&sh, 0, sizeof sh);
	CU_ASSERT_EQUAL(td_tls_decode_server_hello(body_of(hrr_rec), body_len(sizeof hrr_rec), &sh),
			TD_OK);
	/* zeek/hrr.pcap frame 6: HRR asking for secp256r1. */
	CU_ASSERT(sh.hrr);
	CU_ASSERT_EQUAL(sh.cipher, 0x1302);
	CU_ASSERT_EQUAL(sh.selected_version, 0x0304);
	CU_ASSERT_EQUAL(sh.key_share_group, 0x0017);
	CU_ASSERT_EQUAL(sh.session_id_len, 32);
	static const uint16_t exts[] = { 43, 51 };
	CU_ASSERT(list_is(&sh.extensions, exts, 2));
	td_server_hello_cleanup(&sh);
}

static void test_encrypted_extensions(void)
{
	static const uint8_t ee[] = {
		0x00, 0x13,
		0x00, 0x00, 0x00, 0x00,                       /* server_name, empty */
		0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '2',
		0x00, 0x0a, 0x00, 0x02, 0x00, 0x00,           /* groups, wrong but ignored */
	};
	struct td_server_hello sh;
	memset(&sh, 0, sizeof sh);
	CU_ASSERT_EQUAL(td_tls_decode_encrypted_extensions(ee, sizeof ee, &sh), TD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sh.alpn);
	CU_ASSERT_STRING_EQUAL(sh.alpn, "h2");
	CU_ASSERT_EQUAL(sh.extensions.n, 0);
	td_server_hello_cleanup(&sh);
	for (size_t i = 0; i < sizeof ee; i++) {
		memset(&sh, 0, sizeof sh);
		CU_ASSERT_NOT_EQUAL(td_tls_decode_encrypted_extensions(ee, i, &sh), TD_OK);
		td_server_hello_cleanup(&sh);
	}
	/* ALPN with two names from a server is malformed. */
	static const uint8_t two[] = { 0x00, 0x0b, 0x00, 0x10, 0x00, 0x07, 0x00, 0x05,
				       0x02, 'h', '2', 0x01, 'x' };
	memset(&sh, 0, sizeof sh);
	CU_ASSERT_EQUAL(td_tls_decode_encrypted_extensions(two, sizeof two, &sh), TD_ERR_MALFORMED);
	td_server_hello_cleanup(&sh);
}

/* ---- Certificate ---- */

struct ders {
	size_t n;
	size_t len[4];
	const uint8_t *first;
	enum td_result fail_with;
};

static enum td_result on_der(void *ctx, const uint8_t *der, size_t len)
{
	struct ders *d = ctx;
	if (d->n < 4)
		d->len[d->n] = len;
	if (d->n == 0)
		d->first = der;
	d->n++;
	return d->fail_with;
}

static void test_certificate12(void)
{
	const uint8_t *b = body_of(sgt_cert_rec);
	size_t n = body_len(sizeof sgt_cert_rec);
	struct ders d = { 0 };
	size_t count = 99;
	CU_ASSERT_EQUAL(td_tls_decode_certificate(b, n, false, on_der, &d, &count), TD_OK);
	/* tls_sgt.pcap frame 11: one certificate of 947 bytes. */
	CU_ASSERT_EQUAL(count, 1);
	CU_ASSERT_EQUAL(d.n, 1);
	CU_ASSERT_EQUAL(d.len[0], 947);
	CU_ASSERT_PTR_EQUAL(d.first, b + 6);
	CU_ASSERT_EQUAL(d.first[0], 0x30);  /* a DER SEQUENCE */
	CU_ASSERT_EQUAL(d.first[1], 0x82);

	for (size_t i = 0; i < n; i++) {
		uint8_t *p = malloc(i ? i : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		memcpy(p, b, i);
		memset(&d, 0, sizeof d);
		CU_ASSERT_NOT_EQUAL(td_tls_decode_certificate(p, i, false, on_der, &d, &count), TD_OK);
		CU_ASSERT_EQUAL(d.n, 0);   /* no certificate is whole in a prefix */
		free(p);
	}

	/* The callback's out-of-memory comes back. */
	memset(&d, 0, sizeof d);
	d.fail_with = TD_ERR_NOMEM;
	CU_ASSERT_EQUAL(td_tls_decode_certificate(b, n, false, on_der, &d, &count), TD_ERR_NOMEM);

	/* An empty list (a client without a certificate). */
	static const uint8_t empty[] = { 0, 0, 0 };
	memset(&d, 0, sizeof d);
	CU_ASSERT_EQUAL(td_tls_decode_certificate(empty, sizeof empty, false, on_der, &d, &count), TD_OK);
	CU_ASSERT_EQUAL(count, 0);

	/* A certificate length overrunning the list. */
	static uint8_t lie[1024];
	memcpy(lie, b, n);
	lie[3] = 0x04;   /* 947 -> 1203 */
	memset(&d, 0, sizeof d);
	CU_ASSERT_EQUAL(td_tls_decode_certificate(lie, n, false, on_der, &d, &count), TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(d.n, 0);
}

static void test_certificate13(void)
{
	/* RFC 8446 layout around the real DER of tls_sgt.pcap: context of
	 * 2 bytes, two entries (the second with an extension). */
	const uint8_t *der = body_of(sgt_cert_rec) + 6;
	size_t der_len = 947;
	static uint8_t b[2100];
	size_t n = 0;
	size_t list_len = 2 * (3 + der_len + 2) + 4;
	b[n++] = 2; b[n++] = 0xaa; b[n++] = 0xbb;
	b[n++] = (uint8_t)(list_len >> 16); b[n++] = (uint8_t)(list_len >> 8); b[n++] = (uint8_t)list_len;
	for (int k = 0; k < 2; k++) {
		b[n++] = 0; b[n++] = (uint8_t)(der_len >> 8); b[n++] = (uint8_t)der_len;
		memcpy(b + n, der, der_len);
		n += der_len;
		if (k == 0) {
			b[n++] = 0; b[n++] = 0;
		} else {
			b[n++] = 0; b[n++] = 4; b[n++] = 0; b[n++] = 5; b[n++] = 0; b[n++] = 0;
		}
	}
	struct ders d = { 0 };
	size_t count = 0;
	CU_ASSERT_EQUAL(td_tls_decode_certificate(b, n, true, on_der, &d, &count), TD_OK);
	CU_ASSERT_EQUAL(count, 2);
	CU_ASSERT_EQUAL(d.len[0], 947);
	CU_ASSERT_EQUAL(d.len[1], 947);
	CU_ASSERT_EQUAL(memcmp(d.first, der, der_len), 0);
	/* Read the TLS 1.2 way, the same bytes do not parse. */
	memset(&d, 0, sizeof d);
	CU_ASSERT_NOT_EQUAL(td_tls_decode_certificate(b, n, false, on_der, &d, &count), TD_OK);
	for (size_t i = 0; i < n; i++) {
		memset(&d, 0, sizeof d);
		CU_ASSERT_NOT_EQUAL(td_tls_decode_certificate(b, i, true, on_der, &d, &count), TD_OK);
	}
}

/* ---- CertificateRequest ---- */

/* Stands in for the x509 layer: "DN(<len>)" for a name starting with a
 * SEQUENCE, NULL for anything else. */
static char *fake_dn(const uint8_t *der, size_t len)
{
	if (len == 0 || der[0] != 0x30)
		return NULL;
	char *s = malloc(32);
	if (s)
		snprintf(s, 32, "DN(%zu)", len);
	return s;
}

static char *null_dn(const uint8_t *der, size_t len)
{
	(void)der;
	(void)len;
	return NULL;
}

static void test_cert_request12(void)
{
	struct td_cert_request cr;
	/* tls_sgt.pcap frame 6: the record holds CertificateRequest then
	 * ServerHelloDone. */
	const uint8_t *b = body_of(sgt_cr_rec);
	size_t n = 210;
	CU_ASSERT_EQUAL_FATAL(msg_of(sgt_cr_rec)[3], 210);
	memset(&cr, 0, sizeof cr);
	CU_ASSERT_EQUAL(td_tls_decode_cert_request(b, n, false, fake_dn, &cr), TD_OK);
	CU_ASSERT(cr.present);
	CU_ASSERT_FALSE(cr.tls13);
	static const uint16_t types[] = { 1, 2, 64 };
	CU_ASSERT(list_is(&cr.cert_types, types, 3));
	CU_ASSERT_EQUAL_FATAL(cr.sig_algs.n, 15);
	CU_ASSERT_EQUAL(cr.sig_algs.v[0], 0x0601);
	CU_ASSERT_EQUAL(cr.sig_algs.v[14], 0x0203);
	CU_ASSERT_EQUAL_FATAL(cr.ca_names.n, 3);
	CU_ASSERT_STRING_EQUAL(cr.ca_names.v[0], "DN(33)");
	CU_ASSERT_STRING_EQUAL(cr.ca_names.v[1], "DN(52)");
	CU_ASSERT_STRING_EQUAL(cr.ca_names.v[2], "DN(81)");
	td_cert_request_cleanup(&cr);

	memset(&cr, 0, sizeof cr);
	CU_ASSERT_EQUAL(td_tls_decode_cert_request(b, n, false, null_dn, &cr), TD_OK);
	CU_ASSERT_EQUAL_FATAL(cr.ca_names.n, 3);
	CU_ASSERT_STRING_EQUAL(cr.ca_names.v[0], "(unparsable name, 33 bytes)");
	td_cert_request_cleanup(&cr);

	/* client-certificate.pcap frame 11: 20 algorithms, no CA names. */
	memset(&cr, 0, sizeof cr);
	CU_ASSERT_EQUAL(td_tls_decode_cert_request(body_of(cc_cr_rec), body_len(sizeof cc_cr_rec), false,
						   fake_dn, &cr), TD_OK);
	CU_ASSERT(list_is(&cr.cert_types, types, 3));
	CU_ASSERT_EQUAL(cr.sig_algs.n, 20);
	CU_ASSERT_EQUAL(cr.sig_algs.v[0], 0x0403);
	CU_ASSERT_EQUAL(cr.ca_names.n, 0);
	td_cert_request_cleanup(&cr);

	const struct { const uint8_t *p; size_t n; } v[] = {
		{ b, n }, { body_of(cc_cr_rec), body_len(sizeof cc_cr_rec) }
	};
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < v[k].n; i++) {
			uint8_t *p = malloc(i ? i : 1);
			CU_ASSERT_PTR_NOT_NULL_FATAL(p);
			memcpy(p, v[k].p, i);
			memset(&cr, 0, sizeof cr);
			CU_ASSERT_NOT_EQUAL(td_tls_decode_cert_request(p, i, false, fake_dn, &cr), TD_OK);
			td_cert_request_cleanup(&cr);
			free(p);
		}
	}
}

static void test_cert_request10(void)
{
	/* TLS 1.0/1.1 layout (no signature algorithms) built from the
	 * types and CA names of the tls_sgt.pcap request. */
	const uint8_t *src = body_of(sgt_cr_rec);
	static uint8_t b[256];
	size_t types_len = 1 + src[0];
	size_t algs_len = 2 + (size_t)(src[types_len] << 8 | src[types_len + 1]);
	size_t cas_len = 210 - types_len - algs_len;
	memcpy(b, src, types_len);
	memcpy(b + types_len, src + types_len + algs_len, cas_len);
	struct td_cert_request cr;
	memset(&cr, 0, sizeof cr);
	CU_ASSERT_EQUAL(td_tls_decode_cert_request(b, types_len + cas_len, false, fake_dn, &cr), TD_OK);
	CU_ASSERT_EQUAL(cr.cert_types.n, 3);
	CU_ASSERT_EQUAL(cr.sig_algs.n, 0);
	CU_ASSERT_EQUAL(cr.ca_names.n, 3);
	td_cert_request_cleanup(&cr);

	/* A CA name length overrunning its list. */
	b[types_len + 2] = 0x7f;
	memset(&cr, 0, sizeof cr);
	CU_ASSERT_NOT_EQUAL(td_tls_decode_cert_request(b, types_len + cas_len, false, fake_dn, &cr), TD_OK);
	td_cert_request_cleanup(&cr);
}

static void test_cert_request13(void)
{
	/* RFC 8446 layout: empty context, signature_algorithms, then
	 * certificate_authorities holding the first tls_sgt.pcap name. */
	const uint8_t *src = body_of(sgt_cr_rec);
	size_t types_len = 1 + src[0];
	size_t algs_len = 2 + (size_t)(src[types_len] << 8 | src[types_len + 1]);
	const uint8_t *dn = src + types_len + algs_len + 2;   /* u16 length + 33 bytes */
	static uint8_t b[128];
	size_t n = 0;
	b[n++] = 0;                                   /* context */
	size_t exts_len = 4 + 2 + 4 + 4 + 2 + 35;
	b[n++] = 0; b[n++] = (uint8_t)exts_len;
	b[n++] = 0; b[n++] = 13; b[n++] = 0; b[n++] = 6;
	b[n++] = 0; b[n++] = 4; b[n++] = 0x08; b[n++] = 0x04; b[n++] = 0x04; b[n++] = 0x03;
	b[n++] = 0; b[n++] = 47; b[n++] = 0; b[n++] = 37;
	b[n++] = 0; b[n++] = 35;
	memcpy(b + n, dn, 35);
	n += 35;
	CU_ASSERT_EQUAL(n, 3 + exts_len);
	struct td_cert_request cr;
	memset(&cr, 0, sizeof cr);
	CU_ASSERT_EQUAL(td_tls_decode_cert_request(b, n, true, fake_dn, &cr), TD_OK);
	CU_ASSERT(cr.tls13);
	CU_ASSERT_EQUAL(cr.context_len, 0);
	static const uint16_t algs[] = { 0x0804, 0x0403 };
	CU_ASSERT(list_is(&cr.sig_algs, algs, 2));
	CU_ASSERT_EQUAL_FATAL(cr.ca_names.n, 1);
	CU_ASSERT_STRING_EQUAL(cr.ca_names.v[0], "DN(33)");
	td_cert_request_cleanup(&cr);
	for (size_t i = 0; i < n; i++) {
		memset(&cr, 0, sizeof cr);
		CU_ASSERT_NOT_EQUAL(td_tls_decode_cert_request(b, i, true, fake_dn, &cr), TD_OK);
		td_cert_request_cleanup(&cr);
	}
}

static void test_cert_request_cap(void)
{
	/* 130 one-byte-SEQUENCE names: 128 kept, 2 counted as dropped. */
	static uint8_t b[1024];
	size_t n = 0, names = 130;
	b[n++] = 1; b[n++] = 1;                       /* types: rsa_sign */
	b[n++] = 0; b[n++] = 2; b[n++] = 4; b[n++] = 1; /* rsa_pkcs1_sha256 */
	size_t cas = names * 4;
	b[n++] = (uint8_t)(cas >> 8); b[n++] = (uint8_t)cas;
	for (size_t i = 0; i < names; i++) {
		b[n++] = 0; b[n++] = 2; b[n++] = 0x30; b[n++] = 0;
	}
	struct td_cert_request cr;
	memset(&cr, 0, sizeof cr);
	CU_ASSERT_EQUAL(td_tls_decode_cert_request(b, n, false, fake_dn, &cr), TD_OK);
	CU_ASSERT_EQUAL(cr.ca_names.n, TD_CAP_CA_NAMES);
	CU_ASSERT_EQUAL(cr.ca_names.dropped, names - TD_CAP_CA_NAMES);
	CU_ASSERT_EQUAL(cr.sig_algs.n, 1);
	td_cert_request_cleanup(&cr);
}

/* ---- ServerKeyExchange, CertificateVerify ---- */

static void test_server_key_exchange(void)
{
	static uint8_t ecdhe[3 + 1 + 32 + 4 + 8];
	uint16_t g = 0xffff;
	ecdhe[0] = 3; ecdhe[1] = 0x00; ecdhe[2] = 0x1d; ecdhe[3] = 32;
	ecdhe[36] = 0x08; ecdhe[37] = 0x04; ecdhe[38] = 0; ecdhe[39] = 8;
	CU_ASSERT_EQUAL(td_tls_decode_server_key_exchange(ecdhe, sizeof ecdhe, &g), TD_OK);
	CU_ASSERT_EQUAL(g, 0x001d);
	/* A truncated ECDHE point is malformed, the group not believed. */
	CU_ASSERT_EQUAL(td_tls_decode_server_key_exchange(ecdhe, 20, &g), TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(g, 0);
	CU_ASSERT_EQUAL(td_tls_decode_server_key_exchange(ecdhe, 0, &g), TD_ERR_TRUNCATED);

	/* Plain DHE: p, g, Ys. */
	static const uint8_t dhe[] = { 0, 2, 0xff, 0xfb, 0, 1, 2, 0, 2, 0x12, 0x34, 0x04, 0x01, 0, 0 };
	g = 0xffff;
	CU_ASSERT_EQUAL(td_tls_decode_server_key_exchange(dhe, sizeof dhe, &g), TD_OK);
	CU_ASSERT_EQUAL(g, 0);
}

static void test_cert_verify(void)
{
	static const uint8_t cv[] = { 0x08, 0x04, 0x00, 0x03, 1, 2, 3 };
	uint16_t s = 0;
	CU_ASSERT_EQUAL(td_tls_decode_cert_verify(cv, sizeof cv, &s), TD_OK);
	CU_ASSERT_EQUAL(s, 0x0804);
	CU_ASSERT_EQUAL(td_tls_decode_cert_verify(cv, sizeof cv - 1, &s), TD_ERR_TRUNCATED);
	static const uint8_t extra[] = { 0x04, 0x01, 0x00, 0x01, 1, 2 };
	CU_ASSERT_EQUAL(td_tls_decode_cert_verify(extra, sizeof extra, &s), TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(s, 0x0401);
}

void td_suite_tls_handshake(void)
{
	CU_pSuite s = td_test_suite("tls_handshake");
	td_test_add(s, "reassembly: a flight in one record", test_reasm_whole);
	td_test_add(s, "reassembly: every record boundary", test_reasm_split);
	td_test_add(s, "reassembly: pending and reset", test_reasm_pending_reset);
	td_test_add(s, "reassembly: oversize message skipped", test_reasm_oversize);
	td_test_add(s, "ClientHello (Firefox)", test_client_hello);
	td_test_add(s, "ClientHello (TLS 1.3 only)", test_client_hello_tls13_only);
	td_test_add(s, "ClientHello: every prefix", test_client_hello_prefixes);
	td_test_add(s, "ClientHello: lying lengths", test_client_hello_lies);
	td_test_add(s, "ClientHello: GREASE, ECH, PSK, hostile SNI", test_client_hello_grease_ech);
	td_test_add(s, "SSLv2-compatible ClientHello", test_sslv2_hello);
	td_test_add(s, "ServerHello", test_server_hello);
	td_test_add(s, "HelloRetryRequest", test_hello_retry_request);
	td_test_add(s, "EncryptedExtensions", test_encrypted_extensions);
	td_test_add(s, "Certificate (TLS 1.2)", test_certificate12);
	td_test_add(s, "Certificate (TLS 1.3)", test_certificate13);
	td_test_add(s, "CertificateRequest (TLS 1.2)", test_cert_request12);
	td_test_add(s, "CertificateRequest (TLS 1.0)", test_cert_request10);
	td_test_add(s, "CertificateRequest (TLS 1.3)", test_cert_request13);
	td_test_add(s, "CertificateRequest: CA name cap", test_cert_request_cap);
	td_test_add(s, "ServerKeyExchange", test_server_key_exchange);
	td_test_add(s, "CertificateVerify", test_cert_verify);
}
