import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath } from '../support/cli.js';
import { O8, type SeedFixture, setupSeedHost } from '../support/seed.js';

/** Starts `flipgate serve` and resolves with the URL it prints, and a way to stop it. */
function serve(fx: SeedFixture, ...args: string[]): Promise<{ url: string; stderr: () => string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--workflow', O8, '--store', fx.storePath, '--root', fx.root, ...args], {
    env: { ...fx.env, NO_COLOR: '1' },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/at (http:\/\/\S+\/)/);
      if (m)
        resolve({
          url: m[1]!,
          stderr: () => err,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
    });
    exited.then((code) => reject(new Error(`flipgate serve exited ${code}: ${err}`)));
  });
}

describe('flipgate serve', () => {
  let fx: SeedFixture;
  beforeAll(async () => {
    fx = await setupSeedHost();
  });
  afterAll(async () => {
    await fx.cleanup();
  });

  it('binds 127.0.0.1 by default, serves the board from the store, and exits 0 on SIGTERM', async () => {
    const s = await serve(fx, '--port', '0');
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const html = await (await fetch(s.url)).text();
      for (const g of fx.wf.spec.gaps) expect(html).toContain(`data-gap="${g.id}"`);
      expect(html).toContain('not surveyed yet');
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('refuses a port that is taken, saying which (exit 2)', async () => {
    const first = await serve(fx, '--port', '0');
    try {
      const port = new URL(first.url).port;
      const second = await serve(fx, '--port', port).then(
        (s) => s.stop().then(() => 'started'),
        (e: Error) => e.message,
      );
      expect(second).toMatch(/exited 2: .*cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
    } finally {
      await first.stop();
    }
  });
});
