const conditions: Record<string, string> = {
  '08000': 'connection_exception',
  '08001': 'sqlclient_unable_to_establish_sqlconnection',
  '08006': 'connection_failure',
  '0A000': 'feature_not_supported',
  '25006': 'read_only_sql_transaction',
  '28000': 'invalid_authorization_specification',
  '28P01': 'invalid_password',
  '3D000': 'invalid_catalog_name (no such database)',
  '3F000': 'invalid_schema_name',
  '42501': 'insufficient_privilege',
  '42601': 'syntax_error',
  '42703': 'undefined_column',
  '42883': 'undefined_function',
  '42P01': 'undefined_table',
  '53300': 'too_many_connections',
  '55P03': 'lock_not_available (lock_timeout)',
  '57014': 'query_canceled (statement_timeout)',
  '57P01': 'admin_shutdown',
  '57P03': 'cannot_connect_now',
};

const nodeCodes: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  ENOENT: 'no such socket',
};

/**
 * A Postgres or network error reduced to its code and a fixed description. Server messages can
 * echo input values (a failing cast shows the value), so they are never passed on.
 */
export function describePgError(e: unknown, where?: string): string {
  const err = e as { code?: unknown; message?: unknown } | undefined;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const at = where ? ` (${where})` : '';
  if (code && /^[0-9A-Z]{5}$/.test(code)) return `Postgres error ${code} ${conditions[code] ?? `class ${code.slice(0, 2)}`}${at}`;
  if (code && nodeCodes[code]) return `${nodeCodes[code]} (${code})${at}`;
  const msg = typeof err?.message === 'string' ? err.message : '';
  if (/timeout/i.test(msg)) return `connect timeout${at}`;
  if (/terminated|ended|closed/i.test(msg)) return `connection closed by the server${at}`;
  return `cannot reach Postgres${at}`;
}
