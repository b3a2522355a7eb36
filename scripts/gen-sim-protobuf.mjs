#!/usr/bin/env node
// Writes src/sim/api/protobuf/schema.generated.ts: the field numbers and types of the Kubernetes
// messages the simulated API server decodes from protobuf request bodies (kubectl sends them for
// `kubectl create deployment|service|secret|…`, `kubectl auth can-i` and `auth whoami`), read from the
// generated.proto files of k8s.io/api and k8s.io/apimachinery.
//
//   node scripts/gen-sim-protobuf.mjs <k8s.io/api checkout> <k8s.io/apimachinery checkout>
//
// Only the messages reachable from ROOTS are written. A proto field's name is its JSON name in
// these files (go-to-protobuf names fields from the json tags).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [apiDir, machineryDir] = process.argv.slice(2);
if (!apiDir || !machineryDir) {
  console.error(
    'usage: node scripts/gen-sim-protobuf.mjs <k8s.io/api checkout> <k8s.io/apimachinery checkout>',
  );
  process.exit(2);
}

const FILES = [
  [apiDir, 'core/v1/generated.proto'],
  [apiDir, 'apps/v1/generated.proto'],
  [apiDir, 'authentication/v1/generated.proto'],
  [apiDir, 'authorization/v1/generated.proto'],
  [apiDir, 'autoscaling/v1/generated.proto'],
  [machineryDir, 'pkg/apis/meta/v1/generated.proto'],
  [machineryDir, 'pkg/runtime/generated.proto'],
  [machineryDir, 'pkg/runtime/schema/generated.proto'],
  [machineryDir, 'pkg/util/intstr/generated.proto'],
  [machineryDir, 'pkg/api/resource/generated.proto'],
];

/** apiVersion/kind → message, for every kind the simulated API server stores or reviews. */
const ROOTS = {
  'v1/Namespace': 'k8s.io.api.core.v1.Namespace',
  'v1/Pod': 'k8s.io.api.core.v1.Pod',
  'v1/Service': 'k8s.io.api.core.v1.Service',
  'v1/Endpoints': 'k8s.io.api.core.v1.Endpoints',
  'v1/Event': 'k8s.io.api.core.v1.Event',
  'v1/ConfigMap': 'k8s.io.api.core.v1.ConfigMap',
  'v1/Secret': 'k8s.io.api.core.v1.Secret',
  'v1/ServiceAccount': 'k8s.io.api.core.v1.ServiceAccount',
  'v1/Node': 'k8s.io.api.core.v1.Node',
  'v1/DeleteOptions': 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'meta.k8s.io/v1/DeleteOptions': 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'apps/v1/Deployment': 'k8s.io.api.apps.v1.Deployment',
  'apps/v1/StatefulSet': 'k8s.io.api.apps.v1.StatefulSet',
  'apps/v1/ReplicaSet': 'k8s.io.api.apps.v1.ReplicaSet',
  'autoscaling/v1/Scale': 'k8s.io.api.autoscaling.v1.Scale',
  'authentication.k8s.io/v1/SelfSubjectReview': 'k8s.io.api.authentication.v1.SelfSubjectReview',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'k8s.io.api.authorization.v1.SelfSubjectAccessReview',
};

/** Messages whose JSON form is not their fields (the decoder writes them itself). */
const SPECIAL = new Set([
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  'k8s.io.apimachinery.pkg.api.resource.Quantity',
  'k8s.io.apimachinery.pkg.runtime.RawExtension',
]);

const SCALARS = new Set(['string', 'bool', 'int32', 'int64', 'bytes', 'double', 'float']);

/** message full name → [{ name, no, label, type }] */
const messages = new Map();
for (const [dir, file] of FILES) {
  const text = readFileSync(join(dir, file), 'utf8');
  const pkg = /^package ([\w.]+);/m.exec(text)[1];
  let current;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    let m;
    if ((m = /^message (\w+) \{$/.exec(line))) {
      current = [];
      messages.set(`${pkg}.${m[1]}`, { pkg, fields: current });
    } else if (line === '}') current = undefined;
    else if ((m = /^(optional|repeated) ([\w.]+) (\w+) = (\d+);$/.exec(line)))
      current.push({ label: m[1], type: m[2], name: m[3], no: Number(m[4]) });
    else if ((m = /^map<(\w+), ?([\w.]+)> (\w+) = (\d+);$/.exec(line)))
      current.push({ label: 'map', type: m[2], name: m[3], no: Number(m[4]) });
    else if (current !== undefined) throw new Error(`${file}: cannot read: ${line}`);
  }
}

const resolve = (type, pkg) => {
  if (SCALARS.has(type)) return type;
  const bare = type.replace(/^\./, '');
  for (const name of [`${pkg}.${bare}`, bare]) if (messages.has(name)) return name;
  throw new Error(`unknown type ${type} in ${pkg}`);
};

// Short names: the message name, qualified by its group where two share one.
const shortName = (full) => {
  const parts = full.split('.');
  return parts
    .slice(-3)
    .join('.')
    .replace(/^(api|pkg)\./, '');
};

const reachable = new Set();
const visit = (full) => {
  if (reachable.has(full)) return;
  reachable.add(full);
  if (SPECIAL.has(full)) return;
  const { pkg, fields } = messages.get(full);
  for (const f of fields) if (!SCALARS.has(f.type)) visit(resolve(f.type, pkg));
};
for (const root of Object.values(ROOTS)) visit(root);
// The envelope (runtime.Unknown) the decoder reads itself; its typeMeta by this table.
visit('k8s.io.apimachinery.pkg.runtime.TypeMeta');

const LABEL = { optional: '', repeated: '*', map: '%' };
const entries = [...reachable].sort().map((full) => {
  if (SPECIAL.has(full)) return `  '${shortName(full)}': '',`;
  const { pkg, fields } = messages.get(full);
  const text = fields
    .map((f) => {
      const t = resolve(f.type, pkg);
      return `${f.no} ${f.name} ${LABEL[f.label]}${SCALARS.has(t) ? t : shortName(t)}`;
    })
    .join(';');
  return `  '${shortName(full)}': '${text}',`;
});
const roots = Object.entries(ROOTS).map(([k, v]) => `  '${k}': '${shortName(v)}',`);

const commit = (dir) => {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};

const out = `// Generated by scripts/gen-sim-protobuf.mjs from k8s.io/api ${commit(apiDir)} and
// k8s.io/apimachinery ${commit(machineryDir)}; do not edit.
//
// Per message: its fields as "number name type" joined by ";". A type is a scalar (string, bool,
// int32, int64, bytes, double, float) or a message here; "*" before it: repeated, "%": a map from
// string (entries are messages of key = 1, value = 2). An empty entry is a message the decoder
// writes itself (its JSON form is not its fields: Time, IntOrString, Quantity, …).
export const MESSAGES: Readonly<Record<string, string>> = {
${entries.join('\n')}
};

/** apiVersion/kind → the message of that kind. */
export const KINDS: Readonly<Record<string, string>> = {
${roots.join('\n')}
};
`;
writeFileSync(new URL('../src/sim/api/protobuf/schema.generated.ts', import.meta.url), out);
console.log(`${reachable.size} messages, ${out.length} bytes`);
