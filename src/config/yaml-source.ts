/**
 * A config file's YAML text to a document, and where in the text each setting is written, so that
 * every problem can say `<file>:<line>:<col>`. Maps come back as Map so that keys keep their type
 * (a list used as a key is refused instead of being turned into text). Warnings are errors too: an
 * unknown tag (`!foo`) is a value the author meant as something we do not understand. The parser's
 * own messages quote the text around the problem, so only its error code and the place are reported.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Origin } from './fields.ts';
import { ConfigProblems, FILE_FIELD } from './problems.ts';
import type { Locate } from './problems.ts';
import { TOP_LEVEL } from './plain-document.ts';

export interface YamlSource {
  /** The document's value: null for an empty file (or one holding only comments). */
  readonly value: unknown;
  readonly locate: Locate;
}

/** The document, or a BAD_CONFIG listing every syntax problem with its line and column. */
export function readYaml(text: string, maxChars: number, origin: Origin): YamlSource {
  const problems = new ConfigProblems();
  const fail = (problem: string, at?: { line: number; col: number }): never => {
    problems.add(FILE_FIELD, problem, origin, at);
    return problems.throwIfAny() as never;
  };
  if (text.length > maxChars) fail(`is larger than ${maxChars} characters`);
  // Loaded only when there is text to parse (a synchronous require: loading the configuration is
  // synchronous); yaml's Node build is CommonJS, the same module an import would load.
  const yaml = createRequire(import.meta.url)('yaml') as typeof Yaml;
  const lines = new yaml.LineCounter();
  const at = (offset: number) => lines.linePos(offset);
  let docs;
  try {
    docs = yaml.parseAllDocuments(text, {
      schema: 'core',
      merge: false,
      uniqueKeys: true,
      prettyErrors: false,
      strict: true,
      logLevel: 'silent',
      intAsBigInt: false,
      lineCounter: lines,
    });
  } catch {
    return fail('is not valid YAML');
  }
  const [doc, second] = 'empty' in docs ? [] : docs;
  const found = 'empty' in docs ? [...docs.errors, ...docs.warnings] : (doc === undefined ? [] : [...doc.errors, ...doc.warnings]);
  // With a file the place leads the line (<file>:<line>:<col>); without one, the text says it.
  const where = (pos: { line: number }) => (origin.file === undefined ? ` at line ${pos.line}` : '');
  for (const problem of found) {
    const pos = at(problem.pos[0]);
    problems.add(FILE_FIELD, `is not valid YAML: ${problem.code}${where(pos)}`, origin, pos);
  }
  if (second !== undefined) {
    const pos = at(second.range[0]);
    problems.add(FILE_FIELD, `is not valid YAML: MULTIPLE_DOCS${where(pos)} (one document only)`, origin, pos);
  }
  problems.throwIfAny();
  if (doc === undefined) return { value: null, locate: () => undefined };
  let value: unknown;
  try {
    // maxAliasCount bounds "billion laughs" documents, whose aliases expand exponentially.
    value = doc.toJS({ mapAsMap: true, maxAliasCount: 100 });
  } catch {
    return fail('is not valid YAML (too many or circular aliases)');
  }
  return { value, locate: (field) => locateIn(yaml, doc.contents, field, at) };
}

/**
 * Where a setting's path (`nodes.5.children.1.kind`) is written: its key, or the list item. For a
 * path that is not all written (a missing setting), the deepest part that is.
 */
function locateIn(yaml: typeof Yaml, root: unknown, field: string, at: (offset: number) => { line: number; col: number }): ReturnType<Locate> {
  let node = root;
  let found: [number, ...number[]] | undefined = yaml.isNode(root) ? root.range ?? undefined : undefined;
  if (field !== TOP_LEVEL && field !== FILE_FIELD) {
    for (const key of field.split('.')) {
      if (yaml.isMap(node)) {
        const pair = node.items.find((p) => yaml.isScalar(p.key) && String(p.key.value) === key);
        if (pair === undefined) break;
        if (yaml.isNode(pair.key) && pair.key.range) found = pair.key.range;
        node = pair.value;
      } else if (yaml.isSeq(node) && /^[0-9]+$/.test(key)) {
        const item: unknown = node.items[Number(key)];
        if (!yaml.isNode(item)) break;
        if (item.range) found = item.range;
        node = item;
      } else {
        break;
      }
    }
  }
  return found === undefined ? undefined : at(found[0]);
}
