/** The reason the runner aborts a check with when its time is up (as opposed to a cancelled run). */
export const deadlineReason = (): Error => Object.assign(new Error('the check timed out'), { name: 'TimeoutError' });

/** True when the signal was aborted because the check's time was up. */
export const abortedByDeadline = (signal: AbortSignal | undefined): boolean =>
  !!signal?.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError';
