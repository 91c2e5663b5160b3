/*
 * A socket error ends the connection for good (src/io/fd.c io_error): the
 * error is the connection's sticky one, with the failing call in its
 * detail, and every later call reports the same. Before, the next call
 * tried the socket again and the core still looked alive.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lucidtls/lucidtls_fd.h"
#include "test.h"

static void test_send_failure_is_sticky(void)
{
    int sv[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    close(sv[1]); /* the peer is gone: send fails with EPIPE */
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    lt_config_dangerous_disable_hostname_check(cfg);
    lt_conn *c = lt_conn_new(cfg);
    EXPECT_EQ(lt_fd_handshake(c, sv[0]), LT_ERR_IO);
    const char *detail = NULL;
    EXPECT_EQ(lt_conn_error(c, &detail), LT_ERR_IO);
    EXPECT(strstr(detail, "send failed") != NULL);
    EXPECT_EQ(lt_conn_alert_sent(c), -1); /* no one to send an alert to */
    /* Every later call reports it, without touching the socket again. */
    EXPECT_EQ(lt_conn_handshake(c), LT_ERR_IO);
    EXPECT_EQ(lt_fd_handshake(c, sv[0]), LT_ERR_IO);
    lt_conn_free(c);
    lt_config_free(cfg);
    close(sv[0]);
}

int main(void)
{
    LT_RUN(test_send_failure_is_sticky);
    return lt_test_summary();
}
