// The dataset import dialog's label map, typed as lines.
/** "dataset label = project label" lines → the request's label map; an error message for a bad line. */
export function parseLabelMapLines(text: string): Record<string, string> | string {
  const map: Record<string, string> = {};
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    const from = at < 0 ? '' : line.slice(0, at).trim();
    const to = at < 0 ? '' : line.slice(at + 1).trim();
    if (from === '' || to === '') return `Label map line ${index + 1}: write "dataset label = project label".`;
    map[from] = to;
  }
  return map;
}
