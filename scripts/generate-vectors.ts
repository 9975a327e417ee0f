/** Writes test/vectors/seal-v1.json from src/protocol/vectors.ts. Run: npx tsx scripts/generate-vectors.ts */
import { writeFileSync } from 'node:fs';
import { buildSealV1Vectors } from '../test/vectors/vectors.ts';

const path = new URL('../test/vectors/seal-v1.json', import.meta.url);
writeFileSync(path, `${JSON.stringify(buildSealV1Vectors(), null, 2)}\n`);
console.log(`wrote ${path.pathname}`);
