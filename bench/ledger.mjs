// Ledger benchmark: append latency at growing ledger sizes and verify throughput, for the file store and
// the Postgres store, beside the fsync of one small file measured in the same run as the yardstick.
// Imports the built library: run `npm run build` first. FLIPGATE_BENCH_SMOKE=1 runs it at toy sizes.
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const lib = await import('../dist/index.js');
if (typeof lib.verifyLedger !== 'function') {
  process.stderr.write('bench/ledger.mjs: dist/index.js has no verifyLedger — run npm run build first\n');
  process.exit(2);
}
const { openStore, verifyLedger, verifyStoredLedger } = lib;

const smoke = !!process.env.FLIPGATE_BENCH_SMOKE;
const sizes = smoke ? [10, 100] : [100, 1_000, 10_000, 100_000];
const appends = smoke ? 5 : Number(process.env.FLIPGATE_BENCH_APPENDS ?? 300);
const say = (s = '') => process.stdout.write(`${s}\n`);
const note = (s) => process.stderr.write(`ledger: ${s}\n`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const ms = (x) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));
const int = (x) => Math.round(x).toLocaleString('en-US');

// A gap.status-like event (about 600 bytes as stored), the ledger's most common kind.
const event = (i) => ({
  type: 'gap.status',
  actor: `operator-${i % 7}`,
  subject: `GAP-${(i % 9) + 1}`,
  from: i % 2 ? 'OPEN' : 'CLOSED',
  to: i % 2 ? 'CLOSED' : 'OPEN',
  cause: {
    kind: 'probe',
    checks: [`GAP-${(i % 9) + 1}/key-present`, `GAP-${(i % 9) + 1}/mode`],
    digest: randomBytes(32).toString('hex'),
    evidence: [
      `key-present: pass — BACKUP_GPG_FPR is set (40 hex digits)`,
      `mode: pass — /etc/cutter/backup.gpg is 0600 owned by cutter:cutter`,
    ],
  },
  data: { own: i % 2 ? 'CLOSED' : 'OPEN', blockedBy: [], waived: false, round: i },
});

/** The yardstick: write 100 bytes to one small file and fsync it. */
async function fsyncYardstick(dir, n) {
  const fd = await open(path.join(dir, 'yardstick'), 'w');
  const times = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await fd.write(randomBytes(50).toString('hex'), 0);
      await fd.sync();
      times.push(performance.now() - t);
    }
  } finally {
    await fd.close();
  }
  return median(times);
}

async function seed(store, n) {
  for (let done = 0; done < n; ) {
    const chunk = Math.min(10_000, n - done);
    await store.transact((tx) => tx.append(Array.from({ length: chunk }, (_, j) => event(done + j))));
    done += chunk;
  }
}

async function measure(store, size) {
  const t0 = performance.now();
  await seed(store, size);
  const seedMs = performance.now() - t0;
  const times = [];
  for (let i = 0; i < appends; i++) {
    const t = performance.now();
    await store.transact((tx) => tx.append([event(size + i)]));
    times.push(performance.now() - t);
  }
  // Three times each, the medians reported (one run is at the mercy of a GC pause): verify of events in
  // memory (the chain), and a streamed read and verify of the stored ledger (every line's canonical
  // text and hash, the chain), as audit verify and the flip do it.
  const verifies = [];
  const streamed = [];
  let events;
  let v;
  for (let run = 0; run < 3; run++) {
    events = await store.readEvents();
    const v0 = performance.now();
    v = verifyLedger(events);
    verifies.push(performance.now() - v0);
    const s0 = performance.now();
    const sv = await verifyStoredLedger(store);
    streamed.push(performance.now() - s0);
    if (!sv.ok) throw new Error(`the benchmark ledger does not verify as read: ${sv.problem.detail}`);
  }
  if (!v.ok) throw new Error(`the benchmark ledger does not verify: ${v.problem.detail}`);
  if (events.length !== size + appends) throw new Error(`expected ${size + appends} events, read ${events.length}`);
  return {
    size,
    seedMs,
    median: median(times),
    p95: pct(times, 0.95),
    verifyRate: events.length / (median(verifies) / 1000),
    readVerifyRate: events.length / (median(streamed) / 1000),
  };
}

