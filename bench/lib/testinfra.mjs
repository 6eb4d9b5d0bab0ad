import { spawnSync } from 'node:child_process';
import { smoke } from './measure.mjs';

export const python = '/usr/bin/python3';

/** Testinfra from Debian's python3-testinfra; installed with apt-get when missing (never in a smoke run). */
export function ensureTestinfra(note) {
  const has = () => spawnSync(python, ['-c', 'import testinfra, pytest'], { stdio: 'ignore' }).status === 0;
  if (has()) return { ok: true };
  if (smoke) return { ok: false, why: 'python3-testinfra is not installed (smoke run: no apt-get)' };
  note('python3-testinfra is missing: installing it with apt-get …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-q', 'python3-testinfra'], { env, encoding: 'utf8' });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { env, stdio: 'ignore' });
    r = spawnSync('apt-get', ['install', '-y', '-q', 'python3-testinfra'], { env, encoding: 'utf8' });
  }
  if (r.error || r.status !== 0 || !has()) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop() || `exit ${r.status}`;
    note(`cannot install python3-testinfra: ${why}`);
    return { ok: false, why: `python3-testinfra could not be installed (apt-get: ${why})` };
  }
  note('python3-testinfra installed');
  return { ok: true, installed: true };
}
