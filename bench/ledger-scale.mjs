// Commands at ledger scale: survey, advance, approve and status on a ledger of 100,000 events beside
// the same commands on one of 100 (wall time and the process's peak RSS), flip --execute at 100,000,
// the bytes an unchanged watch round appends, and verify throughput. Every command is the built CLI
// (dist/); the ledgers are grown with the built library. FLIPGATE_BENCH_SMOKE=1 runs it at toy sizes.
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli, fmtMB, fmtS, fmtX, median, peakRss, rssOf, smoke, table, timeRun, verdict } from './lib/measure.mjs';

const lib = await import('../dist/index.js');
const { openStore, verifyStoredLedger } = lib;
const small = smoke ? 100 : 100;
const large = smoke ? 2_000 : Number(process.env.FLIPGATE_BENCH_EVENTS ?? 100_000);
const runs = smoke ? 1 : Number(process.env.FLIPGATE_BENCH_RUNS ?? 7);
const flips = smoke ? 1 : 3;
const say = (s = '') => process.stdout.write(`${s}\n`);
const note = (s) => process.stderr.write(`ledger-scale: ${s}\n`);
const int = (x) => Math.round(x).toLocaleString('en-US');

// A small workflow of file checks: GAP-2 wants two approvals, so one approver alone never closes it
// and every run of a command does the same work; the flip and the disable rewrite the switch file.
const workflowText = (app) => `id: scale
title: Ledger scale
killSwitch: { id: switch, kind: file.contains, path: "${app}/switch.conf", pattern: '^enabled\\s*=\\s*false', enabled: { id: switch-on, kind: file.contains, path: "${app}/switch.conf", pattern: '^enabled\\s*=\\s*true' } }
flip: { command: ["/bin/sh", "-c", "echo 'enabled = true' > ${app}/switch.conf"] }
disable: { command: ["/bin/sh", "-c", "echo 'enabled = false' > ${app}/switch.conf"] }
gates:
  - { id: G1, title: Files in place, requires: [GAP-1] }
  - { id: G2, title: Approved, requires: [GAP-2] }
gaps:
  - id: GAP-1
    title: Config present
    checks:
      - { id: config, kind: file, path: "${app}/app.conf" }
      - { id: data, kind: dir, paths: ["${app}/data"] }
  - id: GAP-2
    title: Two approvals
    checks:
      - { id: board, kind: approval, min: 2 }
sections:
  - id: host
    title: Host
    checks:
      - { id: etc, kind: dir, paths: ["${app}"] }
`;

const work = await mkdtemp(path.join(tmpdir(), 'flipgate-bench-ledger-scale-'));
const app = path.join(work, 'app');
await mkdir(path.join(app, 'data'), { recursive: true });
await writeFile(path.join(app, 'app.conf'), 'x=1\n');
await writeFile(path.join(app, 'switch.conf'), 'enabled = false\n');
const wfFile = path.join(work, 'scale.yaml');
await writeFile(wfFile, workflowText(app));
const env = { ...process.env, NO_COLOR: '1', FLIPGATE_ACTOR: 'bench' };
const at = (store) => ['--workflow', wfFile, '--store', store];

async function flipgate(args, { timed = false } = {}) {
  const r = await timeRun([process.execPath, ...(timed ? ['--import', peakRss] : []), cli, ...args], { env, timeoutMs: 300_000 });
  return { ...r, rss: rssOf(r.stderr) };
}

/** A ledger of about `size` events: the workflow's own first commands, then watch rounds that saw the same (as a year of `watch` leaves it). */
async function grow(name, size) {
  const store = path.join(work, name, 'scale.json');
  await flipgate(['advance', ...at(store)]); // G1 → G2
  await flipgate(['approve', 'GAP-2', ...at(store), '--as', 'alice']);
  await flipgate(['survey', ...at(store)]);
  const s = await openStore(store, 'scale', { env: {} });
  const events = await s.readEvents();
  const round = [...events].reverse().find((e) => e.type === 'survey' && e.cause.kind === 'probe');
  for (let n = events.length; n < size; ) {
    const batch = Math.min(10_000, size - n);
    await s.transact((tx) =>
      tx.append(
        Array.from({ length: batch }, () => ({
          type: 'survey',
          actor: 'watcher',
          cause: { kind: 'repeat', of: round.seq },
          data: { scope: 'watch' },
        })),
      ),
    );
    n += batch;
  }
  await s.close();
  // The first command after growing finds the view behind and rebuilds it once; measured runs find it current.
  const first = await flipgate(['status', ...at(store)]);
  if (first.code !== 0) throw new Error(`status on the ${name} ledger exited ${first.code}: ${first.stderr.trim()}`);
  return store;
}

const ledgerBytes = async (store) => (await stat(store.replace(/\.json$/, '.events.jsonl'))).size;

