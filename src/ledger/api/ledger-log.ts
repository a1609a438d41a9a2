/**
 * `ledgerLog`: what a verifier needs to know about a community's log before reading it —
 * its origin line, its public key (and C2SP verifier key), its committed size and how
 * many cosignatures make a checkpoint final.
 */
import { builder } from '../../graphql/builder.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { LOG_ID_DESCRIPTION, LOG_OWNER_REFS } from '../../ledger/api/ledger-arguments.ts';
import { InstallationRef } from '../../accounts/api/installation.ts';
import { requireLogReader } from '../../accounts/viewer.ts';
import { logSize } from '../../ledger/entries.ts';
import { findLogKey, type LogPublicKey } from '../../ledger/log-keys.ts';
import { formatVerifierKey, SIGNATURE_TYPE_ED25519 } from '../../ledger/signed-note.ts';
import { requiredCosignaturesOf } from '../../ledger/witnesses.ts';

const LedgerLogRef = builder.objectRef<LogPublicKey>('LedgerLog').implement({
  description: "A community's verifiable log.",
  fields: (t) => ({
    origin: t.exposeString('keyName', { description: 'The checkpoint origin line, also the log key name.' }),
    publicKey: t.expose('publicKey', { type: 'Hex', description: "The log's Ed25519 public key." }),
    verifierKey: t.string({
      description: 'The C2SP verifier key (name+hash+key, type 0x01) of the log.',
      resolve: (log) => formatVerifierKey(log.keyName, SIGNATURE_TYPE_ED25519, log.publicKey),
    }),
    size: t.field({
      type: 'BigInt',
      description: 'Committed entries now (checkpoints may lag).',
      resolve: async (log, _args, context) => BigInt(await logSize(context.em, log.communityId)),
    }),
    requiredCosignatures: t.int({ resolve: (log, _args, context) => requiredCosignaturesOf(context.em, log.communityId) }),
  }),
});

builder.objectField(InstallationRef, 'ledgerLog', (t) =>
  t.field({
    type: LedgerLogRef,
    nullable: true,
    description: 'The installation log: origin (the installation name), public key, size.',
    resolve: async (installation, _args, context) => (await findLogKey(context.em, installation.id)) ?? null,
  }),
);

builder.queryField('ledgerLog', (t) =>
  t.field({
    type: LedgerLogRef,
    nullable: true,
    description: "The community's log: origin, public key, size. Null if it has no log key.",
    args: { communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }) },
    resolve: async (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireLogReader(context.viewer, communityId);
      return (await findLogKey(context.em, communityId)) ?? null;
    },
  }),
);
