import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { openStore, storeWorkflows } from '../../src/store/open.js';
import { backendFor } from '../../src/store/registry.js';

describe('the store registry', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fg-registry-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('chooses the backend by URL scheme: a path or file: is a file, postgres: and postgresql: are Postgres', () => {
    expect(backendFor('state/o8.json').name).toBe('file');
    expect(backendFor('C:\\flipgate\\o8.json').name).toBe('file');
    expect(backendFor('file:///var/lib/flipgate/o8.json').name).toBe('file');
    expect(backendFor('postgres://db/audit').name).toBe('postgres');
    expect(backendFor('PostgreSQL://db/audit').name).toBe('postgres');
  });

  it('refuses a scheme no backend serves, naming the ones that exist', () => {
    expect(() => backendFor('s3://bucket/o8')).toThrow(ConfigError);
    expect(() => backendFor('s3://bucket/o8')).toThrow(
      /no store serves "s3:" locations — use a file path or one of file:, postgres:, postgresql:/,
    );
  });

  it('opens a file: URL as the file it names, and lists the workflow its ledger holds', async () => {
    const file = path.join(dir, 'o8.json');
    expect(await storeWorkflows(file)).toEqual([]);
    const store = await openStore(pathToFileURL(file).href, 'o8', { env: {} });
    await store.transact((tx) => tx.append([{ type: 'note', actor: 'ops', cause: { kind: 'operator' } }]));
    await store.close();
    await access(path.join(dir, 'o8.events.jsonl'));
    expect(await storeWorkflows(file)).toEqual(['o8']);
  });
});
