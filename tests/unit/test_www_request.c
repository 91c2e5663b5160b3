/*
 * tools/www_request.c: what a `lucidtls server --www` request asks for. The
 * head is the client's bytes: every case hands over an exact-size heap copy,
 * so ASan catches a read past it, and a NUL inside never ends the parse.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "www_request.h"

static www_kind kind_of(const char *head, size_t len)
{
    char *copy = malloc(len > 0 ? len : 1);
    EXPECT(copy != NULL);
    if (copy == NULL) {
        return WWW_PLAIN;
    }
    memcpy(copy, head, len);
    www_kind k = www_request_kind(copy, len);
    free(copy);
    return k;
}

#define KIND(lit) kind_of((lit), sizeof(lit) - 1)

static void test_browsers_get_the_page(void)
{
    EXPECT_EQ(KIND("GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/html,application/xhtml+xml;q=0.9\r\n\r\n"),
              WWW_HTML);
    /* Header names are case-insensitive (RFC 9110 5.1), and so is our match. */
    EXPECT_EQ(KIND("GET /x?y HTTP/1.1\r\naccept: TEXT/HTML\r\n\r\n"), WWW_HTML);
    EXPECT_EQ(KIND("GET / HTTP/1.0\nAccept:text/html\n\n"), WWW_HTML);
    /* The last header of a head cut at WWW_REQUEST_KEEP: no line end. */
    EXPECT_EQ(KIND("GET / HTTP/1.1\r\nAccept: text/html"), WWW_HTML);
}

static void test_json(void)
{
    EXPECT_EQ(KIND("GET /handshake.json HTTP/1.1\r\nAccept: text/html\r\n\r\n"), WWW_JSON);
    EXPECT_EQ(KIND("GET /handshake.json?x=1 HTTP/1.1\r\n\r\n"), WWW_JSON);
    EXPECT_EQ(KIND("GET /handshake.jsonx HTTP/1.1\r\n\r\n"), WWW_PLAIN);
    EXPECT_EQ(KIND("GET /handshake.js HTTP/1.1\r\n\r\n"), WWW_PLAIN);
    /* No SP after the target: not a request line we take apart. */
    EXPECT_EQ(KIND("GET /handshake.json"), WWW_PLAIN);
}

static void test_everyone_else_gets_the_text(void)
{
    EXPECT_EQ(KIND("GET / HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n"), WWW_PLAIN); /* curl */
    EXPECT_EQ(KIND("GET / HTTP/1.0\r\n\r\n"), WWW_PLAIN);                                   /* s_client */
    EXPECT_EQ(KIND("POST / HTTP/1.1\r\nAccept: text/html\r\n\r\n"), WWW_PLAIN);
    EXPECT_EQ(KIND("get / HTTP/1.1\r\nAccept: text/html\r\n\r\n"), WWW_PLAIN); /* methods are case-sensitive */
    /* text/html in the request line or another header is not an Accept. */
    EXPECT_EQ(KIND("GET /text/html HTTP/1.1\r\nX-Accept: text/html\r\nAccepts: text/html\r\n\r\n"), WWW_PLAIN);
    EXPECT_EQ(KIND("GET / HTTP/1.1\r\nAccept text/html\r\n\r\n"), WWW_PLAIN); /* no colon */
    EXPECT_EQ(KIND("GET / HTTP/1.1\r\nAccept: text/htm"), WWW_PLAIN);         /* cut short */
}

static void test_hostile_heads(void)
{
    EXPECT_EQ(kind_of("", 0), WWW_PLAIN);
    EXPECT_EQ(KIND("GET"), WWW_PLAIN);
    EXPECT_EQ(KIND("GET "), WWW_PLAIN);
    EXPECT_EQ(KIND("\n\n\n\n"), WWW_PLAIN);
    EXPECT_EQ(KIND("GET / HTTP/1.1\n"), WWW_PLAIN);
    EXPECT_EQ(KIND("GET / HTTP/1.1\nAccept:"), WWW_PLAIN);
    /* A NUL does not end the head: the Accept after it still counts. */
    EXPECT_EQ(KIND("GET / HTTP/1.1\r\nX: a\0b\r\nAccept: text/html\r\n\r\n"), WWW_HTML);
    EXPECT_EQ(KIND("GET / HTTP/1.1\r\nAccept: text/\0html\r\n\r\n"), WWW_PLAIN);
    /* The largest head we keep, all one header: found, and in bounded time. */
    char *big = malloc(WWW_REQUEST_KEEP);
    EXPECT(big != NULL);
    if (big != NULL) {
        memset(big, 'a', WWW_REQUEST_KEEP);
        const char pre[] = "GET / HTTP/1.1\r\nAccept: ";
        memcpy(big, pre, sizeof pre - 1);
        memcpy(big + WWW_REQUEST_KEEP - 9, "text/html", 9);
        EXPECT_EQ(kind_of(big, WWW_REQUEST_KEEP), WWW_HTML);
        big[WWW_REQUEST_KEEP - 1] = 'x';
        EXPECT_EQ(kind_of(big, WWW_REQUEST_KEEP), WWW_PLAIN);
        free(big);
    }
}

int main(void)
{
    LT_RUN(test_browsers_get_the_page);
    LT_RUN(test_json);
    LT_RUN(test_everyone_else_gets_the_text);
    LT_RUN(test_hostile_heads);
    return lt_test_summary();
}
