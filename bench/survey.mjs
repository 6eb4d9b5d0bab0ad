// Survey latency of the O8 workflow on the seed-state host: flipgate (as a user runs it) beside the
// same checks run serially by flipgate, by a bash script and by a Testinfra suite, with the floor.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { buildSeed, loadResolved, o8Workflow, openBenchDatabase } from './lib/fixture.mjs';
import { cli, fmtS, fmtX, median, min, repo, smoke, table, timeRun, timeVariants, verdict } from './lib/measure.mjs';
import { phasesFromProfile } from './lib/phases.mjs';
import { bashSuite, hostChecks, pyTestName, surveyChecks, testinfraSuite } from './lib/suites.mjs';
import { ensureTestinfra, python } from './lib/testinfra.mjs';

const runs = smoke ? 1 : Number(process.env.FLIPGATE_BENCH_RUNS ?? 7);
const say = (s = '') => process.stdout.write(`${s}\n`);
const note = (s) => process.stderr.write(`survey: ${s}\n`);

const db = await openBenchDatabase();
const seed = await buildSeed(db);
const work = await mkdtemp(path.join(tmpdir(), 'flipgate-bench-survey-'));
try {
  const wf = await loadResolved(o8Workflow, seed.env);
  const checks = surveyChecks(wf.spec);
  const host = hostChecks(checks);
  const bashFile = path.join(work, 'o8-survey.sh');
  const pyFile = path.join(work, 'test_o8_survey.py');
  await writeFile(bashFile, bashSuite(checks, seed.root), { mode: 0o755 });
  await writeFile(pyFile, testinfraSuite(checks, seed.root));
  const testinfra = ensureTestinfra(note);

  const store = path.join(work, 'state', 'o8.json');
  const survey = ['survey', '--workflow', 'machines/o8-production-readiness.yaml', '--root', seed.root, '--store', store];
  const env = seed.env;
  const variants = [
    { name: 'node', argv: [process.execPath, '-e', '0'] },
    { name: 'flipgate', argv: [process.execPath, cli, ...survey], env },
    { name: 'serial', argv: [process.execPath, cli, ...survey, '--concurrency', '1'], env },
    { name: 'bash', argv: ['bash', bashFile], env },
    ...(testinfra.ok
      ? [
          {
            name: 'testinfra',
            argv: [python, '-m', 'pytest', '-q', '-rA', '-p', 'no:cacheprovider', '--hosts=local://', pyFile],
            env,
            cwd: work,
          },
        ]
      : []),
  ];
  const expectCode = { node: [0], flipgate: [0, 1], serial: [0, 1], bash: [0], testinfra: [0, 1] };
  const { times, last } = await timeVariants(variants, runs, {
    check: (v, r) => {
      if (!expectCode[v.name].includes(r.code))
        throw new Error(`${v.name} exited ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
    },
  });

  // The verdicts the three agree on (approvals are ledger records, not host facts: flipgate only).
  const json = await timeRun([process.execPath, cli, ...survey, '--json'], { env });
  const report = JSON.parse(json.stdout);
  if (report.errors)
    throw new Error(`flipgate's survey of the seed host had ${report.errors} errored checks: the comparison would be meaningless`);
  // A check agrees when both sides give the same verdict, pass or fail (an error never agrees).
  const fg = new Map();
  fg.set('killSwitch', report.killSwitch.status === 'safe' ? true : report.killSwitch.status === 'enabled' ? false : undefined);
  const verdictOf = (c) => (c.status === 'pass' ? true : c.status === 'fail' ? false : undefined);
  for (const g of report.gaps) for (const c of g.checks) fg.set(`${g.id}/${c.id}`, verdictOf(c));
  for (const s of report.sections) for (const c of s.checks) fg.set(`${s.id}/${c.id}`, verdictOf(c));
  const bashPass = new Set(
    last.bash.stdout
      .split('\n')
      .filter((l) => l.startsWith('PASS '))
      .map((l) => l.slice(5)),
  );
  const pyPass = testinfra.ok
    ? new Set(
        last.testinfra.stdout
          .split('\n')
          .filter((l) => l.startsWith('PASSED '))
          .map((l) => l.split('::')[1]?.replace(/\[.*$/, '').trim()),
      )
    : undefined;
  const agreeBash = host.filter(({ ref }) => fg.get(ref) === bashPass.has(ref)).length;
  const agreePy = pyPass ? host.filter(({ ref }, i) => fg.get(ref) === pyPass.has(pyTestName(i, ref))).length : undefined;

  // The floor: Node's start-up plus the slowest single check, each check timed alone.
  // (Not spawnSync: an embedded Postgres is served by this process's event loop.)
  const single = await timeRun(
    [process.execPath, path.join(repo, 'bench', 'lib', 'single-checks.mjs'), o8Workflow, seed.root, String(smoke ? 1 : 5)],
    { env },
  );
  if (single.code !== 0) throw new Error(`timing single checks failed: ${single.stderr}`);
  const perCheck = JSON.parse(single.stdout).sort((a, b) => b.ms - a.ms);
  const slowest = perCheck[0];
  const nodeS = median(times.node);
  const floor = nodeS + slowest.ms / 1000;
  // A second bound for a small machine: the checks, each timed alone, spread perfectly over its cores.
  const cores = cpus().length;
  const spread = nodeS + perCheck.reduce((sum, c) => sum + c.ms, 0) / 1000 / cores;

  // One more run under the CPU profiler, to say where the time goes (profiling slows it a little).
  const profDir = path.join(work, 'profile');
  await timeRun([process.execPath, '--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', profDir, cli, ...survey], { env });
  const marks = ['main', 'cliSession', 'runChecks', 'roundEvents', 'printReport'];
  const ph = await phasesFromProfile(profDir, marks).catch(() => undefined);
  const phaseText = (() => {
    const at = ph && marks.map((n) => ph.first(n));
    if (!at || at.some((x) => x === undefined)) return undefined;
    const [mainAt, sessionAt, checksAt, recordAt, printAt] = at;
    const ms = (a, b) => `${Math.round(b - a)} ms`;
    return (
      `Where one profiled run's ${Math.round(ph.end)} ms go (from the profiler's start, part way into Node's start-up): to the CLI's main() ${ms(0, mainAt)}; arguments and the survey's modules ${ms(mainAt, sessionAt)}; ` +
      `the workflow (YAML parsed and validated), the lock and the view ${ms(sessionAt, checksAt)}; the checks ${ms(checksAt, recordAt)}; recording (events hashed, appended, fsynced) ${ms(recordAt, printAt)}; printing the tables and exit ${ms(printAt, ph.end)}.`
    );
  })();

  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  const kinds = [...new Set(checks.map((c) => c.check.kind))].length;
  say(`## Survey latency: the O8 workflow on the seed-state host`);
  say('');
  say(
    `${checks.length} checks of ${kinds} kinds (${host.length} host checks; ${checks.length - host.length} approvals read flipgate's ledger, so bash and Testinfra skip them); ${db.label}; median of ${runs} run${runs === 1 ? '' : 's'} each, interleaved, after a warm-up run; wall time of the whole command. flipgate parses and validates the workflow file on every run, checks its view against the ledger's last event, and appends the survey to its ledger (fsynced).`,
  );
  say('');
  const rows = [
    ['`node -e 0` (Node start-up)', fmtS(nodeS), fmtS(min(times.node)), fmtX(nodeS / floor), '—', ''],
    [`slowest single check (\`${slowest.ref}\`, ${slowest.kind}, timed alone)`, fmtS(slowest.ms / 1000), '', '', '', ''],
    ['**physical floor** (start-up + slowest check)', fmtS(floor), '', '1.00×', '', ''],
    [
      `start-up + all ${checks.length} checks' times alone ÷ ${cores} cores (a bound when checks compete for CPU)`,
      fmtS(spread),
      '',
      fmtX(spread / floor),
      '',
      '',
    ],
    [
      '**flipgate survey** (concurrency 8, the default)',
      fmtS(m.flipgate),
      fmtS(min(times.flipgate)),
      fmtX(m.flipgate / floor),
      '1.00×',
      `${checks.length}/${checks.length}`,
    ],
    [
      'flipgate survey `--concurrency 1` (serial)',
      fmtS(m.serial),
      fmtS(min(times.serial)),
      fmtX(m.serial / floor),
      fmtX(m.serial / m.flipgate),
      `${checks.length}/${checks.length}`,
    ],
    [
      'bash: psql, stat, test -d, gpg, grep (serial)',
      fmtS(m.bash),
      fmtS(min(times.bash)),
      fmtX(m.bash / floor),
      fmtX(m.bash / m.flipgate),
      `${agreeBash}/${host.length} agree`,
    ],
    testinfra.ok
      ? [
          'Testinfra (`py.test --hosts=local://`)',
          fmtS(m.testinfra),
          fmtS(min(times.testinfra)),
          fmtX(m.testinfra / floor),
          fmtX(m.testinfra / m.flipgate),
          `${agreePy}/${host.length} agree`,
        ]
      : ['Testinfra', 'not run', '', '', '', testinfra.why],
  ];
  say(table(['variant', 'median s', 'min s', '× floor', '× flipgate', 'checks'], rows));
  say('');
  say(
    `Slowest checks alone: ${perCheck
      .slice(0, 4)
      .map((c) => `${c.ref} ${c.ms.toFixed(1)} ms`)
      .join(', ')}.${testinfra.installed ? ' (python3-testinfra was installed with apt-get for this run.)' : ''}`,
  );
  if (phaseText) {
    say('');
    say(phaseText);
  }
  say('');
  const floorOk = m.flipgate <= 1.5 * floor;
  const tiOk = testinfra.ok ? m.flipgate < m.testinfra : undefined;
  say(
    `survey: flipgate ${fmtS(m.flipgate)} s = ${fmtX(m.flipgate / floor)} the floor of ${fmtS(floor)} s (target ≤ 1.50×: ${verdict(floorOk)}); ` +
      (testinfra.ok
        ? `${fmtX(m.testinfra / m.flipgate)} faster than Testinfra (${fmtS(m.testinfra)} s: ${verdict(tiOk)}); `
        : `Testinfra not run (${testinfra.why}); `) +
      `${fmtX(m.flipgate / m.bash)} bash (${fmtS(m.bash)} s); ${fmtX(m.flipgate / spread)} the ${cores}-core bound (${fmtS(spread)} s); serial ${fmtS(m.serial)} s`,
  );
} finally {
  await seed.cleanup();
  await db.drop();
  await rm(work, { recursive: true, force: true });
}
