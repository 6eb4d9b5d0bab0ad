import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];
const wildcard = (h: string) => h === '0.0.0.0' || h === '::' || h === '[::]';
const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);

/**
 * The Host headers the dashboard answers to. Answering only to its own names defeats DNS rebinding,
 * where another site's name is pointed at 127.0.0.1 to read the page as a same-origin document.
 */
export function allowedHosts(bound: string, port: number): Set<string> {
  const names = new Set([...LOOPBACK, bracket(bound)]);
  if (!LOOPBACK.includes(bracket(bound))) names.add(hostname());
  if (wildcard(bound)) for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(bracket(a.address));
  return new Set([...names].filter((n) => !wildcard(n)).map((n) => `${n}:${port}`.toLowerCase()));
}

export function hostAllowed(req: IncomingMessage, allowed: Set<string>): boolean {
  return allowed.has((req.headers.host ?? '').toLowerCase());
}

/** The request's Origin, or failing that its Referer's origin; undefined when it has neither. */
function originOf(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (origin && origin !== 'null') return origin.toLowerCase();
  if (origin === 'null') return 'null';
  try {
    return req.headers.referer ? new URL(req.headers.referer).origin.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** A state-changing request must come from a page this dashboard served: same origin as its own Host. */
export function sameOrigin(req: IncomingMessage, allowed: Set<string>): { ok: true } | { ok: false; why: string } {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!allowed.has(host)) return { ok: false, why: `Host "${req.headers.host ?? ''}" is not this dashboard` };
  const origin = originOf(req);
  if (!origin) return { ok: false, why: 'the request names no Origin (or Referer)' };
  if (origin !== `http://${host}`) return { ok: false, why: `Origin ${origin} is not http://${host}` };
  return { ok: true };
}

/**
 * Tokens for the forms of each page served: a random nonce and the time it was issued, under an
 * HMAC with a key that lives as long as the server. A token is good for one use within `ttlMs` of
 * being issued; a used nonce is remembered until its token would have expired anyway, so no
 * number of later uses makes the server forget it.
 */
export class PageTokens {
  private readonly key = randomBytes(32);
  /** Used nonces and when their tokens expire. */
  private readonly used = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(opts: { ttlMs?: number; now?: () => number } = {}) {
    this.ttlMs = opts.ttlMs ?? 10 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  issue(): string {
    const body = `${randomBytes(18).toString('base64url')}.${this.now().toString(36)}`;
    return `${body}.${this.mac(body)}`;
  }

  /** True once for a token this server issued less than `ttlMs` ago; false for anything else. */
  redeem(token: unknown): boolean {
    if (typeof token !== 'string' || token.length > 200) return false;
    const [nonce, issued, mac, extra] = token.split('.');
    if (!nonce || !issued || !mac || extra !== undefined) return false;
    const want = Buffer.from(this.mac(`${nonce}.${issued}`));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return false;
    const now = this.now();
    const expires = parseInt(issued, 36) + this.ttlMs;
    if (!(expires > now) || this.used.has(nonce)) return false;
    for (const [n, until] of this.used) if (until <= now) this.used.delete(n);
    this.used.set(nonce, expires);
    return true;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/**
 * What the server did, to show once on the page it redirects to. The page is given a random id,
 * never words: nothing in a URL reaches the notice.
 */
export class Notices {
  private readonly notes = new Map<string, { text: string; expires: number }>();
  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(text: string): string {
    const id = randomBytes(12).toString('base64url');
    const now = this.now();
    for (const [k, n] of this.notes) if (n.expires <= now) this.notes.delete(k);
    this.notes.set(id, { text, expires: now + this.ttlMs });
    return id;
  }

  /** The notice's text, once; undefined for an unknown, used or expired id. */
  take(id: string | null): string | undefined {
    const n = id ? this.notes.get(id) : undefined;
    if (!n) return undefined;
    this.notes.delete(id!);
    return n.expires > this.now() ? n.text : undefined;
  }
}
