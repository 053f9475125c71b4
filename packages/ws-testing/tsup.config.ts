import { packageConfig } from '../../tsup.shared.js';

// `/server` imports `ws` and `node:*`; tsup keeps `ws` external as a peer dependency, and
// `node:*` is listed so the neutral platform (kept for the browser-safe main entry) leaves it alone.
export default packageConfig({ entry: ['src/index.ts', 'src/server/index.ts'], external: [/^node:/], removeNodeProtocol: false });
