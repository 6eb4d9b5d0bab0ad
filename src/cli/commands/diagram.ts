import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { seedStatus } from '../../demo/seed-status.js';
import { checkDiagrams, type DiagramFileState, writeDiagrams } from '../../diagram/catalog.js';
import { type DiagramFormat, renderDiagram } from '../../diagram/index.js';
import { ConfigError } from '../../errors.js';
import { readStatus } from '../../runner/actions/survey-advance.js';
import { loadWorkflow } from '../../spec/load.js';
import { type GlobalOptions, resolveWorkflowFile } from '../resolve.js';
import { cliSession } from '../session.js';

type DiagramOptions = GlobalOptions & { format: DiagramFormat; status?: boolean; out?: string; check?: boolean; write?: boolean };

const problem: Record<DiagramFileState['state'], string> = {
  current: 'is current',
  stale: 'is out of date',
  missing: 'is missing',
  orphan: 'was generated, but no workflow under machines/ draws it any more',
};

/** --check / --write: keep diagrams/ in step with the workflows under machines/. */
async function catalogCommand(opts: DiagramOptions): Promise<number> {
  if (opts.check && opts.write)
    throw new ConfigError('--check and --write exclude each other', { place: { field: '--check' }, fix: 'pass one of them' });
  if (opts.status || opts.out) {
    throw new ConfigError('--check and --write work on every diagram under diagrams/', {
      place: { field: opts.status ? '--status' : '--out' },
      fix: 'drop --status and --out, or drop --check/--write to draw one diagram',
    });
  }
  const states = opts.write ? await writeDiagrams({ statusOf: seedStatus }) : await checkDiagrams({ statusOf: seedStatus });
  if (!states.length)
    throw new ConfigError('no workflow found under ./machines/', {
      place: { field: 'machines/' },
      fix: 'run flipgate diagram from the project folder',
    });
  const bad = states.filter((s) => s.state !== 'current');
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify(
        { schemaVersion: 1, diagrams: states.map((s) => ({ path: s.path, state: s.state })), changed: opts.write ? bad.length : 0 },
        null,
        2,
      )}\n`,
    );
    return opts.write || !bad.length ? 0 : 1;
  }
  if (opts.write) {
    for (const s of bad) process.stdout.write(`${s.state === 'orphan' ? 'removed' : 'wrote'} ${s.path}\n`);
    process.stdout.write(
      `${states.length - bad.filter((s) => s.state === 'orphan').length} diagrams under diagrams/, ${bad.length} changed\n`,
    );
    return 0;
  }
  for (const s of bad) process.stderr.write(`flipgate: ${s.path} ${problem[s.state]} — run flipgate diagram --write\n`);
  if (!bad.length) process.stdout.write(`${states.length} diagrams under diagrams/ are current\n`);
  return bad.length ? 1 : 0;
}

const shown = (file: string) => {
  const rel = path.relative(process.cwd(), file);
  return (rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file).split(path.sep).join('/');
};

/** diagram: the gate graph drawn from the statechart, optionally coloured with the store's statuses. */
export async function diagramCommand(cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<DiagramOptions>();
  if (opts.check || opts.write) return catalogCommand(opts);
  const format = opts.format ?? 'mermaid';
  let text: string;
  if (opts.status) {
    const s = await cliSession(opts, { probes: false });
    try {
      text = await renderDiagram(s.wf.spec, { format, source: shown(s.wf.file), status: await readStatus(s) });
    } finally {
      await s.close();
    }
  } else {
    const wf = await loadWorkflow(await resolveWorkflowFile(opts));
    text = await renderDiagram(wf.spec, { format, source: shown(wf.file) });
  }
  if (opts.out) {
    await writeFile(opts.out, text);
    if (opts.json)
      process.stdout.write(`${JSON.stringify({ schemaVersion: 1, written: opts.out, format, status: !!opts.status }, null, 2)}\n`);
    else process.stdout.write(`wrote ${opts.out} (${format}${opts.status ? ', with status' : ''})\n`);
  } else if (opts.json) process.stdout.write(`${JSON.stringify({ schemaVersion: 1, format, status: !!opts.status, text }, null, 2)}\n`);
  else process.stdout.write(text);
  return 0;
}
