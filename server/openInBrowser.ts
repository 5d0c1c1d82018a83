// Opens browser mode's tokenised URL in the system browser without putting
// the token in any process's arguments (/proc/PID/cmdline and `ps` are
// readable by every local user): the opener (xdg-open, open, explorer) and
// the browser it starts get the path of a small local page instead, private
// to this user (0700 folder, 0600 file), that redirects to the URL. The page
// is deleted a minute later, or when the process exits.
import { spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LaunchPage {
  /** The file handed to the opener: it holds the token, its path does not. */
  path: string;
  /** Deletes the page and its folder (idempotent). */
  remove(): void;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function launchPageHtml(url: string): string {
  const href = escapeHtml(url);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="refresh" content="0;url=${href}">`,
    '<title>Opening promptlabel…</title></head>',
    `<body><p><a href="${href}">Open promptlabel</a></p></body></html>`,
    '',
  ].join('\n');
}

/** Writes the redirect page in a fresh private folder under `parent`. */
export function writeLaunchPage(url: string, parent: string = tmpdir()): LaunchPage {
  const dir = mkdtempSync(join(parent, 'promptlabel-open-')); // mkdtemp: mode 0700
  const path = join(dir, 'open.html');
  try {
    writeFileSync(path, launchPageHtml(url), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The system opener for a local file; no shell parses the path. */
export function launchCommand(platform: NodeJS.Platform, file: string): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [file] };
  if (platform === 'win32') return { command: 'explorer.exe', args: [file] };
  return { command: 'xdg-open', args: [file] };
}

type Spawn = (
  command: string,
  args: string[],
  options: SpawnOptions,
) => { on(event: 'error', listener: (error: Error) => void): unknown; unref(): void };

export interface OpenOptions {
  platform?: NodeJS.Platform;
  spawn?: Spawn;
  /** How long the page stays for the browser to read it (ms). */
  keepMs?: number;
  tmpDir?: string;
}

/** Opens `url` through a launch page; null when no page could be written (the printed URL is then the way in). */
export function openInBrowser(url: string, options: OpenOptions = {}): LaunchPage | null {
  let page: LaunchPage;
  try {
    page = writeLaunchPage(url, options.tmpDir);
  } catch {
    return null;
  }
  const { command, args } = launchCommand(options.platform ?? process.platform, page.path);
  const child = (options.spawn ?? nodeSpawn)(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => undefined); // no system browser: the printed URL is enough
  child.unref();
  setTimeout(page.remove, options.keepMs ?? 60_000).unref();
  process.once('exit', page.remove);
  return page;
}
