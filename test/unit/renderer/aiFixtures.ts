// What the AI and action tests share: a script that plays the main process
// (every request waits until the test answers or fails it, so the order of
// requests and answers is exact), the bridge that answers through it, the
// renderer's store on that bridge, a key press, and the models, labels, image
// and candidates they use.
import assert from 'node:assert/strict';
import { mock } from 'node:test';

import type {
  Bridge,
  CandidateSet,
  ChannelName,
  Detection,
  DetectionSet,
  EngineStatus,
  ErrorCode,
  ImageRecord,
  Label,
  MaskCandidate,
  MaterializedMask,
  ModelInfo,
  Result,
} from '../../../common/contract/index.js';
import { maskToRle } from '../../../common/geometry/rle.js';
import type { KeyInput } from '../../../renderer/src/actions/actionTypes.js';
import type { useAppStore } from '../../../renderer/src/store/appStore.js';

export interface Invocation {
  channel: ChannelName;
  request: unknown;
  answer: (value: unknown) => void;
  fail: (message: string, code?: ErrorCode) => void;
}

export const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** Requests in the order they were made, each waiting for the test to answer or fail it. */
export class Script {
  readonly invocations: Invocation[] = [];

  /** Records a request; `answer` and `fail` settle it the way the caller's transport would. */
  push(channel: ChannelName, request: unknown, answer: (value: unknown) => void, fail: (message: string, code: ErrorCode) => void): void {
    this.invocations.push({ channel, request, answer, fail: (message, code = 'bad_request') => fail(message, code) });
  }

  pending(channel: ChannelName): Invocation[] {
    return this.invocations.filter((i) => i.channel === channel);
  }

  /** Answers the oldest unanswered request on the channel. */
  async answer(channel: ChannelName, value: unknown): Promise<Invocation> {
    await settle();
    const invocation = this.take(channel);
    invocation.answer(value);
    await settle();
    return invocation;
  }

  /** Fails the oldest unanswered request on the channel. */
  async fail(channel: ChannelName, message: string, code?: ErrorCode): Promise<Invocation> {
    await settle();
    const invocation = this.take(channel);
    invocation.fail(message, code);
    await settle();
    return invocation;
  }

  private take(channel: ChannelName): Invocation {
    const index = this.invocations.findIndex((i) => i.channel === channel);
    assert.ok(index >= 0, `no ${channel} request is waiting (waiting: ${this.invocations.map((i) => i.channel).join(', ') || 'none'})`);
    return this.invocations.splice(index, 1)[0]!;
  }
}

/** The preload bridge the renderer's API client reads, answering through the script. */
export function scriptedBridge(script: Script): Bridge {
  return {
    invoke: (channel, request) =>
      new Promise<Result<never>>((resolve) =>
        script.push(
          channel,
          request,
          (value) => resolve({ ok: true, value: value as never }),
          (message, code) => resolve({ ok: false, error: { code, message } }),
        ),
      ),
    on: () => () => undefined,
    imageUrl: () => '',
  };
}

/**
 * The renderer's store with `bridge` as its preload bridge, for a suite's
 * before hook. setTimeout becomes mock time: toasts dismiss themselves after
 * seconds, and those timers must not hold the test open (the suite's after
 * hook resets the timers).
 */
export async function storeOnBridge(bridge: Bridge): Promise<typeof useAppStore> {
  mock.timers.enable({ apis: ['setTimeout'] });
  Object.assign(globalThis, { window: { promptlabel: bridge } });
  return (await import('../../../renderer/src/store/appStore.js')).useAppStore;
}

/** A key press as the browser describes it; `code` is the physical key (the key's name unless given). */
export const keyInput = (key: string, extra: Partial<KeyInput> = {}): KeyInput => ({
  key,
  code: key,
  shiftKey: false,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...extra,
});

