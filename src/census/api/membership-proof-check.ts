/**
 * `checkMembershipProof`: clients and regulators check a membership proof against the
 * community's active key and its census, without consuming the nullifier. The census
 * parses and checks the proof and returns a typed result (census/membership-proof.ts);
 * this file only maps it to the API and limits how often a caller may ask.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { InvalidInputError } from '../../domain-error.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { requireCommunityReader } from '../../accounts/viewer.ts';
import type { RateLimitRule } from '../../accounts/rate-limiter.ts';
import { CensusKindEnum } from './census-tree.ts';
import { checkMembershipProof, type MembershipProofCheck } from '../membership-proof.ts';
import { MAX_PROOF_JSON_BYTES } from '../../zk/proof-format.ts';

/** Proof checks per caller per minute: a pairing costs about 20 ms of CPU. */
export const PROOF_CHECKS_PER_MINUTE = 120;
const PROOF_CHECKS_BY_CALLER: RateLimitRule = { name: 'census.proof-check', limit: PROOF_CHECKS_PER_MINUTE, windowMs: 60_000 };
/** A decimal field element as text: at most 78 digits. */
const FIELD_ELEMENT = z.string().regex(/^(0|[1-9][0-9]{0,77})$/u, 'must be a decimal field element');

const ProofCheckRef = builder.objectRef<MembershipProofCheck>('MembershipProofCheck').implement({
  description: 'The outcome of a read-only proof check: valid with its public values, or the code of the first check it failed.',
  fields: (t) => ({
    valid: t.exposeBoolean('valid'),
    code: t.string({
      nullable: true,
      description: 'ROOT_UNKNOWN, DEPTH_MISMATCH, NO_KEY_FOR_DEPTH, SCOPE_MISMATCH, INVALID_PROOF, NO_ACTIVE_VERIFICATION_KEY, …',
      resolve: (check) => (check.valid ? null : check.code),
    }),
    reason: t.string({ nullable: true, resolve: (check) => (check.valid ? null : check.reason) }),
    nullifier: t.string({ nullable: true, resolve: (check) => (check.valid ? check.signals.nullifier.toString() : null) }),
    root: t.string({ nullable: true, resolve: (check) => (check.valid ? check.signals.root.toString() : null) }),
    attribute: t.string({ nullable: true, description: 'The weight the proof carries.', resolve: (check) => (check.valid ? check.signals.attribute.toString() : null) }),
    scope: t.string({ nullable: true, resolve: (check) => (check.valid ? check.signals.scope.toString() : null) }),
    message: t.string({ nullable: true, resolve: (check) => (check.valid ? check.signals.message.toString() : null) }),
    verificationKeyHash: t.string({ nullable: true, resolve: (check) => (check.valid ? check.verificationKeyHash : null) }),
    depth: t.int({
      nullable: true,
      description: "The depth recorded for the proof's root, whose key verified it.",
      resolve: (check) => (check.valid ? check.depth : null),
    }),
    instance: t.string({ nullable: true, description: 'The circuit instance of that key.', resolve: (check) => (check.valid ? check.instance : null) }),
  }),
});

builder.queryField('checkMembershipProof', (t) =>
  t.field({
    type: ProofCheckRef,
    description:
      "Check a membership proof against the community's active key of its root's depth and its census (pinned `root`, " +
      'optionally with the `depth` the snapshot names, or a recent root). ' +
      'Read-only: the nullifier is returned, not consumed.',
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      census: t.arg({ type: CensusKindEnum, required: true }),
      proof: t.arg.string({ required: true, description: '{"proof": …, "publicSignals": […]} as snarkjs writes them.', validate: z.string().max(MAX_PROOF_JSON_BYTES) }),
      scope: t.arg.string({ required: true, validate: FIELD_ELEMENT }),
      message: t.arg.string({ validate: FIELD_ELEMENT.optional().nullable() }),
      root: t.arg.string({ validate: FIELD_ELEMENT.optional().nullable() }),
      depth: t.arg.int({
        description: 'With `root`: the depth the snapshot was pinned at; DEPTH_MISMATCH unless it is the depth recorded for the root.',
        validate: z.number().int().min(1).max(32).optional().nullable(),
      }),
    },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: async (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      const viewer = requireCommunityReader(context.viewer, communityId);
      if (args.depth != null && !args.root) throw new InvalidInputError('depth', 'names the depth of a pinned root; give the root too');
      await context.services.accounts.rateLimits.consume(PROOF_CHECKS_BY_CALLER, viewer.accountId);
      return checkMembershipProof(context.em, {
        communityId,
        kind: args.census,
        proofJson: args.proof,
        scope: BigInt(args.scope),
        message: args.message ? BigInt(args.message) : undefined,
        root: args.root ? BigInt(args.root) : undefined,
        depth: args.depth ?? undefined,
      });
    },
  }),
);
