import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineProject } from 'vitest/config';
import { SOURCE_CONDITION } from '../../vitest.shared.js';

export default defineProject({
  plugins: [svelte({ configFile: false })],
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    name: 'chat',
    root: import.meta.dirname,
    include: ['server/**/*.test.ts', 'src/**/*.test.ts', 'e2e/**/*.test.ts'],
  },
});
