// The renderer's one way to reach the main process, whichever transport
// carries it: Electron's preload bridge, or a WebSocket in browser mode.
import type { Bridge, ChannelName, ErrorCode, EventMap, EventName, RequestOf, ResponseOf } from '../../../common/contract/index.js';
import { createWebSocketBridge } from './websocketBridge.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    promptlabel?: Bridge;
  }
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Client {
  /** Resolves with the response, or rejects with an ApiError. */
  call<K extends ChannelName>(channel: K, request: RequestOf<K>): Promise<ResponseOf<K>>;
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
  imageUrl(imageId: number, kind: 'full' | 'thumb'): string;
}

export function createClient(bridge: Bridge): Client {
  return {
    async call(channel, request) {
      const result = await bridge.invoke(channel, request);
      if (result.ok) return result.value;
      throw new ApiError(result.error.code, result.error.message, result.error.path);
    },
    on: (event, listener) => bridge.on(event, listener),
    imageUrl: (imageId, kind) => bridge.imageUrl(imageId, kind),
  };
}

export const api: Client = createClient(window.promptlabel ?? createWebSocketBridge(window.location));
