import { escapeHtml as h, toneCss } from '../diagram/html.js';
import { fleetSummary } from '../reporters/matrix.js';
import { gapStatusText, stateText, switchReadText, verdictLine } from '../reporters/words.js';
import type { CheckReport, GapReport, StatusReport } from '../runner/read-models/report.js';
import type { TimelineFilter, TimelineRow } from './timeline.js';

export interface PageData {
  report: StatusReport;
  /** The coloured gate diagram, inline. */
  svg: string;
  rows: TimelineRow[];
  totalEvents: number;
  filter: TimelineFilter;
  actors: string[];
  /** The token the survey form carries. */
  token: string;
  /** What the last action did, shown once after a redirect. */
  notice?: string;
}

export const stylesheet = `*{box-sizing:border-box}body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#0f172a;background:#f8fafc}
header{background:#0f172a;color:#f8fafc;padding:1rem 1.5rem;display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap}
header h1{font-size:1.2rem;margin:0}header p{margin:0;color:#cbd5e1}main{padding:1rem 1.5rem;display:grid;gap:1.5rem}
section{background:#fff;border:1px solid #e2e8f0;border-radius:.5rem;padding:1rem}h2{font-size:1.05rem;margin:0 0 .75rem}
.notice{background:#ecfdf5;border:1px solid #047857;color:#064e3b;padding:.5rem .75rem;border-radius:.4rem}
form.survey button{font-size:1rem;padding:.45rem 1rem;border-radius:.4rem;border:1px solid #b45309;background:#fbbf24;color:#111827;font-weight:bold;cursor:pointer}
.diagram{overflow-x:auto}.diagram svg{max-width:100%;height:auto}
.board{display:grid;grid-template-columns:repeat(auto-fill,minmax(22rem,1fr));gap:.75rem}
.gap{border:2px solid;border-radius:.5rem;padding:.6rem .75rem;background:#fff}.gap h3{margin:0;font-size:1rem;display:flex;justify-content:space-between;gap:.5rem}
.gap p{margin:.3rem 0;font-size:.9rem}.gap ul{margin:.3rem 0 0;padding-left:1.1rem;font-size:.85rem}.gap li{margin:.15rem 0}.evidence{color:#334155}
.badge{display:inline-block;border:1px solid;border-radius:.3rem;padding:0 .4rem;font-weight:bold;font-size:.85rem;white-space:nowrap}
table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border-bottom:1px solid #e2e8f0;padding:.3rem .5rem;text-align:left;vertical-align:top}
form.filter{display:flex;gap:.75rem;align-items:end;margin-bottom:.75rem;flex-wrap:wrap}form.filter label{display:grid;font-size:.8rem;gap:.2rem}
.muted{color:#64748b;font-size:.85rem}.mark{display:inline-block;width:1.1rem;text-align:center;border-radius:.2rem;font-weight:bold;border:1px solid}
.gap ul{list-style:none;padding-left:0}.host-list{display:flex;flex-wrap:wrap;gap:.25rem}.host-list li{margin:0}code{font-size:.85em}
${toneCss()}`;

// Marks every common font has (colour emoji are often missing on servers), coloured by the check's outcome.
const mark: Record<CheckReport['status'], { sign: string; tone: string }> = {
  pass: { sign: '✓', tone: 'CLOSED' },
  fail: { sign: '✗', tone: 'OPEN' },
  error: { sign: '!', tone: 'ERROR' },
  skip: { sign: '–', tone: 'UNKNOWN' },
};

const check = (c: CheckReport) =>
  `<li data-check="${h(c.id)}" data-status="${h(c.status)}"${c.host ? ` data-host="${h(c.host)}"` : ''}><span class="mark tone-${mark[c.status].tone}" title="${h(c.status)}">${mark[c.status].sign}</span> <strong>${h(c.id)}</strong>${c.host ? ` @ ${h(c.host)}` : ''}${c.title ? ` — ${h(c.title)}` : ''}<br><span class="evidence">${h(c.evidence)}</span></li>`;

/**
 * A fleet's GAP: how many hosts have it CLOSED, a badge per host, and only the checks that are not
 * passing (twenty hosts' passing checks would bury the one that holds the GAP back).
 */
function fleetPart(g: GapReport & { hosts: NonNullable<GapReport['hosts']> }): { summary: string; checks: CheckReport[] } {
  const badges = g.hosts
    .map(
      (x) => `<li class="badge tone-${h(x.status)}" data-host="${h(x.host)}" data-status="${h(x.status)}">${h(x.host)} ${h(x.status)}</li>`,
    )
    .join('');
  const passing = g.checks.filter((c) => c.status === 'pass').length;
  const summary = `<p class="hosts" data-role="hosts">${h(fleetSummary(g)!)}</p><ul class="host-list">${badges}</ul>${passing ? `<p class="muted">${passing} passing checks across the hosts not listed</p>` : ''}`;
  return { summary, checks: g.checks.filter((c) => c.status !== 'pass') };
}

