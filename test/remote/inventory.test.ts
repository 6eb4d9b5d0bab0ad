import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { fleetHost } from '../../src/remote/inventory/hosts.js';
import { parseIniInventory } from '../../src/remote/inventory/ini.js';
import { loadFleet, loadInventory } from '../../src/remote/inventory/load.js';
import { selectHosts } from '../../src/remote/inventory/pattern.js';
import { expandHostRange } from '../../src/remote/inventory/ranges.js';
import { parseYamlInventory } from '../../src/remote/inventory/yaml.js';

const INI = 'test/fixtures/inventories/fleet.ini';
const YAML = 'test/fixtures/inventories/fleet.yml';
const order = [
  'bastion.example.com',
  'web01.example.com',
  'web02.example.com',
  'web03.example.com',
  'web-canary.example.com',
  'db-a.example.com',
  'db-b.example.com',
  'localhost',
];

function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('Ansible inventories', () => {
  it('expands host ranges as Ansible does', () => {
    expect(expandHostRange('web[01:03].x')).toEqual(['web01.x', 'web02.x', 'web03.x']);
    expect(expandHostRange('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c']);
    expect(expandHostRange('n[1:9:4]-[a:b]')).toEqual(['n1-a', 'n1-b', 'n5-a', 'n5-b', 'n9-a', 'n9-b']);
    expect(() => expandHostRange('w[3:1]')).toThrow(/ends before it starts/);
    expect(() => expandHostRange('w[a:3]')).toThrow(/two numbers or two letters/);
  });

  it('reads the INI and the YAML form of one fleet to the same hosts, vars and targets', async () => {
    const [ini, yaml] = await Promise.all([loadFleet(INI), loadFleet(YAML)]);
    expect(ini.map((h) => h.name)).toEqual(order);
    expect(yaml).toEqual(ini.map((h) => ({ ...h })));
  });

  it("applies all, then parent groups, then child groups, then the host's own vars", async () => {
    const inv = await loadInventory(INI);
    expect(fleetHost(inv, 'web01.example.com')).toEqual({
      name: 'web01.example.com',
      groups: ['all', 'prod', 'web'],
      vars: { inventory_hostname: 'web01.example.com', env: 'production', http_port: '8000', app_root: '/opt/app', ansible_user: 'deploy' },
      target: { kind: 'ssh', host: 'web01.example.com', user: 'deploy' },
      become: undefined,
    });
    expect(fleetHost(inv, 'web-canary.example.com')).toMatchObject({ vars: { http_port: '8080' }, target: { port: 2222 } });
    expect(fleetHost(inv, 'db-a.example.com')).toMatchObject({
      target: { kind: 'ssh', host: '10.0.0.5' },
      become: 'sudo',
      groups: ['all', 'prod', 'db'],
    });
    expect(fleetHost(inv, 'bastion.example.com')).toMatchObject({ groups: ['all', 'ungrouped'] });
    expect(fleetHost(inv, 'localhost').target).toEqual({ kind: 'local' });
  });

  it('never keeps a password var (flipgate sends no password)', async () => {
    for (const h of await loadFleet(INI, 'web')) expect(Object.keys(h.vars)).not.toContain('ansible_become_password');
  });

  it.each([
    ['all', order],
    ['*', order],
    ['web', order.slice(1, 5)],
    ['web,db', order.slice(1, 7)],
    ['prod:!web-canary.example.com', [...order.slice(1, 4), ...order.slice(5, 7)]],
    ['prod:&db', order.slice(5, 7)],
    ['web0*', order.slice(1, 4)],
    ['!web', [order[0], ...order.slice(5)]],
    ['localhost', ['localhost']],
  ])('selects %s', async (pattern, hosts) => {
    expect(selectHosts(await loadInventory(INI), pattern)).toEqual(hosts);
  });

  it.each([
    ['nope', '"nope" matches no group or host'],
    ['web,', 'empty term'],
    ['~web.*', 'regex'],
    ['web[0]', 'subscript'],
  ])('refuses the pattern %s clearly', async (pattern, words) => {
    const inv = await loadInventory(INI);
    const e = configError(() => selectHosts(inv, pattern));
    expect(e.message).toContain(words);
    expect(e.message).toMatch(/^--hosts: /);
  });

  it.each([
    ['[web\nhost', 'is not a host name'],
    ['[web:nonsense]\n', 'is not [group], [group:vars] or [group:children]'],
    ['[web]\nhost port 22\n', '"port" is not key=value'],
    ['[web:vars]\njustakey\n', 'takes key=value lines'],
    ['[a:vars]\nx=1\n', 'group "a" is given vars or named as a child but never defined'],
    ['[a:children]\nb\n[b:children]\na\n', 'cycle'],
    ['[web]\nw[1:2:0]\n', 'step'],
    ['[web]\nh x="open\n', 'quote is not closed'],
  ])('refuses a broken INI inventory with the file and line: %j', (text, words) => {
    const e = configError(() => parseIniInventory(text, 'bad.ini'));
    expect(e.message).toContain(words);
    expect(e.message).toMatch(/^bad\.ini(:\d+)?: /);
  });

  it.each([
    ['all:\n  hosts: [a, b]\n', 'all.hosts must be a mapping'],
    ['all:\n  host:\n    a:\n', 'has "host"'],
    ['all:\n  hosts:\n    a:\n  hosts:\n    b:\n', 'Map keys must be unique'],
    ['- a\n', 'a mapping of groups'],
  ])('refuses a broken YAML inventory: %j', (text, words) => {
    expect(configError(() => parseYamlInventory(text, 'bad.yml')).message).toContain(words);
  });

  it.each([
    ['h ansible_connection=docker', 'ansible_connection docker is not supported'],
    ['h ansible_become=yes ansible_become_method=su', 'ansible_become_method su'],
    ["h ansible_ssh_common_args='-o ProxyCommand=x'", 'ansible_ssh_common_args is not supported'],
    ['h ansible_host=-oProxyCommand=x', 'invalid host'],
  ])('refuses host vars it cannot honour: %s', (line, words) => {
    const inv = parseIniInventory(`[g]\n${line}\n`, 'inv.ini');
    expect(configError(() => fleetHost(inv, 'h')).message).toContain(words);
  });

  it('says which inventory could not be read', async () => {
    await expect(loadInventory('test/fixtures/inventories/missing.ini')).rejects.toThrow(
      /^--inventory: cannot read the inventory .*missing\.ini \(it does not exist\)/,
    );
  });
});
