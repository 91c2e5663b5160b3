/*
 * lucidtls demo PKI: a throwaway CA and certificates made in memory, for
 * examples, tests and the narrated demo. Not for production: the CA key is
 * discarded once the certificates are signed. It lives in the library (the
 * certificates are made with libcrypto), but apart from the API that real
 * programs use.
 */
#ifndef LUCIDTLS_DEMO_H
#define LUCIDTLS_DEMO_H

#include "lucidtls/lucidtls.h"

#ifdef __cplusplus
extern "C" {
#endif

#pragma GCC visibility push(default)

typedef struct lt_demo_pki {
    char *ca_pem;           /* the CA certificate */
    char *chain_pem;        /* server certificate, then the CA certificate */
    char *key_pem;          /* the server's RSA private key */
    char *client_chain_pem; /* a client certificate (EKU clientAuth, CN "lucidtls demo client"), then the CA */
    char *client_key_pem;   /* its RSA private key */
} lt_demo_pki;

/* Makes an RSA-2048 CA, a server certificate for `hostname` (as a DNS SAN;
 * IP SANs for 127.0.0.1 and ::1 are added too) and a client certificate,
 * valid from now for one day. */
int lt_demo_pki_make(lt_demo_pki *pki, const char *hostname);
void lt_demo_pki_free(lt_demo_pki *pki);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
