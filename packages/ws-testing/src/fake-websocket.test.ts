import type { WebSocketConstructor, WebSocketLike } from '@composable-svelte/ws-types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFakeWebSocket, type FakeWebSocket } from './fake-websocket.js';

/** Records every event a socket fires, with the readyState seen at that moment. */
function record(socket: FakeWebSocket): string[] {
  const log: string[] = [];
  for (const type of ['open', 'message', 'error', 'close'] as const) {
    socket.addEventListener(type, (event: { type: string; code?: number; wasClean?: boolean; data?: unknown }) => {
      const detail = event.type === 'close' ? ` ${event.code} ${event.wasClean ? 'clean' : 'unclean'}` : '';
      const data = event.type === 'message' ? ` ${String(event.data)}` : '';
      log.push(`${event.type}${detail}${data} @${socket.readyState}`);
    });
  }
  return log;
}

/** The error `run` throws, failing the test when it throws nothing. */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

function domException(run: () => unknown, name: string): void {
  const error = thrown(run);
  expect(error).toBeInstanceOf(DOMException);
  expect(error.name).toBe(name);
}

function openSocket(fake = createFakeWebSocket(), url = 'ws://example.test/'): FakeWebSocket {
  const socket = new fake.WebSocket(url);
  socket.open();
  return socket;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('constructor', () => {
  it('starts CONNECTING with the WHATWG constants and default attributes', () => {
    const { WebSocket } = createFakeWebSocket();
    const socket = new WebSocket('wss://example.test/chat?room=1', ['chat', 'v2']);
    expect([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED]).toEqual([0, 1, 2, 3]);
    expect([socket.CONNECTING, socket.OPEN, socket.CLOSING, socket.CLOSED]).toEqual([0, 1, 2, 3]);
    // As in the DOM, the instance constants live on the prototype.
    expect(Object.keys(socket)).not.toContain('OPEN');
    expect(socket.readyState).toBe(0);
    expect(socket.url).toBe('wss://example.test/chat?room=1');
    expect(socket.requestedProtocols).toEqual(['chat', 'v2']);
    expect(socket.protocol).toBe('');
    expect(socket.extensions).toBe('');
    expect(socket.bufferedAmount).toBe(0);
    expect(socket.binaryType).toBe('blob');
    expect([socket.onopen, socket.onmessage, socket.onerror, socket.onclose]).toEqual([null, null, null, null]);
    expect(socket.closeRequest).toBeNull();
    expect(socket.sent).toEqual([]);
  });

  it('normalizes the URL and maps http(s) to ws(s)', () => {
    const { WebSocket } = createFakeWebSocket();
    expect(new WebSocket('WS://Example.TEST').url).toBe('ws://example.test/');
    expect(new WebSocket('http://example.test:80/a').url).toBe('ws://example.test/a');
    expect(new WebSocket('https://example.test:8443/a').url).toBe('wss://example.test:8443/a');
    expect(new WebSocket(new URL('wss://example.test/u')).url).toBe('wss://example.test/u');
  });

  it('throws a SyntaxError DOMException for a URL a browser refuses', () => {
    const { WebSocket, sockets } = createFakeWebSocket();
    for (const url of ['not a url', '/relative', 'ftp://example.test/', 'file:///tmp/x', 'ws://example.test/#frag', 'ws://example.test/#']) {
      domException(() => new WebSocket(url), 'SyntaxError');
    }
    expect(sockets).toHaveLength(0);
  });

  it('takes a single protocol string, and refuses duplicate or invalid protocols', () => {
    const { WebSocket, sockets } = createFakeWebSocket();
    expect(new WebSocket('ws://example.test', 'chat').requestedProtocols).toEqual(['chat']);
    domException(() => new WebSocket('ws://example.test', ['chat', 'chat']), 'SyntaxError');
    domException(() => new WebSocket('ws://example.test', ''), 'SyntaxError');
    domException(() => new WebSocket('ws://example.test', ['a b']), 'SyntaxError');
    expect(sockets).toHaveLength(1);
  });

  it('records every socket; last() gives the newest and reset() forgets them', () => {
    const fake = createFakeWebSocket();
    expect(() => fake.last()).toThrow(/no socket yet/);
    const first = new fake.WebSocket('ws://example.test/1');
    const second = new fake.WebSocket('ws://example.test/2');
    expect(fake.sockets).toEqual([first, second]);
    expect(fake.last()).toBe(second);
    const { sockets } = fake;
    fake.reset();
    expect(sockets).toHaveLength(0);
    expect(() => fake.last()).toThrow(Error);
    const third = new fake.WebSocket('ws://example.test/3');
    expect(fake.last()).toBe(third);
  });

  it('isolates two fakes from each other', () => {
    const a = createFakeWebSocket();
    const b = createFakeWebSocket({ closeHandshake: 'manual' });
    expect(a.WebSocket).not.toBe(b.WebSocket);
    const socket = new a.WebSocket('ws://example.test');
    expect(a.sockets).toEqual([socket]);
    expect(b.sockets).toEqual([]);
    expect(socket).toBeInstanceOf(a.WebSocket);
    expect(socket).not.toBeInstanceOf(b.WebSocket);
    expect(a.WebSocket.name).toBe('WebSocket');
  });

  it('is usable through the WebSocketConstructor contract', () => {
    const fake = createFakeWebSocket();
    const Ctor: WebSocketConstructor = fake.WebSocket;
    const socket: WebSocketLike = new Ctor('ws://example.test', ['chat']);
    expect(socket).toBe(fake.last());
    expect(fake.last().requestedProtocols).toEqual(['chat']);
  });
});

describe('server controls', () => {
  it('open() moves CONNECTING to OPEN, sets the protocol and fires open', () => {
    const fake = createFakeWebSocket();
    const socket = new fake.WebSocket('ws://example.test', ['chat', 'v2']);
    const log = record(socket);
    socket.open('v2');
    expect(socket.readyState).toBe(1);
    expect(socket.protocol).toBe('v2');
    expect(log).toEqual(['open @1']);
    expect(() => {
      socket.open();
    }).toThrow(/open\(\): socket is OPEN, expected CONNECTING/);
  });

  it('open() refuses a protocol that was not requested', () => {
    const fake = createFakeWebSocket();
    const socket = new fake.WebSocket('ws://example.test', ['chat']);
    expect(() => {
      socket.open('other');
    }).toThrow(/'other' was not requested/);
    expect(socket.readyState).toBe(0);
    socket.open();
    expect(socket.protocol).toBe('');
  });

  it('receive() fires message while OPEN and throws otherwise', () => {
    const fake = createFakeWebSocket();
    const socket = new fake.WebSocket('ws://example.test');
    const log = record(socket);
    expect(() => {
      socket.receive('early');
    }).toThrow(/receive\(\): socket is CONNECTING, expected OPEN/);
    socket.open();
    socket.receive('hello');
    socket.receive('world');
    expect(log).toEqual(['open @1', 'message hello @1', 'message world @1']);
    socket.close();
    expect(() => {
      socket.receive('late');
    }).toThrow(/CLOSING/);
  });

  it('fail() from CONNECTING: error then close 1006 unclean, readyState CLOSED during both', () => {
    const fake = createFakeWebSocket();
    const socket = new fake.WebSocket('ws://example.test');
    const log = record(socket);
    socket.fail();
    expect(socket.readyState).toBe(3);
    expect(log).toEqual(['error @3', 'close 1006 unclean @3']);
    expect(() => {
      socket.fail();
    }).toThrow(/fail\(\): socket is CLOSED/);
  });

  it('fail() from OPEN: open, error, close 1006 unclean', () => {
    const socket = new (createFakeWebSocket().WebSocket)('ws://example.test');
    const log = record(socket);
    socket.open();
    socket.fail();
    expect(log).toEqual(['open @1', 'error @3', 'close 1006 unclean @3']);
  });

  it('serverClose() closes cleanly with the server\'s code and reason', () => {
    const socket = openSocket();
    const closes: unknown[] = [];
    socket.onclose = (event) => closes.push({ code: event.code, reason: event.reason, wasClean: event.wasClean, state: socket.readyState });
    socket.serverClose(4001, 'kicked');
    expect(closes).toEqual([{ code: 4001, reason: 'kicked', wasClean: true, state: 3 }]);
    expect(() => {
      socket.serverClose();
    }).toThrow(/serverClose\(\): socket is CLOSED/);
  });

  it('serverClose() defaults to 1000 and refuses codes a server cannot send', () => {
    const socket = openSocket();
    const log = record(socket);
    for (const code of [1006, 999, 1004, 1015, 2000, 5000, 1000.5]) {
      expect(() => {
        socket.serverClose(code);
      }).toThrow(new RegExp(`invalid code ${code}`));
    }
    expect(() => {
      socket.serverClose(1000, 'x'.repeat(124));
    }).toThrow(/123 UTF-8 bytes/);
    expect(() => {
      socket.serverClose(1005, 'no code, no reason');
    }).toThrow(/1005/);
    expect(socket.readyState).toBe(1);
    socket.serverClose();
    expect(log).toEqual(['close 1000 clean @3']);
  });

  it('serverClose() is refused while CONNECTING', () => {
    const socket = new (createFakeWebSocket().WebSocket)('ws://example.test');
    expect(() => {
      socket.serverClose();
    }).toThrow(/serverClose\(\): socket is CONNECTING/);
  });

  it('drop() closes uncleanly with 1006 (or the given code) and no error event', () => {
    const socket = openSocket();
    const log = record(socket);
    socket.drop();
    expect(socket.readyState).toBe(3);
    expect(log).toEqual(['close 1006 unclean @3']);

    const other = openSocket();
    const otherLog = record(other);
    other.drop(1015);
    expect(otherLog).toEqual(['close 1015 unclean @3']);
    expect(() => {
      other.drop();
    }).toThrow(/drop\(\): socket is CLOSED/);
  });

  it('drop() is refused while CONNECTING (that is fail())', () => {
    const socket = new (createFakeWebSocket().WebSocket)('ws://example.test');
    expect(() => {
      socket.drop();
    }).toThrow(/drop\(\): socket is CONNECTING/);
    expect(socket.readyState).toBe(0);
  });
});

describe('send() and bufferedAmount', () => {
  it('throws InvalidStateError while CONNECTING and records nothing', () => {
    const socket = new (createFakeWebSocket().WebSocket)('ws://example.test');
    domException(() => {
      socket.send('hi');
    }, 'InvalidStateError');
    expect(socket.sent).toEqual([]);
    expect(socket.bufferedAmount).toBe(0);
  });

  it('records frames while OPEN and counts UTF-8 bytes and binary byteLength', () => {
    const socket = openSocket();
    const buffer = new ArrayBuffer(8);
    const view = new Uint16Array(new ArrayBuffer(10), 2, 3);
    socket.send('héllo 👋');
    expect(socket.bufferedAmount).toBe(11);
    socket.send(buffer);
    socket.send(view);
    expect(socket.sent).toEqual(['héllo 👋', buffer, view]);
    expect(socket.sent[1]).toBe(buffer);
    expect(socket.bufferedAmount).toBe(11 + 8 + 6);
    socket.drain();
    expect(socket.bufferedAmount).toBe(0);
    socket.send('a');
    expect(socket.bufferedAmount).toBe(1);
  });

  it('discards frames while CLOSING or CLOSED but still grows bufferedAmount', async () => {
    const socket = openSocket();
    socket.close();
    socket.send('during');
    expect(socket.readyState).toBe(2);
    await Promise.resolve();
    expect(socket.readyState).toBe(3);
    socket.send(new Uint8Array(5));
    expect(socket.sent).toEqual([]);
    expect(socket.bufferedAmount).toBe(6 + 5);
  });
});

describe('close()', () => {
  it('validates the code: InvalidAccessError unless 1000 or 3000-4999', () => {
    const socket = openSocket();
    for (const code of [0, 999, 1001, 1005, 1006, 2999, 5000, 65535, -1, Number.NaN]) {
      domException(() => {
        socket.close(code);
      }, 'InvalidAccessError');
    }
    expect(socket.readyState).toBe(1);
    expect(socket.closeRequest).toBeNull();
  });

  it('validates the reason: SyntaxError above 123 UTF-8 bytes', () => {
    const socket = openSocket();
    domException(() => {
      socket.close(1000, 'é'.repeat(62));
    }, 'SyntaxError');
    expect(socket.readyState).toBe(1);
    socket.close(1000, 'é'.repeat(61) + 'a');
    expect(socket.closeRequest).toEqual({ code: 1000, reason: 'é'.repeat(61) + 'a' });
  });

  it('validates even when already closed, then does nothing', async () => {
    const socket = openSocket();
    socket.serverClose();
    domException(() => {
      socket.close(1001);
    }, 'InvalidAccessError');
    const log = record(socket);
    socket.close(4000);
    await Promise.resolve();
    expect(log).toEqual([]);
    expect(socket.closeRequest).toBeNull();
  });

  it('clamps the code as WebIDL [Clamp] unsigned short does', () => {
    const socket = openSocket();
    socket.close(3000.4);
    expect(socket.closeRequest?.code).toBe(3000);
    const other = openSocket();
    other.close(4998.5);
    expect(other.closeRequest?.code).toBe(4998);
    // Halfway rounds to even: 4999.5 is 5000, out of range.
    domException(() => {
      openSocket().close(4999.5);
    }, 'InvalidAccessError');
  });

  it('completes the close handshake in a microtask with the code and reason sent', async () => {
    const socket = openSocket();
    const log = record(socket);
    const events: unknown[] = [];
    socket.addEventListener('close', (event) => events.push({ code: event.code, reason: event.reason, wasClean: event.wasClean }));
    socket.close(4000, 'bye');
    expect(socket.readyState).toBe(2);
    expect(socket.closeRequest).toEqual({ code: 4000, reason: 'bye' });
    expect(log).toEqual([]);
    socket.close(1000);
    await Promise.resolve();
    expect(socket.readyState).toBe(3);
    expect(log).toEqual(['close 4000 clean @3']);
    expect(events).toEqual([{ code: 4000, reason: 'bye', wasClean: true }]);
  });

  it('reports 1005 when close() sent no code, and 1000 for a reason without a code', async () => {
    const plain = openSocket();
    const plainLog = record(plain);
    plain.close();
    expect(plain.closeRequest).toEqual({ code: undefined, reason: '' });
    const reasoned = openSocket();
    const reasonedLog = record(reasoned);
    reasoned.close(undefined, 'done');
    expect(reasoned.closeRequest).toEqual({ code: 1000, reason: 'done' });
    await Promise.resolve();
    expect(plainLog).toEqual(['close 1005 clean @3']);
    expect(reasonedLog).toEqual(['close 1000 clean @3']);
  });

  it('fails a CONNECTING socket: CLOSING now, then error and close 1006 asynchronously', async () => {
    const socket = new (createFakeWebSocket().WebSocket)('ws://example.test');
    const log = record(socket);
    socket.close(1000, 'never mind');
    expect(socket.readyState).toBe(2);
    expect(socket.closeRequest).toBeNull();
    expect(log).toEqual([]);
    expect(() => {
      socket.open();
    }).toThrow(/CLOSING/);
    expect(() => {
      socket.serverClose();
    }).toThrow(/CLOSING/);
    await Promise.resolve();
    expect(log).toEqual(['error @3', 'close 1006 unclean @3']);
  });

  it('fails a CONNECTING socket with the same events under closeHandshake manual', async () => {
    const socket = new (createFakeWebSocket({ closeHandshake: 'manual' }).WebSocket)('ws://example.test');
    const log = record(socket);
    socket.close();
    await Promise.resolve();
    expect(log).toEqual(['error @3', 'close 1006 unclean @3']);
  });

  it('with closeHandshake manual, waits for serverClose(), which echoes the client\'s close by default', async () => {
    const fake = createFakeWebSocket({ closeHandshake: 'manual' });
    const socket = openSocket(fake);
    const log = record(socket);
    socket.close(4321, 'later');
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(socket.readyState).toBe(2);
    expect(log).toEqual([]);
    socket.serverClose();
    expect(log).toEqual(['close 4321 clean @3']);

    const silent = openSocket(fake);
    const silentLog = record(silent);
    silent.close();
    silent.serverClose();
    expect(silentLog).toEqual(['close 1005 clean @3']);

    const answered = openSocket(fake);
    const answeredLog = record(answered);
    answered.close(4000);
    answered.serverClose(1001, 'going away');
    expect(answeredLog).toEqual(['close 1001 clean @3']);
  });

  it('with closeHandshake manual, drop() simulates a server that never answers', () => {
    const socket = openSocket(createFakeWebSocket({ closeHandshake: 'manual' }));
    const log = record(socket);
    socket.close(1000);
    socket.drop();
    expect(log).toEqual(['close 1006 unclean @3']);
  });

  it('lets fail() interrupt a pending close, firing only once', async () => {
    const socket = openSocket();
    const log = record(socket);
    socket.close();
    socket.fail();
    await Promise.resolve();
    expect(log).toEqual(['error @3', 'close 1006 unclean @3']);
  });

  it('lets serverClose() answer before the automatic answer, firing close once', async () => {
    const socket = openSocket();
    const log = record(socket);
    socket.close(4000);
    socket.serverClose(4001);
    await Promise.resolve();
    expect(log).toEqual(['close 4001 clean @3']);
  });
});

describe('under fake timers', () => {
  it('completes the close handshake with await Promise.resolve()', async () => {
    vi.useFakeTimers();
    const socket = openSocket();
    socket.close();
    await Promise.resolve();
    expect(socket.readyState).toBe(3);
  });

  it('completes the close handshake with advanceTimersByTimeAsync(0)', async () => {
    vi.useFakeTimers();
    const socket = new (createFakeWebSocket().WebSocket)('ws://example.test');
    const log = record(socket);
    socket.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(['error @3', 'close 1006 unclean @3']);
  });

  it('completes even when queueMicrotask itself is faked, once the clock runs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'queueMicrotask'] });
    const socket = openSocket();
    socket.close(3000);
    // A faked queueMicrotask only runs when the fake clock does.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(socket.readyState).toBe(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.readyState).toBe(3);
  });

  it('drives code with a connect timeout (the README example)', async () => {
    vi.useFakeTimers();
    const fake = createFakeWebSocket();
    const connect = (WebSocket: WebSocketConstructor, url: string, timeout: number): Promise<WebSocketLike> =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(url);
        const timer = setTimeout(() => {
          socket.close();
          reject(new Error('timeout'));
        }, timeout);
        socket.onopen = () => {
          clearTimeout(timer);
          resolve(socket);
        };
        socket.onclose = () => {
          clearTimeout(timer);
          reject(new Error('closed'));
        };
      });

    const opened = connect(fake.WebSocket, 'wss://example.test', 5000);
    fake.last().open();
    await expect(opened).resolves.toBe(fake.last());

    const timedOut = connect(fake.WebSocket, 'wss://example.test', 5000);
    const rejection = expect(timedOut).rejects.toThrow('timeout');
    await vi.advanceTimersByTimeAsync(5000);
    await rejection;
    expect(fake.last().readyState).toBe(fake.WebSocket.CLOSED);
  });
});

