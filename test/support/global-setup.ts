import type { TestProject } from 'vitest/node';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/demo/embedded-pg.js';

declare module 'vitest' {
  export interface ProvidedContext {
    embeddedPg: { host: string; port: number } | null;
  }
}

let server: EmbeddedPostgres | undefined;

/** Starts one embedded Postgres for the whole run when no real server is configured. */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.PGHOST || process.env.DATABASE_URL) {
    project.provide('embeddedPg', null);
    return;
  }
  server = await startEmbeddedPostgres();
  project.provide('embeddedPg', { host: server.host, port: server.port });
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
