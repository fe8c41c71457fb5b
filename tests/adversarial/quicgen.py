# SPDX-License-Identifier: GPL-2.0-or-later
"""QUIC and TLS 1.3 protection for gen.py's hostile captures.

Written from the RFCs, for tests: the generator must protect packets
exactly as a real peer does, or tlsdiag would not open them and the caps
under test would never be reached.

  hkdf_extract, hkdf_expand_label   RFC 5869, RFC 8446 7.1 (stdlib hmac)
  initial_keys(dcid)                RFC 9001 5.2: QUIC v1 Initial keys
  long_packet(...)                  RFC 9000 17.2 long header, protected
                                    per RFC 9001 5.3 (AEAD) and 5.4 (header)
  tls13_keys(secret), tls13_record  RFC 8446 5.2/7.3: a protected record
  zlib_bomb, zstd_rle_bomb          tiny streams that inflate far past any cap
  self_test()                       RFC 9001 Appendix A (A.1 keys, A.2 the
                                    client's Initial, A.3 the server's)
                                    and RFC 8446 7.1 against themselves

AES comes from Python's `cryptography` package (Debian: python3-cryptography);
HKDF is stdlib hmac.  Only AES-128-GCM, the suite of the Initial packets and
of TLS_AES_128_GCM_SHA256, is used.
"""
import hashlib
import hmac
import struct
import zlib

try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    HAVE_CRYPTO = True
except ImportError:  # adversarial.sh says so and skips the QUIC/TLS 1.3 cases
    HAVE_CRYPTO = False

QUIC_V1 = 0x00000001
SALT_V1 = bytes.fromhex('38762cf7f55934b34d179ae6a4c80cadccbb7f0a')  # RFC 9001 5.2
PT_INITIAL, PT_HANDSHAKE = 0, 2          # long header packet types (v1)
TAG_LEN = 16


def hkdf_extract(salt, ikm):
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def hkdf_expand(prk, info, n):
    out, t, i = b'', b'', 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes((i,)), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:n]


def hkdf_expand_label(secret, label, context, n):
    """RFC 8446 7.1: HkdfLabel = length u16, "tls13 " + label <7..255>,
    context <0..255>."""
    full = b'tls13 ' + label
    info = struct.pack('!H', n) + bytes((len(full),)) + full + bytes((len(context),)) + context
    return hkdf_expand(secret, info, n)


class Keys:
    """key, iv and header protection key of one direction (AES-128-GCM)."""

    def __init__(self, secret):
        self.key = hkdf_expand_label(secret, b'quic key', b'', 16)
        self.iv = hkdf_expand_label(secret, b'quic iv', b'', 12)
        self.hp = hkdf_expand_label(secret, b'quic hp', b'', 16)
        self.aead = AESGCM(self.key)
        self.ecb = Cipher(algorithms.AES(self.hp), modes.ECB()).encryptor()


def initial_secrets(dcid):
    initial = hkdf_extract(SALT_V1, dcid)
    return (hkdf_expand_label(initial, b'client in', b'', 32),
            hkdf_expand_label(initial, b'server in', b'', 32))


def initial_keys(dcid):
    """(client keys, server keys) of the Initial packets for this DCID."""
    c, s = initial_secrets(dcid)
    return Keys(c), Keys(s)


def varint(n):
    """RFC 9000 16: the shortest encoding."""
    if n < 1 << 6:
        return bytes((n,))
    if n < 1 << 14:
        return struct.pack('!H', 0x4000 | n)
    if n < 1 << 30:
        return struct.pack('!I', 0x80000000 | n)
    return struct.pack('!Q', 0xc000000000000000 | n)


def crypto_frame(offset, data):
    """RFC 9000 19.6: type 0x06, offset, length, data."""
    return b'\x06' + varint(offset) + varint(len(data)) + data


