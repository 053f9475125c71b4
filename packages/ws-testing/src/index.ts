export type {
  FakeWebSocket,
  FakeWebSocketClass,
  FakeWebSocketControls,
  FakeWebSocketOptions,
} from './fake-websocket.js';

export { createFakeWebSocket } from './fake-websocket.js';
