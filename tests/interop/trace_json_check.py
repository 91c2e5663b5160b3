#!/usr/bin/env python3
"""Checks a --trace-json file against docs/TRACE.md's "JSON lines" schema and
one handshake's events, event by event.

usage: trace_json_check.py FILE SCENARIO [--keylog KEYLOG] [--secrets hidden|shown]
                           [--conn N]

SCENARIO:
  client12-ecdhe  lucidtls client, TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, against openssl s_server
  server13        lucidtls server, TLS 1.3 TLS_AES_128_GCM_SHA256, for openssl s_client
  demo            lucidtls demo (TLS 1.2 RSA): Bob is conn 1, Alice conn 2
  schema          the schema only (every line, every connection)

Prints one line per check: "PASS<TAB>what" or "FAIL<TAB>what<TAB>expected<TAB>got";
tests/interop/test_trace_json.sh turns them into its checks. Exit 0 when every
check passed.
"""
import argparse
import json
import re
import sys

KINDS = {
    "msg_sent": "sent", "msg_recv": "received", "record_protect": "sent",
    "record_unprotect": "received", "alert_sent": "sent", "alert_recv": "received",
    "ccs_sent": "sent", "ccs_recv": "received", "choice": None, "cert_check": None,
    "key_derive": None, "state": None,
}
TOP = ["v", "conn", "seq", "side", "event", "direction", "what", "rfc", "detail", "chosen",
       "reason", "fields"]
HEX = re.compile(r"^[0-9a-f]*$")

results = []


def check(ok, what, expected="", got=""):
    results.append((bool(ok), what, str(expected), str(got)))
    return bool(ok)


def field(ev, name):
    for f in ev["fields"]:
        if f["name"] == name:
            return f
    return None


def text(ev, name):
    f = field(ev, name)
    return None if f is None else f.get("text")


def load(path):
    events, bad = [], []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                events.append(json.loads(line))
            except ValueError as e:
                bad.append(f"line {n}: {e}")
    check(not bad, "every line is one JSON object", "valid JSON lines", "; ".join(bad[:3]))
    check(events, "the file has events", "at least one line", "empty file")
    return events


