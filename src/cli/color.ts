import pc from 'picocolors';

let flag: boolean | undefined;

/** Records `--color` / `--no-color` (undefined when neither was given): flags win over the environment. */
export function chooseColor(choice: boolean | undefined): void {
  flag = choice;
}

/**
 * The one decision whether output is coloured: `--color`/`--no-color`, else FORCE_COLOR (`1`, `2`,
 * `3`, `true` or empty force it; `0` or anything else turns it off), else NO_COLOR (any non-empty value
 * turns it off), else colour only on a terminal that is not TERM=dumb. FORCE_COLOR is read before
 * NO_COLOR as Node itself does: it is the more specific request.
 */
export function useColor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return ['', '1', '2', '3', 'true'].includes(force);
  if (env.NO_COLOR) return false;
  return !!stream.isTTY && env.TERM !== 'dumb';
}

/** picocolors set to the decision (its own default reads argv and the environment differently). */
export const colors = (stream?: NodeJS.WriteStream) => pc.createColors(useColor(stream));
