import { type Options } from 'tsup';
/** The build every published package shares: ESM + CJS + declarations for both, from src/index.ts. */
export declare function packageConfig(overrides?: Options): Options | Options[] | ((overrideOptions: Options) => Options | Options[] | Promise<Options | Options[]>);
