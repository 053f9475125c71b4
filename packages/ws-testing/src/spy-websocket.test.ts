import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMockWebSocket } from './mock-websocket.js';
import { createSpyWebSocket } from './spy-websocket.js';

describe.each([
  ['real timers', false],
  ['fake timers', true],
])('createSpyWebSocket under %s', (_name, fake) => {
  beforeEach(() => {
    if (fake) vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('records each received message once, whatever the number of subscribers', async () => {
    const mock = createMockWebSocket<string>();
    const spy = createSpyWebSocket(mock);
    const a = vi.fn();
    const b = vi.fn();
    spy.subscribe(a);
    spy.subscribe(b);
    await spy.connect('wss://x');
    mock.simulateMessage('one');
    mock.simulateMessage('two');
    expect(spy.receivedMessages.map((m) => m.data)).toEqual(['one', 'two']);
    expect(a).toHaveBeenCalledTimes(2);
    expect(b).toHaveBeenCalledTimes(2);
  });

  it('changes no behaviour: same results, same rejections, same state', async () => {
    // A fixed clock: stats.uptime read twice must not differ by a tick.
    const mock = createMockWebSocket<string>({ connect: 'manual', now: () => 1000 });
    const spy = createSpyWebSocket(mock);
    await expect(spy.send('early')).rejects.toMatchObject({ code: 'SEND_FAILED' });
    expect(spy.sentMessages).toEqual(['early']);
    await expect(spy.disconnect(999)).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    const connecting = spy.connect('wss://x', ['v1']);
    expect(spy.state).toEqual(mock.state);
    mock.open();
    await connecting;
    expect(spy.connections[0]).toMatchObject({ url: 'wss://x', protocols: ['v1'] });
    expect(spy.stats).toEqual(mock.stats);
    const events = vi.fn();
    spy.subscribeToEvents(events);
    spy.markDead('Heartbeat timeout');
    expect(events).toHaveBeenCalledWith(expect.objectContaining({ type: 'disconnected', reason: 'Heartbeat timeout' }));
    expect(spy.client).toBe(mock);
  });
});

describe('connectionsTo', () => {
  it('counts the connect() calls made with a URL, failed ones included', async () => {
    const mock = createMockWebSocket({ connect: 'fail' });
    const spy = createSpyWebSocket(mock);
    const provider = (): string => 'wss://b';
    await spy.connect('wss://a').catch(() => undefined);
    await spy.connect('wss://a').catch(() => undefined);
    await spy.connect(provider).catch(() => undefined);
    expect(spy.connectionsTo('wss://a')).toBe(2);
    expect(spy.connectionsTo('wss://a/')).toBe(0);
    expect(spy.connectionsTo(provider)).toBe(1);
    expect(spy.connectionsTo('wss://b')).toBe(0);
  });
});
