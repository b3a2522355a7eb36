import { describe, expect, it } from 'vitest';
import { KubefwdError } from '../contract/errors.js';
import { errorBody } from './errors.js';

describe('MCP error hints', () => {
  it('name tools, not REST routes, where the registry’s hint is a REST path', () => {
    const gone = errorBody(new KubefwdError('POD_NOT_FOUND', 'pod "x" not found'), {});
    expect(gone.hint).toContain('sync_service');
    expect(gone.hint).toContain('list_pods');
    expect(gone.hint).not.toMatch(/\/api\//);
    for (const code of [
      'INVALID_KEY',
      'SERVICE_NOT_FOUND',
      'FORWARD_NOT_FOUND',
      'NAMESPACE_NOT_FOUND',
      'INTERNAL',
    ] as const)
      expect(errorBody(new KubefwdError(code, 'x')).hint, code).not.toMatch(/(GET|POST|DELETE) \/api\//);
    // A specific hint without REST routes is kept.
    expect(
      errorBody(new KubefwdError('NAMESPACE_NOT_FOUND', 'x', { hint: 'The namespaces of sim: a, b.' })).hint,
    ).toBe('The namespaces of sim: a, b.');
  });
});

describe('MCP error fields', () => {
  it('name the tool argument the caller sent, not the REST field behind it', () => {
    const err = new KubefwdError('POD_NOT_FOUND', 'pod "nope" not found', { field: 'podName' });
    const body = errorBody(err, { namespace: 'shop', pod_name: 'nope' });
    expect(body.field).toBe('pod_name');
    // A made-up pod name will not appear later: do not invite a retry.
    expect(body.retryable).toBe(false);
    expect(errorBody(err, { podName: 'nope' }).field).toBe('podName');
    expect(errorBody(err, {}).field).toBe('podName');
    const missing = new KubefwdError('SERVICE_NOT_FOUND', 'Service not found: x', { field: 'path.key' });
    expect(errorBody(missing, { service_key: 'x', count: 5 }).field).toBe('service_key');
    expect(errorBody(missing, { forward_key: 'x' }).field).toBe('forward_key');
    // A tool's own argument is not renamed after another one the caller sent.
    const own = new KubefwdError('INVALID_INPUT', "Invalid value for 'key' of remove_service", {
      field: 'key',
    });
    expect(errorBody(own, { service_key: 'x' }).field).toBe('key');
    // Which of two keys was the route's the tool knows (asArgument); a route's name is no argument.
    expect(errorBody(missing, { service_key: 'x', forward_key: 'y' }).field).toBeUndefined();
    expect(errorBody(new KubefwdError('INVALID_INPUT', 'x', { field: 'query.context' }), {}).field).toBe(
      undefined,
    );
    const ns = new KubefwdError('NAMESPACE_NOT_FOUND', 'x', { field: 'query.namespace' });
    expect(errorBody(ns, { namespace: 'nope' }).field).toBe('namespace');
  });
});
