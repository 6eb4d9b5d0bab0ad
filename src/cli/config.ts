import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, ConfigErrors } from '../errors.js';
import { readYaml, yamlLimits } from '../spec/load.js';
import { closest, locate } from '../spec/locate.js';
import { CONFIG_FILE } from './apply-config.js';
import { type ConfigKind, configKeys } from './options.js';

const isUrl = (s: string) => /^[a-z][a-z0-9+.-]+:\/\//i.test(s);

function resolveValue(kind: ConfigKind, value: unknown, dir: string): unknown {
  if (typeof value !== 'string') return value;
  if (kind === 'path' || (kind === 'location' && !isUrl(value))) return path.resolve(dir, value);
  return value;
}

async function readConfigText(file: string, field: string): Promise<string> {
  try {
    if ((await stat(file)).size > yamlLimits.bytes)
      throw new ConfigError('the config file is larger than 1 MiB', {
        place: { file },
        fix: 'a config file holds a few keys: check that this is the right file',
      });
    return await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? 'the config file does not exist' : `cannot read the config file (${code ?? 'error'})`, {
      place: { file, field },
      fix: `check the path given to ${field}`,
    });
  }
}

/**
 * Reads, checks and resolves a project config: its keys are the shared options marked `config`, and
 * a relative path in it is relative to the config file's folder.
 * @throws ConfigError naming file:line and the fix for bad YAML, an unknown key or a wrong type.
 */
export async function loadProjectConfig(file: string, field = CONFIG_FILE): Promise<Record<string, unknown>> {
  const text = await readConfigText(file, field);
  const { doc, lines, raw } = readYaml(text, file);
  if (raw === null || raw === undefined) return {};
  const known = [...configKeys.keys()];
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('the config must be a YAML mapping of option names to values', {
      place: { file, line: 1 },
      fix: `use keys such as ${known.join(', ')}`,
    });
  }
  const { z } = await import('zod');
  const kinds = { path: z.string().min(1), location: z.string().min(1), text: z.string().min(1), flag: z.boolean() };
  const schema = z.strictObject(Object.fromEntries(known.map((k) => [k, kinds[configKeys.get(k)!].optional()])));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigErrors(
      parsed.error.issues.flatMap((i) => {
        if (i.code === 'unrecognized_keys') {
          return i.keys.map((k) => {
            const near = closest(k, known);
            return new ConfigError(`unknown key "${k}"`, {
              place: locate(doc, lines, file, [], k),
              fix: near ? `did you mean "${near}"?` : `use one of ${known.join(', ')}`,
            });
          });
        }
        const key = String(i.path[0]);
        const want = configKeys.get(key) === 'flag' ? 'true or false' : 'a non-empty string';
        return [
          new ConfigError(`expected ${want}`, {
            place: locate(doc, lines, file, i.path as (string | number)[]),
            fix: `write ${key}: followed by ${want}, or remove the key`,
          }),
        ];
      }),
    );
  }
  const dir = path.dirname(path.resolve(file));
  return Object.fromEntries(
    Object.entries(parsed.data).flatMap(([k, v]) => (v === undefined ? [] : [[k, resolveValue(configKeys.get(k)!, v, dir)]])),
  );
}
