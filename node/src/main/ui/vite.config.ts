import { defineConfig } from 'vite';

// The node serves the bundle at /dashboard/ from its jar (node/src/main/java/.../DashboardApi.java).
// OUT_DIR is given by the Maven build (target/classes/dashboard); a plain `npm run build` writes dist/.
// `npm run dev` proxies API calls to a node on localhost:6333.
export default defineConfig({
  base: '/dashboard/',
  cacheDir: process.env.QUIVER_UI_CACHE_DIR ?? 'node_modules/.vite',
  build: {
    outDir: process.env.QUIVER_UI_OUT_DIR ?? 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(['/cluster', '/collections', '/telemetry', '/readyz'].map((p) => [p, 'http://localhost:6333'])),
  },
});
