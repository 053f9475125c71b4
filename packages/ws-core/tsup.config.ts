import { packageConfig } from '../../tsup.shared.js';

// `/browser` holds the DOM side of the browser lifecycle, so that the main entry stays within its size budget.
export default packageConfig({ entry: ['src/index.ts', 'src/browser.ts'] });
