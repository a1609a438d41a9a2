/**
 * The floor for every String a client sends: a Pothos plugin that checks each argument
 * and input field of type String — at any depth of input objects and lists, on every
 * field of every type, whether or not the field declares a `validate` rule — with
 * `stringInputProblem` (src/text-input.ts): no unpaired surrogate, no bidirectional
 * control, no control character but `\t`, `\n` and `\r`. A failure is an
 * InvalidInputError naming the parameter (`name`, `activity.title`, `options.0.label`),
 * thrown as an argument mapper like the validation plugin's, so it is a typed result in
 * a mutation's union and an error with `extensions.parameter` in a query, and it comes
 * before any resolver or database work.
 *
 * Text a person types keeps its fuller rule (`textArgument`: lengths, line breaks, NFC);
 * this plugin is what makes a field that forgot it, or a code, cursor or proof argument
 * that is not text at all, still unable to carry a Trojan-Source name or a lone surrogate
 * that the database would silently turn into U+FFFD.
 */
import SchemaBuilder, {
  BasePlugin,
  mapInputFields,
  unwrapInputFieldType,
  type InputFieldMapping,
  type InputFieldsMapping,
  type PothosOutputFieldConfig,
  type SchemaTypes,
} from '@pothos/core';
import { InvalidInputError } from '../domain-error.ts';
import { stringInputProblem } from '../text-input.ts';

type StringFields = InputFieldsMapping<SchemaTypes, true>;

function checkValue(value: unknown, mapping: InputFieldMapping<SchemaTypes, true>, path: string, depth: number): void {
  if (value === null || value === undefined) return;
  if (depth < mapping.listDepth && Array.isArray(value)) {
    value.forEach((item, index) => checkValue(item, mapping, `${path}.${index}`, depth + 1));
    return;
  }
  if (mapping.kind === 'Scalar' && typeof value === 'string') {
    const problem = stringInputProblem(value);
    if (problem) throw new InvalidInputError(path, problem);
  } else if (mapping.kind === 'InputObject' && mapping.fields.map && typeof value === 'object') {
    checkObject(value as Record<string, unknown>, mapping.fields.map, `${path}.`);
  }
}

function checkObject(values: Record<string, unknown>, fields: StringFields, prefix: string): void {
  for (const [name, mapping] of fields) checkValue(values[name], mapping, `${prefix}${name}`, 0);
}

export class StringArgumentsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    const strings = mapInputFields(fieldConfig.args, this.buildCache, (field) =>
      this.buildCache.getTypeConfig(unwrapInputFieldType(field.type)).name === 'String' ? true : null,
    );
    if (!strings) return fieldConfig;
    const map = strings as unknown as StringFields;
    return {
      ...fieldConfig,
      // First, before the other plugins' mappers (a global id decoded, a zod rule), so a
      // bad String is named even when another argument is also wrong.
      argMappers: [
        (args) => {
          checkObject(args, map, '');
          return args;
        },
        ...fieldConfig.argMappers,
      ],
    };
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Pothos plugins are typed by merging into its global namespace.
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      stringArguments: StringArgumentsPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin('stringArguments', StringArgumentsPlugin);

export const STRING_ARGUMENTS_PLUGIN = 'stringArguments' as const;
