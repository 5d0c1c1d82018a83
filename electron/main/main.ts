// Electron entry: one hardened window over the shared host handlers.
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_EVENT, IPC_INVOKE } from '../../common/contract/bridge.js';
import { createHost } from '../host/createHost.js';
import { ensureDemoProject } from '../host/demoProject.js';
import { handleImageScheme, registerImageSchemePrivileges } from './imageProtocol.js';
import { hardenApp, isAppUrl } from './security.js';
import { mainWindowOptions } from './windowOptions.js';

const rendererIndex = join(__dirname, '..', 'renderer', 'index.html');
const appUrl = pathToFileURL(rendererIndex).href;

// Tests and portable setups keep settings out of the user's real profile.
if (process.env.PROMPTLABEL_USER_DATA) app.setPath('userData', process.env.PROMPTLABEL_USER_DATA);
registerImageSchemePrivileges();
hardenApp(() => appUrl);

function projectArgument(argv: readonly string[]): string | undefined {
  const index = argv.indexOf('--project');
  return index >= 0 ? argv[index + 1] : undefined;
}

async function createWindow(): Promise<void> {
  const window = new BrowserWindow(mainWindowOptions(join(__dirname, 'preload.cjs')));

  const host = createHost({
    mode: 'electron',
    userDataDir: app.getPath('userData'),
    pickFolder: async () => {
      const result = await dialog.showOpenDialog(window, { properties: ['openDirectory'] });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    pickCocoFile: async () => {
      const result = await dialog.showOpenDialog(window, { properties: ['openFile'], filters: [{ name: 'COCO JSON', extensions: ['json'] }] });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  });
  handleImageScheme(host.imageBytes);
  ipcMain.handle(IPC_INVOKE, (event, channel: unknown, payload: unknown) => {
    // Only our own page may call in, never a frame that navigated elsewhere.
    if (!event.senderFrame || !isAppUrl(event.senderFrame.url, appUrl)) {
      return { ok: false, error: { code: 'bad_request', message: 'Request from an unknown frame' } };
    }
    return host.dispatch(channel, payload);
  });
  host.session.events.subscribe((name, payload) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT, name, payload);
  });
  app.on('before-quit', () => void host.close());

  const project =
    projectArgument(process.argv) ??
    (process.argv.includes('--demo') ? ensureDemoProject(app.getPath('userData'), join(app.getAppPath(), 'assets', 'samples')) : undefined);
  if (project) {
    const opened = await host.dispatch('project.open', { dir: project });
    if (!opened.ok) dialog.showErrorBox('Cannot open the project', opened.error.message);
  }
  await window.loadURL(appUrl);
}

app.whenReady().then(createWindow, (error: unknown) => {
  console.error(error);
  app.exit(1);
});
app.on('window-all-closed', () => app.quit());
