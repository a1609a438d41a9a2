/**
 * The installation as a node: its id is the installation log's (src/ledger/installation-log.ts),
 * so every ledger field that takes a community's id takes it too, and reads the log of
 * installation-wide events (accounts, jurisdictions, regulator roles, admin actions).
 * Admins and regulators see it; to anyone else it does not exist.
 */
import { builder } from '../../graphql/builder.ts';
import { parseUuid } from '../../graphql/ids.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { canReadLog } from '../../accounts/viewer.ts';
import { INSTALLATION_LOG_ID } from '../../ledger/installation-log.ts';

export interface InstallationShape {
  id: string;
}

export const InstallationRef = builder.objectRef<InstallationShape>('Installation');

function installationFor(context: GraphQLContext): InstallationShape | null {
  return canReadLog(context.viewer, INSTALLATION_LOG_ID) ? { id: INSTALLATION_LOG_ID } : null;
}

builder.node(InstallationRef, {
  description: 'This Courtyard installation. Its id is also the id of the installation log, for the ledger fields.',
  id: { resolve: (installation) => installation.id, parse: (id) => parseUuid(id) },
  loadOne: (id, context) => (id === INSTALLATION_LOG_ID ? installationFor(context) : null),
  fields: (t) => ({
    name: t.string({
      description: 'COURTYARD_INSTALLATION_NAME: the origin of the installation log and the prefix of every community log.',
      resolve: (_installation, _args, context) => context.services.configuration.installationName,
    }),
  }),
});

builder.queryField('installation', (t) =>
  t.field({
    type: InstallationRef,
    nullable: true,
    description:
      'Admins and regulators: the installation, whose id reads the installation log. Null for any other signed-in caller; ' +
      'UNAUTHENTICATED when not signed in, as every field that is not deliberately public.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, context) => installationFor(context),
  }),
);
