/*
 * The application's hooks into the engine: the server's ClientHello hook
 * (lt_config_set_client_hello_callback), the switch to another policy it
 * may ask for (lt_conn_set_config), and the signature schemes we accept
 * from the peer (lt_config_set_sigalgs).
 */
#include <string.h>

#include "base/text.h"
#include "hs/hs_int.h"

int lt_hs_run_client_hello_hook(lt_hs *hs, const lt_client_hello *ch)
{
    const lt_hs_policy *p = hs->env.policy;
    /* Once per handshake: ClientHello2 after our HelloRetryRequest must
     * repeat the first (RFC 8446 4.1.2), and the choice was made on it. */
    if (p->client_hello_cb == NULL || (hs->shape & LT_SHAPE_HRR)) {
        return LT_OK;
    }
    /* The hook sees only a valid host name (the ClientHello checks fail an
     * invalid one right after, RFC 6066 3). */
    int sni_ok = (ch->ext_seen & LT_SEEN_SNI) && ch->sni[0] != '\0' && lt_is_dns_hostname(ch->sni, strlen(ch->sni));
    int has_sigalgs = (ch->ext_seen & LT_SEEN_SIGALGS) != 0;
    int has_alpn = (ch->ext_seen & LT_SEEN_ALPN) != 0;
    lt_client_hello_info info = {
        .server_name = sni_ok ? ch->sni : NULL,
        .suites = ch->suites.p,
        .suites_len = lt_rd_left(&ch->suites),
        .sigalgs = has_sigalgs ? ch->sigalgs_all.p : NULL,
        .sigalgs_len = has_sigalgs ? lt_rd_left(&ch->sigalgs_all) : 0,
        .alpn = has_alpn ? ch->alpn.p : NULL,
        .alpn_len = has_alpn ? lt_rd_left(&ch->alpn) : 0,
        .max_version = lt_client_hello_max_version(ch),
    };
    lt_client_hello_fn fn = p->client_hello_cb;
    void *arg = p->client_hello_arg;
    hs->in_client_hello_hook = 1;
    int verdict = fn(arg, hs->env.app_conn, &info);
    hs->in_client_hello_hook = 0;
    if (verdict == 0) {
        if (hs->env.policy != p) {
            LT_HS_TRACE(hs, LT_EV_CHOICE, "config", NULL,
                        "the application's ClientHello hook picked another config for this connection (virtual "
                        "hosting): its certificates and settings decide from here on",
                        NULL, 0);
        }
        return LT_OK;
    }
    /* A refusal: LT_ERR_REJECTED with the hook's alert (conn sends it, not
     * the table's). A value outside 1..255 is no alert: handshake_failure. */
    return lt_hs_reject(hs, verdict, "the ClientHello hook refused the handshake (alert %s)",
                        verdict > 0 && verdict <= 255 ? lt_alert_name((uint8_t)verdict) : "handshake_failure");
}

int lt_hs_in_client_hello_hook(const lt_hs *hs)
{
    return hs->in_client_hello_hook;
}

void lt_hs_set_policy(lt_hs *hs, const lt_hs_policy *policy, const lt_trust *trust)
{
    hs->env.policy = policy;
    hs->env.trust = trust;
}

const uint16_t *lt_hs_accepted_sigalgs(const lt_hs_policy *p, size_t *n)
{
    if (p->n_sigalgs > 0) {
        *n = p->n_sigalgs;
        return p->sigalgs;
    }
    *n = LT_N_CLIENT_SIGALGS;
    return LT_CLIENT_SIGALGS;
}

int lt_hs_accepts_sigalg(const lt_hs_policy *p, uint16_t scheme)
{
    size_t n = 0;
    const uint16_t *list = lt_hs_accepted_sigalgs(p, &n);
    for (size_t i = 0; i < n; i++) {
        if (list[i] == scheme) {
            return 1;
        }
    }
    return 0;
}

int lt_hs_sigalg_implemented(uint16_t scheme)
{
    for (size_t i = 0; i < LT_N_CLIENT_SIGALGS; i++) {
        if (LT_CLIENT_SIGALGS[i] == scheme) {
            return 1;
        }
    }
    return 0;
}
