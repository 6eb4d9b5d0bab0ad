import { describe, expect, it } from 'vitest';
import { classifySshFailure, parseRoute } from '../../src/remote/classify.js';

// ssh's own words (OpenSSH 9.2), for the failures a test cannot cause on loopback.
describe('reading why ssh failed', () => {
  it('tells an unresolvable host name, without a network lookup in the test', () => {
    const e = classifySshFailure('ssh://prod', 'ssh: Could not resolve hostname prod.example: Name or service not known\r\n');
    expect(e.kind).toBe('dns');
    expect(e.message).toBe('ssh://prod: cannot resolve the host name prod.example — check the name, or the Host alias in ~/.ssh/config');
  });

  it('blames the bastion for a failure on the way to it', () => {
    const route = parseRoute('user deploy\nhostname 10.0.0.5\nport 22\nproxyjump jump.example\n');
    expect(route).toEqual({ user: 'deploy', hostname: '10.0.0.5', port: '22', proxy: 'jump.example' });
    const e = classifySshFailure(
      'ssh://prod',
      'ssh: Could not resolve hostname jump.example: Temporary failure in name resolution\n',
      route,
    );
    expect(e.kind).toBe('bastion');
    expect(e.message).toContain('cannot reach the bastion (jump.example): cannot resolve the host name jump.example');
  });

  it('tells an unreachable network and a timeout from a refusal', () => {
    expect(classifySshFailure('t', 'ssh: connect to host 10.1.2.3 port 22: No route to host\n').kind).toBe('unreachable');
    expect(classifySshFailure('t', 'ssh: connect to host 10.1.2.3 port 22: Connection timed out\n').message).toContain(
      'connecting to 10.1.2.3 port 22 timed out',
    );
  });

  it("keeps ssh's last line when it does not know the failure", () => {
    const e = classifySshFailure('t', 'something odd\nssh: weird thing happened\n');
    expect(e.kind).toBe('failed');
    expect(e.message).toBe('t: ssh failed: ssh: weird thing happened');
  });
});
