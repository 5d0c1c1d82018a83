// Tries to fetch Electron's binary (its own install script is denied in
// package.json so that a closed network cannot fail `npm install`). Without
// the binary the app still runs: `npm start` falls back to browser mode.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let installScript;
try {
  installScript = require.resolve('electron/install.js');
} catch {
  process.exit(0); // production install without devDependencies
}
const electronDir = installScript.replace(/install\.js$/, '');
if (existsSync(`${electronDir}path.txt`)) process.exit(0);

if (process.env.PROMPTLABEL_SKIP_ELECTRON === '1' || process.env.CI === 'true') {
  console.log('promptlabel: skipping the Electron download (CI or PROMPTLABEL_SKIP_ELECTRON=1); `npm start` will use browser mode.');
  process.exit(0);
}
const result = spawnSync(process.execPath, [installScript], { stdio: 'pipe', timeout: 120_000, encoding: 'utf8' });
if (result.status === 0 && existsSync(`${electronDir}path.txt`)) {
  console.log('promptlabel: Electron binary installed.');
} else {
  // The first non-stack line is the error itself (e.g. "RequestError: getaddrinfo ENOTFOUND github.com").
  const lines = (result.stderr || result.error?.message || '').split('\n').map((line) => line.trim());
  const reason = lines.find((line) => line !== '' && !line.startsWith('at ')) ?? 'unknown error';
  console.log(`promptlabel: Electron binary not available (${reason}); \`npm start\` will use browser mode.`);
}
