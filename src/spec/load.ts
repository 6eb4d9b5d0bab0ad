import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, ConfigErrors } from '../errors.js';
import { digest, sha256 } from '../support/digest.js';
import { expandGroups } from './groups.js';
import { interpolate } from './interpolate.js';
import { describeIssue, type IssueText } from './issues.js';
import { locate } from './locate.js';
import { checkSemantics } from './semantics.js';
import { workflowSchema, type Workflow } from './schema.js';

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
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? 'workflow file does not exist' : `cannot read the workflow file (${code ?? 'error'})`, {
      place: { file },
      fix: 'check the path given to --workflow or FLIPGATE_WORKFLOW',
    });
  }
  return parseWorkflow(text, file, opts);
}

/** Like loadWorkflow, from text already read. */
export function parseWorkflow(text: string, file: string, opts: { env?: NodeJS.ProcessEnv } = {}): LoadedWorkflow {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigErrors(
      doc.errors.map((err) => {
        const pos = err.linePos?.[0] ?? lines.linePos(err.pos[0]);
        const msg = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        const fix = err.code === 'DUPLICATE_KEY' ? 'remove or rename one of the two keys' : 'fix the YAML syntax (indentation, quotes, colons)';
        return new ConfigError(`invalid YAML: ${msg}`, { place: { file, line: pos?.line, column: pos?.col }, fix });
      }),
    );
  }
  const raw = doc.toJS() as unknown;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('a workflow must be a YAML mapping with id, title, killSwitch, gates and gaps', { place: { file, line: 1 }, fix: 'start from machines/o8-production-readiness.yaml' });
  }
  const { value, vars, issues: varIssues } = interpolate(raw, opts.env ?? process.env);
  const toErrors = (issues: IssueText[]) => issues.map((i) => new ConfigError(i.problem, { place: locate(doc, lines, file, i.path, i.key) }));
  const parsed = workflowSchema.safeParse(value);
  const schemaIssues = parsed.success ? [] : parsed.error.issues.flatMap((iss) => describeIssue(iss, value, doc));
  const all = [...varIssues, ...withoutEchoes(schemaIssues, varIssues)];
  if (parsed.success && !all.length) all.push(...checkSemantics(parsed.data));
  if (all.length) throw new ConfigErrors(dedupe(toErrors(all)));
  const spec = expandGroups(parsed.data!);
  return { file, spec, vars, hash: digest(spec), sourceHash: sha256(text) };
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
    if (missing && issues.some((o) => o.key !== undefined && samePath(o.path, i.path) && o.problem.includes(`did you mean "${missing}"`))) return false;
    return true;
  });
}

function dedupe(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true)));
}
