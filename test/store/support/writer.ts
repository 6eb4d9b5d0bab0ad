import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { inject } from 'vitest';

let built: Promise<string> | undefined;

/** Bundles test/fixtures/ledger-writer.ts (and the store it uses) once per run: children start in ~100 ms. */
export function writerScript(): Promise<string> {
  built ??= (async () => {
    // In the run's own folder, which the global teardown removes.
    const dir = await mkdtemp(path.join(inject('runDir'), 'writer-'));
    const out = path.join(dir, 'ledger-writer.mjs');
    await build({
      entryPoints: [path.resolve('test/fixtures/ledger-writer.ts')],
      outfile: out,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: ['pg-native'],
      banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
      logLevel: 'warning',
    });
    return out;
  })();
  return built;
}

export interface Writer {
  child: ChildProcess;
  /** "ok <seq> <hash>" lines seen so far: events whose append returned. */
  acked: { seq: number; hash: string }[];
  ready: Promise<void>;
  /** Resolves once the first append has returned (or the writer has exited). */
  firstAck: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts a writer child; `count` events, or 'forever' until killed. */
export async function startWriter(
  location: string,
  workflow: string,
  count: number | 'forever',
  actor: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Writer> {
  const script = await writerScript();
  const child = spawn(process.execPath, [script, location, workflow, String(count), actor], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: Writer['acked'] = [];
  let stderr = '';
  let buf = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (onReady = r));
  let onAck: () => void = () => undefined;
  const firstAck = new Promise<void>((r) => (onAck = r));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line === 'ready') onReady();
      const m = /^ok (\d+) ([0-9a-f]{64})$/.exec(line);
      if (m) {
        acked.push({ seq: Number(m[1]), hash: m[2]! });
        onAck();
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  void exited.then(() => {
    onReady();
    onAck();
  });
  return { child, acked, ready, firstAck, exited };
}
