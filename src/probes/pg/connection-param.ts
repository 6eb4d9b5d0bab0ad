import { z } from 'zod';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must name an environment variable (never a connection string or password)' });

/** Optional per-check connection: names of environment variables, never inline secrets. */
export const connectionParam = z
  .strictObject({ url: envName.optional(), prefix: envName.optional() })
  .optional();
