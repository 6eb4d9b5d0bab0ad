import type { DiagramModel, DiagramNode } from './model.js';
import { type Colour, type DiagramStatus, palette, type Tone } from './status.js';

/** What a renderer needs to draw one node: its colour, the status word, and whether it is the current state. */
export interface NodeLook {
  tone: Tone;
  colour: Colour;
  /** The status word shown under the node (GAP steps only, and only with status). */
  status?: string;
  current: boolean;
}

/** Looks of every node and gate of the model; all plain when there is no status. */
export function looks(
  model: DiagramModel,
  status: DiagramStatus | undefined,
): { node(n: DiagramNode): NodeLook; gate(id: string): NodeLook } {
  const plain: NodeLook = { tone: 'plain', colour: palette.plain, current: false };
  if (!status) return { node: () => plain, gate: () => plain };
  const currentTop = status.current.split('.')[0]!;
  const order = [...model.gates.map((g) => g.id), 'armed', 'flipping', 'flipped'];
  const at = order.indexOf(currentTop);
  const look = (tone: Tone, current: boolean, word?: string): NodeLook => ({
    tone,
    colour: palette[tone],
    current,
    ...(word ? { status: word } : {}),
  });
  return {
    gate: (id) => {
      const tone = status.gates[id] ?? 'pending';
      return look(tone, tone === 'current');
    },
    node: (n) => {
      const current = n.id === status.current;
      if (n.kind === 'gap') {
        const s = status.gaps[n.gap!] ?? 'UNKNOWN';
        return look(s, current, status.text[n.gap!] ?? s);
      }
      if (n.kind === 'passed') {
        const gate = status.gates[n.id.split('.')[0]!];
        return look(current ? 'current' : gate === 'passed' ? 'passed' : 'pending', current);
      }
      if (n.id === 'halted') return look(current ? 'ERROR' : 'pending', current);
      const i = order.indexOf(n.id);
      return look(current ? 'current' : at >= 0 && i >= 0 && i < at ? 'passed' : 'pending', current);
    },
  };
}

/** Splits a title into lines of about `width` characters at spaces. */
export function wrap(text: string, width = 26): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
