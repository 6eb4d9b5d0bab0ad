import { constants, realpathSync, statSync } from 'node:fs';
import { access, copyFile, type FileHandle, lstat, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../errors.js';
import { accountId, accountName } from './accounts.js';
import { runArgv } from './exec.js';
import { describeFsError, errnoOf } from './fs-words.js';
import { type DirEntry, type FileInfo, type GpgKeys, type Host, type HostError, type HostResult, hostError } from './host.js';
import { parseEnvKeys } from './key-names.js';
import { matchLines } from './pattern.js';
import { resolveInRoot } from './resolve-in-root.js';
import { specPathProblem } from './spec-path.js';

/** Files read whole (file.contains, env.keys) are refused past this size: they are version files and configs. */
export const MAX_READ_BYTES = 8 * 1024 * 1024;
const keyringFiles = ['pubring.kbx', 'pubring.gpg', 'trustdb.gpg'];

function fsFailure(e: unknown, what: string, shown: string): HostError {
  const code = errnoOf(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') return hostError('absent', `${shown} does not exist`);
  if (code === 'EACCES' || code === 'EPERM') return hostError('denied', `cannot ${what} ${shown}: ${describeFsError(e)}`);
  return hostError('io', `cannot ${what} ${shown}: ${describeFsError(e)}`);
}

/**
 * This machine as a Host, with spec paths resolved under `root` (`--root`, default `/`): a folder
 * can stand in for a whole host, and no symbolic link in it leads to this machine's own files.
 * @throws ConfigError when the root does not exist or is not a directory.
 */
export function localHost(root = '/'): Host {
  let real: string;
  try {
    real = realpathSync(root);
    if (!statSync(real).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (e) {
    const code = errnoOf(e);
    throw new ConfigError(
      `${root} ${code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a directory' : `cannot be used (${describeFsError(e)})`}`,
      {
        place: { field: '--root' },
        fix: 'pass the folder that holds the host’s files (or / for this machine)',
      },
    );
  }

  const resolve = (p: string) => resolveInRoot(real, p);

  // Opens a regular file without following a last symbolic link (none is left after resolution)
  // and without blocking on a FIFO, and reads it whole, up to the limit.
  async function readText(p: string): Promise<HostResult<{ text: string }>> {
    const r = await resolve(p);
    if (!r.ok) return r;
    const flags = constants.O_RDONLY | constants.O_NONBLOCK | (real === '/' ? 0 : constants.O_NOFOLLOW);
    let fh: FileHandle;
    try {
      fh = await open(r.real, flags);
    } catch (e) {
      if (errnoOf(e) === 'ELOOP') return hostError('escapes-root', `${p} was replaced by a symbolic link while being read`);
      return fsFailure(e, 'read', p);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) return hostError('not-regular', `${p} is ${st.isDirectory() ? 'a directory' : 'not a regular file'}`);
      if (st.size > MAX_READ_BYTES)
        return hostError('too-large', `${p} is ${st.size} bytes; files of more than ${MAX_READ_BYTES / 1024 / 1024} MiB are not read`);
      const buf = Buffer.alloc(Math.min(st.size + 1, MAX_READ_BYTES + 1));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      if (bytesRead > MAX_READ_BYTES) return hostError('too-large', `${p} grew past ${MAX_READ_BYTES / 1024 / 1024} MiB while being read`);
      return { ok: true, text: buf.subarray(0, bytesRead).toString('utf8') };
    } catch (e) {
      return fsFailure(e, 'read', p);
    } finally {
      await fh.close();
    }
  }

  const host: Host = {
    root,

    async stat(p) {
      const r = await resolve(p);
      if (!r.ok) return r;
      try {
        const st = real === '/' ? await stat(r.real) : await lstat(r.real);
        if (st.isSymbolicLink()) return hostError('escapes-root', `${p} was replaced by a symbolic link while being checked`);
        const info: FileInfo = {
          type: st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other',
          mode: (st.mode & 0o7777).toString(8).padStart(4, '0'),
          uid: st.uid,
          gid: st.gid,
          owner: accountName('user', st.uid),
          group: accountName('group', st.gid),
        };
        return { ok: true, ...info };
      } catch (e) {
        return fsFailure(e, 'stat', p);
      }
    },

    async account(kind, nameOrId) {
      const id = accountId(kind, nameOrId);
      return { ok: true, exists: id !== undefined, ...(id !== undefined ? { id } : {}) };
    },

    async list(p) {
      const r = await resolve(p);
      if (!r.ok) return r;
      try {
        const entries = await readdir(r.real, { withFileTypes: true });
        const typed: DirEntry[] = entries.map((e) => ({
          name: e.name,
          type: e.isFile() ? 'file' : e.isDirectory() ? 'directory' : e.isSymbolicLink() ? 'symlink' : 'other',
        }));
        return { ok: true, entries: typed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
      } catch (e) {
        return fsFailure(e, 'list', p);
      }
    },

    async envKeys(p) {
      const r = await readText(p);
      return r.ok ? { ok: true, keys: parseEnvKeys(r.text) } : r;
    },

    async findLines(p, pattern, opts) {
      const r = await readText(p);
      if (!r.ok) return r;
      const m = await matchLines(r.text, pattern, opts);
      if (m.ok) return { ok: true, lines: m.lines };
      return hostError(m.code === 'failed' ? 'io' : m.code, `/${pattern}/ on ${p}: ${m.detail}`);
    },

    run: (argv, opts) => runArgv(argv, opts),

    async findTool(name, env) {
      const executable = (file: string) =>
        access(file, constants.X_OK).then(
          () => true,
          () => false,
        );
      if (name.includes('/')) {
        const bad = specPathProblem(name);
        if (bad) return hostError('bad-path', `${JSON.stringify(name)} ${bad}`);
        if (await executable(name)) return { ok: true, path: name };
        const exists = await access(name).then(
          () => true,
          () => false,
        );
        return exists ? hostError('denied', `${name} is not executable`) : hostError('absent', `${name} does not exist`);
      }
      // Every PATH directory is asked at once, so a long PATH costs one wait.
      const candidates = (env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, name));
      const found = await Promise.all(candidates.map(executable));
      const at = candidates[found.indexOf(true)];
      return at ? { ok: true, path: at } : hostError('absent', `${name} is not on PATH`);
    },

    async gpgKeys(home, opts) {
      let dir: string;
      let shown: string;
      if (home === undefined) {
        dir = opts.env.GNUPGHOME ?? path.join(opts.env.HOME ?? homedir(), '.gnupg');
        shown = dir;
      } else {
        shown = home;
        const r = await resolve(home);
        if (!r.ok && r.code === 'absent') return { ok: true, home: shown, keyring: 'missing', primary: [], all: [] };
        if (!r.ok) return r;
        dir = r.real;
      }
      let present: string[];
      try {
        present = (await readdir(dir)).filter((f) => keyringFiles.includes(f));
      } catch (e) {
        if (errnoOf(e) === 'ENOENT') return { ok: true, home: shown, keyring: 'missing', primary: [], all: [] };
        return fsFailure(e, 'read', shown);
      }
      if (!present.some((f) => f.startsWith('pubring'))) return { ok: true, home: shown, keyring: 'no-keyring', primary: [], all: [] };
      // gpg writes to its home even to list keys: list them from a throw-away copy.
      const scratch = await mkdtemp(path.join(tmpdir(), 'flipgate-gpg-'));
      try {
        for (const f of present) {
          let source = path.join(dir, f);
          if (home !== undefined) {
            const s = await resolve(path.posix.join(home, f));
            if (!s.ok) return s;
            source = s.real;
          }
          await copyFile(source, path.join(scratch, f));
        }
        const r = await runArgv(
          [
            'gpg',
            '--homedir',
            scratch,
            '--batch',
            '--no-tty',
            '--no-autostart',
            '--no-auto-check-trustdb',
            '--with-colons',
            '--fixed-list-mode',
            '--list-keys',
          ],
          {
            timeoutMs: opts.timeoutMs,
            signal: opts.signal,
            env: opts.env,
          },
        );
        if (r.problem === 'not-found')
          return hostError('unavailable', 'gpg is not on PATH: install GnuPG (apt-get install gnupg) to check keys');
        if (r.problem) return hostError(r.problem === 'timeout' ? 'timeout' : 'io', `gpg --list-keys: ${r.detail}`);
        if (r.exitCode !== 0 && r.exitCode !== 2) return hostError('io', `gpg --list-keys exited ${r.exitCode}`);
        const keys: GpgKeys = { home: shown, keyring: 'present', ...parseFingerprints(r.stdout) };
        return { ok: true, ...keys };
      } catch (e) {
        return fsFailure(e, 'copy the keyring of', shown);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  };
  return host;
}

/** Fingerprints of primary keys and subkeys, from `--with-colons` output. */
export function parseFingerprints(colons: string): { primary: string[]; all: string[] } {
  const primary: string[] = [];
  const all: string[] = [];
  let last = '';
  for (const line of colons.split('\n')) {
    const f = line.split(':');
    if (f[0] === 'pub' || f[0] === 'sub') last = f[0];
    if (f[0] === 'fpr' && f[9]) {
      all.push(f[9]);
      if (last === 'pub') primary.push(f[9]);
      last = '';
    }
  }
  return { primary, all };
}
