/** What the portal hands each page: the signed-in client, the community, labels, the prover. */
import type { Identity } from '../../zk/identity.ts';
import type { CourtyardClient } from '../typed-api/courtyard-client.ts';
import type { LabelKey, Language } from './i18n.ts';
import type { ProveMessage } from './prover-worker.ts';

export type ProveRequest = ProveMessage extends infer Message
  ? Message extends { id: number }
    ? Omit<Message, 'id'>
    : never
  : never;

export interface PortalContext {
  client: CourtyardClient;
  community: { id: string; name: string };
  /** The account's roles in that community (RESIDENT, MANAGER, COMMITTEE). */
  roles: readonly string[];
  language: Language;
  t: (key: LabelKey) => string;
  /** The household's identity in the households census, when this device holds it. */
  householdIdentity: Identity | undefined;
  proveInWorker: (request: ProveRequest, progress: HTMLProgressElement) => Promise<{ json: string; nullifier: string }>;
  announce: (message: string) => void;
  failure: (error: unknown) => string;
}
