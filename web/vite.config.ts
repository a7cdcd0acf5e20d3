import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The devfleet server, as `npm start` runs it. In development Vite serves the pages and forwards
// the API to it, so the browser sees one origin just as in production.
const apiServer = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      // ws: the live feed will arrive as a websocket under /api.
      '/api': { target: apiServer, ws: true },
      '/healthz': apiServer,
    },
  },
});
