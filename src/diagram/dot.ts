import { escapeMarkup as html } from '../support/markup.js';
import type { DiagramEdge, DiagramModel, DiagramNode } from './model.js';
import { currentMark, type DiagramStatus, generatedNote, legend, palette } from './status.js';
import { looks, type NodeLook, wrap } from './tones.js';

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
const attrs = (a: Record<string, string | number | undefined>) =>
  `[${Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => (k === 'label' && String(v).startsWith('<') ? `${k}=${v}` : `${k}=${typeof v === 'number' ? v : q(String(v))}`))
    .join(', ')}]`;

const FONT = 'Helvetica';

function nodeLabel(n: DiagramNode, look: NodeLook): string {
  const mark = look.current ? '▶ ' : '';
  const rows = [`<B>${html(mark + n.label)}</B>`];
  const detail = n.kind === 'passed' ? [] : (n.detail ?? '').split('\n').flatMap((p) => wrap(p, n.kind === 'gap' ? 24 : 40));
  for (const line of detail) rows.push(`<FONT POINT-SIZE="9">${html(line)}</FONT>`);
  if (look.status) rows.push(`<FONT POINT-SIZE="10"><B>${html(look.status)}</B></FONT>`);
  if (look.current) rows.push(`<FONT POINT-SIZE="9"><I>current state</I></FONT>`);
  return `<${rows.join('<BR/>')}>`;
}

function nodeAttrs(n: DiagramNode, look: NodeLook): Record<string, string | number | undefined> {
  const shape = n.kind === 'passed' ? 'oval' : 'box';
  return {
    id: `state-${n.id}`,
    class: `${n.kind} tone-${look.tone}${look.current ? ' current' : ''}`,
    label: nodeLabel(n, look),
    shape,
    style: n.kind === 'passed' ? 'filled' : 'rounded,filled',
    fillcolor: look.colour.fill,
    color: look.current ? currentMark : look.colour.stroke,
    fontcolor: look.colour.text,
    penwidth: look.current ? 3.5 : 1.2,
    peripheries: n.id === 'flipped' ? 2 : undefined,
    fontsize: n.kind === 'passed' ? 9 : undefined,
    tooltip: n.detail ? `${n.id}: ${n.detail}` : n.id,
  };
}

function edgeAttrs(e: DiagramEdge, lhead: string | undefined): Record<string, string | number | undefined> {
  // An arrow back to a gate (resume) must not pull the layout's ranks upside down.
  const base = { id: `edge-${e.kind}-${e.from}-${e.to}`, class: e.kind, tooltip: e.label, lhead };
  if (e.kind === 'proves') return { ...base, color: '#64748b' };
  if (e.kind === 'advance') return { ...base, label: e.label, penwidth: 1.6, color: '#0f172a', fontcolor: '#0f172a' };
  // Blockers arrive from the left, clear of the gate's title above the blocked GAP.
  if (e.kind === 'blocks')
    return { ...base, label: 'blocks', style: 'dashed', color: '#6d28d9', fontcolor: '#6d28d9', constraint: 'false', headport: 'w' };
  return { ...base, label: e.label, color: '#334155', fontcolor: '#334155', constraint: lhead ? 'false' : undefined };
}

function legendLabel(): string {
  const cells = legend.map(
    ({ tone, label }) =>
      `<TD BGCOLOR="${palette[tone].fill}" COLOR="${palette[tone].stroke}"><FONT COLOR="${palette[tone].text}" POINT-SIZE="10">${label}</FONT></TD>`,
  );
  const mark = `<TD COLOR="${currentMark}" BORDER="3"><FONT POINT-SIZE="10">▶ current state</FONT></TD>`;
  return `<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="4" CELLPADDING="5"><TR>${cells.join('')}${mark}</TR></TABLE>>`;
}

/**
 * Graphviz DOT of the gate graph: one cluster per gate with its GAP steps side by side, gates top to
 * bottom, then armed → flipping → flipped, and halted with the transitions every state shares.
 */
