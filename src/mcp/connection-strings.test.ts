import { describe, expect, it } from 'vitest';
import { classifyPort, connectionDetails, envPrefix } from './connection-strings.js';

describe('classifyPort', () => {
  it.each([
    [{ localPort: 5432, remotePort: 5432 }, 'db', 'postgresql'],
    [{ localPort: 3306, remotePort: 3306 }, 'db', 'mysql'],
    [{ localPort: 6379, remotePort: 6379 }, 'cache', 'redis'],
    [{ localPort: 27017, remotePort: 27017 }, 'x', 'mongodb'],
    [{ localPort: 9092, remotePort: 9092 }, 'x', 'kafka'],
    [{ localPort: 2525, remotePort: 2525 }, 'smtp', 'smtp'],
    [{ localPort: 443, remotePort: 443 }, 'x', 'https'],
    [{ localPort: 8080, remotePort: 8080 }, 'api-gateway', 'http'],
    [{ localPort: 7000, remotePort: 7000, name: 'postgres' }, 'x', 'postgresql'],
    [{ localPort: 6379, remotePort: 6379, name: 'http' }, 'x', 'redis'],
    [{ localPort: 7000, remotePort: 7000, name: 'grpc' }, 'x', 'grpc'],
    [{ localPort: 7000, remotePort: 7000 }, 'user-db-postgres', 'postgresql'],
    [{ localPort: 7000, remotePort: 7000 }, 'thing', 'tcp'],
  ] as const)('%o of %s is %s', (port, svc, kind) => {
    expect(classifyPort(port, svc)).toBe(kind);
  });
});

describe('connectionDetails', () => {
  it('matches kubefwd env names and adds connection strings (seed example)', () => {
    const d = connectionDetails('postgres', 'postgres', '127.1.27.1', [
      { localPort: 5432, remotePort: 5432 },
    ]);
    expect(d.envVars).toEqual({
      POSTGRES_HOST: 'postgres',
      POSTGRES_IP: '127.1.27.1',
      POSTGRES_PORT: '5432',
      DATABASE_URL: 'postgresql://postgres@postgres:5432/postgres',
    });
    expect(d.connectionStrings).toEqual([
      {
        kind: 'postgresql',
        port: 5432,
        url: 'postgresql://postgres@postgres:5432/postgres',
        urlByIP: 'postgresql://postgres@127.1.27.1:5432/postgres',
        example: 'psql -h postgres -p 5432 -U postgres',
      },
    ]);
  });

  it('covers every port, names per-port vars, SMTP and Kafka conventions', () => {
    const d = connectionDetails('payment-service', 'payment-service', undefined, [
      { localPort: 443, remotePort: 443, name: 'https' },
      { localPort: 9090, remotePort: 9090, name: 'metrics' },
    ]);
    expect(d.envVars).toMatchObject({
      PAYMENT_SERVICE_HOST: 'payment-service',
      PAYMENT_SERVICE_PORT: '443',
      PAYMENT_SERVICE_PORT_HTTPS: '443',
      PAYMENT_SERVICE_PORT_METRICS: '9090',
      PAYMENT_SERVICE_URL: 'https://payment-service:443',
    });
    expect(d.connectionStrings).toHaveLength(2);
    expect(
      connectionDetails('smtp', 'smtp', undefined, [{ localPort: 2525, remotePort: 2525 }]).envVars,
    ).toMatchObject({
      SMTP_HOST: 'smtp',
      SMTP_PORT: '2525',
    });
    expect(
      connectionDetails('kafka', 'kafka', undefined, [{ localPort: 9092, remotePort: 9092 }]).envVars,
    ).toMatchObject({
      KAFKA_BROKERS: 'kafka:9092',
    });
  });

  it('lists every broker of a headless Kafka', () => {
    const d = connectionDetails(
      'kafka',
      'kafka-0.kafka',
      '127.1.27.6',
      [{ localPort: 9092, remotePort: 9092 }],
      ['kafka-0.kafka', 'kafka-1.kafka'],
    );
    expect(d.envVars).toMatchObject({
      KAFKA_BROKERS: 'kafka-0.kafka:9092,kafka-1.kafka:9092',
      KAFKA_PEERS: 'kafka-0.kafka:9092,kafka-1.kafka:9092',
    });
  });

  it('a URL names the user its example command logs in as (psql "$DATABASE_URL" works as -U postgres does)', () => {
    const cases = [
      ['postgres', 5432, 'postgresql://postgres@127.1.27.5:5432/postgres', /-U postgres\b/],
      ['mysql', 3306, 'mysql://root@127.1.27.5:3306/', /-u root\b/],
    ] as const;
    for (const [svc, port, url, user] of cases) {
      const [c] = connectionDetails(svc, '127.1.27.5', '127.1.27.5', [
        { localPort: port, remotePort: port },
      ]).connectionStrings;
      expect(c).toMatchObject({ url, urlByIP: url });
      expect(c!.example).toMatch(user);
    }
    // The commands that name no user take the URL as it is, or none.
    for (const [svc, port] of [
      ['redis', 6379],
      ['mongo', 27017],
    ] as const) {
      const [c] = connectionDetails(svc, 'h', undefined, [
        { localPort: port, remotePort: port },
      ]).connectionStrings;
      expect(c!.url).not.toContain('@');
      expect(c!.example).not.toMatch(/ -[uU] /);
    }
  });

  it('makes safe env names', () => {
    expect(envPrefix('api-gateway')).toBe('API_GATEWAY');
    expect(envPrefix('3d.render')).toBe('_3D_RENDER');
  });
});
