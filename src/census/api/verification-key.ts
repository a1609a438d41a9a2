/**
 * Verification keys over GraphQL. An admin activates the key a community's proofs verify
 * against (recorded on its ledger); anyone who can read the community sees which key is
 * active and whether it is the insecure development key.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { ledgerSeqOfRecord } from '../../ledger/integrator.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { requireCommunityReader } from '../../accounts/viewer.ts';
import type { CommunityVerificationKey } from '../../census/census.entity.ts';
import {
  activateVerificationKey,
  findActiveVerificationKey,
  findActiveVerificationKeys,
  INSECURE_KEY_WARNING,
  MAX_VERIFICATION_KEY_JSON_BYTES,
} from '../../census/verification-keys.ts';

const VerificationKeyRef = builder.objectRef<CommunityVerificationKey>('VerificationKey').implement({
  description: "A Groth16 key a community's proofs verify against: membership proofs, or encrypted-weight ballots (instance encrypted-ballot-<depth>).",
  fields: (t) => ({
    instance: t.exposeString('instance', { description: 'The circuit instance, e.g. membership-10 or encrypted-ballot-10.' }),
    depth: t.exposeInt('depth', { description: 'The tree depth of its circuit: it verifies proofs against census roots of this depth.' }),
    hash: t.exposeString('keyHash', { description: 'sha256 of the canonical key; the value on the ledger.' }),
    insecure: t.exposeBoolean('insecure', { description: 'True for the one-command development key: proofs against it can be forged.' }),
    warning: t.string({ nullable: true, resolve: (key) => (key.insecure ? INSECURE_KEY_WARNING : null) }),
    activatedAt: t.expose('activatedAt', { type: 'DateTime' }),
    ledgerSeq: t.field({
      type: 'BigInt',
      description: 'The zk.key.activated entry (assigned when the ledger integrates it; reading it integrates first).',
      resolve: async (key, _args, context) => BigInt(await ledgerSeqOfRecord(context.em as SqlEntityManager, key.communityId, key, key.activatedAt)),
    }),
    verificationKeyJson: t.string({ description: 'The key itself, as snarkjs writes it.', resolve: (key) => JSON.stringify(key.verificationKey) }),
  }),
});

builder.mutationField('activateVerificationKey', (t) =>
  t.field({
    type: VerificationKeyRef,
    description:
      "Admin: make a key the community's active key for the circuit and depth of `instance` (membership-10, -14 or -20; encrypted-ballot-10, -14 or -20, " +
      "which encrypted-weight proposals pin at their opening) — the committed key of `instance` (INSECURE development key), or a ceremony's " +
      '`verificationKey` JSON. Replaces only the previous key of that circuit and depth.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { admin: true },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      instance: t.arg.string({ required: true, validate: z.string().max(64) }),
      verificationKey: t.arg.string({ validate: z.string().max(MAX_VERIFICATION_KEY_JSON_BYTES).optional().nullable() }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        activateVerificationKey(em, context.viewer, {
          communityId: parseUuid(args.communityId.id, 'communityId'),
          instance: args.instance,
          verificationKeyJson: args.verificationKey,
        }),
      ),
  }),
);

builder.queryField('activeVerificationKey', (t) =>
  t.field({
    type: VerificationKeyRef,
    nullable: true,
    description:
      "The community's active verification key of `depth` (without it, the active key activated last); null when none is active " +
      '(then no proof of that depth verifies).',
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      depth: t.arg.int({ validate: z.number().int().min(1).max(32).optional().nullable() }),
    },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireCommunityReader(context.viewer, communityId);
      return findActiveVerificationKey(context.em, communityId, args.depth ?? undefined);
    },
  }),
);

builder.queryField('activeVerificationKeys', (t) =>
  t.field({
    type: [VerificationKeyRef],
    description: "The community's active verification keys, one per depth, smallest depth first.",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireCommunityReader(context.viewer, communityId);
      return findActiveVerificationKeys(context.em, communityId);
    },
  }),
);