def schema_errors(ev, secrets):
    """What is wrong with one event against the schema (a list of strings)."""
    errs = []
    keys = list(ev.keys())
    order = [k for k in TOP if k in ev]
    if keys != order or any(k not in TOP for k in keys):
        errs.append(f"members {keys} (allowed, in order: {TOP})")
    if ev.get("v") != 1:
        errs.append(f"v {ev.get('v')!r}")
    for k, t in (("conn", int), ("seq", int), ("side", str), ("event", str), ("what", str),
                 ("fields", list)):
        if not isinstance(ev.get(k), t):
            errs.append(f"{k} is {type(ev.get(k)).__name__}")
    if errs:
        return errs
    if ev["side"] not in ("client", "server"):
        errs.append(f"side {ev['side']!r}")
    if ev["event"] not in KINDS:
        errs.append(f"event {ev['event']!r}")
        return errs
    if ev.get("direction") != KINDS[ev["event"]]:
        errs.append(f"direction {ev.get('direction')!r} for {ev['event']}")
    for k in ("rfc", "detail"):
        if k not in ev or not (ev[k] is None or isinstance(ev[k], str)):
            errs.append(f"{k} missing or not a string/null")
    if ev["event"] == "choice":
        if ev.get("detail") is not None and ev.get("reason") != ev["detail"]:
            errs.append("choice: reason is not the detail")
    elif "chosen" in ev or "reason" in ev:
        errs.append("chosen/reason outside a choice")
    for f in ev["fields"]:
        fk = list(f.keys())
        if fk != [k for k in ("name", "text", "hex", "len", "secret") if k in f]:
            errs.append(f"field members {fk}")
            continue
        if not isinstance(f.get("name"), str):
            errs.append("field without a name")
            continue
        if "hex" in f and (not HEX.match(f["hex"]) or f.get("len") != len(f["hex"]) // 2):
            errs.append(f"field {f['name']}: hex/len disagree")
        if "len" in f and "hex" not in f and "secret" not in f:
            errs.append(f"field {f['name']}: len without bytes")
        s = f.get("secret")
        if s not in (None, "hidden", "shown"):
            errs.append(f"field {f['name']}: secret {s!r}")
        if s == "hidden" and ("hex" in f or "text" in f):
            errs.append(f"field {f['name']}: hidden, yet has a value")
        if s is not None and s != secrets:
            errs.append(f"field {f['name']}: secret {s}, wanted {secrets}")
        if s == "shown" and "hex" not in f:
            errs.append(f"field {f['name']}: shown without hex")
    return errs


def check_schema(events, secrets):
    bad = []
    for ev in events:
        for e in schema_errors(ev, secrets):
            bad.append(f"conn {ev.get('conn')} seq {ev.get('seq')}: {e}")
    check(not bad, f"every event follows the schema (secrets {secrets})", "no violations",
          "; ".join(bad[:4]))
    # seq numbers each connection's events from 1, with no gap.
    seqs = {}
    for ev in events:
        seqs.setdefault(ev.get("conn"), []).append(ev.get("seq"))
    gaps = [c for c, s in seqs.items() if s != list(range(1, len(s) + 1))]
    check(not gaps, "seq counts each connection's events 1, 2, 3, ...", "no gaps",
          f"conns {gaps}: {[seqs[c][:8] for c in gaps]}")
    n_secret = sum(1 for ev in events for f in ev["fields"] if "secret" in f)
    check(n_secret > 0, "the trace has secret fields", "> 0", n_secret)
    return seqs


def keylog(path):
    out = {}
    if path:
        with open(path, encoding="ascii") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 3:
                    out[(parts[0], parts[1].lower())] = parts[2].lower()
    return out


def secret_against_keylog(events, kl, secrets, label, ev_what, field_name, random_hex):
    """The secret of key_derive ev_what as the key log's `label` line for
    this connection's client random: equal when shown, absent when hidden."""
    want = kl.get((label, random_hex))
    if not check(want, f"the key log has {label} for this client random", "a line", "none"):
        return
    f = next((field(ev, field_name) for ev in events
              if ev["event"] == "key_derive" and ev["what"] == ev_what), None)
    if secrets == "shown":
        check(f is not None and f.get("hex") == want,
              f"--show-secrets: {ev_what}.{field_name} is the key log's {label}", want[:16] + "...",
              (f or {}).get("hex", "(none)")[:16])
    else:
        whole = open(ARGS.file, encoding="utf-8").read()
        check(want not in whole and want[:32] not in whole,
              f"without --show-secrets the {label} is nowhere in the file", "absent", "present")
        check(f is not None and f.get("secret") == "hidden" and f.get("len") == len(want) // 2,
              f"{ev_what}.{field_name} is hidden, with its length", f"hidden, len {len(want) // 2}",
              f)


def expect_sequence(events, expected, who):
    """events must be exactly `expected` ((event, what, test) triples) until
    the last of them; test is None or a function of the event returning
    None (fine) or what is wrong."""
    got = [(ev["event"], ev["what"]) for ev in events[:len(expected)]]
    want = [(e, w) for e, w, _ in expected]
    first = next((i for i, (g, w) in enumerate(zip(got, want)) if g != w), None)
    if first is None and len(got) < len(want):
        first = len(got)
    check(first is None, f"{who}: the handshake's {len(want)} events, in order",
          want[first] if first is not None else "", got[first] if first is not None and
          first < len(got) else "(end)")
    if first is not None:
        return
    for ev, (e, w, test) in zip(events, expected):
        if test is not None:
            wrong = test(ev)
            check(wrong is None, f"{who}: seq {ev['seq']} {e} {w}", "as described", wrong)


def is_(name, value):
    return lambda ev: None if text(ev, name) == value else f"{name} = {text(ev, name)!r}, not {value!r}"


def has(name, piece):
    return lambda ev: (None if piece in (text(ev, name) or "")
                       else f"{name} = {text(ev, name)!r} lacks {piece!r}")


def chosen(value):
    def t(ev):
        if ev.get("chosen") != value:
            return f"chosen {ev.get('chosen')!r}, not {value!r}"
        if not ev.get("reason"):
            return "no reason"
        return None
    return t


def both(*tests):
    def t(ev):
        for x in tests:
            w = x(ev)
            if w is not None:
                return w
        return None
    return t


def public_bytes(name, n):
    def t(ev):
        f = field(ev, name)
        if f is None or f.get("len") != n or len(f.get("hex", "")) != 2 * n or "secret" in f:
            return f"{name}: {f}"
        return None
    return t


def secret_len(name, n):
    def t(ev):
        f = field(ev, name)
        if f is None or f.get("len") != n or "secret" not in f:
            return f"{name}: {f}"
        return None
    return t


REC_H = ("record_unprotect", "handshake", None)
SENT_H = ("record_protect", "handshake", None)


def state(name):
    return ("state", name, None)


def scenario_client12(events, kl, secrets):
    conn = [ev for ev in events if ev["conn"] == 1]
    check(all(ev["side"] == "client" for ev in conn), "client12: every event is the client's",
          "side client", {ev["side"] for ev in conn})
    gcm = has("protection", "AES-128-GCM")
    expected = [
        ("record_protect", "handshake", is_("protection", "none (no keys yet)")),
        ("msg_sent", "ClientHello", both(is_("client_version", "TLS 1.2 (0x0303)"), public_bytes("random", 32),
                                         has("cipher_suites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
                                         is_("server_name", "localhost"))),
        state("CLIENT_WAIT_SERVER_HELLO"), REC_H,
        ("msg_recv", "ServerHello", both(is_("server_version", "TLS 1.2 (0x0303)"), public_bytes("random", 32),
                                         has("cipher_suite", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))),
        ("choice", "cipher_suite", both(chosen("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), is_("id", "0xc02f"))),
        ("choice", "extended_master_secret", chosen("yes")),
        ("choice", "secure_renegotiation", lambda ev: None if ev.get("chosen") == "yes" else ev),
        state("CLIENT_WAIT_CERTIFICATE"), REC_H,
        ("msg_recv", "Certificate", has("leaf_subject", "localhost")),
        ("cert_check", "chain", is_("result", "ok")),
        ("cert_check", "validity", is_("result", "ok")),
        ("cert_check", "hostname", both(is_("result", "ok"), is_("wanted", "localhost"))),
        ("cert_check", "security_level", is_("result", "ok")),
        ("cert_check", "key_usage", is_("result", "ok")),
        state("CLIENT_WAIT_SERVER_KEY_EXCHANGE"), REC_H,
        ("msg_recv", "ServerKeyExchange", both(is_("group", "x25519"), is_("result", "ok"),
                                               public_bytes("public_key", 32))),
        ("key_derive", "pre_master_secret", both(is_("group", "x25519"), secret_len("pre_master_secret", 32))),
        state("CLIENT_WAIT_SERVER_HELLO_DONE"), REC_H,
        ("msg_recv", "ServerHelloDone", None),
        SENT_H,
        ("msg_sent", "ClientKeyExchange", both(is_("group", "x25519"), public_bytes("public_key", 32))),
        ("key_derive", "master_secret", both(has("label", "extended master secret"),
                                             public_bytes("session_hash", 32),
                                             secret_len("master_secret", 48))),
        ("key_derive", "key_block", both(secret_len("client_write_key", 16), secret_len("server_write_key", 16))),
        ("record_protect", "change_cipher_spec", None),
        ("ccs_sent", "ChangeCipherSpec", None),
        ("key_derive", "client_finished", both(is_("label", "client finished"), public_bytes("verify_data", 12))),
        ("record_protect", "handshake", gcm),
        ("msg_sent", "Finished", public_bytes("verify_data", 12)),
        state("CLIENT_WAIT_NEW_SESSION_TICKET"), REC_H,
        ("msg_recv", "NewSessionTicket", None),
        state("CLIENT_WAIT_CHANGE_CIPHER_SPEC"),
        ("record_unprotect", "change_cipher_spec", None),
        ("ccs_recv", "ChangeCipherSpec", None),
        state("CLIENT_WAIT_FINISHED"),
        ("record_unprotect", "handshake", gcm),
        ("key_derive", "server_finished", is_("label", "server finished")),
        ("msg_recv", "Finished", is_("result", "match")),
        state("CONNECTED"),
        ("record_protect", "application_data", gcm),
        ("record_unprotect", "application_data", gcm),
    ]
    expect_sequence(conn, expected, "client12")
    hello = next((ev for ev in conn if ev["what"] == "ClientHello"), None)
    if hello is not None:
        rnd = field(hello, "random")["hex"]
        secret_against_keylog(conn, kl, secrets, "CLIENT_RANDOM", "master_secret", "master_secret", rnd)
    check(any(ev["event"] == "alert_recv" and ev["what"] == "close_notify" for ev in conn),
          "client12: s_server's close_notify is an alert_recv event", "alert_recv close_notify", "none")


def scenario_server13(events, kl, secrets):
    conn = [ev for ev in events if ev["conn"] == ARGS.conn]
    check(all(ev["side"] == "server" for ev in conn), "server13: every event is the server's",
          "side server", {ev["side"] for ev in conn})
    gcm = has("protection", "AES-128-GCM")
    expected = [
        ("record_unprotect", "handshake", is_("protection", "none (no keys yet)")),
        ("msg_recv", "ClientHello", both(has("supported_versions", "TLS 1.3 (0x0304)"),
                                         has("key_shares", "x25519 (32 bytes)"),
                                         has("extensions_in_order", "supported_versions"),
                                         has("cipher_suites", "TLS_AES_128_GCM_SHA256"),
                                         is_("server_name", "localhost"), public_bytes("random", 32))),
        ("choice", "version", chosen("TLS 1.3 (0x0304)")),
        ("choice", "cipher_suite", both(chosen("TLS_AES_128_GCM_SHA256"), is_("id", "0x1301"))),
        ("choice", "group", chosen("x25519")),
        ("choice", "signature_scheme", chosen("rsa_pss_rsae_sha256")),
        ("choice", "client_key_share", both(is_("group", "x25519"), public_bytes("public_key", 32))),
        ("key_derive", "ecdhe_shared_secret", secret_len("shared_secret", 32)),
        SENT_H,
        ("msg_sent", "ServerHello", both(public_bytes("random", 32), public_bytes("key_share", 32))),
        ("key_derive", "handshake_secret", secret_len("secret", 32)),
        ("key_derive", "client_handshake_traffic_secret", both(has("covers", "c hs traffic"),
                                                               secret_len("secret", 32))),
        ("key_derive", "server_handshake_traffic_secret", both(has("covers", "s hs traffic"),
                                                               secret_len("secret", 32))),
        ("record_protect", "change_cipher_spec", None),
        ("ccs_sent", "ChangeCipherSpec", None),
        ("key_derive", "server_handshake_traffic_keys", both(secret_len("key", 16), secret_len("iv", 12))),
        ("key_derive", "client_handshake_traffic_keys", both(secret_len("key", 16), secret_len("iv", 12))),
        ("record_protect", "handshake", gcm),
        ("msg_sent", "EncryptedExtensions", None),
        ("record_protect", "handshake", gcm),
        ("msg_sent", "Certificate", has("leaf_subject", "localhost")),
        ("record_protect", "handshake", gcm),
        ("msg_sent", "CertificateVerify", is_("scheme", "rsa_pss_rsae_sha256")),
        ("key_derive", "server_finished", public_bytes("verify_data", 32)),
        ("record_protect", "handshake", gcm),
        ("msg_sent", "Finished", public_bytes("verify_data", 32)),
        ("key_derive", "client_application_traffic_secret_0", secret_len("secret", 32)),
        ("key_derive", "server_application_traffic_secret_0", secret_len("secret", 32)),
        ("key_derive", "exporter_master_secret", secret_len("secret", 32)),
        ("key_derive", "server_application_traffic_keys", secret_len("key", 16)),
        state("SERVER_WAIT_FINISHED"),
        ("record_unprotect", "change_cipher_spec", None),
        ("ccs_recv", "ChangeCipherSpec", None),
        ("record_unprotect", "handshake", gcm),
        ("key_derive", "client_finished", public_bytes("verify_data", 32)),
        ("msg_recv", "Finished", is_("result", "match")),
        ("key_derive", "resumption_master_secret", secret_len("secret", 32)),
        ("key_derive", "client_application_traffic_keys", secret_len("key", 16)),
        ("record_protect", "handshake", gcm),
        ("msg_sent", "NewSessionTicket", has("lifetime", " s")),
        ("record_protect", "handshake", gcm),
        ("msg_sent", "NewSessionTicket", has("lifetime", " s")),
        state("CONNECTED"),
        ("record_unprotect", "application_data", gcm),
        ("record_protect", "application_data", gcm),
    ]
    expect_sequence(conn, expected, "server13")
    hello = next((ev for ev in conn if ev["what"] == "ClientHello"), None)
    if hello is not None:
        rnd = field(hello, "random")["hex"]
        secret_against_keylog(conn, kl, secrets, "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                              "server_handshake_traffic_secret", "secret", rnd)
        secret_against_keylog(conn, kl, secrets, "CLIENT_TRAFFIC_SECRET_0",
                              "client_application_traffic_secret_0", "secret", rnd)


def scenario_demo(events, kl, secrets):
    sides = {}
    for ev in events:
        sides.setdefault(ev["conn"], set()).add(ev["side"])
    check(sides == {1: {"client"}, 2: {"server"}}, "demo: Bob is conn 1 (client), Alice conn 2 (server)",
          {1: {"client"}, 2: {"server"}}, sides)
    for conn, side, mine, theirs in ((1, "client", "msg_sent", "msg_recv"), (2, "server", "msg_recv", "msg_sent")):
        msgs = [(ev["event"], ev["what"]) for ev in events if ev["conn"] == conn and ev["event"].startswith("msg_")]
        want = [(mine, "ClientHello"), (theirs, "ServerHello"), (theirs, "Certificate"),
                (theirs, "ServerHelloDone"), (mine, "ClientKeyExchange"), (mine, "Finished"),
                (theirs, "NewSessionTicket"), (theirs, "Finished")]
        check(msgs == want, f"demo: the {side}'s messages in order", want, msgs)
    # Both computed the same master secret from the same pre-master secret:
    # its length is all the JSON says without --show-secrets.
    ms = [field(ev, "master_secret") for ev in events if ev["what"] == "master_secret"]
    check(len(ms) == 2 and all(f and f.get("len") == 48 for f in ms), "demo: both sides derive a 48-byte master secret",
          "2 x len 48", ms)
    if secrets == "shown":
        check(len(ms) == 2 and ms[0].get("hex") and ms[0].get("hex") == ms[1].get("hex"),
              "demo --show-secrets: Bob's and Alice's master secrets are the same bytes", "equal",
              [f.get("hex", "")[:16] for f in ms if f])


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("scenario", choices=["client12-ecdhe", "server13", "demo", "schema"])
    p.add_argument("--keylog")
    p.add_argument("--secrets", choices=["hidden", "shown"], default="hidden")
    p.add_argument("--conn", type=int, default=1)
    ARGS = p.parse_args()
    events = load(ARGS.file)
    if events:
        check_schema(events, ARGS.secrets)
        kl = keylog(ARGS.keylog)
        if ARGS.scenario == "client12-ecdhe":
            scenario_client12(events, kl, ARGS.secrets)
        elif ARGS.scenario == "server13":
            scenario_server13(events, kl, ARGS.secrets)
        elif ARGS.scenario == "demo":
            scenario_demo(events, kl, ARGS.secrets)
    for ok, what, exp, got in results:
        print("\t".join(["PASS", what] if ok else ["FAIL", what, exp, got]).replace("\n", " "))
    return 0 if all(ok for ok, *_ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
