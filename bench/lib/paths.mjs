import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the bench runs the built CLI there). */
export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
