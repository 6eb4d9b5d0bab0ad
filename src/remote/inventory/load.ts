import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../errors.js';
import { type FleetHost, fleetHost } from './hosts.js';
import { parseIniInventory } from './ini.js';
import type { Inventory } from './model.js';
import { selectHosts } from './pattern.js';
import { parseYamlInventory } from './yaml.js';

/** Reads an Ansible inventory file: YAML for .yml, .yaml and .json (as Ansible decides), INI otherwise. */
export async function loadInventory(file: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read the inventory ${file} (${code === 'ENOENT' ? 'it does not exist' : code})`, {
      place: { field: '--inventory' },
      fix: 'give the path of an Ansible INI or YAML inventory',
    });
  }
  return /\.(ya?ml|json)$/i.test(file) ? parseYamlInventory(text, file) : parseIniInventory(text, file);
}

/**
 * The hosts `--inventory FILE --hosts PATTERN` names, resolved and in inventory order.
 *
 * @example const fleet = await loadFleet('inventory/prod.ini', 'web:!web03');
 */
export async function loadFleet(file: string, pattern = 'all'): Promise<FleetHost[]> {
  const inv = await loadInventory(file);
  return selectHosts(inv, pattern).map((name) => fleetHost(inv, name));
}
