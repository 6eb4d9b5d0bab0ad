// Fleets: `flipgate survey --inventory` over 1, 10 and 50 inventory hosts, each its own root folder
// with the fleet test workflow (kill switch and 3 GAPs: 4 checks a host). Over SSH every host is an
// alias of one throw-away sshd on 127.0.0.1 (its own multiplexed connection each, as separate hosts
// would have); over local roots (`ansible_connection=local`, `flipgate_root`) when sshd cannot run,
// and always beside it. What an added host costs is the slope between fleet sizes.
//   FLIPGATE_BENCH_RUNS=N   runs per size (default 5)
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { cli, fmtMB, fmtS, median, min, peakRss, rssOf, smoke, table, timeRun, verdict } from './lib/measure.mjs';

const runs = smoke ? 1 : Number(process.env.FLIPGATE_BENCH_RUNS ?? 5);
const sizes = smoke ? [1, 3] : [1, 10, 50];
const say = (s = '') => process.stdout.write(`${s}\n`);
const here = import.meta.url;
const { sshdUnavailable, startSshd } = await tsImport('../test/support/sshd.ts', here);
const { buildTestFleet, fleetSpec } = await tsImport('../test/fleet/fleet-hosts.ts', here);

const noSsh = sshdUnavailable();
const sshd = noSsh ? undefined : await startSshd();
const transports = [
  { name: 'local roots', sshAlias: undefined, forks: [] },
  ...(sshd
    ? [
        { name: 'SSH to 127.0.0.1', sshAlias: 'target', forks: [] },
        { name: 'SSH to 127.0.0.1, --forks 16', sshAlias: 'target', forks: ['--forks', '16'] },
      ]
    : []),
];
const results = [];
// CPU seconds of the sshd's finished sessions and connections (its reaped children, in clock ticks of
// 1/100 s): the target side's work, which on a real fleet runs on the hosts, here on the same cores.
const sshdCpu = () => {
  if (!sshd) return 0;
  const stat = readFileSync(`/proc/${readFileSync(path.join(sshd.dir, 'sshd.pid'), 'utf8').trim()}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
};
try {
  for (const t of transports) {
    for (const size of sizes) {
      const fleet = await buildTestFleet(size, { sshAlias: t.sshAlias });
      const times = [];
      const rss = [];
      const server = [];
      for (let i = -1; i < runs; i++) {
        const store = path.join(fleet.dir, 'state', `run${i + 1}.json`);
        const argv = [
          process.execPath,
          '--import',
          peakRss,
          cli,
          'survey',
          '--workflow',
          fleetSpec,
          '--inventory',
          fleet.inventory,
          '--store',
          store,
          '--as',
          'bench',
          '--json',
          ...t.forks,
        ];
        const cpu0 = sshdCpu();
        const r = await timeRun(argv, {
          cwd: fleet.dir,
          env: { ...process.env, FLIPGATE_SSH_CONFIG: sshd?.configFile ?? '' },
          timeoutMs: 300_000,
        });
        const report = r.code === 0 ? JSON.parse(r.stdout) : undefined;
        if (!report || report.hosts?.length !== size || !report.ready)
          throw new Error(`${t.name}, ${size} hosts: exit ${r.code}, ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
        if (i >= 0) {
          times.push(r.seconds);
          rss.push(rssOf(r.stderr));
          server.push(sshdCpu() - cpu0);
        }
      }
      results.push({
        transport: t.name,
        size,
        median: median(times),
        min: min(times),
        rss: Math.max(...rss),
        server: t.sshAlias ? median(server) : undefined,
      });
      await rm(fleet.dir, { recursive: true, force: true });
    }
  }
} finally {
  await sshd?.stop();
}

const perHost = (t) => {
  const rows = results.filter((r) => r.transport === t);
  const first = rows[0];
  const last = rows[rows.length - 1];
  return ((last.median - first.median) / (last.size - first.size)) * 1000;
};

say('## Fleets: one survey over 1, 10 and 50 inventory hosts');
say('');
say(
  `The fleet test workflow (kill switch + 3 GAPs, 4 checks a host; every host's \`\${app_dir}\` and \`\${release}\` from its inventory vars), \`flipgate survey --inventory FILE --json\` with the default \`--forks 8\` (and \`--forks 16\` where named) and \`--concurrency 8\`; a fresh ledger each run; median of ${runs} runs after a warm-up run. ` +
    (sshd
      ? 'Over SSH each host is an alias of one throw-away sshd on 127.0.0.1 with its own folder as its root (a connection of its own, as separate machines would have); beside it the same fleets as local root folders.'
      : `Local root folders only: sshd could not run here (${noSsh}).`),
);
say('');
say(
  table(
    ['transport', 'hosts', 'checks', 'median s', 'min s', 'peak RSS', 'sshd CPU s'],
    results.map((r) => [r.transport, String(r.size), String(r.size * 4), fmtS(r.median), fmtS(r.min), fmtMB(r.rss), fmtS(r.server)]),
  ),
);
say('');
say(
  `Peak RSS is the flipgate process's. sshd CPU is the target side's work (connections, sessions, the target-side operations) for all hosts, spent on this same machine; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} at the end.`,
);
say('');
const parts = transports.map((t) => {
  const ms = perHost(t.name);
  const rows = results.filter((r) => r.transport === t.name);
  const server = t.sshAlias
    ? `, of which the sshd's CPU ${(((rows[rows.length - 1].server - rows[0].server) / (rows[rows.length - 1].size - rows[0].size)) * 1000).toFixed(0)} ms`
    : '';
  return `${t.name} ${ms.toFixed(0)} ms per added host (target < 100 ms: ${verdict(ms < 100)}${server})`;
});
const peak = Math.max(...results.map((r) => r.rss));
say(
  `fleet: ${parts.join('; ')}; ${sizes[sizes.length - 1]} hosts in ${results
    .filter((r) => r.size === sizes[sizes.length - 1])
    .map((r) => `${fmtS(r.median)} s (${r.transport})`)
    .join(', ')}; peak RSS ${fmtMB(peak)}`,
);
