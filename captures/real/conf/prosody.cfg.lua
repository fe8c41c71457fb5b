-- prosody 0.12 for captures/real (make-starttls.sh): client-to-server on
-- loopback port 9222, STARTTLS required, the lab's server certificate;
-- no server-to-server.  @WORK@ is filled in at capture time (the key and
-- the chain are copied into @WORK@/prosody for the prosody user).
pidfile = "@WORK@/prosody/prosody.pid"
data_path = "@WORK@/prosody/data"
daemonize = false
log = { info = "@WORK@/prosody.log" }
interfaces = { "127.0.0.1" }
c2s_ports = { 9222 }
c2s_direct_tls_ports = { }
s2s_ports = { }
modules_enabled = { "tls", "saslauth", "disco", "ping" }
modules_disabled = { "s2s", "offline", "c2s_direct_tls" }
c2s_require_encryption = true
certificates = "@WORK@/prosody"
ssl = { certificate = "@WORK@/prosody/server-fullchain.crt", key = "@WORK@/prosody/server.key" }
VirtualHost "tls-server.local"