try {
  note(`growing ledgers of ${int(small)} and ${int(large)} events …`);
  const stores = { small: await grow('small', small), large: await grow('large', large) };
  const commands = [
    { name: 'survey', args: (s) => ['survey', ...at(s)], codes: [1] },
    { name: 'advance', args: (s) => ['advance', ...at(s)], codes: [1] },
    { name: 'approve', args: (s) => ['approve', 'GAP-2', ...at(s), '--as', 'alice'], codes: [0] },
    { name: 'status', args: (s) => ['status', ...at(s)], codes: [0] },
  ];
  const results = {};
  for (let round = -1; round < runs; round++) {
    for (const c of commands) {
      for (const size of ['small', 'large']) {
        const r = await flipgate(c.args(stores[size]), { timed: true });
        if (!c.codes.includes(r.code))
          throw new Error(`${c.name} on the ${size} ledger exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
        if (/rebuilt/.test(r.stderr) && round >= 0) throw new Error(`${c.name} on the ${size} ledger rebuilt its view: ${r.stderr.trim()}`);
        if (round < 0) continue;
        results[c.name] ??= { small: { s: [], rss: [] }, large: { s: [], rss: [] } };
        results[c.name][size].s.push(r.seconds);
        results[c.name][size].rss.push(r.rss);
      }
    }
  }
  const onDisk = await ledgerBytes(stores.large);
  const rows = [];
  const limits = [];
  for (const c of commands) {
    const r = results[c.name];
    const t = { small: median(r.small.s), large: median(r.large.s) };
    const m = { small: Math.max(...r.small.rss), large: Math.max(...r.large.rss) };
    const tx = t.large / t.small;
    const mx = m.large / m.small;
    limits.push(tx <= 1.25 && mx <= 1.25);
    rows.push([`\`${c.name}\``, fmtS(t.small), fmtS(t.large), fmtX(tx), fmtMB(m.small), fmtMB(m.large), fmtX(mx)]);
  }

  // flip --execute on the large ledger, armed: the whole ledger read, verified and folded on every run.
  note(`flip --execute at ${int(large)} events …`);
  await flipgate(['approve', 'GAP-2', ...at(stores.large), '--as', 'bob']);
  const flipTimes = [];
  for (let i = 0; i < flips; i++) {
    const armed = await flipgate(['advance', ...at(stores.large)]);
    if (armed.code !== 0 && i === 0)
      throw new Error(`advance to armed exited ${armed.code}: ${armed.stdout.split('\n').slice(-3).join(' | ')}`);
    const r = await flipgate(['flip', '--execute', ...at(stores.large), '--root', '/', '--as', 'carol'], { timed: true });
    if (r.code !== 0) throw new Error(`flip --execute exited ${r.code}: ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' | ')}`);
    flipTimes.push(r);
    await flipgate(['disable', ...at(stores.large), '--as', 'carol', '--reason', 'bench']);
    await flipgate(['resume', ...at(stores.large), '--as', 'carol']);
  }
  const flipS = median(flipTimes.map((r) => r.seconds));
  const flipRss = Math.max(...flipTimes.map((r) => r.rss));

  // An unchanged watch round: what it adds to the ledger.
  await flipgate(['watch', '--once', ...at(stores.large), '--as', 'watcher']); // a full round after the resume's
  const bytesBefore = await ledgerBytes(stores.large);
  await flipgate(['watch', '--once', ...at(stores.large), '--as', 'watcher']);
  const watchBytes = (await ledgerBytes(stores.large)) - bytesBefore;

  // Verify: the library reading the ledger's text in one pass (every line's canonical form, its hash, the chain), and `audit verify` as a whole command.
  const store = await openStore(stores.large, 'scale', { env: {} });
  const verifies = [];
  let count = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const v = await verifyStoredLedger(store);
    verifies.push(performance.now() - t0);
    if (!v.ok) throw new Error(`the benchmark ledger does not verify: ${v.problem.detail}`);
    count = v.events;
  }
  await store.close();
  const verifyRate = count / (median(verifies) / 1000);
  const cliVerify = await flipgate(['audit', 'verify', ...at(stores.large)], { timed: true });
  if (cliVerify.code !== 0) throw new Error(`audit verify exited ${cliVerify.code}: ${cliVerify.stdout}`);

  say(`## Ledger scale: commands on ${int(large)} events beside ${int(small)}`);
  say('');
  say(
    `A workflow of file checks (GAP-2 wants two approvals, so one approver's runs all do the same work), its ledger grown with watch rounds that saw the same; ` +
      `each command is the whole CLI process, median of ${runs} run${runs === 1 ? '' : 's'} each (interleaved, after a warm-up run) and its largest peak RSS. The large ledger is ${fmtMB(onDisk)} on disk.`,
  );
  say('');
  say(
    table(
      ['command', `${int(small)} events s`, `${int(large)} events s`, 'time ×', `${int(small)} RSS`, `${int(large)} RSS`, 'RSS ×'],
      rows,
    ),
  );
  say('');
  say(
    table(
      ['measure', `at ${int(large)} events`],
      [
        [`\`flip --execute\` (the whole ledger read, verified and folded; median of ${flips})`, `${fmtS(flipS)} s, ${fmtMB(flipRss)}`],
        ['an unchanged `watch --once` round appends', `${watchBytes} bytes`],
        [
          'verify in the library (read every line, check its canonical text, the chain)',
          `${int(verifyRate)} events/s (${int(count)} in ${fmtS(median(verifies) / 1000)} s)`,
        ],
        [
          '`audit verify` as a whole command',
          `${fmtS(cliVerify.seconds)} s, ${fmtMB(cliVerify.rss)} = ${int(count / cliVerify.seconds)} events/s`,
        ],
      ],
    ),
  );
  say('');
  say(
    `ledger-scale: survey/advance/approve/status at ${int(large)} vs ${int(small)} events within 1.25× time and RSS: ${verdict(limits.every(Boolean))} ` +
      `(time/RSS: ${rows.map((r) => `${r[0].replace(/`/g, '')} ${r[3]}/${r[6]}`).join(', ')}); flip --execute ${fmtS(flipS)} s (target < 2 s: ${verdict(flipS < 2)}); ` +
      `unchanged watch round ${watchBytes} bytes; verify ${int(verifyRate)} events/s (target > 100,000: ${verdict(verifyRate > 100_000)})${smoke ? ' [smoke sizes: not a measurement]' : ''}`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
