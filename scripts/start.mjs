// `npm start`: the Electron window where Electron's binary exists, otherwise
// browser mode (same handlers on loopback, same renderer in a browser).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const path = require('electron'); // throws when the binary was never downloaded
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const electron = electronBinary();
const projectArgs = args.includes('--project') ? args : ['--demo', ...args];
let child;
if (electron && !needsDisplay) {
  child = spawn(electron, [root, ...projectArgs], { stdio: 'inherit' });
} else {
  const why = electron ? 'no display found' : "Electron's binary is not installed";
  console.log(`promptlabel: ${why}; starting browser mode instead.`);
  child = spawn(process.execPath, [`${root}dist/electron/cli.cjs`, 'serve', '--open', ...projectArgs], { stdio: 'inherit' });
}
child.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
