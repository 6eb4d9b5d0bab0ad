import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sshdUnavailable } from '../support/sshd.js';

const skip = sshdUnavailable();

// The SSH transport benchmark at smoke size: it runs and prints its table and summary; it measures nothing.
describe.skipIf(!!skip)(`bench/ssh-transport.mjs${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('prints new connections beside multiplexed sessions and batches, and a summary line', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join('bench', 'ssh-transport.mjs')],
        { env: { ...process.env, FLIPGATE_BENCH_SMOKE: '1' }, timeout: 240_000 },
        (err, stdout, stderr) => {
          resolve({ code: err ? 1 : 0, stdout, stderr });
        },
      );
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| one command, new connection each \(ssh host true\)\s+\| \d+\.\d/);
    expect(r.stdout).toMatch(/\| 20 stats \+ 20 key reads batched \(flipgate RemoteHost: 1 session\)\s+\| \d+\.\d/);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(
      /^ssh-transport: one command over the master \d+\.\d{3} s, a new connection per command \d+\.\d{3} s \(\d+\.\d{2}× faster multiplexed\)$/,
    );
  }, 240_000);

  it('bench/remote-survey.mjs prints the survey over SSH beside the local survey and Testinfra over SSH, and a summary line', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join('bench', 'remote-survey.mjs')],
        { env: { ...process.env, FLIPGATE_BENCH_SMOKE: '1' }, timeout: 300_000 },
        (err, stdout, stderr) => {
          resolve({ code: err ? 1 : 0, stdout, stderr });
        },
      );
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| \*\*flipgate survey over SSH\*\* \(`--target ssh:\/\/target`\)\s+\| \d+\.\d{3}/);
    expect(r.stdout).toMatch(/Testinfra over SSH.*(33\/33 agree|not installed \(smoke run: no apt-get\))/);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(
      /^remote-survey: over SSH \d+\.\d{3} s = \d+\.\d{2}× the local survey's .*peak RSS \d+ MB over SSH, \d+ MB local$/,
    );
  }, 300_000);
});
