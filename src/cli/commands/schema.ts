import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { workflowJsonSchema } from '../../spec/json-schema.js';

/** schema [--out FILE] [--check]: writes (or checks) the JSON Schema generated from the spec's zod schema. */
export async function schemaCommand(cmd: Command): Promise<number> {
  const opts = cmd.opts<{ out?: string; check?: boolean }>();
  const text = JSON.stringify(workflowJsonSchema(), null, 2) + '\n';
  if (opts.check) {
    const file = opts.out ?? 'schema/workflow.schema.json';
    const have = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw new ConfigError(`cannot read the schema file (${e.code ?? 'error'})`, { place: { file }, fix: 'check the path given to --out and its permissions' });
    });
    if (have === undefined) {
      process.stderr.write(
        `flipgate: ${file} does not exist — write it with flipgate schema --out ${file}, ` +
          'or point $schema at the copy flipgate ships (node_modules/flipgate/schema/workflow.schema.json, as flipgate init writes it)\n',
      );
      return 1;
    }
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
