// Times each check of a workflow on its own, with flipgate's own probes from dist/ (modules loaded,
// a fresh Postgres pool per run so a connection is part of the check), and prints JSON:
// [{ ref, kind, ms }] with the median of `runs` runs per check.
// Usage: node single-checks.mjs WORKFLOW ROOT RUNS   (the environment holds the workflow's vars)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore, loadWorkflow, openSession, probeFor } from '../../dist/index.js';
import { surveyChecks } from './suites.mjs';

const [file, root, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const wf = await loadWorkflow(file);
const scratch = await mkdtemp(path.join(tmpdir(), 'flipgate-bench-single-'));
const store = new FileStore(path.join(scratch, 'unused.json'), wf.spec.id);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function once(check) {
  const session = openSession({ workflow: wf, store, root, timeoutMs: 10_000 });
  const ac = new AbortController();
  const started = performance.now();
  try {
    await probeFor(check.kind).run(check, {
      host: session.host,
      env: process.env,
      postgres: session.postgres,
      signal: ac.signal,
      timeoutMs: 10_000,
      signoffs: [],
      excludedPrincipals: [],
    });
    return performance.now() - started;
  } finally {
    await session.close();
  }
}

const out = [];
for (const { ref, check } of surveyChecks(wf.spec)) {
  await once(check); // loads what the kind needs (pg, the child-process code) outside the timing
  const ms = [];
  for (let i = 0; i < runs; i++) ms.push(await once(check));
  out.push({ ref, kind: check.kind, ms: median(ms) });
}
await rm(scratch, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(out)}\n`);
