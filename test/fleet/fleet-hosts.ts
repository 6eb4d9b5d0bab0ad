import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const fleetSpec = path.resolve('test/fixtures/specs/fleet.yaml');

export interface TestFleet {
  dir: string;
  inventory: string;
  names: string[];
  /** Each host's root folder. */
  roots: Record<string, string>;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * `count` inventory hosts, web01 …, each a folder standing for a host (`ansible_connection=local`,
 * `flipgate_root`), each with its own release var. Hosts in `brokenEnv` lack the .env file's key
 * (GAP-2 OPEN there); hosts in `missing` point at a folder that does not exist (unreachable).
 * With `sshAlias`, every host is that ssh_config alias (one server), each with its own folder as its root.
 */
export async function buildTestFleet(
  count: number,
  opts: { brokenEnv?: string[]; missing?: string[]; extraLines?: string[]; hostVars?: Record<string, string>; sshAlias?: string } = {},
): Promise<TestFleet> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flipgate-fleet-'));
  const names = Array.from({ length: count }, (_, i) => `web${pad(i + 1)}`);
  const roots: Record<string, string> = {};
  const lines = ['[web]'];
  for (const [i, name] of names.entries()) {
    const root = path.join(dir, 'hosts', name);
    roots[name] = root;
    const release = `v1.${i + 1}`;
    if (!opts.missing?.includes(name)) {
      const app = path.join(root, 'srv/app');
      await mkdir(path.join(app, 'releases', release), { recursive: true });
      await writeFile(path.join(app, 'switch.conf'), 'enabled = false\n');
      await writeFile(path.join(app, 'app.conf'), 'port = 8080\n');
      await writeFile(
        path.join(app, '.env'),
        opts.brokenEnv?.includes(name) ? 'OTHER=1\n' : 'DATABASE_URL=postgres://app:s3cret-value@db/app\n',
      );
    }
    lines.push(`${name} flipgate_root=${root} release=${release}${opts.hostVars?.[name] ? ` ${opts.hostVars[name]}` : ''}`);
  }
  lines.push('', '[web:vars]', opts.sshAlias ? `ansible_host=${opts.sshAlias}` : 'ansible_connection=local', ...(opts.extraLines ?? []));
  const inventory = path.join(dir, 'hosts.ini');
  await writeFile(inventory, `${lines.join('\n')}\n`);
  return { dir, inventory, names, roots };
}
