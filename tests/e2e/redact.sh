#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests of --redact, --redact=all and --only-failed over every
# capture in captures/ (with its key log when there is one):
#  1. the original values (client and server addresses, SNI, the Host
#     header of cleartext HTTP, end-entity subjects, their CN parts, SAN
#     values, serials and digests) are read from the unredacted JSON, and
#     none of them may appear in the --redact output of any format (text,
#     JSON, and Markdown when this tlsdiag has -o markdown);
#  2. redaction changes names, not the analysis: same connections, same
#     outcomes and diagnosis codes, same exit status; pseudonyms are where
#     the originals were;
#  3. --redact=names keeps CA names, --redact=all removes them too;
#  4. --only-failed leaves exactly the failed connections (outcome
#     failed: the connection's fate, conn.h), in every format;
#  5. --redact (the default level) hides the lab's private CAs: their
#     names, serials and SHA-256 fingerprints, taken with openssl from
#     captures/lab (never from tlsdiag), appear in no --redact report of
#     any capture, in any format, even when --ca-file and --client-ca-file
#     name them (a user's store is private); --redact=names shows them;
#  6. QUIC: the connection IDs (original DCID, the client's and the
#     server's SCID, those of the transport parameters), the stateless
#     reset token and a CONNECTION_CLOSE reason phrase are originals
#     too (in 1.); and quic-ok's original DCID, as tshark read it
#     (captures/expected/quic-ok.tp), shows in no --redact report;
#  7. a synthetic capture (tests/e2e/mkpcap.py) whose server sends a root
#     of the system bundle and asks for it and for the lab's clientCA,
#     after a proxy CONNECT preamble naming a host: --redact keeps the
#     public root's name, hides clientCA's and the preamble's host name
#     and credentials (every level hides the preamble).
set -u
TD_E2E_NAME=redact
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { bad "jq is required (apt-get install jq)"; finish; }
command -v perl >/dev/null || { bad "perl is required"; finish; }
[ -x "$bin" ] || { bad "no binary at $bin"; finish; }
one="$caps/tls12-client-cert-untrusted.pcap"
[ -f "$one" ] || { bad "no capture $one"; finish; }

# The options under test must exist.
for opt in --redact --redact=all --only-failed; do
	"$bin" -r "$one" "$opt" -o json >/dev/null 2>"$tmp/err"
	if [ $? -gt 1 ]; then bad "tlsdiag does not take $opt: $(head -1 "$tmp/err")"; finish; fi
done
"$bin" -r "$one" --redact=bogus >/dev/null 2>&1
if [ $? -eq 2 ]; then ok "--redact=bogus: exit 2"; else bad "--redact=bogus accepted"; fi

# Output formats: Markdown only when this binary has it (said loudly).
formats=(text json)
md_args=()
"$bin" -r "$one" -o markdown >/dev/null 2>&1
if [ $? -le 1 ]; then
	formats+=(markdown)
	# Details of every connection, not only the failed ones, when it can.
	"$bin" -r "$one" -o markdown --all >/dev/null 2>&1
	[ $? -le 1 ] && md_args=(--all)
fi
case " ${formats[*]} " in
*' markdown '*) echo "note: checking formats: ${formats[*]} (markdown with ${md_args[*]:-no extra option})" ;;
*) echo "SKIP markdown: this tlsdiag has no '-o markdown': its redaction is NOT checked" ;;
esac

# run NAME FORMAT [options...]: the report of capture $pcap into $tmp/NAME.FORMAT
run() {
	local name=$1 fmt=$2; shift 2
	local extra=()
	[ "$fmt" = markdown ] && extra=("${md_args[@]}")
	[ -e "$tmp/$name.$fmt.plain" ] && rm -f "$tmp/$name.$fmt".{plain,joined,joined-sp}
	"$bin" -r "$pcap" "${keys[@]}" -o "$fmt" --color=never "${extra[@]}" "$@" \
		>"$tmp/$name.$fmt" 2>"$tmp/$name.$fmt.err"
}

