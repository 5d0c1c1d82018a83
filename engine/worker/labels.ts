// Open-set labelling (SEEM / X-Decoder): a mask's class embedding is matched
// by cosine similarity against the text embeddings of the label list.
export interface LabelMatch {
  label: string;
  score: number;
  index: number;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  // A length mismatch means embeddings from different spaces (or a model without class embeddings).
  if (a.length !== b.length) throw new Error(`cannot compare embeddings of ${a.length} and ${b.length} values`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(Math.max(na * nb, 1e-12));
}

export function nearestLabel(embedding: Float32Array, vocabulary: ReadonlyArray<{ label: string; embedding: Float32Array }>): LabelMatch {
  let best: LabelMatch = { label: '', score: -Infinity, index: -1 };
  vocabulary.forEach((entry, index) => {
    const score = cosine(embedding, entry.embedding);
    if (score > best.score) best = { label: entry.label, score, index };
  });
  if (best.index < 0) throw new Error('empty vocabulary');
  return best;
}
