/* lt_suite_get_info: every suite describes itself, consistently with its
 * names, so the narrator never has to guess from a name. */
#include <string.h>

#include "hs/suites.h"
#include "test.h"

static void test_every_suite_describes_itself(void)
{
    EXPECT(lt_suite_count() > 0);
    for (size_t i = 0; i < lt_suite_count(); i++) {
        const lt_suite *s = lt_suite_at(i);
        lt_suite_info info;
        EXPECT_EQ(lt_suite_get_info(s->id, &info), LT_OK);
        EXPECT_EQ(info.id, s->id);
        EXPECT(strcmp(info.iana_name, lt_suite_name(s->id)) == 0);
        /* The parts agree with the IANA name, which spells them out. TLS
         * 1.3 suites (RFC 8446 B.4) name only an AEAD and a hash: their key
         * exchange is always (EC)DHE, chosen by key_share, and the
         * certificate is chosen apart. */
        int tls13 = strncmp(info.iana_name, "TLS_AES_", 8) == 0 || strncmp(info.iana_name, "TLS_CHACHA20_", 13) == 0;
        EXPECT_EQ(info.version, tls13 ? LT_TLS1_3 : LT_TLS1_2);
        EXPECT_EQ(info.forward_secret, tls13 || strncmp(info.iana_name, "TLS_ECDHE_", 10) == 0);
        EXPECT_EQ(info.aead, strstr(info.iana_name, "_GCM_") != NULL || strstr(info.iana_name, "_CHACHA20_") != NULL);
        EXPECT_EQ(strcmp(info.prf_hash, "SHA-384") == 0, strstr(info.iana_name, "SHA384") != NULL);
        if (tls13) {
            EXPECT(strcmp(info.authentication, "any") == 0 && strcmp(info.key_exchange, "any") == 0);
            EXPECT(info.aead);
        } else {
            EXPECT(strstr(info.iana_name, info.authentication) != NULL);
        }
        EXPECT(info.key_bits == 128 || info.key_bits == 256);
    }
}

static void test_unknown_suite_has_no_info(void)
{
    lt_suite_info info;
    EXPECT_EQ(lt_suite_get_info(0x0000, &info), LT_ERR_USAGE);
    EXPECT_EQ(lt_suite_get_info(0x0A0A, &info), LT_ERR_USAGE); /* GREASE */
}

int main(void)
{
    LT_RUN(test_every_suite_describes_itself);
    LT_RUN(test_unknown_suite_has_no_info);
    return lt_test_summary();
}
