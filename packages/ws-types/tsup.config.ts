import { packageConfig } from '../../tsup.shared.js';

export default packageConfig({ entry: ['src/index.ts', 'src/internal.ts', 'src/store.ts'] });
