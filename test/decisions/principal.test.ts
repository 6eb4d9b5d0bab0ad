import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { defaultActor } from '../../src/runner/engine/session.js';
import { checkPrincipal, normalizePrincipal, principalKey, samePrincipal } from '../../src/spec/principal.js';

const cyrillicAlice = '\u0430lice'; // "аlice": the first letter is CYRILLIC SMALL LETTER A

describe('the principal rule', () => {
  it('makes alice, Alice, "alice " and full-width ａｌｉｃｅ one principal', () => {
    const spellings = ['alice', 'Alice', 'alice ', ' ALICE\t', '\uff41\uff4c\uff49\uff43\uff45'];
    expect(new Set(spellings.map((s) => normalizePrincipal(s)))).toEqual(new Set(['alice']));
    expect(samePrincipal('Alice', 'alice ')).toBe(true);
  });

  it('refuses a Cyrillic look-alike, naming the character, rather than counting another person', () => {
    const r = checkPrincipal(cyrillicAlice);
    expect(r).toEqual({ ok: false, problem: `"${cyrillicAlice}" is not a valid principal: "\u0430" (U+0430) is not allowed` });
    expect(samePrincipal(cyrillicAlice, 'alice')).toBe(false);
    expect(samePrincipal(cyrillicAlice, cyrillicAlice)).toBe(false); // a name that breaks the rule is no one's
    expect(principalKey(cyrillicAlice)).toBeUndefined();
  });

  it('refuses empty, blank, over-long and badly started names with a ConfigError (exit 2) that states the rule', () => {
    for (const bad of ['', '   ', 'a'.repeat(65), '.alice', '-rf', '@release-board', 'alice smith', 'al*ce']) {
      const e = (() => {
        try {
          normalizePrincipal(bad, { field: '--as' });
        } catch (x) {
          return x as ConfigError;
        }
      })();
      expect(e, JSON.stringify(bad)).toBeInstanceOf(ConfigError);
      expect(e!.exitCode).toBe(2);
      expect(e!.message).toContain(`--as: ${JSON.stringify(bad)} is not a valid principal`);
      expect(e!.message).toContain('^[a-z0-9][a-z0-9._@+-]{0,63}$');
    }
  });

  it('accepts the names people use: e-mail addresses, dotted and plus-tagged names, 64 characters', () => {
    for (const ok of ['alice@example.com', 'j.doe', 'ops+oncall', 'svc_deploy', '7eleven', 'a'.repeat(64)])
      expect(normalizePrincipal(ok)).toBe(ok);
  });
});

describe('the actor a command runs as', () => {
  it('takes FLIPGATE_ACTOR normalised, and refuses an empty or look-alike one', () => {
    expect(defaultActor({ FLIPGATE_ACTOR: ' Alice ' })).toBe('alice');
    expect(() => defaultActor({ FLIPGATE_ACTOR: '' })).toThrow(/FLIPGATE_ACTOR: "" is not a valid principal/);
    expect(() => defaultActor({ FLIPGATE_ACTOR: cyrillicAlice })).toThrow(ConfigError);
  });

  it('falls back to the OS user, normalised', () => {
    expect(defaultActor({})).toMatch(/^[a-z0-9][a-z0-9._@+-]{0,63}$/);
  });
});
