// Electron hardening applied to every web contents: no navigation away from
// the app, no new windows, no permission prompts, no remote content.
import { app, session, shell, type WebContents } from 'electron';

export function isAppUrl(url: string, appUrl: string): boolean {
  return url.split('#')[0]?.split('?')[0] === appUrl.split('#')[0]?.split('?')[0];
}

export function hardenWebContents(contents: WebContents, appUrl: () => string): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl())) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Documentation links open in the user's browser, never inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function hardenApp(appUrl: () => string): void {
  app.on('web-contents-created', (_, contents) => hardenWebContents(contents, appUrl));
  app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_, __, callback) => callback(false));
    session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
      // Only our own files, the image scheme and devtools may load.
      const allowed = /^(file|promptlabel-image|devtools|data|blob):/.test(details.url);
      callback({ cancel: !allowed });
    });
  });
}
