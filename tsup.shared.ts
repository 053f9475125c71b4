import { defineConfig, type Options } from 'tsup';

/** The build every published package shares: ESM + CJS + declarations for both, from src/index.ts. */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    tsconfig: 'tsconfig.build.json',
    target: 'es2022',
    platform: 'neutral',
    sourcemap: false,
    clean: true,
    treeshake: true,
    ...overrides,
  });
}
