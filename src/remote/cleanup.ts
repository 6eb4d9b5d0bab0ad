/** Anything that must not outlive this process: an SSH master and its private folder. */
export interface Closable {
  closeSync(): void;
}

const live = new Set<Closable>();
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function closeAll(): void {
  for (const c of [...live]) {
    live.delete(c);
    try {
      c.closeSync();
    } catch {
      // Best effort: the process is ending.
    }
  }
}

// Closes what is left, then lets the signal do what it would have done without this handler
// (unless someone else, such as `serve`, listens and will end the process its own way).
function onSignal(sig: NodeJS.Signals): void {
  closeAll();
  uninstall();
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

const handlers = new Map(signals.map((s) => [s, () => onSignal(s)] as const));

function install(): void {
  process.on('exit', closeAll);
  for (const [sig, h] of handlers) process.on(sig, h);
}

function uninstall(): void {
  process.removeListener('exit', closeAll);
  for (const [sig, h] of handlers) process.removeListener(sig, h);
}

/** Closes `c` when the process exits or is told to stop (SIGINT, SIGTERM, SIGHUP), if nothing closed it before. */
export function closeOnExit(c: Closable): void {
  if (live.size === 0) install();
  live.add(c);
}

/** `c` was closed the ordinary way. */
export function forget(c: Closable): void {
  live.delete(c);
  if (live.size === 0) uninstall();
}
