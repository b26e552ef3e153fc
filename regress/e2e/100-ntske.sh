#!/bin/sh
# NTS-KE server transport: the monitor reads the certificate and key and
# opens the port, the sandboxed engine answers TLS 1.3 with ALPN ntske/1
# (the records: regress/e2e/110-nts-server.sh does the whole exchange),
# takes a new certificate on SIGHUP, and is not killed by seccomp; a
# missing key file stops the start with the file named.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

need_openssl

# lacks TEXT REGEX: no line of TEXT matches REGEX.
lacks() {
	! contains "$1" "$2"
}

PORT=$((20000 + $$ % 20000))
KEPORT=$((PORT + 1))
SOCK=$T/timed.sock

# mkcert NAME: a self-signed P-256 certificate for localhost.
mkcert() {
	make_cert "$T/$1.key" "$T/$1.crt" DNS:localhost
}
mkcert one
mkcert two
cp "$T/one.crt" "$T/server.crt"
cp "$T/one.key" "$T/server.key"

conf() {
	cat <<CONF
clock virtual
local stratum 10
allow 127.0.0.1
port $PORT
bindaddress 127.0.0.1
ntsport $KEPORT
user nobody
chrootdir $T/empty
bindcmdaddress $SOCK
CONF
}
{ conf; echo "ntsservercert $T/server.crt"; echo "ntsserverkey $T/server.key"; } \
    >"$T/server.conf"

# sclient CAFILE [ALPN]: a TLS 1.3 handshake; s_client's report.
sclient() {
	printf '\200\001\000\002\000\000\200\000\000\000' |
	    timeout 10 openssl s_client -connect 127.0.0.1:$KEPORT -tls1_3 \
	    -alpn "${2:-ntske/1}" -CAfile "$1" -servername localhost \
	    -verify_hostname localhost -ign_eof 2>&1 | tr -d '\000'
}

# exchange CAFILE [REQUEST]: the server's answer to a request, in hex.
exchange() {
	python3 - "$1" "$KEPORT" "${2:-80010002000080000000}" <<'PY'
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_verify_locations(sys.argv[1])
ctx.set_alpn_protocols(["ntske/1"])
with socket.create_connection(("127.0.0.1", int(sys.argv[2])), 5) as s:
    with ctx.wrap_socket(s, server_hostname="localhost") as t:
        t.sendall(bytes.fromhex(sys.argv[3]))
        data = b""
        while True:
            b = t.recv(4096)
            if not b:
                break
            data += b
        print(t.selected_alpn_protocol(), data.hex())
PY
}

start_timed server "$T/server.conf"
check "server answers timectl" wait_for 10 "$T/timectl" -h "$SOCK" tracking
check "the engine took the certificate" \
    wait_for 10 grep -q "NTS-KE: 1 server certificate(s) in use" "$T/server.log"
ENGINE=$(engine_of "$MPID")

out=$(sclient "$T/one.crt")
check "TLS 1.3 handshake verifies (return code 0)" \
    contains "$out" "Verify return code: 0 (ok)"
check "ALPN ntske/1 negotiated" contains "$out" "ALPN protocol: ntske/1"
check "TLSv1.3" contains "$out" "New, TLSv1.3"

out=$(exchange "$T/one.crt" 2>&1)
check "NTPv4 without AEAD: Error 1 (Bad Request), End of Message" \
    test "$out" = "ntske/1 80020002000180000000"
out=$(exchange "$T/one.crt" 80010002000080040002000f80000000 2>&1)
check "NTPv4 and AEAD 15: both agreed, then 8 cookies of 104 bytes" \
    contains "$out" "^ntske/1 80010002000080040002000f\(00050068[0-9a-f]\{208\}\)\{8\}"
check "... then the port (not 123) and End of Message" \
    contains "$out" "[08]0070002$(printf %04x $PORT)80000000\$"

out=$(sclient "$T/one.crt" http/1.1)
check "another ALPN fails the handshake" \
    contains "$out" "no application protocol"
out=$(printf 'x' | timeout 10 openssl s_client -connect 127.0.0.1:$KEPORT \
    -tls1_2 -CAfile "$T/one.crt" 2>&1)
check "TLS 1.2 fails the handshake" contains "$out" "alert protocol version"

out=$("$T/timectl" -h "$SOCK" serverstats)
check "serverstats counts NTS-KE connections" \
    contains "$out" "NTS-KE connections accepted: *[1-9]"

# A renewed certificate, taken on SIGHUP for new handshakes.
cp "$T/two.crt" "$T/server.crt"
cp "$T/two.key" "$T/server.key"
kill -HUP "$MPID"
check "SIGHUP reloads the certificate" \
    wait_for 10 grep -q "certificate(s) reloaded" "$T/server.log"
