import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAccess } from '../../src/probes/pg/access.js';
import { runArgv } from '../../src/probes/support/exec.js';
import { localHost } from '../../src/probes/support/local-host.js';
import { isRunning } from '../../src/probes/support/processes.js';
import { runOneCheck } from '../../src/runner/engine/run-checks.js';
import type { Check } from '../../src/spec/schema.js';

let dir: string;
const started: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fg-deadline-'));
  await writeFile(path.join(dir, 'line.txt'), `header\n${'a'.repeat(26)}!\n`);
});
afterAll(async () => {
  // Whatever a failing test left behind, by pid only.
  for (const pid of started) if (await isRunning(pid)) process.kill(pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** Runs a check the way a survey does (the runner's deadline and grace), counting event-loop ticks meanwhile. */
async function surveyOne(check: Record<string, unknown>, timeoutMs: number) {
  const env = { ...process.env };
  const postgres = createPostgresAccess({ env });
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 20);
  const t0 = performance.now();
  try {
    const r = await runOneCheck(
      { ref: 'x/y', owner: { kind: 'section', id: 'x' }, check: { id: 'y', timeoutMs, ...check } as unknown as Check },
      { concurrency: 1, timeoutMs, context: { host: localHost(dir), env, postgres }, signoffsFor: () => [] },
    );
    return { r, elapsed: performance.now() - t0, ticks };
  } finally {
    clearInterval(ticker);
    await postgres.close();
  }
}

/** The pid a shell wrote to a file, once it is there. */
async function pidFrom(file: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (/^\d+\s*$/.test(text)) {
      started.push(Number(text));
      return Number(text);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no pid in ${file}`);
}

describe('no check outlives its timeout', () => {
  it('stops a catastrophic pattern at 500 ms: ERROR (not fail), and the event loop keeps running meanwhile', async () => {
    const { r, elapsed, ticks } = await surveyOne({ kind: 'file.contains', path: '/line.txt', pattern: '^(a+)+$' }, 500);
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/\/\^\(a\+\)\+\$\/ on \/line\.txt: did not finish within 500 ms/);
    expect(elapsed).toBeLessThan(1500);
    // Blocked for 5 s, the loop would have ticked once or twice; free, about 25 times.
    expect(ticks).toBeGreaterThan(10);
  });

  it('still answers quickly for an ordinary pattern, with the line number', async () => {
    const { r } = await surveyOne({ kind: 'file.contains', path: '/line.txt', pattern: '^a+!$' }, 5000);
    expect(r).toMatchObject({ status: 'pass', observed: { line: 2 } });
  });

  it('kills a command that escaped its process group with setsid, reports it by pid, and returns on time', async () => {
    const pidFile = path.join(dir, 'escaped.pid');
    // The escaped child holds the command's stdout; its parent shell stays in the group.
    const argv = ['sh', '-c', `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 60' & sleep 60`];
    const { r, elapsed } = await surveyOne({ kind: 'command', argv }, 500);
    const escaped = await pidFrom(pidFile);
    expect(r.status).toBe('error');
    expect(r.evidence).toContain('did not finish within 500 ms; its process group was killed, and killed 1 process that had left it');
    expect(r.evidence).toContain(`pid ${escaped}`);
    expect(elapsed).toBeLessThan(2500);
    expect(await isRunning(escaped)).toBe(false);
  });

  it('finds an escaped child whose parent has already exited (by its environment marker)', async () => {
    const pidFile = path.join(dir, 'orphan.pid');
    const argv = ['sh', '-c', `(setsid sh -c 'echo $$ > ${pidFile}; exec sleep 60' &); sleep 60`];
    const t0 = performance.now();
    const r = await runArgv(argv, { timeoutMs: 500 });
    const orphan = await pidFrom(pidFile);
    expect(r.problem).toBe('timeout');
    expect(r.strays).toEqual({ killed: [orphan], survivors: [] });
    expect(performance.now() - t0).toBeLessThan(2500);
    expect(await isRunning(orphan)).toBe(false);
  });

  it('returns soon after the command exits when a background child keeps its stdout open, and leaves that child alone', async () => {
    const pidFile = path.join(dir, 'daemon.pid');
    const t0 = performance.now();
    const r = await runArgv(['sh', '-c', `sh -c 'echo $$ > ${pidFile}; exec sleep 60' & echo started; exit 0`], { timeoutMs: 30_000 });
    const elapsed = performance.now() - t0;
    const daemon = await pidFrom(pidFile);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'started\n', strays: { background: 1 } });
    expect(r.problem).toBeUndefined();
    expect(elapsed).toBeLessThan(2500);
    // A flip command may start a service: it is not killed.
    expect(await isRunning(daemon)).toBe(true);
    process.kill(daemon, 'SIGKILL');
  });

  it('says so in a command check that passes but left a process holding its output', async () => {
    const pidFile = path.join(dir, 'bg.pid');
    const { r, elapsed } = await surveyOne(
      { kind: 'command', argv: ['sh', '-c', `sh -c 'echo $$ > ${pidFile}; exec sleep 60' & exit 0`] },
      20_000,
    );
    process.kill(await pidFrom(pidFile), 'SIGKILL');
    expect(r.status).toBe('pass');
    expect(r.evidence).toMatch(/exited 0 \(it left 1 process running that held its output\)/);
    expect(elapsed).toBeLessThan(2500);
  });
});