export const MODEL: ModelInfo = {
  id: 'tiny',
  displayName: 'Tiny',
  kind: 'segmenter',
  note: null,
  source: 'builtin',
  dir: '/m',
  license: 'Apache-2.0',
  problem: null,
  capabilities: {
    points: true,
    box: true,
    scribble: true,
    text: false,
    reference: true,
    labels: true,
    wand: false,
    regions: false,
    everything: true,
  },
};
export const CLASSICAL: ModelInfo = {
  ...MODEL,
  id: 'opencv-classical',
  displayName: 'Classical',
  kind: 'classical',
  note: 'No learned weights.',
  capabilities: {
    points: true,
    box: true,
    scribble: true,
    text: false,
    reference: false,
    labels: false,
    wand: true,
    regions: true,
    everything: false,
  },
};
export const STATUS: EngineStatus = {
  settings: { executionProvider: 'auto', cacheLimitMB: 512, prefetchCount: 2, modelId: 'tiny' },
  availableProviders: ['auto', 'cpu'],
  activeProvider: 'cpu',
  note: null,
  worker: 'ready',
  modelId: 'tiny',
  cache: { entries: 0, bytes: 0, limitBytes: 512 * 1_048_576 },
  encoding: null,
};
export const LABELS: Label[] = [
  { id: 'red', name: 'red circle', colour: '#ff0000', hotkey: '1' },
  { id: 'blue', name: 'blue square', colour: '#0000ff', hotkey: '2' },
];
export const IMAGE: ImageRecord = {
  id: 7,
  relPath: 'a.jpg',
  width: 100,
  height: 80,
  status: 'in_progress',
  annotationCount: 0,
  proposalCount: 0,
};

export function maskCandidate(
  index: number,
  score: number | null,
  box: { x: number; y: number; w: number; h: number },
  guesses: string[] = [],
): MaskCandidate {
  const data = new Uint8Array(box.w * box.h).fill(1);
  return {
    index,
    score,
    stability: 0.9,
    note: null,
    box,
    area: box.w * box.h,
    crop: { rle: maskToRle(data, box.h, box.w), scale: 1 },
    labels: guesses.map((labelId, rank) => ({ labelId, name: labelId, score: 0.9 - rank / 10 })),
  };
}

let setCount = 0;
export function candidateSet(candidates: MaskCandidate[], best = 0, imageId = IMAGE.id): CandidateSet {
  return {
    id: `set-${++setCount}`,
    imageId,
    modelId: 'tiny',
    candidates,
    best,
    timing: { featureSource: 'memory', encodeMs: 0, decodeMs: 3, totalMs: 4 },
    scoreKind: 'predicted-iou',
  };
}

export const MATERIALIZED: MaterializedMask = {
  rle: maskToRle(new Uint8Array(100 * 80).fill(1), 80, 100),
  polygons: [{ outer: [0, 0, 100, 0, 100, 80, 0, 80], holes: [] }],
  box: { x: 0, y: 0, w: 100, h: 80 },
  area: 8000,
  score: 1.02,
  modelId: 'tiny',
};

/** A detector's detection (ai.detect): a box, and a 4×3 mask at its corner when `withMask`; no label. */
export function detection(index: number, className: string, score: number, box: Detection['box'], withMask = false): Detection {
  const mask = withMask ? maskCandidate(index, score, { x: Math.floor(box[0]), y: Math.floor(box[1]), w: 4, h: 3 }) : null;
  return {
    index,
    classId: index,
    className,
    score,
    box,
    label: null,
    mask: mask ? { box: mask.box, area: mask.area, crop: mask.crop, maskScore: 0.9 } : null,
  };
}

/** A detector's answer for image 7 (classes: red circle, cat, cup); unmappedClasses from the detections. */
export function detectionSet(detections: Detection[], imageId = 7): DetectionSet {
  return {
    id: 'det-1',
    imageId,
    modelId: 'yolo',
    chainModelId: null,
    detections,
    thresholds: { conf: 0.25, iou: 0.7, maxDetections: 300 },
    classNames: ['red circle', 'cat', 'cup'],
    unmappedClasses: [...new Set(detections.filter((d) => d.label === null).map((d) => d.className))],
    selectionRule: 'best score first',
    timing: { featureSource: 'encoded', encodeMs: 1, decodeMs: 1, totalMs: 2 },
  };
}
