import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run web:dev` proxies the API to a server on 3000; the built app is served by that server itself.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
