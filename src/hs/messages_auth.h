/*
 * The codec of mutual TLS: the CertificateRequest a server writes (TLS 1.2
 * and 1.3), and the walk over a CertificateRequest's CA names. The parsers
 * are in messages.c (TLS 1.2) and messages13.c (TLS 1.3); CertificateVerify
 * has the same body in both versions (messages13.h).
 */
#ifndef LT_HS_MESSAGES_AUTH_H
#define LT_HS_MESSAGES_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

/* ClientCertificateType (RFC 5246 7.4.4, RFC 8422 5.5). */
#define LT_CERT_TYPE_RSA_SIGN 1
#define LT_CERT_TYPE_ECDSA_SIGN 64

/* RFC 5246 7.4.4:
 *   struct {
 *       ClientCertificateType certificate_types<1..2^8-1>;
 *       SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>;
 *       DistinguishedName certificate_authorities<0..2^16-1>;
 *   } CertificateRequest;
 * names: the DistinguishedName list body (each a 2-byte length, then DER). */
void lt_write_certificate_request12(lt_wr *w, const uint8_t *types, size_t n_types, const uint16_t *sigalgs,
                                    size_t n_sigalgs, const uint8_t *names, size_t names_len);
/* RFC 8446 4.3.2, with an empty certificate_request_context (a request in
 * the handshake), signature_algorithms, and certificate_authorities (4.2.4)
 * when names_len > 0. */
void lt_write_certificate_request13(lt_wr *w, const uint16_t *sigalgs, size_t n_sigalgs, const uint8_t *names,
                                    size_t names_len);
/* The next DistinguishedName of a list body the parsers framed: 1 with
 * *dn set, 0 at the end, LT_ERR_DECODE for a broken entry. */
LT_MUST_USE int lt_next_authority(lt_rd *list, lt_rd *dn);

#endif
