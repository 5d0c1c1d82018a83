// npm's own settings, read the way npm reads them, for the few this app
// follows (registry, proxies, cafile): `npm_config_<key>` in the environment
// (as npm sets it for scripts, and as users export it), then ~/.npmrc.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface NpmConfigSources {
  env?: NodeJS.ProcessEnv;
  /** npm's user config file; null to ignore it. Default ~/.npmrc. */
  npmrcPath?: string | null;
}

/** `key=value` lines of an .npmrc (comments and `${VAR}` references are left alone: the values read here have neither). */
function npmrcValue(path: string, key: string): string | null {
  if (!existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  let value: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0 || trimmed.slice(0, eq).trim() !== key) continue;
    value = trimmed
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return value || null;
}

/** One npm setting: the environment (npm_config_https_proxy for `https-proxy`, either case) before ~/.npmrc; null when unset. */
export function npmConfigValue(key: string, sources: NpmConfigSources = {}): string | null {
  const env = sources.env ?? process.env;
  const envKey = key.replace(/-/g, '_');
  const fromEnv = env[`npm_config_${envKey}`] ?? env[`NPM_CONFIG_${envKey.toUpperCase()}`];
  if (fromEnv) return fromEnv;
  const npmrc = sources.npmrcPath === undefined ? join(homedir(), '.npmrc') : sources.npmrcPath;
  return npmrc ? npmrcValue(npmrc, key) : null;
}