function gapCard(g: GapReport): string {
  const word = gapStatusText(g);
  // Each check shows its own evidence; the card adds only what no check says: what blocks it.
  const blocked = !g.blockedBy.length
    ? ''
    : g.status === 'BLOCKED'
      ? `<p>blocked by ${g.blockedBy.map(h).join(', ')}</p>`
      : `<p class="muted">needs ${g.blockedBy.map(h).join(', ')} closed first</p>`;
  const fleet = g.hosts ? fleetPart({ ...g, hosts: g.hosts }) : undefined;
  const shown = fleet ? fleet.checks : g.checks;
  const checks = shown.length ? `<ul>${shown.map(check).join('')}</ul>` : fleet ? '' : '<p class="muted">not surveyed yet</p>';
  return `<article class="gap tone-${h(g.status)}" id="gap-${h(g.id)}" data-gap="${h(g.id)}" data-status="${h(g.status)}">
<h3><span>${h(g.id)} · ${h(g.title)}</span><span class="badge tone-${h(g.status)}" data-role="status">${h(word)}</span></h3>${blocked}${fleet?.summary ?? ''}
${checks}
</article>`;
}

function options(values: string[], chosen: string | undefined): string {
  return [
    `<option value="">all</option>`,
    ...values.map((v) => `<option value="${h(v)}"${v === chosen ? ' selected' : ''}>${h(v)}</option>`),
  ].join('');
}

function ledger(d: PageData): string {
  const rows = d.rows
    .slice(0, 500)
    .map(
      (r) =>
        `<tr data-seq="${r.seq}" data-actor="${h(r.actor)}" data-type="${h(r.type)}"><td>${r.seq}</td><td>${h(r.time)}</td><td>${h(r.type)}</td><td>${h(r.actor)}</td><td>${h(r.what)}</td><td class="muted">${h(r.cause)}</td></tr>`,
    );
  const shown = d.rows.length > 500 ? `the newest 500 of ${d.rows.length} matching` : `${d.rows.length} of ${d.totalEvents}`;
  return `<section id="ledger"><h2>Ledger timeline</h2>
<form class="filter" method="get" action="/#ledger">
<label>GAP<select name="gap">${options(
    d.report.gaps.map((g) => g.id),
    d.filter.gap,
  )}</select></label>
<label>Actor<select name="actor">${options(d.actors, d.filter.actor)}</select></label>
<button type="submit">Filter</button></form>
<p class="muted" id="ledger-count">${shown} events, newest first</p>
<table><thead><tr><th>#</th><th>Time (UTC)</th><th>Event</th><th>Actor</th><th>What</th><th>Cause</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

/** The whole dashboard as one server-rendered page: no script, one local stylesheet. */
export function renderPage(d: PageData): string {
  const r = d.report;
  const surveyed = r.surveyed
    ? `last survey ${h(r.surveyed.time)} by ${h(r.surveyed.actor)} (ledger event ${r.surveyed.seq})`
    : 'no survey recorded yet';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(r.title)} — flipgate</title><link rel="stylesheet" href="/assets/dashboard.css"></head>
<body><header><div><h1>${h(r.title)}</h1><p><code>${h(r.workflow)}</code> · <span id="state">${h(stateText(r))}</span></p></div>
<p>kill switch: <strong id="kill-switch">${h(r.killSwitch.status)}</strong> <span class="muted" id="kill-switch-read">${h(switchReadText(r))}</span><br><span class="muted">${surveyed}</span></p>
<form class="survey" method="post" action="/survey"><input type="hidden" name="token" value="${h(d.token)}"><button type="submit" id="survey-now">Survey now</button></form>
</header><main>
${d.notice ? `<p class="notice" role="status" id="notice">${h(d.notice)}</p>` : ''}
<p id="verdict"><strong>${h(verdictLine(r))}</strong></p>
<section id="diagram"><h2>Gate diagram</h2><div class="diagram">${d.svg}</div></section>
<section id="board"><h2>GAP board</h2><div class="board">
${r.gaps.map(gapCard).join('\n')}
</div></section>
${ledger(d)}
</main></body></html>
`;
}

export function errorPage(status: number, title: string, detail: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status} ${h(title)}</title><link rel="stylesheet" href="/assets/dashboard.css"></head>
<body><main><section><h2>${status} ${h(title)}</h2><p>${h(detail)}</p><p><a href="/">Back to the dashboard</a></p></section></main></body></html>
`;
}
