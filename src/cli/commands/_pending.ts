import { ConfigError } from '../../errors.js';

/** Placeholder for a command whose module is being written; says so instead of pretending. */
export const pending = (name: string) => async (): Promise<number> => {
  throw new ConfigError(`flipgate ${name} is not available in this build`, { fix: 'see flipgate --help for the commands that are' });
};
