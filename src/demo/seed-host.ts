import { appendFile, chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { groupName } from '../probes/support/accounts.js';
import { runArgv } from '../probes/support/exec.js';
import { demoAsset } from './locate.js';

/** Something that runs SQL: a pg.Client or pool. */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface SeedHostOptions {
  /** Folder standing in for the host's `/`. */
  root: string;
  /** Runs SQL as a role that may create roles and schemas. */
  sql: SqlRunner;
  /** Prefix for the four roles (roles are cluster-wide). */
  rolePrefix?: string;
  /** Schema standing in for cutter_governance. */
  schema?: string;
  /** A value planted in every secret, so tests can prove it never leaks. */
  secret?: string;
}

export interface SeedHost {
  root: string;
  rolePrefix: string;
  schema: string;
  secret: string;
  /** The `${NAME}` overrides the O8 workflow needs to run against this host. */
  vars: Record<string, string>;
  /** Provisions what a GAP's host-side checks need (sign-offs are recorded through flipgate). */
  provision(gap: 'GAP-3' | 'GAP-5' | 'GAP-6' | 'GAP-9'): Promise<void>;
  /** Removes the roles and the schema it created. */
  dropDatabaseObjects(): Promise<void>;
}

export const phases = ['pre_write_backup', 'iu_create', 'iu_enact', 'verify_write', 'manifest_seal'];

/** The public key the demo imports into the backup keyring (no secret key is shipped). */
export async function demoBackupKey(): Promise<string> {
  return readFile(await demoAsset('backup-key.asc'), 'utf8');
}

async function put(root: string, p: string, text: string, mode = 0o644): Promise<string> {
  const full = path.join(root, p);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, text);
  await chmod(full, mode);
  return full;
}

/**
 * Builds a host in the state the O8 survey (Report 02) describes, under `root` and in Postgres:
 * code and deploy path present, the four roles and the governance schema with 3 review_decision
 * rows, secrets present but no BACKUP_GPG_FPR, an empty keyring, no orchestrator.* keys, no
 * /var/lib/cutter, no cut-revert runbook, phases without live bodies, the kill switch off.
 */
