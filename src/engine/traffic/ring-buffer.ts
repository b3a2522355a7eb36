// A fixed-capacity ring: push overwrites the oldest once full. Used for HTTP logs per forward.

export interface RingBuffer<T> {
  push(item: T): void;
  /** Oldest first. */
  toArray(): T[];
  /** The newest `n`, oldest first. */
  last(n: number): T[];
  clear(): void;
  readonly size: number;
  readonly capacity: number;
  /** Everything ever pushed (including overwritten items). */
  readonly total: number;
}

export const createRingBuffer = <T>(capacity: number): RingBuffer<T> => {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
  const items: (T | undefined)[] = new Array<T | undefined>(capacity);
  let start = 0;
  let size = 0;
  let total = 0;
  const toArray = (): T[] => {
    const out: T[] = [];
    for (let i = 0; i < size; i++) out.push(items[(start + i) % capacity] as T);
    return out;
  };
  return {
    push(item) {
      total++;
      if (size < capacity) {
        items[(start + size) % capacity] = item;
        size++;
      } else {
        items[start] = item;
        start = (start + 1) % capacity;
      }
    },
    toArray,
    last(n) {
      const all = toArray();
      return n >= all.length ? all : all.slice(all.length - Math.max(0, n));
    },
    clear() {
      items.fill(undefined);
      start = 0;
      size = 0;
    },
    get size() {
      return size;
    },
    get capacity() {
      return capacity;
    },
    get total() {
      return total;
    },
  };
};
