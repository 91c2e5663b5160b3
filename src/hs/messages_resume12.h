/*
 * The TLS 1.2 NewSessionTicket message (RFC 5077 3.3), the one message TLS
 * 1.2 resumption adds. Parsed and written through lt_rd / lt_wr only.
 */
#ifndef LT_HS_MESSAGES_RESUME12_H
#define LT_HS_MESSAGES_RESUME12_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

/*
 * struct {
 *     uint32 ticket_lifetime_hint;
 *     opaque ticket<0..2^16-1>;
 * } NewSessionTicket;                                RFC 5077 3.3
 * An empty ticket is legal: the server has none to give after all.
 * Anything short, long or trailing is LT_ERR_DECODE.
 */
typedef struct lt_new_session_ticket12 {
    uint32_t lifetime_hint; /* seconds; 0: unspecified */
    lt_rd ticket;
} lt_new_session_ticket12;

LT_MUST_USE int lt_parse_new_session_ticket12(const uint8_t *body, size_t len, lt_new_session_ticket12 *out);
/* The whole message; a ticket over 2^16-1 bytes sets the writer's error. */
void lt_write_new_session_ticket12(lt_wr *w, uint32_t lifetime_hint, const uint8_t *ticket, size_t ticket_len);

#endif
