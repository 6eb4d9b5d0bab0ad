import { z } from 'zod';
import { workflowSchema } from './schema.js';

/** The JSON Schema editors use for autocompletion, generated from the same zod schema that validates. */
export function workflowJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(workflowSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://flipgate.dev/schema/workflow.schema.json',
    title: 'flipgate workflow',
    description: 'Generated from src/spec/schema.ts by `flipgate schema`; do not edit by hand.',
  };
}
