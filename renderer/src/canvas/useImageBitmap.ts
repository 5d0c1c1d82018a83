// Loads the full-resolution image of the given id; null until it has decoded.
import { useEffect, useState } from 'react';

import { api } from '../api/client.js';

export function useImageBitmap(imageId: number | null, onError: (message: string) => void): HTMLImageElement | null {
  const [loaded, setLoaded] = useState<{ id: number; image: HTMLImageElement } | null>(null);
  useEffect(() => {
    if (imageId === null) return;
    let current = true;
    const image = new Image();
    image.decoding = 'async';
    image.src = api.imageUrl(imageId, 'full');
    image
      .decode()
      .then(() => current && setLoaded({ id: imageId, image }))
      .catch(() => current && onError(`Could not load image ${imageId}.`));
    return () => {
      current = false;
    };
  }, [imageId, onError]);
  return loaded && loaded.id === imageId ? loaded.image : null;
}
