// The review queue of the open image: the auto-label proposals waiting on it,
// the score threshold below which they are hidden (and not accepted by
// "accept all"), the selected one, and the review itself. Accepting and
// rejecting are document batches (common/review/proposalOps.ts) sent through
// `commit`, so they are shown at once and undone like any other edit; "accept
// all above the threshold" is built by the host and recorded as one undo step.
import type { DocOp, DocumentChange, ImageRecord, Proposal, ProposalRecord } from '../../../common/contract/index.js';
import { measureGeometry } from '../../../common/geometry/measure.js';
import { acceptOps, rejectOps } from '../../../common/review/proposalOps.js';
import { api } from '../api/client.js';
import type { AppState } from './appStore.js';
import { CLIENT_ORIGIN } from './historySlice.js';
import type { SliceCreator } from './sliceTypes.js';

export const DEFAULT_PROPOSAL_THRESHOLD = 0.5;

export interface ProposalsSlice {
  /** The proposals of `proposalsImageId`, best score first. */
  proposals: ProposalRecord[];
  /** Which image `proposals` belong to; null before the first load or while one is loading. */
  proposalsImageId: number | null;
  /** Proposals scoring below this are hidden, skipped by Tab and left out of "accept all". */
  proposalThreshold: number;
  selectedProposalId: string | null;
  /** A label the reviewer chose for a proposal before accepting it (by proposal id). */
  proposalLabels: Record<string, string | null>;
  loadProposals: (imageId: number) => Promise<void>;
  /** Reloads the open image's proposals when one of `imageIds` is it. */
  reloadProposalsOf: (imageIds: readonly number[]) => void;
  setProposalThreshold: (threshold: number) => void;
  selectProposal: (id: string | null) => void;
  /** Next (1) or previous (-1) shown proposal, wrapping around. */
  cycleProposal: (direction: 1 | -1) => void;
  /** The label the selected proposal will be accepted with. */
  relabelProposal: (labelId: string | null) => void;
  /** Accepts the selected proposal (or `id`) as an annotation: one undo step. */
  acceptProposal: (id?: string) => void;
  rejectProposal: (id?: string) => void;
  /** Every proposal at or above the threshold on the open image, or in the whole project: one undo step. */
  acceptProposalsAbove: (scope: 'image' | 'project') => Promise<void>;
  /** Opens the next (1) or previous (-1) image with proposals (the list's review filter gains "has proposals"). */
  stepImageWithProposals: (direction: 1 | -1) => Promise<void>;
  /** The local copy of this window's own batch (optimistic, and undo / redo). */
  applyProposalOps: (ops: readonly DocOp[]) => void;
  /** Another client's batch, or one main built for this window: reload what it reviewed. */
  applyProposalChange: (change: DocumentChange) => void;
}

/** The proposals the reviewer sees: at or above the threshold, best first. */
export const shownProposals = (s: Pick<AppState, 'proposals' | 'proposalThreshold'>): ProposalRecord[] =>
  s.proposals.filter((p) => p.score >= s.proposalThreshold);

export const selectedProposal = (s: Pick<AppState, 'proposals' | 'proposalThreshold' | 'selectedProposalId'>): ProposalRecord | null =>
  shownProposals(s).find((p) => p.id === s.selectedProposalId) ?? null;

/** The label a proposal is accepted with: the reviewer's choice, else the proposed one. */
export const proposalLabelId = (s: Pick<AppState, 'proposalLabels'>, proposal: Proposal): string | null =>
  proposal.id in s.proposalLabels ? (s.proposalLabels[proposal.id] ?? null) : proposal.labelId;

const byScore = (a: ProposalRecord, b: ProposalRecord) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A proposal restored by an undo, with the measures the list shows. */
function recordOf(proposal: Proposal): ProposalRecord {
  try {
    const { area, bbox } = measureGeometry(proposal.geometry);
    return { ...proposal, area, box: { x: bbox[0], y: bbox[1], w: bbox[2], h: bbox[3] } };
  } catch {
    return { ...proposal, area: 0, box: { x: 0, y: 0, w: 0, h: 0 } };
  }
}

/** The proposal to select after `removed` left the shown list: the one that took its place, else the one before. */
function successor(shown: readonly ProposalRecord[], removed: ReadonlySet<string>, current: string | null): string | null {
  if (current === null || !removed.has(current)) return current;
  const index = shown.findIndex((p) => p.id === current);
  const after = shown.slice(index + 1).find((p) => !removed.has(p.id));
  const before = shown
    .slice(0, Math.max(0, index))
    .reverse()
    .find((p) => !removed.has(p.id));
  return (after ?? before)?.id ?? null;
}

/** The image records (open image, list pages) of `imageId` with its count of waiting proposals. */
export function withProposalCount(
  s: Pick<AppState, 'currentImage' | 'imagePages'>,
  imageId: number | null,
  proposalCount: number,
): Partial<Pick<AppState, 'currentImage' | 'imagePages'>> {
  if (imageId === null) return {};
  const patch = <T extends ImageRecord>(image: T): T =>
    image.id === imageId && image.proposalCount !== proposalCount ? { ...image, proposalCount } : image;
  const pages = Object.entries(s.imagePages).map(([page, images]) => {
    const next = images.map(patch);
    return [page, next.every((image, i) => image === images[i]) ? images : next] as const;
  });
  return { currentImage: s.currentImage && patch(s.currentImage), imagePages: Object.fromEntries(pages) };
}

