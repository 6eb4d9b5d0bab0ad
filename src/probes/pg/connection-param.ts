import type { Zod } from '../types.js';

const envName = (z: Zod) =>
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error: "must name an environment variable — give the variable's name, never a connection string or password",
  });

/** Optional per-check connection: names of environment variables, never inline secrets. */
export const connectionParam = (z: Zod) => z.strictObject({ url: envName(z).optional(), prefix: envName(z).optional() }).optional();
