/**
 * Sign-ups over GraphQL: a household signs up (a place or the waitlist, its fee taken
 * under an idempotency key), cancels under the refund rule, and the organiser, managers
 * and committee page the list in sign-up order.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { keysetSql } from '../../kernel/keyset.ts';
import { HouseholdRef } from '../../privacy/api/household.ts';
import { cancelSignup, signUp, type SignupResult } from '../activity-commands.ts';
import { listSignups } from '../activity-queries.ts';
import type { SignupRecord } from '../activity-records.ts';
import { activityContext } from './activity.ts';

const SignupStatusEnum = builder.enumType('ActivitySignupStatus', {
  values: Object.fromEntries(
    ['participant', 'waitlisted', 'cancelled', 'released', 'refunded'].map((status) => [
      status.toUpperCase(),
      { value: status },
    ]),
  ),
});

const ActivitySignupRef = builder.objectRef<SignupRecord>('ActivitySignup').implement({
  description: "A household's sign-up: its position in arrival order, where it stands, its fee and refund.",
  fields: (t) => ({
    id: t.exposeID('signupId'),
    activityId: t.exposeID('activityId'),
    household: t.globalID({ resolve: (signup) => ({ type: 'Household', id: signup.householdId }) }),
    position: t.exposeInt('position'),
    status: t.field({ type: SignupStatusEnum, resolve: (signup) => signup.status }),
    fee: t.field({ type: 'Money', resolve: (signup) => signup.feeFen }),
    refund: t.field({ type: 'Money', resolve: (signup) => signup.refundFen }),
  }),
});

const SignupResultRef = builder.objectRef<SignupResult>('ActivitySignupResult').implement({
  fields: (t) => ({
    signupId: t.exposeID('signupId'),
    replayed: t.exposeBoolean('replayed', {
      description: 'True when this key was used before for the same request: the original sign-up, nothing written.',
    }),
  }),
});

builder.mutationField('signUpForActivity', (t) =>
  t.field({
    type: SignupResultRef,
    description:
      "A resident of the household, or a manager for it: a place while there is one, else the waitlist; the fee goes into the activity's fund.",
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      activityId: t.arg.id({ required: true }),
      householdId: t.arg.globalID({ required: true, for: HouseholdRef }),
      idempotencyKey: t.arg.string({ required: true, validate: z.string().min(8).max(64) }),
    },
    resolve: (_root, args, context) =>
      signUp(activityContext(context), {
        activityId: parseUuid(String(args.activityId), 'activityId'),
        householdId: parseUuid(args.householdId.id, 'householdId'),
        idempotencyKey: args.idempotencyKey,
      }),
  }),
);

builder.mutationField('cancelActivitySignup', (t) =>
  t.field({
    type: ActivitySignupRef,
    description:
      "A resident of the household or a manager, while sign-ups are open: refunded under the activity's rule; the first on the waitlist takes the place.",
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: { signupId: t.arg.id({ required: true }) },
    resolve: (_root, args, context) =>
      cancelSignup(activityContext(context), parseUuid(String(args.signupId), 'signupId')),
  }),
);

builder.queryField('activitySignups', (t) =>
  t.connection({
    type: ActivitySignupRef,
    description: "An activity's sign-ups in arrival order, for its organiser, managers and committee.",
    authScopes: { authenticated: true },
    args: { activityId: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => {
      const activityId = parseUuid(String(args.activityId), 'activityId');
      return resolveKeysetConnection(
        args,
        (page) =>
          listSignups(
            context.em as SqlEntityManager,
            context.viewer,
            activityId,
            keysetSql({ columns: [{ expression: 's.position' }] }, page),
          ),
        { name: 'activitySignups', keyOf: (signup) => [signup.position] as const, parseKey: keyParsers.oneInteger },
      );
    },
  }),
);
