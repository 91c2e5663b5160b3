/*
 * Text that came from the peer. Two rules, one place:
 *   - lt_escape_peer_text is the one way a peer-supplied string (SNI, ALPN,
 *     certificate names, anything else the peer chose) reaches a trace event,
 *     an error detail or a log: control bytes, bytes over 0x7e and the
 *     backslash are written as \xHH, so a name cannot forge a log line or
 *     drive a terminal.
 *   - lt_is_dns_hostname says whether bytes are a HostName as RFC 6066 3
 *     defines it: an ASCII DNS host name, without a trailing dot, and not an
 *     IP address literal.
 */
#ifndef LT_BASE_TEXT_H
#define LT_BASE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Writes the escaped text and a NUL into out (cap >= 1); a text too long for
 * out ends in "...". Returns out. */
char *lt_escape_peer_text(char *out, size_t cap, const void *text, size_t len);

/* 1 for a valid host name: labels of 1..63 letters, digits, '-' and '_'
 * (not starting or ending with '-'), joined by single dots, at most 253
 * bytes in all, no trailing dot, and not a dotted-quad IPv4 address (IPv6
 * literals fail the character rule). 0 otherwise. */
int lt_is_dns_hostname(const void *name, size_t len);

#endif
