import { escapeMarkup as escapeHtml } from '../support/markup.js';
import { renderDot } from './dot.js';
import { type DiagramModel, modelGaps } from './model.js';
import { type DiagramStatus, generatedNote, palette, type Tone } from './status.js';
import { layoutSvg } from './svg.js';

// The dashboard's page escapes with the same helper, through this module.
export { escapeHtml };

/** CSS classes for status badges, from the diagram's palette (shared with the dashboard). */
export function toneCss(): string {
  return Object.entries(palette)
    .map(([tone, c]) => `.tone-${tone}{background:${c.fill};border-color:${c.stroke};color:${c.text}}`)
    .join('\n');
}

export const badge = (tone: Tone, word: string) => `<span class="badge tone-${escapeHtml(tone)}">${escapeHtml(word)}</span>`;

/** The GAP table under the picture: what each GAP is, which gate needs it, what blocks it. */
function gapTable(model: DiagramModel, status: DiagramStatus | undefined): string {
  const gatesOf = (gap: string) => model.gates.filter((g) => g.nodes.some((n) => n.gap === gap)).map((g) => g.id);
  const blockers = (gap: string) =>
    model.edges.filter((e) => e.kind === 'blocks' && e.to.endsWith(`.${gap}`)).map((e) => e.from.split('.')[1]!);
  const rows = modelGaps(model).map((gap) => {
    const s = status ? `<td>${badge(status.gaps[gap] ?? 'UNKNOWN', status.text[gap] ?? 'UNKNOWN')}</td>` : '';
    return `<tr><th scope="row">${escapeHtml(gap)}</th><td>${escapeHtml(model.gapTitles[gap] ?? '')}</td><td>${gatesOf(gap).join(', ')}</td><td>${blockers(gap).join(', ') || '—'}</td>${s}</tr>`;
  });
  return `<table><thead><tr><th>GAP</th><th>Definition</th><th>Required by</th><th>Blocked by</th>${status ? '<th>Status</th>' : ''}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

const css = `body{font-family:Helvetica,Arial,sans-serif;margin:2rem;color:#0f172a;background:#fff}
h1{font-size:1.4rem;margin:0 0 .25rem}p.sub{color:#475569;margin:0 0 1rem}
figure{margin:0 0 1.5rem;overflow-x:auto}figure svg{max-width:100%;height:auto}
table{border-collapse:collapse;margin:0 0 1rem}th,td{border:1px solid #cbd5e1;padding:.3rem .6rem;text-align:left;vertical-align:top}
thead th{background:#f1f5f9}.badge{display:inline-block;border:1px solid;border-radius:.3rem;padding:0 .4rem;font-weight:bold;font-size:.85rem}
${toneCss()}`;

/**
 * A self-contained HTML page: the SVG inline, the GAP table, and notes on what the picture leaves out.
 * No script and no external resource, so it opens from disk.
 */
export async function renderHtml(model: DiagramModel, opts: { source: string; status?: DiagramStatus }): Promise<string> {
  const svg = await layoutSvg(renderDot(model, opts));
  const gaps = modelGaps(model);
  const where = opts.status
    ? `current state: <strong>${escapeHtml(opts.status.current)}</strong>`
    : 'drawn from the statechart, without status';
  return [
    `<!-- ${generatedNote(opts.source, !!opts.status)} -->`,
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(model.title)} — gate diagram</title>`,
    `<style>\n${css}\n</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(model.title)}</h1>`,
    `<p class="sub"><code>${escapeHtml(model.workflow)}</code> · ${model.gates.length} gates · ${gaps.length} GAPs · ${where}</p>`,
    `<figure>\n${svg.trim()}\n</figure>`,
    '<h2>GAPs</h2>',
    gapTable(model, opts.status),
    `<p class="sub">Not drawn: ${model.reopens} reopen transitions (a proven GAP that fails a later survey sends the workflow back to the gate that first required it).</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
