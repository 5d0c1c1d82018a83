// Browser mode: the same Bridge over a WebSocket to the loopback host. The
// token comes from the URL the host printed; requests carry a seq number so
// replies can arrive in any order.
import type { Bridge, EventMap, EventName, Result, WireMessage, WireRequest } from '../../../common/contract/index.js';

type Pending = (result: Result<unknown>) => void;

export function createWebSocketBridge(location: Location): Bridge {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  let seq = 0;
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;

  const failAll = (message: string) => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'internal', message } });
    pending.clear();
  };

  const connect = (): Promise<WebSocket> => {
    if (socket?.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      ws.onopen = () => {
        socket = ws;
        opening = null;
        resolve(ws);
      };
      ws.onerror = () => {
        opening = null;
        reject(new Error('Cannot reach the promptlabel host. Is it still running?'));
      };
      ws.onclose = () => {
        socket = null;
        failAll('The connection to the promptlabel host was lost; the request may not have been applied.');
      };
      ws.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as WireMessage;
        if (data.kind === 'response') {
          pending.get(data.seq)?.(data.result);
          pending.delete(data.seq);
        } else {
          for (const listener of listeners.get(data.event) ?? []) listener(data.payload as never);
        }
      };
    });
    return opening;
  };

  return {
    async invoke(channel, request) {
      let ws: WebSocket;
      try {
        ws = await connect();
      } catch (error) {
        return { ok: false, error: { code: 'internal', message: (error as Error).message } };
      }
      const message: WireRequest = { seq: ++seq, channel, payload: request };
      return new Promise((resolve) => {
        pending.set(message.seq, resolve as Pending);
        ws.send(JSON.stringify(message));
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) {
      void connect().catch(() => undefined);
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    imageUrl(imageId, kind) {
      return `/image/${imageId}?kind=${kind}&token=${encodeURIComponent(token)}`;
    },
  };
}
