import { type CheckOutcome, errored, fail, type Observed } from '../types.js';
import type { HostError } from './host.js';

/**
 * A host error as a check outcome: a path that does not exist is a failure (the thing checked is
 * absent, `present: false`); anything else — a link out of --root, a denied read, a timeout — is an
 * error, because the check cannot tell. Host errors name the path, never what is in it.
 */
export function absentOrError(e: HostError, observed: Observed & { path: string }): CheckOutcome {
  if (e.code === 'absent') return fail(`${observed.path} is absent`, { ...observed, present: false });
  return errored(e.detail, observed);
}
