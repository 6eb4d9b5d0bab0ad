import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js';
import { processesMentioning } from './processes.js';

const skip = sshdUnavailable();

describe.skipIf(!!skip)(`the SSH master on SIGINT and SIGTERM${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => sshd?.stop());

  it.each(['SIGINT', 'SIGTERM'] as const)('is torn down, its folder removed, when flipgate gets %s', async (sig) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/remote/hold-connection.ts'), sshd.configFile, 'target'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const controlPath = await new Promise<string>((resolve) => child.stdout.once('data', (b) => resolve(String(b).trim())));
    expect(existsSync(controlPath)).toBe(true);
    expect(processesMentioning(controlPath)).toHaveLength(1);
    const ended = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill(sig);
    expect(await ended).toBe(sig);
    expect(existsSync(path.dirname(controlPath))).toBe(false);
    expect(processesMentioning(controlPath)).toEqual([]);
  });
});
