// Start-up: `flipgate --version` and `flipgate status` beside `node -e 0`.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSeed, openBenchDatabase } from './lib/fixture.mjs';
import { cli, fmtS, fmtX, median, min, smoke, table, timeRun, timeVariants, verdict } from './lib/measure.mjs';

const runs = smoke ? 1 : Number(process.env.FLIPGATE_BENCH_RUNS ?? 15);
const say = (s = '') => process.stdout.write(`${s}\n`);

const db = await openBenchDatabase();
const seed = await buildSeed(db);
const work = await mkdtemp(path.join(tmpdir(), 'flipgate-bench-startup-'));
try {
  const store = path.join(work, 'state', 'o8.json');
  const common = ['--workflow', 'machines/o8-production-readiness.yaml', '--store', store];
  const env = seed.env;
  // A ledger with a survey in it, as `status` usually finds it.
  const first = await timeRun([process.execPath, cli, 'survey', ...common, '--root', seed.root], { env });
  if (first.code !== 1) throw new Error(`the seed survey should exit 1 (not ready), got ${first.code}: ${first.stderr}`);
  // status only reads the view, so the view the survey wrote is put back before each plain status run.
  const view = path.join(work, 'state', 'o8.json');
  const written = await readFile(view);
  const variants = [
    { name: 'node', argv: [process.execPath, '-e', '0'] },
    { name: 'version', argv: [process.execPath, cli, '--version'] },
    { name: 'status', argv: [process.execPath, cli, 'status', ...common], env, before: () => writeFile(view, written) },
    { name: 'statusCold', argv: [process.execPath, cli, 'status', ...common], env, before: () => rm(view, { force: true }) },
  ];
  const { times } = await timeVariants(variants, runs, {
    check: (v, r) => {
      if (r.code !== 0) throw new Error(`${v.name} exited ${r.code}: ${r.stderr.trim()}`);
      if (v.name === 'status' && r.stderr) throw new Error(`status did not use its view: ${r.stderr.trim()}`);
    },
  });
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  say('## Start-up');
  say('');
  say(
    `Wall time of the whole command, median of ${runs} run${runs === 1 ? '' : 's'} each, interleaved, after a warm-up run. \`status\` reads the ledger of a survey of the O8 seed-state host (9 GAPs, 36 checks) and prints its GAP table.`,
  );
  say('');
  say(
    table(
      ['command', 'median s', 'min s', '× node -e 0'],
      [
        ['`node -e 0`', fmtS(m.node), fmtS(min(times.node)), '1.00×'],
        ['`flipgate --version`', fmtS(m.version), fmtS(min(times.version)), fmtX(m.version / m.node)],
        [
          "**`flipgate status`** (the workflow file read and parsed, validated only if the ledger never anchored its spec; the view checked against the ledger's last event)",
          fmtS(m.status),
          fmtS(min(times.status)),
          fmtX(m.status / m.node),
        ],
        [
          '`flipgate status`, the view deleted first (the ledger read, verified and folded)',
          fmtS(m.statusCold),
          fmtS(min(times.statusCold)),
          fmtX(m.statusCold / m.node),
        ],
      ],
    ),
  );
  say('');
  say(
    `startup: status ${fmtS(m.status)} s = ${fmtX(m.status / m.node)} node -e 0 (${fmtS(m.node)} s; target ≤ 3.00×: ${verdict(m.status <= 3 * m.node)}); ` +
      `--version ${fmtX(m.version / m.node)}; status without its view ${fmtX(m.statusCold / m.node)}`,
  );
} finally {
  await seed.cleanup();
  await db.drop();
  await rm(work, { recursive: true, force: true });
}
