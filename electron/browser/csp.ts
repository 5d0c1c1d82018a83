// One Content-Security-Policy for the renderer in both modes: nothing remote,
// no inline or eval'd scripts.
export function contentSecurityPolicy(connectSrc: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React and Konva set element styles; no remote stylesheets.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: promptlabel-image:",
    `connect-src ${connectSrc}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
