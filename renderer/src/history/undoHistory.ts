// Undo/redo of document changes as a stack of op batches. Main answers every
// batch with the ops that undo it, so an entry never needs to know what the
// document held: undo applies `inverse` and the answer becomes the redo entry.
import type { DocOp } from '../../../common/contract/index.js';

export interface ApplyOps {
  /** Shows the change at once (optimistic local update). */
  applyLocal: (ops: DocOp[]) => void;
  /** Sends the ops to the main process and resolves with their inverse. */
  applyRemote: (ops: DocOp[]) => Promise<DocOp[]>;
  /**
   * A refusal that repeating can never fix (another client changed the
   * entry's target since): the undo or redo entry is dropped instead of kept.
   */
  isFinalRefusal?: (error: unknown) => boolean;
}

export interface HistoryEntry {
  ops: DocOp[];
  inverse: DocOp[];
  /** Consecutive entries with the same key collapse into one (e.g. dragging a colour picker). */
  mergeKey?: string;
}

export interface HistorySnapshot {
  canUndo: boolean;
  canRedo: boolean;
  /** Some change is shown but main has not acknowledged it yet. */
  saving: boolean;
}

const MAX_ENTRIES = 500;
/** Changes with the same merge key this close together are one gesture (a colour picker drag). */
const MERGE_WINDOW_MS = 1500;

/** Combines `later` into `earlier`: do both forwards, undo later first. */
export function mergeEntries(earlier: HistoryEntry, later: HistoryEntry): HistoryEntry {
  return { ops: [...earlier.ops, ...later.ops], inverse: [...later.inverse, ...earlier.inverse], mergeKey: later.mergeKey };
}

export class UndoHistory {
  private undoStack: HistoryEntry[] = [];
  private redoStack: HistoryEntry[] = [];
  // Every apply runs after the previous one settles, so undo never overtakes the change it undoes.
  private queue: Promise<unknown> = Promise.resolve();
  private lastPerformAt = 0;
  private inFlight = 0;

  constructor(
    private readonly apply: ApplyOps,
    private readonly onChange: (snapshot: HistorySnapshot) => void = () => {},
  ) {}

  snapshot(): HistorySnapshot {
    return { canUndo: this.undoStack.length > 0, canRedo: this.redoStack.length > 0, saving: this.inFlight > 0 };
  }

  /** Applies a new change and records it; rejects (recording nothing) when main refuses it. */
  perform(ops: DocOp[], mergeKey?: string): Promise<void> {
    this.apply.applyLocal(ops);
    return this.enqueue(async () => {
      const inverse = await this.apply.applyRemote(ops);
      const entry: HistoryEntry = mergeKey === undefined ? { ops, inverse } : { ops, inverse, mergeKey };
      const top = this.undoStack.at(-1);
      const now = Date.now();
      const merges = top !== undefined && mergeKey !== undefined && top.mergeKey === mergeKey && now - this.lastPerformAt < MERGE_WINDOW_MS;
      this.lastPerformAt = now;
      if (top && merges) this.undoStack[this.undoStack.length - 1] = mergeEntries(top, entry);
      else this.undoStack.push(entry);
      if (this.undoStack.length > MAX_ENTRIES) this.undoStack.shift();
      this.redoStack = [];
    });
  }

  /**
   * Records a change main made on its own (accept all proposals above a score:
   * the host builds and applies the batch) as one undo step. The change reaches
   * the local copy through 'document.changed'; the entry holds main's inverse,
   * and its redo entry is whatever undoing it answers, as for any other step.
   */
  performRemote(run: () => Promise<DocOp[]>): Promise<void> {
    return this.enqueue(async () => {
      const inverse = await run();
      this.lastPerformAt = 0;
      this.undoStack.push({ ops: [], inverse });
      if (this.undoStack.length > MAX_ENTRIES) this.undoStack.shift();
      this.redoStack = [];
    });
  }

  /** Resolves false when there was nothing to undo. */
  undo(): Promise<boolean> {
    return this.enqueue(() => this.move(this.undoStack, this.redoStack));
  }

  redo(): Promise<boolean> {
    return this.enqueue(() => this.move(this.redoStack, this.undoStack));
  }

  clear(): void {
    this.undoStack = [];
    this.redoStack = [];
    this.onChange(this.snapshot());
  }

  private async move(from: HistoryEntry[], to: HistoryEntry[]): Promise<boolean> {
    const entry = from.pop();
    if (!entry) return false;
    this.lastPerformAt = 0; // what follows an undo or redo is a new gesture
    try {
      this.apply.applyLocal(entry.inverse);
      const inverse = await this.apply.applyRemote(entry.inverse);
      to.push({ ops: entry.inverse, inverse });
      return true;
    } catch (error) {
      // Main refused: the entry stays where it was, unless it can never apply again.
      if (!this.apply.isFinalRefusal?.(error)) from.push(entry);
      throw error;
    }
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.onChange(this.snapshot());
    const run = this.queue.then(task).finally(() => {
      this.inFlight--;
      this.onChange(this.snapshot());
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