/** A Postgres to write to: a database of its own on the server in PGHOST/DATABASE_URL, else an embedded PGlite. */
async function postgresTarget() {
  const { default: pg } = await import('pg');
  if (process.env.DATABASE_URL || process.env.PGHOST) {
    const name = `flipgate_bench_${randomBytes(4).toString('hex')}`;
    const base = process.env.DATABASE_URL
      ? new URL(process.env.DATABASE_URL)
      : new URL(
          `postgres://${encodeURIComponent(process.env.PGUSER ?? 'postgres')}@${process.env.PGHOST}:${process.env.PGPORT ?? 5432}/${process.env.PGDATABASE ?? 'postgres'}`,
        );
    const admin = new pg.Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const server = (await admin.query('SHOW server_version')).rows[0].server_version;
    const url = new URL(base);
    url.pathname = `/${name}`;
    return {
      label: `Postgres ${server}`,
      url: (schema) => `${url.toString()}${url.search ? '&' : '?'}schema=${schema}`,
      async stop() {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  if (smoke) return undefined;
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 4 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  return {
    label: 'PGlite (embedded, no server set)',
    url: (schema) => `postgres://postgres@127.0.0.1:${port}/postgres?schema=${schema}&sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

const work = await mkdtemp(path.join(tmpdir(), 'flipgate-bench-ledger-'));
const rows = [];
let fsyncMs;
try {
  fsyncMs = await fsyncYardstick(work, smoke ? 20 : 200);
  for (const size of sizes) {
    note(`file store, ${int(size)} events …`);
    const store = await openStore(path.join(work, `size-${size}`, 'wf.json'), 'bench', { env: {} });
    rows.push({ backend: 'file', ...(await measure(store, size)) });
    await store.close();
  }
  const pgTarget = await postgresTarget();
  if (pgTarget) {
    try {
      for (const size of sizes) {
        note(`${pgTarget.label}, ${int(size)} events …`);
        const store = await openStore(pgTarget.url(`bench_${size}`), 'bench', { env: {} });
        try {
          rows.push({ backend: 'postgres', label: pgTarget.label, ...(await measure(store, size)) });
        } finally {
          await store.close();
        }
      }
    } finally {
      await pgTarget.stop();
    }
  } else {
    note('Postgres skipped: no server in PGHOST or DATABASE_URL (a smoke run does not start PGlite)');
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

const header = ['backend', 'events', 'seed (bulk)', 'append median', 'append p95', 'median ÷ fsync', 'verify', 'read + verify'];
const body = rows.map((r) => [
  r.label ?? 'file (JSON Lines + lowdb)',
  int(r.size),
  `${int(r.seedMs)} ms`,
  `${ms(r.median)} ms`,
  `${ms(r.p95)} ms`,
  `${(r.median / fsyncMs).toFixed(1)}×`,
  `${int(r.verifyRate)} ev/s`,
  `${int(r.readVerifyRate)} ev/s`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
say(
  `Ledger benchmark — ${appends} appends timed at each size after a bulk seed, median of 3 reads and verifies; yardstick: fsync of one small file = ${ms(fsyncMs)} ms (median)`,
);
say(line(header));
say(widths.map((w) => '─'.repeat(w)).join('  '));
for (const b of body) say(line(b));

const flat = (backend) => {
  const rs = rows.filter((r) => r.backend === backend);
  if (rs.length < 2) return undefined;
  return rs[rs.length - 1].median / rs[0].median;
};
const fileFlat = flat('file');
const pgFlat = flat('postgres');
const big = rows.filter((r) => r.backend === 'file').pop();
const ok = (b) => (b ? 'met' : 'MISSED');
const parts = [
  `file append ${int(sizes[sizes.length - 1])}/${int(sizes[0])} = ${fileFlat.toFixed(2)}× (target ≤ 2×: ${ok(fileFlat <= 2)})`,
  pgFlat === undefined ? 'postgres skipped' : `postgres append ${pgFlat.toFixed(2)}× (${ok(pgFlat <= 2)})`,
  `file verify ${int(big.readVerifyRate)} events/s (reading included; target > 100,000: ${ok(big.readVerifyRate > 100_000)})`,
  `fsync ${ms(fsyncMs)} ms`,
];
say('');
say(`summary: ${parts.join('; ')}${smoke ? ' [smoke sizes: not a measurement]' : ''}`);
