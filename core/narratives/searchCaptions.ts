// Project-wide search over caption text (case-insensitive substring), in
// image order, for the caption panel's search box.
import type { CaptionHit } from '../../common/contract/index.js';
import type { Project } from '../store/project.js';
import { CAPTION_COLUMNS, captionFromRow, type CaptionRow } from '../store/rows.js';

export function searchCaptions(project: Project, query: string, limit: number): CaptionHit[] {
  // LIKE with an escape character, so % and _ in the query are matched as themselves.
  const pattern = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = project.db
    .prepare(
      `SELECT ${CAPTION_COLUMNS.split(', ')
        .map((column) => `c.${column}`)
        .join(', ')}, i.rel_path AS rel_path
       FROM captions c JOIN images i ON i.id = c.image_id
       WHERE lower(c.text) LIKE ? ESCAPE '\\'
       ORDER BY i.sort_key, c.created_at, c.id LIMIT ?`,
    )
    .all(pattern, limit) as (CaptionRow & { rel_path: string })[];
  return rows.map((row) => ({ caption: captionFromRow(row), relPath: row.rel_path }));
}
