export type { BrowserEnvironment, LifecycleListener } from './environment.js';
export type { ConnectionState, ConnectionStats, ConnectionStatus } from './connection.js';
export type {
  ConnectedEvent,
  DisconnectedEvent,
  ErrorEvent,
  NetworkEvent,
  ReconnectedEvent,
  ReconnectingEvent,
  WebSocketEvent,
  WebSocketEventType,
} from './events.js';
export type {
  EventListener,
  MessageListener,
  RawData,
  Unsubscribe,
  UrlProvider,
  WebSocketClient,
  WebSocketMessage,
} from './client.js';
export type { HeartbeatConfig, HeartbeatOptions, PartialOptions } from './config.js';
export type {
  CloseInfo,
  RandomSource,
  TimerHandle,
  Timers,
  WebSocketConstructor,
  WebSocketLike,
} from './platform.js';
export type { MessageSerializer, SerializedData } from './serializer.js';
export type { SymbolDisposable } from './disposable.js';
export type { RoundTripTime } from './connection.js';
export type { WebSocketErrorCode } from './errors.js';

export { WebSocketError, WS_ERROR_CODES } from './errors.js';
export { JSONSerializer } from './serializer.js';
export { DEFAULT_HEARTBEAT, HEARTBEAT_TIMEOUT_REASON } from './heartbeat-defaults.js';
