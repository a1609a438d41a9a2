/**
 * fast-check arbitraries driven by the schema: for any argument type, values that are
 * well typed (what a careful client sends, including edge cases the type allows: huge
 * strings, any Unicode, control characters, bad ids, boundary numbers) and values that
 * are not (a string for an Int, an out-of-range number, an unknown enum value, a missing
 * required input field, null where a value is required).
 */
import fc from 'fast-check';
import { isEnumType, isInputObjectType, isListType, isNonNullType, type GraphQLInputType } from 'graphql';
import { idArgumentValue, sampleValue } from './field-calls.ts';
import type { SecurityWorld } from './security-world.ts';

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

/** Strings a person, a careless client or an attacker might send. */
function hostileString(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\u001b[31m',
      '\u202eevil',
      '\ud800',
      'x\udc00y',
      '\r\n',
      "' or 1=1 --",
      '%s%n',
      '{"$gt": ""}',
      '../../etc/passwd',
      '张伟 3栋 2单元 1501',
      '🏠'.repeat(100),
      'NaN',
      '-0',
      '1e309',
    ),
    fc.integer({ min: 1, max: 70_000 }).map((length) => 'x'.repeat(length)),
  );
}

function idValue(name: string, world: SecurityWorld): fc.Arbitrary<string> {
  const uuid = fc.uuid();
  const worldIds = [
    world.community.id,
    world.other.id,
    world.spareHouseholdId,
    world.proposalId,
    world.encryptedProposalId,
    world.activityId,
    world.signupId,
    world.ratingSubjectId,
    world.ratingId,
    world.suggestionId,
    world.challengeId,
  ];
  return fc.oneof(
    fc.constant(idArgumentValue(name, world) ?? world.community.id),
    fc.constantFrom(...worldIds),
    uuid.map((id) => globalId('Community', id)),
    uuid.map((id) => globalId('Household', id)),
    uuid.map((id) => globalId('Nope', id)),
    fc.string({ maxLength: 30 }).map((text) => globalId('Community', text)),
    uuid,
    hostileString(),
  );
}

function intValue(wild: boolean): fc.Arbitrary<unknown> {
  const typed = fc.oneof(
    fc.integer({ min: -3, max: 100 }),
    fc.constantFrom(0, -1, 2_147_483_647, -2_147_483_648, 1_000_000),
    fc.integer(),
  );
  if (!wild) return typed;
  return fc.oneof(typed, fc.constantFrom(2_147_483_648, -2_147_483_649, 1.5, 1e20, '1', true));
}

function decimalString(wild: boolean): fc.Arbitrary<unknown> {
  const typed = fc.oneof(
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
    fc.constantFrom('0', '1', '-1', '100', '9223372036854775807', '-9223372036854775808'),
  );
  if (!wild) return typed;
  return fc.oneof(
    typed,
    fc.constantFrom('9223372036854775808', '1.5', '1e3', ' 1', '0x10', '', 5, null),
    hostileString(),
  );
}

function scalarValue(name: string, scalar: string, world: SecurityWorld, wild: boolean): fc.Arbitrary<unknown> {
  const plausible = fc.constant(sampleValue({ name: scalar } as never, name, world));
  const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.constant([1]), fc.double());
  const typed = (() => {
    switch (scalar) {
      case 'ID':
        return idValue(name, world);
      case 'Int':
        return intValue(false);
      case 'Float':
        return fc.double({ noNaN: true });
      case 'Boolean':
        return fc.boolean();
      case 'Money':
      case 'BigInt':
        return decimalString(false);
      case 'Hex':
        return fc.oneof(
          fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('hex')),
          fc.constantFrom('0', 'ABCD', 'zz'),
        );
      case 'DateTime':
        return fc.oneof(
          fc
            .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
            .map((date) => date.toISOString()),
          fc.constantFrom(
            '2026-02-30T00:00:00Z',
            '2026-01-01T00:00:00',
            '0000-01-01T00:00:00Z',
            '2026-01-01T24:00:00Z',
            '2026-01-01T00:00:60Z',
          ),
          hostileString(),
        );
      default:
        return fc.oneof(plausible, hostileString());
    }
  })();
  if (!wild) return fc.oneof(plausible, typed);
  if (scalar === 'Int') return intValue(true);
  if (scalar === 'Money' || scalar === 'BigInt') return decimalString(true);
  return fc.oneof(typed, wrongType);
}

/** A value for this input type: well typed, or (wild) possibly not. */
export function inputValue(
  type: GraphQLInputType,
  name: string,
  world: SecurityWorld,
  wild: boolean,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    const inner = inputValue(type.ofType, name, world, wild, depth);
    return wild ? fc.oneof({ weight: 6, arbitrary: inner }, { weight: 1, arbitrary: fc.constant(null) }) : inner;
  }
  const value = ((): fc.Arbitrary<unknown> => {
    if (isListType(type)) {
      const item = inputValue(type.ofType, name, world, wild, depth + 1);
      return fc.oneof(fc.array(item, { maxLength: 4 }), ...(wild ? [item] : []));
    }
    if (isEnumType(type)) {
      const names = type.getValues().map((value) => value.name);
      return wild
        ? fc.oneof(fc.constantFrom(...names), fc.constantFrom('NOT_A_VALUE', names[0]!.toLowerCase(), ''))
        : fc.constantFrom(...names);
    }
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields());
      if (depth > 3) return fc.constant({});
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const field of fields) record[field.name] = inputValue(field.type, field.name, world, wild, depth + 1);
      const required = fields.filter((field) => isNonNullType(field.type)).map((field) => field.name);
      const object = fc.record(record, { requiredKeys: wild ? [] : required });
      return wild
        ? fc.oneof(
            object,
            object.map((value) => ({ ...value, notAField: 1 })),
          )
        : object;
    }
    return scalarValue(name, type.name, world, wild);
  })();
  return value;
}

/** Nullable arguments are sometimes left out, sometimes null, usually given. */
export function maybeAbsent(type: GraphQLInputType, value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return value;
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 4, arbitrary: value },
  );
}
