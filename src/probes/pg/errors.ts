import codes from 'pg-error-constants';

// SQLSTATE code → condition name (e.g. 22P02 → invalid_text_representation), from PostgreSQL's errcodes.
let names: Map<string, string> | undefined;
function conditionNames(): Map<string, string> {
  names ??= new Map(Object.entries(codes as Record<string, string>).map(([name, code]) => [code, name.toLowerCase()]));
  return names;
}

/** What a condition means for a check, where the name alone would not say it. */
const notes: Record<string, string> = {
  '3D000': 'no such database',
  '55P03': 'lock_timeout',
  '57014': 'statement_timeout',
  '57P01': 'the server ended the connection',
  '57P02': 'the server crashed',
  '57P03': 'the server is starting or stopping',
};

const nodeCodes: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  ENOENT: 'no such socket',
  EPIPE: 'connection closed while writing',
};

/** The server's fixed text when the extended protocol is given several statements (it quotes nothing of the query). */
const SEVERAL_STATEMENTS = 'cannot insert multiple commands into a prepared statement';

export const hasSqlState = (e: unknown): boolean => /^[0-9A-Z]{5}$/.test(String((e as { code?: unknown } | undefined)?.code ?? ''));

/** `22P02 invalid_text_representation`, or the class's name for a code not listed (`22xyz data_exception class`). */
export function sqlStateName(code: string): string {
  const known = conditionNames().get(code);
  const note = notes[code] ? ` (${notes[code]})` : '';
  if (known) return `${known}${note}`;
  const cls = conditionNames().get(`${code.slice(0, 2)}000`);
  return cls ? `${cls} class` : `class ${code.slice(0, 2)}`;
}

/**
 * A Postgres or network error reduced to its code and a fixed description. Server messages can
 * echo input values (a failing cast shows the value), so they are never passed on.
 */
export function describePgError(e: unknown, where?: string): string {
  const err = e as { code?: unknown; message?: unknown } | undefined;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const msg = typeof err?.message === 'string' ? err.message : '';
  const at = where ? ` (${where})` : '';
  if (code === '42601' && msg === SEVERAL_STATEMENTS)
    return `Postgres error 42601: the query holds more than one statement; postgres.query runs exactly one${at}`;
  if (code && hasSqlState(e)) return `Postgres error ${code} ${sqlStateName(code)}${at}`;
  if (code && nodeCodes[code]) return `${nodeCodes[code]} (${code})${at}`;
  if (/timeout/i.test(msg)) return `connect timeout${at}`;
  if (/terminated|ended|closed/i.test(msg)) return `connection closed by the server${at}`;
  if (code) return `cannot talk to Postgres: ${code}${at}`;
  if (/protocol|unexpected|parse|invalid/i.test(msg)) return `not a Postgres server, or a broken reply (protocol error)${at}`;
  return `cannot reach Postgres${at}`;
}
