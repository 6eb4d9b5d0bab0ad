import type { LedgerEvent } from '../store/types.js';

export interface TimelineFilter {
  gap?: string;
  actor?: string;
}

/** One ledger event as the timeline shows it. */
export interface TimelineRow {
  seq: number;
  time: string;
  type: string;
  actor: string;
  subject: string;
  what: string;
  cause: string;
}

const gapOfEvent = (e: LedgerEvent): string | undefined => ((e.data as { event?: { gap?: string } } | undefined)?.event?.gap);

/** True when the event is about the GAP: its status, its sign-offs and waivers, or the machine moving because of it. */
export function concernsGap(e: LedgerEvent, gap: string): boolean {
  if (e.subject === gap) return true;
  if (e.type !== 'transition') return false;
  const inside = (label?: string) => !!label && label.split('.')[1] === gap;
  return gapOfEvent(e) === gap || inside(e.from) || inside(e.to);
}

function what(e: LedgerEvent): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  switch (e.type) {
    case 'workflow.anchored':
      return `spec anchored (${String(d.specHash ?? e.to ?? '').slice(0, 12)})`;
    case 'transition': {
      const ev = (d.event as { type?: string; gap?: string; status?: string } | undefined) ?? {};
      const why = ev.type ? ` on ${ev.type}${ev.gap ? ` ${ev.gap} ${ev.status ?? ''}`.trimEnd() : ''}` : '';
      return `${e.from ?? '(start)'} → ${e.to ?? '?'}${why}`;
    }
    case 'survey': {
      const checks = Array.isArray(d.checks) ? d.checks.length : e.cause.kind === 'probe' ? e.cause.checks.length : 0;
      const ks = (d.killSwitch as { status?: string } | undefined)?.status ?? 'unknown';
      const same = typeof d.sameAs === 'number' ? `, the same results as event ${d.sameAs}` : '';
      return `${String(d.scope ?? 'survey')}: ${checks} checks${same}, kill switch ${ks}`;
    }
    case 'gap.status':
      return `${e.subject}: ${e.from ?? 'UNKNOWN'} → ${e.to ?? '?'}`;
    case 'approval.granted':
      return `${e.subject} signed off${d.note ? `: ${String(d.note)}` : ''}`;
    case 'approval.revoked':
      return `${e.subject} sign-off withdrawn`;
    case 'waiver.granted':
      return `${e.subject} waived until ${String(d.until ?? '?')}: ${String(d.reason ?? '')}`;
    case 'waiver.withdrawn':
      return `${e.subject} waiver withdrawn`;
    default:
      return [e.subject, e.from && e.to ? `${e.from} → ${e.to}` : ''].filter(Boolean).join(' ');
  }
}

function cause(e: LedgerEvent): string {
  const c = e.cause;
  if (c.kind === 'probe') return c.checks.length > 3 ? `probe: ${c.checks.length} checks` : `probe: ${c.checks.join(', ')}`;
  if (c.kind === 'operator') return `operator: ${c.command}`;
  return `${c.kind}: ${c.principal}`;
}

/** The ledger newest first, narrowed to a GAP and/or an actor. */
export function timeline(events: LedgerEvent[], filter: TimelineFilter): TimelineRow[] {
  return events
    .filter((e) => (!filter.gap || concernsGap(e, filter.gap)) && (!filter.actor || e.actor === filter.actor))
    .reverse()
    .map((e) => ({ seq: e.seq, time: e.time, type: e.type, actor: e.actor, subject: e.subject ?? '', what: what(e), cause: cause(e) }));
}

/** Everyone who has recorded an event, for the actor filter. */
export const actorsOf = (events: LedgerEvent[]): string[] => [...new Set(events.map((e) => e.actor))].sort();
