# SPDX-License-Identifier: GPL-2.0-or-later
# facts.jq - turn tlsdiag's JSON Lines into the facts format of
# captures/expected/*.facts ("<conn> <key> <value>"), so that facts
# written from tshark and openssl can be compared with what tlsdiag says.
def certs($name; $list):
  ($list | length) as $n
  | "\(.id) \($name).count \($n)",
    ($list | to_entries[] |
      "\($name).\(.key).subject \(.value.subject)",
      "\($name).\(.key).issuer \(.value.issuer)",
      "\($name).\(.key).san \(.value.san | join(", "))",
      "\($name).\(.key).sha256 \(.value.sha256)");
# The last line of the output is the summary object: it has no "id".
select(.id)
| . as $c
| "\(.id) client \(.client)",
  "\(.id) server \(.server)",
  "\(.id) sni \(.sni // "-")",
  "\(.id) version \(.version // "-")",
  "\(.id) cipher \(.cipher // "-")",
  "\(.id) outcome \(.outcome)",
  (.alerts | to_entries[] |
    "\($c.id) alert.\(.key) \(.value.from) \(if .value.description == null then "encrypted" else "\(.value.level) \(.value.description)" end)"),
  (certs("server_cert"; .server_certs) | if startswith("\($c.id) ") then . else "\($c.id) \(.)" end),
  (certs("client_cert"; .client_certs) | if startswith("\($c.id) ") then . else "\($c.id) \(.)" end),
  (.acceptable_cas | to_entries[] | "\($c.id) acceptable_ca.\(.key) \(.value)"),
  (if (.diagnoses | length) > 0 then
     "\(.id) diag.0 \(.diagnoses[0].code) \(.diagnoses[0].stage) \(.diagnoses[0].gave_up) \(.diagnoses[0].confidence)"
   else empty end),
  (.diagnoses[] | "\($c.id) diag.code \(.code)")
