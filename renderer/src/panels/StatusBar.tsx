// Bottom bar: image name and size, zoom, cursor position in image pixels,
// and whether every change shown has been stored.
import { useShallow } from 'zustand/react/shallow';

import { useAppStore } from '../store/appStore.js';
import { STATUS_NAMES } from './statusNames.js';

export function StatusBar() {
  const { image, scale, cursor, index, total, tool, saving } = useAppStore(
    useShallow((s) => ({
      image: s.currentImage,
      scale: s.view.scale,
      cursor: s.cursor,
      index: s.currentIndex,
      total: s.imageTotal,
      tool: s.activeTool,
      saving: s.saving,
    })),
  );
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span>{image ? image.relPath : 'No image'}</span>
      {image && <span>{STATUS_NAMES[image.status]}</span>}
      {index !== null && <span>{`${index + 1} / ${total}`}</span>}
      <span data-testid="image-size">{image?.width && image.height ? `${image.width} × ${image.height}` : '–'}</span>
      <span data-testid="zoom-level">{Math.round(scale * 100)}%</span>
      <span data-testid="cursor-position" className="cursor-position">
        {cursor ? `x ${Math.floor(cursor.x)}  y ${Math.floor(cursor.y)}` : ''}
      </span>
      <span className="spacer" />
      {/* Every edit is stored as it is made; this says when the last one is. */}
      <span
        data-testid="save-state"
        data-state={saving ? 'saving' : 'saved'}
        className={saving ? 'save-state is-saving' : 'save-state muted'}
      >
        {saving ? 'Saving…' : 'All changes saved'}
      </span>
      <span className="muted">{tool} tool · press ? for shortcuts</span>
    </footer>
  );
}