# Original values from the unredacted JSON, one per line.  A CN that is a
# plain word ("client") is looked for as "CN=client" only: the redactor
# leaves the English word alone (see redact.h).
originals_jq='
def ee: (.server_certs, .client_certs) | to_entries[] | select(.key == 0 or (.value.is_ca | not)) | .value;
def addr: sub(":[0-9]+$"; "") | ltrimstr("[") | rtrimstr("]");
select(.id)
| (.client | addr), (.server | addr),
  (.sni // empty),
  (.anomalies[].message | scan("Host: *([^:\\\\ ]+)") | .[0]),
  (ee | (.subject // empty),
        (.subject // "" | scan("(?:^|,)(?:CN|UID|emailAddress)=((?:[^,\\\\]|\\\\.)+)") | .[0]
         | ("CN=" + .), (select(test("^[A-Za-z]+$") | not))),
        (.san[] | sub("^[A-Za-z]+:"; "") | ltrimstr("*.")),
        (.serial // empty | select(length >= 8)),
        .sha256),
  (.quic // empty | (.original_dcid, .client_scid, (.server_scid // empty), (.close.reason? // empty)),
   ((.client_transport_parameters, .server_transport_parameters) | objects | to_entries[]
    | select(.key | test("connection_id$|reset_token$|preferred_address$")) | .value)
   | select(length > 0))
'
# CA names: subjects of CA certificates past the leaf, every issuer of a
# certificate that is not self-signed... all the DNs the redactor keeps.
ca_jq='
select(.id)
| ((.server_certs, .client_certs) | to_entries[] | select(.key > 0 and .value.is_ca) | .value.subject // empty),
  ((.server_certs, .client_certs)[] | .issuer // empty),
  .acceptable_cas[]
'

# leaks FILE LIST: the lines of LIST found in FILE (whole words, any case).
# FILE is searched as it is; with its escapes undone (Markdown's \_,
# Mermaid's #45;, HTML's &amp; and &#45;); and, since the text report
# wraps long names over lines, with its lines joined (indentation
# dropped) both directly and with a space.  The three derived files are
# made once per report (run removes them with it); one grep for all the
# values says whether any is there, and only then is each looked for.
leaks() {
	local file=$1 list=$2 v
	[ -f "$file.plain" ] || perl -CSD -e '
		my ($f) = @ARGV;
		open my $in, "<", $f or die "$f: $!";
		open my $p, ">", "$f.plain" or die; open my $j, ">", "$f.joined" or die;
		open my $s, ">", "$f.joined-sp" or die;
		while (<$in>) {
			s/&?#(\d+);/chr($1)/ge; s/&amp;/&/g; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g;
			s/\\([\\`*_{}\[\]()#+\-.!|<>~])/$1/g;
			print $p $_;
			my $l = $_;
			my $nl = chomp $l;
			$l =~ s/^[ \t\r\f\x0b]*//;
			print $j $l; print $s $l, ($nl ? " " : "");
		}' "$file"
	# (an empty line of LIST matches anything here: then each is looked for)
	grep -q -F -i -w -f "$list" -- "$file" "$file.plain" "$file.joined" "$file.joined-sp" || return 0
	while IFS= read -r v; do
		[ -n "$v" ] || continue
		grep -q -F -i -w -- "$v" "$file" "$file.plain" "$file.joined" "$file.joined-sp" &&
			printf '%s\n' "$v"
	done <"$list"
}

# The lab's CAs (a private PKI): RFC 4514 subjects (openssl's RFC2253
# form is tlsdiag's), serials and SHA-256 fingerprints as tlsdiag writes
# them (lowercase; serials colon-separated).
lab="$caps/lab"
for ca in rootCA intermediateCA clientCA rogueClientCA; do
	openssl x509 -in "$lab/$ca.crt" -noout -subject -nameopt RFC2253 | sed 's/^subject=//'
	openssl x509 -in "$lab/$ca.crt" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f' |
		sed 's/../&:/g; s/:$//'
	openssl x509 -in "$lab/$ca.crt" -noout -fingerprint -sha256 | sed 's/^.*=//' | tr -d ':' |
		tr 'A-F' 'a-f'
done >"$tmp/labcas"
if [ "$(wc -l <"$tmp/labcas")" -eq 12 ] && grep -q -x -F 'O=LMT Corp,CN=rootCA' "$tmp/labcas"; then
	ok "lab CA names, serials and fingerprints read with openssl"
else
	bad "could not read the lab CAs with openssl: $(tr '\n' '|' <"$tmp/labcas")"
fi
labcas_seen=0
labcas=$tmp/labcas

# check_capture PCAP: points 1 to 4 for one capture (par_each runs
# several at once, each with its own $tmp); it hands back how many lab
# CA values --redact=names showed, in $tmp/ret.
check_capture() {
	pcap=$1
	name=$(basename "$pcap" .pcap)
	keys=()
	[ -f "$caps/$name.keylog" ] && keys=(-k "$caps/$name.keylog")
	local seen=0
	echo 0 >"$tmp/ret"

	run orig json; st=$?
	if [ $st -gt 1 ]; then bad "$name: tlsdiag exited $st"; return; fi
	jq -r "$originals_jq" "$tmp/orig.json" | sort -u >"$tmp/originals"
	jq -r "$ca_jq" "$tmp/orig.json" | sort -u >"$tmp/cas"
	# A CA name that is also an end-entity subject (a self-signed leaf) is redacted.
	grep -v -x -F -f "$tmp/originals" "$tmp/cas" >"$tmp/cas.kept" || true
	norig=$(wc -l <"$tmp/originals")

	# 1. --redact: no original anywhere, in any format.
	errs=0
	for fmt in "${formats[@]}"; do
		run red "$fmt" --redact; rst=$?
		if [ $rst -ne $st ]; then
			echo "     $name: --redact -o $fmt exited $rst, want $st"
			errs=$((errs + 1))
		fi
		if [ ! -s "$tmp/red.$fmt" ]; then
			echo "     $name: --redact -o $fmt wrote nothing"
			errs=$((errs + 1))
		fi
		found=$(leaks "$tmp/red.$fmt" "$tmp/originals"; leaks "$tmp/red.$fmt" "$labcas")
		if [ -n "$found" ]; then
			echo "     $name: --redact -o $fmt leaks: $(printf '%s' "$found" | tr '\n' '|')"
			errs=$((errs + 1))
		fi
	done
	if [ $errs -eq 0 ]; then ok "$name: --redact hides $norig original values in ${formats[*]}"
	else bad "$name: --redact: $errs problems"; fi

	# 2. The analysis is the same, under pseudonyms.
	# (each connection's shape, then the summary: one jq a report)
	shape='(select(.id) | [.id, .outcome, .version, .cipher, [.diagnoses[] | .code, .severity, .stage], (.server_certs | length), (.client_certs | length), (.sni != null)] | tojson),
		(select(.summary) | .summary | del(.capture, .note) | tojson)'
	if [ "$(jq -r "$shape" "$tmp/orig.json")" = "$(jq -r "$shape" "$tmp/red.json")" ]; then
		ok "$name: --redact keeps the analysis"
	else
		bad "$name: --redact changed the analysis"
	fi
	bad_ps=$(jq -r 'select(.id) | (.client, .server | select(test("^(192\\.0\\.2|198\\.51\\.100|203\\.0\\.113|10)\\.[0-9.]+:[0-9]+$|^\\[2001:db8:[0-9a-f:]*\\]:[0-9]+$") | not)),
		(.sni // empty | select(test("^(host-[0-9]+\\.example|[0-9.]+|2001:db8:[0-9a-f:]*)$") | not)),
		((.server_certs, .client_certs)[0] // empty | .subject // empty | select(test("^CN=subject-[0-9]+$") | not))' \
		"$tmp/red.json")
	if [ -z "$bad_ps" ]; then ok "$name: pseudonyms in place"
	else bad "$name: not pseudonyms: $(printf '%s' "$bad_ps" | tr '\n' '|')"; fi

	# 3. CA names: kept by --redact=names, gone with --redact=all.
	if [ -s "$tmp/cas.kept" ]; then
		run names json --redact=names
		kept=$(leaks "$tmp/names.json" "$tmp/cas.kept" | wc -l)
		seen=$(leaks "$tmp/names.json" "$labcas" | wc -l)
		echo "$seen" >"$tmp/ret"
		errs=0
		for fmt in "${formats[@]}"; do
			run all "$fmt" --redact=all
			found=$(leaks "$tmp/all.$fmt" "$tmp/originals"; leaks "$tmp/all.$fmt" "$tmp/cas")
			if [ -n "$found" ]; then
				echo "     $name: --redact=all -o $fmt leaks: $(printf '%s' "$found" | tr '\n' '|')"
				errs=$((errs + 1))
			fi
		done
		if [ "$kept" -eq 0 ]; then
			echo "     $name: --redact=names lost every CA name"
			errs=$((errs + 1))
		fi
		if [ $errs -eq 0 ]; then ok "$name: CA names kept by --redact=names ($kept), gone with --redact=all"
		else bad "$name: CA names: $errs problems"; fi
	fi

	# 4. --only-failed: exactly the failed connections, in every format.
	want=$(jq -r 'select(.id) | select(.outcome == "failed") | .id' "$tmp/orig.json" | tr '\n' ' ')
	run only json --only-failed; ost=$?
	# ids, then the summary's count: one jq
	{ IFS= read -r got; read -r sum; } < <(jq -r -n '[inputs] | ([.[] | select(.id) | "\(.id) "] | add // ""),
		(.[] | select(.summary) | .summary.connections)' "$tmp/only.json")
	nwant=$(printf '%s' "$want" | wc -w)
	errs=0
	[ "$got" = "$want" ] || { echo "     $name: --only-failed ids '$got', want '$want'"; errs=$((errs + 1)); }
	[ "$sum" = "$nwant" ] || { echo "     $name: --only-failed summary says $sum connections, want $nwant"; errs=$((errs + 1)); }
	[ $ost -eq $st ] || { echo "     $name: --only-failed exited $ost, want $st"; errs=$((errs + 1)); }
	# The same connections, with the same content, as the unfiltered run.
	if [ "$(jq -c 'select(.id)' "$tmp/only.json")" != \
	     "$(jq -c --arg ids "$want" 'select(.id) | select(.id | tostring | IN($ids | split(" ")[]))' "$tmp/orig.json")" ]; then
		echo "     $name: --only-failed lines differ from the unfiltered ones"
		errs=$((errs + 1))
	fi
	run only text --only-failed
	ntext=$(grep -c -E '^#[0-9]+  ' "$tmp/only.text")
	[ "$ntext" -eq "$nwant" ] || { echo "     $name: --only-failed text has $ntext connections, want $nwant"; errs=$((errs + 1)); }
	run onlyred json --only-failed --redact
	[ "$(jq -r 'select(.id) | .id' "$tmp/onlyred.json" | tr '\n' ' ')" = "$want" ] ||
		{ echo "     $name: --only-failed --redact ids differ"; errs=$((errs + 1)); }
	found=$(leaks "$tmp/onlyred.json" "$tmp/originals")
	[ -z "$found" ] || { echo "     $name: --only-failed --redact leaks: $found"; errs=$((errs + 1)); }
	if [ $errs -eq 0 ]; then ok "$name: --only-failed keeps $nwant of $(jq -c 'select(.id)' "$tmp/orig.json" | wc -l)"
	else bad "$name: --only-failed: $errs problems"; fi
}
par_ret() { local n; read -r n <"$2" && labcas_seen=$((labcas_seen + n)); }
pcaps=()
for pcap in "$caps"/*.pcap; do
	[ -e "$pcap" ] && pcaps+=("$pcap")
done
par_each check_capture "${pcaps[@]}"
unset -f par_ret
[ ${#pcaps[@]} -gt 0 ] || bad "no captures in $caps"

# 5. The lab CA values do show without --redact or with --redact=names
# (the search above can fail), and a user's store does not make them public.
if [ "$labcas_seen" -gt 0 ]; then ok "--redact=names shows lab CA values ($labcas_seen sightings)"
else bad "--redact=names shows no lab CA value: the search for them finds nothing"; fi
pcap="$caps/tls13-mtls-ok.pcap"; keys=(-k "$caps/tls13-mtls-ok.keylog")
run plainlab json
run cafile json --redact --ca-file "$lab/chain.crt" --client-ca-file "$lab/clientCA.crt"
nplain=$(leaks "$tmp/plainlab.json" "$tmp/labcas" | wc -l)
found=$(leaks "$tmp/cafile.json" "$tmp/labcas")
if [ "$nplain" -ge 6 ] && [ -z "$found" ]; then
	ok "tls13-mtls-ok: --redact hides the lab CAs named in --ca-file and --client-ca-file ($nplain values)"
else
	bad "tls13-mtls-ok: --redact with --ca-file: $nplain values unredacted, leaks: $(printf '%s' "$found" | tr '\n' '|')"
fi

# 6. A root of the system bundle keeps its name; the preamble is hidden.
bundle=/etc/ssl/certs/ca-certificates.crt
pub=""
if [ -r "$bundle" ] && command -v python3 >/dev/null; then
	# The first root of the bundle with a plain ASCII name (no escaping to
	# guess): its subject as openssl writes it.
	awk -v dir="$tmp" '/-----BEGIN CERTIFICATE-----/ { n++ } n { print > (dir "/root" n ".pem") }
		/-----END CERTIFICATE-----/ { if (n >= 40) exit }' "$bundle"
	for f in "$tmp"/root*.pem; do
		dn=$(openssl x509 -in "$f" -noout -subject -nameopt RFC2253 2>/dev/null | sed 's/^subject=//')
		if printf '%s' "$dn" | grep -q -E '^[A-Za-z0-9 =,.-]+$'; then pub=$f; break; fi
	done
fi
if [ -z "$pub" ]; then
	echo "SKIP public root: no system bundle ($bundle), python3 or plain-named root: NOT checked"
else
	pcap="$tmp/public.pcap"; keys=()
	python3 "$top_srcdir/tests/e2e/mkpcap.py" "$pcap" \
		--preamble 'CONNECT secret-db.corp.example:443 HTTP/1.1\r\nProxy-Authorization: Basic c2VjcmV0dG9rZW4=\r\n\r\n' \
		--chain "$lab/server.crt" "$pub" --ca-names "$pub" "$lab/clientCA.crt"
	printf '%s\n' "$dn" >"$tmp/pubname"
	printf '%s\n' secret-db.corp.example c2VjcmV0dG9rZW4 >"$tmp/preamble"
	grep -v -i 'rootCA\|intermediateCA' "$tmp/labcas" >"$tmp/clientca"   # clientCA, rogueClientCA
	grep -i 'CN=intermediateCA' "$tmp/labcas" >>"$tmp/clientca"          # the leaf's issuer
	run pubplain json
	if [ -z "$(leaks "$tmp/pubplain.json" "$tmp/pubname")" ] || [ -z "$(leaks "$tmp/pubplain.json" "$tmp/preamble")" ] ||
	   [ "$(leaks "$tmp/pubplain.json" "$tmp/clientca" | wc -l)" -lt 2 ]; then
		bad "public root: the synthetic capture does not show '$dn', the preamble and the lab CAs unredacted"
	fi
	for fmt in "${formats[@]}"; do
		run pubred "$fmt" --redact
		run pubnames "$fmt" --redact=names
		run puball "$fmt" --redact=all
		errs=0
		[ -n "$(leaks "$tmp/pubred.$fmt" "$tmp/pubname")" ] ||
			{ echo "     --redact -o $fmt hides the public root '$dn'"; errs=$((errs + 1)); }
		found=$(leaks "$tmp/pubred.$fmt" "$tmp/clientca"; leaks "$tmp/pubred.$fmt" "$tmp/preamble")
		[ -z "$found" ] || { echo "     --redact -o $fmt leaks: $(printf '%s' "$found" | tr '\n' '|')"; errs=$((errs + 1)); }
		[ "$(leaks "$tmp/pubnames.$fmt" "$tmp/clientca" | wc -l)" -ge 2 ] ||
			{ echo "     --redact=names -o $fmt hides the lab CA names"; errs=$((errs + 1)); }
		found=$(leaks "$tmp/pubnames.$fmt" "$tmp/preamble"; leaks "$tmp/puball.$fmt" "$tmp/preamble";
			leaks "$tmp/puball.$fmt" "$tmp/pubname")
		[ -z "$found" ] || { echo "     --redact=names/all -o $fmt leaks: $(printf '%s' "$found" | tr '\n' '|')"; errs=$((errs + 1)); }
		if [ $errs -eq 0 ]; then ok "public root '$dn' kept, lab CAs and the CONNECT preamble hidden (-o $fmt)"
		else bad "public root and preamble (-o $fmt): $errs problems"; fi
	done
fi

# QUIC: the original DCID tshark read (the server's transport parameter
# repeats it) is in the plain report and in no redacted one.
pcap="$caps/quic-ok.pcap"; keys=(-k "$caps/quic-ok.keylog")
awk '$1 == "server" && $2 == "original_destination_connection_id" { print $3 }' \
	"$caps/expected/quic-ok.tp" >"$tmp/qcid"
if [ -f "$pcap" ] && [ -s "$tmp/qcid" ]; then
	run qplain json
	errs=0
	[ -n "$(leaks "$tmp/qplain.json" "$tmp/qcid")" ] || { echo "     the plain report lacks the DCID"; errs=1; }
	for fmt in "${formats[@]}"; do
		run qred "$fmt" --redact
		[ -z "$(leaks "$tmp/qred.$fmt" "$tmp/qcid")" ] || { echo "     --redact -o $fmt shows the DCID"; errs=$((errs + 1)); }
	done
	if [ $errs -eq 0 ]; then ok "quic-ok: the original DCID $(cat "$tmp/qcid") hidden by --redact"
	else bad "quic-ok: DCID redaction: $errs problems"; fi
else
	bad "quic-ok: no capture or no DCID in captures/expected/quic-ok.tp"
fi

# The test can fail: the unredacted report does hold the originals.
pcap=$one; keys=()
run plain text
run orig json
jq -r "$originals_jq" "$tmp/orig.json" | sort -u >"$tmp/originals"
if [ -n "$(leaks "$tmp/plain.text" "$tmp/originals")" ]; then ok "self-check: originals are found in an unredacted report"
else bad "self-check: the leak search finds nothing even unredacted"; fi

finish
