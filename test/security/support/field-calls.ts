/**
 * Calls to any root field built from the schema: the operation document (variables for
 * every argument, a selection that shows the outcome) and well-typed arguments against
 * the security world — ids of the world's objects chosen by the argument's name, other
 * values plausible for their type. The matrix rows override what a field needs beyond that.
 */
import { getNamedType, isNonNullType, type GraphQLInputType } from 'graphql';
import { sampleValue as sampleValueFrom, type RootField, type SampleSource } from '../../support/field-calls.ts';
import type { SecurityWorld } from './security-world.ts';

export { documentFor, rootFields, selectionOf, type OperationKind, type RootField } from '../../support/field-calls.ts';

/** The world's object an id argument of this name stands for. */
export function idArgumentValue(name: string, world: SecurityWorld): string | undefined {
  const ids: Record<string, string> = {
    communityId: world.community.id,
    householdId: world.community.householdId,
    accountId: world.bystanderAccountId,
    jurisdictionId: world.jurisdictionId,
    proposalId: world.proposalId,
    activityId: world.activityId,
    signupId: world.signupId,
    subjectId: world.ratingSubjectId,
    ratingId: world.ratingId,
    suggestionId: world.suggestionId,
    challengeId: world.challengeId,
    id: world.community.id,
    ids: world.community.id,
  };
  return ids[name];
}

/** Plain-string arguments whose meaning the name gives away. */
function stringArgumentValue(name: string, world: SecurityWorld): string {
  const strings: Record<string, string> = {
    periodId: world.feePeriodId,
    period: world.ratingPeriod,
    scheduleId: world.scheduleId,
    paymentId: world.paymentId,
    invoiceId: world.invoiceId,
    spendId: world.spendId,
    accountId: world.cashAccountId,
    debitAccountId: world.cashAccountId,
    creditAccountId: world.cashAccountId,
    activityId: world.activityId,
    idempotencyKey: `matrix-${Math.random().toString(36).slice(2)}`,
    from: '2026-01-01',
    to: '2026-12-31',
    asOf: '2026-06-30',
    choice: 'yes',
    purpose: 'Parking permit',
    reason: 'Off topic',
    answer: 'Thank you, we will.',
    instance: 'membership-depth-20',
    key: 'security',
    keyName: 'matrix-witness',
    name: 'Matrix name',
    label: 'Security',
    title: 'Matrix title',
    body: 'Matrix body',
    unitLabel: 'Matrix 1',
    login: 'matrix-new-login',
    password: 'a long enough password',
    currentPassword: 'a long enough password',
    newPassword: 'another long enough password',
    payeeId: 'payee-1',
    purposeHash: '0'.repeat(64),
    receiptHash: '0'.repeat(64),
    identityCommitment: '1',
    inviteCode: 'not-an-invite',
    proof: '{}',
    scope: '1',
    type: 'census.join',
    nullifier: '1',
    slug: 'matrix-new-community',
    phone: '+86 138 0000 0000',
  };
  return strings[name] ?? 'matrix value';
}

/** The world as a source of sample values: ids of its objects, strings by their meaning, instants tomorrow. */
function worldSource(world: SecurityWorld): SampleSource {
  return {
    id: (name) => idArgumentValue(name, world) ?? world.community.id,
    string: (name) => stringArgumentValue(name, world),
    boolean: false,
    hex: '00'.repeat(32),
    dateTime: () => new Date(Date.now() + 86_400_000).toISOString(),
  };
}

/** A well-typed value for an argument or input field of this type, named `name`. */
export function sampleValue(type: GraphQLInputType, name: string, world: SecurityWorld): unknown {
  return sampleValueFrom(type, name, worldSource(world));
}

/** Well-typed values for every argument of the field: required ones always, optional ids too. */
export function sampleArguments(root: RootField, world: SecurityWorld): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const argument of root.field.args) {
    const isId = getNamedType(argument.type).name === 'ID';
    if (!isNonNullType(argument.type) && !(isId && idArgumentValue(argument.name, world) !== undefined)) continue;
    values[argument.name] = sampleValue(argument.type, argument.name, world);
  }
  return values;
}
