// Word-level tokenizer matching models/training/tokenizer.py: lower-case,
// split on the manifest's word regex, unknown words -> [UNK]. Never throws
// on odd input; an empty phrase still yields one [UNK] token.
import { readFile } from 'node:fs/promises';

import { z } from 'zod';

const tokenizerSchema = z.object({
  type: z.literal('word-level'),
  lowercase: z.boolean(),
  split_regex: z.string(),
  max_length: z.number().int().positive(),
  pad_id: z.number().int(),
  unk_id: z.number().int(),
  vocab: z.record(z.string(), z.number().int()),
});

export interface TokenizedPhrase {
  ids: BigInt64Array;
  attentionMask: BigInt64Array;
}

export class WordTokenizer {
  private readonly vocab: Map<string, number>;
  private readonly splitter: RegExp;

  constructor(private readonly spec: z.infer<typeof tokenizerSchema>) {
    this.vocab = new Map(Object.entries(spec.vocab));
    this.splitter = new RegExp(spec.split_regex, 'g');
  }

  static async load(path: string): Promise<WordTokenizer> {
    const raw: unknown = JSON.parse(await readFile(path, 'utf8'));
    return new WordTokenizer(tokenizerSchema.parse(raw));
  }

  get vocabulary(): string[] {
    return [...this.vocab.keys()];
  }

  ids(text: string): number[] {
    const norm = this.spec.lowercase ? text.toLowerCase() : text;
    const words = (norm.match(this.splitter) ?? []).slice(0, this.spec.max_length);
    const ids = words.map((w) => this.vocab.get(w) ?? this.spec.unk_id);
    return ids.length > 0 ? ids : [this.spec.unk_id];
  }

  encode(text: string): TokenizedPhrase {
    const ids = this.ids(text);
    return {
      ids: BigInt64Array.from(ids, (v) => BigInt(v)),
      attentionMask: BigInt64Array.from(ids, () => 1n),
    };
  }
}
