// The one allow-list of web pages the app may hand to the system browser
// (shell.openExternal). Anything the renderer asks to open that is not under
// one of these prefixes is dropped: a compromised page cannot launch
// arbitrary URLs, custom protocol handlers or local files through the OS.
//
// The renderer links to no web page today (no href, window.open or https URL
// in renderer/src), so the list is empty and every request is refused. Add
// the documentation site's prefix here, ending in '/', when a link to it is
// added to the renderer.
export const DOC_LINK_PREFIXES: readonly string[] = [];

function parseHttps(url: string): URL | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * The URL to open externally, or null to open nothing. A prefix matches on
 * the parsed URL (same origin, path at or under the prefix's path, compared
 * after the URL parser has resolved dot segments and default ports), so
 * "https://docs.example/x/../../evil" or "https://docs.example.evil/" cannot
 * pass for "https://docs.example/". The answer is the parser's normalised form.
 */
export function externalLinkTarget(url: string, prefixes: readonly string[] = DOC_LINK_PREFIXES): string | null {
  const target = parseHttps(url);
  if (!target) return null;
  for (const prefix of prefixes) {
    const allowed = parseHttps(prefix);
    if (!allowed || allowed.origin !== target.origin) continue;
    const base = allowed.pathname.endsWith('/') ? allowed.pathname : `${allowed.pathname}/`;
    if (target.pathname === allowed.pathname || target.pathname.startsWith(base)) return target.href;
  }
  return null;
}
