// The simulated cluster's side of the real-server workloads: a namespace with one pod whose
// containers proxy to a real redis-server and PostgreSQL on loopback, and a service for each (the
// bench's clients section and test/e2e/real-servers.test.ts).
export const NAMESPACE = 'clients';
export const REDIS_PORT = 6379;
export const POSTGRES_PORT = 5432;

export const clientsYaml = (redisPort: number, postgresPort: number): string => `
apiVersion: v1
kind: Namespace
metadata: { name: ${NAMESPACE} }
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: ${NAMESPACE}
  labels: { app: db }
  annotations:
    kubefwd.sim/backend.redis: proxy:127.0.0.1:${redisPort}
    kubefwd.sim/backend.postgres: proxy:127.0.0.1:${postgresPort}
spec:
  containers:
    - name: redis
      image: redis:7
      ports: [{ containerPort: ${REDIS_PORT} }]
    - name: postgres
      image: postgres:15
      ports: [{ containerPort: ${POSTGRES_PORT} }]
---
apiVersion: v1
kind: Service
metadata: { name: redis, namespace: ${NAMESPACE} }
spec:
  selector: { app: db }
  ports: [{ name: redis, port: ${REDIS_PORT}, targetPort: ${REDIS_PORT} }]
---
apiVersion: v1
kind: Service
metadata: { name: postgres, namespace: ${NAMESPACE} }
spec:
  selector: { app: db }
  ports: [{ name: postgres, port: ${POSTGRES_PORT}, targetPort: ${POSTGRES_PORT} }]
`;
