import { type Command, Option } from 'commander';

/**
 * How a value from flipgate.config.yaml is read: `path` resolves against the config file's folder,
 * `location` too unless it is a URL (postgres://…), `text` is taken as written, `flag` is a boolean.
 */
export type ConfigKind = 'path' | 'location' | 'text' | 'flag';

/** An option every command accepts (a command it does not apply to accepts and ignores it). */
export interface SharedOption {
  /** The key in the parsed options, and in flipgate.config.yaml when `config` is set. */
  key: string;
  flags: string;
  help: string;
  /** The environment variable that sets it (flags win over it; it wins over the config file). */
  env?: string;
  config?: ConfigKind;
}

/**
 * The shared options, in the order `--help` lists them. Adding one is one line here: every command
 * accepts it, `--help` shows it, its env variable is read, and (with `config`) flipgate.config.yaml
 * accepts the key; precedence is flag > env > config > default.
 */
export const sharedOptions: readonly SharedOption[] = [
  {
    key: 'workflow',
    flags: '-w, --workflow <file>',
    env: 'FLIPGATE_WORKFLOW',
    config: 'path',
    help: 'workflow spec (default: the single file in ./machines/)',
  },
  {
    key: 'store',
    flags: '--store <location>',
    env: 'FLIPGATE_STORE',
    config: 'location',
    help: 'audit store: a file path or postgres:// URL (default: state/<workflow-id>.json)',
  },
  {
    key: 'root',
    flags: '--root <dir>',
    env: 'FLIPGATE_ROOT',
    config: 'path',
    help: 'host root that file, dir, env.keys, file.contains and gpg.key home paths resolve under (default: /)',
  },
  {
    key: 'target',
    flags: '--target <target>',
    env: 'FLIPGATE_TARGET',
    config: 'text',
    help: 'the machine the checks, the kill switch and the flip and disable commands run on: local, or ssh://[user@]host[:port] (an ssh_config alias works; default: local)',
  },
  {
    key: 'become',
    flags: '--become <how>',
    env: 'FLIPGATE_BECOME',
    config: 'text',
    help: 'on an ssh:// target, run checks and commands as root through sudo -n, never a password prompt (the one value: sudo)',
  },
  {
    key: 'inventory',
    flags: '--inventory <file>',
    env: 'FLIPGATE_INVENTORY',
    config: 'path',
    help: 'an Ansible inventory (INI or YAML): probe its hosts, each with its vars filling ${NAME} in the workflow',
  },
  {
    key: 'hosts',
    flags: '--hosts <pattern>',
    env: 'FLIPGATE_HOSTS',
    config: 'text',
    help: 'the inventory hosts in scope: a group, a host or a comma list (default: all)',
  },
  { key: 'forks', flags: '--forks <n>', help: 'inventory hosts probed at once (default 8)' },
  {
    key: 'as',
    flags: '--as <actor>',
    env: 'FLIPGATE_ACTOR',
    config: 'text',
    help: 'who runs the command, recorded in the ledger (default: the OS user)',
  },
  {
    key: 'witness',
    flags: '--witness <location>',
    env: 'FLIPGATE_WITNESS',
    config: 'location',
    help: "a second place that receives the ledger's head after every recorded event: a file or postgres:// URL (default: the workflow's ledger.witness)",
  },
  {
    key: 'concurrency',
    flags: '--concurrency <n>',
    help: 'checks run at once on each host (default 8; 32 on an ssh:// target or a fleet with ssh hosts)',
  },
  { key: 'timeout', flags: '--timeout <ms>', help: 'per-check timeout in milliseconds (default 10000)' },
  { key: 'json', flags: '--json', help: 'JSON output (schemaVersion 1), errors included' },
  { key: 'color', flags: '--color', help: 'colour the output even when it is not a terminal' },
  { key: 'color', flags: '--no-color', help: 'never colour the output' },
  {
    key: 'config',
    flags: '--config <file>',
    env: 'FLIPGATE_CONFIG',
    help: 'project config file (default: flipgate.config.yaml in this folder or the nearest one above)',
  },
];

/** The keys flipgate.config.yaml accepts, with how each is read. */
export const configKeys: ReadonlyMap<string, ConfigKind> = new Map(
  sharedOptions.flatMap((o) => (o.config ? [[o.key, o.config] as const] : [])),
);

/** Adds every shared option to `c` (with no defaults, so that a config value can fill what no flag or env set). */
export function withShared(c: Command): Command {
  for (const o of sharedOptions) {
    const option = new Option(o.flags, o.help).helpGroup('Shared options (every command):');
    c.addOption(o.env ? option.env(o.env) : option);
  }
  return c;
}

/**
 * Settles each shared option on the command that runs: a flag given before its name (`flipgate --store
 * X audit verify`) counts as its own, and every parent then holds the same value, because commander's
 * optsWithGlobals() lets a parent's value (its environment variable, say) win over the command's flag.
 */
export function settleShared(cmd: Command): void {
  for (const { key } of sharedOptions) {
    if (cmd.getOptionValueSource(key) !== 'cli') {
      for (let c = cmd.parent; c; c = c.parent) {
        if (c.getOptionValueSource(key) !== 'cli') continue;
        cmd.setOptionValueWithSource(key, c.getOptionValue(key), 'cli');
        break;
      }
    }
    const value: unknown = cmd.getOptionValue(key);
    const source = cmd.getOptionValueSource(key);
    for (let c = cmd.parent; c; c = c.parent) {
      if (c.getOptionValue(key) !== undefined || value !== undefined) c.setOptionValueWithSource(key, value, source);
    }
  }
}

/** Where an option's value came from on `cmd` or a parent command ('cli', 'env', 'config', … or undefined). */
export function sourceOf(cmd: Command, key: string): string | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const s = c.getOptionValueSource(key);
    if (s === 'cli' || s === 'env') return s;
  }
  return undefined;
}
