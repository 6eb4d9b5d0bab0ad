// Path-test generation as workflows grow: synthetic workflows of 9, 27 and 81 GAPs through flipgate's
// statechart (GAPs in sequence inside their gates), beside a naive product traversal of the same
// workflow (each GAP a parallel region), stopped at a time limit. Uses the built library: run
// `npm run build` first (FLIPGATE_LIB may name another entry module, e.g. src/index.ts under tsx).
//
//   node bench/model-scale.mjs [--sizes 9,27,81] [--naive-limit 60] [--repeat 5] [--max-ratio 12]
//
// Exit 1 when the largest size's generation takes more than --max-ratio times that of a third of
// its size, when coverage is below 100 %, or when any invariant is violated.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const here = path.dirname(fileURLToPath(import.meta.url));

// ── the naive traversal, run in a worker so that it can be stopped ──
if (!isMainThread) {
  const { and, createMachine, stateIn } = await import('xstate');
  const { getAdjacencyMap } = await import('@xstate/graph');
  const { gaps, gates, events } = workerData;
  const proves = (s, waivable) => s === 'CLOSED' || (s === 'WAIVED' && waivable);
  const regions = Object.fromEntries(
    gaps.map((g) => [
      g.id,
      {
        initial: 'unproven',
        states: {
          unproven: {
            on: { 'gap.verdict': { guard: ({ event }) => event.gap === g.id && proves(event.status, g.waivable), target: 'proven' } },
          },
          proven: {
            on: { 'gap.verdict': { guard: ({ event }) => event.gap === g.id && !proves(event.status, g.waivable), target: 'unproven' } },
          },
        },
      },
    ]),
  );
  const halt = { target: '#naive.progress.halted' };
  const progress = Object.fromEntries(
    gates.map((gate, i) => [
      gate.id,
      {
        on: {
          'gate.advance': {
            guard: and(gate.requires.map((id) => stateIn({ gaps: { [id]: 'proven' } }))),
            target: gates[i + 1]?.id ?? 'armed',
          },
        },
      },
    ]),
  );
  const machine = createMachine({
    id: 'naive',
    type: 'parallel',
    on: { disable: halt, 'killswitch.read': { guard: ({ event }) => event.reading !== 'safe', ...halt } },
    states: {
      gaps: { type: 'parallel', states: regions },
      progress: {
        initial: gates[0].id,
        states: {
          ...progress,
          armed: {
            on: { 'flip.start': { guard: ({ event }) => gaps.every((g) => proves(event.gaps[g.id], g.waivable)), target: 'flipped' } },
          },
          flipped: {},
          halted: { on: { resume: { guard: ({ event }) => event.reading === 'safe', target: gates[0].id } } },
        },
      },
    },
  });
  const seen = new Set();
  const started = performance.now();
  let told = started;
  const adjacency = getAdjacencyMap(machine, {
    serializeState: (s) => {
      const key = JSON.stringify(s.value);
      if (!seen.has(key)) {
        seen.add(key);
        if (performance.now() - told > 250) {
          told = performance.now();
          parentPort.postMessage({ progress: seen.size });
        }
      }
      return key;
    },
    events,
  });
  const states = Object.keys(adjacency).length;
  const transitions = Object.values(adjacency).reduce((n, a) => n + Object.keys(a.transitions).length, 0);
  parentPort.postMessage({ done: { states, transitions, ms: performance.now() - started } });
  process.exit(0);
}

// ── the main thread ──
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const smoke = process.env.FLIPGATE_BENCH_SMOKE === '1';
const sizes = opt('sizes', smoke ? '3,9' : '9,27,81')
  .split(',')
  .map(Number);
const naiveLimit = Number(opt('naive-limit', smoke ? '10' : '60'));
const repeat = Number(opt('repeat', smoke ? '1' : '5'));
const maxRatio = Number(opt('max-ratio', '12'));
const say = (s = '') => process.stdout.write(`${s}\n`);

const entry = process.env.FLIPGATE_LIB ? path.resolve(process.env.FLIPGATE_LIB) : path.join(here, '..', 'dist', 'index.js');
if (!existsSync(entry)) {
  process.stderr.write(`model-scale: ${path.relative(process.cwd(), entry)} does not exist — run npm run build first\n`);
  process.exit(2);
}
const lib = await import(pathToFileURL(entry).href);