describe('binaryType', () => {
  it('delivers binary as a Blob by default, with a copy of the bytes', async () => {
    const socket = openSocket();
    const received: unknown[] = [];
    socket.onmessage = (event) => received.push(event.data);
    const bytes = new Uint8Array([1, 2, 3, 4]);
    socket.receive(bytes.subarray(1, 3));
    bytes[1] = 99;
    expect(received[0]).toBeInstanceOf(Blob);
    const blob = received[0] as Blob;
    expect(blob.size).toBe(2);
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([2, 3]);
  });

  it('delivers binary as a fresh ArrayBuffer with binaryType arraybuffer', () => {
    const socket = openSocket();
    socket.binaryType = 'arraybuffer';
    const received: unknown[] = [];
    socket.onmessage = (event) => received.push(event.data);
    const buffer = new Uint8Array([7, 8, 9]).buffer;
    socket.receive(buffer);
    socket.receive(new DataView(buffer, 1, 2));
    socket.receive('text stays text');
    expect(received[0]).toBeInstanceOf(ArrayBuffer);
    expect(received[0]).not.toBe(buffer);
    expect([...new Uint8Array(received[0] as ArrayBuffer)]).toEqual([7, 8, 9]);
    expect([...new Uint8Array(received[1] as ArrayBuffer)]).toEqual([8, 9]);
    expect(received[2]).toBe('text stays text');
  });

  it('ignores an invalid value, as browsers do', () => {
    const socket = openSocket();
    const asContract: WebSocketLike = socket;
    asContract.binaryType = 'nodebuffer';
    expect(socket.binaryType).toBe('blob');
    socket.binaryType = 'arraybuffer';
    asContract.binaryType = 'fragments';
    expect(socket.binaryType).toBe('arraybuffer');
    socket.binaryType = 'blob';
    expect(socket.binaryType).toBe('blob');
  });
});

