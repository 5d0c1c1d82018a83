// The renderer's only door to the main process. Sandboxed: it may import
// nothing but 'electron', and it exposes exactly the Bridge interface.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

import { APP_ORIGIN, type Bridge, IPC_EVENT, IPC_INVOKE } from '../../common/contract/bridge.js';
import type { EventName } from '../../common/contract/events.js';

const bridge = {
  invoke: (channel, request) => ipcRenderer.invoke(IPC_INVOKE, channel, request),
  on(event, listener) {
    const forward = (_: IpcRendererEvent, name: EventName, payload: unknown) => {
      if (name === event) listener(payload as Parameters<typeof listener>[0]);
    };
    ipcRenderer.on(IPC_EVENT, forward);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, forward);
    };
  },
  // Same origin as the page (app://promptlabel/image/N), as in browser mode: no CORS, no tainted canvas.
  imageUrl: (imageId, kind) => `${APP_ORIGIN}/image/${imageId}?kind=${kind}`,
} satisfies Bridge;

contextBridge.exposeInMainWorld('promptlabel', bridge);