export async function buildSeedHost(opts: SeedHostOptions): Promise<SeedHost> {
  const { root, sql } = opts;
  const rolePrefix = opts.rolePrefix ?? '';
  const schema = opts.schema ?? 'cutter_governance';
  const secret = opts.secret ?? 'S3cr3t-never-print-me';
  const me = userInfo();

  await put(root, 'opt/incomex/dot/VERSION', 'v0.6.0\n');
  await mkdir(path.join(root, 'opt/incomex/dot/cutter/phases'), { recursive: true });
  await put(
    root,
    'opt/incomex/dot/cutter/execution.py',
    '# Kill switch: execution stays off until the O8 flip.\n__execution_enabled__ = False\n',
  );
  for (const ph of phases)
    await put(root, `opt/incomex/dot/cutter/phases/${ph}.py`, `def run_dry(plan):\n    return plan  # no live body yet (GAP-9)\n`);
  await put(root, 'opt/incomex/dot/deploy/deploy.sh', '#!/bin/sh\necho deploy\n', 0o750);
  await put(root, 'opt/incomex/dot/deploy/MANIFEST', 'release: v0.6.0\n');
  await put(root, 'opt/incomex/dot/config/cutter.conf', 'cutter.log_level=info\n');
  await put(root, 'opt/incomex/dot/sql/lifecycle/rollback_runbook.sql', '-- lifecycle-DDL teardown; refuses post-Phase-7 state\n');
  const envProd = await put(
    root,
    'opt/incomex/secrets/.env.production',
    [
      `CONTEXT_PACK_RO_DSN=postgres://context_pack_readonly:${secret}@db/incomex`,
      `DOT_CUTTER_EXEC_DB_HOST=db`,
      `DOT_CUTTER_EXEC_DB_PASSWORD="${secret}"`,
      `DOT_CUTTER_VERIFY_DB_HOST=db`,
      `DOT_CUTTER_VERIFY_DB_PASSWORD='${secret}'`,
      '',
    ].join('\n'),
    0o640,
  );
  const dockerEnv = await put(root, 'opt/incomex/docker/.env', `AGENT_DATA_API_KEY=${secret}\n`, 0o600);
  await chown(envProd, me.uid, me.gid).catch(() => undefined);
  await chown(dockerEnv, me.uid, me.gid).catch(() => undefined);
  await mkdir(path.join(root, 'root/.gnupg'), { recursive: true, mode: 0o700 });
  await chmod(path.join(root, 'root'), 0o700);

  const role = (r: string) => `"${rolePrefix}${r}"`;
  for (const r of ['context_pack_readonly', 'cutter_exec', 'cutter_verify']) await sql.query(`CREATE ROLE ${role(r)} LOGIN`);
  await sql.query(`CREATE ROLE ${role('cutter_ro')} NOLOGIN`);
  await sql.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  for (const t of ['verify_result', 'cut_change_set', 'manifest_envelope', 'dot_pair_signature'])
    await sql.query(`CREATE TABLE "${schema}".${t} (id serial PRIMARY KEY, body text)`);
  await sql.query(`CREATE TABLE "${schema}".review_decision (id serial PRIMARY KEY, principal text, decision text, secret_note text)`);
  for (let i = 1; i <= 3; i++) {
    await sql.query(`INSERT INTO "${schema}".review_decision (principal, decision, secret_note) VALUES ($1, $2, $3)`, [
      'cutter_exec',
      `v0.5 constitution ${i}`,
      secret,
    ]);
  }

  // Named the way the file probe names it, so the demo's owners match what the survey sees.
  const group = groupName(me.gid);
  const vars = {
    SECRETS_OWNER: me.username,
    SECRETS_GROUP: group,
    DOCKER_ENV_GROUP: group,
    ROLE_PREFIX: rolePrefix,
    GOV_SCHEMA: schema,
    BACKUP_GNUPGHOME: '/root/.gnupg',
    CUTTER_BIN: path.join(root, 'opt/incomex/dot/bin/cutter'),
  };
  await put(root, 'opt/incomex/dot/bin/cutter', cutterScript(), 0o755);

  return {
    root,
    rolePrefix,
    schema,
    secret,
    vars,
    async provision(gap) {
      switch (gap) {
        case 'GAP-3': {
          await appendFile(envProd, 'BACKUP_GPG_FPR=E868F23FDBCB5600EDC84F92D57AD4D1B5C582CD\n');
          const keyFile = await put(root, 'tmp/backup-key.asc', await demoBackupKey());
          const r = await runArgv(['gpg', '--homedir', path.join(root, 'root/.gnupg'), '--batch', '--no-autostart', '--import', keyFile], {
            timeoutMs: 15_000,
          });
          if (r.problem || r.exitCode !== 0) throw new Error(`gpg --import failed: ${r.detail ?? `exit ${r.exitCode}`}`);
          break;
        }
        case 'GAP-5':
          await put(
            root,
            'opt/incomex/dot/config/orchestrator.conf',
            'orchestrator.runs_dir=/var/lib/cutter/runs\norchestrator.batch_size=1\n',
          );
          for (const d of ['runs', 'batches', 'locks']) await mkdir(path.join(root, 'var/lib/cutter', d), { recursive: true });
          break;
        case 'GAP-6':
          await put(root, 'opt/incomex/dot/sql/lifecycle/cut_revert_runbook.sql', '-- per-document cut revert\n');
          await put(root, 'var/lib/cutter/runs/revert-dry-run.log', 'revert dry-run of a cut\nRESULT: PASS\n');
          break;
        case 'GAP-9':
          for (const ph of phases)
            await appendFile(path.join(root, `opt/incomex/dot/cutter/phases/${ph}.py`), '\ndef run_live(plan):\n    return plan\n');
          break;
      }
    },
    async dropDatabaseObjects() {
      await sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      for (const r of ['context_pack_readonly', 'cutter_exec', 'cutter_verify', 'cutter_ro'])
        await sql.query(`DROP ROLE IF EXISTS ${role(r)}`);
    },
  };
}

/** The demo's stand-in for the real `cutter execution enable|disable`: edits the kill switch next to it. */
function cutterScript(): string {
  return `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const [what, how] = process.argv.slice(2);
if (what !== 'execution' || !['enable', 'disable'].includes(how)) { console.error('usage: cutter execution enable|disable'); process.exit(2); }
if (process.env.CUTTER_FAIL_ON === how) { console.error('cutter: refusing to ' + how + ' (CUTTER_FAIL_ON)'); process.exit(1); }
if (process.env.CUTTER_NOOP_ON === how) process.exit(0);
const file = path.join(__dirname, '..', 'cutter', 'execution.py');
const text = fs.readFileSync(file, 'utf8');
fs.writeFileSync(file, text.replace(/^__execution_enabled__\\s*=\\s*(True|False)/m, '__execution_enabled__ = ' + (how === 'enable' ? 'True' : 'False')));
`;
}
