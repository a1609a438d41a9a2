/**
 * Witness keys: committee members and regulators register Ed25519 keys with which they
 * cosign a community's checkpoints (`registerWitnessKey`), and anyone who reads the
 * community can list them (`ledgerWitnesses`).
 */
import { textArgument } from '../../graphql/text-argument.ts';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { LOG_ID_DESCRIPTION, LOG_OWNER_REFS } from '../../ledger/api/ledger-arguments.ts';
import { requireWitnessRole } from '../../ledger/api/ledger-checkpoint.ts';
import { requireLogReader } from '../../accounts/viewer.ts';
import { ConflictError } from '../../domain-error.ts';
import { formatVerifierKey, KEY_NAME_MAX_LENGTH, SIGNATURE_TYPE_COSIGNATURE_V1 } from '../../ledger/signed-note.ts';
import { listWitnesses, registerWitness, rotateWitnessKey, type WitnessKey } from '../../ledger/witnesses.ts';

/** Witness keys one community may hold. */
export const MAX_WITNESSES_PER_COMMUNITY = 64;

const WitnessRoleEnum = builder.enumType('WitnessRole', {
  values: { COMMITTEE: { value: 'committee' }, REGULATOR: { value: 'regulator' } } as const,
});

export const WitnessKeyRef = builder.objectRef<WitnessKey>('WitnessKey').implement({
  description: "A witness's Ed25519 key, registered for one community.",
  fields: (t) => ({
    keyName: t.exposeString('keyName'),
    publicKey: t.expose('publicKey', { type: 'Hex' }),
    verifierKey: t.string({
      description: 'The C2SP verifier key (name+hash+key, type 0x04) that verifiers of cosigned notes pin.',
      resolve: (witness) => formatVerifierKey(witness.keyName, SIGNATURE_TYPE_COSIGNATURE_V1, witness.publicKey),
    }),
    role: t.field({ type: WitnessRoleEnum, resolve: (witness) => witness.role }),
    retired: t.boolean({
      description: 'Retired by rotateWitnessKey: its cosignatures still verify, it cosigns no more.',
      resolve: (witness) => witness.retired ?? false,
    }),
    accountId: t.globalID({
      nullable: true,
      description: 'The account that registered the key.',
      resolve: (witness) => (witness.accountId ? { type: 'Account', id: witness.accountId } : null),
    }),
  }),
});

builder.queryField('ledgerWitnesses', (t) =>
  t.field({
    type: [WitnessKeyRef],
    description: "The community's registered witness keys.",
    args: { communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }) },
    resolve: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireLogReader(context.viewer, communityId);
      return listWitnesses(context.em, communityId);
    },
  }),
);

builder.mutationField('registerWitnessKey', (t) =>
  t.field({
    type: WitnessKeyRef,
    description: "Committee members of the community, or regulators over it: register an Ed25519 witness key for cosigning its checkpoints.",
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }),
      name: t.arg.string({ required: true, description: 'The key name, e.g. "witness.example.org/committee-1".', validate: textArgument({ maxLength: KEY_NAME_MAX_LENGTH }) }),
      publicKey: t.arg({ type: 'Hex', required: true, description: 'The 32-byte Ed25519 public key.' }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, async (em) => {
        const communityId = parseUuid(args.communityId.id, 'communityId');
        const { viewer, role } = requireWitnessRole(context.viewer, communityId);
        if ((await listWitnesses(em, communityId)).length >= MAX_WITNESSES_PER_COMMUNITY) {
          throw new ConflictError(
            `Failed to register witness: the community has ${MAX_WITNESSES_PER_COMMUNITY} witness keys already`,
          );
        }
        const witness: WitnessKey = { communityId, keyName: args.name, publicKey: args.publicKey, role, accountId: viewer.accountId };
        await registerWitness(em, witness);
        return witness;
      }),
  }),
);

builder.mutationField('rotateWitnessKey', (t) =>
  t.field({
    type: WitnessKeyRef,
    description:
      'A witness replaces its own key: registers the new one and retires the old one, recorded on the log as ' +
      '`ledger.witness-key-rotated`. Cosignatures by the old key still verify; it cosigns no more.',
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }),
      retiredName: t.arg.string({ required: true, description: "The name of the caller's key to retire.", validate: textArgument({ maxLength: KEY_NAME_MAX_LENGTH }) }),
      name: t.arg.string({ required: true, description: 'The new key name; it must differ from every registered one.', validate: textArgument({ maxLength: KEY_NAME_MAX_LENGTH }) }),
      publicKey: t.arg({ type: 'Hex', required: true, description: 'The new 32-byte Ed25519 public key.' }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, async (em) => {
        const communityId = parseUuid(args.communityId.id, 'communityId');
        const { viewer } = requireWitnessRole(context.viewer, communityId);
        if ((await listWitnesses(em, communityId)).length >= MAX_WITNESSES_PER_COMMUNITY) {
          throw new ConflictError(`Failed to rotate witness key: the community has ${MAX_WITNESSES_PER_COMMUNITY} witness keys already`);
        }
        return rotateWitnessKey(em, {
          communityId,
          retiredKeyName: args.retiredName,
          keyName: args.name,
          publicKey: args.publicKey,
          actor: viewer.accountId,
          accountId: viewer.accountId,
        });
      }),
  }),
);
