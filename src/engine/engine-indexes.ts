// Context and namespace indexes: the order in which contexts, and namespaces within a context, were
// first used. They decide short hostnames (only index 0 gets `svc`) and address blocks
// (127.[b2+context].[b3+namespace].x). kubefwd counted namespaces globally, which gave a second
// context's first namespace the index 1; here each context counts its own.

export interface EngineIndexes {
  cluster(context: string): number;
  namespace(context: string, namespace: string): number;
}

const indexIn = (map: Map<string, number>, name: string): number => {
  let i = map.get(name);
  if (i === undefined) {
    i = map.size;
    map.set(name, i);
  }
  return i;
};

export const createEngineIndexes = (): EngineIndexes => {
  const clusters = new Map<string, number>();
  const namespaces = new Map<string, Map<string, number>>();
  return {
    cluster: (context) => indexIn(clusters, context),
    namespace: (context, namespace) => {
      let m = namespaces.get(context);
      if (!m) namespaces.set(context, (m = new Map<string, number>()));
      return indexIn(m, namespace);
    },
  };
};
