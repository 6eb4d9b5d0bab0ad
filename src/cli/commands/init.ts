import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { shippedSchema } from '../../demo/locate.js';
import { ConfigError } from '../../errors.js';
import { idPattern } from '../../spec/schema.js';
import { starterWorkflow } from '../../spec/starter.js';

/** A workflow id from the project folder's name, as `npm init` names a package after its folder. */
function idFromFolder(dir: string): string {
  const id = path
    .basename(dir)
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[^A-Za-z]+/, '');
  return id || 'go-live';
}

/**
 * The schema editors should load: the project's own install of flipgate when it has one (it matches the
 * version the project runs and works offline), else the copy beside the running flipgate.
 */
async function schemaFor(): Promise<{ file: string; installed: boolean }> {
  const local = path.resolve('node_modules', 'flipgate', 'schema', 'workflow.schema.json');
  const installed = await access(local).then(
    () => true,
    () => false,
  );
  return { file: installed ? local : await shippedSchema(), installed };
}

/** init [ID] [--out FILE]: writes a starter workflow whose $schema line works from this project; never overwrites. */
export async function initCommand(given: string | undefined, cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<{ out?: string; json?: boolean }>();
  const id = given ?? idFromFolder(process.cwd());
  if (!idPattern.test(id)) {
    throw new ConfigError(`"${id}" cannot be a workflow id`, {
      fix: 'start it with a letter and use only letters, digits, - and _ (like web-go-live)',
    });
  }
  const out = opts.out ?? path.join('machines', `${id}.yaml`);
  const schema = await schemaFor();
  let ref = path
    .relative(path.dirname(path.resolve(out)), schema.file)
    .split(path.sep)
    .join('/');
  if (!ref.startsWith('.')) ref = `./${ref}`;
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  try {
    await writeFile(out, starterWorkflow(id, ref), { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new ConfigError('already exists; flipgate init never overwrites a workflow', {
        place: { file: out },
        fix: 'give another ID or --out FILE, or move the file away first',
      });
    throw new ConfigError(`cannot write the workflow (${code ?? 'error'})`, {
      place: { file: out },
      fix: 'check that the folder is writable',
    });
  }
  if (opts.json) process.stdout.write(`${JSON.stringify({ schemaVersion: 1, written: out, workflow: id, schema: ref }, null, 2)}\n`);
  else
    process.stdout.write(
      `wrote ${out}: workflow ${id} (2 gates, 2 GAPs), $schema=${ref}\nnext: edit it, then flipgate validate ${out} and flipgate survey\n`,
    );
  if (!schema.installed) {
    process.stderr.write(
      `flipgate: note: flipgate is not installed in this project, so the $schema line points at ${schema.file}; ` +
        'after npm install --save-dev flipgate, change it to node_modules/flipgate/schema/workflow.schema.json (relative to the file)\n',
    );
  }
  return 0;
}
