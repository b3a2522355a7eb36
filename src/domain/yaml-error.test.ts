import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { yamlErrorText } from './yaml-error.js';

const errorOf = (text: string): unknown => {
  try {
    parse(text);
  } catch (err) {
    return err;
  }
  throw new Error('parsed');
};

describe('yamlErrorText', () => {
  it('gives the reason and where, without the dangling "column 1:" of the first line', () => {
    expect(yamlErrorText(errorOf('foo: [\n'))).toBe(
      'Flow sequence in block collection must be sufficiently indented and end with a ] (line 2, column 1)',
    );
    expect(yamlErrorText(errorOf('a: 1\na: 2\n'))).toMatch(/^Map keys must be unique \(line 2, column 1\)$/);
  });

  it('keeps any other error as its first line', () => {
    expect(yamlErrorText(new Error('boom\nmore'))).toBe('boom');
  });
});
