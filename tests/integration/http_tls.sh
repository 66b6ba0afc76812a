#!/bin/sh
# HTTPS: a certificate made here with openssl; a key file others may read
# stops sawtd at start-up with a message naming it; plain HTTP or TLS 1.1
# to the TLS port fail cleanly and leave the daemon serving; the cap on
# connections refuses the ones beyond it and frees up as they close.
. "$(dirname "$0")/tap.sh"

"$SAWT" migrate >/dev/null || { fail "migrate"; done_testing; exit 1; }
SECRET='tls-Secret-42'
CERT="$SAWT_TEST_TMP/cert.pem"
KEY="$SAWT_TEST_TMP/key.pem"
LOG="$SAWT_TEST_TMP/sawtd.log"
CONNS="/usr/bin/python3 $(dirname "$0")/http_conns.py"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$KEY" -out "$CERT" -days 2 \
	-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" >/dev/null 2>&1 ||
	{ fail "openssl makes a certificate"; done_testing; exit 1; }
cat >>"$SAWT_CONFIG" <<CONF

[http]
listen = 127.0.0.1:0
secret = $SECRET
tls_cert = $CERT
tls_key = $KEY
timeout = 60
max_connections = 20
CONF

# --- 1. the key file's mode ---------------------------------------------------
chmod 644 "$KEY"
"$SAWTD" -c "$SAWT_CONFIG" >"$SAWT_TEST_TMP/mode.log" 2>&1
is "$?" 1 "a key file readable by others stops sawtd at start-up"
like "$(cat "$SAWT_TEST_TMP/mode.log")" "key file \"$(re_quote "$KEY")\" is accessible by group or others \(mode 0644\); make it 0600" "with a message naming the file and its mode"
chmod 640 "$KEY"
"$SAWTD" -c "$SAWT_CONFIG" >"$SAWT_TEST_TMP/mode2.log" 2>&1
is "$?" 1 "readable by its group only: refused too"
chmod 600 "$KEY"

# --- 2. HTTPS ---------------------------------------------------------------
"$SAWTD" -c "$SAWT_CONFIG" >"$LOG" 2>&1 &
pid=$!
wait_for "$LOG" "HTTPS on 127.0.0.1:0 \(port [0-9]+" 30 && pass "with mode 0600 sawtd serves HTTPS" || fail "with mode 0600 sawtd serves HTTPS"
wait_for "$LOG" "database schema at version" 30
PORT=$(sed -n 's/.*HTTPS on 127\.0\.0\.1:0 (port \([0-9]*\),.*/\1/p' "$LOG" | head -n 1)
URL="https://localhost:$PORT/sms/inbound"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CERT" -u "sawt:$SECRET" "$URL?from=%2B96176123456&text=hello&time=1714800000")
is "$code" 200 "a message over HTTPS, the certificate checked, is accepted"
is "$(psql -XAtc "SELECT count(*) FROM sawt.inbound_messages WHERE transport = 'http'")" 1 "and stored"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 10 "http://127.0.0.1:$PORT/sms/inbound?from=1")
rc=$?
is "$code" 000 "plain HTTP to the TLS port gets no HTTP answer"
[ $rc -ne 0 ] && [ $rc -ne 28 ] && pass "the connection fails at once rather than hanging (curl exit $rc)" || fail "the connection fails at once rather than hanging (curl exit $rc)"
# s_client: "New, (NONE), Cipher is (NONE)" when no session was made
out=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' 2>&1)
like "$out" "alert protocol version" "TLS 1.1 is refused with a protocol_version alert"
like "$out" "Cipher is \(NONE\)" "and no session is made"
proto=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 2>/dev/null | sed -n 's/^ *Protocol *: *//p')
is "$proto" "TLSv1.2" "TLS 1.2 is accepted"
cipher=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -cipher 'AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256' 2>/dev/null | sed -n 's/^ *Cipher *: *//p')
is "$cipher" "ECDHE-RSA-AES128-GCM-SHA256" "the server picks a forward-secret AEAD cipher over a weak one"
kill -0 $pid && pass "sawtd still serves" || fail "sawtd still serves"

# --- 3. the cap on connections (max_connections = 20) -----------------------
out=$($CONNS cap "$PORT" 30 3)
is "$out" "closed 10 open 20" "of 30 idle connections the 10 beyond the cap are closed at once"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CERT" -u "sawt:$SECRET" "$URL?from=%2B96176123456&text=hello&time=1714800000")
is "$code" 200 "once they close, a request is served again"

kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM: exit 0"
grep -F "$SECRET" "$LOG" >/dev/null && fail "the secret appears in no log line" || pass "the secret appears in no log line"
no_errors "$LOG" "no error in sawtd's log"
done_testing
