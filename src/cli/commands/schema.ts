import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { workflowJsonSchema } from '../../spec/json-schema.js';

/** schema [--out FILE] [--check]: writes (or checks) the JSON Schema generated from the spec's zod schema. */
export async function schemaCommand(cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<{ out?: string; check?: boolean; json?: boolean }>();
  const say = (line: string, body: Record<string, unknown>) =>
    process.stdout.write(opts.json ? `${JSON.stringify({ schemaVersion: 1, ...body }, null, 2)}\n` : `${line}\n`);
  const text = `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`;
  if (opts.check) {
    const file = opts.out ?? 'schema/workflow.schema.json';
    const have = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw new ConfigError(`cannot read the schema file (${e.code ?? 'error'})`, {
        place: { file },
        fix: 'check the path given to --out and its permissions',
      });
    });
    if (have === undefined) {
      if (opts.json) say('', { file, state: 'missing' });
      process.stderr.write(
        `flipgate: ${file} does not exist — write it with flipgate schema --out ${file}, ` +
          'or point $schema at the copy flipgate ships (node_modules/flipgate/schema/workflow.schema.json, as flipgate init writes it)\n',
      );
      return 1;
    }
    if (have !== text) {
      if (opts.json) say('', { file, state: 'stale' });
      process.stderr.write(`flipgate: ${file} is out of date — run flipgate schema --out ${file}\n`);
      return 1;
    }
    say(`${file} is current`, { file, state: 'current' });
    return 0;
  }
  // Without --out the schema itself is the JSON output.
  if (!opts.out) process.stdout.write(text);
  else {
    await writeFile(opts.out, text);
    if (opts.json) say('', { written: opts.out });
  }
  return 0;
}
