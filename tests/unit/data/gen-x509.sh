#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# gen-x509.sh - regenerate the x509_*.der test certificates of
# tests/unit/test_x509.c.  Needs openssl(1) 3.x.  Keys are throwaway
# (generated in a temporary directory and deleted): the DER files are
# what the tests use, and their expected values in test_x509.c were read
# with `openssl x509 -inform DER -noout -text -nameopt RFC2253 ...`, so
# regenerating means updating those values (serials are fixed below,
# dates too; keys, signatures and fingerprints change).
set -eu
out=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

cat > ca.cnf <<'CNF'
oid_section = oids
[ oids ]
testAttr = 1.2.3.4
[ ca ]
default_ca = lab
[ lab ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
commonName = optional
[ req ]
distinguished_name = dn
[ dn ]
[ v3_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_server ]
subjectAltName = DNS:tls-server.local
[ v3_client ]
extendedKeyUsage = clientAuth
[ v3_ec ]
basicConstraints = critical, CA:true, pathlen:2
keyUsage = critical, digitalSignature, nonRepudiation, keyAgreement, keyCertSign
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:ec.example, IP:192.0.2.1, IP:2001:db8::1, email:admin@example.com, URI:https://ec.example/path?q=1
[ v3_ed ]
keyUsage = digitalSignature
subjectAltName = DNS:ed.example, email:a@ed.example, IP:10.1.2.3, email:b@ed.example, URI:urn:example:ed
extendedKeyUsage = codeSigning, emailProtection, timeStamping, OCSPSigning, 1.3.6.1.4.1.99999.1
[ v3_names ]
basicConstraints = CA:false
[ v3_pss ]
subjectAltName = DNS:pss.example
CNF

# sign NAME KEY SUBJECT SERIAL START END EXT [CA_CERT CA_KEY] [ca options...]
sign() {
	name=$1 key=$2 subj=$3 serial=$4 start=$5 end=$6 ext=$7
	shift 7
	: > index.txt
	echo "$serial" > serial
	openssl req -new -utf8 -config ca.cnf -key "$key" -subj "$subj" -out "$name.csr"
	if [ "${1:-}" = self ]; then
		shift
		set -- -selfsign -keyfile "$key" "$@"
	else
		cacert=$1 cakey=$2
		shift 2
		set -- -cert "$cacert" -keyfile "$cakey" "$@"
	fi
	openssl ca -config ca.cnf -batch -notext -preserveDN -utf8 \
		-startdate "$start" -enddate "$end" -extensions "$ext" \
		-in "$name.csr" -out "$name.pem" "$@" 2>/dev/null
	openssl x509 -in "$name.pem" -outform DER -out "$out/x509_$name.der"
}

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out root.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out inter.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out leaf.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key
openssl genpkey -algorithm ED25519 -out ed.key
openssl genpkey -algorithm ED448 -out ed448.key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out p521.key
openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out psskey.key 2>/dev/null

# The seed's lab: root -> intermediate -> server, and a client.
sign root root.key "/CN=rootCA/O=LMT Corp" 01 \
	240101000000Z 340101000000Z v3_root self
cp root.pem rootca.pem
sign inter inter.key "/CN=intermediateCA/O=LMT Corp" 1000 \
	240101000000Z 340101000000Z v3_inter rootca.pem root.key
cp inter.pem interca.pem
sign server leaf.key "/CN=tls-server.local/O=LMT Corp" 3A0F5C7E9B21D4 \
	240301120000Z 260301120000Z v3_server interca.pem inter.key
sign client leaf.key "/CN=client" 00F1E2D3C4B5A69788 \
	240301120000Z 260301120000Z v3_client interca.pem inter.key

# EC P-256, every SAN kind, keyUsage, EKU, pathlen; signed ecdsa-with-SHA384.
sign ec ec.key "/C=FR/ST=Ile-de-France/L=Paris/O=LMT Corp/OU=Lab/CN=ec.example/emailAddress=admin@example.com" \
	7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF \
	230615083000Z 20550615083000Z v3_ec self -md sha384

# Ed25519, a notAfter past 2049 (GeneralizedTime), DC/UID attributes.
sign ed25519 ed.key "/DC=org/DC=example/UID=jdoe/CN=ed25519 test" 2A \
	240101000000Z 20991231235959Z v3_ed self

# Ed448; EC P-384 and P-521 (curve names, 521-bit size); an RSA-PSS signature.
sign ed448 ed448.key "/CN=ed448 test" 2B \
	240101000000Z 340101000000Z v3_names self
sign p384 p384.key "/CN=p384 test" 2C \
	240101000000Z 340101000000Z v3_names self -md sha256
sign p521 p521.key "/CN=p521 test" 2D \
	240101000000Z 340101000000Z v3_names self -md sha512
sign pss leaf.key "/CN=pss test/O=LMT Corp" 2E \
	240101000000Z 340101000000Z v3_pss rootca.pem root.key \
	-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
# An RSASSA-PSS key (id-RSASSA-PSS in the SubjectPublicKeyInfo).
sign psskey psskey.key "/CN=psskey test" 2F \
	240101000000Z 340101000000Z v3_names self

# Names that need RFC 4514 escaping, a multi-valued RDN, an unknown
# attribute OID, UTF-8, and a control byte.
sign escape leaf.key '/O=Foo, Inc./OU=R\+D/CN=say "hi" <now>; back\\slash/testAttr=custom' 0B \
	240101000000Z 340101000000Z v3_names rootca.pem root.key
sign edges leaf.key '/O= lead space/OU=#hash/L=trail /CN=multi+UID=42' 0C \
	240101000000Z 340101000000Z v3_names rootca.pem root.key
sign utf8 leaf.key '/O=LMT Corp/CN=café' 0D \
	240101000000Z 340101000000Z v3_names rootca.pem root.key
sign ctrl leaf.key "/O=LMT Corp/CN=bad$(printf '\001')name" 0E \
	240101000000Z 340101000000Z v3_names rootca.pem root.key

# Garbage: the first 100 bytes of the server certificate, and text.
head -c 100 "$out/x509_server.der" > "$out/x509_truncated.der"
printf 'this is not a certificate\n' > "$out/x509_garbage.der"


# The subject Name of the EC certificate alone (a bare DER Name, as in a
# CertificateRequest): the 6th element of the TBSCertificate.
set -- $(openssl asn1parse -inform DER -in "$out/x509_ec.der" | awk '
	/d=2/ { n++
		if (n == 6) {
			split($0, a, ":"); off = a[1] + 0
			match($0, /hl=[0-9]+/); hl = substr($0, RSTART + 3, RLENGTH - 3)
			match($0, / l= *[0-9]+/); l = substr($0, RSTART + 3, RLENGTH - 3)
			print off, hl + l
		} }')
dd if="$out/x509_ec.der" of="$out/x509_ec_subject.der" bs=1 skip="$1" count="$2" status=none

# A hand-built certificate with hostile names, assembled with
# `openssl asn1parse -genconf` (its signature is junk: nothing here
# verifies signatures).  Placeholders of the same length are then
# replaced by bytes genconf cannot write (NUL, ESC, a newline, invalid
# UTF-8).  x509_badutf8.der differs only by invalid UTF-8 in O, which
# openssl refuses to load at all.
rsahex=$(openssl pkey -in leaf.key -pubout | openssl rsa -pubin -RSAPublicKey_out -outform DER 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
cat > hostile.cnf <<CNF
asn1 = SEQUENCE:cert
[ cert ]
tbs = SEQUENCE:tbs
alg = SEQUENCE:sigalg
sig = FORMAT:HEX,BITSTRING:00112233445566778899
[ sigalg ]
oid = OID:sha256WithRSAEncryption
null = NULL
[ tbs ]
ver = EXPLICIT:0C,INTEGER:2
serial = INTEGER:-5
alg = SEQUENCE:sigalg
issuer = SEQUENCE:issuer
validity = SEQUENCE:validity
subject = SEQUENCE:subject
spki = SEQUENCE:spki
exts = EXPLICIT:3C,SEQUENCE:exts
[ issuer ]
rdn1 = SET:i_cn
[ i_cn ]
a = SEQUENCE:i_cn_a
[ i_cn_a ]
oid = OID:commonName
v = UTF8String:hostile issuer
[ validity ]
nb = UTCTIME:500101000000Z
na = GENERALIZEDTIME:99991231235959Z
[ subject ]
r1 = SET:r_bmp
r2 = SET:r_t61
r3 = SET:r_o
r4 = SET:r_multi
r5 = SET:r_unk
r6 = SET:r_ia5
[ r_bmp ]
a = SEQUENCE:a_bmp
[ a_bmp ]
oid = OID:organizationalUnitName
v = FORMAT:UTF8,BMPSTRING:Ünï
[ r_t61 ]
a = SEQUENCE:a_t61
[ a_t61 ]
oid = OID:localityName
v = FORMAT:UTF8,T61STRING:café
[ r_o ]
a = SEQUENCE:a_o
[ a_o ]
oid = OID:organizationName
v = UTF8String:A@@@@B
[ r_multi ]
a = SEQUENCE:a_cn
b = SEQUENCE:a_sn
[ a_cn ]
oid = OID:commonName
v = UTF8String:nQulR[1m
[ a_sn ]
oid = OID:serialNumber
v = PRINTABLESTRING:1234
[ r_unk ]
a = SEQUENCE:a_unk
[ a_unk ]
oid = OID:1.2.3.4
v = UTF8String:custom
[ r_ia5 ]
a = SEQUENCE:a_ia5
[ a_ia5 ]
oid = OID:domainComponent
v = IA5STRING:example
[ spki ]
alg = SEQUENCE:spki_alg
key = FORMAT:HEX,BITSTRING:$rsahex
[ spki_alg ]
oid = OID:rsaEncryption
null = NULL
[ exts ]
san = SEQUENCE:ext_san
bc = SEQUENCE:ext_bc
ku = SEQUENCE:ext_ku
eku = SEQUENCE:ext_eku
[ ext_san ]
oid = OID:subjectAltName
v = OCTWRAP,SEQUENCE:san
[ san ]
d1 = IMPLICIT:2,IA5STRING:evil&.example
ip = FORMAT:HEX,IMPLICIT:7,OCTETSTRING:FE800000000000000000000000000001
u = IMPLICIT:6,IA5STRING:urn:x
[ ext_bc ]
oid = OID:basicConstraints
crit = BOOLEAN:true
v = OCTWRAP,SEQUENCE:bc
[ bc ]
ca = BOOLEAN:true
pl = INTEGER:0
[ ext_ku ]
oid = OID:keyUsage
v = OCTWRAP,FORMAT:BITLIST,BITSTRING:0,8
[ ext_eku ]
oid = OID:extendedKeyUsage
v = OCTWRAP,SEQUENCE:eku
[ eku ]
a = OID:serverAuth
b = OID:1.3.6.1.4.1.99999.7
CNF
openssl asn1parse -genconf hostile.cnf -noout -out hostile.der
perl -0777 -pe 's/nQulR/n\x00ul\x1b/ or die; s/evil&/evil\n/ or die' \
	hostile.der > "$out/x509_hostile.der"
perl -0777 -pe 's/A\@\@\@\@B/A\xff\xfe\xc3(B/ or die' \
	"$out/x509_hostile.der" > "$out/x509_badutf8.der"
