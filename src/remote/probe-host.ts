import { ConfigError } from '../errors.js';
import type { CommandRun } from '../probes/support/exec.js';
import { type Host, type HostError, type HostErrorCode, hostError } from '../probes/support/host.js';
import { EscapesRootError, RemoteError } from './errors.js';
import type { RemoteHost } from './host.js';
import { RemoteOpError } from './ops/protocol.js';
import { describeTarget } from './target.js';

const opCodes: Record<string, HostErrorCode> = {
  ENOENT: 'absent',
  ENOTDIR: 'absent',
  EACCES: 'denied',
  EISDIR: 'not-regular',
  ENOTREG: 'not-regular',
  ETIMEDOUT: 'timeout',
  ECANCELED: 'aborted',
  ENOTOOL: 'unavailable',
};

/**
 * A failed remote operation as the probes' HostError. A connection that cannot be made, a refused
 * `sudo -n` or a target that does not speak POSIX sh is `unreachable`, which every probe reports
 * as ERROR with the connection's own message (host key, refused port, sudo), never as a failure
 * of the thing checked and never as a pass.
 */
export function remoteFailure(e: unknown, shown: string): HostError {
  if (e instanceof EscapesRootError)
    return hostError('escapes-root', `${shown} escapes --root ${e.root} (it resolves to ${e.resolved} on the target)`);
  if (e instanceof RemoteError) return hostError('unreachable', e.message);
  if (e instanceof ConfigError) return hostError('bad-pattern', e.problem);
  if (e instanceof RemoteOpError) {
    const code = opCodes[e.code] ?? 'io';
    return hostError(code, code === 'absent' ? `${shown} does not exist` : e.message);
  }
  return hostError('io', `${shown}: ${e instanceof Error ? e.message : String(e)}`);
}

const settle = async <T, R>(shown: string, op: () => Promise<T>, ok: (v: T) => R): Promise<R | HostError> => {
  try {
    return ok(await op());
  } catch (e) {
    return remoteFailure(e, shown);
  }
};

/**
 * A RemoteHost as the probes' Host: the same probes, evidence and verdicts as on this machine,
 * with every file operation done on the target (batched, see RemoteHost) and only names, numbers
 * and modes coming back. Commands run through `sh` on the target with each argv element quoted
 * as one word; the operator's environment is not sent (it may hold secrets).
 */
export function remoteProbeHost(remote: RemoteHost): Host {
  return {
    root: remote.root,
    target: describeTarget(remote.target),
    stat: (p) =>
      settle(
        p,
        () => remote.stat(p),
        (st) => ({
          ok: true as const,
          type: st.type,
          mode: st.mode,
          uid: st.uid,
          gid: st.gid,
          // The target gives the number when an id has no name; the Host leaves the name out then.
          ...(st.owner !== String(st.uid) ? { owner: st.owner } : {}),
          ...(st.group !== String(st.gid) ? { group: st.group } : {}),
        }),
      ),
    account: (kind, nameOrId) =>
      settle(
        `${kind} ${nameOrId}`,
        () => remote.account(kind, nameOrId),
        (id) => ({ ok: true as const, exists: id !== null, ...(id !== null ? { id } : {}) }),
      ),
    list: (p) =>
      settle(
        p,
        () => remote.list(p),
        (entries) => ({ ok: true as const, entries }),
      ),
    async envKeys(p) {
      const files = await settle(
        p,
        () => remote.dotenvKeys(p),
        (f) => f,
      );
      if (!Array.isArray(files)) return files;
      // Asked about a directory, the target reads its files: the Host reads one file only.
      if (files.length !== 1 || files[0]!.name !== '') return hostError('not-regular', `${p} is a directory`);
      return { ok: true, keys: files[0]!.keys };
    },
    findLines: (p, pattern, opts) =>
      settle(
        p,
        () => remote.findLines(p, pattern, { timeoutMs: opts.timeoutMs, max: 1_000_000 }),
        (lines) => ({ ok: true as const, lines }),
      ),
    async run(argv, opts): Promise<CommandRun> {
      try {
        const r = await remote.exec(argv, { timeoutMs: opts.timeoutMs, signal: opts.signal });
        const out = { exitCode: r.exitCode, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
        if (!r.problem) return out;
        const problem = r.problem === 'output-limit' ? 'signal' : r.problem;
        const detail =
          r.problem === 'not-found'
            ? `${argv[0]} not found on ${describeTarget(remote.target)}`
            : r.problem === 'timeout'
              ? `did not finish within ${opts.timeoutMs} ms (stopped on the target)`
              : (r.detail ?? r.problem);
        return { ...out, problem, detail };
      } catch (e) {
        return { exitCode: undefined, stdout: '', stderr: '', problem: 'spawn-failed', detail: e instanceof Error ? e.message : String(e) };
      }
    },
    async findTool(name, _env, version) {
      // A bare name is found and asked its version in one step on the target (one round trip).
      if (version && !name.includes('/')) {
        const t = await settle(
          name,
          () => remote.tool(name, version.args),
          (v) => v,
        );
        if (t !== null && 'ok' in t)
          return t.code === 'timeout'
            ? hostError('timeout', `${name} ${version.args.join(' ')}: did not finish in time (stopped on the target)`)
            : t;
        if (t === null) return hostError('absent', `${name} is not on PATH`);
        return { ok: true, path: t.path, version: { firstLine: t.firstLine } };
      }
      const r = await settle(
        name,
        () => remote.which(name),
        (w) => w,
      );
      if (typeof r === 'object' && 'ok' in r) return r;
      if (r === 'denied') return hostError('denied', `${name} is not executable`);
      if (r.path) return { ok: true, path: r.path };
      return hostError('absent', name.includes('/') ? `${name} does not exist` : `${name} is not on PATH`);
    },
    gpgKeys: (home, _opts) =>
      settle(
        home ?? '~/.gnupg',
        () => remote.gpgKeys(home),
        (k) => {
          const keyring = k.present ? ('present' as const) : k.missing ? ('missing' as const) : ('no-keyring' as const);
          return { ok: true as const, home: home ?? k.home, keyring, primary: k.primary, all: k.all };
        },
      ),
  };
}
