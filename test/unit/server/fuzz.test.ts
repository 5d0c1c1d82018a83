// Seeded fuzzing of the browser-mode host in a child process: malformed frames
// and mutated payloads on every channel (deep nesting, huge arrays, NaN and
// 1e400, prototype keys, wrong types, unknown keys). Every frame with a seq
// must get a typed answer, the process must stay up, and a valid request must
// still be answered after each round. Bounded in count and time.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import WebSocket from 'ws';

import { type ChannelName, channelNames, ERROR_CODES, type WireMessage } from '../../../common/contract/index.js';
import { tempDir, writeImage } from '../core/store/fixtures.js';

const TOKEN = 'fuzz-token-0123456789abcdef';
const SEED = 0x5eed;
const CASES_PER_CHANNEL = 40;
const FRAME_CASES = 120;
const ANSWER_TIMEOUT_MS = 15_000;

/** One valid payload per channel, the starting point of each mutation. */
const seeds: Record<ChannelName, Record<string, unknown>> = {
  'app.info': {},
  'autolabel.sources': {},
  'autolabel.start': { source: 'names', labelIds: ['a'], minScore: 0.5, nmsIoU: 0.5, pointsPerSide: 8 },
  'autolabel.jobs': {},
  'autolabel.pause': { jobId: 'j' },
  'autolabel.resume': { jobId: 'j' },
  'autolabel.cancel': { jobId: 'j' },
  'proposals.list': { imageId: 1 },
  'proposals.acceptAll': { minScore: 0.9, imageId: 1 },
  'proposals.exportResults': { what: 'proposals', outPath: '/nonexistent-fuzz-dir/r.json' },
  'proposals.importResults': { path: '/nonexistent-fuzz-dir/r.json' },
  'dialog.pickFolder': {},
  'dialog.pickCocoFile': {},
  'dialog.saveCocoFile': {},
  'dialog.pickModelFiles': {},
  'project.open': { dir: '/nonexistent-fuzz-dir' },
  'project.current': {},
  'project.rescan': {},
  'images.list': { offset: 0, limit: 10, status: 'todo', search: 'a' },
  'images.get': { imageId: 1 },
  'images.neighbour': { fromImageId: 1, direction: 1, filter: { labelId: 'a', minScore: 0.2, maxScore: 0.8, hasProposals: true } },
  'annotations.matching': { imageId: 1, filter: { origin: { kind: 'source', source: 'manual' }, minArea: 1, maxArea: 4 } },
  'dataset.stats': {},
  'dataset.import': { format: 'labelme', path: '/nonexistent/labelme', labelMap: { a: 'b' } },
  'dataset.export': { format: 'yolo', outPath: '/proc/fuzz/out', yoloTask: 'detect', valRatio: 0.2, seed: 1, copyImages: false },
  'dialog.pickDatasetPath': { purpose: 'import', folder: true },
  'labels.list': {},
  'annotations.list': { imageId: 1 },
  'captions.list': { imageId: 1 },
  'document.apply': {
    ops: [
      {
        type: 'annotation.put',
        annotation: {
          id: 'fuzz1',
          imageId: 1,
          labelId: null,
          geometry: { kind: 'polygon', polygons: [{ outer: [0, 0, 4, 0, 4, 4], holes: [] }] },
          score: null,
          source: 'manual',
          createdAt: 1,
          updatedAt: 1,
          revision: 0,
        },
      },
    ],
  },
  'coco.export': { outPath: '/proc/fuzz/x.json', includeCaptions: true },
  'coco.import': { path: '/nonexistent-fuzz.json' },
  'narratives.import': { path: '/nonexistent-fuzz.jsonl', cocoPath: '/nonexistent-fuzz.json', skipUnmatched: true },
  'narratives.export': { outPath: '/proc/fuzz/x.jsonl', overwrite: false },
  'captions.search': { query: 'star', limit: 10 },
  'ai.models': {},
  'ai.status': {},
  'ai.configure': { prefetchCount: 0 },
  'ai.focus': { imageId: 1, upcoming: [] },
  'ai.featureStates': { imageIds: [1] },
  'ai.segment': { imageId: 1, prompts: { clicks: [{ x: 1, y: 1, positive: true }], scribbles: [{ points: [[1, 1]], positive: true }] } },
  'ai.everything': { imageId: 1, pointsPerSide: 2 },
  'ai.caption': { imageId: 1, box: [1, 2, 30, 40] },
  'ai.phraseScores': { imageId: 1, phrase: 'red circle', boxes: [[1, 2, 30, 40]] },
  'ai.detect': { imageId: 1, conf: 0.5 },
  'ai.setLabelMap': { modelId: 'fuzz-model', map: { cat: 'Cat' } },
  'ai.materialize': { candidateSetId: 'nope', index: 0 },
  'ai.cancel': {},
  'models.packs': {},
  'models.fetch': { pack: 'isnet-small' },
  'models.cancelFetch': { pack: 'isnet-small' },
  'models.add': { paths: ['/nonexistent-fuzz.onnx'] },
  'models.fetchUrl': { urls: ['http://127.0.0.1:9/fuzz.onnx'] },
  'models.cancelAdd': {},
  'models.remove': { modelId: 'nonexistent-fuzz' },
  'models.links': {},
  'models.planImport': { path: '/nonexistent-fuzz.yaml' },
};

