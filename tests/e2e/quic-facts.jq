# SPDX-License-Identifier: GPL-2.0-or-later
# quic-facts.jq - the facts a keyless observer can see of a QUIC
# connection, from tlsdiag's JSON Lines, as "CONN KEY VALUE" lines in
# the format of captures/expected/quic-*.quic (tests/e2e/quic.sh), then
# the verdict lines of captures/expected/quic-*.verdict; with --argjson
# keys true (a run with the key log) also alpn, the certificates and the
# first CONNECTION_CLOSE (close.0, its error code in hex as tshark's; the
# alert name of a crypto error is left to quic.sh).  quic_version
# is the JSON's name ("QUICv1"); quic.sh maps the expected number to it.
def hex: [recurse(if . >= 16 then (. / 16 | floor) else empty end) | . % 16
          | "0123456789abcdef"[.:.+1]] | reverse | join("");
select(.id)
| . as $c
| "\(.id) transport \(.transport)",
  "\(.id) client \(.client)",
  "\(.id) server \(.server)",
  "\(.id) quic_version \(.quic.version)",
  "\(.id) sni \(.sni // "-")",
  "\(.id) alpn_offered \(.client_hello.alpn // [] | join(","))",
  "\(.id) version \(.version // "-")",
  "\(.id) cipher \(.cipher // "-")",
  (if .quic.retry then "\(.id) retry yes" else empty end),
  (if (.quic.version_negotiation // []) | length > 0 then "\(.id) version_negotiation yes" else empty end),
  (if $keys then
     "\(.id) alpn \(.alpn // "-")",
     (.server_certs | to_entries[] | "\($c.id) server_cert.\(.key).subject \(.value.subject)"),
     (.client_certs | to_entries[] | "\($c.id) client_cert.\(.key).subject \(.value.subject)"),
     (if .quic.close then
        "\(.id) close.0 \(.quic.close.from) \(.quic.close.packet) \(.quic.close.kind) 0x\(.quic.close.error | hex)"
      else empty end)
   else empty end),
  "\(.id) outcome \(.outcome)",
  (if (.diagnoses | length) > 0 then
     "\(.id) diag.0 \(.diagnoses[0].code) \(.diagnoses[0].stage) \(.diagnoses[0].gave_up) \(.diagnoses[0].confidence)"
   else "\(.id) diag.0 none" end)
