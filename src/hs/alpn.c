/*
 * ALPN (RFC 7301) in the handshake, both roles and both versions: the
 * server's choice, the client's check of the answer, and their narration.
 * The codec is messages_alpn.c; where the extension goes is the hello
 * writers' business (ServerHello in TLS 1.2, EncryptedExtensions in 1.3).
 */
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "hs/hs_int.h"
#include "hs/messages_alpn.h"

static void keep_choice(lt_hs *hs, const uint8_t *name, size_t len)
{
    memcpy(hs->session.alpn, name, len);
    hs->session.alpn[len] = '\0';
    hs->session.alpn_len = len;
}

static void narrate_choice(lt_hs *hs, const char *offered, const char *ours, const char *chosen, const char *why)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    lt_field f[3] = {lt_fld_text("offered", offered), lt_fld_text("ours", ours), lt_fld_text("chosen", chosen)};
    LT_HS_TRACE(hs, LT_EV_CHOICE, "application_protocol", "RFC 7301 3.2", why, f, 3);
}

/* RFC 7301 3.2: the server picks by its own preference, among the names
 * the client offers. */
int lt_hs_server_choose_alpn(lt_hs *hs, const lt_client_hello *ch)
{
    const lt_hs_policy *p = hs->env.policy;
    if (!(ch->ext_seen & LT_SEEN_ALPN)) {
        return LT_OK;
    }
    char offered[512], ours[512];
    lt_alpn_list_text(ch->alpn, offered, sizeof offered);
    if (p->alpn_len == 0) {
        /* We speak no protocol by name: the extension is not ours to
         * answer (RFC 7301 3.1 lets a server ignore it). */
        narrate_choice(hs, offered, "(none)", "(none)",
                       "the client offers application protocols; we have no list, so we answer none");
        return LT_OK;
    }
    lt_alpn_list_text(lt_rd_init(p->alpn, p->alpn_len), ours, sizeof ours);
    lt_rd mine = lt_rd_init(p->alpn, p->alpn_len), name;
    while (lt_alpn_next(&mine, &name)) {
        if (lt_alpn_list_has(ch->alpn, name.p, lt_rd_left(&name))) {
            keep_choice(hs, name.p, lt_rd_left(&name));
            narrate_choice(hs, offered, ours, hs->session.alpn,
                           "our most preferred protocol that the client offers (the server's choice)");
            return LT_OK;
        }
    }
    /* RFC 7301 3.2: "In the event that the server supports no protocols
     * that the client advertises, then the server SHALL respond with a
     * fatal 'no_application_protocol' alert." */
    narrate_choice(hs, offered, ours, "(none)", "no protocol in common: the handshake fails (no_application_protocol)");
    return lt_hs_fail(hs, LT_ERR_NO_APPLICATION_PROTOCOL, "the client offers ALPN %s; we speak only %s", offered, ours);
}

/* The server's answer (its ServerHello in TLS 1.2, EncryptedExtensions in
 * 1.3): one name, and one of ours. That it came only after our offer is
 * checked with the other extensions (unsupported_extension otherwise). */
int lt_hs_client_take_alpn(lt_hs *hs, lt_rd name, const char *where)
{
    const lt_hs_policy *p = hs->env.policy;
    char ours[512], shown[300];
    lt_alpn_list_text(lt_rd_init(p->alpn, p->alpn_len), ours, sizeof ours);
    lt_escape_peer_text(shown, sizeof shown, name.p, lt_rd_left(&name));
    /* RFC 7301 3.1: the server's protocol must be one "that was advertised
     * by the client"; a bad value is illegal_parameter. */
    if (!lt_alpn_list_has(lt_rd_init(p->alpn, p->alpn_len), name.p, lt_rd_left(&name))) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "%s chose application protocol \"%s\", which we did not offer (%s)", where, shown, ours);
    }
    keep_choice(hs, name.p, lt_rd_left(&name));
    narrate_choice(hs, ours, "(the server's choice)", shown, "the server chose one of the protocols we offered");
    return LT_OK;
}
