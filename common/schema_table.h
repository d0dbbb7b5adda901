/*
 * schema_table.h: the shape of the protocol's message table, shared by the
 * table (schema_table.c) and the codec that walks it (schema.c) only.
 * Nothing else includes this file: the rest of the program sees schema.h.
 */
#ifndef FTPD_SCHEMA_TABLE_H
#define FTPD_SCHEMA_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/schema.h"

enum schema_ftype {
	FT_STR,	 /* struct schema_str; lo..hi bytes */
	FT_BIN,	 /* struct schema_bin; lo..hi bytes */
	FT_UINT, /* uint64_t; lo..hi, positive int on the wire */
	FT_INT,	 /* int64_t; lo..hi (hi <= INT64_MAX) */
	FT_BOOL, /* int, 0 or 1 */
	FT_STRS, /* struct schema_strs; lo..hi strings of 1..NAME_MAX bytes */
	FT_MAP,	 /* a nested struct of kind sub, inline */
	FT_ARRAY /* a pointer to count structs of kind sub; count <= hi */
};

struct schema_field {
	const char *key;
	uint8_t	    type;      /* enum schema_ftype */
	uint8_t	    required;  /* 1: must be present (and is always written) */
	uint8_t	    toolong;   /* code for a str/bin over hi; 0: protocol */
	uint8_t	    sub;       /* FT_MAP, FT_ARRAY: enum schema_kind */
	size_t	    off;       /* the member in the message struct */
	size_t	    has_off;   /* optional fields: their uint8_t has flag */
	size_t	    count_off; /* FT_ARRAY: its size_t count member */
	int64_t	    lo;
	uint64_t    hi;
	int64_t	    def; /* optional scalars: the value when missing */
};

struct schema_def {
	const char		  *name;  /* "op" value, or a name for logs */
	int			   reply; /* 1: "ok" first (0 for R_ERROR) */
	int			   ok;	  /* the value of "ok" for replies */
	size_t			   size;  /* sizeof the message struct */
	const struct schema_field *fields;
	size_t			   nfields;
};

/* SCHEMA_AT: the member at offset off of message struct msg, as type t. */
#define SCHEMA_AT(t, msg, off) ((t)(void *)((char *)(msg) + (off)))

/* schema_defs: one row per enum schema_kind. */
extern const struct schema_def schema_defs[SCHEMA_KIND_COUNT];

#endif
