import { parseDocument } from 'yaml';
import { type Inventory, InventoryBuilder } from './model.js';

/**
 * Reads Ansible's YAML inventory: top-level groups (usually `all`), each with `hosts` (host → vars
 * or nothing), `vars` and `children` (group → the same shape). Ranges work in host names. An
 * Ansible Vault value (`!vault`) cannot be read without its password: it is dropped.
 */
export function parseYamlInventory(text: string, file: string): Inventory {
  const b = new InventoryBuilder(file);
  const doc = parseDocument(text, { customTags: [{ tag: '!vault', resolve: () => vaulted }], uniqueKeys: true });
  if (doc.errors.length)
    throw b.fail(doc.errors[0]!.message.split('\n')[0]!, { line: text.slice(0, doc.errors[0]!.pos[0]).split('\n').length });
  const top = doc.toJS() as unknown;
  if (top === null || top === undefined) return b.build();
  if (!isObject(top)) throw b.fail('an inventory is a mapping of groups (all: hosts: … children: …)', {});
  const visit = (name: string, body: unknown, field: string) => {
    b.group(name, { field });
    if (body === null || body === undefined) return;
    if (!isObject(body)) throw b.fail(`group ${name} must be a mapping with hosts, vars or children`, { field });
    for (const key of Object.keys(body)) {
      if (!['hosts', 'vars', 'children'].includes(key))
        throw b.fail(
          `group ${name} has "${key}"; a group has hosts, vars and children`,
          { field: `${field}.${key}` },
          'put variables under vars:',
        );
    }
    for (const [host, vars] of Object.entries(mapping(body.hosts, `${field}.hosts`, b))) {
      b.host(host, name, vars === null ? {} : mapping(vars, `${field}.hosts.${host}`, b), { field: `${field}.hosts.${host}` });
    }
    b.groupVars(name, mapping(body.vars, `${field}.vars`, b), { field: `${field}.vars` });
    for (const [child, childBody] of Object.entries(mapping(body.children, `${field}.children`, b))) {
      b.child(name, child, { field: `${field}.children` });
      visit(child, childBody, `${field}.children.${child}`);
    }
  };
  for (const [name, body] of Object.entries(top)) visit(name, body, name);
  return b.build();
}

const vaulted = Symbol('vault');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function mapping(v: unknown, field: string, b: InventoryBuilder): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (!isObject(v)) throw b.fail(`${field} must be a mapping`, { field });
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== vaulted));
}
