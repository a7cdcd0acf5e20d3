import { expect, it } from 'vitest';

import { enroll, sampleReport, startTestApp } from './helpers.js';

it('dump', async () => {
  const server = await startTestApp();
  const key = await enroll(server.app);
  const send = async (suffix: string) => {
    const r = sampleReport() as any;
    r.host.hostname = 'h' + suffix;
    r.host.osName = 'os' + suffix;
    r.agentVersion = '0.1' + suffix;
    if (r.docker.desktop) r.docker.desktop.version = '4.3' + suffix;
    if (r.wsl) r.wsl.config = [{ section: 'wsl2', key: 'mem' + suffix, value: 'v' + suffix }];
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${key}` }, payload: r });
    expect(res.statusCode).toBeLessThan(300);
  };
  await send('a');
  await send('\u202Eb');
  const res = await server.inject({ url: '/api/v1/changes' });
  console.log(JSON.stringify(res.json()).match(/.{40}\u202E.{20}/g));
  await server.close();
});
