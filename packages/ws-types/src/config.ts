/** Input types accept `undefined` for every optional field, so spreading partial configs works. */
export type PartialOptions<O> = { [K in keyof O]?: O[K] | undefined };

/** Keep-alive by ping and pong messages, fully specified. See {@link HeartbeatConfig}. */
export interface HeartbeatOptions {
  /** Run the heartbeat at all. */
  enabled: boolean;
  /** Time between pings, in ms. */
  interval: number;
  /** How long to wait for the pong, in ms, before declaring the connection dead. */
  timeout: number;
  /** The ping sent through the client's serializer; a function is called for each ping (fresh timestamps). */
  pingMessage: unknown;
  /**
   * The pong expected. A string or number matches an equal message; an object matches any
   * message object with the same keys where strings, booleans and `null` are equal and numbers
   * are numbers (so a `timestamp` field may differ).
   */
  pongMessage: unknown;
  /** Replaces the `pongMessage` match: returns whether a received message is the pong. */
  isPong: ((data: unknown) => boolean) | null;
}

/**
 * Heartbeat settings as given by the user: every field optional. Giving this object turns the
 * heartbeat on unless it says `enabled: false`.
 */
export type HeartbeatConfig = PartialOptions<HeartbeatOptions>;

