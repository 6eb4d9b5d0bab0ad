import { renderDot } from './dot.js';
import type { DiagramModel } from './model.js';
import { type DiagramStatus, generatedNote } from './status.js';

type Graphviz = { dot(src: string, format?: 'svg'): string };
let loading: Promise<Graphviz> | undefined;

/** The WASM Graphviz, loaded once per process (no system `dot` needed). */
function graphviz(): Promise<Graphviz> {
  loading ??= import('@hpcc-js/wasm-graphviz').then(({ Graphviz }) => Graphviz.load() as Promise<Graphviz>);
  return loading;
}

/** Lays out DOT text as SVG in-process; the XML prolog and Graphviz's own banner are dropped. */
export async function layoutSvg(dot: string): Promise<string> {
  const svg = (await graphviz()).dot(dot, 'svg');
  const start = svg.indexOf('<svg');
  return svg.slice(start).replace(/<!--[\s\S]*?-->\n?/g, '');
}

/** An SVG file of the gate graph whose first line says it is generated. */
export async function renderSvg(model: DiagramModel, opts: { source: string; status?: DiagramStatus }): Promise<string> {
  const svg = await layoutSvg(renderDot(model, opts));
  return `<!-- ${generatedNote(opts.source, !!opts.status)} -->\n${svg.endsWith('\n') ? svg : `${svg}\n`}`;
}
