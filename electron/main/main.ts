// Electron entry: one hardened window over the shared host handlers. The page
// is served from app://promptlabel (appScheme.ts), never from file://.
import { join } from 'node:path';

import { app, BrowserWindow, dialog, ipcMain } from 'electron';

import { IPC_EVENT, IPC_INVOKE } from '../../common/contract/bridge.js';
import { createHost } from '../../core/host/createHost.js';
import { ensureDemoProject } from '../../core/host/demoProject.js';
import { installProcessGuards } from '../../core/host/processGuards.js';
import { contentSecurityPolicy } from '../../server/csp.js';
import { handleAppScheme, registerAppSchemePrivileges } from './appProtocol.js';
import { APP_INDEX_URL, isTrustedSender } from './appScheme.js';
import { hardenApp } from './security.js';
import { mainWindowOptions } from './windowOptions.js';

const rendererRoot = join(__dirname, '..', 'renderer');

// Tests and portable setups keep settings out of the user's real profile.
if (process.env.PROMPTLABEL_USER_DATA) app.setPath('userData', process.env.PROMPTLABEL_USER_DATA);
// A handler error that escapes must not close every window with the process.
installProcessGuards();
registerAppSchemePrivileges();
hardenApp();

function projectArgument(argv: readonly string[]): string | undefined {
  const index = argv.indexOf('--project');
  return index >= 0 ? argv[index + 1] : undefined;
}

const COCO_FILTERS = [{ name: 'COCO JSON', extensions: ['json'] }];

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
      const result = await dialog.showOpenDialog(window, { properties: ['openFile'], filters: COCO_FILTERS });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    pickModelFiles: async () => {
      const result = await dialog.showOpenDialog(window, {
        properties: ['openFile', 'multiSelections'],
        filters: [{ name: 'ONNX models and X-AnyLabeling configs', extensions: ['onnx', 'yaml', 'yml', 'txt'] }],
      });
      return result.canceled ? [] : result.filePaths;
    },
    saveCocoFile: async (defaultPath) => {
      // The dialog asks before replacing a file (macOS and Windows always; Linux with showOverwriteConfirmation).
      const result = await dialog.showSaveDialog(window, {
        ...(defaultPath === undefined ? {} : { defaultPath }),
        filters: COCO_FILTERS,
        properties: ['showOverwriteConfirmation', 'createDirectory'],
      });
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    pickDatasetPath: async ({ purpose, folder }) => {
      // COCO and COCO results export to one file: a save dialog.
      if (purpose === 'export' && !folder) {
        const saved = await dialog.showSaveDialog(window, {
          title: 'Export dataset',
          filters: COCO_FILTERS,
          properties: ['showOverwriteConfirmation', 'createDirectory'],
        });
        return saved.canceled || !saved.filePath ? null : saved.filePath;
      }
      const result = await dialog.showOpenDialog(window, {
        title: purpose === 'import' ? 'Import dataset' : 'Export dataset into folder',
        properties: folder || purpose === 'export' ? ['openDirectory', 'createDirectory'] : ['openFile'],
      });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  });
  // The page and its images; the header CSP joins the page's meta CSP (connect-src 'self': no socket to any local port).
  handleAppScheme({ rendererRoot, imageBytes: host.imageBytes, contentSecurityPolicy: contentSecurityPolicy("'self'") });
  ipcMain.handle(IPC_INVOKE, (event, channel: unknown, payload: unknown) => {
    // Only our own top-level page may call in, never a subframe or a frame that navigated elsewhere.
    if (!isTrustedSender(event.senderFrame)) {
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
    // Named by the user who started the app (or the app's own demo): the renderer may open it again.
    host.pathGrants?.grant('project', project);
    const opened = await host.dispatch('project.open', { dir: project });
    if (!opened.ok) dialog.showErrorBox('Cannot open the project', opened.error.message);
  }
  await window.loadURL(APP_INDEX_URL);
}

app.whenReady().then(createWindow, (error: unknown) => {
  console.error(error);
  app.exit(1);
});
app.on('window-all-closed', () => app.quit());
