import { WebSocketError, WS_ERROR_CODES } from '@composable-svelte/ws-types';
import type { ConnectionView } from '@composable-svelte/ws-types/store';
import { describe, expect, it } from 'vitest';
import { describeConnection, nextCountdownTick } from './indicator.js';

const NOW = 1_000_000;

const view = (fields: Partial<ConnectionView>): ConnectionView => ({
  status: 'disconnected',
  url: 'ws://chat.test/ws?name=Alice',
  attempt: 0,
  nextRetryAt: null,
  waitingForNetwork: false,
  lastError: null,
  rtt: null,
  connectedAt: null,
  ...fields,
});

const closedBeforeOpen = new WebSocketError('Closed before open', WS_ERROR_CODES.CONNECTION_FAILED, true);

describe('connection indicator', () => {
  it('says connected, with the round trip once the heartbeat has measured it', () => {
    expect(describeConnection(view({ status: 'connected' }), NOW)).toEqual({
      status: 'connected',
      label: 'Connected',
      suffix: '',
      detail: null,
      retry: false,
    });
    expect(describeConnection(view({ status: 'connected', rtt: 41.6 }), NOW).suffix).toBe(' · 42 ms');
  });

  it('says connecting for a first connection, and reconnecting for an attempt after a loss', () => {
    expect(describeConnection(view({ status: 'connecting' }), NOW)).toMatchObject({ status: 'connecting', label: 'Connecting…', retry: false });
    expect(describeConnection(view({ status: 'connecting', attempt: 2, lastError: closedBeforeOpen }), NOW)).toEqual({
      status: 'reconnecting',
      label: 'Reconnecting',
      suffix: ' now…',
      detail: 'attempt 2 of 8 (last try: Closed before open)',
      retry: false,
    });
  });

  it('counts down to the next attempt, in whole seconds rounded up', () => {
    const reconnecting = view({ status: 'reconnecting', attempt: 1, nextRetryAt: NOW + 2300 });
    expect(describeConnection(reconnecting, NOW)).toEqual({
      status: 'reconnecting',
      label: 'Reconnecting',
      suffix: ' in 3 s',
      detail: 'attempt 1 of 8',
      retry: true,
    });
    expect(describeConnection(reconnecting, NOW + 300).suffix).toBe(' in 2 s');
    expect(describeConnection(reconnecting, NOW + 2300).suffix).toBe(' now…');
    expect(describeConnection(reconnecting, NOW + 5000).suffix).toBe(' now…');
    expect(describeConnection(reconnecting, NOW, 0).detail).toBe('attempt 1');
  });

  it('tells why the previous attempt failed, but not an error older than this outage', () => {
    // Attempt 1 comes right after the loss: a lastError then is from before it.
    expect(describeConnection(view({ status: 'reconnecting', attempt: 1, nextRetryAt: NOW + 500, lastError: closedBeforeOpen }), NOW).detail).toBe('attempt 1 of 8');
    expect(describeConnection(view({ status: 'reconnecting', attempt: 3, nextRetryAt: NOW + 500, lastError: closedBeforeOpen }), NOW).detail).toBe(
      'attempt 3 of 8 (last try: Closed before open)',
    );
    const other = new WebSocketError('Bad frame', WS_ERROR_CODES.INVALID_MESSAGE, true);
    expect(describeConnection(view({ status: 'reconnecting', attempt: 3, nextRetryAt: NOW + 500, lastError: other }), NOW).detail).toBe('attempt 3 of 8');
  });

  it('says offline, waiting for the network, apart from reconnecting', () => {
    expect(describeConnection(view({ status: 'reconnecting', attempt: 2, waitingForNetwork: true }), NOW)).toEqual({
      status: 'waiting',
      label: 'Offline, waiting for the network',
      suffix: '',
      detail: 'Reconnects as soon as it is back',
      retry: true,
    });
  });

  it('says why reconnection gave up', () => {
    const gaveUp = new WebSocketError('Gave up after 8 attempts', WS_ERROR_CODES.MAX_RECONNECTS, false, closedBeforeOpen);
    expect(describeConnection(view({ status: 'failed', attempt: 8, lastError: gaveUp }), NOW)).toEqual({
      status: 'failed',
      label: 'Connection failed',
      suffix: '',
      detail: 'Gave up after 8 attempts (last: Closed before open)',
      retry: true,
    });
    const alone = new WebSocketError('Gave up after 8 attempts', WS_ERROR_CODES.MAX_RECONNECTS);
    expect(describeConnection(view({ status: 'failed', lastError: alone }), NOW).detail).toBe('Gave up after 8 attempts');
    expect(describeConnection(view({ status: 'failed' }), NOW).detail).toBe('Gave up reconnecting');
  });

  it('says not connected before the first connection, disconnected after one', () => {
    expect(describeConnection(view({ url: null }), NOW)).toMatchObject({ status: 'idle', label: 'Not connected', retry: false });
    expect(describeConnection(view({}), NOW)).toMatchObject({ status: 'disconnected', label: 'Disconnected', retry: true });
  });

  it('ticks when the countdown changes its number', () => {
    expect(nextCountdownTick(NOW + 2300, NOW)).toBe(300);
    expect(nextCountdownTick(NOW + 2000, NOW)).toBe(1000);
    expect(nextCountdownTick(NOW + 1, NOW)).toBe(1);
    expect(nextCountdownTick(NOW, NOW)).toBeNull();
    expect(nextCountdownTick(NOW - 5, NOW)).toBeNull();
  });
});