// Only the latest load may land (images switched quickly).
let loadSeq = 0;

export const createProposalsSlice: SliceCreator<ProposalsSlice> = (set, get) => {
  const target = (id: string | undefined): ProposalRecord | null => {
    const s = get();
    return id === undefined ? selectedProposal(s) : (s.proposals.find((p) => p.id === id) ?? null);
  };
  return {
    proposals: [],
    proposalsImageId: null,
    proposalThreshold: DEFAULT_PROPOSAL_THRESHOLD,
    selectedProposalId: null,
    proposalLabels: {},
    loadProposals: async (imageId) => {
      const seq = ++loadSeq;
      if (get().proposalsImageId !== imageId) set({ proposals: [], proposalsImageId: null, selectedProposalId: null, proposalLabels: {} });
      try {
        const proposals = (await api.call('proposals.list', { imageId })).sort(byScore);
        if (seq !== loadSeq || get().currentImage?.id !== imageId) return;
        set((s) => {
          const shown = shownProposals({ proposals, proposalThreshold: s.proposalThreshold });
          const kept = shown.some((p) => p.id === s.selectedProposalId) ? s.selectedProposalId : (shown[0]?.id ?? null);
          const live = new Set(proposals.map((p) => p.id));
          return {
            proposals,
            proposalsImageId: imageId,
            selectedProposalId: kept,
            proposalLabels: Object.fromEntries(Object.entries(s.proposalLabels).filter(([id]) => live.has(id))),
          };
        });
      } catch (error) {
        if (seq === loadSeq) get().showError(error);
      }
    },
    reloadProposalsOf: (imageIds) => {
      const open = get().currentImage?.id;
      if (open !== undefined && imageIds.includes(open)) void get().loadProposals(open);
    },
    setProposalThreshold: (proposalThreshold) =>
      set((s) => {
        const shown = shownProposals({ proposals: s.proposals, proposalThreshold });
        return {
          proposalThreshold,
          selectedProposalId: shown.some((p) => p.id === s.selectedProposalId) ? s.selectedProposalId : (shown[0]?.id ?? null),
        };
      }),
    selectProposal: (selectedProposalId) => set({ selectedProposalId }),
    cycleProposal: (direction) => {
      const shown = shownProposals(get());
      if (shown.length === 0) return;
      const index = shown.findIndex((p) => p.id === get().selectedProposalId);
      const next = index === -1 ? (direction === 1 ? 0 : shown.length - 1) : (index + direction + shown.length) % shown.length;
      set({ selectedProposalId: shown[next]!.id });
    },
    relabelProposal: (labelId) => {
      const proposal = selectedProposal(get());
      if (proposal) set((s) => ({ proposalLabels: { ...s.proposalLabels, [proposal.id]: labelId } }));
    },
    acceptProposal: (id) => {
      const proposal = target(id);
      if (!proposal) return;
      const labelId = proposalLabelId(get(), proposal);
      void get().commit(acceptOps(proposal, crypto.randomUUID(), Date.now(), labelId));
    },
    rejectProposal: (id) => {
      const proposal = target(id);
      if (proposal) void get().commit(rejectOps(proposal));
    },
    acceptProposalsAbove: async (scope) => {
      const s = get();
      const imageId = s.currentImage?.id;
      if (scope === 'image' && imageId === undefined) return;
      // The host accepts each with its proposed label (a label chosen here applies to one accepted by key).
      await s.commitRemote((origin) =>
        api.call('proposals.acceptAll', { minScore: s.proposalThreshold, origin, ...(scope === 'image' ? { imageId } : {}) }),
      );
      get().refreshImagePages();
    },
    stepImageWithProposals: async (direction) => {
      if (get().reviewFilter.hasProposals !== true) get().patchReviewFilter({ hasProposals: true });
      await get().stepMatchingImage(direction);
    },
    applyProposalOps: (ops) => {
      const s = get();
      const removed = new Set(ops.flatMap((op) => (op.type === 'proposal.delete' ? [op.id] : [])));
      const restored = ops.flatMap((op) =>
        op.type === 'proposal.put' && op.proposal.imageId === s.proposalsImageId ? [recordOf(op.proposal)] : [],
      );
      if (restored.length === 0 && !s.proposals.some((p) => removed.has(p.id))) return;
      const restoredIds = new Set(restored.map((p) => p.id));
      const proposals = [...s.proposals.filter((p) => !removed.has(p.id) && !restoredIds.has(p.id)), ...restored].sort(byScore);
      const shown = shownProposals(s);
      const selectedProposalId = restored.length === 1 ? restored[0]!.id : successor(shown, removed, s.selectedProposalId);
      set({ proposals, selectedProposalId, ...withProposalCount(s, s.proposalsImageId, proposals.length) });
    },
    applyProposalChange: (change) => {
      if (change.origin === CLIENT_ORIGIN) return;
      get().reloadProposalsOf(change.proposalImageIds);
    },
  };
};
