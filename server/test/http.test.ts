import net from 'node:net';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { enroll, sampleReport, startTestApp, type TestServer } from './helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestApp();
});

afterEach(async () => {
  await server.close();
});

describe('requests the API cannot read', () => {
  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
  ])('answers a %s body with 415 and a code, before any credentials', async (_, headers) => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers,
      payload: '{"schemaVersion":1}',
    });

    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({
      error: { code: 'DEVFLEET_UNSUPPORTED_MEDIA_TYPE', message: 'Send application/json' },
    });
  });

  it('refuses a body with a content coding, which it does not decode, with 415', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/enroll',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: '{"secret":"x"}',
    });

    expect(res.statusCode).toBe(415);
    expect(res.json().error).toEqual({
      code: 'DEVFLEET_UNSUPPORTED_MEDIA_TYPE',
      message: 'Send the body without Content-Encoding',
    });
  });

  it('answers a URL it cannot decode in the same envelope as every other error', async () => {
    const res = await server.inject({ url: '/api/v1/machines/%E0%A4%A' });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('DEVFLEET_VALIDATION_FAILED');
    expect(Object.keys(res.json())).toEqual(['error']);
  });

  it('routes a path parameter as long as the longest name a route takes', async () => {
    const owner = 'o'.repeat(200);

    const res = await server.inject({ url: `/api/v1/developers/${owner}` });

    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('No machine belongs to this developer');
  });

  it.each([
    '/api/v1/machines/m1/series?metric=x&from=2026-06-30T23:59:60Z',
    '/api/v1/machines/m1/trends?to=2026-06-30T23:59:60Z',
    '/api/v1/changes?from=2026-06-30T23:59:60Z',
    '/api/v1/export/machines/m1/series.csv?metric=x&from=2026-06-30T23:59:60Z',
  ])('refuses a time JavaScript cannot read with 400: %s', async (url) => {
    const res = await server.inject({ url });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('DEVFLEET_VALIDATION_FAILED');
  });
});

describe('requests too large or nowhere', () => {
  it('answers an enrollment over the body limit as a body too large, not a report', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/enroll',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ secret: 'x'.repeat(300 * 1024) }),
    });

    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('DEVFLEET_BODY_TOO_LARGE');
  });

  it('answers an overlong path segment with 414, without repeating it', async () => {
    const res = await server.inject({
      method: 'POST',
      url: `/api/v1/alerts/${'a'.repeat(5000)}/acknowledge`,
    });

    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({
      error: { code: 'DEVFLEET_URL_TOO_LONG', message: 'A part of the URL is too long' },
    });
  });

  it('says which path has no route', async () => {
    const res = await server.inject({ url: '/api/v1/no-such-thing?x=1' });

    expect(res.statusCode).toBe(404);
    expect(res.json().error).toEqual({
      code: 'DEVFLEET_NOT_FOUND',
      message: 'No route for GET /api/v1/no-such-thing',
    });
  });

  it('answers headers over Node’s limit with 431 in the error envelope', async () => {
    const url = await server.app.listen({ host: '127.0.0.1', port: 0 });

    const res = await fetch(`${url}/healthz`, { headers: { 'x-padding': 'x'.repeat(20_000) } });

    expect(res.status).toBe(431);
    expect(await res.json()).toEqual({
      error: {
        code: 'DEVFLEET_HEADERS_TOO_LARGE',
        message: 'The request line or headers are too large',
      },
    });
  });
});

describe('requests that never finish', () => {
  it('answers a body that stops halfway with 408 and closes the connection', async () => {
    const slow = await startTestApp({ requestTimeoutMs: 500 });
    try {
      const url = new URL(await slow.app.listen({ host: '127.0.0.1', port: 0 }));
      const socket = net.connect(Number(url.port), '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      const closed = new Promise((resolve) => socket.once('close', resolve));

      socket.write(
        'POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"sche',
      );
      await closed;

      expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
        error: {
          code: 'DEVFLEET_REQUEST_TIMEOUT',
          message: 'The request did not arrive in time; send it again',
        },
      });
    } finally {
      await slow.close();
    }
  });
});

type ReportShape = { wsl: { config: object[] } };

describe('validation messages', () => {
  it('says what is wrong inside a value that may be null, not the choice around it', async () => {
    const key = await enroll(server.app);
    const report = sampleReport() as unknown as { wsl: { config: object[] } };
    report.wsl.config = [{ section: 'wsl2', key: 'memory', value: '8GB' }];

    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { authorization: `Bearer ${key}` },
      payload: report,
    });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe("body/wsl/config/0 must have required property 'bytes'");
  });

  it.each([
    [
      'a wrong type in a value that may be null',
      (r: ReportShape) =>
        (r.wsl.config = [{ section: 'wsl2', key: 'memory', value: '8', bytes: 'x' }]),
      'body/wsl/config/0/bytes must be integer',
    ],
    [
      'a key missing from an object that may be null',
      (r: ReportShape) => delete (r.wsl as Partial<ReportShape['wsl']>).config,
      "body/wsl must have required property 'config'",
    ],
  ])('says only what is wrong for %s', async (_, breakIt, message) => {
    const key = await enroll(server.app);
    const report = sampleReport() as unknown as ReportShape;
    breakIt(report);

    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { authorization: `Bearer ${key}` },
      payload: report,
    });

    expect(res.json().error.message).toBe(message);
  });

  it('names the values a choice may take, once', async () => {
    const res = await server.inject({ url: '/api/v1/alerts?status=bogus' });

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({
      code: 'DEVFLEET_VALIDATION_FAILED',
      message: 'querystring/status/0 must be one of: open, acknowledged, resolved',
    });
  });
});

describe('numbers in a query string', () => {
  it.each([
    '/api/v1/changes?limit=1e999',
    '/api/v1/changes?limit=-1e999',
    '/api/v1/fleet/versions?days=1e999',
    '/api/v1/fleet/versions?days=Infinity',
  ])('refuses one that reads as infinite with 400: %s', async (url) => {
    const res = await server.inject({ url });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('DEVFLEET_VALIDATION_FAILED');
  });

  it('says which value is not finite', async () => {
    const res = await server.inject({ url: '/api/v1/changes?limit=1e999' });

    expect(res.json().error.message).toBe('querystring/limit must be a finite number');
  });

  it('still takes a finite number written in exponent form', async () => {
    const res = await server.inject({ url: '/api/v1/changes?limit=1e1' });

    expect(res.statusCode).toBe(200);
  });
});
