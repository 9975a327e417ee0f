/**
 * The JSON Schema of the config file, generated from the one schema (schema.ts) so that what an
 * editor completes and flags is what `myseal serve` accepts. Committed as docs/config.schema.json
 * (`npm run config-schema` writes it; a test fails when it is stale). Draft 7: the draft editors'
 * YAML and JSON language servers support best.
 *
 * Values with a syntax of their own (HOST:PORT, URLs) are strings here: their parser's checks are
 * the validator's, with its messages, as are the rules between settings.
 */
import { configSchema } from './schema.ts';
import { zod } from './zod.ts';

export const CONFIG_SCHEMA_ID = 'https://github.com/myseal/myseal/blob/main/docs/config.schema.json';

export function configJsonSchema(): Record<string, unknown> {
  const generated = zod().toJSONSchema(configSchema(), { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  return {
    $schema: generated.$schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'MySeal configuration',
    description: 'The configuration of `myseal serve` (docs/config.example.yaml explains every setting).',
    ...Object.fromEntries(Object.entries(generated).filter(([key]) => key !== '$schema')),
  };
}

/** The file's text: what docs/config.schema.json must hold. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
