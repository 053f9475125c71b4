import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defaultClientConditions, defineConfig } from 'vite';

const chatServer = `http://127.0.0.1:${process.env.PORT ?? 8787}`;

// `pnpm dev` serves the app with hot reload and forwards /ws to a chat server on PORT (8787).
export default defineConfig({
  plugins: [svelte({ configFile: false })],
  // The workspace packages resolve to their sources; the defaults stay, or Svelte resolves to its server build.
  resolve: { conditions: ['@composable-svelte/source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      // @composable-svelte/core 0.5.2 declares no `sideEffects`, so its root entry would bring
      // every component it exports (and DOMPurify) into the bundle; the app uses only the
      // store and `Effect`, which have none. A third off the bundle.
      treeshake: { moduleSideEffects: (id: string) => !id.includes('/@composable-svelte/core/') },
      onwarn(warning, warn) {
        // The core's root entry also re-exports its SSR helpers, which import `svelte/server`
        // (and through it `node:async_hooks`); none of it reaches the bundle.
        if (warning.message.includes('node:async_hooks') && warning.message.includes('/svelte/src/internal/server/')) return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/ws': {
        target: chatServer,
        ws: true,
        configure(proxy) {
          // The chat server accepts only its own origin. A page of this dev server is let
          // through as if it were one of the chat server's; other origins pass unchanged (and
          // are refused).
          proxy.on('proxyReqWs', (proxyRequest, request) => {
            if (request.headers.origin === `http://${request.headers.host}`) proxyRequest.setHeader('origin', chatServer);
          });
        },
      },
    },
  },
});
