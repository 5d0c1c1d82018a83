// The reference-region picker: choose an image of the project, drag a box or
// scribble over the example object on it; that region becomes the request's
// `reference` prompt ("find more like this").
import { type PointerEvent as ReactPointerEvent, useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { ImageRecord, ReferencePromptInput } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import { type Corners, cornersOf } from '../lib/corners.js';
import { useAppStore } from '../store/appStore.js';
import { ModalDialog } from './ModalDialog.js';

type Region = { kind: 'box'; box: Corners } | { kind: 'scribble'; points: [number, number][] };

/** How many images the picker lists (the search narrows it down). */
const PICKER_LIMIT = 200;
/** Drags shorter than this (image px) are clicks, not regions. */
const MIN_REGION = 2;

const fileName = (relPath: string) => relPath.slice(relPath.lastIndexOf('/') + 1);

export function regionToReference(imageId: number, region: Region): ReferencePromptInput {
  return region.kind === 'box' ? { imageId, box: region.box } : { imageId, points: region.points };
}

export function ReferenceDialog() {
  const { currentImageId, setReferenceOpen, session, showError } = useAppStore(
    useShallow((s) => ({
      currentImageId: s.currentImage?.id ?? null,
      setReferenceOpen: s.setReferenceOpen,
      session: s.aiSession,
      showError: s.showError,
    })),
  );
  const imageRef = useRef<HTMLImageElement>(null);
  const [search, setSearch] = useState('');
  const [images, setImages] = useState<ImageRecord[]>([]);
  const [imageId, setImageId] = useState<number | null>(null);
  const [mode, setMode] = useState<'box' | 'scribble'>('box');
  const [region, setRegion] = useState<Region | null>(null);
  /** The reference image's size once it has loaded (tagged with its id: a late load of another image must not count). */
  const [loaded, setLoaded] = useState<{ imageId: number; width: number; height: number } | null>(null);
  const size = loaded !== null && loaded.imageId === imageId ? loaded : null;
  const drag = useRef<{ start: [number, number]; scribble: boolean } | null>(null);

  useEffect(() => {
    let current = true;
    api
      .call('images.list', { offset: 0, limit: PICKER_LIMIT, ...(search.trim() ? { search: search.trim() } : {}) })
      .then((page) => {
        if (!current) return;
        setImages(page.items);
        // Another image than the one being annotated, by default.
        setImageId((id) =>
          id !== null && page.items.some((i) => i.id === id)
            ? id
            : ((page.items.find((i) => i.id !== currentImageId) ?? page.items[0])?.id ?? null),
        );
      })
      .catch(showError);
    return () => {
      current = false;
    };
  }, [search, currentImageId, showError]);

  useEffect(() => setRegion(null), [imageId]);

  const close = () => setReferenceOpen(false);
  const use = () => {
    if (imageId === null || !region) return;
    session.setReference(regionToReference(imageId, region));
    close();
  };

  /** Pointer position in the reference image's pixels. */
  const imagePoint = (e: ReactPointerEvent): [number, number] | null => {
    const image = imageRef.current;
    if (!image || !size) return null;
    const rect = image.getBoundingClientRect();
    const x = ((e.clientX - rect.left) * size.width) / rect.width;
    const y = ((e.clientY - rect.top) * size.height) / rect.height;
    return [Math.max(0, Math.min(size.width - 1, x)), Math.max(0, Math.min(size.height - 1, y))];
  };

  const onPointerDown = (e: ReactPointerEvent) => {
    const p = imagePoint(e);
    if (!p || e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const scribble = mode === 'scribble' || e.shiftKey;
    drag.current = { start: p, scribble };
    setRegion(scribble ? { kind: 'scribble', points: [p] } : null);
  };
  const onPointerMove = (e: ReactPointerEvent) => {
    const d = drag.current;
    const p = d && imagePoint(e);
    if (!d || !p) return;
    if (d.scribble) {
      setRegion((r) => (r?.kind === 'scribble' ? { kind: 'scribble', points: [...r.points, p] } : r));
      return;
    }
    if (size) setRegion({ kind: 'box', box: cornersOf(d.start[0], d.start[1], p[0], p[1], size.width, size.height) });
  };
  const onPointerUp = () => {
    const d = drag.current;
    drag.current = null;
    // A click is neither a box nor a useful scribble.
    setRegion((r) => {
      if (!d || !r) return r;
      if (r.kind === 'box') return r.box[2] - r.box[0] >= MIN_REGION && r.box[3] - r.box[1] >= MIN_REGION ? r : null;
      return r;
    });
  };

  return (
    <ModalDialog
      className="reference-dialog"
      testId="reference-dialog"
      title="Reference region"
      onClose={close}
      onKey={(e) => {
        if (e.key === 'Enter' && region && !(e.target instanceof HTMLInputElement)) use();
      }}
    >
      <div className="reference-controls">
        <input type="search" placeholder="Search file names" value={search} onChange={(e) => setSearch(e.target.value)} />
        <select data-testid="reference-image-select" value={imageId ?? ''} onChange={(e) => setImageId(Number(e.target.value))}>
          {images.map((i) => (
            <option key={i.id} value={i.id}>
              {fileName(i.relPath)}
              {i.id === currentImageId ? ' (this image)' : ''}
            </option>
          ))}
        </select>
        <div className="tool-group" role="radiogroup" aria-label="Region kind">
          <button
            type="button"
            data-testid="reference-mode-box"
            className={mode === 'box' ? 'is-active' : ''}
            onClick={() => setMode('box')}
          >
            Box
          </button>
          <button
            type="button"
            data-testid="reference-mode-scribble"
            className={mode === 'scribble' ? 'is-active' : ''}
            onClick={() => setMode('scribble')}
          >
            Scribble
          </button>
        </div>
      </div>
      <p className="muted">Drag a box around an example object (Shift+drag or Scribble mode: scribble on it).</p>
      {imageId !== null && (
        <div
          className="reference-surface"
          data-testid="reference-surface"
          data-image-id={imageId}
          data-natural-width={size?.width ?? 0}
          data-natural-height={size?.height ?? 0}
          data-region={region?.kind ?? ''}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
        >
          <img
            key={imageId}
            ref={imageRef}
            src={api.imageUrl(imageId, 'full')}
            alt=""
            draggable={false}
            onLoad={(e) => setLoaded({ imageId, width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })}
            onError={() => showError(`Could not load image ${imageId}.`)}
          />
          {region && size && (
            <svg className="reference-region" viewBox={`0 0 ${size.width} ${size.height}`} preserveAspectRatio="none">
              {region.kind === 'box' ? (
                <rect
                  x={region.box[0]}
                  y={region.box[1]}
                  width={region.box[2] - region.box[0]}
                  height={region.box[3] - region.box[1]}
                  vectorEffect="non-scaling-stroke"
                />
              ) : (
                <polyline points={region.points.map((p) => p.join(',')).join(' ')} vectorEffect="non-scaling-stroke" />
              )}
            </svg>
          )}
        </div>
      )}
      <div className="popover-actions">
        <button type="button" data-testid="reference-cancel" onClick={close}>
          Cancel
        </button>
        <button type="button" className="primary" data-testid="reference-use" disabled={!region || imageId === null} onClick={use}>
          Use region
        </button>
      </div>
    </ModalDialog>
  );
}
