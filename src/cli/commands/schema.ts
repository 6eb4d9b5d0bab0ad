import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { workflowJsonSchema } from '../../spec/json-schema.js';

/** schema [--out FILE] [--check]: writes (or checks) the JSON Schema generated from the spec's zod schema. */
export async function schemaCommand(cmd: Command): Promise<number> {
  const opts = cmd.opts<{ out?: string; check?: boolean }>();
  const text = JSON.stringify(workflowJsonSchema(), null, 2) + '\n';
  if (opts.check) {
    const file = opts.out ?? 'schema/workflow.schema.json';
    const have = await readFile(file, 'utf8').catch(() => '');
    if (have !== text) {
      process.stderr.write(`flipgate: ${file} is out of date — run flipgate schema --out ${file}\n`);
      return 1;
    }
    process.stdout.write(`${file} is current\n`);
    return 0;
  }
  if (opts.out) await writeFile(opts.out, text);
  else process.stdout.write(text);
  return 0;
}
