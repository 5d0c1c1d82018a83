// Matches COCO images to project images by relative path and makes sure the
// project knows each one's size (reading headers only where it does not).
import { AppError } from '../../common/contract/index.js';
import { containedFileOf } from '../store/containedPath.js';
import { type Project, readImageSize } from '../store/project.js';

export interface SizedImage {
  id: number;
  relPath: string;
  width: number;
  height: number;
  /** True when the size was just read from the header and not stored yet. */
  sizeIsNew: boolean;
}

interface ImageSizeRow {
  id: number;
  rel_path: string;
  width: number | null;
  height: number | null;
}

const HEADER_READS_IN_FLIGHT = 32;
const SYNC_READS_PER_TURN = 200;

/**
 * Every given project image row with a known size; missing sizes are read
 * from headers concurrently. An unreadable header fails the whole call, or,
 * when `onUnreadable` is given, is reported there and that row left out.
 */
export async function withSizes(
  project: Project,
  rows: readonly ImageSizeRow[],
  onRead?: (done: number) => void,
  onUnreadable?: (row: ImageSizeRow, reason: string) => void,
): Promise<SizedImage[]> {
  const sized: (SizedImage | null)[] = new Array(rows.length);
  let next = 0;
  let done = 0;
  const contained = containedFileOf(project.dir);
  let sinceTurn = 0;
  let turn: Promise<void> | null = null;
  const worker = async () => {
    while (next < rows.length) {
      // Most headers are read synchronously (readImageSize), so every worker waits for the event loop's turn now and then.
      if (++sinceTurn === SYNC_READS_PER_TURN) {
        sinceTurn = 0;
        turn = new Promise((resolve) =>
          setImmediate(() => {
            turn = null;
            resolve();
          }),
        );
      }
      if (turn) await turn;
      if (next >= rows.length) break;
      const index = next++;
      const row = rows[index]!;
      if (row.width !== null && row.height !== null) {
        sized[index] = { id: row.id, relPath: row.rel_path, width: row.width, height: row.height, sizeIsNew: false };
      } else {
        try {
          const { width, height } = await readImageSize(contained(row.rel_path), row.rel_path);
          sized[index] = { id: row.id, relPath: row.rel_path, width, height, sizeIsNew: true };
        } catch (error) {
          if (!onUnreadable) throw error;
          sized[index] = null;
          onUnreadable(row, (error as Error).message);
        }
        onRead?.(++done);
      }
    }
  };
  await Promise.all(Array.from({ length: HEADER_READS_IN_FLIGHT }, worker));
  return sized.filter((image): image is SizedImage => image !== null);
}

export function imageRowsByPath(project: Project): Map<string, ImageSizeRow> {
  const rows = project.db.prepare('SELECT id, rel_path, width, height FROM images').all() as ImageSizeRow[];
  return new Map(rows.map((row) => [row.rel_path, row]));
}

export function storeNewSizes(project: Project, images: readonly SizedImage[]): void {
  const update = project.db.prepare('UPDATE images SET width = ?, height = ? WHERE id = ?');
  for (const image of images) if (image.sizeIsNew) update.run(image.width, image.height, image.id);
}

export function unknownImage(fileName: string, index: number): AppError {
  const path = `images[${index}].file_name`;
  return new AppError('invalid_file', `${path}: "${fileName}" is not an image of this project.`, path);
}
