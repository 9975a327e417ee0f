/**
 * The schema library (zod), loaded on first use: a command that reads no config file (`myseal digit`
 * with flags only, run at every key press) never pays for it. Synchronous, as loading the
 * configuration is; zod's CommonJS build is the same library an import would load.
 */
import { createRequire } from 'node:module';
import type * as Z from 'zod';

export type Zod = typeof Z;

let loaded: Zod | undefined;

export function zod(): Zod {
  return (loaded ??= createRequire(import.meta.url)('zod') as Zod);
}
