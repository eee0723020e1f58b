/* etf_tags.h — the tag bytes of Erlang's external term format, named as
 * OTP's erts/emulator/beam/external.h names them (with ETF_ in front).
 * The encoder and decoder (dist/etf.c), control messages (dist/ctrl.c)
 * and the printing of a fun from another node (term/inspect.c) use them.
 */
#ifndef TAPA_TERM_ETF_TAGS_H
#define TAPA_TERM_ETF_TAGS_H

#define ETF_VERSION 131 /* VERSION_MAGIC: the first byte of a whole term */

enum etf_tag {
    ETF_NEW_FLOAT_EXT = 70,
    ETF_BIT_BINARY_EXT = 77,
    ETF_COMPRESSED = 80,
    ETF_ATOM_CACHE_REF = 82,
    ETF_NEW_PID_EXT = 88,
    ETF_NEW_PORT_EXT = 89,
    ETF_NEWER_REFERENCE_EXT = 90,
    ETF_SMALL_INTEGER_EXT = 97,
    ETF_INTEGER_EXT = 98,
    ETF_FLOAT_EXT = 99,
    ETF_ATOM_EXT = 100,
    ETF_REFERENCE_EXT = 101,
    ETF_PORT_EXT = 102,
    ETF_PID_EXT = 103,
    ETF_SMALL_TUPLE_EXT = 104,
    ETF_LARGE_TUPLE_EXT = 105,
    ETF_NIL_EXT = 106,
    ETF_STRING_EXT = 107,
    ETF_LIST_EXT = 108,
    ETF_BINARY_EXT = 109,
    ETF_SMALL_BIG_EXT = 110,
    ETF_LARGE_BIG_EXT = 111,
    ETF_NEW_FUN_EXT = 112,
    ETF_EXPORT_EXT = 113,
    ETF_NEW_REFERENCE_EXT = 114,
    ETF_SMALL_ATOM_EXT = 115,
    ETF_MAP_EXT = 116,
    ETF_FUN_EXT = 117,
    ETF_ATOM_UTF8_EXT = 118,
    ETF_SMALL_ATOM_UTF8_EXT = 119,
    ETF_V4_PORT_EXT = 120,
};

#endif
