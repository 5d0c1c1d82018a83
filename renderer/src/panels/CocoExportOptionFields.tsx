// The COCO export's shape options (docs/coco.md) as form fields, shared by the
// COCO buttons and the dataset export's format list so both offer the same.
import type { RequestOf } from '../../../common/contract/index.js';

export type CocoExportOptions = Pick<RequestOf<'coco.export'>, 'masks' | 'boxes' | 'decimals' | 'imageSize'>;
export const DEFAULT_COCO_EXPORT_OPTIONS: CocoExportOptions = { masks: 'rle', boxes: 'polygon', imageSize: 'display' };

export function CocoExportOptionFields({
  value,
  onChange,
}: {
  value: CocoExportOptions;
  onChange: (change: Partial<CocoExportOptions>) => void;
}) {
  return (
    <>
      <label>
        Masks
        <select value={value.masks} onChange={(e) => onChange({ masks: e.target.value as CocoExportOptions['masks'] })}>
          <option value="rle">RLE</option>
          <option value="polygons">Polygons (outer rings; masks with holes stay RLE)</option>
        </select>
      </label>
      <label>
        Boxes
        <select value={value.boxes} onChange={(e) => onChange({ boxes: e.target.value as CocoExportOptions['boxes'] })}>
          <option value="polygon">4-point polygons</option>
          <option value="bbox">bbox only, empty segmentation</option>
        </select>
      </label>
      <label>
        Coordinates
        <select
          value={value.decimals === undefined ? '' : String(value.decimals)}
          onChange={(e) => onChange({ decimals: e.target.value === '' ? undefined : Number(e.target.value) })}
        >
          <option value="">As stored</option>
          <option value="2">Rounded to 2 decimals</option>
        </select>
      </label>
      <label>
        Image size
        <select value={value.imageSize} onChange={(e) => onChange({ imageSize: e.target.value as CocoExportOptions['imageSize'] })}>
          <option value="display">As displayed (EXIF orientation applied)</option>
          <option value="raw">Stored pixels (for loaders that ignore EXIF)</option>
        </select>
      </label>
    </>
  );
}
