// SSH transport: a new connection per command (what Testinfra's paramiko/ssh backends do per
// check) beside commands multiplexed over one OpenSSH ControlMaster (what flipgate does), beside
// flipgate's batches (many target-side operations in one session). Against a throw-away sshd on
// 127.0.0.1 started by the test harness; skipped, with the reason, when sshd cannot run (not root,
// no openssh-server). The npm package `ssh2` is no dependency of flipgate; when it is installed
// (or FLIPGATE_BENCH_SSH2 names its folder) it is measured too.
//   FLIPGATE_BENCH_RUNS=N   rounds (default 20)
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { fmtS, fmtX, machine, median, smoke, table } from './lib/measure.mjs';

const runs = smoke ? 2 : Number(process.env.FLIPGATE_BENCH_RUNS ?? 20);
const say = (s = '') => process.stdout.write(`${s}\n`);
const here = import.meta.url;
const { sshdUnavailable, startSshd } = await tsImport('../test/support/sshd.ts', here);
const { SshConnection } = await tsImport('../src/remote/connection.ts', here);
const { RemoteHost } = await tsImport('../src/remote/host.ts', here);

const why = sshdUnavailable();
if (why) {
  say(`ssh-transport: skipped (${why})`);
  process.exit(0);
}

/** Runs argv to its end; resolves with milliseconds, rejects on a non-zero exit. */
function timed(argv) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.on('close', (code) =>
      code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${argv.join(' ')}: exit ${code} ${err}`)),
    );
  });
}

const ms = async (f) => {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};

const sshd = await startSshd();
const work = await mkdtemp(path.join(tmpdir(), 'flipgate-bench-ssh-'));
const opts = { configFile: sshd.configFile };
const target = { kind: 'ssh', host: 'target' };
try {
  for (let i = 0; i < 20; i++) await writeFile(path.join(work, `f${i}`), `K${i}=v\n`);
  const conn = await SshConnection.open(target, opts);
  const host = new RemoteHost(target, { ...opts, root: work });
  await host.connect();
  const fresh = ['ssh', '-F', sshd.configFile, '-o', 'BatchMode=yes', '-o', 'ControlPath=none', '-T', 'target', 'true'];
  const rawMux = ['ssh', '-F', sshd.configFile, '-o', 'ControlMaster=no', '-o', `ControlPath=${conn.controlPath}`, '-T', 'target', 'true'];
  const statEach = async () => {
    for (let i = 0; i < 20; i++) await conn.run(['stat', '-c', '%a', path.join(work, `f${i}`)], { timeoutMs: 10_000 });
  };
  const variants = {
    'connect + authenticate (flipgate master, then exit)': async () => (await SshConnection.open(target, opts)).close(),
    'one command, new connection each (ssh host true)': () => timed(fresh),
    'one command over the master (raw ssh -S)': () => timed(rawMux),
    'one command over the master (flipgate run: quoting, markers, timeout)': () => conn.run(['true'], { timeoutMs: 10_000 }),
    '20 commands in parallel, new connection each': () => Promise.all(Array.from({ length: 20 }, () => timed(fresh))),
    '20 commands in parallel over the master (8 sessions at once)': () =>
      Promise.all(Array.from({ length: 20 }, () => conn.run(['true'], { timeoutMs: 10_000 }))),
    '20 stats, one session each over the master': statEach,
    '20 stats + 20 key reads batched (flipgate RemoteHost: 1 session)': () =>
      Promise.all(Array.from({ length: 20 }, (_, i) => [host.stat(`/f${i}`), host.dotenvKeys(`/f${i}`)]).flat()),
  };
  const ssh2 = await loadSsh2();
  const ssh2Measured = ssh2 ? await ssh2Variants(ssh2, sshd) : undefined;
  if (ssh2Measured) Object.assign(variants, ssh2Measured.variants);
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let round = -1; round < runs; round++) {
    for (const [name, f] of Object.entries(variants)) {
      const t = await ms(f);
      if (round >= 0) times[name].push(t);
    }
  }
  ssh2Measured?.close();
  await host.close();
  await conn.close();
  const base = median(times['one command, new connection each (ssh host true)']);
  const m = machine();
  say(
    `SSH transport to 127.0.0.1 (OpenSSH sshd, ed25519), ${runs} interleaved rounds; ${m.cores} cores, load ${m.load}${ssh2 ? '' : '; ssh2 not installed, not measured'}`,
  );
  say();
  say(
    table(
      ['what', 'median ms', 'min ms', 'vs new connection per command'],
      Object.entries(times).map(([k, t]) => [k, median(t).toFixed(1), Math.min(...t).toFixed(1), fmtX(base / median(t))]),
    ),
  );
  say();
  const mux = median(times['one command over the master (flipgate run: quoting, markers, timeout)']);
  say(
    `ssh-transport: one command over the master ${fmtS(mux / 1000)} s, a new connection per command ${fmtS(base / 1000)} s (${fmtX(base / mux)} faster multiplexed)`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
  await sshd.stop();
}

/** ssh2 (pure JS), measured only when installed: it reads no ssh_config, so host, port and key are given by hand. */
async function ssh2Variants(ssh2, sshd) {
  const { readFile } = await import('node:fs/promises');
  const privateKey = await readFile(path.join(sshd.dir, 'id'));
  const known = (await readFile(path.join(sshd.dir, 'host_key.pub'), 'utf8')).split(' ')[1];
  const connect = () =>
    new Promise((resolve, reject) => {
      const c = new ssh2.Client();
      c.on('ready', () => resolve(c)).on('error', reject);
      c.connect({
        host: '127.0.0.1',
        port: sshd.port,
        username: 'root',
        privateKey,
        hostVerifier: (key) => key.toString('base64') === known,
      });
    });
  const exec = (c) =>
    new Promise((resolve, reject) =>
      c.exec('true', (err, stream) => (err ? reject(err) : stream.on('close', resolve).resume().stderr.resume())),
    );
  const shared = await connect();
  return {
    variants: {
      'ssh2: connect + authenticate': async () => (await connect()).end(),
      'ssh2: one command over one connection': () => exec(shared),
    },
    close: () => shared.end(),
  };
}

// Optional, so never listed in package.json: knip.json names ssh2 under ignoreDependencies.
async function loadSsh2() {
  try {
    if (process.env.FLIPGATE_BENCH_SSH2) return createRequire(import.meta.url)(process.env.FLIPGATE_BENCH_SSH2);
    return (await import('ssh2')).default;
  } catch {
    return undefined;
  }
}
