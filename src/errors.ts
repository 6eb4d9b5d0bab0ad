/** Where in a user's file a problem sits. */
export interface Place {
  file?: string;
  line?: number;
  column?: number;
  field?: string;
}

/**
 * A mistake in user input (a spec, a flag, an environment variable): never a bug.
 * The CLI prints `message` on one line and exits 2; no stack trace is shown.
 */
export class ConfigError extends Error {
  readonly place: Place;
  readonly fix: string | undefined;
  readonly exitCode = 2;
  constructor(problem: string, opts: { place?: Place; fix?: string } = {}) {
    super(formatProblem(problem, opts.place ?? {}, opts.fix));
    this.name = 'ConfigError';
    this.place = opts.place ?? {};
    this.fix = opts.fix;
    this.problem = problem;
  }
  readonly problem: string;
}

/** Several ConfigErrors found in one pass over a file; each is one line of `message`. */
export class ConfigErrors extends ConfigError {
  readonly errors: ConfigError[];
  constructor(errors: ConfigError[]) {
    super('');
    this.message = errors.map((e) => e.message).join('\n');
    this.name = 'ConfigErrors';
    this.errors = errors;
  }
}

export function formatProblem(problem: string, place: Place, fix?: string): string {
  let where = '';
  if (place.file) {
    where = place.file;
    if (place.line) where += `:${place.line}${place.column ? `:${place.column}` : ''}`;
    where += ': ';
  }
  const field = place.field ? `${place.field}: ` : '';
  return `${where}${field}${problem}${fix ? ` — ${fix}` : ''}`;
}

export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError;
}

/**
 * A request the workflow's rules refuse (self-approval, a forbidden waiver, a flip from the wrong
 * state): the input is well-formed but the answer is no. The CLI prints it and exits 1.
 */
export class Refusal extends Error {
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(fix ? `${message} — ${fix}` : message);
    this.name = 'Refusal';
  }
}
