// The browse modal (f, x): contexts → namespaces → services, "Forward All Services", forwarding one
// service or the marked ones, errors shown in place, navigation and closing keys.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { createFakeBackend, KEY, mount, until } from './support.js';

afterEach(() => cleanup());

const openBrowse = async (key = 'f') => {
  const b = createFakeBackend();
  const app = mount(b, { height: 30 });
  await app.press(key);
  await until(() => expect(app.frame()).not.toContain('Loading...'));
  return { b, app };
};

describe('browse modal', () => {
  it('f lists the namespaces of the current context, marking forwarded ones', async () => {
    const { app } = await openBrowse();
    const f = app.frame();
    expect(f).toContain('Browse Namespaces');
    expect(f).toContain('Context: sim [x: change]');
    expect(f).toContain('> default');
    expect(f).toContain('  shop [forwarded]');
    expect(f).toContain('j/k: navigate | enter: browse services | x: change context | esc: close');
  });

  it('Enter opens the services of a namespace; Enter on "Forward All Services" watches the namespace', async () => {
    const { b, app } = await openBrowse();
    await app.press(KEY.enter);
    await until(() => expect(app.frame()).toContain('Services in default'));
    await until(() => expect(app.frame()).toContain('alpha (ClusterIP) [80]'));
    expect(app.frame()).toContain('> Forward All Services');
    expect(app.frame()).toContain('beta (ClusterIP) [8080,9090]');
    expect(app.frame()).toContain('gamma (ClusterIP) [5432] [forwarded]');
    await app.press(KEY.enter);
    await until(() => expect(b.calls.some((c) => c.method === 'addNamespace')).toBe(true));
    expect(b.calls.find((c) => c.method === 'addNamespace')!.args).toEqual([
      { namespace: 'default', context: 'sim' },
    ]);
    await until(() => expect(app.frame()).not.toContain('Services in default'));
    expect(app.frame()).toContain('Forwarding all services of namespace default (sim)');
  });

  it('Enter on a service forwards it and reloads the list; an already forwarded one says so', async () => {
    const { b, app } = await openBrowse();
    await app.press(KEY.enter);
    await until(() => expect(app.frame()).toContain('alpha (ClusterIP)'));
    await app.press('j', KEY.enter);
    await until(() => expect(app.frame()).toContain('Forwarded service alpha (127.40.27.9)'));
    expect(b.calls.find((c) => c.method === 'addService')!.args).toEqual([
      { namespace: 'default', serviceName: 'alpha', context: 'sim' },
    ]);
    expect(b.calls.filter((c) => c.method === 'listServices').length).toBeGreaterThanOrEqual(2);
    await app.press('G', KEY.enter);
    await until(() => expect(app.frame()).toContain('gamma is already forwarded'));
    // Any key clears the error.
    await app.press('k');
    expect(app.frame()).not.toContain('gamma is already forwarded');
  });

  it('Space marks services, a marks all, Enter forwards the marked ones and reports failures', async () => {
    const { b, app } = await openBrowse();
    b.failAddService = 'beta';
    await app.press(KEY.enter);
    await until(() => expect(app.frame()).toContain('alpha (ClusterIP)'));
    await app.press('j', ' ');
    expect(app.frame()).toContain('[x] alpha');
    await app.press(' ');
    expect(app.frame()).not.toContain('[x] alpha');
    await app.press('a');
    expect(app.frame()).toContain('[x] alpha');
    expect(app.frame()).toContain('[x] beta');
    expect(app.frame()).not.toContain('[x] gamma'); // already forwarded
    await app.press(KEY.enter);
    await until(() => expect(app.frame()).toContain('Error forwarding service: beta: beta exploded'));
    const added = b.calls
      .filter((c) => c.method === 'addService')
      .map((c) => (c.args[0] as { serviceName: string }).serviceName);
    expect(added.sort()).toEqual(['alpha', 'beta']);
    expect(app.frame()).toContain('Forwarded service alpha (127.40.27.9)');
  });

  it('x switches context, whose namespaces are then listed; the header keeps the current context', async () => {
    const { b, app } = await openBrowse();
    await app.press('x');
    await until(() => expect(app.frame()).toContain('> sim (current)'));
    expect(app.frame()).toContain('Select Context');
    expect(app.frame()).toContain('Current: sim');
    await app.press('j', KEY.enter);
    await until(() => expect(app.frame()).toContain('kube-system'));
    expect(app.frame()).toContain('Context: other');
    expect(b.calls.some((c) => c.method === 'listNamespaces' && c.args[0] === 'other')).toBe(true);
    expect(app.frame().split('\n')[0]).toContain('ctx: sim');
  });

  it('global x opens browse on the contexts', async () => {
    const { app } = await openBrowse('x');
    expect(app.frame()).toContain('Select Context');
  });

  it('Esc and ← go back, Esc/q/f close', async () => {
    const { app } = await openBrowse();
    await app.press(KEY.enter);
    await until(() => expect(app.frame()).toContain('alpha (ClusterIP)'));
    await app.press(KEY.esc);
    await until(() => expect(app.frame()).toContain('> default'));
    await app.press(KEY.enter);
    await until(() => expect(app.frame()).toContain('alpha (ClusterIP)'));
    await app.press(KEY.left);
    await until(() => expect(app.frame()).toContain('> default'));
    await app.press(KEY.esc);
    expect(app.frame()).not.toContain('Browse Namespaces');
    for (const key of ['q', 'f']) {
      await app.press('f');
      await until(() => expect(app.frame()).toContain('> default'));
      await app.press(key);
      expect(app.frame()).not.toContain('Browse Namespaces');
    }
    expect(app.quits()).toBe(0);
  });

  it('shows a loading error in red and stays usable', async () => {
    const b = createFakeBackend();
    b.listNamespaces = async () => {
      throw new Error('Forbidden: namespaces is forbidden');
    };
    const app = mount(b);
    await app.press('f');
    await until(() =>
      expect(app.frame()).toContain('Error loading namespaces: Forbidden: namespaces is forbidden'),
    );
    await app.press(KEY.esc);
    expect(app.frame()).not.toContain('Browse Namespaces');
  });
});
