import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
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
