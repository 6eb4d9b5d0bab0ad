import type { IssueText } from './issues.js';
import type { Path } from './locate.js';

const ref = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${NAME}` in every string (except under `vars`) with the environment's value or the
 * workflow's default; `$${` writes a literal `${`.
 */
export function interpolate(root: unknown, env: NodeJS.ProcessEnv): { value: unknown; vars: Record<string, string>; issues: IssueText[] } {
  const issues: IssueText[] = [];
  const defaults = (root as { vars?: unknown } | null)?.vars;
  const declared: Record<string, string> =
    defaults && typeof defaults === 'object' && !Array.isArray(defaults) ? (defaults as Record<string, string>) : {};
  const used: Record<string, string> = {};
  const resolve = (s: string, path: Path): string =>
    s.replace(ref, (whole, name: string | undefined) => {
      if (!name) return '${';
      const v = env[name] ?? (typeof declared[name] === 'string' ? declared[name] : undefined);
      if (v === undefined) {
        issues.push({ path, problem: `\${${name}} is not defined — add ${name} under vars: or set it in the environment` });
        return whole;
      }
      used[name] = v;
      return v;
    });
  const walk = (v: unknown, path: Path): unknown => {
    if (typeof v === 'string') return resolve(v, path);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = path.length === 0 && k === 'vars' ? x : walk(x, [...path, k]);
      return out;
    }
    return v;
  };
  const value = walk(root, []);
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(declared)) if (typeof v === 'string') vars[k] = env[k] ?? v;
  return { value, vars: { ...vars, ...used }, issues };
}
