import type { z } from 'zod';
import type { PostgresAccess } from './pg/access.js';
import type { Host } from './support/host.js';

export type CheckStatus = 'pass' | 'fail' | 'error' | 'skip';

/** Plain JSON data a check observed (names, counts, modes — never a secret's value). */
export type Observed = { [key: string]: unknown };

/** What one check concluded, in words (`evidence`) and in data (`observed`). */
export interface CheckOutcome {
  status: CheckStatus;
  evidence: string;
  observed?: Observed;
}

export interface CheckResult extends CheckOutcome {
  ms: number;
}

/** A recorded human sign-off, as the runner hands it to an `approval` check. */
export interface Signoff {
  principal: string;
  time: string;
  note?: string;
}

/** Everything a probe may use; the runner builds it. Probes never reach for globals. */
export interface ProbeContext {
  /** The machine checked: every file, directory, process and keyring is reached through it. */
  host: Host;
  /** Aborted when the check's time is up (with a TimeoutError reason) or the run is cancelled. */
  signal: AbortSignal;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  postgres: PostgresAccess;
  /** Sign-offs that count for the GAP this check belongs to. */
  signoffs: Signoff[];
  /** Principals whose sign-offs must not count (the flip's requester). */
  excludedPrincipals: string[];
}

/** zod's `z`, handed to a kind's `params` by the spec's schema. */
export type Zod = typeof z;

/** One check kind: its name, its parameter schema and what it does. */
export interface ProbeKind<P extends z.ZodRawShape = z.ZodRawShape> {
  kind: string;
  summary: string;
  /**
   * The parameter schema, built from the `z` it is given: only validating a spec needs zod, and
   * running checks from an already validated spec never loads it (~40 ms of a survey's start).
   */
  params(z: Zod): P;
  /**
   * What a check of this kind mostly waits on: a child process, the network, or (unset) local files
   * and memory. The runner starts the slow ones first so that they overlap the quick ones.
   */
  waitsOn?: 'process' | 'network';
  /** Extra checks on parameters beyond the schema; each string is one problem with its fix. */
  lint?(params: z.infer<z.ZodObject<P>>): { field: string; problem: string }[];
  /**
   * Deeper checks that only `flipgate validate` runs, because they load analysers (a regular
   * expression's worst case, SQL parsed by PostgreSQL's own parser): errors and warnings, each
   * naming the field, the problem and the fix.
   */
  review?(params: z.infer<z.ZodObject<P>>): Promise<Review[]>;
  run(params: z.infer<z.ZodObject<P>>, ctx: ProbeContext): Promise<CheckOutcome>;
}

/** One finding of a probe's `review`. */
export interface Review {
  field: string;
  severity: 'error' | 'warning';
  /** "what is wrong — how to fix it". */
  problem: string;
}

export function defineProbe<P extends z.ZodRawShape>(kind: ProbeKind<P>): ProbeKind<P> {
  return kind;
}

export const pass = (evidence: string, observed?: Observed): CheckOutcome => ({ status: 'pass', evidence, observed });
export const fail = (evidence: string, observed?: Observed): CheckOutcome => ({ status: 'fail', evidence, observed });
export const errored = (evidence: string, observed?: Observed): CheckOutcome => ({ status: 'error', evidence, observed });
