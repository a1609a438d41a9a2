/**
 * Verification keys and read-only proof checks over GraphQL. An admin activates the key
 * a community's proofs verify against (recorded on its ledger); anyone who can read the
 * community sees which key is active and whether it is the insecure development key;
 * clients and regulators check a membership proof without consuming its nullifier.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { ledgerSeqOfRecord } from '../../ledger/integrator.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { CensusKindEnum } from '../../census/api/census-tree.ts';
import { requireCommunityReader } from '../../accounts/viewer.ts';
import { RateLimiter } from '../../accounts/rate-limiter.ts';
import type { CommunityVerificationKey } from '../../census/census.entity.ts';
import {
  activateVerificationKey,
  findActiveVerificationKey,
  INSECURE_KEY_WARNING,
  MAX_VERIFICATION_KEY_JSON_BYTES,
} from '../../census/verification-keys.ts';
import { verifyCommunityMembershipProof } from '../../census/membership-proof.ts';
import { MembershipProofRejectedError } from '../../census/census-errors.ts';
import { DomainError } from '../../domain-error.ts';
import { ProofRejectedError } from '../../zk/errors.ts';
import { MAX_PROOF_JSON_BYTES, parseProofJson } from '../../zk/proof-format.ts';
import type { MembershipPublicSignals } from '../../zk/membership-signals.ts';

/** Proof checks per caller per minute: a pairing costs about 20 ms of CPU. */
export const PROOF_CHECKS_PER_MINUTE = 120;
const proofChecksByCaller = new RateLimiter(PROOF_CHECKS_PER_MINUTE, 60_000);
/** A decimal field element as text: at most 78 digits. */
const FIELD_ELEMENT = z.string().regex(/^(0|[1-9][0-9]{0,77})$/u, 'must be a decimal field element');

const VerificationKeyRef = builder.objectRef<CommunityVerificationKey>('VerificationKey').implement({
  description: "The Groth16 key a community's membership proofs verify against.",
  fields: (t) => ({
    instance: t.exposeString('instance', { description: 'The circuit instance, e.g. membership-20.' }),
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
    description: "Admin: make a key the community's active key — the committed key of `instance`, or a ceremony's `verificationKey` JSON.",
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
    description: "The community's active verification key; null when none is active (then no proof verifies).",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireCommunityReader(context.viewer, communityId);
      return findActiveVerificationKey(context.em, communityId);
    },
  }),
);

interface ProofCheck {
  valid: boolean;
  code: string | null;
  reason: string | null;
  signals: MembershipPublicSignals | null;
  verificationKeyHash: string | null;
}

const ProofCheckRef = builder.objectRef<ProofCheck>('MembershipProofCheck').implement({
  description: 'The outcome of a read-only proof check: valid with its public values, or the code of the first check it failed.',
  fields: (t) => ({
    valid: t.exposeBoolean('valid'),
    code: t.exposeString('code', { nullable: true, description: 'ROOT_UNKNOWN, SCOPE_MISMATCH, INVALID_PROOF, NO_ACTIVE_VERIFICATION_KEY, …' }),
    reason: t.exposeString('reason', { nullable: true }),
    nullifier: t.string({ nullable: true, resolve: (check) => check.signals?.nullifier.toString() ?? null }),
    root: t.string({ nullable: true, resolve: (check) => check.signals?.root.toString() ?? null }),
    attribute: t.string({ nullable: true, description: 'The weight the proof carries.', resolve: (check) => check.signals?.attribute.toString() ?? null }),
    scope: t.string({ nullable: true, resolve: (check) => check.signals?.scope.toString() ?? null }),
    message: t.string({ nullable: true, resolve: (check) => check.signals?.message.toString() ?? null }),
    verificationKeyHash: t.exposeString('verificationKeyHash', { nullable: true }),
  }),
});

builder.queryField('checkMembershipProof', (t) =>
  t.field({
    type: ProofCheckRef,
    description:
      "Check a membership proof against the community's active key and its census (pinned `root`, or a recent root). " +
      'Read-only: the nullifier is returned, not consumed.',
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      census: t.arg({ type: CensusKindEnum, required: true }),
      proof: t.arg.string({ required: true, description: '{"proof": …, "publicSignals": […]} as snarkjs writes them.', validate: z.string().max(MAX_PROOF_JSON_BYTES) }),
      scope: t.arg.string({ required: true, validate: FIELD_ELEMENT }),
      message: t.arg.string({ validate: FIELD_ELEMENT.optional().nullable() }),
      root: t.arg.string({ validate: FIELD_ELEMENT.optional().nullable() }),
    },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: async (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      const viewer = requireCommunityReader(context.viewer, communityId);
      proofChecksByCaller.consume(viewer.accountId);
      try {
        const { proof, publicSignals } = parseProofJson(args.proof);
        const verified = await verifyCommunityMembershipProof(context.em, {
          communityId,
          kind: args.census,
          proof,
          publicSignals,
          expectedScope: BigInt(args.scope),
          expectedMessage: args.message ? BigInt(args.message) : undefined,
          pinnedRoot: args.root ? BigInt(args.root) : undefined,
        });
        const { verificationKeyHash, ...signals } = verified;
        return { valid: true, code: null, reason: null, signals, verificationKeyHash };
      } catch (error) {
        const rejected = error instanceof ProofRejectedError ? new MembershipProofRejectedError(error.code, error.message) : error;
        if (!(rejected instanceof MembershipProofRejectedError) && !(rejected instanceof DomainError && rejected.code === 'NO_ACTIVE_VERIFICATION_KEY')) throw error;
        return { valid: false, code: rejected.code, reason: rejected.message, signals: null, verificationKeyHash: null };
      }
    },
  }),
);
