import { describeCause, describeEvent, recorded } from '../runner/engine/events.js';
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

function gapOfEvent(raw: LedgerEvent): string | undefined {
  const e = recorded(raw);
  return e?.type === 'transition' && e.data?.event.type === 'gap.verdict' ? e.data.event.gap : undefined;
}

/** True when the event is about the GAP: its status, its sign-offs and waivers, or the machine moving because of it. */
export function concernsGap(e: LedgerEvent, gap: string): boolean {
  if (e.subject === gap) return true;
  if (e.type !== 'transition') return false;
  const inside = (label?: string) => !!label && label.split('.')[1] === gap;
  return gapOfEvent(e) === gap || inside(e.from) || inside(e.to);
}

/** The ledger newest first, narrowed to a GAP and/or an actor. */
export function timeline(events: LedgerEvent[], filter: TimelineFilter): TimelineRow[] {
  return events
    .filter((e) => (!filter.gap || concernsGap(e, filter.gap)) && (!filter.actor || e.actor === filter.actor))
    .reverse()
    .map((e) => ({
      seq: e.seq,
      time: e.time,
      type: e.type,
      actor: e.actor,
      subject: e.subject ?? '',
      what: describeEvent(e),
      cause: describeCause(e.cause),
    }));
}

/** Everyone who has recorded an event, for the actor filter. */
export const actorsOf = (events: LedgerEvent[]): string[] => [...new Set(events.map((e) => e.actor))].sort();
