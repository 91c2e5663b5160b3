#!/usr/bin/env python3
"""
scripts/mutants.py — the mutation check behind scripts/mutants.sh.

Each mutant is a one-line sabotage of a security check: an exact piece of
source text and what it becomes. The driver applies one mutant at a time,
rebuilds incrementally, runs only the tests that should catch it, and
restores the file. A mutant that every one of its tests survives is a hole
in the test suite, and the run fails.

Rules the driver enforces, so the list cannot rot silently:
  - the text to replace must occur exactly once in its file (after a
    refactor, the mutant must be updated, not skipped);
  - every mutant must build (a mutant that does not compile proves nothing);
  - before any mutant runs, each test command must pass on the unmutated
    tree (a test that always fails would "kill" everything).

Every later feature adds its own mutants here: signature checks, binders,
downgrade sentinels...

Usage: mutants.py [--build DIR] [--only REGEX] [--list] [--jobs N]
Prints one line per mutant, then "N passed, N failed" (a passed mutant is a
killed one); exits non-zero if any mutant survived or could not be checked.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class M:
    def __init__(self, name, path, old, new, tests, covers):
        self.name, self.path, self.old, self.new, self.tests, self.covers = name, path, old, new, tests, covers


# Test commands. ("unit", PROGRAM) runs BUILD/tests/PROGRAM; ("hostile",
# REGEX) runs tests/hostile/run.sh --only REGEX against BUILD's CLI;
# ("ct", PROGRAM) runs a tests/ct program under valgrind as scripts/ct.sh
# does (in BUILD-ct).
def unit(prog):
    return ("unit", prog)


def hostile(regex):
    return ("hostile", regex)


def ct(prog):
    return ("ct", prog)


MUTANTS = [
    # ---- Finished (RFC 5246 7.4.9)
    M("finished-unchecked", "src/hs/common12.c",
      "    if (!match) {\n        return lt_hs_fail(hs, LT_ERR_DECRYPT_ERROR,",
      "    if (0 && !match) {\n        return lt_hs_fail(hs, LT_ERR_DECRYPT_ERROR,",
      [hostile("Finished with the wrong verify_data")], "Finished"),
    M("finished-verdict-not-declassified", "src/hs/common12.c",
      "    LT_CF_PUBLIC(&match, sizeof match); /* the deliberate public decision */",
      "    /* mutant: LT_CF_PUBLIC removed */",
      [ct("test_ct_finished")], "Finished (constant flow)"),
    M("finished-wrong-label", "src/hs/keysched12.c",
      'const char *label = from_client ? "client finished" : "server finished";',
      'const char *label = from_client ? "server finished" : "server finished";',
      [unit("test_ks12_kat")], "Finished"),
    # ---- TLS 1.3 (RFC 8446)
    M("tls13-finished-unchecked", "src/hs/common13.c",
      "    int match = lt_ct_eq(got, want, n);",
      "    int match = lt_ct_eq(got, want, n) || 1;",
      [ct("test_ct_finished13")], "TLS 1.3 Finished"),
    M("tls13-binder-unchecked", "src/hs/resume13.c",
      "    int match = lt_rd_left(&b) == n && lt_ct_eq(b.p, want, n);",
      "    int match = lt_rd_left(&b) == n || lt_ct_eq(b.p, want, n);",
      [unit("test_tls13_negative")], "PSK binders"),
    M("tls13-downgrade-sentinel-ignored", "src/hs/client12.c",
      "    return memcmp(random + 24, LT_DOWNGRADE_TLS12, 8) == 0 || memcmp(random + 24, LT_DOWNGRADE_TLS11, 8) == 0;",
      "    return random == NULL;",
      [unit("test_tls13")], "the downgrade sentinel"),
    M("tls13-second-ccs-dropped", "src/hs/machine.c",
      "    if (hs->peer_ccs_seen) {",
      "    if (0) {",
      [unit("test_state_table")], "the middlebox ChangeCipherSpec window"),
    M("tls13-second-client-hello-unchecked", "src/hs/server13.c",
      "    if (memcmp(d, h->ch1_digest, 32) != 0) {",
      "    if (0) {",
      [hostile("ClientHello2 that changes the cipher suites")], "the HelloRetryRequest rules"),
    M("tls13-key-share-group-unchecked", "src/hs/client13.c",
      "    if (sh->key_share_group != h->share_group) {",
      "    if (0) {",
      [hostile("key share for a group we did not send")], "the key share"),
    # ---- record protection
    M("cbc-mac-unchecked", "src/crypto/record_cbc.c",
      "    good &= ct_is_zero((size_t)(unsigned int)CRYPTO_memcmp(rec_mac, calc_mac, rc->mac_len));",
      "    (void)calc_mac;",
      [unit("test_crypto_record")], "the MAC check"),
    M("cbc-padding-bytes-wrong", "src/crypto/record_cbc.c",
      "        out[i] = (uint8_t)pad;",
      "        out[i] = (uint8_t)(i == 0 ? pad ^ 1 : pad);",
      [unit("test_crypto_record")], "padding"),
    M("record-plaintext-limit-after-decrypt", "src/record/record.c",
      "    LT_ENSURE(pt_len <= LT_MAX_PLAINTEXT, LT_ERR_RECORD_OVERFLOW);",
      "    (void)0;",
      [hostile("plaintext is 2\\^14\\+1")], "the record size limits"),
    M("record-header-limit", "src/record/record.c",
      "    return r->read_rc == NULL ? LT_MAX_PLAINTEXT : lt_max_ciphertext(lt_rc_version(r->read_rc));",
      "    return r->read_rc == NULL ? LT_MAX_CIPHERTEXT_TLS12 : lt_max_ciphertext(lt_rc_version(r->read_rc));",
      [unit("test_record"), hostile("record of 2\\^14\\+1 bytes|server record of 2\\^14\\+1")],
      "the record size limits"),
    M("etm-mac-unchecked", "src/crypto/record_cbc.c",
      "    if (!mac_ok) {\n        return LT_ERR_BAD_RECORD_MAC;",
      "    if (0 && !mac_ok) {\n        return LT_ERR_BAD_RECORD_MAC;",
      [unit("test_crypto_record_etm")], "the encrypt-then-MAC check"),
    M("etm-padding-unchecked", "src/crypto/record_cbc.c",
      "    good = cbc_padding_good(data, data_len, 0);",
      "    good = ~(size_t)0;",
      [unit("test_crypto_record_etm")], "padding"),
    M("etm-mac-verdict-not-declassified", "src/crypto/record_cbc.c",
      "    LT_CF_PUBLIC(&mac_ok, sizeof(mac_ok));",
      "    /* mutant: LT_CF_PUBLIC removed */",
      [ct("test_ct_record")], "the encrypt-then-MAC check (constant flow)"),
    M("aead-tag-unchecked", "src/crypto/record_aead.c",
      "    ok = ok && EVP_DecryptFinal_ex(rc->cctx, body + outl, &tmp) == 1;",
      "    ok = ok && (EVP_DecryptFinal_ex(rc->cctx, body + outl, &tmp) == 1 || 1);",
      [unit("test_crypto_record_aead"), unit("test_crypto_record")], "the AEAD tag check"),
    M("xor-nonce-ignores-seq", "src/crypto/record_aead.c",
      "    lt_put_u64(padded + NONCE_LEN - 8, seq);",
      "    (void)seq;",
      [unit("test_crypto_record_aead")], "the per-record nonce"),
    M("tls13-padding-not-stripped", "src/crypto/record_aead.c",
      "    while (end > 0 && buf[end - 1] == 0) {",
      "    while (0 && end > 0 && buf[end - 1] == 0) {",
      [unit("test_crypto_record_aead")], "TLS 1.3 inner plaintext"),
    M("tls13-inner-plaintext-limit", "src/crypto/record_aead.c",
      "    if (len > LT_MAX_INNER_PLAINTEXT_TLS13) {",
      "    if (len > LT_MAX_CIPHERTEXT_TLS13) {",
      [unit("test_crypto_record_aead")], "the record size limits"),
    M("tls13-header-limit", "src/record/record.c",
      "    return r->read_rc == NULL ? LT_MAX_PLAINTEXT : lt_max_ciphertext(lt_rc_version(r->read_rc));",
      "    return r->read_rc == NULL ? LT_MAX_PLAINTEXT : LT_MAX_CIPHERTEXT_TLS12;",
      [unit("test_record")], "the record size limits"),
    M("tls13-protected-ccs-accepted", "src/record/record.c",
      "    if (type == LT_CT_CHANGE_CIPHER_SPEC) {\n        return refuse(r, LT_ERR_UNEXPECTED_MESSAGE, \"a protected",
      "    if (0) {\n        return refuse(r, LT_ERR_UNEXPECTED_MESSAGE, \"a protected",
      [unit("test_record")], "TLS 1.3 inner plaintext"),
    M("tls13-empty-handshake-accepted", "src/record/record.c",
      "    if (n == 0 && type != LT_CT_APPLICATION_DATA) {",
      "    if (0) {",
      [unit("test_record")], "TLS 1.3 inner plaintext"),
    # (The record layer's check that an unprotected CCS is the byte 1 is
    # repeated by the engine, on_tls13_ccs in machine.c, on purpose: a
    # mutant of either alone cannot be seen from outside.)
    M("ske-signature-unchecked", "src/hs/client12.c",
      "    if (rc != LT_OK) {\n        return lt_hs_fail(hs, rc == LT_ERR_DECRYPT_ERROR ? rc : LT_ERR_ILLEGAL_PARAMETER,",
      "    if (0) {\n        return lt_hs_fail(hs, rc == LT_ERR_DECRYPT_ERROR ? rc : LT_ERR_ILLEGAL_PARAMETER,",
      [unit("test_ecdhe_negative")], "ServerKeyExchange"),
    M("ske-group-unchecked", "src/hs/client12.c",
      "    if (!lt_client_offered_group(hs, ske->group)) {",
      "    if (0 && !lt_client_offered_group(hs, ske->group)) {",
      [unit("test_ecdhe_negative")], "ServerKeyExchange"),
    M("ske-scheme-unchecked", "src/hs/client12.c",
      "    if (!lt_hs_accepts_sigalg(hs->env.policy, ske->sig_scheme)) {",
      "    if (0 && !lt_hs_accepts_sigalg(hs->env.policy, ske->sig_scheme)) {",
      [unit("test_ecdhe_negative")], "ServerKeyExchange"),
    M("sigalgs-cert-ignored", "src/hs/server12.c",
      "    if (strict_chain && !chain_acceptable(ch, id)) {",
      "    if (0 && strict_chain && !chain_acceptable(ch, id)) {",
      [unit("test_identities")], "certificate selection"),
    M("own-key-usage-ignored", "src/hs/server12.c",
      "    if (s->kx == LT_KX_RSA ? !id->may_encipher : !id->may_sign) {",
      "    if (0 && (s->kx == LT_KX_RSA ? !id->may_encipher : !id->may_sign)) {",
      [unit("test_identities")], "certificate selection"),
    M("ecdsa-cert-curve-ignored", "src/hs/server12.c",
      "    if (s->auth == LT_AUTH_ECDSA && (ch->ext_seen & LT_SEEN_GROUPS) &&",
      "    if (0 && s->auth == LT_AUTH_ECDSA && (ch->ext_seen & LT_SEEN_GROUPS) &&",
      [unit("test_identities")], "certificate selection"),
    M("fallback-scsv-ignored", "src/hs/server12.c",
      "    if (ch->has_fallback_scsv && theirs < ours) {",
      "    if (0) {",
      [hostile("TLS_FALLBACK_SCSV")], "downgrade protection"),
    M("point-formats-unchecked", "src/hs/server12.c",
      "&& !ch->has_uncompressed_point) {",
      "&& 0) {",
      [hostile("ec_point_formats lacking")], "ECDHE ClientHello checks"),
    # ---- the state table
    M("state-table-ignores-state", "src/hs/machine.c",
      "    return t->state == hs->state && (t->roles & (1u << hs->env.role)) &&",
      "    return (t->roles & (1u << hs->env.role)) &&",
      [unit("test_state_table")], "the state table"),
    M("hello-request-body-ignored", "src/hs/machine.c",
      "    if (len != 4) {\n        return lt_hs_fail(hs, LT_ERR_DECODE, \"HelloRequest with a",
      "    if (0) {\n        return lt_hs_fail(hs, LT_ERR_DECODE, \"HelloRequest with a",
      [unit("test_state_table")], "the state table"),
    # ---- Bleichenbacher (RFC 5246 7.4.7.1)
    M("rsa-no-implicit-rejection", "src/crypto/pkey.c",
      "        memcpy(pms, fallback, PMS_LEN);\n        rc = LT_OK;",
      "        memcpy(pms, fallback, PMS_LEN);\n        rc = LT_ERR_DECRYPT_ERROR;",
      [unit("test_crypto_rsa")], "the Bleichenbacher fallback"),
    # ---- renegotiation_info (RFC 5746 3.4, 3.6)
    M("client-accepts-nonempty-reneg-info", "src/hs/client12.c",
      "if ((sh->ext_seen & LT_SEEN_RENEG) && lt_rd_left(&sh->reneg_info) != 0) {",
      "if (0 && (sh->ext_seen & LT_SEEN_RENEG) && lt_rd_left(&sh->reneg_info) != 0) {",
      [hostile("ServerHello with a non-empty renegotiation_info")], "renegotiation_info"),
    M("server-accepts-nonempty-reneg-info", "src/hs/server12.c",
      "if ((ch->ext_seen & LT_SEEN_RENEG) && lt_rd_left(&ch->reneg_info) != 0) {",
      "if (0 && (ch->ext_seen & LT_SEEN_RENEG) && lt_rd_left(&ch->reneg_info) != 0) {",
      [hostile("non-empty renegotiation_info in the initial ClientHello")], "renegotiation_info"),
    # ---- EMS (RFC 7627)
    M("ems-label-never-used", "src/hs/keysched12.c",
      "    if (ems) {",
      "    if (0) {",
      [unit("test_ks12_kat")], "EMS"),
    M("ems-left-out-of-the-handshake", "src/hs/common12.c",
      "rc = lt_ks12_master_secret(s->prf_hash, pms, pms_len, hs->session.ems,",
      "rc = lt_ks12_master_secret(s->prf_hash, pms, pms_len, 0,",
      [unit("test_handshake")], "EMS"),
    # ---- the noise limits and renegotiation refusals
    M("noise-budget-unbounded", "src/conn/conn.c",
      "    if (++c->noise_in_a_row > LT_MAX_NOISE_IN_A_ROW) {",
      "    if (++c->noise_in_a_row > 1000000) {",
      [unit("test_handshake")], "the noise limits"),
    M("renegotiation-refused-forever", "src/hs/machine.c",
      "    if (hs->renegotiations_refused >= LT_MAX_RENEGOTIATIONS_REFUSED) {",
      "    if (0) {",
      [unit("test_handshake"), hostile("4096 renegotiation ClientHellos")], "the noise limits"),
    # ---- the output cap
    M("input-taken-while-output-backed-up", "src/conn/conn.c",
      "    return lt_record_out_full(&c->rec);",
      "    return 0;",
      [unit("test_backpressure"), unit("test_fd_backpressure")], "the output cap"),
    M("no-hard-cap", "src/record/record.c",
      "    LT_ENSURE(lt_record_pending(r) + most <= LT_OUT_HARD_CAP, LT_ERR_INTERNAL);",
      "    LT_ENSURE(1 || lt_record_pending(r) + most <= LT_OUT_HARD_CAP, LT_ERR_INTERNAL);",
      [unit("test_backpressure")], "the output cap"),
    # ---- peer text
    M("sni-not-validated", "src/hs/server12.c",
      "&& !lt_is_dns_hostname(ch->sni, strlen(ch->sni))) {",
      "&& 0) {",
      [unit("test_peer_text"), hostile("SNI that is not a host name")], "peer text"),
    M("peer-text-not-escaped", "src/base/text.c",
      "    if (b >= 0x20 && b <= 0x7e && b != '\\\\') {",
      "    if (1) {",
      [unit("test_text")], "peer text"),
    # ---- certificates
    M("expiry-not-checked", "src/crypto/x509.c",
      "    } else if (s.err[EC_TIME] != 0) {",
      "    } else if (0 && s.err[EC_TIME] != 0) {",
      [unit("test_crypto_x509")], "the expiry check"),
    M("key-usage-not-checked", "src/hs/client12.c",
      "    if (!ku_ok) {\n        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_CERTIFICATE,",
      "    if (0) {\n        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_CERTIFICATE,",
      [unit("test_security_level")], "the key-usage check"),
    M("security-level-ignored", "src/crypto/x509.c",
      "    X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx), security_level);",
      "    X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx), 0);",
      [unit("test_security_level")], "the security level"),
    M("certificate-names-not-escaped", "src/crypto/x509.c",
      "    lt_escape_peer_text(dst, cap, s, n);",
      "    snprintf(dst, cap, \"%.*s\", (int)n, s);",
      [unit("test_crypto_x509")], "peer text"),
    M("hostname-not-checked", "src/crypto/x509.c",
      "        (hostname != NULL && !set_host(X509_STORE_CTX_get0_param(ctx), hostname))) {",
      "        (0 && hostname != NULL && !set_host(X509_STORE_CTX_get0_param(ctx), hostname))) {",
      [unit("test_crypto_x509")], "the hostname check"),
    # ---- mutual TLS (RFC 5246 7.4.6/7.4.8, RFC 8446 4.4.2/4.4.3, RFC 5280 4.2.1.12)
    M("client-cv-unchecked", "src/hs/clientauth.c",
      "    if (rc != LT_OK) {\n        /* RFC 8446 4.4.3: \"MUST terminate the handshake with a",
      "    if (0 && rc != LT_OK) {\n        /* RFC 8446 4.4.3: \"MUST terminate the handshake with a",
      [hostile("mtls --require-client-cert: CertificateVerify whose signature"), unit("test_mtls_hostile13")],
      "client CertificateVerify"),
    M("client-cv-scheme-unchecked", "src/hs/clientauth.c",
      "    if (!lt_hs_accepts_sigalg(hs->env.policy, scheme) || (tls13 && pkcs1) || !fits) {",
      "    if (0 && (!lt_hs_accepts_sigalg(hs->env.policy, scheme) || (tls13 && pkcs1) || !fits)) {",
      [hostile("mtls --require-client-cert: CertificateVerify with a scheme"), unit("test_mtls_hostile13")],
      "client CertificateVerify scheme"),
    M("client-eku-unchecked", "src/crypto/x509.c",
      "X509_STORE_CTX_set_purpose(ctx, client ? X509_PURPOSE_SSL_CLIENT : X509_PURPOSE_SSL_SERVER) != 1 ||",
      "X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER) != 1 ||",
      [unit("test_mtls")], "clientAuth EKU"),
    M("client-cert-not-required", "src/hs/clientauth.c",
      "    if (hs->env.policy->client_auth == LT_CLIENT_AUTH_REQUIRE) {",
      "    if (0 && hs->env.policy->client_auth == LT_CLIENT_AUTH_REQUIRE) {",
      [hostile("mtls --require-client-cert: an empty Certificate"), unit("test_mtls_hostile13")],
      "REQUIRE"),
    M("client-cert-context-unchecked", "src/hs/clientauth.c",
      "    if (lt_rd_left(&c.context) != 0) {\n        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,\n"
      "                          \"the client's Certificate",
      "    if (0 && lt_rd_left(&c.context) != 0) {\n        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,\n"
      "                          \"the client's Certificate",
      [unit("test_mtls_hostile13")], "certificate_request_context"),
    # ---- TLS 1.2 resumption (RFC 5246 7.3/7.4.1.3, RFC 5077, RFC 7627 5.3, RFC 6066 3)
    M("resume12-server-ems-dropped-resumes", "src/hs/resume12.c",
      "    if (st->ems && !ch_ems) {\n        *ems_abort = 1;",
      "    if (0 && st->ems && !ch_ems) {\n        *ems_abort = 1;",
      [unit("test_resume12")], "RFC 7627 5.3 (server: EMS session, no EMS now: abort)"),
    # The "no EMS" checks are two in a row (no EMS in the session but in the
    # ClientHello; in neither): the second alone also stops the first's case,
    # so the mutant removes the second, which lets a legacy session resume.
    M("resume12-server-legacy-session-resumes", "src/hs/resume12.c",
      "    if (!st->ems) {\n        /* RFC 7627 5.3: neither has it;",
      "    if (!st->ems && ch_ems) {\n        /* RFC 7627 5.3: neither has it;",
      [unit("test_resume12")], "RFC 7627 5.3 (server: a session without EMS is not resumed)"),
    M("resume12-client-ems-unchecked", "src/hs/resume12.c",
      "    if (sh_ems != s->ems) {",
      "    if (0 && sh_ems != s->ems) {",
      [unit("test_resume12"), hostile("resumption: a resuming ServerHello without extended_master_secret")],
      "RFC 7627 5.3 (client)"),
    M("resume12-client-suite-unchecked", "src/hs/resume12.c",
      "    if (sh->cipher_suite != s->suite) {",
      "    if (0 && sh->cipher_suite != s->suite) {",
      [unit("test_resume12"), hostile("resumption: a resuming ServerHello with another cipher suite")],
      "RFC 5246 7.4.1.3 (client: the session's suite)"),
    M("resume12-server-policy-suite-unchecked", "src/hs/resume12.c",
      "    if (suite == NULL || suite->version != LT_TLS1_2 || !lt_hs_policy_has_suite(p, st->suite) ||\n"
      "        !lt_u16_list_has(ch->suites, st->suite)) {",
      "    if (suite == NULL || suite->version != LT_TLS1_2 || ((void)p, 0) ||\n"
      "        !lt_u16_list_has(ch->suites, st->suite)) {",
      [unit("test_resume12")], "RFC 5246 7.4.1.3 (server: a suite we no longer have)"),
    M("resume12-server-offered-suite-unchecked", "src/hs/resume12.c",
      "    if (suite == NULL || suite->version != LT_TLS1_2 || !lt_hs_policy_has_suite(p, st->suite) ||\n"
      "        !lt_u16_list_has(ch->suites, st->suite)) {",
      "    if (suite == NULL || suite->version != LT_TLS1_2 || !lt_hs_policy_has_suite(p, st->suite)) {",
      [hostile("resumption: an EMS client offers its session without the session's suite")],
      "RFC 5246 7.4.1.2 (server: the client must offer the session's suite)"),
    M("resume12-server-sni-unchecked", "src/hs/resume12.c",
      "    if (strcmp(st->sni, (ch->ext_seen & LT_SEEN_SNI) ? ch->sni : \"\") != 0) {",
      "    if (0 && strcmp(st->sni, (ch->ext_seen & LT_SEEN_SNI) ? ch->sni : \"\") != 0) {",
      [hostile("resumption: an EMS client offers its session with another server_name")],
      "RFC 6066 3 (server: another name, no resumption)"),
    M("resume12-client-auth-not-required", "src/hs/clientauth.c",
      "    return hs->env.policy->client_auth != LT_CLIENT_AUTH_REQUIRE || st->client_auth;",
      "    return 1 || hs->env.policy->client_auth != LT_CLIENT_AUTH_REQUIRE || st->client_auth;",
      [unit("test_mtls")], "REQUIRE on resumption"),
    M("session-cache-unbounded", "src/hs/session_cache.c",
      "    while (c->count >= c->max_entries && c->oldest != NULL) {",
      "    while (0 && c->count >= c->max_entries && c->oldest != NULL) {",
      [unit("test_session_cache")], "the session cache's bound"),
    # ---- ALPN (RFC 7301 3.1/3.2)
    M("alpn-answer-not-ours", "src/hs/alpn.c",
      "    if (!lt_alpn_list_has(lt_rd_init(p->alpn, p->alpn_len), name.p, lt_rd_left(&name))) {",
      "    if (0 && !lt_alpn_list_has(lt_rd_init(p->alpn, p->alpn_len), name.p, lt_rd_left(&name))) {",
      [hostile("alpn: client --alpn h2: a ServerHello choosing a name we did not offer")],
      "ALPN (client: the answer is one we offered)"),
    M("alpn-no-overlap-accepted", "src/hs/alpn.c",
      "    return lt_hs_fail(hs, LT_ERR_NO_APPLICATION_PROTOCOL,",
      "    return LT_OK;\n    return lt_hs_fail(hs, LT_ERR_NO_APPLICATION_PROTOCOL,",
      [hostile("alpn --alpn h2,http/1.1: no name in common")], "ALPN (server: no_application_protocol)"),
]


def run(cmd, log, timeout, env=None, cwd=ROOT):
    with open(log, "ab") as f:
        f.write(("$ %s\n" % " ".join(cmd)).encode())
        f.flush()
        try:
            p = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, timeout=timeout, env=env, cwd=cwd,
                               start_new_session=True)
            return p.returncode
        except subprocess.TimeoutExpired:
            f.write(b"\n(timed out)\n")
            return 124


class Driver:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build)
        self.ct_build = self.build + "-ct"
        self.logs = os.path.join(self.build, "mutant-logs")
        os.makedirs(self.logs, exist_ok=True)
        self.ct_configured = False

    def configure(self):
        log = os.path.join(self.logs, "configure.log")
        if run(["cmake", "-S", ROOT, "-B", self.build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], log, 300) != 0:
            sys.exit("mutants: configure failed (%s)" % log)

    def targets(self, tests):
        t = set()
        for kind, what in tests:
            if kind == "unit":
                t.add(what)
            elif kind == "hostile":
                t.add("lucidtls_cli")
        return sorted(t)

    def build_for(self, tests, log):
        ok = True
        t = self.targets(tests)
        if t:
            ok = run(["cmake", "--build", self.build, "-j", str(self.args.jobs), "--target"] + t, log, 900) == 0
        if ok and any(k == "ct" for k, _ in tests):
            if not self.ct_configured:
                if run(["cmake", "-S", ROOT, "-B", self.ct_build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                        "-DLT_CONSTANT_FLOW=ON"], log, 300) != 0:
                    return False
                self.ct_configured = True
            progs = [w for k, w in tests if k == "ct"]
            ok = run(["cmake", "--build", self.ct_build, "-j", str(self.args.jobs), "--target"] + progs, log,
                     900) == 0
        return ok

    def run_test(self, test, log):
        kind, what = test
        if kind == "unit":
            return run([os.path.join(self.build, "tests", what)], log, 300) == 0
        if kind == "hostile":
            env = dict(os.environ, LT_HOSTILE_SLOW="1")
            return run(["bash", os.path.join(ROOT, "tests/hostile/run.sh"), self.build, "--only", what], log, 300,
                       env=env) == 0
        if kind == "ct":
            cmd = ["valgrind", "--error-exitcode=99", "-q",
                   "--suppressions=" + os.path.join(ROOT, "tests/ct/openssl.supp"), "./" + what]
            return run(cmd, log, 300, cwd=os.path.join(self.ct_build, "ct")) == 0
        raise ValueError(kind)

    def baseline(self, mutants):
        """Every test command a mutant relies on passes on the real tree."""
        tests = sorted({t for m in mutants for t in m.tests})
        log = os.path.join(self.logs, "baseline.log")
        if os.path.exists(log):
            os.remove(log)
        if not self.build_for(tests, log):
            print("FAIL: baseline build (%s)" % log, flush=True)
            return False
        good = True
        for t in tests:
            if not self.run_test(t, log):
                print("FAIL: baseline: %s %s fails on the unmutated tree (%s)" % (t[0], t[1], log), flush=True)
                good = False
        return good


def apply(m):
    path = os.path.join(ROOT, m.path)
    with open(path) as f:
        text = f.read()
    n = text.count(m.old)
    if n != 1:
        return None, "the text to replace occurs %d times in %s (update the mutant)" % (n, m.path)
    with open(path, "w") as f:
        f.write(text.replace(m.old, m.new, 1))
    return text, None


def restore(m, text):
    with open(os.path.join(ROOT, m.path), "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("LT_MUTANTS_BUILD", os.path.join(ROOT, "build-mutants")))
    ap.add_argument("--only", default=None)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS", os.cpu_count() or 2)))
    args = ap.parse_args()
    mutants = [m for m in MUTANTS if args.only is None or re.search(args.only, m.name)]
    if args.list:
        for m in mutants:
            print("%-40s %-28s %s" % (m.name, m.covers, m.path))
        return 0
    if not mutants:
        sys.exit("mutants: none match")

    d = Driver(args)
    d.configure()
    t0 = time.monotonic()
    if not d.baseline(mutants):
        print("0 passed, 1 failed")
        return 1

    # A signal must not leave a mutant in the tree.
    current = {}

    def on_signal(signum, frame):
        for m, text in current.items():
            restore(m, text)
        sys.exit(130)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    killed, survived = 0, []
    for m in mutants:
        log = os.path.join(d.logs, m.name + ".log")
        if os.path.exists(log):
            os.remove(log)
        t = time.monotonic()
        text, why = apply(m)
        if text is None:
            print("FAIL: %s: %s" % (m.name, why), flush=True)
            survived.append(m.name)
            continue
        current[m] = text
        try:
            if not d.build_for(m.tests, log):
                verdict = "did not build (%s)" % log
                ok = False
            else:
                # The first test that catches it is enough.
                caught = next(([tt] for tt in m.tests if not d.run_test(tt, log)), [])
                ok = bool(caught)
                verdict = ("killed by %s" % ", ".join("%s %s" % c for c in caught)) if ok else \
                    "SURVIVED every test: %s (%s)" % (", ".join("%s %s" % c for c in m.tests), log)
        finally:
            restore(m, text)
            del current[m]
        print("%s: %s [%s] %s (%.0f s)" % ("PASS" if ok else "FAIL", m.name, m.covers, verdict,
                                          time.monotonic() - t), flush=True)
        if ok:
            killed += 1
        else:
            survived.append(m.name)

    # Leave the build matching the real tree.
    d.build_for(sorted({t for m in mutants for t in m.tests}), os.path.join(d.logs, "final.log"))
    print("== mutants: %d killed, %d survived or unchecked, %.0f s" % (killed, len(survived),
                                                                        time.monotonic() - t0))
    print("%d passed, %d failed" % (killed, len(survived)))
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
