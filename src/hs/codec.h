/*
 * What the two message codec files (messages.c for the hellos and TLS 1.2,
 * messages13.c for TLS 1.3's own messages) share: the framing of an
 * extensions block, the common extension shapes, and opening an extension
 * for writing. Only the codec includes this.
 */
#ifndef LT_HS_CODEC_H
#define LT_HS_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

/* Frames an extensions block body (struct { ExtensionType extension_type;
 * opaque extension_data<0..2^16-1>; } Extension; RFC 5246 7.4.1.4, RFC
 * 8446 4.2) to its end (LT_ERR_DECODE otherwise), counts the extensions,
 * and tells whether a type is there twice ("There MUST NOT be more than one
 * extension of the same type"). One bit per type (8 KiB): linear in the
 * block, with no cap on the count. */
LT_MUST_USE int lt_codec_frame_ext_block(lt_rd block, int *duplicate, size_t *count);

/* A whole extension body that is one uint16 list <min_len..max_len> with a
 * 2-byte length (supported_groups, signature_algorithms(_cert)). Entries are
 * 2 bytes, so an odd length is LT_ERR_DECODE; values are not judged
 * (unknown ones and GREASE, RFC 8701, are the caller's to ignore). */
LT_MUST_USE int lt_codec_u16_list_ext(lt_rd *data, size_t min_len, size_t max_len, lt_rd *list);

/* opaque DistinguishedName<1..2^16-1>;
 * struct { DistinguishedName authorities<3..2^16-1>; } (RFC 8446 4.2.4):
 * the framing only, how many names, and the list body (list may be NULL). */
LT_MUST_USE int lt_codec_authorities(lt_rd *data, size_t *n, lt_rd *list);

/* Opens one Extension for writing (its type, then a 2-byte extension_data
 * length); close it with lt_wr_close_vec(w, mark, 2). */
size_t lt_codec_ext_begin(lt_wr *w, uint16_t type);

#endif
