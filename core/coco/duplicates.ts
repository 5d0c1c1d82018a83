// Annotations already in the project that an import would add again: same
// image, same label and the same geometry (its canonical JSON, which an
// import of the same file reproduces byte for byte). Each existing annotation
// matches at most one incoming one.
import type Database from 'better-sqlite3';

import { MASK_JSON_PREFIX } from '../store/rows.js';
import type { SizedImage } from './projectImages.js';

export class ExistingAnnotations {
  private readonly byImage = new Map<number, Map<string, string[]>>();
  private readonly select: Database.Statement<[number], { id: string; label_id: string | null; geometry: string }> | null;

  constructor(db: Database.Database, images: readonly SizedImage[]) {
    const any = images.length > 0 && db.prepare('SELECT 1 FROM annotations LIMIT 1').get() !== undefined;
    // A fresh project (the common bulk case) pays nothing.
    this.select = any ? db.prepare('SELECT id, label_id, geometry FROM annotations WHERE image_id = ?') : null;
  }

  /** The id of an unmatched existing annotation equal to this one, now matched; null when none. */
  take(imageId: number, labelId: string, geometryJson: string): string | null {
    if (!this.select) return null;
    let keys = this.byImage.get(imageId);
    if (!keys) {
      // Loaded on the image's first annotation, before this import writes any to it.
      keys = new Map();
      for (const row of this.select.iterate(imageId)) {
        const key = `${row.label_id ?? ''}\n${sameShape(row.geometry)}`;
        const ids = keys.get(key);
        if (ids) ids.push(row.id);
        else keys.set(key, [row.id]);
      }
      this.byImage.set(imageId, keys);
    }
    const ids = keys.get(`${labelId}\n${sameShape(geometryJson)}`);
    return ids?.shift() ?? null;
  }
}

/** A mask's RLE without the outline kept for editing: the RLE is the shape. */
function sameShape(json: string): string {
  if (!json.startsWith(MASK_JSON_PREFIX)) return json;
  const end = json.indexOf('}', MASK_JSON_PREFIX.length);
  return end > 0 ? json.slice(0, end + 1) : json;
}