describe('listeners', () => {
  it('calls on* handlers and addEventListener listeners, in registration order', () => {
    const socket = new (createFakeWebSocket().WebSocket)('ws://example.test');
    const calls: string[] = [];
    socket.addEventListener('open', () => calls.push('listener 1'));
    socket.onopen = () => calls.push('handler A');
    socket.addEventListener('open', () => calls.push('listener 2'));
    // Replacing a handler keeps its place.
    socket.onopen = () => calls.push('handler B');
    socket.open();
    expect(calls).toEqual(['listener 1', 'handler B', 'listener 2']);
  });

  it('moves a handler to the end when it is set again after null', () => {
    const socket = openSocket();
    const calls: string[] = [];
    socket.onmessage = () => calls.push('handler');
    socket.addEventListener('message', () => calls.push('listener'));
    socket.onmessage = null;
    socket.onmessage = () => calls.push('handler again');
    socket.receive('x');
    expect(calls).toEqual(['listener', 'handler again']);
  });

  it('passes the event with type and target, and calls handlers with the socket as this', () => {
    const socket = openSocket();
    const handler = vi.fn<NonNullable<FakeWebSocket['onmessage']>>();
    socket.onmessage = handler;
    socket.receive('payload');
    expect(handler).toHaveBeenCalledWith({ type: 'message', target: socket, data: 'payload' });
    expect(handler.mock.contexts[0]).toBe(socket);
  });

  it('registers the same function once, and removes it', () => {
    const socket = openSocket();
    const listener = vi.fn();
    socket.addEventListener('message', listener);
    socket.addEventListener('message', listener);
    socket.addEventListener('message', listener, { once: true });
    expect(socket.listenerCount('message')).toBe(1);
    socket.receive('1');
    expect(listener).toHaveBeenCalledTimes(1);
    socket.removeEventListener('message', listener);
    socket.receive('2');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(socket.listenerCount()).toBe(0);
  });

  it('treats capture as part of the identity, as the DOM does', () => {
    const socket = openSocket();
    const listener = vi.fn();
    socket.addEventListener('message', listener);
    socket.addEventListener('message', listener, true);
    expect(socket.listenerCount()).toBe(2);
    socket.removeEventListener('message', listener, { capture: true });
    socket.receive('x');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(socket.listenerCount()).toBe(1);
  });

  it('calls a once listener a single time', () => {
    const socket = openSocket();
    const once = vi.fn();
    const always = vi.fn();
    socket.addEventListener('message', once, { once: true });
    socket.addEventListener('message', always);
    socket.receive('1');
    socket.receive('2');
    expect(once).toHaveBeenCalledTimes(1);
    expect(always).toHaveBeenCalledTimes(2);
    expect(socket.listenerCount('message')).toBe(1);
  });

  it('accepts listener objects with handleEvent', () => {
    const socket = openSocket();
    const received: unknown[] = [];
    const object = {
      handleEvent(event: { data: unknown }) {
        received.push(event.data);
      },
    };
    socket.addEventListener('message', object);
    socket.receive('via object');
    socket.removeEventListener('message', object);
    socket.receive('ignored');
    expect(received).toEqual(['via object']);
  });

  it('skips a listener removed by an earlier one during the same dispatch', () => {
    const socket = openSocket();
    const second = vi.fn();
    socket.addEventListener('message', () => {
      socket.removeEventListener('message', second);
    });
    socket.addEventListener('message', second);
    socket.receive('x');
    expect(second).not.toHaveBeenCalled();
  });

  it('dispatchEvent() calls the listeners and handler of that type', () => {
    const socket = openSocket();
    const calls: string[] = [];
    socket.onmessage = () => calls.push('handler');
    socket.addEventListener('message', () => calls.push('listener'));
    socket.addEventListener('custom', () => calls.push('custom'));
    expect(socket.dispatchEvent({ type: 'message' })).toBe(true);
    socket.dispatchEvent({ type: 'custom' });
    expect(calls).toEqual(['handler', 'listener', 'custom']);
    const event = { type: 'message', data: 'synthetic' };
    const seen = vi.fn();
    socket.addEventListener('message', seen);
    socket.dispatchEvent(event);
    expect(seen).toHaveBeenCalledWith(event);
  });

  it('keeps calling listeners when one throws, and reports the error in a microtask', async () => {
    const socket = openSocket();
    const boom = new Error('listener failed');
    const after = vi.fn();
    socket.onmessage = () => {
      throw boom;
    };
    socket.addEventListener('message', after);
    const original = globalThis.queueMicrotask;
    const reported = new Promise<unknown>((resolve) => {
      vi.spyOn(globalThis, 'queueMicrotask').mockImplementationOnce((task) => {
        original(() => {
          try {
            task();
          } catch (error) {
            resolve(error);
          }
        });
      });
    });
    expect(() => {
      socket.receive('x');
    }).not.toThrow();
    expect(after).toHaveBeenCalledTimes(1);
    await expect(reported).resolves.toBe(boom);
    vi.restoreAllMocks();
  });

  it('listenerCount() counts non-null handlers and listeners, per type or overall', () => {
    const socket = new (createFakeWebSocket().WebSocket)('ws://example.test');
    expect(socket.listenerCount()).toBe(0);
    const onError = (): void => undefined;
    socket.onopen = () => undefined;
    socket.onclose = () => undefined;
    socket.addEventListener('error', onError);
    socket.addEventListener('message', () => undefined);
    expect(socket.listenerCount()).toBe(4);
    expect(socket.listenerCount('open')).toBe(1);
    expect(socket.listenerCount('error')).toBe(1);
    socket.onopen = null;
    socket.onclose = null;
    socket.removeEventListener('error', onError);
    expect(socket.listenerCount()).toBe(1);
    expect(socket.listenerCount('message')).toBe(1);
  });
});
