/**
 * The Pothos builder: plugins, scalars, auth scopes and the three root types (query,
 * mutation, subscription), and no domain types. Each domain's types live in its own
 * `api/` folder (src/<domain>/api/), added by its module's `registerGraphQL`; schema.ts
 * assembles them.
 */
import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ErrorsPlugin from '@pothos/plugin-errors';
import ValidationPlugin from '@pothos/plugin-validation';
import RelayPlugin from '@pothos/plugin-relay';
import { STRING_ARGUMENTS_PLUGIN } from './string-arguments.ts';
import { Kind } from 'graphql';
import type { GraphQLContext } from './context.ts';
import { DateTimeFormatError, formatDateTime, parseDateTime } from './date-time.ts';
import { scalarInputError } from './variable-coercion.ts';
import { noteResolvedError } from './resolved-errors.ts';
import { ForbiddenError, UnauthenticatedError, InvalidInputError } from '../domain-error.ts';
import { hasCommunityRole, canReadCommunity } from '../accounts/viewer.ts';
import type { CommunityRole } from '../accounts/roles.ts';
import { PasswordChangeRequiredError } from '../accounts/account-service.ts';

export interface CommunityRoleScope {
  communityId: string;
  roles: readonly CommunityRole[];
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  AuthScopes: {
    /**
     * Not a signed-in account that must still change its one-time password. Every root
     * field requires it (the root types' scopes below) except those that opt out with
     * `skipTypeScopes: true`: viewer, login, logout, changePassword.
     */
    passwordSettled: boolean;
    authenticated: boolean;
    admin: boolean;
    /** Any role in the community, a regulator over it, or admin. */
    communityReader: string;
    /** One of the given roles in the community. */
    communityRole: CommunityRoleScope;
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    /** Binary values (hashes, keys, signatures) as lowercase hexadecimal. */
    Hex: { Input: Uint8Array; Output: Uint8Array };
    /** Whole fen (0.01 yuan) as a decimal string, so no amount loses precision in JSON. */
    Money: { Input: bigint; Output: bigint };
    /** A 64-bit integer as a decimal string (ledger sequence numbers, tree sizes). */
    BigInt: { Input: bigint; Output: bigint };
  };
}>({
  // Relay before scope-auth, so authScopes receive decoded global ids. The String floor
  // (string-arguments.ts) comes first so it sees the arguments every other plugin added
  // (connection cursors), and its check runs before theirs (global ids, validation).
  plugins: [STRING_ARGUMENTS_PLUGIN, RelayPlugin, ScopeAuthPlugin, ErrorsPlugin, ValidationPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // `node` and `nodes` are declared in node-fields.ts: an id the caller cannot have is a null item there.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      passwordSettled: !context.viewer?.mustChangePassword,
      authenticated: context.viewer !== null,
      admin: context.viewer?.isAdmin ?? false,
      communityReader: (communityId) => canReadCommunity(context.viewer, communityId),
      communityRole: ({ communityId, roles }) => hasCommunityRole(context.viewer, communityId, roles),
    }),
    unauthorizedError: (_parent, context) => {
      if (!context.viewer) return new UnauthenticatedError();
      return context.viewer.mustChangePassword ? new PasswordChangeRequiredError() : new ForbiddenError();
    },
  },
  errors: {
    // Validation failures return typed results. They run before field authorisation,
    // which is acceptable because an issue names only the offending argument and rule.
    unsafelyHandleInputErrors: true,
    // So the request log names the codes of errors returned as results (resolved-errors.ts).
    onResolvedError: noteResolvedError,
  },
  validation: {
    validationError: (result) => {
      const issue = result.issues[0];
      const path = issue?.path?.map((part) => String(typeof part === 'object' ? part.key : part)).join('.') ?? 'input';
      return new InvalidInputError(path || 'input', issue?.message ?? 'is invalid');
    },
  },
});

const HEX_PATTERN = /^(?:[0-9a-f]{2})*$/u;
/** Longest hex string accepted as input: 64 KiB of bytes. */
const HEX_MAX_LENGTH = 131_072;

function parseHex(value: unknown): Uint8Array {
  if (typeof value !== 'string' || value.length > HEX_MAX_LENGTH || !HEX_PATTERN.test(value)) {
    throw scalarInputError('Hex must be an even-length lowercase hexadecimal string');
  }
  return new Uint8Array(Buffer.from(value, 'hex'));
}

function parseInteger(value: unknown, scalar: string, min: bigint): bigint {
  if (typeof value !== 'string' || !/^-?\d{1,19}$/u.test(value)) {
    throw scalarInputError(`${scalar} must be a decimal integer string`);
  }
  const parsed = BigInt(value);
  if (parsed < min || parsed > 9_223_372_036_854_775_807n) throw scalarInputError(`${scalar} is out of range`);
  return parsed;
}

function parseDateTimeInput(value: unknown): Date {
  try {
    return parseDateTime(value);
  } catch (error) {
    if (error instanceof DateTimeFormatError) throw scalarInputError(`DateTime ${error.message}`);
    throw error;
  }
}

builder.scalarType('DateTime', {
  description:
    'An instant. Output: RFC 3339 in UTC with milliseconds (2026-03-01T08:30:00.000Z). Input: RFC 3339 with a time zone, ' +
    'a real calendar date, at most 3 fractional digits, from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z.',
  serialize: formatDateTime,
  parseValue: parseDateTimeInput,
  parseLiteral: (node) => parseDateTimeInput(node.kind === Kind.STRING ? node.value : undefined),
});

builder.scalarType('Hex', {
  description: 'Bytes as a lowercase hexadecimal string.',
  serialize: (value) => Buffer.from(value).toString('hex'),
  parseValue: parseHex,
  parseLiteral: (node) => parseHex(node.kind === Kind.STRING ? node.value : undefined),
});

builder.scalarType('Money', {
  description: 'An amount in fen (0.01 yuan), as a decimal integer string.',
  serialize: (value) => value.toString(),
  parseValue: (value) => parseInteger(value, 'Money', -9_223_372_036_854_775_808n),
  parseLiteral: (node) => parseInteger(node.kind === Kind.STRING ? node.value : undefined, 'Money', -9_223_372_036_854_775_808n),
});

builder.scalarType('BigInt', {
  description: 'A 64-bit integer, as a decimal string.',
  serialize: (value) => value.toString(),
  parseValue: (value) => parseInteger(value, 'BigInt', -9_223_372_036_854_775_808n),
  parseLiteral: (node) => parseInteger(node.kind === Kind.STRING ? node.value : undefined, 'BigInt', -9_223_372_036_854_775_808n),
});

// An account with a one-time password reaches only the root fields that skip these scopes.
builder.queryType({ authScopes: { passwordSettled: true } });
builder.mutationType({ authScopes: { passwordSettled: true } });
builder.subscriptionType({ authScopes: { passwordSettled: true } });
