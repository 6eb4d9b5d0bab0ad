import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderDiagram } from '../diagram/index.js';
import { readStatus, runSurvey, type SurveyOutcome } from '../runner/actions/survey-advance.js';
import type { Session } from '../runner/engine/session.js';
import { allowedHosts, hostAllowed, Notices, PageTokens, sameOrigin } from './guard.js';
import { errorPage, renderPage, stylesheet } from './page.js';
import { actorsOf, timeline } from './timeline.js';

export interface DashboardOptions {
  session: Session;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 4680; 0 picks a free one). */
  port?: number;
  /** Told about each survey the dashboard runs and each request it refuses. */
  log?: (line: string) => void;
}

export interface Dashboard {
  url: string;
  port: number;
  close(): Promise<void>;
}

const headers = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on POST, which the survey check refuses.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const refuse = (res: ServerResponse, status: number, title: string, detail: string) =>
  send(res, status, 'text/html; charset=utf-8', errorPage(status, title, detail));

async function formBody(req: IncomingMessage, limit = 4096): Promise<URLSearchParams | undefined> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return undefined;
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Starts the read-only dashboard: GET pages from the store, and one state-changing request, the
 * "survey now" POST, which must carry a token of a page this server rendered and come from its own origin.
 * @example
 * const d = await startDashboard({ session, port: 0 });
 * console.log(d.url); // http://127.0.0.1:41237/
 */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const { session } = opts;
  const bind = opts.host ?? '127.0.0.1';
  const tokens = new PageTokens();
  const notices = new Notices();
  const log = opts.log ?? (() => undefined);
  let allowed = new Set<string>();
  let surveying: Promise<SurveyOutcome> | undefined;

  async function page(res: ServerResponse, url: URL): Promise<void> {
    const [report, events] = await Promise.all([readStatus(session), session.store.readEvents()]);
    const filter = { gap: url.searchParams.get('gap') || undefined, actor: url.searchParams.get('actor') || undefined };
    const svg = (await renderDiagram(session.wf.spec, { format: 'svg', source: session.wf.file, status: report })).replace(
      /^<!--.*-->\n/,
      '',
    );
    const notice = notices.take(url.searchParams.get('notice'));
    const html = renderPage({
      report,
      svg,
      rows: timeline(events, filter),
      totalEvents: events.length,
      filter,
      actors: actorsOf(events),
      token: tokens.issue(),
      ...(notice ? { notice } : {}),
    });
    send(res, 200, 'text/html; charset=utf-8', html);
  }

  async function survey(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = sameOrigin(req, allowed);
    if (!origin.ok) {
      log(`refused POST /survey: ${origin.why}`);
      return refuse(res, 403, 'Forbidden', `A survey can only be started from this dashboard's own page: ${origin.why}.`);
    }
    const form = await formBody(req);
    if (!form || !tokens.redeem(form.get('token'))) {
      log('refused POST /survey: missing, unknown or used page token');
      return refuse(
        res,
        403,
        'Forbidden',
        'The page token is missing, unknown or already used: reload the dashboard and press "Survey now" again.',
      );
    }
    surveying ??= runSurvey(session).finally(() => (surveying = undefined));
    const { recorded } = await surveying;
    const seq = recorded.find((e) => e.type === 'survey')?.seq ?? recorded.at(-1)?.seq ?? 0;
    log(`survey recorded at ledger event ${seq} (${recorded.length} events)`);
    const id = notices.add(`Survey recorded: ledger event ${seq}, ${recorded.length} event(s) in all.`);
    res.writeHead(303, { ...headers, location: `/?notice=${id}` });
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req, allowed))
      return refuse(res, 421, 'Misdirected request', `This dashboard answers only to ${[...allowed].join(', ')}.`);
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (url.pathname === '/survey')
      return req.method === 'POST' ? survey(req, res) : refuse(res, 405, 'Method not allowed', 'Use the "Survey now" button.');
    if (!read)
      return send(res, 405, 'text/html; charset=utf-8', errorPage(405, 'Method not allowed', 'The dashboard is read-only.'), {
        allow: 'GET, HEAD',
      });
    if (url.pathname === '/') return page(res, url);
    if (url.pathname === '/assets/dashboard.css') return send(res, 200, 'text/css; charset=utf-8', stylesheet);
    if (url.pathname === '/diagram.svg') {
      const svg = await renderDiagram(session.wf.spec, { format: 'svg', source: session.wf.file, status: await readStatus(session) });
      return send(res, 200, 'image/svg+xml; charset=utf-8', svg);
    }
    return refuse(res, 404, 'Not found', `Nothing at ${url.pathname}.`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`error: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) refuse(res, 500, 'Internal error', e instanceof Error ? e.message.split('\n')[0]! : 'unexpected error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 4680, bind, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(bind, port);
  const shown = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind.includes(':') ? `[${bind}]` : bind;
  return {
    url: `http://${shown}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