/** A valid workflow of n GAPs in gates of three, with blockers inside and across gates and some GAPs not waivable. */
function syntheticWorkflow(n) {
  const id = (i) => `GAP-${i + 1}`;
  const gaps = Array.from({ length: n }, (_, i) => {
    const gate = Math.floor(i / 3);
    const pos = i % 3;
    const blockedBy = [];
    if (pos === 1 && i + 1 < n) blockedBy.push(id(i + 1)); // a blocker later in the same gate: proven first
    if (pos === 2 && gate > 0) blockedBy.push(id((gate - 1) * 3)); // a blocker proven by the previous gate
    return {
      id: id(i),
      title: `synthetic prerequisite ${i + 1}`,
      ...(blockedBy.length ? { blockedBy } : {}),
      ...(i % 4 === 3 ? { waivable: false } : {}),
      checks: [{ id: 'present', kind: 'file.contains', path: `/srv/synthetic/${id(i)}.txt`, pattern: '^ok$' }],
    };
  });
  const gates = Array.from({ length: Math.ceil(n / 3) }, (_, g) => ({
    id: `G${g + 1}`,
    title: `synthetic gate ${g + 1}`,
    requires: gaps.slice(g * 3, g * 3 + 3).map((x) => x.id),
  }));
  const spec = {
    id: `synthetic-${n}`,
    title: `Synthetic workflow of ${n} GAPs`,
    killSwitch: { id: 'switch', kind: 'file.contains', path: '/srv/synthetic/switch', pattern: '^disabled$' },
    gates,
    gaps,
  };
  // YAML is a superset of JSON: the spec goes through the same validation as a user's file.
  return lib.parseWorkflow(JSON.stringify(spec, null, 2), `synthetic-${n}.yaml`).spec;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** Runs the naive traversal in a worker; resolves with its size and time, or how far it got when stopped. */
function naiveTraversal(spec) {
  const plan = lib.buildMachine(spec).plan;
  const events = lib.modelEvents(plan);
  const gaps = spec.gaps.map((g) => ({ id: g.id, waivable: g.waivable !== false }));
  const gates = spec.gates.map((g) => ({ id: g.id, requires: g.requires }));
  return new Promise((resolve) => {
    const started = performance.now();
    let seen = 0;
    const worker = new Worker(fileURLToPath(import.meta.url), {
      workerData: { gaps, gates, events },
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    const timer = setTimeout(async () => {
      await worker.terminate();
      resolve({ stopped: `stopped at ${naiveLimit} s`, seen });
    }, naiveLimit * 1000);
    worker.on('message', (m) => {
      if (m.progress) seen = m.progress;
      if (m.done) {
        clearTimeout(timer);
        resolve(m.done);
      }
    });
    worker.on('error', (e) => {
      clearTimeout(timer);
      const secs = ((performance.now() - started) / 1000).toFixed(0);
      resolve({ stopped: e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `out of memory after ${secs} s` : `failed: ${e.message}`, seen });
    });
  });
}

say(
  `flipgate model scale — path-test generation from the statechart (median of ${repeat} rounds, sizes interleaved), naive product traversal stopped at ${naiveLimit} s`,
);
say();
const header = [
  'GAPs',
  'states',
  'transitions',
  'paths',
  'steps',
  'coverage',
  'generate ms',
  'run ms',
  'violations',
  'naive states',
  'naive transitions',
  'naive ms',
];
const specs = new Map(sizes.map((n) => [n, syntheticWorkflow(n)]));
// Generation is timed in interleaved rounds after a warm-up round, so that load from other processes
// spreads over every size; the heavier phases (running the paths, the naive traversal) come after.
const times = new Map(sizes.map((n) => [n, []]));
const generated = new Map();
for (let round = -1; round < repeat; round++) {
  for (const n of sizes) {
    const tests = lib.generatePathTests(specs.get(n));
    if (round >= 0) times.get(n).push(tests.ms.explore + tests.ms.generate);
    generated.set(n, tests);
  }
}
const rows = [];
const results = new Map();
for (const n of sizes) {
  const report = lib.runPathTests(generated.get(n));
  generated.delete(n);
  const naive = await naiveTraversal(specs.get(n));
  const c = report.coverage;
  const result = {
    n,
    ms: median(times.get(n)),
    paths: report.paths,
    steps: report.steps,
    coverage: c,
    failures: report.failures.length,
    naive,
  };
  results.set(n, result);
  rows.push([
    n,
    `${fmt(c.states.covered)}/${fmt(c.states.total)}`,
    `${fmt(c.transitions.covered)}/${fmt(c.transitions.total)}`,
    fmt(report.paths),
    fmt(report.steps),
    c.states.covered === c.states.total && c.transitions.covered === c.transitions.total ? '100%' : lib.formatCoverage(c),
    fmt(result.ms),
    fmt(report.ms.run),
    report.failures.length,
    naive.stopped ? `> ${fmt(naive.seen)}` : fmt(naive.states),
    naive.stopped ? '—' : fmt(naive.transitions),
    naive.stopped ?? fmt(naive.ms),
  ]);
}

const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
say(line(header));
say(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const r of rows) say(line(r));
say();

const all = [...results.values()];
const full = all.every(
  (r) => r.coverage.states.covered === r.coverage.states.total && r.coverage.transitions.covered === r.coverage.transitions.total,
);
const violations = all.reduce((n, r) => n + r.failures, 0);
const largest = Math.max(...sizes);
const third = results.get(largest / 3);
const big = results.get(largest);
let ratioText = `generation ratio not measured (needs sizes N and 3N; have ${sizes.join(', ')})`;
let ratioOk = true;
if (third) {
  const ratio = big.ms / third.ms;
  ratioOk = ratio <= maxRatio;
  ratioText = `${largest} GAPs generated in ${fmt(big.ms)} ms = ${ratio.toFixed(1)}× the ${third.n}-GAP run (limit ${maxRatio}×) ${ratioOk ? '✓' : '✗'}; paths ${(big.paths / third.paths).toFixed(1)}×, steps ${(big.steps / third.steps).toFixed(1)}×`;
}
const finished = all.filter((r) => !r.naive.stopped).map((r) => r.n);
say(
  `summary: ${ratioText}; coverage ${full ? '100% at every size' : 'below 100%'}; ${violations} invariant violation${violations === 1 ? '' : 's'}; naive traversal ${finished.length ? `finished for ${finished.join(', ')} GAPs only` : 'finished for no size'}`,
);
process.exitCode = ratioOk && full && violations === 0 ? 0 : 1;
