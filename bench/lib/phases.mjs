// Where one run's wall time goes, from a V8 CPU profile of it (`node --cpu-prof`): the time at
// which each named function is first and last on the stack. Best effort: names come from the
// bundle, and a phase whose function is never sampled is left out.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export async function phasesFromProfile(dir, marks) {
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return undefined;
  const p = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const first = {};
  const last = {};
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    for (let id = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const name = byId.get(id).callFrame.functionName;
      if (!marks.includes(name)) continue;
      first[name] ??= t;
      last[name] = t;
    }
  }
  return {
    first: (n) => (first[n] === undefined ? undefined : first[n] / 1000),
    last: (n) => (last[n] === undefined ? undefined : last[n] / 1000),
    end: t / 1000,
  };
}
