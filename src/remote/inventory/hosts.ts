import { ConfigError } from '../../errors.js';
import type { Become } from '../remote-run.js';
import { parseTarget, type Target } from '../target.js';
import { depths, type Inventory } from './model.js';
import { hostsUnder } from './pattern.js';

/** One inventory host, ready to probe: where and how to reach it, and the vars for `${NAME}`. */
export interface FleetHost {
  /** The inventory name (what the ledger, the GAP matrix and `audit` show). */
  name: string;
  /** Every group it belongs to, `all` included, in the order their vars apply. */
  groups: string[];
  /** Group vars, then host vars, as strings (a list or mapping as JSON), plus inventory_hostname. */
  vars: Record<string, string>;
  target: Target;
  become: Become;
  /** ansible_ssh_private_key_file, for `ssh -i`. */
  identityFile?: string;
}

const secretVar = /^ansible_.*pass(word)?$/;

/**
 * Resolves a host as Ansible does: vars of `all`, then of deeper groups (ties by
 * ansible_group_priority, then name), then the host's own. ansible_host/_port/_user and
 * ansible_connection (ssh or local) give the target; ansible_become (with method sudo) gives
 * `sudo -n`. Password vars are never kept (flipgate never sends a password).
 */
export function fleetHost(inv: Inventory, name: string): FleetHost {
  const depth = depths(inv);
  const groups = [...inv.groups.keys()].filter((g) => hostsUnder(inv, g).includes(name));
  const priority = (g: string) => Number(inv.groups.get(g)?.vars.ansible_group_priority ?? 1) || 1;
  groups.sort((a, b) => depth.get(a)! - depth.get(b)! || priority(a) - priority(b) || (a < b ? -1 : a > b ? 1 : 0));
  const merged: Record<string, unknown> = {};
  for (const g of groups) Object.assign(merged, inv.groups.get(g)!.vars);
  Object.assign(merged, inv.hosts.get(name));
  const vars: Record<string, string> = { inventory_hostname: name };
  for (const [k, v] of Object.entries(merged))
    if (!secretVar.test(k))
      vars[k] = typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const fail = (problem: string, fix: string) => new ConfigError(`host ${name}: ${problem}`, { place: { file: inv.file }, fix });
  for (const unsupported of ['ansible_ssh_common_args', 'ansible_ssh_extra_args', 'ansible_ssh_args']) {
    if (vars[unsupported])
      throw fail(`${unsupported} is not supported`, 'put ssh options (ProxyJump, IdentityFile …) for this host in ~/.ssh/config');
  }
  const becomes = /^(true|yes|on|1)$/i.test(vars.ansible_become ?? vars.ansible_sudo ?? '');
  if (becomes && (vars.ansible_become_method ?? 'sudo') !== 'sudo')
    throw fail(
      `ansible_become_method ${vars.ansible_become_method} is not supported`,
      'use sudo (flipgate runs sudo -n, never with a password)',
    );
  if (becomes && (vars.ansible_become_user ?? 'root') !== 'root')
    throw fail('ansible_become_user other than root is not supported', 'remove ansible_become_user');
  const connection = vars.ansible_connection ?? 'ssh';
  let target: Target;
  if (connection === 'local') target = { kind: 'local' };
  else if (['ssh', 'smart', 'paramiko'].includes(connection)) {
    const host = vars.ansible_host ?? vars.ansible_ssh_host ?? name;
    const user = vars.ansible_user ?? vars.ansible_ssh_user;
    const port = vars.ansible_port ?? vars.ansible_ssh_port;
    const address = `ssh://${user ? `${user}@` : ''}${host.includes(':') ? `[${host}]` : host}${port ? `:${port}` : ''}`;
    target = parseTarget(address, { file: inv.file, field: `host ${name}` });
  } else throw fail(`ansible_connection ${connection} is not supported`, 'flipgate reaches hosts over ssh, or local');
  const identityFile = vars.ansible_ssh_private_key_file ?? vars.ansible_private_key_file;
  return { name, groups, vars, target, become: becomes ? 'sudo' : undefined, ...(identityFile ? { identityFile } : {}) };
}
