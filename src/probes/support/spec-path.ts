/**
 * Why a spec path cannot be used as written, or undefined when it can: absolute, and segment by
 * segment free of `..` and of control characters (a newline would hide a `..` from a line-based
 * rule, and would split a line of a remote command). Checked after `${VARS}` are filled in, so a
 * value that comes from the environment is held to the same rule.
 */
export function specPathProblem(p: string): string | undefined {
  if (!p.startsWith('/')) return 'is not absolute';
  const control = /[\u0000-\u001f\u007f]/.exec(p);
  if (control) return `holds a control character (${controlName(control[0])})`;
  if (p.split('/').includes('..')) return 'holds a ".." segment';
  return undefined;
}

function controlName(c: string): string {
  const names: Record<string, string> = { '\n': 'a newline', '\r': 'a carriage return', '\t': 'a tab', '\u0000': 'a NUL byte' };
  return names[c] ?? `U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
}
