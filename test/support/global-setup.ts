import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/demo/embedded-pg.js';

declare module 'vitest' {
  export interface ProvidedContext {
    embeddedPg: { host: string; port: number } | null;
    /** A folder for the whole run's build products (the ledger-writer bundle), removed at the end. */
    runDir: string;
  }
}

let server: EmbeddedPostgres | undefined;
let runDir: string | undefined;

/** Starts one embedded Postgres for the whole run when no real server is configured. */
export async function setup(project: TestProject): Promise<void> {
  runDir = await mkdtemp(path.join(tmpdir(), 'flipgate-test-run-'));
  project.provide('runDir', runDir);
  if (process.env.PGHOST || process.env.DATABASE_URL) {
    project.provide('embeddedPg', null);
    return;
  }
  server = await startEmbeddedPostgres();
  project.provide('embeddedPg', { host: server.host, port: server.port });
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (runDir) await rm(runDir, { recursive: true, force: true });
}
