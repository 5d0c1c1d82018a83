// Which annotation revisions this client itself replaced, so that its own
// follow-up writes are not mistaken for stale ones. An op is based on the
// revision the client held when it built the op; a quick second edit (built
// before main answered the first) or an undo (based on what an earlier batch
// wrote, since rewritten by this client's later batches) is based on a
// revision that only this client's own writes superseded. Such a base is
// sent as this client's latest revision. A base another client superseded is
// sent unchanged, so main refuses it: undo only reverts what this client did.
import type { AnnotationRevision, DocOp } from '../../../common/contract/index.js';

interface Chain {
  /** Revisions this client's own batches replaced, one after another (0: it created the annotation). */
  superseded: Set<number>;
  /** The revision its latest batch left; 0 when that batch deleted it. */
  latest: number;
}

export class OwnRevisions {
  private chains = new Map<string, Chain>();

  /** The base to send for an annotation held at `revision`. */
  resolve(id: string, revision: number): number {
    const chain = this.chains.get(id);
    return chain && chain.latest > 0 && chain.superseded.has(revision) ? chain.latest : revision;
  }

  /** The ops as they are sent: every annotation base resolved. */
  rebase(ops: readonly DocOp[]): DocOp[] {
    return ops.map((op) => {
      if (op.type === 'annotation.put') {
        const revision = this.resolve(op.annotation.id, op.annotation.revision);
        return revision === op.annotation.revision ? op : { ...op, annotation: { ...op.annotation, revision } };
      }
      if (op.type === 'annotation.delete') {
        const revision = this.resolve(op.id, op.revision);
        return revision === op.revision ? op : { ...op, revision };
      }
      return op;
    });
  }

  /** Takes in the revisions main answered for one of this client's batches. */
  record(revisions: readonly AnnotationRevision[]): void {
    for (const { id, previous, revision } of revisions) {
      const chain = this.chains.get(id);
      if (chain && chain.latest === previous) {
        chain.superseded.add(previous);
        chain.latest = revision;
      } else {
        // Based on a revision someone else wrote (or the first write this session): a new chain.
        this.chains.set(id, { superseded: new Set([previous]), latest: revision });
      }
    }
  }

  clear(): void {
    this.chains = new Map();
  }
}

/** Local copies of annotations a batch of this client wrote, with the revision they now hold (the same array when none changed). */
export function adoptOwnRevisions<T extends { id: string; revision: number }>(
  items: T[],
  revisions: readonly AnnotationRevision[],
  own: OwnRevisions,
): T[] {
  const written = new Set(revisions.filter((r) => r.revision > 0).map((r) => r.id));
  let changed = false;
  const next = items.map((item) => {
    if (!written.has(item.id)) return item;
    const revision = own.resolve(item.id, item.revision);
    if (revision === item.revision) return item;
    changed = true;
    return { ...item, revision };
  });
  return changed ? next : items;
}
