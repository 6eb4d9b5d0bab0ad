import { z } from 'zod';
import { workflowSchema } from './schema.js';

type Node = Record<string, unknown>;

/** A `${NAME}` placeholder that is not the literal `$${`. */
const placeholderPattern = '(^|[^$])\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}';

const placeholder: Node = {
  type: 'string',
  pattern: placeholderPattern,
  description: 'holds a ${NAME} placeholder: `flipgate validate` checks the value once it is substituted',
};

const isObject = (v: unknown): v is Node => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The validator substitutes `${NAME}` in every string value before it checks it, so the editor's schema
 * must let a placeholder stand wherever a constrained string goes (a path, a mode, a name, an id…).
 * A check's `kind` is the exception: it picks which fields a check has, so it stays literal.
 */
function allowPlaceholders(node: unknown, key?: string): unknown {
  if (Array.isArray(node)) return node.map((x) => allowPlaceholders(x));
  if (!isObject(node)) return node;
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'propertyNames')
      out[k] = v; // keys are never substituted
    else if (k === 'properties' && isObject(v))
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, name === 'vars' ? s : allowPlaceholders(s, name)]));
    else out[k] = allowPlaceholders(v);
  }
  const constrained = out.type === 'string' && ('pattern' in out || 'enum' in out || 'const' in out);
  if (!constrained || key === 'kind') return out;
  const { description, ...literal } = out;
  return { ...(description === undefined ? {} : { description }), anyOf: [literal, { $ref: '#/$defs/placeholder' }] };
}

/** The JSON Schema editors use for autocompletion, generated from the same zod schema that validates. */
export function workflowJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(workflowSchema, { io: 'input', target: 'draft-2020-12' }) as Node;
  const out = allowPlaceholders(schema) as Node;
  return {
    ...out,
    $defs: { ...(isObject(out.$defs) ? out.$defs : {}), placeholder },
    $id: 'https://flipgate.dev/schema/workflow.schema.json',
    title: 'flipgate workflow',
    description: 'Generated from src/spec/schema.ts by `flipgate schema`; do not edit by hand.',
  };
}
