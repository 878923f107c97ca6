/*
 * where.h - what the netblock database says of one address: its
 * country, its AS number and its owner, and which owner patterns of the
 * policy match that owner.
 *
 * The engine asks through its ng_geo callback (engine/admit.h) and the
 * database answers (netdb/netdb.h); the two know nothing of each other,
 * so the answer's shape lives here, below both.
 */
#ifndef NG_WHERE_H
#define NG_WHERE_H

#include <stdint.h>

struct ng_where {
	uint16_t cc;		/* ng_cc_pack(); 0: "--", no country */
	uint32_t asn;		/* 0: no AS number known */
	uint32_t owner;		/* the owner's id in the database; 0: none */
	/*
	 * Bit i set: owner pattern i of the policy (the i-th "owner /RE/"
	 * pattern, settings.h) matches this owner.  Computed once per
	 * distinct owner string when the database or the config is
	 * loaded, never per packet.
	 */
	uint32_t owner_bits;
};

#endif
