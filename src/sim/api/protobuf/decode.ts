// A Kubernetes object in protobuf (`application/vnd.kubernetes.protobuf`), as kubectl's typed
// clients send it (`kubectl create deployment|service|secret|…`, `kubectl auth can-i`), read into
// the JSON form the simulated API server stores: the "k8s\0" magic, a runtime.Unknown envelope
// naming apiVersion and kind, and the object's message, decoded by the field table that
// scripts/gen-sim-protobuf.mjs generates from Kubernetes' own .proto files.
//
// Go's protobuf marshalling writes non-pointer fields even when empty (generateName "", port 0),
// where its JSON leaves them out; so, as JSON would, empty strings, zeros and false are left out,
// except where zero means something (`replicas: 0`). Unknown fields are skipped, as the API server's
// decoder skips them.
import { ApiError } from '../status.js';
import { KINDS, MESSAGES } from './schema.generated.js';
import { readFields, readPackedVarints, WireError, type WireField } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from('k8s\0', 'latin1');

/** Fields whose zero is a value, not "unset" (Go pointers). */
const ZERO_KEPT = new Set([
  'apps.v1.DeploymentSpec.replicas',
  'apps.v1.StatefulSetSpec.replicas',
  'apps.v1.ReplicaSetSpec.replicas',
  'autoscaling.v1.ScaleSpec.replicas',
]);

interface FieldSpec {
  name: string;
  label: '' | '*' | '%';
  type: string;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const badRequest = (message: string): ApiError =>
  new ApiError(400, 'BadRequest', `the body of the request could not be decoded as protobuf: ${message}`);

/** Reads protobuf bodies; builds each message's field table when first needed. */
export class KubernetesProtobufDecoder {
  private readonly tables = new Map<string, Map<number, FieldSpec>>();

  /** The object in the body, with its apiVersion and kind first, as a JSON body would have them. */
  decode(body: Buffer): Record<string, unknown> {
    if (!body.subarray(0, 4).equals(MAGIC))
      throw badRequest('it does not start with the "k8s\\0" prefix of a Kubernetes protobuf object');
    try {
      // runtime.Unknown: typeMeta = 1, raw = 2 (the object's own message), contentEncoding = 3.
      const envelope = readFields(body.subarray(4));
      const part = (no: number): Buffer => {
        const f = envelope.findLast((x) => x.no === no);
        return f !== undefined && f.wire !== 'varint' ? f.value : Buffer.alloc(0);
      };
      const typeMeta = this.message('runtime.TypeMeta', part(1)) as { apiVersion?: string; kind?: string };
      const apiVersion = typeMeta.apiVersion ?? '';
      const kind = typeMeta.kind ?? '';
      const encoding = part(3).toString('utf8');
      if (encoding) throw badRequest(`content encoding ${JSON.stringify(encoding)} is not supported`);
      const type = KINDS[`${apiVersion}/${kind}`];
      if (type === undefined)
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          `the simulated API server does not read ${kind || 'an object without a kind'} (${apiVersion || 'no apiVersion'}) in protobuf; send it as JSON (kubectl apply -f, kubectl create -f)`,
        );
      const object = this.message(type, part(2)) as Record<string, unknown>;
      return { apiVersion, kind, ...object };
    } catch (err) {
      if (err instanceof WireError) throw badRequest(err.message);
      throw err;
    }
  }

  private table(type: string): Map<number, FieldSpec> {
    let table = this.tables.get(type);
    if (!table) {
      table = new Map();
      for (const entry of (MESSAGES[type] ?? '').split(';').filter(Boolean)) {
        const [no, name, t] = entry.split(' ') as [string, string, string];
        const label = t[0] === '*' || t[0] === '%' ? t[0] : '';
        table.set(Number(no), { name, label, type: label ? t.slice(1) : t });
      }
      this.tables.set(type, table);
    }
    return table;
  }

  private message(type: string, buf: Buffer): Json | undefined {
    const special = this.special(type, buf);
    if (special !== NOT_SPECIAL) return special;
    const table = this.table(type);
    const out: { [k: string]: Json } = {};
    for (const f of readFields(buf)) {
      const spec = table.get(f.no);
      if (!spec) continue;
      if (spec.label === '%') {
        const entry = readFields(f.value as Buffer);
        const key = entry.find((e) => e.no === 1);
        const value = entry.find((e) => e.no === 2);
        const map = (out[spec.name] ??= {}) as { [k: string]: Json };
        map[key ? (key.value as Buffer).toString('utf8') : ''] = value
          ? (this.value(spec.type, value) ?? '')
          : this.zero(spec.type);
      } else if (spec.label === '*') {
        const list = (out[spec.name] ??= []) as Json[];
        if (f.wire === 'bytes' && isVarintType(spec.type))
          for (const v of readPackedVarints(f.value)) list.push(scalar(spec.type, v));
        else list.push(this.value(spec.type, f) ?? this.zero(spec.type));
      } else {
        const value = this.value(spec.type, f);
        if (value !== undefined && (!isZero(value) || ZERO_KEPT.has(`${type}.${spec.name}`)))
          out[spec.name] = value;
        else delete out[spec.name];
      }
    }
    return out;
  }

