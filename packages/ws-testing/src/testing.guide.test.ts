/**
 * The guide's Testing examples for the mock and the spy, as written except for imports, run
 * under real and fake timers. Type-checked by tsconfig.guide.json, which keeps TypeScript's
 * default indexing (the guide reads `spy.connections[0].url` without a check).
 */
import { WebSocketError, WS_ERROR_CODES } from '@composable-svelte/ws-types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMockWebSocket } from './mock-websocket.js';
import { createSpyWebSocket } from './spy-websocket.js';
import { recordEvents } from './wait.js';

interface ChatMessage {
  type: 'chat';
  user: string;
  text: string;
  timestamp?: number;
}

describe.each([
  ['real timers', false],
  ['fake timers', true],
])('the guide under %s', (_name, fake) => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('createMockWebSocket', async () => {
    if (fake) vi.useFakeTimers();
    const mockWS = createMockWebSocket<ChatMessage>();
    const { events } = recordEvents(mockWS);
    const received: ChatMessage[] = [];
    mockWS.subscribe((message) => received.push(message.data));

    await mockWS.connect('wss://example.com');
    expect(mockWS.state.status).toBe('connected');

    mockWS.simulateMessage({ type: 'chat', user: 'Alice', text: 'Hello!', timestamp: Date.now() });
    expect(received.map((m) => m.text)).toEqual(['Hello!']);

    await mockWS.send({ type: 'chat', user: 'Bob', text: 'Hi!' });
    expect(mockWS.sentMessages).toEqual([{ type: 'chat', user: 'Bob', text: 'Hi!' }]);

    const lost = new WebSocketError('Connection lost', WS_ERROR_CODES.CONNECTION_FAILED, true);
    mockWS.simulateError(lost);
    expect(mockWS.state.lastError).toBe(lost);

    mockWS.simulateDisconnect(1001, 'Going away');
    expect(mockWS.state.status).toBe('disconnected');
    expect(events.map((e) => e.type)).toEqual(['connected', 'error', 'disconnected']);
    expect(events[2]).toMatchObject({ code: 1001, reason: 'Going away', wasClean: true });

    mockWS.reset();
    expect(mockWS.sentMessages).toEqual([]);
    expect(mockWS.state).toMatchObject({ status: 'disconnected', url: null, lastError: null });
    expect(mockWS.stats.messagesSent).toBe(0);
  });

  it('createSpyWebSocket', async () => {
    if (fake) vi.useFakeTimers();
    const mockWS = createMockWebSocket();
    const spy = createSpyWebSocket(mockWS);

    await spy.connect('wss://example.com');
    await spy.send({ type: 'chat', text: 'Message 1' });
    await spy.send({ type: 'chat', text: 'Message 2' });

    expect(spy.connections).toHaveLength(1);
    expect(spy.connections[0].url).toBe('wss://example.com');
    expect(spy.sentMessages).toHaveLength(2);
    expect(spy.sentMessages[0].text).toBe('Message 1');

    await spy.disconnect();
    expect(spy.disconnections).toHaveLength(1);
    expect(spy.disconnections[0].code).toBe(1000);

    spy.reset();
    expect([spy.connections, spy.disconnections, spy.sentMessages, spy.receivedMessages]).toEqual([[], [], [], []]);
  });

});
