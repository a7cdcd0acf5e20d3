/**
 * The ingest figure's baseline: a bare Fastify route that parses a JSON body and sends it back,
 * in its own process like the real server. Prints `listening on <url>` once ready.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

app.post('/echo', async (request) => request.body);

const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.error(`listening on ${url}`);

process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
