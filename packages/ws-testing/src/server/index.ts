export type { FaultProxy, FaultProxyOptions } from './fault-proxy.js';
export type { SilentServer } from './silent-server.js';
export type { ReceivedFrame, TestFrame, TestServer, TestServerOptions, TestServerReply } from './test-server.js';

export { startFaultProxy } from './fault-proxy.js';
export { startSilentServer } from './silent-server.js';
export { DEFAULT_REFUSE_STATUS, startTestServer } from './test-server.js';
