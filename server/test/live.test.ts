import type { LiveEvent } from '@devfleet/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { enroll, sampleReport, startTestApp, type TestServer } from './helpers.js';

let server: TestServer;
let url: string;

beforeEach(async () => {
  server = await startTestApp();
  url = await server.app.listen({ host: '127.0.0.1', port: 0 });
});

afterEach(async () => {
  await server.close();
});

function nextEvents(socket: WebSocket, count: number): Promise<LiveEvent[]> {
  const events: LiveEvent[] = [];
  return new Promise((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      events.push(JSON.parse(data.toString()) as LiveEvent);
      if (events.length === count) resolve(events);
    });
    socket.on('error', reject);
  });
}

describe('GET /api/v1/live', () => {
  it('pushes a stored report to an open dashboard', async () => {
    const key = await enroll(server.app);
    const socket = new WebSocket(`${url.replace('http', 'ws')}/api/v1/live`, {
      headers: { cookie: server.session.cookie ?? '' },
    });
    const events = nextEvents(socket, 2);
    await new Promise((resolve) => socket.once('open', resolve));

    const report = sampleReport();
    await fetch(`${url}/api/v1/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(report),
    });

    const [hello, pushed] = await events;
    expect(hello?.type).toBe('hello');
    expect(pushed).toMatchObject({
      type: 'report',
      reportId: report.reportId,
      hostname: 'devhost-01',
    });
    socket.close();
  });

  it('refuses a websocket without a dashboard session', async () => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/api/v1/live`);

    const status = await new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
    });

    expect(status).toBe(401);
  });

  it.each([
    ['from the dashboard itself', (u: string) => new URL(u).origin, 101],
    ['from another site', () => 'https://evil.example.com', 403],
  ])('opens a websocket %s with a session: %s', async (_, origin, expected) => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/api/v1/live`, {
      headers: { cookie: server.session.cookie ?? '', origin: origin(url) },
    });

    const status = await new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
    });
    socket.on('error', () => undefined);
    socket.terminate();

    expect(status).toBe(expected);
  });
});
