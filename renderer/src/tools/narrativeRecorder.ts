// Recording a narrative (the Localized Narratives protocol with typing for
// speech): the pointer is sampled once a display frame with the time since
// the start, the text keeps when each character was typed, and stopping
// gives the words with their spans and points. A new trace segment starts
// each time the pointer comes back over the image, as LN's traces do.
import type { TracePoint, TraceWord } from '../../../common/contract/index.js';
import { wordsFromTyping } from '../../../common/narrative/alignment.js';
import { applyTyping, type TimedChar } from '../../../common/narrative/typing.js';

/** How far outside the image (fraction of its side) the pointer still counts as over it: LN kept a small band. */
const IMAGE_BAND = 0.05;

export interface RecordedNarrative {
  text: string;
  words: TraceWord[];
  trace: TracePoint[][];
}

export class NarrativeRecorder {
  private chars: TimedChar[] = [];
  private readonly segments: TracePoint[][] = [];
  private inSegment = false;

  /** `startMs`: the clock reading (performance.now()) when recording began; `image`: its size in pixels. */
  constructor(
    private readonly startMs: number,
    private readonly image: { width: number; height: number },
  ) {}

  private seconds(nowMs: number): number {
    return Math.max(0, (nowMs - this.startMs) / 1000);
  }

  /** One display frame: the pointer in image pixels, or null when it is off the canvas. */
  sample(nowMs: number, pointer: { x: number; y: number } | null): void {
    const { width, height } = this.image;
    const over =
      pointer !== null &&
      pointer.x >= -IMAGE_BAND * width &&
      pointer.x <= (1 + IMAGE_BAND) * width &&
      pointer.y >= -IMAGE_BAND * height &&
      pointer.y <= (1 + IMAGE_BAND) * height;
    if (!over) {
      this.inSegment = false;
      return;
    }
    const t = this.seconds(nowMs);
    if (!this.inSegment) {
      this.segments.push([]);
      this.inSegment = true;
    }
    this.segments.at(-1)!.push({ x: pointer.x, y: pointer.y, t });
  }

  /** The text field now holds `text`. */
  type(nowMs: number, text: string): void {
    this.chars = applyTyping(this.chars, text, this.seconds(nowMs));
  }

  get text(): string {
    return this.chars.map((c) => c.char).join('');
  }

  /** The trace so far (the canvas draws it while recording). */
  get trace(): readonly (readonly TracePoint[])[] {
    return this.segments;
  }

  /** The narrative as recorded: text without the spaces at its ends, its words, the trace. */
  finish(): RecordedNarrative {
    const trace = this.segments.filter((segment) => segment.length > 0).map((segment) => [...segment]);
    return { text: this.text.trim(), words: wordsFromTyping(this.chars, trace), trace };
  }
}
