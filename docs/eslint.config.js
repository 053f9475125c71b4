// The repository's rules, minus what the docs generate: the site, the API reference, Astro's
// types and the samples extracted by the sample check.
import root from '../eslint.config.js';

export default [
  // src/content.config.ts imports Astro's virtual modules, which only `astro build` resolves.
  { ignores: ['dist/**', '.astro/**', 'src/content.config.ts', 'src/content/docs/api/**', 'test/.samples/**', 'test/artifacts/**'] },
  ...root,
  {
    languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } },
  },
];
