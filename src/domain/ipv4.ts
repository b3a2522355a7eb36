// Tiny IPv4 helpers for the loopback range kubefwd uses.

/** The four octets of a dotted IPv4 address, or undefined when it is not one. */
export const parseIPv4 = (text: string): [number, number, number, number] | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const octets = [m[1], m[2], m[3], m[4]].map((o) => Number(o));
  if (octets.some((o) => o > 255)) return undefined;
  return octets as [number, number, number, number];
};

export const isLoopbackIPv4 = (text: string): boolean => parseIPv4(text)?.[0] === 127;

export const formatIPv4 = (octets: readonly number[]): string => octets.join('.');

/** kubefwd's "stale range" test: 127.1.27.0 – 127.255.255.255. */
export const inKubefwdRange = (text: string): boolean => {
  const o = parseIPv4(text);
  if (!o || o[0] !== 127) return false;
  return o[1] > 1 || (o[1] === 1 && o[2] >= 27);
};