  private value(type: string, f: WireField): Json | undefined {
    if (f.wire === 'varint') return scalar(type, f.value);
    if (type === 'string') return f.value.toString('utf8');
    if (type === 'bytes') return f.value.toString('base64');
    if (type === 'double') return f.value.readDoubleLE(0);
    if (type === 'float') return f.value.readFloatLE(0);
    if (f.wire !== 'bytes' || !(type in MESSAGES))
      throw new WireError(`field ${f.no} is a ${f.wire} where a ${type} was expected`);
    return this.message(type, f.value);
  }

  private zero(type: string): Json {
    if (type === 'string' || type === 'bytes') return '';
    if (type === 'bool') return false;
    if (isVarintType(type) || type === 'double' || type === 'float') return 0;
    return this.message(type, Buffer.alloc(0)) ?? null;
  }

  /** The messages whose JSON form is not their fields; NOT_SPECIAL for the rest. */
  private special(type: string, buf: Buffer): Json | undefined | typeof NOT_SPECIAL {
    if (MESSAGES[type] !== '') return NOT_SPECIAL;
    const fields = readFields(buf);
    const varint = (no: number): bigint => {
      const f = fields.findLast((x) => x.no === no);
      return f?.wire === 'varint' ? f.value : 0n;
    };
    const bytes = (no: number): Buffer | undefined => {
      const f = fields.findLast((x) => x.no === no);
      return f && f.wire !== 'varint' ? f.value : undefined;
    };
    switch (type) {
      case 'meta.v1.Time':
      case 'meta.v1.MicroTime':
        return timestamp(
          BigInt.asIntN(64, varint(1)),
          Number(BigInt.asIntN(32, varint(2))),
          type === 'meta.v1.MicroTime',
        );
      case 'meta.v1.Duration':
        return goDuration(BigInt.asIntN(64, varint(1)));
      case 'util.intstr.IntOrString':
        return varint(1) === 1n ? (bytes(3)?.toString('utf8') ?? '') : Number(BigInt.asIntN(32, varint(2)));
      case 'api.resource.Quantity':
        return bytes(1)?.toString('utf8') ?? '0';
      case 'meta.v1.FieldsV1':
      case 'runtime.RawExtension': {
        const raw = bytes(1);
        if (!raw || raw.length === 0) return undefined;
        try {
          return JSON.parse(raw.toString('utf8')) as Json;
        } catch {
          throw new WireError(`the embedded object of a ${type.split('.').pop()} is not JSON`);
        }
      }
      default:
        throw new WireError(`no reader for ${type}`);
    }
  }
}

const NOT_SPECIAL = Symbol('not special');

const isVarintType = (type: string): boolean => type === 'int32' || type === 'int64' || type === 'bool';

const scalar = (type: string, v: bigint): Json => {
  if (type === 'bool') return v !== 0n;
  if (type === 'int32') return Number(BigInt.asIntN(32, v));
  if (type === 'int64') return Number(BigInt.asIntN(64, v));
  throw new WireError(`a varint where a ${type} was expected`);
};

const isZero = (v: Json): boolean => v === '' || v === 0 || v === false;

/** RFC 3339 as Kubernetes writes it: whole seconds for Time, microseconds for MicroTime; unset → undefined. */
const timestamp = (seconds: bigint, nanos: number, micro: boolean): string | undefined => {
  if (seconds === 0n && nanos === 0) return undefined;
  const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
};

/** Nanoseconds as Go's time.Duration prints them ("1h2m3.5s", "250ms", "0s"). */
export const goDuration = (ns: bigint): string => {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  let n = ns < 0n ? -ns : ns;
  if (n < 1_000n) return `${sign}${n}ns`;
  if (n < 1_000_000n) return `${sign}${trim(Number(n) / 1e3)}µs`;
  if (n < 1_000_000_000n) return `${sign}${trim(Number(n) / 1e6)}ms`;
  const h = n / 3_600_000_000_000n;
  n -= h * 3_600_000_000_000n;
  const m = n / 60_000_000_000n;
  n -= m * 60_000_000_000n;
  const s = `${trim(Number(n) / 1e9)}s`;
  return `${sign}${h > 0n ? `${h}h${m}m` : m > 0n ? `${m}m` : ''}${s}`;
};

const trim = (x: number): string => String(Number(x.toFixed(9)));
