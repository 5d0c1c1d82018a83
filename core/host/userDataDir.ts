// The same per-user folder Electron's app.getPath('userData') gives for this
// app, so browser mode and the desktop window share recent projects and the demo.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.PROMPTLABEL_USER_DATA) return env.PROMPTLABEL_USER_DATA;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'promptlabel');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'promptlabel');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'promptlabel');
}
