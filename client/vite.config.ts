import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const backend = process.env.FANGKONG_API ?? 'http://127.0.0.1:4000';

/** Pages by route, in dev as in production (server/src/http/client-files.ts). */
const PAGES: Record<string, string> = { '/report': '/report.html', '/report/': '/report.html', '/gate': '/gate.html', '/gate/': '/gate.html', '/gate/cards': '/gate-cards.html' };

const pageRoutes = (): Plugin => {
  const rewrite = (req: { url?: string }, _res: unknown, next: () => void) => {
    const [path = '/', query] = (req.url ?? '/').split('?');
    const page = PAGES[path];
    if (page) req.url = `${page}${query ? `?${query}` : ''}`;
    next();
  };
  return {
    name: 'fangkong-page-routes',
    configureServer: (server) => void server.middlewares.use(rewrite),
    configurePreviewServer: (server) => void server.middlewares.use(rewrite),
  };
};

export default defineConfig({
  plugins: [pageRoutes()],
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
        gate: resolve(import.meta.dirname, 'gate.html'),
        'gate-cards': resolve(import.meta.dirname, 'gate-cards.html'),
      },
      output: {
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|tslib)[\\/]/ },
            // The gate pages' decoder, QR writer and IndexedDB store stay out of the other pages' chunk.
            { name: 'gate-vendor', test: /node_modules[\\/](jsqr|qrcode|idb-keyval|dijkstrajs|pngjs|encode-utf8)[\\/]/ },
            { name: 'shared', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
});
