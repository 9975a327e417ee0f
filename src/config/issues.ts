/**
 * The schema's findings as problems: one per setting, named by its path, unknown settings each on
 * their own with the known name they most likely meant.
 */
import type * as Z from 'zod';
import { isSecretFieldName } from '../core/secret-fields.ts';
import { didYouMean } from './did-you-mean.ts';
import { join, show } from './fields.ts';
import type { Origin } from './fields.ts';
import { TOP_LEVEL } from './plain-document.ts';
import type { ConfigProblems } from './problems.ts';
import { zod } from './zod.ts';

type Path = readonly PropertyKey[];

export function fieldOf(path: Path): string {
  return path.length === 0 ? TOP_LEVEL : path.reduce<string>((field, key) => join(field, String(key)), '');
}

/** Records each issue of a failed parse of `root` as a problem. */
export function recordIssues(issues: readonly Z.core.$ZodIssue[], root: Z.ZodType, problems: ConfigProblems, origin: Origin, prefix: Path = []): void {
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(root, path);
      for (const key of issue.keys) {
        const meant = didYouMean(key, known);
        // The unknown setting's value is never repeated: someone may have pasted a token there.
        const problem = meant === undefined ? `unknown setting (expected one of ${known.join(', ')})` : `unknown setting (did you mean '${meant}'?)`;
        problems.add(fieldOf([...path, key]), problem, origin);
      }
    } else if (issue.code === 'invalid_key') {
      // A record's key (a node or child id): its own check says what is wrong with it.
      problems.add(fieldOf(path), issue.issues[0]?.message ?? issue.message, origin);
    } else if (issue.code === 'invalid_union') {
      // `allow: 10.0.0.1` or `allow: [...]`: the problems of the form that was written, not of both.
      const meant = issue.errors.find((option) => option.some((i) => i.path.length > 0 || i.code !== 'invalid_type'));
      // The one union is controllers.allow.
      if (meant === undefined) problems.add(fieldOf(path), `${show(issue.input)} is not an IP address, a network or a list of them`, origin);
      else recordIssues(meant, root, problems, origin, path);
    } else {
      problems.add(fieldOf(path), hideSecret(path, issue.message, issue.input), origin);
    }
  }
}

/** A setting whose name says it holds a secret (key, token, password) never has its value shown. */
function hideSecret(path: Path, message: string, input: unknown): string {
  const last = path.at(-1);
  if (typeof last !== 'string' || !isSecretFieldName(last)) return message;
  // show() gives only a kind ("a list") for anything but short text, numbers and booleans.
  return typeof input === 'string' || typeof input === 'number' ? message.replaceAll(show(input), 'the value') : message;
}

/** The names a map of settings at `path` knows, for "did you mean" and "expected one of". */
export function keysAt(root: Z.ZodType, path: Path): string[] {
  const z = zod();
  let schema: unknown = root;
  let i = 0;
  for (;;) {
    if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) schema = schema.unwrap();
    else if (schema instanceof z.ZodPipe) schema = schema.in;
    else if (i === path.length) break;
    else if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, unknown>)[String(path[i++])];
    else if (schema instanceof z.ZodRecord || schema instanceof z.ZodArray) {
      // Any id or index leads to the same schema.
      schema = schema instanceof z.ZodRecord ? schema.valueType : schema.element;
      i++;
    } else return [];
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}
