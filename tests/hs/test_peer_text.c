/*
 * Peer-controlled text never reaches the trace, an error detail or the API
 * raw: the review's SNI (ESC sequences, CR/LF, a forged log line) is
 * refused with illegal_parameter, and everything the server said about it
 * is printable ASCII.
 */
#include <string.h>

#include "conn/conn.h"
#include "hs/hs_int.h"
#include "pair.h"
#include "test.h"

static int printable(const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
            return 0;
        }
    }
    return 1;
}

typedef struct text_watch {
    int fields;
    int unprintable;
    int saw_server_name;
} text_watch;

static void watch_text(void *arg, const lt_conn *c, const lt_event *ev)
{
    text_watch *w = arg;
    w->unprintable += !printable(ev->what) + !printable(ev->detail);
    for (size_t i = 0; i < ev->nfields; i++) {
        w->fields++;
        w->unprintable += !printable(ev->fields[i].text);
        if (strcmp(ev->fields[i].name, "server_name") == 0 && ev->fields[i].text != NULL &&
            strstr(ev->fields[i].text, "\\x1b[31m") != NULL) {
            w->saw_server_name = 1;
        }
    }
}

static void test_hostile_sni_is_refused_and_never_printed_raw(void)
{
    lt_pair p;
    text_watch w = {0, 0, 0};
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    lt_config_set_trace(p.scfg, watch_text, &w, 0);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    /* White box: lt_conn_set_hostname refuses this name (next test), so put
     * it where the ClientHello writer takes it from, as a raw peer would. */
    static const char evil[] = "a\x1b[31m\r\nclient 127.0.0.1:1: forged";
    memcpy(p.client->hs->hostname, evil, sizeof evil);
    EXPECT(pair_handshake(&p) != LT_OK);
    const char *detail;
    EXPECT_EQ(lt_conn_error(p.server, &detail), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(lt_conn_alert_sent(p.server), 47);
    EXPECT(printable(detail));
    EXPECT(strstr(detail, "is not a DNS host name") != NULL);
    EXPECT(strstr(detail, "\\x0d\\x0a") != NULL);
    EXPECT(w.fields > 0);
    EXPECT_EQ(w.unprintable, 0);
    EXPECT(w.saw_server_name);
    EXPECT(lt_conn_server_name(p.server) == NULL);
    pair_free(&p);
}

static void test_set_hostname_refuses_what_it_could_not_send(void)
{
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    lt_conn *c = lt_conn_new(cfg);
    EXPECT_EQ(lt_conn_set_hostname(c, "a\x1b[31m"), LT_ERR_USAGE);
    EXPECT_EQ(lt_conn_set_hostname(c, "a b"), LT_ERR_USAGE);
    EXPECT_EQ(lt_conn_set_hostname(c, "a\r\nb"), LT_ERR_USAGE);
    EXPECT_EQ(lt_conn_set_hostname(c, "example.com.."), LT_ERR_USAGE);
    EXPECT_EQ(lt_conn_set_hostname(c, "example.com."), LT_OK);
    EXPECT(strcmp(lt_conn_server_name(c), "example.com") == 0);
    EXPECT_EQ(lt_conn_set_hostname(c, "::1"), LT_OK);
    EXPECT(lt_conn_server_name(c) == NULL); /* an IP is never sent as SNI */
    EXPECT_EQ(lt_conn_set_hostname(c, "127.0.0.1"), LT_OK);
    EXPECT_EQ(lt_conn_set_hostname(c, "localhost"), LT_OK);
    EXPECT(strcmp(lt_conn_server_name(c), "localhost") == 0);
    lt_conn_free(c);
    lt_config_free(cfg);
}

int main(void)
{
    LT_RUN(test_hostile_sni_is_refused_and_never_printed_raw);
    LT_RUN(test_set_hostname_refuses_what_it_could_not_send);
    return lt_test_summary();
}
