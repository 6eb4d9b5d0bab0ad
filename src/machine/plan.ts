import type { Workflow } from '../spec/schema.js';
import { isWaivable } from '../spec/waivers.js';

export interface GateStep {
  gate: string;
  title: string;
  /** The GAPs this gate requires, blockers first (stable otherwise). */
  gaps: string[];
}

export interface GapInfo {
  id: string;
  /** Someone may validly waive it (see spec/waivers.ts), so WAIVED proves it. */
  waivable: boolean;
  blockedBy: string[];
  /** The first gate that requires this GAP (where a reopened GAP sends the workflow back). */
  home?: string;
  /** Blockers that are not proven before this GAP's first position: it can never close there. */
  lateBlockers: string[];
}

/** The shape of a workflow as the machine sees it: gates in order, each with its GAP steps. */
export interface MachinePlan {
  id: string;
  steps: GateStep[];
  gaps: Map<string, GapInfo>;
  /** GAP ids in the order the machine proves them (first occurrence). */
  order: string[];
  /** The spec requires signed approvals and waivers (approvals: {signed: true}). */
  signed: boolean;
}

function orderWithinGate(requires: string[], blockedBy: Map<string, string[]>): string[] {
  const out: string[] = [];
  const placed = new Set<string>();
  const place = (id: string, seen: Set<string>) => {
    if (placed.has(id) || seen.has(id)) return;
    seen.add(id);
    for (const b of blockedBy.get(id) ?? []) if (requires.includes(b)) place(b, seen);
    placed.add(id);
    out.push(id);
  };
  for (const id of requires) place(id, new Set());
  return out;
}

/** The top-level state of a label (a gate id, `armed`, `flipping`, `flipped` or `halted`); here, away from xstate, so reading a status does not load it. */
export const topState = (label: string): string => label.split('.')[0]!;

export function planMachine(wf: Workflow): MachinePlan {
  const blockedBy = new Map(wf.gaps.map((g) => [g.id, g.blockedBy ?? []]));
  const steps = wf.gates.map((g) => ({ gate: g.id, title: g.title, gaps: orderWithinGate(g.requires, blockedBy) }));
  const gaps = new Map<string, GapInfo>();
  for (const g of wf.gaps) gaps.set(g.id, { id: g.id, waivable: isWaivable(wf, g), blockedBy: g.blockedBy ?? [], lateBlockers: [] });
  const order: string[] = [];
  for (const s of steps) {
    for (const id of s.gaps) {
      const info = gaps.get(id);
      if (!info || info.home) continue;
      info.home = s.gate;
      info.lateBlockers = info.blockedBy.filter((b) => !order.includes(b));
      order.push(id);
    }
  }
  return { id: wf.id, steps, gaps, order, signed: !!wf.approvals?.signed };
}
