import { readFile, stat } from 'node:fs/promises';
import { type Document, isCollection, isPair, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError, ConfigErrors } from '../errors.js';
import { digest, sha256 } from '../support/digest.js';
import { expandGroups, normalizeSpecNames } from './groups.js';
import { interpolate } from './interpolate.js';
import { describeIssue, type IssueText } from './issues.js';
import { locate } from './locate.js';
import { type Workflow, workflowSchema } from './schema.js';
import { checkSemantics } from './semantics.js';

export interface LoadedWorkflow {
  /** The file as given (for messages). */
  file: string;
  spec: Workflow;
  /** Values used for `${NAME}` (defaults overridden by the environment). */
  vars: Record<string, string>;
  /** SHA-256 of the resolved spec's canonical JSON: what flipgate enforces. */
  hash: string;
  /** SHA-256 of the file's bytes. */
  sourceHash: string;
}

/**
 * Reads, interpolates and validates a workflow spec.
 * @throws ConfigErrors — one line per problem, each with file:line:column, field and fix.
 * @example
 * const wf = await loadWorkflow('machines/o8-production-readiness.yaml');
 * wf.spec.gates.map((g) => g.id); // ['G1', 'G2', …]
 */
export async function loadWorkflow(file: string, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<LoadedWorkflow> {
  let text: string;
  let size = 0;
  try {
    size = (await stat(file)).size;
    // A file past the limit is not read into memory at all.
    text = size > yamlLimits.bytes ? '' : await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? 'workflow file does not exist' : `cannot read the workflow file (${code ?? 'error'})`, {
      place: { file },
      fix: 'check the path given to --workflow or FLIPGATE_WORKFLOW',
    });
  }
  if (size > yamlLimits.bytes) throw tooBig(size, file);
  return parseWorkflow(text, file, opts);
}

/** Bounds on a workflow file, so that a hostile one is refused with a clear line instead of exhausting memory or the stack. */
export const yamlLimits = { bytes: 1024 * 1024, depth: 64, aliases: 100 };

/** Like loadWorkflow, from text already read. */
export function parseWorkflow(text: string, file: string, opts: { env?: NodeJS.ProcessEnv } = {}): LoadedWorkflow {
  const { doc, lines, raw } = readYaml(text, file);
  return checkWorkflow(doc, lines, raw, text, file, opts);
}

/** Parses YAML within `yamlLimits`. @throws ConfigError naming the limit that was passed. */
export function readYaml(text: string, file: string): { doc: Document; lines: LineCounter; raw: unknown } {
  if (text.length > yamlLimits.bytes || Buffer.byteLength(text) > yamlLimits.bytes) throw tooBig(Buffer.byteLength(text), file);
  const lines = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    if (e instanceof RangeError) throw tooDeep({ file });
    throw e;
  }
  if (doc.errors.some((err) => /call stack/i.test(err.message))) throw tooDeep({ file });
  if (doc.errors.length) {
    throw new ConfigErrors(
      doc.errors.map((err) => {
        const pos = err.linePos?.[0] ?? lines.linePos(err.pos[0]);
        const msg = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        const fix =
          err.code === 'DUPLICATE_KEY' ? 'remove or rename one of the two keys' : 'fix the YAML syntax (indentation, quotes, colons)';
        return new ConfigError(`invalid YAML: ${msg}`, { place: { file, line: pos?.line, column: pos?.col }, fix });
      }),
    );
  }
  const deep = deepestNode(doc);
  if (deep) {
    const pos = deep.range ? lines.linePos(deep.range[0]) : undefined;
    throw tooDeep({ file, line: pos?.line, column: pos?.col });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: yamlLimits.aliases });
  } catch (e) {
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      throw new ConfigError(
        `YAML aliases expand past the limit of ${yamlLimits.aliases} (an alias of aliases grows exponentially, as in a "billion laughs" file)`,
        {
          place: { file },
          fix: 'write the values out, or use fewer aliases',
        },
      );
    }
    if (e instanceof RangeError) throw tooDeep({ file });
    throw e;
  }
  return { doc, lines, raw };
}

const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
const tooBig = (bytes: number, file: string) =>
  new ConfigError(`the workflow file is ${mib(bytes)}, more than the limit of ${mib(yamlLimits.bytes)}`, {
    place: { file },
    fix: 'a workflow is a few KiB: check that this is the right file',
  });

const tooDeep = (place: { file: string; line?: number; column?: number }) =>
  new ConfigError(`YAML nested more than ${yamlLimits.depth} levels deep (the limit)`, {
    place,
    fix: 'a workflow needs a handful of levels: flatten it',
  });

/** The first node nested deeper than the limit, found without recursion (the walk itself must not overflow). */
function deepestNode(doc: Document): Node | undefined {
  const stack: [unknown, number][] = [[doc.contents, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > yamlLimits.depth) return node as Node;
    if (isCollection(node)) {
      for (const item of node.items) {
        if (isPair(item)) {
          stack.push([item.key, depth + 1], [item.value, depth + 1]);
        } else stack.push([item, depth + 1]);
      }
    }
  }
  return undefined;
}

function checkWorkflow(
  doc: Document,
  lines: LineCounter,
  raw: unknown,
  text: string,
  file: string,
  opts: { env?: NodeJS.ProcessEnv },
): LoadedWorkflow {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('a workflow must be a YAML mapping with id, title, killSwitch, gates and gaps', {
      place: { file, line: 1 },
      fix: 'start from machines/o8-production-readiness.yaml',
    });
  }
  const { value, vars, issues: varIssues } = interpolate(raw, opts.env ?? process.env);
  const toErrors = (issues: IssueText[]) => issues.map((i) => issueError(i, doc, lines, file));
  const parsed = workflowSchema.safeParse(value);
  const schemaIssues = parsed.success ? [] : parsed.error.issues.flatMap((iss) => describeIssue(iss, value, doc));
  const all = [...varIssues, ...withoutEchoes(schemaIssues, varIssues)];
  if (parsed.success && !all.length) all.push(...checkSemantics(parsed.data));
  if (all.length) throw new ConfigErrors(dedupe(toErrors(all)));
  const spec = expandGroups(normalizeSpecNames(parsed.data!));
  return { file, spec, vars, hash: digest(spec), sourceHash: sha256(text) };
}

/** One problem as a ConfigError: "problem — fix" is split so that --json problems carry `fix`. */
export function issueError(i: IssueText, doc: Document, lines: LineCounter, file: string): ConfigError {
  const cut = i.problem.indexOf(' — ');
  const [problem, fix] = cut < 0 ? [i.problem, undefined] : [i.problem.slice(0, cut), i.problem.slice(cut + 3)];
  return new ConfigError(problem, { place: locate(doc, lines, file, i.path, i.key), ...(fix ? { fix } : {}) });
}

const samePath = (a: IssueText['path'], b: IssueText['path']) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Drops issues that only echo another: a value that failed because its `${VAR}` is undefined, and
 * "x is missing" when the same object has an unknown field that is a misspelling of x.
 */
function withoutEchoes(issues: IssueText[], varIssues: IssueText[]): IssueText[] {
  return issues.filter((i) => {
    if (varIssues.some((v) => samePath(v.path, i.path))) return false;
    const missing = /^"([^"]+)" is missing/.exec(i.problem)?.[1];
    if (missing && issues.some((o) => o.key !== undefined && samePath(o.path, i.path) && o.problem.includes(`did you mean "${missing}"`)))
      return false;
    return true;
  });
}

function dedupe(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (seen.has(e.message)) return false;
    seen.add(e.message);
    return true;
  });
}
