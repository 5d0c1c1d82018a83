// One Content-Security-Policy for the renderer in both modes (browser mode's
// HTML responses, Electron's app:// documents): nothing remote, no inline or
// eval'd scripts.
export function contentSecurityPolicy(connectSrc: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React and Konva set element styles; no remote stylesheets.
    "style-src 'self' 'unsafe-inline'",
    // Images come from the app's own origin in both modes (/image/N).
    "img-src 'self' data: blob:",
    `connect-src ${connectSrc}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