/** mulberry32: small, seeded, and the same sequence on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Bad values as JSON text, so that NaN, 1e400 and "__proto__" keys reach the
 * host exactly as a hostile client would send them. None is a valid string or
 * boolean, so a mutated path or flag never becomes a real request.
 */
const BAD_VALUES: readonly string[] = [
  'null',
  '-1',
  '1.5',
  '1e400',
  '-1e400',
  'NaN',
  '{}',
  '[]',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
  `[${new Array(300_000).fill('0').join(',')}]`,
  `[${new Array(50_000).fill('[1,2]').join(',')}]`,
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '9007199254740993',
];

type Mutation = (payload: Record<string, unknown>, pick: <T>(items: readonly T[]) => T) => string;

const stringify = (value: unknown) => JSON.stringify(value);

/** Each mutation answers the frame's payload as JSON text. */
const mutations: readonly Mutation[] = [
  // Replace one field (at any depth of the first branch) with a bad value.
  (payload, pick) => {
    const keys = Object.keys(payload);
    if (keys.length === 0) return pick(BAD_VALUES);
    const key = pick(keys);
    const marker = '"__FUZZ__"';
    return stringify({ ...payload, [key]: '__FUZZ__' }).replace(marker, pick(BAD_VALUES));
  },
  // An unknown key next to the real ones.
  (payload, pick) =>
    stringify(payload).replace(
      /^\{/,
      `{"${pick(['extra', '__proto__', 'constructor', 'toString'])}":${pick(BAD_VALUES)}${Object.keys(payload).length ? ',' : ''}`,
    ),
  // The whole payload replaced.
  (_payload, pick) => pick(BAD_VALUES),
  // The payload wrapped in a list.
  (payload) => `[${stringify(payload)}]`,
  // A deeply nested value inside the first array of the payload.
  (payload) => {
    const text = stringify(payload);
    const at = text.indexOf('[');
    return at < 0 ? text : `${text.slice(0, at + 1)}${'['.repeat(4000)}${']'.repeat(4000)},${text.slice(at + 1)}`;
  },
];

/** Frames broken below the payload: wrong seq, wrong channel, not JSON at all. */
const frameMutations: readonly ((seq: number, pick: <T>(items: readonly T[]) => T) => { text: string; answered: boolean })[] = [
  (seq, pick) => ({ text: `{"seq":${seq},"channel":${pick(BAD_VALUES)},"payload":{}}`, answered: true }),
  (seq) => ({ text: `{"seq":${seq},"channel":"${'a'.repeat(100_000)}"}`, answered: true }),
  (seq, pick) => ({ text: `{"seq":${seq},"channel":"labels.list","payload":{},"${pick(['x', '__proto__'])}":1}`, answered: true }),
  (_seq, pick) => ({ text: `{"seq":${pick(BAD_VALUES)},"channel":"labels.list"}`, answered: false }),
  (_seq, pick) => ({ text: pick(['', 'not json', '{"seq":1', '\u0000\u0001', '[1,2,3]', '"text"', '12']), answered: false }),
];

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

interface Outcome {
  answered: number;
  ok: number;
  byCode: Map<string, number>;
  closed: number;
}

class Client {
  private readonly waiting = new Map<number, (message: WireMessage & { kind: 'response' }) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as WireMessage;
      if (message.kind === 'response') this.waiting.get(message.seq)?.(message);
    });
  }

  static async open(port: number): Promise<Client> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${TOKEN}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('error', () => undefined);
    return new Client(ws);
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  request(seq: number, text: string): Promise<WireMessage & { kind: 'response' }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to seq ${seq} within ${ANSWER_TIMEOUT_MS} ms: ${text.slice(0, 120)}`)),
        ANSWER_TIMEOUT_MS,
      );
      this.waiting.set(seq, (message) => {
        clearTimeout(timer);
        this.waiting.delete(seq);
        resolve(message);
      });
      this.ws.send(text);
    });
  }

  /** Sends a frame the host must refuse by closing this socket. */
  async sendExpectingClose(text: string): Promise<number> {
    const closed = new Promise<number>((resolve) => this.ws.once('close', (code) => resolve(code)));
    this.ws.send(text);
    return closed;
  }

  close(): void {
    this.ws.close();
  }
}

describe('host fuzzing (child process, every channel)', () => {
  const project = tempDir('promptlabel-fuzz-');
  let child: ChildProcess;
  let port = 0;
  let exited: string | null = null;

  before(async () => {
    await writeImage(project.dir, 'a.png', 32, 24);
    await writeImage(project.dir, 'b.png', 16, 16);
    const userData = join(project.dir, '.userdata');
    mkdirSync(userData);
    const script = fileURLToPath(new URL('./support/fuzzHost.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', script, project.dir, userData, TOKEN], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)), // where tsx resolves
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.on('exit', (code, signal) => (exited = `code ${code}, signal ${signal}`));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    port = await new Promise<number>((resolve, reject) => {
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split('\n')[0];
        if (stdout.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', () => reject(new Error(`fuzz host exited before listening: ${stderr}`)));
    });
  });

  after(() => {
    child.kill('SIGKILL');
    project.cleanup();
  });

  it('answers every malformed payload with a typed error, stays up, and keeps serving', async () => {
    const rng = random(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
    const outcome: Outcome = { answered: 0, ok: 0, byCode: new Map(), closed: 0 };
    let client = await Client.open(port);
    let seq = 0;
    const started = Date.now();
    let slowest = 0;

    const checkAlive = async () => {
      const answer = await client.request(++seq, JSON.stringify({ seq, channel: 'labels.list', payload: {} }));
      assert.equal(answer.result.ok, true, 'a valid request after the fuzz round failed');
    };

    for (const channel of channelNames) {
      if (channel === 'models.fetch' || channel === 'models.fetchUrl') continue; // a valid mutation would download: covered by dispatch.test.ts
      for (let index = 0; index < CASES_PER_CHANNEL; index++) {
        const payload = pick(mutations)(seeds[channel], pick);
        const text: string = `{"seq":${++seq},"channel":${JSON.stringify(channel)},"payload":${payload}}`;
        if (!isJson(text)) {
          // NaN is not JSON: there is no seq to answer, so the host drops the socket.
          assert.equal(await client.sendExpectingClose(text), 1003);
          outcome.closed++;
          client = await Client.open(port);
          continue;
        }
        const sent = Date.now();
        const answer = await client.request(seq, text);
        slowest = Math.max(slowest, Date.now() - sent);
        outcome.answered++;
        if (answer.result.ok) {
          outcome.ok++;
        } else {
          assert.ok(
            (ERROR_CODES as readonly string[]).includes(answer.result.error.code),
            `untyped error ${JSON.stringify(answer.result)}`,
          );
          assert.ok(answer.result.error.message.length < 2_000, `a ${answer.result.error.message.length}-character message`);
          outcome.byCode.set(answer.result.error.code, (outcome.byCode.get(answer.result.error.code) ?? 0) + 1);
        }
      }
      await checkAlive();
    }

    for (let index = 0; index < FRAME_CASES; index++) {
      const frame = pick(frameMutations)(++seq, pick);
      if (frame.answered && isJson(frame.text)) {
        const answer = await client.request(seq, frame.text);
        assert.ok(!answer.result.ok && answer.result.error.code === 'bad_request', JSON.stringify(answer.result).slice(0, 200));
        outcome.answered++;
        outcome.byCode.set('bad_request', (outcome.byCode.get('bad_request') ?? 0) + 1);
      } else {
        assert.equal(await client.sendExpectingClose(frame.text), 1003);
        outcome.closed++;
        client = await Client.open(port);
      }
      if (index % 20 === 19) await checkAlive();
    }
    await checkAlive();
    client.close();

    assert.equal(exited, null, `the host process ended: ${exited}`);
    assert.ok(child.exitCode === null && child.signalCode === null);
    const codes = [...outcome.byCode].map(([code, count]) => `${code} ${count}`).join(', ');
    console.log(
      `fuzz: ${outcome.answered + outcome.closed} frames in ${Date.now() - started} ms; ${outcome.answered} answered (${outcome.ok} ok; ${codes}), ` +
        `${outcome.closed} sockets closed as not speaking the protocol; slowest answer ${slowest} ms; host still up`,
    );
  });
});
