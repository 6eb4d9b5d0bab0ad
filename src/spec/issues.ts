import type { Document } from 'yaml';
import type { z } from 'zod';
import { type ProbeKindName, probeFor, probeKinds } from '../probes/index.js';
import { closest, type Path, sourceText } from './locate.js';
import { gapSchema, gateSchema, paramShapes, sectionSchema, workflowSchema } from './schema.js';

const checkBaseKeys = ['id', 'kind', 'title', 'timeoutMs'];

/** The field names allowed at a path, for "did you mean" on an unknown field. */
function allowedKeys(value: unknown, path: Path): string[] {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  const isSwitch = path[0] === 'killSwitch' && path.length === 1;
  const isCheck =
    isSwitch || (path[0] === 'killSwitch' && last === 'enabled' && path.length === 2) || (typeof last === 'number' && parent === 'checks');
  if (isCheck) {
    const kind = (value as { kind?: unknown } | undefined)?.kind;
    const known = typeof kind === 'string' && probeFor(kind) !== undefined;
    return [...checkBaseKeys, ...(known ? Object.keys(paramShapes[kind as ProbeKindName]) : []), ...(isSwitch ? ['enabled'] : [])];
  }
  if (path.length === 0) return Object.keys(workflowSchema.shape);
  if (typeof last === 'number' && parent === 'gaps') return Object.keys(gapSchema.shape);
  if (typeof last === 'number' && parent === 'gates') return Object.keys(gateSchema.shape);
  if (typeof last === 'number' && parent === 'sections') return Object.keys(sectionSchema.shape);
  return [];
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const p of path) v = v == null ? undefined : (v as Record<string | number, unknown>)[p];
  return v;
}

const typeWord = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `the ${typeof v} ${JSON.stringify(v)}`;

export interface IssueText {
  path: Path;
  key?: string;
  problem: string;
}

/** Turns one zod issue into a sentence that says what was expected, what was found and the fix. */
export function describeIssue(issue: z.core.$ZodIssue, root: unknown, doc: Document): IssueText[] {
  const path = issue.path as Path;
  const field = String(path[path.length - 1] ?? 'the workflow');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const here = valueAt(root, path);
      const allowed = allowedKeys(here, path);
      return issue.keys.map((key) => {
        const guess = closest(key, allowed);
        const hint = guess ? `did you mean "${guess}"?` : allowed.length ? `allowed here: ${allowed.join(', ')}` : 'remove it';
        return { path, key, problem: `unknown field "${key}" — ${hint}` };
      });
    }
    case 'invalid_union': {
      if ((issue as { discriminator?: string }).discriminator === 'kind') {
        const kind = valueAt(root, path);
        if (kind === undefined)
          return [{ path: path.slice(0, -1), problem: `a check has no "kind" — add kind: one of ${probeKinds.join(', ')}` }];
        const guess = typeof kind === 'string' ? closest(kind, probeKinds) : undefined;
        return [
          {
            path,
            problem: `unknown check kind ${JSON.stringify(kind)} — ${guess ? `did you mean "${guess}"? ` : ''}known kinds: ${probeKinds.join(', ')}`,
          },
        ];
      }
      return [{ path, problem: `${issue.message} — fix the value` }];
    }
    case 'invalid_type': {
      const found = valueAt(root, path);
      if (found === undefined)
        return [
          {
            path: path.slice(0, -1),
            key: undefined,
            problem: `"${field}" is missing — add ${field}: (${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`})`,
          },
        ];
      if (issue.expected === 'string' && typeof found === 'number') {
        const src = sourceText(doc, path) ?? String(found);
        const why = src !== String(found) ? `YAML reads ${src} as the number ${found}` : `${src} is a number`;
        return [{ path, problem: `expected a string, found a number (${why}) — quote it: ${field}: "${src}"` }];
      }
      return [
        {
          path,
          problem: `expected ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}, found ${typeWord(found)} — fix the value`,
        },
      ];
    }
    case 'too_small':
      if (issue.origin === 'array')
        return [
          { path, problem: `must list at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'} — add one or remove the field` },
        ];
      if (issue.origin === 'string') return [{ path, problem: 'must not be empty — give a value' }];
      return [{ path, problem: `must be at least ${issue.minimum} — fix the value` }];
    case 'invalid_value':
      return [
        {
          path,
          problem: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${typeWord(valueAt(root, path))} — use one of them`,
        },
      ];
    case 'invalid_format': {
      // "must be X — write it like Y" becomes "must be X, found Z — write it like Y".
      const [rule, fix] = issue.message.split(' — ');
      return [{ path, problem: `${rule}, found ${typeWord(valueAt(root, path))} — ${fix ?? 'fix the value'}` }];
    }
    default:
      return [{ path, problem: `${issue.message} — fix the value` }];
  }
}
