// Runs a child script with a small tmpfs mounted at a fresh folder, inside a
// private mount namespace (`unshare -m`), so a test can fill a real disk or
// make a real read-only folder without touching the machine's mounts.
// Needs Linux and root (CI and the dev container run as root); otherwise the
// caller skips with the reason this module gives.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Why private tmpfs mounts are unavailable here, or null when they work. */
export const privateTmpfsUnavailable: string | null = (() => {
  if (process.platform !== 'linux') return 'private mounts need Linux';
  if (process.getuid?.() !== 0) return 'private mounts need root';
  const probe = spawnSync(
    'sh',
    ['-c', 'd=$(mktemp -d) && unshare -m mount -t tmpfs -o size=64k promptlabel-probe "$d"; r=$?; rmdir "$d"; exit $r'],
    { encoding: 'utf8' },
  );
  return probe.status === 0 ? null : `unshare/mount not permitted here (${(probe.stderr || String(probe.error)).trim()})`;
})();

/** Runs `script` (a .ts file beside the caller) as `node --import tsx script DIR` with a tmpfs of `sizeKb` at DIR. */
export function runWithTmpfs(callerUrl: string, script: string, sizeKb: number, timeoutMs = 60_000): SpawnSyncReturns<string> {
  const dir = mkdtempSync(join(tmpdir(), 'promptlabel-tmpfs-'));
  try {
    const child = fileURLToPath(new URL(script, callerUrl));
    const command = `mount -t tmpfs -o size=${sizeKb}k promptlabel-test "$1" && exec "$0" --import tsx "$2" "$1"`;
    return spawnSync('unshare', ['-m', 'sh', '-c', command, process.execPath, dir, child], {
      encoding: 'utf8',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
