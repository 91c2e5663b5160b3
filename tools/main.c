/*
 * build/lucidtls: a TLS 1.2 client and server that can explain their
 * handshakes, and a self-contained demo of the seed's story.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

static void usage(FILE *out)
{
    fprintf(out,
            "lucidtls %s: TLS 1.3 and 1.2 that explain themselves\n"
            "\n"
            "usage:\n"
            "  lucidtls demo [--kx rsa|ecdhe] [--show-secrets]\n"
            "      Bob and Alice run a whole TLS connection in this process, told step by step.\n"
            "  lucidtls server --port P --cert CHAIN.pem --key KEY.pem [--host ADDR] [--www]\n"
            "                  [--ciphers LIST] [--explain] [--show-secrets]\n"
            "                  [--handshake-timeout S] [--idle-timeout S] [--max-conns N]\n"
            "                  [--tls1_2 | --tls1_3] [--groups LIST] [--key-update] [--ticket-keys FILE]\n"
            "                  [--verify-client | --require-client-cert] [--client-cafile CA.pem]\n"
            "      Serve many clients at once: echo their data, or answer HTTP with --www.\n"
            "      A client is dropped if its handshake is not done within S seconds\n"
            "      (default 10) or it moves no data for S seconds (default 60). Beyond N\n"
            "      live clients (default 1024) new ones wait in the listen backlog.\n"
            "      SIGINT or SIGTERM: close the listener and exit 0.\n"
            "  lucidtls client HOST:PORT|[IPv6]:PORT|https://HOST[:PORT]/PATH [--cafile F] [--capath DIR]\n"
            "                  [--servername NAME]\n"
            "                  [--ciphers LIST] [--explain] [--show-secrets]\n"
            "                  [--insecure-no-hostname-check] [--tls1_2 | --tls1_3] [--groups LIST]\n"
            "                  [--key-update] [--sess-out FILE] [--sess-in FILE] [--cert F --key F]\n"
            "      Copy stdin to the server and the server's data to stdout; for a URL, GET it\n"
            "      (with Host and Connection: close) and print the whole response.\n"
            "  lucidtls ticket-keys FILE\n"
            "      Create a session ticket key file (mode 0600), or rotate it: a new key on top,\n"
            "      at most 4. Servers given --ticket-keys FILE resume each other's sessions\n"
            "      (docs/RESUMPTION.md).\n"
            "\n"
            "  lucidtls COMMAND --help   the whole usage of one command\n"
            "\n"
            "  --explain       tell the handshake step by step on stderr\n"
            "  --trace-json F  write the trace events as JSON lines to F (\"-\": stdout)\n"
            "  --show-secrets  with --explain or --trace-json (which it needs; the demo always\n"
            "                  narrates): print keys and secrets in full\n"
            "  SSLKEYLOGFILE   if set, key log lines are appended to this file\n",
            LT_VERSION_STRING);
}

int main(int argc, char **argv)
{
    /* A peer that vanishes must be an error code, never a fatal signal. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        fprintf(stderr, "lucidtls: a command is required (demo, server, client, ticket-keys)\n\n");
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "server") == 0) {
        return cmd_server(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "client") == 0) {
        return cmd_client(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "ticket-keys") == 0) {
        return cmd_ticket_keys(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "demo") == 0) {
        return cmd_demo(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("lucidtls %s\n", LT_VERSION_STRING);
        return 0;
    }
    fprintf(stderr, "lucidtls: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
