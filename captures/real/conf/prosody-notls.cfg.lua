-- prosody 0.12 for captures/real (make-starttls.sh): an XMPP server whose TLS
-- setup fails, on loopback port 9223.  The certificate and key named here do
-- not exist, so LuaSec cannot build a TLS context (prosody logs "error
-- loading private key") and mod_tls's can_do_tls() is false:
--   * tls-server.local (c2s_require_encryption = false): the stream
--     features lack <starttls/>; a client that sends <starttls/> anyway gets
--     <failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> and the stream closes;
--   * required.local (c2s_require_encryption = true): no feature can be
--     offered on the insecure stream: prosody sends a <stream:error>
--     (undefined-condition, "No stream features to proceed with") and closes.
pidfile = "@WORK@/prosody-notls/prosody.pid"
data_path = "@WORK@/prosody-notls/data"
daemonize = false
log = { info = "@WORK@/prosody-notls.log" }
interfaces = { "127.0.0.1" }
c2s_ports = { 9223 }
c2s_direct_tls_ports = { }
s2s_ports = { }
modules_enabled = { "tls", "saslauth", "disco", "ping" }
modules_disabled = { "s2s", "offline", "c2s_direct_tls" }
c2s_require_encryption = false
certificates = "@WORK@/prosody-notls/certs"
ssl = { certificate = "@WORK@/prosody-notls/certs/missing.crt", key = "@WORK@/prosody-notls/certs/missing.key" }
VirtualHost "tls-server.local"
VirtualHost "required.local"
    c2s_require_encryption = true
