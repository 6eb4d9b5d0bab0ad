import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../src/spec/load.js';

describe('the README', () => {
  it('shows a workflow example that validates', async () => {
    const readme = await readFile('README.md', 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const wf = parseWorkflow(example!, 'README.md', { env: {} });
    expect(wf.spec.id).toBe('web-go-live');
    expect(wf.spec.gaps[1]!.checks[0]).toMatchObject({ kind: 'approval', principals: ['alice', 'bob', 'carol'] });
  });

  it('opens with the two quick-start commands', async () => {
    const head = (await readFile('README.md', 'utf8')).split('\n').slice(0, 10).join('\n');
    expect(head).toContain('npm install && npm run demo');
    expect(head).toContain('npm test');
  });
});
