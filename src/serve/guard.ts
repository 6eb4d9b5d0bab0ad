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
 * Tokens for the forms of each page served: a random nonce with an HMAC under a key that lives as long
 * as the server. Each is good for one use, so a token seen once cannot be replayed.
 */
export class PageTokens {
  private readonly key = randomBytes(32);
  private readonly used = new Set<string>();
  constructor(private readonly remember = 10_000) {}

  issue(): string {
    const nonce = randomBytes(18).toString('base64url');
    return `${nonce}.${this.mac(nonce)}`;
  }

  /** True once for a token this server issued; false for anything else. */
  redeem(token: unknown): boolean {
    if (typeof token !== 'string' || token.length > 200) return false;
    const [nonce, mac, extra] = token.split('.');
    if (!nonce || !mac || extra !== undefined) return false;
    const want = Buffer.from(this.mac(nonce));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !timingSafeEqual(want, got) || this.used.has(nonce)) return false;
    this.used.add(nonce);
    if (this.used.size > this.remember) this.used.delete(this.used.values().next().value!);
    return true;
  }

  private mac(nonce: string): string {
    return createHmac('sha256', this.key).update(nonce).digest('base64url');
  }
}
