// The protobuf wire format, read: a message is a run of fields, each a key (field number and
// wire type, a varint) and a value whose length the wire type gives. Varints are read as bigints:
// an int64, and a negative int32, take ten bytes.

export type WireField =
  | { no: number; wire: 'varint'; value: bigint }
  | { no: number; wire: 'fixed64' | 'fixed32' | 'bytes'; value: Buffer };

export class WireError extends Error {}

/** Reads one varint at `at`; returns it and where the next byte is. */
export const readVarint = (buf: Buffer, at: number): [bigint, number] => {
  let value = 0n;
  for (let shift = 0n, i = at; i < buf.length && shift < 70n; i++, shift += 7n) {
    const byte = buf[i]!;
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return [BigInt.asUintN(64, value), i + 1];
  }
  throw new WireError(`a varint at byte ${at} runs past the end of the message`);
};

const take = (buf: Buffer, at: number, length: number): Buffer => {
  if (length > buf.length - at)
    throw new WireError(`a field at byte ${at} needs ${length} bytes; ${buf.length - at} are left`);
  return buf.subarray(at, at + length);
};

/** The fields of one message, in order (a repeated field appears once per element). */
export const readFields = (buf: Buffer): WireField[] => {
  const fields: WireField[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    const no = Number(key >> 3n);
    const type = Number(key & 7n);
    at = next;
    if (no === 0) throw new WireError(`field number 0 at byte ${at}`);
    if (type === 0) {
      const [value, after] = readVarint(buf, at);
      fields.push({ no, wire: 'varint', value });
      at = after;
    } else if (type === 1 || type === 5) {
      const value = take(buf, at, type === 1 ? 8 : 4);
      fields.push({ no, wire: type === 1 ? 'fixed64' : 'fixed32', value });
      at += value.length;
    } else if (type === 2) {
      const [length, after] = readVarint(buf, at);
      const value = take(buf, after, Number(length));
      fields.push({ no, wire: 'bytes', value });
      at = after + value.length;
    } else throw new WireError(`wire type ${type} (field ${no}) is not one Kubernetes uses`);
  }
  return fields;
};

/** The varints of a packed repeated field. */
export const readPackedVarints = (buf: Buffer): bigint[] => {
  const values: bigint[] = [];
  for (let at = 0; at < buf.length;) {
    const [value, next] = readVarint(buf, at);
    values.push(value);
    at = next;
  }
  return values;
};
