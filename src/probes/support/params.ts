import type { Zod } from '../types.js';

/**
 * An absolute host path; resolved under `--root` at run time. No segment may be `..` and no
 * character a control character (a newline would hide a `..` from a line-based rule). Checked on
 * the value after `${VARS}` are filled in, so an environment override is held to the same rule;
 * the host checks it again before use.
 */
export const hostPath = (z: Zod) =>
  z.string().regex(/^(?!.*(?:^|\/)\.\.(?:\/|$))\/[^\u0000-\u001f\u007f]*$/, {
    error: 'must be an absolute path with no ".." segment and no control character (newline, tab …) — write it like /opt/app/.env',
  });

/** A file mode written as an octal string ("0640"); YAML would read a bare 0640 as 640. */
export const modeString = (z: Zod) => z.string().regex(/^0?[0-7]{3,4}$/, { error: 'must be an octal mode string — quote it like "0640"' });

/** A dotted version written as a string ("2.10"); YAML would read a bare 2.10 as 2.1. */
export const versionString = (z: Zod) => z.string().regex(/^\d+(\.\d+)*$/, { error: 'must be a version string — quote it like "16.2"' });

/** A JavaScript regular expression, checked at validation time. */
export const pattern = (z: Zod) => z.string().min(1, { error: 'must not be empty' });

/** Fields that take a regular expression, for lint. */
export function lintPattern(field: string, value: string | undefined): { field: string; problem: string }[] {
  if (value === undefined) return [];
  try {
    new RegExp(value, 'm');
    return [];
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
    return [
      {
        field,
        problem: `is not a valid regular expression (${why}) — fix the pattern; escape literal characters such as ( [ . with a backslash`,
      },
    ];
  }
}
