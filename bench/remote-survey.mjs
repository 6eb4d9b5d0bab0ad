// The O8 survey over SSH: flipgate surveying the seed-state host through `--target ssh://…` to a
// throw-away sshd on 127.0.0.1, beside the same survey run locally (`--root`), and beside the same
// host checks as a Testinfra suite over SSH (`py.test --hosts=ssh://…`, Debian's python3-testinfra,
// installed with apt-get when missing), with peak memory. The target is this machine, so the
// difference is the SSH transport alone. Skipped, with the reason, when sshd cannot run here.
//   FLIPGATE_BENCH_RUNS=N   runs of each variant (default 7)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { buildSeed, loadResolved, o8Workflow, openBenchDatabase } from './lib/fixture.mjs';
import { cli, fmtMB, fmtS, fmtX, median, min, peakRss, rssOf, smoke, table, timeRun, timeVariants, verdict } from './lib/measure.mjs';
import { hostChecks, pyTestName, surveyChecks, testinfraSuite } from './lib/suites.mjs';
import { ensureTestinfra, python } from './lib/testinfra.mjs';

const runs = smoke ? 1 : Number(process.env.FLIPGATE_BENCH_RUNS ?? 7);
const say = (s = '') => process.stdout.write(`${s}\n`);
const note = (s) => process.stderr.write(`remote-survey: ${s}\n`);
const { sshdUnavailable, startSshd } = await tsImport('../test/support/sshd.ts', import.meta.url);

const why = sshdUnavailable();
if (why) {
  say(`remote-survey: skipped (${why})`);
  process.exit(0);
}

/**
 * The survey's Testinfra suite made to run over SSH: psql gets the database's PG* settings on its
 * command line (an SSH session does not inherit them), and gpg's throw-away copy of the keyring is
 * made on the target, as flipgate makes it.
 */
function overSsh(suite, pgEnv) {
  const vars = ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE', 'PGSSLMODE'].filter((k) => pgEnv[k]);
  return suite
    .replace(
      'host.check_output("psql -X -q -At -c %s", sql)',
      `host.check_output("${vars.map((k) => `${k}=%s`).join(' ')} psql -X -q -At -c %s", ${vars.map((k) => JSON.stringify(pgEnv[k])).join(', ')}, sql)`,
    )
    .replaceAll('tmp = tempfile.mkdtemp()', 'tmp = host.check_output("mktemp -d")')
    .replaceAll('for n in rings: shutil.copy(home + "/" + n, tmp)', 'for n in rings: host.check_output("cp %s %s", home + "/" + n, tmp)')
    .replaceAll('shutil.rmtree(tmp)', 'host.check_output("rm -rf %s", tmp)');
}

