import type { DiagramEdge, DiagramModel, DiagramNode } from './model.js';
import { currentMark, type DiagramStatus, generatedNote, legend, palette, type Tone } from './status.js';
import { looks, type NodeLook, wrap } from './tones.js';

/** Mermaid ids allow letters, digits and `_`; state ids are made unique after that. */
function idMaker(): (stateId: string) => string {
  const given = new Map<string, string>();
  const used = new Set<string>();
  return (stateId) => {
    const known = given.get(stateId);
    if (known) return known;
    const base = `s_${stateId.replace(/[^A-Za-z0-9]/g, '_')}`;
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    given.set(stateId, id);
    return id;
  };
}

// Mermaid's entity codes keep quotes and angle brackets in user text from ending a label or opening a tag.
const text = (s: string) => s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');

function label(n: DiagramNode, look: NodeLook, notes: string[] = []): string {
  const lines = [`<b>${text((look.current ? '▶ ' : '') + n.label)}</b>`];
  if (n.kind !== 'passed') for (const l of wrap(n.detail ?? '', n.kind === 'gap' ? 26 : 40)) lines.push(text(l));
  for (const note of notes) for (const l of wrap(note, 40)) lines.push(`<i>${text(l)}</i>`);
  if (look.status) lines.push(`<b>${text(look.status)}</b>`);
  if (look.current) lines.push('<i>current state</i>');
  return `"${lines.join('<br/>')}"`;
}

function shape(n: DiagramNode, body: string): string {
  if (n.kind === 'passed') return `([${body}])`;
  if (n.id === 'flipped') return `[[${body}]]`;
  if (n.id === 'halted') return `{{${body}}}`;
  return `[${body}]`;
}

const styleOf = (tone: Tone) => `fill:${palette[tone].fill},stroke:${palette[tone].stroke},color:${palette[tone].text}`;

/**
 * A Mermaid flowchart of the gate graph (GitHub renders it): a subgraph per gate with its GAP steps,
 * `gate.advance` as thick arrows, `blockedBy` as dashed ones, and status classes when given.
 */
export function renderMermaid(model: DiagramModel, opts: { source: string; status?: DiagramStatus }): string {
  const look = looks(model, opts.status);
  const id = idMaker();
  const out: string[] = [`%% ${generatedNote(opts.source, !!opts.status)}`, 'flowchart TB'];
  const classes = new Map<Tone, string[]>();
  const classify = (nodeId: string, l: NodeLook) => {
    if (l.tone !== 'plain') classes.set(l.tone, [...(classes.get(l.tone) ?? []), nodeId]);
  };
  const styles: string[] = [];
  const gateOf = new Map(model.gates.flatMap((g) => g.nodes.map((n) => [n.id, g.id] as const)));
  // An arrow from a later state back to a gate (resume) would drag the layout upside down: it is written on its source.
  const backToGate = (e: DiagramEdge) => e.kind === 'flow' && model.gates.some((g) => g.id === e.to);
  for (const gate of model.gates) {
    const g = look.gate(gate.id);
    out.push(`  subgraph ${id(gate.id)}["${text(`${gate.id} · ${gate.title}${opts.status ? ` — ${g.tone}` : ''}`)}"]`, '    direction LR');
    for (const n of gate.nodes) {
      const l = look.node(n);
      out.push(`    ${id(n.id)}${shape(n, label(n, l))}`);
      classify(id(n.id), l);
      if (l.current) styles.push(`  style ${id(n.id)} stroke:${currentMark},stroke-width:4px`);
    }
    out.push('  end');
    if (opts.status) styles.push(`  style ${id(gate.id)} ${styleOf(g.tone)}${g.current ? `,stroke-width:3px` : ''}`);
  }
  for (const n of model.terminals) {
    const l = look.node(n);
    const notes = [
      ...model.fanIn.filter((f) => f.to === n.id).map((f) => `← ${f.event} from ${f.from.join(', ')}`),
      ...model.edges.filter((e) => e.from === n.id && backToGate(e)).map((e) => `→ ${e.to} on ${e.label}`),
    ];
    out.push(`  ${id(n.id)}${shape(n, label(n, l, notes))}`);
    classify(id(n.id), l);
    if (l.current) styles.push(`  style ${id(n.id)} stroke:${currentMark},stroke-width:4px`);
  }
  const arrow = (e: DiagramEdge) => (e.kind === 'advance' ? '==>' : e.kind === 'blocks' ? '-.->' : '-->');
  const blocks: number[] = [];
  let drawn = 0;
  for (const e of model.edges) {
    if (backToGate(e)) continue;
    const words = e.kind === 'proves' ? '' : `|"${text(e.label.replace(/\n/g, ' / '))}"|`;
    // gate.advance leaves from the gate's box: Mermaid keeps a subgraph's direction only while no inner node links outside.
    const from = e.kind === 'advance' ? (gateOf.get(e.from) ?? e.from) : e.from;
    out.push(`  ${id(from)} ${arrow(e)}${words} ${id(e.to)}`);
    if (e.kind === 'blocks') blocks.push(drawn);
    drawn++;
  }
  if (blocks.length) out.push(`  linkStyle ${blocks.join(',')} stroke:${palette.BLOCKED.stroke},color:${palette.BLOCKED.stroke}`);
  if (opts.status) {
    out.push('  subgraph legend["Legend"]', '    direction LR');
    for (const { tone, label: word } of legend) {
      out.push(`    legend_${tone}["${word}"]`);
      classes.set(tone, [...(classes.get(tone) ?? []), `legend_${tone}`]);
    }
    out.push(`    ${legend.map((l) => `legend_${l.tone}`).join(' ~~~ ')}`, '  end');
  }
  for (const [tone, ids] of classes)
    out.push(`  classDef tone_${tone.toLowerCase()} ${styleOf(tone)}`, `  class ${ids.join(',')} tone_${tone.toLowerCase()}`);
  out.push(...styles);
  return `${out.join('\n')}\n`;
}
