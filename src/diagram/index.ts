import { buildMachine } from '../machine/build.js';
import type { StatusReport } from '../runner/read-models/report.js';
import type { Workflow } from '../spec/schema.js';
import { renderDot } from './dot.js';
import { renderHtml } from './html.js';
import { renderMermaid } from './mermaid.js';
import { type DiagramModel, diagramModel } from './model.js';
import { diagramStatus } from './status.js';
import { renderSvg } from './svg.js';

export const diagramFormats = ['mermaid', 'dot', 'svg', 'html'] as const;
export type DiagramFormat = (typeof diagramFormats)[number];

export interface DiagramOptions {
  format: DiagramFormat;
  /** The workflow file as the reader knows it; named on the generated file's first line. */
  source: string;
  /** Colour GAPs and gates with this report's statuses and mark its current state. */
  status?: Pick<StatusReport, 'state' | 'step' | 'gates' | 'gaps'>;
}

/** The gate graph of a workflow, read off the statechart that runs it. */
export function workflowDiagram(spec: Workflow): DiagramModel {
  const { machine, plan } = buildMachine(spec);
  return diagramModel(machine, plan, spec);
}

/**
 * Draws a workflow's gate graph in one format, optionally coloured with where it stands.
 * @example
 * const svg = await renderDiagram(wf.spec, { format: 'svg', source: wf.file, status: await readStatus(session) });
 */
export async function renderDiagram(spec: Workflow | DiagramModel, opts: DiagramOptions): Promise<string> {
  const model = 'gates' in spec && 'edges' in spec ? spec : workflowDiagram(spec as Workflow);
  const o = { source: opts.source, ...(opts.status ? { status: diagramStatus(opts.status) } : {}) };
  switch (opts.format) {
    case 'mermaid':
      return renderMermaid(model, o);
    case 'dot':
      return renderDot(model, o);
    case 'svg':
      return renderSvg(model, o);
    case 'html':
      return renderHtml(model, o);
  }
}

export type { DiagramModel } from './model.js';
export { diagramStatus } from './status.js';
