/*
 * Handshake message handlers, one per row of the transition table in
 * machine.c. Each takes the message body, checks and applies it, may queue
 * our next flight, and returns the next state (>= 0) or a negative error
 * (after lt_conn_fail has recorded a precise detail).
 */
#ifndef LT_HS_HANDLERS_H
#define LT_HS_HANDLERS_H

#include "conn/conn.h"

typedef int (*lt_handler)(lt_conn *c, const uint8_t *body, size_t len);

/* client12.c */
int lt_client_send_hello(lt_conn *c);
int lt_client_on_server_hello(lt_conn *c, const uint8_t *body, size_t len);
int lt_client_on_certificate(lt_conn *c, const uint8_t *body, size_t len);
int lt_client_on_certificate_request(lt_conn *c, const uint8_t *body, size_t len);
int lt_client_on_server_hello_done(lt_conn *c, const uint8_t *body, size_t len);
int lt_client_on_ccs(lt_conn *c, const uint8_t *body, size_t len);
int lt_client_on_finished(lt_conn *c, const uint8_t *body, size_t len);
int lt_client_on_hello_request(lt_conn *c, const uint8_t *body, size_t len);

/* server12.c */
int lt_server_on_client_hello(lt_conn *c, const uint8_t *body, size_t len);
int lt_server_on_client_key_exchange(lt_conn *c, const uint8_t *body, size_t len);
int lt_server_on_ccs(lt_conn *c, const uint8_t *body, size_t len);
int lt_server_on_finished(lt_conn *c, const uint8_t *body, size_t len);
int lt_server_on_renegotiation(lt_conn *c, const uint8_t *body, size_t len);

/* common12.c: steps both roles share. */
/* Build a message in the handshake scratch buffer: returns a writer. */
LT_MUST_USE int lt_hs_scratch(lt_conn *c, size_t need, lt_wr *w);
/* Add a built message to the transcript, trace it, and queue it as records. */
LT_MUST_USE int lt_hs_send(lt_conn *c, const uint8_t *msg, size_t len, const lt_field *fields, size_t n_fields);
/* Master secret + key block from the pre-master secret, with narration;
 * leaves pending cipher states for both directions. */
LT_MUST_USE int lt_hs_derive_keys(lt_conn *c, uint8_t pms[48]);
/* Send ChangeCipherSpec and switch our write direction to the new keys. */
LT_MUST_USE int lt_hs_send_ccs(lt_conn *c);
/* The peer's ChangeCipherSpec: switch the read direction. */
LT_MUST_USE int lt_hs_recv_ccs(lt_conn *c);
/* Compute our Finished and send it. */
LT_MUST_USE int lt_hs_send_finished(lt_conn *c);
/* Check the peer's Finished (constant-time compare); adds it to the transcript. */
LT_MUST_USE int lt_hs_check_finished(lt_conn *c, const uint8_t *body, size_t len);
/* Names for the trace. */
void lt_hs_suite_list_text(lt_rd suites, char *out, size_t cap);
void lt_hs_version_text(uint16_t v, char *out, size_t cap);
/* "server_name, extended_master_secret, ..." from LT_SEEN_* bits. */
void lt_hs_ext_list_text(uint32_t seen, char *out, size_t cap);

#endif