const sshd = await startSshd();
const db = await openBenchDatabase();
const seed = await buildSeed(db);
const work = await mkdtemp(path.join(tmpdir(), 'flipgate-bench-remote-'));
try {
  const wf = await loadResolved(o8Workflow, seed.env);
  const checks = surveyChecks(wf.spec);
  const host = hostChecks(checks);
  const pyFile = path.join(work, 'test_o8_remote.py');
  await writeFile(pyFile, overSsh(testinfraSuite(checks, seed.root), seed.env));
  const testinfra = ensureTestinfra(note);

  const env = { ...seed.env, FLIPGATE_SSH_CONFIG: sshd.configFile };
  const survey = (store) => ['survey', '--workflow', o8Workflow, '--root', seed.root, '--store', path.join(work, 'state', `${store}.json`)];
  const variants = [
    { name: 'local', argv: [process.execPath, cli, ...survey('local')], env },
    { name: 'remote', argv: [process.execPath, cli, ...survey('remote'), '--target', 'ssh://target'], env },
    ...(testinfra.ok
      ? [
          {
            name: 'testinfra',
            argv: [
              python,
              '-m',
              'pytest',
              '-q',
              '-rA',
              '-p',
              'no:cacheprovider',
              '--hosts=ssh://target',
              `--ssh-config=${sshd.configFile}`,
              pyFile,
            ],
            env,
            cwd: work,
          },
        ]
      : []),
  ];
  const { times, last } = await timeVariants(variants, runs, {
    warmup: smoke ? 0 : 1,
    check: (v, r) => {
      if (![0, 1].includes(r.code))
        throw new Error(`${v.name} exited ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
    },
  });

  // Both surveys must see the same host: the same verdict for every check, and no error.
  const reports = {};
  for (const v of variants.slice(0, 2)) reports[v.name] = JSON.parse((await timeRun([...v.argv, '--json'], { env })).stdout);
  const verdicts = (r) =>
    JSON.stringify([
      r.killSwitch.status,
      ...r.gaps.flatMap((g) => [g.status, ...g.checks.map((c) => c.status)]),
      ...r.sections.flatMap((s) => s.checks.map((c) => c.status)),
    ]);
  if (reports.remote.errors || verdicts(reports.remote) !== verdicts(reports.local))
    throw new Error(`the survey over SSH did not see what the local survey saw (${reports.remote.errors} errors)`);
  const fg = new Map();
  for (const g of reports.remote.gaps) for (const c of g.checks) fg.set(`${g.id}/${c.id}`, c.status === 'pass');
  for (const s of reports.remote.sections) for (const c of s.checks) fg.set(`${s.id}/${c.id}`, c.status === 'pass');
  fg.set('killSwitch', reports.remote.killSwitch.status === 'safe');
  const pyPass = testinfra.ok
    ? new Set(
        last.testinfra.stdout
          .split('\n')
          .filter((l) => l.startsWith('PASSED '))
          .map((l) => l.split('::')[1]?.replace(/\[.*$/, '').trim()),
      )
    : undefined;
  const agreePy = pyPass ? host.filter(({ ref }, i) => fg.get(ref) === pyPass.has(pyTestName(i, ref))).length : undefined;

  // Peak memory of the whole command (flipgate's process; ssh clients are a few MB each beside it).
  const rss = {};
  for (const v of variants.slice(0, 2))
    rss[v.name] = rssOf((await timeRun([process.execPath, '--import', peakRss, ...v.argv.slice(1)], { env })).stderr);

  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  say('## Survey over SSH: the O8 workflow on the seed-state host through `--target ssh://…`');
  say('');
  say(
    `${checks.length} checks (${host.length} host checks) against a throw-away OpenSSH server on 127.0.0.1 (this machine, so the difference is the transport); ${db.label}, reached through a socket forwarded over the SSH connection; ` +
      `median of ${runs} run${runs === 1 ? '' : 's'} each, interleaved, after a warm-up run; wall time of the whole command, connecting and closing included. Both flipgate surveys give the same verdict for every check.`,
  );
  say('');
  say(
    table(
      ['variant', 'median s', 'min s', '× local', 'peak RSS', 'checks'],
      [
        ['flipgate survey, local (`--root`)', fmtS(m.local), fmtS(min(times.local)), '1.00×', fmtMB(rss.local), `${checks.length}`],
        [
          '**flipgate survey over SSH** (`--target ssh://target`)',
          fmtS(m.remote),
          fmtS(min(times.remote)),
          fmtX(m.remote / m.local),
          fmtMB(rss.remote),
          `${checks.length}`,
        ],
        testinfra.ok
          ? [
              'Testinfra over SSH (`py.test --hosts=ssh://target`)',
              fmtS(m.testinfra),
              fmtS(min(times.testinfra)),
              fmtX(m.testinfra / m.local),
              '',
              `${agreePy}/${host.length} agree`,
            ]
          : ['Testinfra over SSH', 'not run', '', '', '', testinfra.why],
      ],
    ),
  );
  say('');
  const localOk = m.remote <= 1.5 * m.local;
  const tiOk = testinfra.ok ? m.testinfra >= 3 * m.remote : undefined;
  say(
    `remote-survey: over SSH ${fmtS(m.remote)} s = ${fmtX(m.remote / m.local)} the local survey's ${fmtS(m.local)} s (target ≤ 1.50×: ${verdict(localOk)}); ` +
      (testinfra.ok
        ? `${fmtX(m.testinfra / m.remote)} faster than Testinfra over SSH (${fmtS(m.testinfra)} s; target ≥ 3×: ${verdict(tiOk)}); `
        : `Testinfra not run (${testinfra.why}); `) +
      `peak RSS ${fmtMB(rss.remote)} over SSH, ${fmtMB(rss.local)} local`,
  );
} finally {
  await seed.cleanup();
  await db.drop();
  await sshd.stop();
  await rm(work, { recursive: true, force: true });
}