def long_packet(keys, ptype, dcid, scid, pn, payload, pn_len=4, token=b'', pad_to=0):
    """A protected long-header packet (Initial or Handshake, v1).  With
    pad_to, PADDING frames make the packet that long (a client's Initial
    fills 1200 bytes, RFC 9000 14.1)."""
    def header(plen):
        first = 0xc0 | (ptype << 4) | (pn_len - 1)
        h = bytes((first,)) + struct.pack('!I', QUIC_V1)
        h += bytes((len(dcid),)) + dcid + bytes((len(scid),)) + scid
        if ptype == PT_INITIAL:
            h += varint(len(token)) + token
        # the Length field always in two bytes: the size is then known
        return h + struct.pack('!H', 0x4000 | (pn_len + plen + TAG_LEN))
    if pad_to:
        room = pad_to - len(header(0)) - pn_len - TAG_LEN
        if len(payload) < room:
            payload += bytes(room - len(payload))
    # a sample needs 4 bytes after the packet number's start (RFC 9001 5.4.2)
    if pn_len + len(payload) < 4:
        payload += bytes(4 - pn_len - len(payload))
    hdr = header(len(payload)) + pn.to_bytes(pn_len, 'big')
    nonce = bytes(a ^ b for a, b in zip(keys.iv, pn.to_bytes(12, 'big')))
    ct = keys.aead.encrypt(nonce, payload, hdr)
    pn_off = len(hdr) - pn_len
    sample = ct[4 - pn_len:4 - pn_len + 16]
    mask = keys.ecb.update(sample)
    out = bytearray(hdr)
    out[0] ^= mask[0] & 0x0f
    for i in range(pn_len):
        out[pn_off + i] ^= mask[1 + i]
    return bytes(out) + ct


# ---- TLS 1.3 records (RFC 8446 5.2) ---------------------------------------

def tls13_keys(secret):
    """AES-128-GCM key and IV of a TLS_AES_128_GCM_SHA256 traffic secret."""
    return (AESGCM(hkdf_expand_label(secret, b'key', b'', 16)),
            hkdf_expand_label(secret, b'iv', b'', 12))


def tls13_record(keys, seq, inner_type, data):
    """One application_data record carrying data of inner_type (22:
    handshake), sequence number seq."""
    aead, iv = keys
    inner = data + bytes((inner_type,))
    hdr = b'\x17\x03\x03' + struct.pack('!H', len(inner) + TAG_LEN)
    nonce = bytes(a ^ b for a, b in zip(iv, seq.to_bytes(12, 'big')))
    return hdr + aead.encrypt(nonce, inner, hdr)


# ---- bombs ----------------------------------------------------------------

def zlib_bomb(n):
    """n zero bytes, zlib-compressed (RFC 1950): about n / 1000 bytes."""
    return zlib.compress(bytes(n), 9)


def zstd_rle_bomb(blocks, block=128 * 1024):
    """A Zstandard frame (RFC 8878 3.1.1) of `blocks` RLE blocks of
    `block` zero bytes each: 4 bytes per block, blocks x block bytes out.
    No Frame_Content_Size (the decoder learns the size only by decoding)
    and a 1 MiB window (Window_Descriptor 0x50: exponent 10, mantissa 0)."""
    out = struct.pack('<I', 0xFD2FB528) + b'\x00' + b'\x50'
    for i in range(blocks):
        last = 1 if i == blocks - 1 else 0
        # Block_Header: Last_Block (1 bit), Block_Type 1 = RLE (2 bits),
        # Block_Size (21 bits: the regenerated size for RLE); then 1 byte.
        out += struct.pack('<I', last | (1 << 1) | (block << 3))[:3] + b'\x00'
    return out


# ---- self-test ------------------------------------------------------------

# RFC 9001 Appendix A.2: the client's CRYPTO frame (its ClientHello), padded
# to 1162 bytes in a packet number 2 of 4 bytes; A.3: the server's ACK and
# CRYPTO frames in packet number 1 of 2 bytes.
A2_FRAMES = (
    '060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c'
    '00000413011302010000c000000010000e00000b6578616d706c652e636f6dff01000100000a00080006'
    '001d0017001800100007000504616c706e000500050100000000003300260024001d00209370b2c9caa4'
    '7fbabaf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b0003020304000d0010000e040305'
    '0306030203080408050806002d00020101001c00024001003900320408ffffffffffffffff05048000ff'
    'ff07048000ffff0801100104800075300901100f088394c8f03e51570806048000ffff')
