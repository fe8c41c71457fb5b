#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# gen.sh - regenerate the certificates of tests/unit/test_verify.c (the
# passive chain verification of include/verify.h).  Needs openssl(1) 3.x.
# Keys are throwaway (made in a temporary directory and deleted): the PEM
# files are what the tests use.  Validity dates are fixed here, so the
# tests can verify at fixed times; keys and signatures change on every
# run, and no test depends on them.
#
#   vroot.pem      "CN=vroot,O=Verify Lab", self-signed CA, 2020-2040
#   vinter.pem     "CN=vinter,O=Verify Lab", CA signed by vroot, 2020-2040
#   vleaf.pem      server leaf (serverAuth), signed by vinter, 2020-2039
#   vexpired.pem   server leaf, signed by vinter, 2020-01-01 - 2021-01-01
#   vfuture.pem    server leaf, signed by vinter, 2035-01-01 - 2039-01-01
#   vclientonly.pem  leaf whose extendedKeyUsage is clientAuth only
#   vkuonly.pem    leaf whose keyUsage is nonRepudiation only (no EKU)
#   vnotca.pem     "CN=vnotca": CA:false, signed by vroot, yet it signs...
#   vbynotca.pem   ...this leaf
#   vbadsig.pem    vleaf.pem with the last byte of its signature flipped
#   vpl0.pem       "CN=vpl0": CA with pathlen:0, signed by vroot, yet it
#   vplsub.pem     signs this CA ("CN=vplsub"), which signs...
#   vplleaf.pem    ...this leaf: the path length constraint is exceeded
#   vcrit.pem      leaf with an unknown critical extension (1.2.3.4)
#   vanyeku.pem    leaf whose extendedKeyUsage is anyExtendedKeyUsage only
#
# Every leaf is EC P-256 (small files); vroot and vinter too.
set -eu
out=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

cat > ca.cnf <<'CNF'
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
organizationName = optional
[ req ]
distinguished_name = dn
[ dn ]
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_server ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:vleaf.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_clientonly ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
[ v3_kuonly ]
basicConstraints = CA:false
keyUsage = critical, nonRepudiation
authorityKeyIdentifier = keyid
[ v3_pl0 ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_crit ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
1.2.3.4 = critical, ASN1:NULL
[ v3_anyeku ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = anyExtendedKeyUsage
authorityKeyIdentifier = keyid
[ v3_notca ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

# sign NAME KEY SUBJECT SERIAL START END EXT (self | CA_CERT CA_KEY)
sign() {
	name=$1 key=$2 subj=$3 serial=$4 start=$5 end=$6 ext=$7
	shift 7
	: > index.txt
	echo "$serial" > serial
	openssl req -new -config ca.cnf -key "$key" -subj "$subj" -out "$name.csr"
	if [ "$1" = self ]; then
		set -- -selfsign -keyfile "$key"
	else
		set -- -cert "$1" -keyfile "$2"
	fi
	openssl ca -config ca.cnf -batch -notext -preserveDN \
		-startdate "$start" -enddate "$end" -extensions "$ext" \
		-in "$name.csr" -out "$name.pem" "$@" 2>/dev/null
	openssl x509 -in "$name.pem" -out "$out/$name.pem"
}

for k in root inter leaf notca pl0 plsub; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.key
done

sign vroot root.key "/CN=vroot/O=Verify Lab" 01 \
	200101000000Z 400101000000Z v3_ca self
sign vinter inter.key "/CN=vinter/O=Verify Lab" 02 \
	200101000000Z 400101000000Z v3_ca vroot.pem root.key
sign vleaf leaf.key "/CN=vleaf.example/O=Verify Lab" 10 \
	200101000000Z 390101000000Z v3_server vinter.pem inter.key
sign vexpired leaf.key "/CN=vexpired.example/O=Verify Lab" 11 \
	200101000000Z 210101000000Z v3_server vinter.pem inter.key
sign vfuture leaf.key "/CN=vfuture.example/O=Verify Lab" 12 \
	350101000000Z 390101000000Z v3_server vinter.pem inter.key
sign vclientonly leaf.key "/CN=vclientonly/O=Verify Lab" 13 \
	200101000000Z 390101000000Z v3_clientonly vinter.pem inter.key
sign vkuonly leaf.key "/CN=vkuonly/O=Verify Lab" 14 \
	200101000000Z 390101000000Z v3_kuonly vinter.pem inter.key
sign vnotca notca.key "/CN=vnotca/O=Verify Lab" 15 \
	200101000000Z 390101000000Z v3_notca vroot.pem root.key
sign vbynotca leaf.key "/CN=vbynotca/O=Verify Lab" 16 \
	200101000000Z 390101000000Z v3_server vnotca.pem notca.key

sign vpl0 pl0.key "/CN=vpl0/O=Verify Lab" 17 \
	200101000000Z 390101000000Z v3_pl0 vroot.pem root.key
sign vplsub plsub.key "/CN=vplsub/O=Verify Lab" 18 \
	200101000000Z 390101000000Z v3_ca vpl0.pem pl0.key
sign vplleaf leaf.key "/CN=vplleaf/O=Verify Lab" 19 \
	200101000000Z 390101000000Z v3_server vplsub.pem plsub.key
sign vcrit leaf.key "/CN=vcrit/O=Verify Lab" 1A \
	200101000000Z 390101000000Z v3_crit vinter.pem inter.key
sign vanyeku leaf.key "/CN=vanyeku/O=Verify Lab" 1B \
	200101000000Z 390101000000Z v3_anyeku vinter.pem inter.key

# vleaf with the last byte of the signature flipped: still parses, no
# longer verifies.
openssl x509 -in vleaf.pem -outform DER -out vleaf.der
size=$(wc -c < vleaf.der)
head -c $((size - 1)) vleaf.der > vbadsig.der
last=$(tail -c 1 vleaf.der | od -An -tu1 | tr -d ' ')
printf "\\$(printf '%03o' $((last ^ 1)))" >> vbadsig.der
openssl x509 -inform DER -in vbadsig.der -out "$out/vbadsig.pem"
