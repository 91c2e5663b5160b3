/*
 * libFuzzer target for what a `lucidtls server --www` request asks for
 * (tools/www_request.c): the client's request head, as it came. The bytes
 * go to the parser exactly as libFuzzer gives them (no NUL after them), so
 * ASan catches any read past the head. Invariants: the answer is one of the
 * three kinds, and anything that is not a GET is the plain answer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "www_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > WWW_REQUEST_KEEP) {
        size = WWW_REQUEST_KEEP; /* the server keeps no more */
    }
    www_kind k = www_request_kind((const char *)data, size);
    if (k != WWW_PLAIN && k != WWW_HTML && k != WWW_JSON) {
        abort();
    }
    if (k != WWW_PLAIN && (size < 4 || memcmp(data, "GET ", 4) != 0)) {
        abort();
    }
    return 0;
}
