import { execFile } from 'node:child_process';
import path from 'node:path';

export const cliPath = path.resolve('bin/flipgate.js');

/** Runs the built CLI; never throws on a non-zero exit. */
export function flipgate(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, ...args],
      {
        env: { ...(opts.env ?? process.env), NO_COLOR: '1' },
        cwd: opts.cwd,
        maxBuffer: 32 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 120_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
