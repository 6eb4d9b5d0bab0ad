import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { describeTarget, parseTarget, resolveTarget } from '../../src/remote/target.js';

describe('targets', () => {
  it('reads local and ssh:// addresses with an optional user and port', () => {
    expect(parseTarget('local')).toEqual({ kind: 'local' });
    expect(parseTarget('ssh://prod')).toEqual({ kind: 'ssh', host: 'prod' });
    expect(parseTarget('ssh://deploy@app.example.com:2222')).toEqual({ kind: 'ssh', host: 'app.example.com', user: 'deploy', port: 2222 });
    expect(parseTarget('ssh://[::1]:22')).toEqual({ kind: 'ssh', host: '::1', port: 22 });
  });

  it('spells a target back the same way', () => {
    for (const t of ['local', 'ssh://prod', 'ssh://deploy@10.0.0.5:2222', 'ssh://[::1]:22']) expect(describeTarget(parseTarget(t))).toBe(t);
  });

  it.each([
    ['prod', 'neither local nor an ssh:// address'],
    ['ssh://', 'names no host'],
    ['ssh://-oProxyCommand=id', 'invalid host'],
    ['ssh://host;id', 'invalid host'],
    ['ssh://-l@host', 'invalid user name'],
    ['ssh://host:0', 'invalid port'],
    ['ssh://host:99999', 'invalid port'],
    ['ssh://host:22/opt', 'path, query or fragment'],
    ['ssh://a:b:c', 'more than one ":"'],
  ])('refuses %s with an exit-2 error that says how to write a target', (text, why) => {
    let err: unknown;
    try {
      parseTarget(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    expect((err as ConfigError).message).toContain(why);
    expect((err as ConfigError).message).toMatch(/^--target: .* — write ssh:\/\/HOST/);
  });

  it('takes the flag first, then FLIPGATE_TARGET, then this machine, naming where a bad one came from', () => {
    expect(resolveTarget('ssh://a', { FLIPGATE_TARGET: 'ssh://b' })).toMatchObject({ host: 'a' });
    expect(resolveTarget(undefined, { FLIPGATE_TARGET: 'ssh://b' })).toMatchObject({ host: 'b' });
    expect(resolveTarget(undefined, {})).toEqual({ kind: 'local' });
    expect(() => resolveTarget(undefined, { FLIPGATE_TARGET: 'b' })).toThrow(/^FLIPGATE_TARGET: target "b"/);
  });
});
