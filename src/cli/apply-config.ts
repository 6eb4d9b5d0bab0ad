import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { sourceOf } from './options.js';

export const CONFIG_FILE = 'flipgate.config.yaml';

/** flipgate.config.yaml in `dir` or the nearest folder above it, up to the filesystem root. */
function findConfigFile(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const file = path.join(d, CONFIG_FILE);
    if (existsSync(file)) return file;
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * Fills the options no flag and no FLIPGATE_* variable set from the project config: `--config FILE`
 * (or FLIPGATE_CONFIG), else flipgate.config.yaml found upward from the working folder.
 */
export async function applyProjectConfig(cmd: Command): Promise<void> {
  const explicit = cmd.optsWithGlobals<{ config?: string }>().config;
  const file = explicit !== undefined ? path.resolve(explicit) : findConfigFile(process.cwd());
  if (!file) return;
  const field = explicit === undefined ? undefined : sourceOf(cmd, 'config') === 'env' ? 'FLIPGATE_CONFIG' : '--config';
  // The config module (YAML and zod) loads only when there is a config file to read.
  const { loadProjectConfig } = await import('./config.js');
  const values = await loadProjectConfig(file, field);
  for (const [key, value] of Object.entries(values)) {
    if (!sourceOf(cmd, key)) cmd.setOptionValueWithSource(key, value, 'config');
  }
  // The config's folder is the project's: the default ./machines/ and state/ are found there too.
  cmd.setOptionValueWithSource('project', path.dirname(file), 'config');
}
