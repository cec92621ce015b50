/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// REACT_APP_API_URL is read at build time (envPrefix), so the same build can point at any API.
export default defineConfig({
  plugins: [react()],
  envPrefix: ['VITE_', 'REACT_APP_'],
  build: {
    outDir: 'build',
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    port: 3000,
    strictPort: true,
    proxy: { '/api': 'http://localhost:5000' },
  },
  preview: { port: 3000, proxy: { '/api': 'http://localhost:5000' } },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    testTimeout: 20_000, // real servers and lazy chunks on a busy CI machine
  },
});
