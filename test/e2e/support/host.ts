// Starts the real browser-mode host (the built CLI) as a child process and
// reads the URL it prints, as a user would.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');

export interface RunningHost {
  url: string;
  process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A fresh project folder holding copies of the first `count` images of assets/samples (synthetic) or assets/photos (real). */
export function sampleProject(count = 6, from: 'samples' | 'photos' = 'samples'): string {
  const dir = mkdtempSync(join(tmpdir(), 'promptlabel-e2e-'));
  const samples = join(repoRoot, 'assets', from);
  const images = readdirSync(samples)
    .filter((name) => /\.(png|jpe?g)$/i.test(name))
    .sort()
    .slice(0, count);
  if (images.length === 0) throw new Error(`no sample images in ${samples}`);
  for (const name of images) cpSync(join(samples, name), join(dir, name));
  return dir;
}

export async function startHost(projectDir: string, userDataDir = mkdtempSync(join(tmpdir(), 'promptlabel-user-'))): Promise<RunningHost> {
  mkdirSync(userDataDir, { recursive: true });
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'electron', 'cli.cjs'), 'serve', '--project', projectDir, '--port', '0'], {
    env: { ...process.env, PROMPTLABEL_USER_DATA: userDataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    process: child,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