export function renderDot(model: DiagramModel, opts: { source: string; status?: DiagramStatus }): string {
  const look = looks(model, opts.status);
  const out: string[] = [`// ${generatedNote(opts.source, !!opts.status)}`];
  out.push(`digraph ${q(model.workflow)} {`);
  out.push(
    `  graph ${attrs({ label: `${model.title} (${model.workflow})`, labelloc: 't', fontname: FONT, fontsize: 16, rankdir: 'TB', newrank: 'true', compound: 'true', nodesep: 0.35, ranksep: 0.5, bgcolor: 'white', pad: 0.3 })};`,
  );
  out.push(`  node ${attrs({ fontname: FONT, fontsize: 11, margin: '0.12,0.06' })};`);
  out.push(`  edge ${attrs({ fontname: FONT, fontsize: 9, arrowsize: 0.7 })};`);
  // Each gate is a row: its name first (so no arrow runs across a cluster title), then its GAP steps.
  const headOf = new Map(model.gates.map((g) => [g.id, `gate:${g.id}`]));
  for (const gate of model.gates) {
    const g = look.gate(gate.id);
    const head = headOf.get(gate.id)!;
    const title = wrap(gate.title, 22).map((l) => `<FONT POINT-SIZE="10">${html(l)}</FONT>`);
    const state = opts.status ? [`<I>${html(g.tone)}</I>`] : [];
    out.push(`  subgraph ${q(`cluster_${gate.id}`)} {`);
    out.push(
      `    graph ${attrs({ id: `gate-${gate.id}`, class: `gate tone-${g.tone}`, label: '', style: 'rounded,filled', fillcolor: g.colour.fill, color: g.current ? currentMark : g.colour.stroke, penwidth: g.current ? 2.5 : 1 })};`,
    );
    out.push(`    { rank=same; ${[head, ...gate.nodes.map((n) => n.id)].map(q).join('; ')}; }`);
    out.push(
      `    ${q(head)} ${attrs({ id: `gate-label-${gate.id}`, shape: 'plaintext', fontcolor: g.colour.text, label: `<<B>${html(gate.id)}</B><BR/>${[...title, ...state].join('<BR/>')}>`, tooltip: `${gate.id}: ${gate.title}` })};`,
    );
    for (const n of gate.nodes) out.push(`    ${q(n.id)} ${attrs(nodeAttrs(n, look.node(n)))};`);
    out.push(`    ${q(head)} -> ${q(gate.nodes[0]!.id)} [style=invis];`);
    out.push('  }');
  }
  // An arrow from a later state back to a gate (resume) would cross the whole picture: it is written on its source.
  const backToGate = (e: DiagramEdge) => e.kind === 'flow' && headOf.has(e.to);
  for (const n of model.terminals) {
    const notes = [
      ...model.fanIn.filter((f) => f.to === n.id).map((f) => `← ${f.event} from ${f.from.join(', ')}`),
      ...model.edges.filter((e) => e.from === n.id && backToGate(e)).map((e) => `→ ${e.to} on ${e.label}`),
    ];
    const withNotes: DiagramNode = notes.length ? { ...n, detail: [n.detail, ...notes].filter(Boolean).join('\n') } : n;
    out.push(`  ${q(n.id)} ${attrs(nodeAttrs(withNotes, look.node(n)))};`);
  }
  for (const e of model.edges) {
    if (backToGate(e)) continue;
    const gateTarget = headOf.get(e.to);
    const to = gateTarget ?? e.to;
    out.push(`  ${q(e.from)} -> ${q(to)} ${attrs(edgeAttrs(e, gateTarget ? `cluster_${e.to}` : undefined))};`);
  }
  // Invisible, heavy edges stack the gates' names (and armed) in one column instead of a staircase.
  const column = [...headOf.values(), ...model.terminals.filter((t) => t.id === 'armed').map((t) => t.id)];
  for (let i = 1; i < column.length; i++) out.push(`  ${q(column[i - 1]!)} -> ${q(column[i]!)} [style=invis, weight=20];`);
  if (opts.status)
    out.push(
      `  ${q('legend')} ${attrs({ id: 'legend', shape: 'plain', label: legendLabel() })};`,
      `  { rank=same; ${q('legend')}; ${q(column[0]!)}; }`,
    );
  out.push('}');
  return `${out.join('\n')}\n`;
}
