export type {
  FakeWebSocket,
  FakeWebSocketClass,
  FakeWebSocketControls,
  FakeWebSocketOptions,
} from './fake-websocket.js';
export type { MockWebSocket, MockWebSocketOptions } from './mock-websocket.js';
export type { SpyConnection, SpyDisconnection, SpyWebSocket } from './spy-websocket.js';
export type { EventOfType } from './wait.js';

export { createFakeWebSocket } from './fake-websocket.js';
export { createMockWebSocket } from './mock-websocket.js';
export { createSpyWebSocket } from './spy-websocket.js';
export { nextMessage, recordEvents, waitForEvent } from './wait.js';
