// Registers app:// (see appScheme.ts): the renderer and its images come from
// one privileged custom origin instead of file://, so the page has no reach
// into the user's disk and its CSP 'self' names only the built renderer.
import { protocol } from 'electron';

import { APP_SCHEME } from '../../common/contract/bridge.js';
import { appSchemeResponse, type AppSchemeSources } from './appScheme.js';

/** Must run before the app is ready. */
export function registerAppSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    // standard: a real origin (relative URLs, 'self', storage); secure: like https; corsEnabled: module scripts
    // load in CORS mode (answers carry no Access-Control-Allow-Origin, so no other origin can read them). No CSP bypass.
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

export function handleAppScheme(sources: AppSchemeSources): void {
  protocol.handle(APP_SCHEME, (request) => appSchemeResponse({ url: request.url, method: request.method }, sources));
}
