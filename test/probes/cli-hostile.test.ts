import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning } from '../../src/probes/support/processes.js';
import { cliPath, flipgate } from '../support/cli.js';
import { createTestDatabase, noServerReason, realServer, type TestDatabase, terminateQueryWith } from '../support/pg.js';

// The CLI as a user runs it, against hostile or unlucky input: it ends on time, with a clear line and the right exit code.
let dir: string;
let host: string;
const pids: number[] = [];
const minimal = path.resolve('test/fixtures/specs/minimal.yaml');

/** The minimal workflow with extra YAML for its sections, and a store of its own. */
async function workflow(name: string, extra: string): Promise<{ file: string; store: string }> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, `${await readFile(minimal, 'utf8')}\n${extra}`);
  return { file, store: path.join(dir, 'state', `${name}.json`) };
}

async function pidFrom(file: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (/^\d+\s*$/.test(text)) return pids[pids.push(Number(text)) - 1]!;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no pid in ${file}`);
}

/** Runs a shell pipeline (bash, pipefail) and returns flipgate's exit code and its stderr. */
function pipeline(script: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', `set -o pipefail; ${script}`], { env: { ...env, NO_COLOR: '1' } }, (err, _out, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fg-cli-hostile-'));
  host = path.join(dir, 'host');
  await mkdir(path.join(host, 'opt/app'), { recursive: true });
  await writeFile(path.join(host, 'opt/app/switch.conf'), 'enabled = false\n');
});
afterAll(async () => {
  for (const pid of pids) if (await isRunning(pid)) process.kill(pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('the CLI on hostile input', () => {
  it('records an approval and exits 0 when its reader has gone (approve … | true), with nothing on stderr', async () => {
    const { file, store } = await workflow('epipe', '');
    const fg = `"${process.execPath}" "${cliPath}"`;
    const r = await pipeline(`${fg} approve GAP-2 --as alice -w "${file}" --store "${store}" | true`);
    expect(r).toEqual({ code: 0, stderr: '' });
    const listed = await flipgate(['approvals', '-w', file, '--store', store, '--json']);
    expect(JSON.parse(listed.stdout).approvals).toEqual([expect.objectContaining({ gap: 'GAP-2', principal: 'alice' })]);
    for (const reader of ['true', 'head -c 1 >/dev/null']) {
      const listing = await pipeline(`${fg} approvals -w "${file}" --store "${store}" | ${reader}`);
      expect(listing, reader).toEqual({ code: 0, stderr: '' });
    }
  });

  it('refuses a --root that does not exist with exit 2, before anything is recorded', async () => {
    const { file, store } = await workflow('no-root', '');
    const r = await flipgate(['survey', '-w', file, '--store', store, '--root', path.join(dir, 'no-such-root')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `flipgate: --root: ${path.join(dir, 'no-such-root')} does not exist — pass the folder that holds the host’s files (or / for this machine)`,
    );
    expect(existsSync(store)).toBe(false);
    expect(existsSync(store.replace(/\.json$/, '.events.jsonl'))).toBe(false);
  });

  it('exits on time when a command check’s child escaped with setsid, and kills that child', async () => {
    const pidFile = path.join(dir, 'setsid.pid');
    const { file, store } = await workflow(
      'setsid',
      `sections:
  - id: escape
    title: a child that leaves its process group
    checks:
      - id: setsid
        kind: command
        timeoutMs: 500
        argv: [sh, -c, "setsid sh -c 'echo $$ > ${pidFile}; exec sleep 60' & sleep 60"]
`,
    );
    const t0 = Date.now();
    const r = await flipgate(['survey', '-w', file, '--store', store, '--root', host, '--json'], { timeoutMs: 30_000 });
    const elapsed = Date.now() - t0;
    const escaped = await pidFrom(pidFile);
    expect(r.code).toBe(1);
    const check = JSON.parse(r.stdout).sections[0].checks[0];
    expect(check.status).toBe('error');
    expect(check.evidence).toContain(
      `did not finish within 500 ms; its process group was killed, and killed 1 process that had left it (pid ${escaped})`,
    );
    expect(elapsed).toBeLessThan(6000);
    expect(await isRunning(escaped)).toBe(false);
  });

  it('returns from disable soon after its command exits, though a background child holds its output, and leaves the ledger unlocked', async () => {
    const pidFile = path.join(dir, 'daemon.pid');
    const { file, store } = await workflow(
      'daemon',
      `disable:\n  command: [sh, -c, "sh -c 'echo $$ > ${pidFile}; exec sleep 60' & echo disabled"]\n`,
    );
    const t0 = Date.now();
    const r = await flipgate(['disable', '--as', 'ops', '--reason', 'drill', '-w', file, '--store', store, '--root', host], {
      timeoutMs: 30_000,
    });
    const elapsed = Date.now() - t0;
    const daemon = await pidFrom(pidFile);
    expect(r.code, r.stderr).toBe(0);
    expect(elapsed).toBeLessThan(6000);
    expect(await isRunning(daemon)).toBe(true); // a command may start a service: it is left alone
    const next = await flipgate(['approve', 'GAP-2', '--as', 'bob', '-w', file, '--store', store], { timeoutMs: 30_000 });
    expect(next.code, next.stderr).toBe(0);
  });

  describe.skipIf(!realServer())(
    `a Postgres backend terminated mid-survey — ${realServer() ? 'real server' : `skipped: ${noServerReason}`}`,
    () => {
      let db: TestDatabase;
      beforeAll(async () => {
        db = await createTestDatabase();
      });
      afterAll(() => db?.drop());

      it('is an ERROR naming the target, the round is recorded, no stack trace, and the next command finds the ledger unlocked', async () => {
        const marker = `fg_cli_term_${db.prefix}`;
        const { file, store } = await workflow(
          'pg-term',
          `sections:
  - id: db
    title: a query whose backend is terminated
    checks:
      - id: slow
        kind: postgres.query
        sql: SELECT pg_sleep(20), '${marker}'
        expect: { rows: 1 }
`,
        );
        const env = { ...process.env, ...db.env };
        const run = flipgate(['survey', '-w', file, '--store', store, '--root', host, '--json'], { env, timeoutMs: 60_000 });
        const killed = await terminateQueryWith(db.admin, marker, 200);
        expect(killed).toBe(1);
        const r = await run;
        expect(r.code).toBe(1);
        expect(r.stderr).not.toMatch(/\n\s+at |Unhandled|internal error/);
        const check = JSON.parse(r.stdout).sections[0].checks[0];
        expect(check).toMatchObject({ status: 'error' });
        expect(check.evidence).toMatch(/^Postgres error 57P01 admin_shutdown \(the server ended the connection\) \(127\.0\.0\.1:\d+\/fg_/);
        const again = await flipgate(['survey', '-w', file, '--store', store, '--root', host, '--json', '--timeout', '300'], {
          env,
          timeoutMs: 60_000,
        });
        expect(again.code).toBe(1);
        const ledger = (await readFile(store.replace(/\.json$/, '.events.jsonl'), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        expect(ledger.filter((e) => e.type === 'survey')).toHaveLength(2);
      });
    },
  );
});
