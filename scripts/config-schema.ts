/**
 * Writes docs/config.schema.json, the JSON Schema of the config file, from the schema in
 * src/config/schema.ts:
 *
 *   npm run config-schema
 *
 * src/config/json-schema.test.ts fails while the committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/json-schema.ts';

const target = fileURLToPath(new URL('../docs/config.schema.json', import.meta.url));
writeFileSync(target, configJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