wait_for 5 test "$(grep -c 'NTS-KE: 1 server certificate(s) in use' "$T/server.log")" = 2
out=$(sclient "$T/two.crt")
check "after SIGHUP the new certificate verifies" \
    contains "$out" "Verify return code: 0 (ok)"
out=$(sclient "$T/one.crt")
check "after SIGHUP the old one is gone" lacks "$out" \
    "Verify return code: 0 (ok)"

# A SIGHUP with a missing key keeps what is in use.
mv "$T/server.key" "$T/server.key.away"
kill -HUP "$MPID"
check "SIGHUP with a missing key names it, keeps the certificate" \
    wait_for 10 grep -q "server.key: No such file or directory; keeping" \
    "$T/server.log"
mv "$T/server.key.away" "$T/server.key"
out=$(sclient "$T/two.crt")
check "still served" contains "$out" "Verify return code: 0 (ok)"

check "the engine is the same process" test "$(engine_of "$MPID")" = "$ENGINE"
check "no engine was killed by seccomp" not_in_log "$T/server.log" "signal 31"
check "no engine was killed" not_in_log "$T/server.log" "killed by signal"

kill -TERM "$MPID"
check "server stops" wait_for 10 gone "$MPID"

# A certificate OpenSSL cannot read: the daemon runs, without NTS-KE.
echo "not a certificate" >"$T/junk.crt"
{ conf; echo "ntsservercert $T/junk.crt"; echo "ntsserverkey $T/one.key"; } \
    >"$T/junk.conf"
start_timed junk "$T/junk.conf"
check "a bad certificate is logged by name" \
    wait_for 10 grep -q "ntsservercert $T/junk.crt: .*not served" "$T/junk.log"
check "the daemon runs on" wait_for 10 "$T/timectl" -h "$SOCK" tracking
out=$(sclient "$T/one.crt")
check "no handshake without a certificate" lacks "$out" \
    "ALPN protocol: ntske/1"
check "no engine was killed (bad certificate)" not_in_log "$T/junk.log" \
    "killed by signal"
kill -TERM "$MPID"
wait_for 10 gone "$MPID"

# Trust stores for the NTS client: set 0 with the system's store, set 1
# from a directory; parsed by the engine in its sandbox.
mkdir "$T/cadir"
cp "$T/one.crt" "$T/cadir/one.crt"
cp "$T/two.crt" "$T/cadir/two.pem"
{ conf; echo "server 127.0.0.1 nts"; echo "server 127.0.0.2 nts certset 1"
  echo "ntstrustedcerts 1 $T/cadir"; } >"$T/client.conf"
start_timed client "$T/client.conf" -D
check "certset 0 loaded with the system's store" wait_for 10 grep -q \
    "certset 0 (with the system's trust store): loaded" "$T/client.log"
check "certset 1 loaded from a directory" \
    wait_for 10 grep -q "certset 1: loaded" "$T/client.log"
check "no engine was killed (trust stores)" not_in_log "$T/client.log" \
    "killed by signal"
kill -TERM "$MPID"
wait_for 10 gone "$MPID"

# nosystemcert: set 0 is the ntstrustedcerts files alone.
{ conf; echo "server 127.0.0.1 nts"; echo "ntstrustedcerts $T/one.crt"
  echo "nosystemcert"; } >"$T/nosys.conf"
start_timed nosys "$T/nosys.conf" -D
check "nosystemcert: certset 0 loaded without the system's store" \
    wait_for 10 grep -q "certset 0: loaded" "$T/nosys.log"
check "nosystemcert: the system's store is not named" \
    not_in_log "$T/nosys.log" "system's trust store"
kill -TERM "$MPID"
wait_for 10 gone "$MPID"

# Files that are not there stop the start, named.
{ conf; echo "ntsservercert $T/one.crt"; echo "ntsserverkey $T/missing.key"; } \
    >"$T/nokey.conf"
out=$(timeout 10 "$TIMED" -d -f "$T/nokey.conf" 2>&1)
rc=$?
check "a missing key file: exit status 1" test $rc = 1
check "the error names the key file" contains "$out" \
    "$T/missing.key: No such file or directory"
{ conf; echo "ntstrustedcerts $T/missing-ca.crt"; echo "server localhost nts"; } \
    >"$T/notrust.conf"
out=$(timeout 10 "$TIMED" -d -f "$T/notrust.conf" 2>&1)
rc=$?
check "a missing trusted certificate file: exit status 1" test $rc = 1
check "the error names it" contains "$out" "$T/missing-ca.crt: No such file"

finish
