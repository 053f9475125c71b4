import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineProject } from 'vitest/config';
import { packageProject } from '../../vitest.shared.js';

/**
 * The shared project plus Svelte's compiler: `@composable-svelte/core`, which the tests run
 * against, imports `.svelte` components from its root entry and its store is a runes module
 * (`store.svelte.js`).
 */
export default defineProject({
  ...packageProject('ws-effects'),
  plugins: [svelte({ configFile: false })],
});
