// Reads the host's state the way the renderer does: one request over the
// browser-mode WebSocket (same seq protocol, same token in the URL), from the page.
import type { Page } from 'playwright-core';

import type { ChannelName, RequestOf, ResponseOf, Result } from '../../../common/contract/index.js';

export async function hostCall<K extends ChannelName>(page: Page, channel: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
  const result = await page.evaluate(
    ({ channel, request }) =>
      new Promise<unknown>((resolve, reject) => {
        const token = new URLSearchParams(location.search).get('token') ?? '';
        const ws = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
        ws.onerror = () => reject(new Error('cannot reach the host'));
        ws.onopen = () => ws.send(JSON.stringify({ seq: 1, channel, payload: request }));
        ws.onmessage = (message) => {
          const data = JSON.parse(String(message.data)) as { kind: string; seq?: number; result?: unknown };
          if (data.kind !== 'response' || data.seq !== 1) return;
          ws.close();
          resolve(data.result);
        };
      }),
    { channel, request },
  );
  const typed = result as Result<ResponseOf<K>>;
  if (!typed.ok) throw new Error(`${channel} failed: ${typed.error.message}`);
  return typed.value;
}
