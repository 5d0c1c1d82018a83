// Electron hardening applied to every web contents: no navigation away from
// the app, no new windows, no permission prompts, no remote content, no file:
// URLs. The rules themselves are pure functions (appScheme.ts, externalLinks.ts).
import { app, session, shell, type WebContents } from 'electron';

import { isAllowedRequest, isAppUrl } from './appScheme.js';
import { externalLinkTarget } from './externalLinks.js';

export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Only the app's own documentation opens, in the user's browser, never inside the app.
    const target = externalLinkTarget(url);
    if (target !== null) void shell.openExternal(target);
    return { action: 'deny' };
  });
}

export function hardenApp(): void {
  app.on('web-contents-created', (_, contents) => hardenWebContents(contents));
  void app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_, __, callback) => callback(false));
    session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
      callback({ cancel: !isAllowedRequest(details.url) });
    });
  });
}
