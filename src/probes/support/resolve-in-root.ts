import type { Stats } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError, errnoOf } from './fs-words.js';
import { type HostError, hostError } from './host.js';
import { specPathProblem } from './spec-path.js';

const MAX_LINKS = 40;

export type Resolved = { ok: true; real: string } | HostError;

/**
 * Resolves a spec path inside a root folder one segment at a time, following symbolic links the
 * way the kernel would, but refusing any that lead out of the root: the answer is a path with no
 * link left in it, or an error. An absolute link target counts from the real `/`, so a link to
 * `/etc/shadow` inside a simulated host is an escape, never the machine's own file. With root `/`
 * nothing can escape and the path is used as written.
 */
export async function resolveInRoot(root: string, specPath: string): Promise<Resolved> {
  const bad = specPathProblem(specPath);
  if (bad) return hostError('bad-path', `${JSON.stringify(specPath)} ${bad}`);
  if (root === '/') return { ok: true, real: specPath };
  const inside = (p: string) => p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);
  const escapes = (via: string) => hostError('escapes-root', `${specPath} escapes --root through the symbolic link ${via}`);
  const todo = specPath.split('/').filter((s) => s && s !== '.');
  let cur = root;
  let links = 0;
  let lastLink = '';
  while (todo.length) {
    const seg = todo.shift()!;
    if (seg === '..') {
      // Only a link's target brings ".." here (spec paths are refused above).
      if (cur === root) return escapes(lastLink);
      cur = path.dirname(cur);
      continue;
    }
    const next = path.join(cur, seg);
    let st: Stats;
    try {
      st = await lstat(next);
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return hostError('absent', `${specPath} does not exist`);
      if (code === 'EACCES' || code === 'EPERM') return hostError('denied', `cannot look into ${specPath}: ${describeFsError(e)}`);
      return hostError('io', `cannot look into ${specPath}: ${describeFsError(e)}`);
    }
    if (!st.isSymbolicLink()) {
      if (todo.length && !st.isDirectory()) return hostError('absent', `${specPath} does not exist (a parent is not a directory)`);
      cur = next;
      continue;
    }
    if (++links > MAX_LINKS) return hostError('io', `${specPath}: too many symbolic links (ELOOP)`);
    let target: string;
    try {
      target = await readlink(next);
    } catch (e) {
      return hostError('io', `cannot read the symbolic link ${specPath}: ${describeFsError(e)}`);
    }
    const shown = `/${path.relative(root, next)}`;
    lastLink = shown;
    let base = cur;
    if (target.startsWith('/')) {
      const normal = path.normalize(target);
      if (!inside(normal)) return escapes(shown);
      base = root;
      todo.unshift(...path.relative(root, normal).split('/').filter(Boolean));
    } else {
      todo.unshift(...target.split('/').filter((s) => s && s !== '.'));
    }
    cur = base;
    if (!inside(cur)) return escapes(shown);
  }
  return { ok: true, real: cur };
}