A2_PROTECTED = (
    'c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11'
    'd242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399'
    '1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c'
    '8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212'
    '30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5'
    '457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208'
    '4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec'
    '4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3'
    '485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db'
    '059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c'
    '7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8'
    '9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556'
    'be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74'
    '68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a'
    'c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00'
    'f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632'
    '291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964'
    '25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd'
    '14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff'
    'ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198'
    'e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd'
    'c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73'
    '203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f'
    'cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e'
    'fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade'
    'a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047'
    '90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2'
    '162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4'
    '40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0'
    '6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e'
    '8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0'
    'be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400'
    '54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab'
    '760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9'
    'f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4'
    '056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064'
    '7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241'
    'e221af44860018ab0856972e194cd934')
A3_FRAMES = (
    '02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739'
    '88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94'
    '0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00'
    '020304')
A3_PROTECTED = (
    'cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a'
    '5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3'
    'dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84'
    '022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4'
    '2158407dd074ee')


def self_test():
    """RFC 9001 Appendix A (A.1 keys, A.2 and A.3 packets, byte for byte),
    then a TLS 1.3 record and the bombs read back: AssertionError on the
    first difference."""
    def eq(what, got, want_hex):
        assert got.hex() == want_hex, '%s: %s, RFC 9001 says %s' % (what, got.hex(), want_hex)
    dcid = bytes.fromhex('8394c8f03e515708')
    c, s = initial_keys(dcid)
    eq('A.1 client key', c.key, '1f369613dd76d5467730efcbe3b1a22d')
    eq('A.1 client iv', c.iv, 'fa044b2f42a3fd3b46fb255c')
    eq('A.1 client hp', c.hp, '9f50449e04a0e810283a1e9933adedd2')
    eq('A.1 server key', s.key, 'cf3a5331653c364c88f0f379b6067e37')
    eq('A.1 server iv', s.iv, '0ac1493ca1905853b0bba03e')
    eq('A.1 server hp', s.hp, 'c206b8d9b9f0f37644430b490eeaa314')
    frames = bytes.fromhex(A2_FRAMES)
    pkt = long_packet(c, PT_INITIAL, dcid, b'', 2, frames + bytes(1162 - len(frames)), pn_len=4)
    eq('A.2 protected client Initial', pkt, A2_PROTECTED)
    # the same through pad_to, as gen.py builds its Initials
    pkt = long_packet(c, PT_INITIAL, dcid, b'', 2, frames, pn_len=4, pad_to=1200)
    eq('A.2 padded with pad_to', pkt, A2_PROTECTED)
    pkt = long_packet(s, PT_INITIAL, b'', bytes.fromhex('f067a5502a4262b5'), 1,
                      bytes.fromhex(A3_FRAMES), pn_len=2)
    eq('A.3 protected server Initial', pkt, A3_PROTECTED)
    # varints: RFC 9000 A.1's examples
    eq('varint 151288809941952652', varint(151288809941952652), 'c2197c5eff14e88c')
    eq('varint 494878333', varint(494878333), '9d7f3e7d')
    eq('varint 15293', varint(15293), '7bbd')
    eq('varint 37', varint(37), '25')
    # a TLS 1.3 record opens with the same keys (AES-GCM round trip)
    aead, iv = keys = tls13_keys(bytes(32))
    rec = tls13_record(keys, 1, 22, b'hello')
    nonce = bytes(a ^ b for a, b in zip(iv, (1).to_bytes(12, 'big')))
    assert aead.decrypt(nonce, rec[5:], rec[:5]) == b'hello\x16', 'TLS 1.3 record'
    # the zlib bomb inflates to what it claims
    assert zlib.decompress(zlib_bomb(1 << 20)) == bytes(1 << 20), 'zlib bomb'
    return True
