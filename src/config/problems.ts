/**
 * Every problem of a configuration at once: validation goes on past the first one and ends in one
 * BAD_CONFIG listing them all, each as `<file>:<line>:<col>: <path>: <problem>` (the form editors
 * and terminals turn into a link), so that two typos take one round of fixing, not two.
 *
 * The list is also in the error's detail, as JSON (`problems`), for programs; `field` and `file` there
 * are the first problem's, as they were when validation stopped at the first.
 */
import { ErrorCode, MySealError, isMySealError } from '../core/errors.ts';
import type { Origin } from './fields.ts';

/** The field of a problem with the file as a whole (not UTF-8, not YAML). */
export const FILE_FIELD = '(file)';

export interface Problem {
  /** The setting's path, `nodes.5.children.1.policy`; '(top level)' for the document itself, FILE_FIELD for the file. */
  readonly field: string;
  /** What is wrong, with which value when it is safe to show (fields.ts `show`). */
  readonly problem: string;
  readonly file?: string;
  /** 1-based, where the setting is written (or its closest enclosing setting, for a missing one). */
  readonly line?: number;
  readonly col?: number;
  /** 'MYSEAL_LISTEN' or '--listen' when the value came from there rather than the file. */
  readonly override?: string;
}

/** Where a setting is written in the file, by its path; undefined when it is not (or there is no text). */
export type Locate = (field: string) => { line: number; col: number } | undefined;

export class ConfigProblems {
  private readonly list: Problem[] = [];

  constructor(private readonly locate: Locate = () => undefined) {}

  get size(): number {
    return this.list.length;
  }

  /**
   * One problem per setting: a value with two faults (empty, and so not a topic) is one thing to fix.
   * `at` is where it is written when the setting's path does not say (a YAML syntax error).
   */
  add(field: string, problem: string, origin: Origin = {}, at = origin.override === undefined ? this.locate(field) : undefined): void {
    if (this.list.some((p) => p.field === field && p.override === origin.override && p.line === at?.line)) return;
    this.list.push({
      field,
      problem,
      ...(origin.file === undefined ? {} : { file: origin.file }),
      ...(at === undefined ? {} : { line: at.line, col: at.col }),
      ...(origin.override === undefined ? {} : { override: origin.override }),
    });
  }

  /**
   * fn's result; a BAD_CONFIG it throws (the parsers of URLs, addresses and paths throw one naming
   * the field) is recorded instead and `fallback` returned, so that checking goes on.
   */
  attempt<T>(fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (e) {
      if (!isMySealError(e, ErrorCode.BAD_CONFIG)) throw e;
      const { field, problem, file, override } = e.detail;
      this.add(String(field ?? '(unknown)'), typeof problem === 'string' ? problem : e.reason, {
        ...(typeof file === 'string' ? { file } : {}),
        ...(typeof override === 'string' ? { override } : {}),
      });
      return fallback;
    }
  }

  /** The one BAD_CONFIG listing every problem, in the order they are written in the file; nothing when there is none. */
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const sorted = this.list
      .map((p, i) => ({ p, i }))
      .sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || (a.p.col ?? 0) - (b.p.col ?? 0) || a.i - b.i)
      .map(({ p }) => p);
    throw configError(sorted);
  }
}

/** `<file>:<line>:<col>: <path>: <problem>`; without a file, `<path>: <problem>`. */
export function formatProblem(p: Problem): string {
  const at = p.file === undefined ? '' : p.line === undefined ? `${p.file}: ` : `${p.file}:${p.line}:${p.col ?? 1}: `;
  // The file's own problems (not YAML, not UTF-8) have the file for a subject, named already.
  const subject = p.field === FILE_FIELD && p.file !== undefined ? '' : `${p.override === undefined ? p.field : `${p.field} (from ${p.override})`}: `;
  return `${at}${subject}${p.problem}`;
}

/** A file of garbage can hold hundreds of problems; the first ones are what a reader acts on. */
const MAX_LISTED = 20;

export function configError(problems: readonly Problem[]): MySealError {
  const [first] = problems;
  if (first === undefined) throw new Error('configError needs a problem');
  const shown = problems.slice(0, MAX_LISTED).map(formatProblem);
  if (problems.length > MAX_LISTED) shown.push(`... and ${problems.length - MAX_LISTED} more`);
  const message = problems.length === 1 ? formatProblem(first) : `${problems.length} problems in ${first.file ?? 'the configuration'}:\n${shown.join('\n')}`;
  return new MySealError(ErrorCode.BAD_CONFIG, message, {
    field: first.field,
    ...(first.file === undefined ? {} : { file: first.file }),
    ...(first.override === undefined ? {} : { override: first.override }),
    count: problems.length,
    problems: JSON.stringify(problems.slice(0, MAX_LISTED)),
  });
}

/** The problems a BAD_CONFIG lists (one, made from its field and message, for an error from elsewhere). */
export function problemsOf(e: MySealError): Problem[] {
  const listed = e.detail.problems;
  if (typeof listed === 'string') return JSON.parse(listed) as Problem[];
  return [{ field: String(e.detail.field ?? '(unknown)'), problem: e.reason }];
}
