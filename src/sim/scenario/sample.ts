// The sample scenario: an online shop. Other parts' end-to-end tests depend on these exact names
// (namespaces, services, ports, replica counts, backends) — change them only together with those.

const deployment = (
  ns: string,
  name: string,
  replicas: number,
  image: string,
  ports: string,
  annotations = '',
): string => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels: { app: ${name} }
spec:
  replicas: ${replicas}
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }${annotations}
    spec:
      containers:
        - name: ${name}
          image: ${image}
          ports:
${ports}`;

const service = (
  ns: string,
  name: string,
  port: number,
  portName: string,
  targetPort: number | string = port,
): string => `
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
  labels: { app: ${name} }
spec:
  selector: { app: ${name} }
  ports:
    - name: ${portName}
      port: ${port}
      targetPort: ${targetPort}
      protocol: TCP`;

const echo = '\n      annotations: { kubefwd.sim/backend: echo }';
const postgres = '\n      annotations: { kubefwd.sim/backend: postgres }';
const redis = '\n      annotations: { kubefwd.sim/backend: redis }';
const http = '\n      annotations: { kubefwd.sim/backend: http }';

export const SAMPLE_SCENARIO: string = [
  `
apiVersion: v1
kind: Namespace
metadata: { name: shop }`,
  `
apiVersion: v1
kind: Namespace
metadata: { name: analytics }`,
  `
apiVersion: v1
kind: Namespace
metadata: { name: sandbox }`,
  // shop
  deployment(
    'shop',
    'api-gateway',
    2,
    'ghcr.io/example/api-gateway:1.4.2',
    '            - { name: http, containerPort: 8080 }',
    http,
  ),
  service('shop', 'api-gateway', 8080, 'http'),
  deployment(
    'shop',
    'postgres',
    1,
    'postgres:16',
    '            - { name: postgres, containerPort: 5432 }',
    postgres,
  ),
  service('shop', 'postgres', 5432, 'postgres'),
  deployment('shop', 'redis', 1, 'redis:7', '            - { name: redis, containerPort: 6379 }', redis),
  service('shop', 'redis', 6379, 'redis'),
  deployment(
    'shop',
    'auth',
    1,
    'ghcr.io/example/auth:2.0.1',
    '            - { name: https, containerPort: 8443 }',
    http,
  ),
  service('shop', 'auth', 443, 'https', 'https'),
  `
apiVersion: v1
kind: Service
metadata:
  name: kafka
  namespace: shop
  labels: { app: kafka }
spec:
  clusterIP: None
  selector: { app: kafka }
  ports:
    - { name: kafka, port: 9092, targetPort: 9092 }`,
  `
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: kafka
  namespace: shop
  labels: { app: kafka }
spec:
  serviceName: kafka
  replicas: 3
  selector:
    matchLabels: { app: kafka }
  template:
    metadata:
      labels: { app: kafka }
      annotations: { kubefwd.sim/backend: echo }
    spec:
      containers:
        - name: kafka
          image: apache/kafka:3.8.0
          ports:
            - { name: kafka, containerPort: 9092 }`,
  `
apiVersion: v1
kind: Service
metadata:
  name: legacy-db
  namespace: shop
spec:
  ports:
    - { name: postgres, port: 5432, targetPort: 5432 }`,
  `
apiVersion: v1
kind: Service
metadata:
  name: payments
  namespace: shop
spec:
  type: ExternalName
  externalName: payments.example.com`,
  `
apiVersion: v1
kind: Service
metadata:
  name: statsd
  namespace: shop
  labels: { app: statsd }
spec:
  selector: { app: statsd }
  ports:
    - { name: statsd, port: 8125, targetPort: 8125, protocol: UDP }`,
  `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: statsd
  namespace: shop
  labels: { app: statsd }
spec:
  replicas: 1
  selector:
    matchLabels: { app: statsd }
  template:
    metadata:
      labels: { app: statsd }
    spec:
      containers:
        - name: statsd
          image: statsd/statsd:v0.10.2
          ports:
            - { name: statsd, containerPort: 8125, protocol: UDP }`,
  // analytics
  deployment(
    'analytics',
    'reports',
    1,
    'ghcr.io/example/reports:0.9.0',
    '            - { name: http, containerPort: 8080 }',
    http,
  ),
  service('analytics', 'reports', 8080, 'http'),
  deployment(
    'analytics',
    'events',
    1,
    'ghcr.io/example/events:0.3.1',
    '            - { name: events, containerPort: 9000 }',
    echo,
  ),
  service('analytics', 'events', 9000, 'events'),
].join('\n---');

/**
 * The manual Endpoints of `shop/legacy-db` (a Service without selector) point at the postgres pod;
 * they need the pod's IP, name and uid, so they are written once that pod exists.
 */
export const LEGACY_DB = {
  namespace: 'shop',
  service: 'legacy-db',
  targetSelector: { app: 'postgres' },
  port: 5432,
} as const;
