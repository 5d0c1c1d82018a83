// Bottom bar: image name and size, zoom, cursor position in image pixels.
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../store/appStore.js';
import { STATUS_NAMES } from './statusNames.js';

export function StatusBar() {
  const { image, scale, cursor, index, total, tool } = useAppStore(
    useShallow((s) => ({ image: s.currentImage, scale: s.view.scale, cursor: s.cursor, index: s.currentIndex, total: s.imageTotal, tool: s.activeTool })),
  );
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span>{image ? image.relPath : 'No image'}</span>
      {image && <span>{STATUS_NAMES[image.status]}</span>}
      {index !== null && <span>{`${index + 1} / ${total}`}</span>}
      <span data-testid="image-size">{image?.width && image.height ? `${image.width} × ${image.height}` : '–'}</span>
      <span data-testid="zoom-level">{Math.round(scale * 100)}%</span>
      <span data-testid="cursor-position" className="cursor-position">{cursor ? `x ${Math.floor(cursor.x)}  y ${Math.floor(cursor.y)}` : ''}</span>
      <span className="spacer" />
      <span className="muted">{tool} tool · press ? for shortcuts</span>
    </footer>
  );
}
