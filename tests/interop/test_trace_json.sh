#!/usr/bin/env bash
# --trace-json FILE (docs/TRACE.md "JSON lines"), against real peers:
#   - lucidtls client, TLS 1.2 ECDHE, against openssl s_server -www: the
#     whole handshake event by event (trace_json_check.py client12-ecdhe),
#     its master secret absent from the file, and with --show-secrets (no
#     --explain) present and equal to the key log's;
#   - lucidtls server, TLS 1.3, for openssl s_client: the same for the
#     server's events and its traffic secrets; two clients are conns 1 and 2,
#     each counted from seq 1;
#   - lucidtls demo: Bob and Alice as two connections of one file;
#   - a file that cannot be written is an error before anything starts;
#   - the checker itself fails on a trace with one event taken out.
#
# usage: test_trace_json.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem
CHECK=$(dirname "$0")/trace_json_check.py

# check_trace DESC FILE ARGS...: every line the checker prints is a check.
check_trace() {
    local desc=$1 file=$2 line status what expected got
    shift 2
    python3 "$CHECK" "$file" "$@" >"$WORK/check.out" 2>&1
    local n=0
    while IFS=$'\t' read -r status what expected got; do
        n=$((n + 1))
        if [ "$status" = PASS ]; then
            lt_pass "[$desc] $what"
        else
            lt_fail "[$desc] $what" "$expected" "$got" "python3 $CHECK $file $*"
        fi
    done <"$WORK/check.out"
    if [ "$n" -eq 0 ]; then
        lt_fail "[$desc] the checker ran" "its PASS/FAIL lines" "$(lt_excerpt "$WORK/check.out" 5)"
    fi
}

# ---------------------------------------------------------------- TLS 1.2, client
lt_start_openssl_server ossl -www -cert "$PKI/chain.pem" -key "$PKI/server.key" || lt_finish
P_OSSL=$(lt_port ossl)

client12() {
    local name=$1
    shift
    SSLKEYLOGFILE=$WORK/$name.keylog lt_session "$name" 15 "GET /trace HTTP/1.0\r\nHost: localhost\r\n\r\n" \
        "</HTML>" "$LUCIDTLS" client "127.0.0.1:$P_OSSL" --cafile "$CA" --servername localhost --tls1_2 \
        --ciphers ECDHE-RSA-AES128-GCM-SHA256 --trace-json "$WORK/$name.json" "$@"
    lt_expect_rc "[$name] lucidtls client with --trace-json exits 0" 0
    lt_expect_contains "[$name] s_server answered" "$LAST_OUT" "HTTP/1.0 200"
}
client12 client12
lt_expect_not_contains "[client12] --trace-json alone narrates nothing on stderr" "$LAST_ERR" "ClientHello"
check_trace client12 "$WORK/client12.json" client12-ecdhe --keylog "$WORK/client12.keylog"

client12 client12-secrets --show-secrets
check_trace client12-secrets "$WORK/client12-secrets.json" client12-ecdhe --secrets shown \
    --keylog "$WORK/client12-secrets.keylog"

# The checker is no rubber stamp: without one event, or with the secrets it
# must not see, it fails.
sed 20d "$WORK/client12.json" >"$WORK/client12-gap.json"
if python3 "$CHECK" "$WORK/client12-gap.json" client12-ecdhe --keylog "$WORK/client12.keylog" >/dev/null; then
    lt_fail "the checker fails a trace with one event left out" "exit 1" "exit 0"
else
    lt_pass "the checker fails a trace with one event left out"
fi
if python3 "$CHECK" "$WORK/client12-secrets.json" schema >/dev/null; then
    lt_fail "the checker fails shown secrets where they must be hidden" "exit 1" "exit 0"
else
    lt_pass "the checker fails shown secrets where they must be hidden"
fi

# ---------------------------------------------------------------- TLS 1.3, server
server13() {
    local name=$1
    shift
    SSLKEYLOGFILE=$WORK/$name.keylog lt_start_lucidtls_server "$name" --www --cert "$PKI/chain.pem" \
        --key "$PKI/server.key" --trace-json "$WORK/$name.json" "$@" || lt_finish
    local i
    for i in 1 2; do
        lt_session "$name-c$i" 15 "GET /trace HTTP/1.0\r\nHost: localhost\r\n\r\n" "HTTP/1.0 200" \
            openssl s_client -connect "127.0.0.1:$(lt_port "$name")" -servername localhost -CAfile "$CA" \
            -verify_return_error -tls1_3 -ign_eof
        lt_expect_contains "[$name] client $i: lucidtls server --www answered" "$LAST_OUT" "HTTP/1.0 200"
    done
    lt_stop_server "$name"
}
server13 server13
check_trace server13 "$WORK/server13.json" server13 --conn 1 --keylog "$WORK/server13.keylog"
check_trace server13-conn2 "$WORK/server13.json" server13 --conn 2 --keylog "$WORK/server13.keylog"
server13 server13-secrets --show-secrets
check_trace server13-secrets "$WORK/server13-secrets.json" server13 --conn 1 --secrets shown \
    --keylog "$WORK/server13-secrets.keylog"

# ---------------------------------------------------------------- the demo
lt_run demo 60 - "$LUCIDTLS" demo --trace-json "$WORK/demo.json"
lt_expect_rc "lucidtls demo --trace-json exits 0" 0
lt_expect_contains "the demo still narrates on stdout" "$LAST_OUT" "ClientHello"
check_trace demo "$WORK/demo.json" demo
lt_run demo-secrets 60 - "$LUCIDTLS" demo --show-secrets --trace-json "$WORK/demo-secrets.json"
check_trace demo-secrets "$WORK/demo-secrets.json" demo --secrets shown
lt_run demo-stdout 60 - "$LUCIDTLS" demo --tls13 --trace-json -
lt_expect_match "--trace-json - writes the JSON lines to stdout" "$LAST_OUT" '^\{"v":1,"conn":2,"seq":1,"side":"server"'

# ---------------------------------------------------------------- errors
lt_run unwritable 10 - "$LUCIDTLS" client "127.0.0.1:$P_OSSL" --cafile "$CA" --trace-json "$WORK/no/such/dir/t.json"
lt_expect_rc "client: an unwritable --trace-json file is an error" 1
lt_expect_contains "client: it says which file and why" "$LAST_ERR" \
    "cannot open --trace-json $WORK/no/such/dir/t.json: No such file or directory"
lt_expect_not_contains "client: and connects to no one" "$LAST_ERR" "handshake"
lt_run unwritable-server 10 - "$LUCIDTLS" server --port 0 --cert "$PKI/chain.pem" --key "$PKI/server.key" \
    --trace-json /proc/no-such-file.json
lt_expect_rc "server: an unwritable --trace-json file is an error" 1
lt_expect_not_contains "server: it does not listen" "$LAST_ERR" "listening on"
lt_run demo-unwritable 10 - "$LUCIDTLS" demo --trace-json "$WORK/no/such/dir/t.json"
lt_expect_rc "demo: an unwritable --trace-json file is an error" 1
lt_run missing-arg 10 - "$LUCIDTLS" client "127.0.0.1:$P_OSSL" --trace-json
lt_expect_rc "client --trace-json without a file is a usage error" 2
lt_expect_contains "it names the option" "$LAST_ERR" "option '--trace-json' needs an argument"

lt_finish
