/*
 * src/base/text.c: the one escaping function for peer-supplied text, and
 * the RFC 6066 3 host name check.
 */
#include <string.h>

#include "base/text.h"
#include "test.h"

static void expect_escaped(const char *in, size_t len, size_t cap, const char *want)
{
    char out[128];
    EXPECT(cap <= sizeof out);
    memset(out, 'Z', sizeof out);
    lt_escape_peer_text(out, cap, in, len);
    EXPECT(strcmp(out, want) == 0);
    if (strcmp(out, want) != 0) {
        fprintf(stderr, "    got \"%s\", want \"%s\"\n", out, want);
    }
    EXPECT(strlen(out) < cap);
}

static void test_escape_keeps_plain_text(void)
{
    expect_escaped("www.example.com", 15, 64, "www.example.com");
    expect_escaped("", 0, 8, "");
}

static void test_escape_control_and_high_bytes(void)
{
    /* The review's SNI: ESC sequences, CR/LF and a forged log line. */
    const char evil[] = "a\x1b[31mb\r\nclient 127.0.0.1:1: ok";
    expect_escaped(evil, sizeof evil - 1, 128, "a\\x1b[31mb\\x0d\\x0aclient 127.0.0.1:1: ok");
    expect_escaped("\\", 1, 8, "\\x5c"); /* so an escape cannot be faked */
    expect_escaped("\x7f\x80\xff", 3, 16, "\\x7f\\x80\\xff");
    expect_escaped("a\0b", 3, 16, "a\\x00b");
}

static void test_escape_truncates_with_an_ellipsis(void)
{
    expect_escaped("abcdefghij", 10, 11, "abcdefghij");
    expect_escaped("abcdefghij", 10, 10, "abcdef...");
    expect_escaped("ab\ncdefgh", 9, 8, "ab...");
    expect_escaped("\n\n\n\n", 4, 9, "\\x0a...");
    expect_escaped("abcdef", 6, 3, "");
    char one[1] = {'x'};
    lt_escape_peer_text(one, 1, "abc", 3);
    EXPECT_EQ(one[0], '\0');
}

static int dns(const char *s)
{
    return lt_is_dns_hostname(s, strlen(s));
}

static void test_dns_hostname_valid(void)
{
    EXPECT(dns("localhost"));
    EXPECT(dns("www.example.com"));
    EXPECT(dns("a"));
    EXPECT(dns("xn--bcher-kva.example"));
    EXPECT(dns("_dmarc.example.com")); /* underscores appear in real names */
    EXPECT(dns("EXAMPLE.COM"));
    EXPECT(dns("1.2.3.4.example"));
    EXPECT(dns("1.2.3")); /* not a dotted quad */
    char label63[70] = {0}, name253[260] = {0};
    memset(label63, 'a', 63);
    EXPECT(dns(label63));
    for (int i = 0; i < 253; i++) {
        name253[i] = i % 2 ? '.' : 'a';
    }
    EXPECT(dns(name253));
}

static void test_dns_hostname_invalid(void)
{
    EXPECT(!dns(""));
    EXPECT(!dns("example.com.")); /* RFC 6066 3: "without a trailing dot" */
    EXPECT(!dns(".example.com"));
    EXPECT(!dns("a..b"));
    EXPECT(!dns("-a.example"));
    EXPECT(!dns("a-.example"));
    EXPECT(!dns("a b"));
    EXPECT(!dns("a\x1b[31m"));
    EXPECT(!dns("a\r\nb"));
    EXPECT(!dns("caf\xc3\xa9.example")); /* UTF-8: ASCII only (A-labels are fine) */
    EXPECT(!dns("127.0.0.1"));           /* "Literal IPv4 and IPv6 addresses are not permitted" */
    EXPECT(!dns("::1"));
    EXPECT(!dns("[::1]"));
    EXPECT(!lt_is_dns_hostname("a\0b", 3));
    char label64[70] = {0}, name254[260] = {0};
    memset(label64, 'a', 64);
    EXPECT(!dns(label64));
    for (int i = 0; i < 254; i++) {
        name254[i] = i % 2 ? '.' : 'a';
    }
    name254[253] = 'a';
    EXPECT(!dns(name254));
}

int main(void)
{
    LT_RUN(test_escape_keeps_plain_text);
    LT_RUN(test_escape_control_and_high_bytes);
    LT_RUN(test_escape_truncates_with_an_ellipsis);
    LT_RUN(test_dns_hostname_valid);
    LT_RUN(test_dns_hostname_invalid);
    return lt_test_summary();
}
