// The prompts' texts as a model reads them: what they tell it about kubefwd must be true.
import { describe, expect, it } from 'vitest';
import { buildPrompts } from '../../src/mcp/prompts.js';
import { createFakeBackend } from './fake-backend.js';

const render = (name: string, args: Record<string, string | undefined>): string => {
  const { backend } = createFakeBackend();
  const p = buildPrompts(async () => backend).find((x) => x.name === name);
  if (!p) throw new Error(`no prompt ${name}`);
  return p.render(args).text;
};

describe('prompts', () => {
  it('forward_namespace does not call services without a selector unforwardable: kubefwd forwards them by their Endpoints', () => {
    const text = render('forward_namespace', { namespace: 'shop' });
    expect(text).not.toMatch(/without a selector \(they cannot be forwarded\)/);
    expect(text).toContain('A service without a selector is still forwarded, to the pod its Endpoints name.');
    expect(text).toContain('no selector and no Endpoints naming a pod');
  });
});
