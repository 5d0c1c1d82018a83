// What the preload exposes on `window.promptlabel`, and what the browser-mode
// WebSocket transport implements too: the renderer sees only this interface.
import type { ChannelName, RequestOf, ResponseOf } from './channels.js';
import type { EventMap, EventName } from './events.js';
import type { Result } from './result.js';

export interface Bridge {
  invoke<K extends ChannelName>(channel: K, request: RequestOf<K>): Promise<Result<ResponseOf<K>>>;
  /** Returns an unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
  /** URL of an image's bytes (full resolution, browser-displayable) or its thumbnail. */
  imageUrl(imageId: number, kind: 'full' | 'thumb'): string;
}

/**
 * The Electron window's origin: a privileged custom scheme that serves the
 * built renderer and, under /image/N, project images (same origin, like
 * browser mode's /image/N), so the page never runs from file://.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'promptlabel';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** IPC channel names used by the preload (one for requests, one for events). */
export const IPC_INVOKE = 'promptlabel:invoke';
export const IPC_EVENT = 'promptlabel:event';

/** Browser-mode wire messages over the WebSocket. */
export interface WireRequest {
  seq: number;
  channel: string;
  payload: unknown;
}
export type WireMessage =
  { kind: 'response'; seq: number; result: Result<unknown> } | { kind: 'event'; event: EventName; payload: unknown };
