import { readFile } from 'node:fs/promises';
import { ConfigError, ConfigErrors } from '../../errors.js';
import type { FleetHost } from '../../remote/inventory/hosts.js';
import { type LoadedWorkflow, parseWorkflow } from '../../spec/load.js';
import { digest } from '../../support/digest.js';

/** One host of a fleet with the workflow as its vars resolve it. */
export interface FleetMember {
  name: string;
  inventory: FleetHost;
  /** The workflow with `${NAME}` filled from this host's vars (over the environment and the defaults). */
  wf: LoadedWorkflow;
}

/** The shape every host must share: gates, GAPs, their checks' ids and kinds (only values may differ). */
const shapeOf = (wf: LoadedWorkflow) =>
  digest({
    gates: wf.spec.gates.map((g) => [g.id, g.requires]),
    gaps: wf.spec.gaps.map((g) => [g.id, g.blockedBy ?? [], g.checks.map((c) => [c.id, c.kind])]),
    sections: (wf.spec.sections ?? []).map((s) => [s.id, s.checks.map((c) => [c.id, c.kind])]),
    killSwitch: wf.spec.killSwitch.kind,
  });

/**
 * Resolves the workflow once per host (inventory vars fill `${NAME}`, before the environment and the
 * workflow's defaults). The fleet's workflow is the first host's, with a hash over every host's
 * resolved spec: what the ledger anchors is the workflow as enforced on exactly these hosts, so a
 * changed scope or changed host vars is a changed spec.
 *
 * @example const { wf, members } = await loadFleetWorkflow('machines/o8.yaml', await loadFleet('hosts.ini', 'web'));
 */
export async function loadFleetWorkflow(
  file: string,
  hosts: FleetHost[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ wf: LoadedWorkflow; members: FleetMember[] }> {
  if (!hosts.length)
    throw new ConfigError('the inventory selects no host', { place: { field: '--hosts' }, fix: 'name a group or host that has hosts' });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the workflow file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      place: { file },
      fix: 'check the path given to --workflow or FLIPGATE_WORKFLOW',
    });
  }
  const members = hosts.map((inventory): FleetMember => {
    try {
      return { name: inventory.name, inventory, wf: parseWorkflow(text, file, { env: { ...env, ...inventory.vars } }) };
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const each = e instanceof ConfigErrors ? e.errors : [e];
      throw new ConfigErrors(
        each.map(
          (x) =>
            new ConfigError(`for inventory host ${inventory.name}: ${x.problem}`, {
              place: x.place,
              fix: x.fix ?? 'set the var for this host or group in the inventory',
            }),
        ),
      );
    }
  });
  const first = members[0]!;
  const shape = shapeOf(first.wf);
  const odd = members.find((m) => shapeOf(m.wf) !== shape);
  if (odd) {
    throw new ConfigError(`inventory host ${odd.name} resolves the workflow to other gates, GAPs or check ids than host ${first.name}`, {
      place: { file },
      fix: 'use ${NAME} only in check values (paths, patterns, commands), never in ids',
    });
  }
  const hash = digest({ fleet: members.map((m) => [m.name, m.wf.hash]) });
  return { wf: { ...first.wf, vars: {}, hash }, members };
}
