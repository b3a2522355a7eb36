import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from './backends.js';
import { classifyPostgres, encodeResult } from './postgres.js';
import { execute, splitStatements, type SqlSession } from './postgres-sql.js';

const run = promisify(execFile);
const session: SqlSession = { user: 'alice', database: 'shop', settings: { timezone: 'UTC' } };

describe('the simulated PostgreSQL SQL', () => {
  it('answers select 1, version(), current_user, the products table and SHOW', () => {
    expect(execute('select 1', session)).toMatchObject({ kind: 'rows', rows: [['1']], tag: 'SELECT 1' });
    expect(execute("SELECT 1 AS one, 'a''b'", session)).toMatchObject({
      columns: [{ name: 'one' }, { name: '?column?' }],
      rows: [['1', "a'b"]],
    });
    expect(execute('select version()', session)).toMatchObject({
      rows: [[expect.stringMatching(/^PostgreSQL 16/)]],
    });
    expect(execute('select current_user', session)).toMatchObject({ rows: [['alice']] });
    const all = execute('select * from products', session);
    expect(all).toMatchObject({ kind: 'rows', tag: 'SELECT 5' });
    expect(execute("select name, price from products where name = 'Hoodie'", session)).toMatchObject({
      rows: [['Hoodie', '49.90']],
    });
    expect(execute('select name from products order by price desc limit 1', session)).toMatchObject({
      rows: [['Hoodie']],
    });
    expect(execute('select count(*) from products', session)).toMatchObject({ rows: [['5']] });
    expect(execute('show TimeZone', session)).toMatchObject({ rows: [['UTC']] });
  });

  it('answers what it does not support with a PostgreSQL error and its SQLSTATE', () => {
    expect(execute('select * from orders', session)).toMatchObject({ kind: 'error', code: '42P01' });
    expect(execute('insert into products values (9)', session)).toMatchObject({
      kind: 'error',
      code: '25006',
    });
    expect(execute('frobnicate', session)).toMatchObject({ kind: 'error', code: '42601' });
    expect(execute('select nosuch(1)', session)).toMatchObject({ kind: 'error', code: '0A000' });
    expect(execute('select nope from products', session)).toMatchObject({ kind: 'error', code: '42703' });
  });

  it('splits statements on semicolons outside quotes', () => {
    expect(splitStatements("select 1; select ';'")).toEqual(['select 1', "select ';'"]);
    expect(splitStatements('')).toEqual(['']);
  });

  it('encodes RowDescription, DataRow and CommandComplete', () => {
    const [desc, row, done] = encodeResult(execute('select 1', session));
    expect(desc!.subarray(0, 1).toString()).toBe('T');
    expect(row!.toString('hex')).toBe('44' + '0000000b' + '0001' + '00000001' + '31');
    expect(done!.toString()).toContain('SELECT 1\0');
  });

  it('tells a PostgreSQL client from raw bytes (which are echoed)', () => {
    const ssl = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
    expect(classifyPostgres(ssl)).toBe('protocol');
    expect(classifyPostgres(ssl.subarray(0, 4))).toBe('wait');
    expect(classifyPostgres(Buffer.from('legacy'))).toBe('echo');
    expect(classifyPostgres(Buffer.alloc(16))).toBe('echo');
  });
});

// The real client, from Debian's postgresql-client, against the pod backend.
const psql = await run('psql', ['--version']).then(
  () => true,
  () => false,
);
if (!psql) console.warn('skipping the psql tests: psql is not installed (apt-get install postgresql-client)');

describe.skipIf(!psql)('postgres backend with the real psql', () => {
  let backend: RunningBackend;
  let port: number;
  const logs: string[] = [];
  beforeAll(async () => {
    backend = await startBackend(
      'postgres',
      { namespace: 'shop', pod: 'postgres-0', container: 'postgres', log: (l) => logs.push(l) },
      [5432],
    );
    port = backend.target(5432)!.port;
  });
  afterAll(async () => backend.close());
  const env = { ...process.env, PGCONNECT_TIMEOUT: '10', PGPASSWORD: '' };
  const sql = async (query: string, ...flags: string[]): Promise<{ stdout: string; stderr: string }> =>
    run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-X', ...flags, '-c', query], {
      env,
      timeout: 15_000,
    });

  it('connects (SSL refused with N, trust auth) and runs select 1, version() and a table', async () => {
    expect((await sql('select 1', '-At')).stdout.trim()).toBe('1');
    expect((await sql('select version()', '-At')).stdout).toContain('PostgreSQL 16');
    const table = (await sql('select * from products')).stdout;
    expect(table).toMatch(/id \| +name +\| price \| stock/);
    expect(table).toContain('(5 rows)');
    expect((await sql('\\dt')).stdout).toMatch(/public \| products \| table/);
    expect(logs.some((l) => l.includes('statement: select 1'))).toBe(true);
  });

  it('sslmode=require → psql reports that the server does not support SSL', async () => {
    await expect(
      run('psql', [`host=127.0.0.1 port=${port} user=postgres sslmode=require`, '-c', 'select 1'], {
        env,
        timeout: 15_000,
      }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('server does not support SSL') });
  });

  it('answers unsupported SQL and psql catalog commands with an error, and the session goes on', async () => {
    const r = await run(
      'psql',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-X',
        '-c',
        'select * from orders',
        '-c',
        '\\d products',
        '-c',
        'select 2',
      ],
      { env, timeout: 15_000 },
    ).catch((e: { stdout: string; stderr: string }) => e);
    expect(r.stderr).toContain('relation "orders" does not exist');
    expect(r.stderr).toContain('no system catalog');
    expect(r.stdout).toContain('2');
  });

  it('still echoes bytes that are not PostgreSQL', async () => {
    const back = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => s.end('legacy'));
      let got = '';
      s.on('data', (c: Buffer) => (got += c.toString()));
      s.on('end', () => resolve(got));
      s.on('error', reject);
    });
    expect(back).toBe('legacy');
  });
});
