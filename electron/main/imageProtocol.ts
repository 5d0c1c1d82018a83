// Serves project images to the sandboxed renderer through a private scheme,
// so the renderer never needs file:// access to the user's folders.
import { protocol } from 'electron';
import { AppError } from '../../common/contract/index.js';
import { IMAGE_SCHEME } from '../../common/contract/bridge.js';

export function registerImageSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

export function handleImageScheme(imageBytes: (imageId: number, kind: 'full' | 'thumb') => Promise<{ body: Buffer; contentType: string }>): void {
  protocol.handle(IMAGE_SCHEME, async (request) => {
    const url = new URL(request.url);
    const match = /^\/(\d+)$/.exec(url.pathname);
    if (url.hostname !== 'image' || !match) return new Response('Not found', { status: 404 });
    try {
      const { body, contentType } = await imageBytes(Number(match[1]), url.searchParams.get('kind') === 'thumb' ? 'thumb' : 'full');
      // Konva reads pixels back (brush, masks): the canvas must stay untainted.
      return new Response(new Uint8Array(body), { headers: { 'Content-Type': contentType, 'Access-Control-Allow-Origin': '*' } });
    } catch (error) {
      const status = error instanceof AppError && error.code === 'not_found' ? 404 : 500;
      return new Response(error instanceof Error ? error.message : 'error', { status });
    }
  });
}
