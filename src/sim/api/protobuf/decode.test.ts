// The protobuf reader on bodies built by hand, field numbers as Kubernetes' .proto files give them
// (test/sim/kubectl.test.ts checks it against what kubectl itself sends).
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { decodeObject } from '../requests.js';
import { ApiError } from '../status.js';
import { goDuration, KubernetesProtobufDecoder } from './decode.js';

const varint = (n: bigint): Buffer => {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return Buffer.from(out);
};
const int = (no: number, n: number | bigint): Buffer =>
  Buffer.concat([varint(BigInt(no << 3)), varint(BigInt(n))]);
const bytes = (no: number, ...content: (Buffer | string)[]): Buffer => {
  const body = Buffer.concat(content.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  return Buffer.concat([varint(BigInt((no << 3) | 2)), varint(BigInt(body.length)), body]);
};
const envelope = (apiVersion: string, kind: string, raw: Buffer): Buffer =>
  Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    bytes(1, bytes(1, apiVersion), bytes(2, kind)),
    bytes(2, raw),
    bytes(3, ''),
    bytes(4, ''),
  ]);

const decode = (body: Buffer) => new KubernetesProtobufDecoder().decode(body);
const errorOf = (f: () => unknown): ApiError => {
  try {
    f();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('no error');
};

describe('KubernetesProtobufDecoder', () => {
  it('reads a Service as its JSON form: maps, repeated messages, IntOrString both ways, empty fields left out', () => {
    const meta = Buffer.concat([
      bytes(1, 'web'),
      bytes(2, ''), // generateName: Go writes empty strings
      bytes(3, 'shop'),
      bytes(8, ''), // creationTimestamp: the zero Time
      bytes(11, bytes(1, 'app'), bytes(2, 'web')),
      bytes(11, bytes(1, 'tier'), bytes(2, '')),
    ]);
    const http = Buffer.concat([
      bytes(1, 'http'),
      bytes(2, 'TCP'),
      int(3, 80),
      bytes(4, int(1, 0), int(2, 8080)),
      int(5, 0),
    ]);
    const named = Buffer.concat([bytes(1, 'grpc'), int(3, 9090), bytes(4, int(1, 1), bytes(3, 'grpc-port'))]);
    const spec = Buffer.concat([
      bytes(1, http),
      bytes(1, named),
      bytes(2, bytes(1, 'app'), bytes(2, 'web')),
      bytes(4, 'ClusterIP'),
      int(13, 0), // publishNotReadyAddresses false
      int(99, 7), // a field this table does not know: skipped
    ]);
    expect(
      decode(envelope('v1', 'Service', Buffer.concat([bytes(1, meta), bytes(2, spec), bytes(3, '')]))),
    ).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web', tier: '' } },
      spec: {
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: 'grpc', port: 9090, targetPort: 'grpc-port' },
        ],
        selector: { app: 'web' },
        type: 'ClusterIP',
      },
      status: {},
    });
  });

  it('keeps replicas: 0, writes Time as RFC 3339, bytes as base64, int64s negative and packed or not', () => {
    const deployment = Buffer.concat([
      bytes(1, bytes(1, 'idle'), bytes(8, int(1, 1_765_000_000n))),
      bytes(2, int(1, 0), int(5, 0)), // replicas 0 (kept), minReadySeconds 0 (unset)
    ]);
    expect(decode(envelope('apps/v1', 'Deployment', deployment))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'idle', creationTimestamp: '2025-12-06T05:46:40Z' },
      spec: { replicas: 0 },
    });
    const secret = Buffer.concat([bytes(2, bytes(1, 'key'), bytes(2, Buffer.from([0, 255, 1])))]);
    expect(decode(envelope('v1', 'Secret', secret))).toMatchObject({ data: { key: 'AP8B' } });
    // PodSpec.securityContext (14) → supplementalGroups (4): one unpacked element, then a packed run.
    const groups = Buffer.concat([int(4, -1n), bytes(4, varint(5n), varint(6n))]);
    const pod = Buffer.concat([bytes(2, bytes(14, groups))]);
    expect(decode(envelope('v1', 'Pod', pod))).toMatchObject({
      spec: { securityContext: { supplementalGroups: [-1, 5, 6] } },
    });
  });

  it('refuses, naming why: no prefix (400), a cut message (400), a kind it cannot read (415)', () => {
    const noPrefix = errorOf(() => decode(Buffer.from('{"kind":"Service"}')));
    expect(noPrefix.code).toBe(400);
    expect(noPrefix.message).toContain('"k8s\\0" prefix');
    const cut = envelope('v1', 'Service', bytes(1, bytes(1, 'web'))).subarray(0, -3);
    expect(errorOf(() => decode(cut))).toMatchObject({ code: 400, reason: 'BadRequest' });
    // DeleteOptions as client-go's typed clients name it (propagationPolicy = 4, dryRun = 5).
    expect(
      decode(
        envelope('meta.k8s.io/v1', 'DeleteOptions', Buffer.concat([bytes(4, 'Foreground'), bytes(5, 'All')])),
      ),
    ).toEqual({
      apiVersion: 'meta.k8s.io/v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
    const job = errorOf(() => decode(envelope('batch/v1', 'Job', Buffer.alloc(0))));
    expect(job).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    expect(job.message).toContain('Job (batch/v1)');
    expect(job.message).toContain('send it as JSON');
  });
});

describe('decodeObject: a body by its media type', () => {
  const req = (contentType?: string) =>
    ({ headers: contentType ? { 'content-type': contentType } : {} }) as http.IncomingMessage;
  const protobuf = new KubernetesProtobufDecoder();

  it('reads JSON (also without a type), YAML and protobuf; refuses others with 415 naming the accepted ones', () => {
    expect(decodeObject(req(), Buffer.from('{"a":1}'), protobuf)).toEqual({ a: 1 });
    expect(decodeObject(req('application/json; charset=utf-8'), Buffer.from('{"a":1}'), protobuf)).toEqual({
      a: 1,
    });
    expect(decodeObject(req('application/yaml'), Buffer.from('a: 1\nb: [x]\n'), protobuf)).toEqual({
      a: 1,
      b: ['x'],
    });
    expect(
      decodeObject(
        req('application/vnd.kubernetes.protobuf'),
        envelope('v1', 'Namespace', bytes(1, bytes(1, 'x'))),
        protobuf,
      ),
    ).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
    const text = errorOf(() => decodeObject(req('text/plain'), Buffer.from('x'), protobuf));
    expect(text).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    expect(text.message).toContain('application/json, application/yaml, application/vnd.kubernetes.protobuf');
    expect(decodeObject(req('application/yaml'), Buffer.alloc(0), protobuf)).toBeUndefined();
  });
});

describe('goDuration', () => {
  it('prints nanoseconds as Go does', () => {
    expect(goDuration(0n)).toBe('0s');
    expect(goDuration(1500n)).toBe('1.5µs');
    expect(goDuration(250_000_000n)).toBe('250ms');
    expect(goDuration(90_000_000_000n)).toBe('1m30s');
    expect(goDuration(3_723_500_000_000n)).toBe('1h2m3.5s');
    expect(goDuration(-2_000_000_000n)).toBe('-2s');
  });
});
