// The SQL the simulated PostgreSQL pod understands: what a newcomer types into psql to see that the
// forward reaches a database — `select 1`, `select version()`, `select * from products`, `\dt`,
// `show server_version`, `begin`/`commit` — and a PostgreSQL error (with its SQLSTATE) for the rest.

export const PG_SERVER_VERSION = '16.4';
export const PG_VERSION_STRING = `PostgreSQL ${PG_SERVER_VERSION} (kubefwd simulated cluster) on x86_64-pc-linux-gnu, compiled by gcc, 64-bit`;

/** Type OIDs of pg_type, as psql reads them from RowDescription. */
export const OID = { bool: 16, int4: 23, text: 25, numeric: 1700 } as const;
export type Oid = (typeof OID)[keyof typeof OID];

export interface Column {
  name: string;
  type: Oid;
}
export type Cell = string | null;

export type StatementResult =
  | { kind: 'rows'; columns: Column[]; rows: Cell[][]; tag: string }
  | { kind: 'command'; tag: string; transaction?: 'begin' | 'end' }
  | { kind: 'empty' }
  | { kind: 'error'; code: string; message: string; hint?: string };

export interface SqlSession {
  user: string;
  database: string;
  /** Values SHOW answers (the ParameterStatus values and a few more). */
  settings: Record<string, string>;
}

/** The demo's one table: a shop's products. */
export const PRODUCTS: { columns: Column[]; rows: Cell[][] } = {
  columns: [
    { name: 'id', type: OID.int4 },
    { name: 'name', type: OID.text },
    { name: 'price', type: OID.numeric },
    { name: 'stock', type: OID.int4 },
  ],
  rows: [
    ['1', 'Coffee mug', '12.50', '120'],
    ['2', 'T-shirt', '24.00', '58'],
    ['3', 'Sticker pack', '4.99', '310'],
    ['4', 'Hoodie', '49.90', '17'],
    ['5', 'Notebook', '8.75', '0'],
  ],
};

const READ_ONLY_HINT =
  'The simulated PostgreSQL of kubefwd answers SELECT on the table products (and select 1, select version(), \\dt); it stores nothing.';

const err = (code: string, message: string, hint?: string): StatementResult => ({
  kind: 'error',
  code,
  message,
  ...(hint !== undefined ? { hint } : {}),
});

/** Splits a simple-query string into statements on `;` outside quotes. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (const c of sql) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ';') {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out
    .map((s) => stripComments(s).trim())
    .filter((s, i, all) => s !== '' || (all.length === 1 && i === 0));
}

const stripComments = (s: string): string => s.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');

/** One scalar select-list item: its column and value, or undefined when it is not one we know. */
function scalar(expr: string, session: SqlSession): { column: Column; value: Cell } | undefined {
  const m = /^(.*?)(?:\s+as\s+("?)([A-Za-z_][\w]*)\2)?$/i.exec(expr.trim());
  if (m === null) return undefined;
  const body = m[1]!.trim();
  const alias = m[3];
  const named = (name: string, type: Oid, value: Cell): { column: Column; value: Cell } => ({
    column: { name: alias ?? name, type },
    value,
  });
  if (/^-?\d+$/.test(body) && Math.abs(Number(body)) < 2 ** 31)
    return named('?column?', OID.int4, String(Number(body)));
  if (/^-?\d+\.\d+$/.test(body)) return named('?column?', OID.numeric, body);
  const str = /^'((?:[^']|'')*)'$/.exec(body);
  if (str) return named('?column?', OID.text, str[1]!.replace(/''/g, "'"));
  if (/^(true|false)$/i.test(body)) return named('bool', OID.bool, body.toLowerCase() === 'true' ? 't' : 'f');
  if (/^null$/i.test(body)) return named('?column?', OID.text, null);
  const fn = /^(?:pg_catalog\.)?([a-z_]+)\s*(\(\s*\))?$/i.exec(body);
  if (fn) {
    const f = fn[1]!.toLowerCase();
    const call = fn[2] !== undefined;
    if (f === 'version' && call) return named('version', OID.text, PG_VERSION_STRING);
    if ((f === 'current_database' && call) || (f === 'current_catalog' && !call))
      return named(f, OID.text, session.database);
    if ((f === 'current_user' || f === 'session_user' || f === 'user') && !call)
      return named(f, OID.text, session.user);
    if (f === 'current_schema') return named(f, OID.text, 'public');
    if ((f === 'now' && call) || f === 'current_timestamp')
      return named(f === 'now' ? 'now' : 'current_timestamp', OID.text, new Date().toISOString());
  }
  return undefined;
}

