/* The TLS 1.2 NewSessionTicket (messages_resume12.h). */
#include <string.h>

#include "hs/messages.h"
#include "hs/messages_resume12.h"

int lt_parse_new_session_ticket12(const uint8_t *body, size_t len, lt_new_session_ticket12 *out)
{
    memset(out, 0, sizeof *out);
    lt_rd r = lt_rd_init(body, len);
    LT_GUARD(lt_rd_u32(&r, &out->lifetime_hint));
    LT_GUARD(lt_rd_vec(&r, 2, 0, 0xFFFF, &out->ticket));
    return lt_rd_done(&r);
}

void lt_write_new_session_ticket12(lt_wr *w, uint32_t lifetime_hint, const uint8_t *ticket, size_t ticket_len)
{
    if (ticket_len > 0xFFFF || (ticket_len > 0 && ticket == NULL)) {
        if (w->err == LT_OK) {
            w->err = LT_ERR_INTERNAL;
        }
        return;
    }
    size_t msg = lt_hs_begin(w, LT_HS_NEW_SESSION_TICKET);
    lt_wr_u32(w, lifetime_hint);
    size_t t = lt_wr_open_vec(w, 2);
    lt_wr_bytes(w, ticket, ticket_len);
    lt_wr_close_vec(w, t, 2);
    lt_hs_end(w, msg);
}
