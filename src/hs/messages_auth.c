/* The mutual TLS codec: CertificateRequest writers, CA name walk. */
#include "hs/messages_auth.h"

#include "hs/codec.h"
#include "hs/messages.h"

static void write_u16s(lt_wr *w, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lt_wr_u16(w, v[i]);
    }
}

void lt_write_certificate_request12(lt_wr *w, const uint8_t *types, size_t n_types, const uint16_t *sigalgs,
                                    size_t n_sigalgs, const uint8_t *names, size_t names_len)
{
    size_t msg = lt_hs_begin(w, LT_HS_CERTIFICATE_REQUEST);
    size_t v = lt_wr_open_vec(w, 1);
    lt_wr_bytes(w, types, n_types);
    lt_wr_close_vec(w, v, 1);
    v = lt_wr_open_vec(w, 2);
    write_u16s(w, sigalgs, n_sigalgs);
    lt_wr_close_vec(w, v, 2);
    v = lt_wr_open_vec(w, 2);
    lt_wr_bytes(w, names, names_len);
    lt_wr_close_vec(w, v, 2); /* over 2^16-1 bytes sets the error */
    lt_hs_end(w, msg);
}

void lt_write_certificate_request13(lt_wr *w, const uint16_t *sigalgs, size_t n_sigalgs, const uint8_t *names,
                                    size_t names_len)
{
    size_t msg = lt_hs_begin(w, LT_HS_CERTIFICATE_REQUEST);
    lt_wr_u8(w, 0); /* certificate_request_context: empty in the handshake (4.3.2) */
    size_t exts = lt_wr_open_vec(w, 2);
    size_t e = lt_codec_ext_begin(w, LT_EXT_SIGNATURE_ALGORITHMS);
    size_t v = lt_wr_open_vec(w, 2);
    write_u16s(w, sigalgs, n_sigalgs);
    lt_wr_close_vec(w, v, 2);
    lt_wr_close_vec(w, e, 2);
    if (names_len > 0) {
        /* 4.2.4: DistinguishedName authorities<3..2^16-1>. */
        e = lt_codec_ext_begin(w, LT_EXT_CERTIFICATE_AUTHORITIES);
        v = lt_wr_open_vec(w, 2);
        lt_wr_bytes(w, names, names_len);
        lt_wr_close_vec(w, v, 2);
        lt_wr_close_vec(w, e, 2);
    }
    lt_wr_close_vec(w, exts, 2);
    lt_hs_end(w, msg);
}

int lt_next_authority(lt_rd *list, lt_rd *dn)
{
    if (lt_rd_left(list) == 0) {
        return 0;
    }
    /* opaque DistinguishedName<1..2^16-1>; */
    LT_GUARD(lt_rd_vec(list, 2, 1, 0xFFFF, dn));
    return 1;
}
