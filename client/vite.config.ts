import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const backend = process.env.FANGKONG_API ?? 'http://127.0.0.1:4000';

/** `/report` is the operator's page in dev as in production (server/src/http/client-files.ts). */
const reportRoute = (): Plugin => ({
  name: 'fangkong-report-route',
  configureServer(server) {
    server.middlewares.use((req, _res, next) => {
      const [path, query] = (req.url ?? '/').split('?');
      if (path === '/report' || path === '/report/') req.url = `/report.html${query ? `?${query}` : ''}`;
      next();
    });
  },
  configurePreviewServer(server) {
    server.middlewares.use((req, _res, next) => {
      const [path, query] = (req.url ?? '/').split('?');
      if (path === '/report' || path === '/report/') req.url = `/report.html${query ? `?${query}` : ''}`;
      next();
    });
  },
});

export default defineConfig({
  plugins: [reportRoute()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      // HTTP and WebSocket (graphql-ws) to the API on the same path, so pages use same-origin URLs.
      '/graphql': { target: backend, ws: true, changeOrigin: true },
    },
  },
  preview: {
    proxy: { '/graphql': { target: backend, ws: true, changeOrigin: true } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    // ECharts is most of the display's weight: its own chunk, cached across releases of the app.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        report: resolve(import.meta.dirname, 'report.html'),
      },
      output: {
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|tslib)[\\/]/ },
            { name: 'shared', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
});
