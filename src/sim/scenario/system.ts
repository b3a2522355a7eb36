// What every real cluster has before anyone applies anything: the system namespaces, the node,
// the `kubernetes` Service in `default` (manual Endpoints to the API server, no pods) and DNS in
// `kube-system`.
export const SYSTEM_OBJECTS: string = `
apiVersion: v1
kind: Namespace
metadata: { name: default }
---
apiVersion: v1
kind: Namespace
metadata: { name: kube-system }
---
apiVersion: v1
kind: Namespace
metadata: { name: kube-public }
---
apiVersion: v1
kind: Namespace
metadata: { name: kube-node-lease }
---
apiVersion: v1
kind: Service
metadata:
  name: kubernetes
  namespace: default
  labels: { component: apiserver, provider: kubernetes }
spec:
  clusterIP: 10.96.0.1
  ports:
    - { name: https, port: 443, targetPort: 6443, protocol: TCP }
---
apiVersion: v1
kind: Endpoints
metadata:
  name: kubernetes
  namespace: default
  labels: { endpointslice.kubernetes.io/skip-mirror: "true" }
subsets:
  - addresses: [{ ip: 10.0.0.10 }]
    ports: [{ name: https, port: 6443, protocol: TCP }]
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: { k8s-app: kube-dns, kubernetes.io/name: CoreDNS }
spec:
  clusterIP: 10.96.0.10
  selector: { k8s-app: kube-dns }
  ports:
    - { name: dns, port: 53, targetPort: 53, protocol: UDP }
    - { name: dns-tcp, port: 53, targetPort: 53, protocol: TCP }
    - { name: metrics, port: 9153, targetPort: 9153, protocol: TCP }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels: { k8s-app: kube-dns }
spec:
  replicas: 1
  selector:
    matchLabels: { k8s-app: kube-dns }
  template:
    metadata:
      labels: { k8s-app: kube-dns }
      annotations: { kubefwd.sim/backend: echo, kubefwd.sim/backend.coredns: echo }
    spec:
      containers:
        - name: coredns
          image: registry.k8s.io/coredns/coredns:v1.11.3
          ports:
            - { name: dns, containerPort: 53, protocol: UDP }
            - { name: dns-tcp, containerPort: 53, protocol: TCP }
            - { name: metrics, containerPort: 9153, protocol: TCP }
`;