/** Splits a select list on commas outside parentheses and quotes. */
const splitList = (list: string): string[] => {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = '';
  for (const c of list) {
    if (c === "'") quote = !quote;
    if (!quote && c === '(') depth++;
    if (!quote && c === ')') depth--;
    if (!quote && depth === 0 && c === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
};

const selectTag = (n: number): string => `SELECT ${n}`;

function selectProducts(list: string, tail: string): StatementResult {
  const t =
    /^(?:where\s+(\w+)\s*=\s*('(?:[^']|'')*'|-?[\d.]+))?\s*(?:order\s+by\s+(\w+)(?:\s+(asc|desc))?)?\s*(?:limit\s+(\d+))?$/i.exec(
      tail.trim(),
    );
  if (t === null)
    return err(
      '0A000',
      `the simulated PostgreSQL does not support this query on products: ${tail.trim()}`,
      READ_ONLY_HINT,
    );
  const index = (name: string): number => PRODUCTS.columns.findIndex((c) => c.name === name.toLowerCase());
  let rows = PRODUCTS.rows;
  if (t[1] !== undefined) {
    const i = index(t[1]);
    if (i < 0) return err('42703', `column "${t[1]}" does not exist`);
    const want = t[2]!.startsWith("'") ? t[2]!.slice(1, -1).replace(/''/g, "'") : t[2]!;
    rows = rows.filter((r) =>
      PRODUCTS.columns[i]!.type === OID.text ? r[i] === want : Number(r[i]) === Number(want),
    );
  }
  if (t[3] !== undefined) {
    const i = index(t[3]);
    if (i < 0) return err('42703', `column "${t[3]}" does not exist`);
    const numeric = PRODUCTS.columns[i]!.type !== OID.text;
    rows = [...rows].sort((a, b) =>
      numeric ? Number(a[i]) - Number(b[i]) : String(a[i]).localeCompare(String(b[i])),
    );
    if (t[4]?.toLowerCase() === 'desc') rows.reverse();
  }
  if (t[5] !== undefined) rows = rows.slice(0, Number(t[5]));
  const items = splitList(list);
  if (items.length === 1 && /^count\s*\(\s*\*\s*\)$/i.test(items[0]!))
    return {
      kind: 'rows',
      columns: [{ name: 'count', type: OID.int4 }],
      rows: [[String(rows.length)]],
      tag: selectTag(1),
    };
  const picks: number[] = [];
  for (const item of items) {
    if (item === '*') picks.push(...PRODUCTS.columns.map((_, i) => i));
    else {
      const i = index(item.replace(/^products\./i, ''));
      if (i < 0) return err('42703', `column "${item}" does not exist`);
      picks.push(i);
    }
  }
  return {
    kind: 'rows',
    columns: picks.map((i) => PRODUCTS.columns[i]!),
    rows: rows.map((r) => picks.map((i) => r[i]!)),
    tag: selectTag(rows.length),
  };
}

/**
 * psql's `\dt` (and `\d`) query the catalog; the simulated server answers them with its one table
 * when the query asks for psql's listing columns, else with a clear refusal.
 */
function catalog(sql: string): StatementResult {
  if (/"Schema"/.test(sql) && /"Name"/.test(sql) && /"Type"/.test(sql) && /"Owner"/.test(sql))
    return {
      kind: 'rows',
      columns: ['Schema', 'Name', 'Type', 'Owner'].map((name) => ({ name, type: OID.text })),
      rows: /relname OPERATOR\(pg_catalog\.~\) '\^\((?!products)/.test(sql)
        ? []
        : [['public', 'products', 'table', 'postgres']],
      tag: selectTag(1),
    };
  return err(
    '0A000',
    "the simulated PostgreSQL has no system catalog (of psql's \\d commands, \\dt and \\d work)",
    READ_ONLY_HINT,
  );
}

/** Runs one statement. */
export function execute(statement: string, session: SqlSession): StatementResult {
  const sql = statement.trim();
  if (sql === '') return { kind: 'empty' };
  const word = /^\w+/.exec(sql)?.[0]?.toLowerCase() ?? '';
  if (/pg_catalog\.pg_class|pg_catalog\.pg_namespace/i.test(sql)) return catalog(sql);
  switch (word) {
    case 'select': {
      const from = /^select\s+([\s\S]+?)\s+from\s+(("?)(\w+)\3\.)?(("?)(\w+)\6)\s*([\s\S]*)$/i.exec(sql);
      if (from) {
        const schema = from[4]?.toLowerCase() ?? 'public';
        const table = from[7]!.toLowerCase();
        if (schema === 'pg_catalog' || schema === 'information_schema') return catalog(sql);
        if (schema === 'public' && table === 'products') return selectProducts(from[1]!, from[8]!);
        return err('42P01', `relation "${from[2] ?? ''}${from[7]!}" does not exist`, READ_ONLY_HINT);
      }
      const list = /^select\s+([\s\S]+)$/i.exec(sql)?.[1];
      if (list === undefined) return err('42601', 'syntax error at end of input');
      const values = splitList(list).map((e) => scalar(e, session));
      if (values.some((v) => v === undefined))
        return err('0A000', `the simulated PostgreSQL cannot evaluate: ${sql}`, READ_ONLY_HINT);
      const known = values as { column: Column; value: Cell }[];
      return {
        kind: 'rows',
        columns: known.map((v) => v.column),
        rows: [known.map((v) => v.value)],
        tag: selectTag(1),
      };
    }
    case 'show': {
      const name = /^show\s+(\w+)$/i.exec(sql)?.[1]?.toLowerCase();
      if (name === undefined) return err('42601', `syntax error at or near "${sql.slice(5)}"`);
      const value = name === 'server_version' ? PG_SERVER_VERSION : session.settings[name];
      if (value === undefined) return err('42704', `unrecognized configuration parameter "${name}"`);
      return { kind: 'rows', columns: [{ name, type: OID.text }], rows: [[value]], tag: 'SHOW' };
    }
    case 'set':
      return { kind: 'command', tag: 'SET' };
    case 'begin':
    case 'start':
      return { kind: 'command', tag: 'BEGIN', transaction: 'begin' };
    case 'commit':
    case 'end':
      return { kind: 'command', tag: 'COMMIT', transaction: 'end' };
    case 'rollback':
    case 'abort':
      return { kind: 'command', tag: 'ROLLBACK', transaction: 'end' };
    case 'insert':
    case 'update':
    case 'delete':
    case 'create':
    case 'drop':
    case 'alter':
    case 'truncate':
    case 'copy':
    case 'vacuum':
      return err('25006', `cannot execute ${word.toUpperCase()} in a read-only transaction`, READ_ONLY_HINT);
    default:
      return err('42601', `syntax error at or near "${/^\S+/.exec(sql)?.[0] ?? sql}"`, READ_ONLY_HINT);
  }
}
