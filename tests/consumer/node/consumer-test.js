import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createLiveWebSocket } from '@composable-svelte/ws-core';
import { createMockWebSocket } from '@composable-svelte/ws-testing';
import { startTestServer } from '@composable-svelte/ws-testing/server';
import { WebSocket } from 'ws';

describe('the mock client', () => {
  it('connects', async () => {
    const mock = createMockWebSocket();
    await mock.connect('wss://chat.example.test');
    assert.equal(mock.state.status, 'connected');
  });

  it('delivers simulated messages to subscribers and records sends', async () => {
    const mock = createMockWebSocket();
    await mock.connect('wss://chat.example.test');
    const received = [];
    mock.subscribe((message) => received.push(message.data));
    mock.simulateMessage({ type: 'chat', text: 'hi' });
    assert.deepEqual(received, [{ type: 'chat', text: 'hi' }]);
    await mock.send({ type: 'chat', text: 'hello' });
    assert.deepEqual(mock.sentMessages, [{ type: 'chat', text: 'hello' }]);
  });
});

describe('the loopback server', () => {
  let server;
  afterEach(async () => {
    await server?.stop();
  });

  it('echoes a round trip for a plain ws client', async () => {
    server = await startTestServer();
    const client = new WebSocket(server.url);
    await new Promise((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    const echoed = new Promise((resolve) => client.once('message', (data) => resolve(data.toString())));
    client.send('ping through the loopback');
    assert.equal(await echoed, 'ping through the loopback');
    assert.deepEqual(
      server.received.map((frame) => frame.data),
      ['ping through the loopback'],
    );
    client.close();
  });
});

// Node 22 and later have a global WebSocket: the live client uses it when given none. Node 20
// has none (there, users pass ws's, as in the README): the test is skipped.
describe("the live client with the runtime's WebSocket", () => {
  let server;
  afterEach(async () => {
    await server?.stop();
  });

  it(
    'round-trips through the loopback server with no WebSocket injected',
    { skip: typeof globalThis.WebSocket !== 'function' && `Node ${process.versions.node} has no global WebSocket` },
    async () => {
      server = await startTestServer();
      const client = createLiveWebSocket();
      await client.connect(server.url);
      assert.equal(client.state.status, 'connected');
      const echoed = new Promise((resolve) => client.subscribe((message) => resolve(message.data)));
      await client.send({ text: 'hello from the global WebSocket' });
      assert.deepEqual(await echoed, { text: 'hello from the global WebSocket' });
      assert.deepEqual(
        server.received.map((frame) => frame.data),
        ['{"text":"hello from the global WebSocket"}'],
      );
      await client.disconnect();
      assert.equal(client.state.status, 'disconnected');
    },
  );
});
