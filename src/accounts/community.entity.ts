import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A residential community (小区): the tenant boundary of every other record. */
export const CommunitySchema = defineEntity({
  name: 'Community',
  tableName: 'communities',
  properties: {
    id: p.uuid().primary(),
    /** Short stable name used in URLs and in the ledger's checkpoint origin line. */
    slug: p.string().length(64).unique(),
    name: p.string().length(200),
    jurisdictionId: p.uuid().nullable(),
    /** How many witness cosignatures make a checkpoint final. */
    requiredCosignatures: p.integer().default(1),
    createdAt: p.datetime(),
  },
});
export type Community = InferEntity<typeof CommunitySchema>;

/** A street office's or housing authority's area: the communities one regulator oversees. */
export const JurisdictionSchema = defineEntity({
  name: 'Jurisdiction',
  tableName: 'jurisdictions',
  properties: {
    id: p.uuid().primary(),
    name: p.string().length(200).unique(),
    createdAt: p.datetime(),
  },
});
export type Jurisdiction = InferEntity<typeof JurisdictionSchema>;
