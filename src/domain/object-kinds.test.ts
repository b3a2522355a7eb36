import { describe, expect, it } from 'vitest';
import { canonicalKind } from './object-kinds.js';

describe('canonicalKind', () => {
  it('spells a kind as the API server does, from any case, a plural or a kubectl short name', () => {
    expect(canonicalKind('pod')).toBe('Pod');
    expect(canonicalKind('POD')).toBe('Pod');
    expect(canonicalKind('Pod')).toBe('Pod');
    expect(canonicalKind('statefulset')).toBe('StatefulSet');
    expect(canonicalKind('deploy')).toBe('Deployment');
    expect(canonicalKind('svc')).toBe('Service');
    expect(canonicalKind('pvc')).toBe('PersistentVolumeClaim');
  });
  it('keeps a kind it does not know (a custom resource), first letter upper-cased', () => {
    expect(canonicalKind('KafkaTopic')).toBe('KafkaTopic');
    expect(canonicalKind('certificate')).toBe('Certificate');
  });
});
