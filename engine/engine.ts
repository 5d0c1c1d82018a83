// The inference engine as the main process sees it: settings, the model
// registry, the worker (started on first use), prefetch scheduling and the
// status the UI shows. Handlers and the CLI call this; the heavy work runs in
// the worker thread behind protocol.ts. onnxruntime is never loaded here:
// which execution providers exist is the worker's answer. The model a request
// uses is the open project's (remembered per project folder; a new project
// starts on the best real model installed, see defaultModel.ts); detectors
// run beside it, with their class -> label maps remembered per model.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import {
  AppError,
  type DetectionSet,
  type DetectionSettings,
  type EngineSettings,
  type EngineStatus,
  type EventMap,
  type ExecutionProviderChoice,
  type FeatureState,
  type LabelMap,
  type ModelInfo,
  type SegmentOptions,
  type WorkerState,
} from '../common/contract/index.js';
import { defaultModelFor, isSamFamily } from './defaultModel.js';
import { assertExecutionProviderAvailable, executionProviderChoices } from './executionProviders.js';
import type {
  AutolabelAnswer,
  AutolabelPayload,
  CallAnswer,
  CallPayload,
  DetectPayload,
  EverythingParams,
  ExecutionProviderName,
  LoadedModel,
  ModelRef,
  Priority,
  WorkerImage,
  WorkerLabel,
  WorkerPrompt,
} from './protocol.js';

/** Which detector to run (else the current model when it is one, else the first installed), chained to which SAM-family model, with which thresholds. */
export interface DetectorChoice {
  modelId?: string;
  chainModelId?: string;
  conf?: number;
  iou?: number;
  maxDetections?: number;
}
import { listModels, type ModelRoots } from './registry.js';
import { readSettings, writeSettings } from './settingsFile.js';
import { readDetectorManifest } from './worker/models/yolo/manifest.js';
import { WorkerClient, type WorkerEntry } from './workerClient.js';

/** What the engine needs to know about where images come from (a project, or files given to the CLI). */
export interface ImageSource {
  /** Folder for on-disk features, or null for memory only. */
  cacheDir: string | null;
  imagePath(imageId: number): string;
  /** Pixel size, for validating prompt coordinates. */
  imageSize(imageId: number): Promise<{ width: number; height: number }>;
  /** The labels candidates are matched against. */
  labels(): WorkerLabel[];
  /** The project folder, whose model choice is remembered; absent for images that are no project's (the CLI). */
  projectDir?: string;
}

export interface EngineOptions {
  roots: ModelRoots;
  /** engine-settings.json in the user-data folder; null = defaults, not persisted. */
  settingsPath: string | null;
  emit?: <E extends 'ai.status' | 'ai.features'>(event: E, payload: EventMap[E]) => void;
  workerEntry?: WorkerEntry;
  /** Overrides for tests and the CLI (not persisted). A modelId given here is used for every project. */
  settings?: Partial<EngineSettings>;
  /** The app's demo project (the bundled samples), the one project that starts on the built-in demo model. */
  demoProjectDir?: string;
}

/** What changes when a model is added, removed or rewritten: each model folder's name and its manifest's size and time. */
function registryFingerprint(roots: ModelRoots): string {
  const parts: string[] = [];
  for (const root of [roots.builtin, roots.user]) {
    if (!root) continue;
    let names: string[];
    try {
      names = readdirSync(root).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const manifest = statSync(join(root, name, 'manifest.json'));
        parts.push(`${root}/${name}:${manifest.size}:${manifest.mtimeMs}`);
      } catch {
        // not a model folder
      }
    }
  }
  return parts.join('|');
}

/** Ultralytics' predict defaults, used when neither the request, the settings nor the model's manifest says. */
const DETECTION_DEFAULTS: DetectionSettings = { conf: 0.25, iou: 0.7, maxDetections: 300 };

export class InferenceEngine {
  private settings: EngineSettings;
  private settingsProblem: string | null;
  private client: WorkerClient | null = null;
  /** The worker auto-label jobs run in, and the model loaded there (see autolabel). */
  private jobClient: WorkerClient | null = null;
  private jobModel: string | null = null;
  private workerState: WorkerState = 'starting';
  private workerNote: string | null = null;
  private loaded: LoadedModel | null = null;
  private loading: Promise<LoadedModel> | null = null;
  private loadProblem: string | null = null;
  private encoding: EngineStatus['encoding'] = null;
  private cacheStats = { entries: 0, bytes: 0, limitBytes: 0 };
  /** Prefetch encodes queued in the worker, by image id, so a jump elsewhere can cancel them. */
  private readonly prefetching = new Map<number, number>();
  private lastSource: ImageSource | null = null;
  /** The worker's execution providers, once it has answered; the question in flight meanwhile. */
  private executionProviderList: ExecutionProviderName[] | null = null;
  private executionProviderQuery: Promise<ExecutionProviderName[]> | null = null;
  /** The open project's folder, once a request named it. */
  private project: string | null = null;
  private listing: { key: string; models: Promise<ModelInfo[]> } | null = null;

  constructor(private readonly options: EngineOptions) {
    const { settings, problem } = readSettings(options.settingsPath);
    this.settings = { ...settings, ...options.settings };
    this.settingsProblem = problem;
    this.cacheStats.limitBytes = this.settings.cacheLimitMB * 1024 * 1024;
  }

  private emit<E extends 'ai.status' | 'ai.features'>(event: E, payload: EventMap[E]): void {
    this.options.emit?.(event, payload);
  }

  status(): EngineStatus {
    return {
      settings: { ...this.settings, labelMaps: { ...this.settings.labelMaps }, projectModels: { ...this.settings.projectModels } },
      availableProviders: executionProviderChoices(this.executionProviderList),
      activeProvider: this.loaded?.activeProvider ?? null,
      note: this.workerNote ?? this.loadProblem ?? this.loaded?.note ?? this.settingsProblem,
      worker: this.client ? this.workerState : 'starting',
      modelId: this.loaded?.modelId ?? null,
      cache: { ...this.cacheStats },
      encoding: this.encoding,
    };
  }

  private statusChanged(): void {
    this.emit('ai.status', this.status());
  }

  models(): Promise<ModelInfo[]> {
    return listModels(this.options.roots);
  }

  /**
   * The registry as last listed, listed again when a model folder or its
   * manifest changed (added, removed, rewritten): listing hashes every model
   * file, far too slow for each detection.
   */
  private knownModels(): Promise<ModelInfo[]> {
    const key = registryFingerprint(this.options.roots);
    if (this.listing?.key !== key) {
      const models = this.models();
      this.listing = { key, models };
      models.catch(() => {
        if (this.listing?.models === models) this.listing = null;
      });
    }
    return this.listing.models;
  }

  private isDemoProject(dir: string): boolean {
    return this.options.demoProjectDir !== undefined && resolve(dir) === resolve(this.options.demoProjectDir);
  }

  /**
   * Makes `projectDir` the open project: its remembered model, else the best
   * real model installed (the demo model for the demo project). Cheap when
   * the project has not changed; the status changes when the model does. A
   * model given in the engine options (tests, the CLI) holds for every project.
   */
  async useProject(projectDir: string): Promise<void> {
    if (this.project === projectDir) return;
    this.project = projectDir;
    if (this.options.settings?.modelId !== undefined) return;
    const models = await this.knownModels();
    if (this.project !== projectDir) return; // another project was opened meanwhile
    const remembered = this.settings.projectModels?.[projectDir];
    const chosen =
      remembered !== undefined && models.some((m) => m.id === remembered && m.problem === null)
        ? remembered
        : defaultModelFor(models, { demo: this.isDemoProject(projectDir) });
    if (chosen !== null && chosen !== this.settings.modelId) {
      this.settings = { ...this.settings, modelId: chosen };
      this.statusChanged();
    }
  }

  /** The model for requests that belong to no project (the CLI's files): the best real model installed, as for a new project. */
  async defaultModel(): Promise<string> {
    const models = await this.models();
    const chosen = defaultModelFor(models, { demo: false });
    if (chosen === null)
      throw new AppError(
        'not_found',
        `No usable model is installed (${models.map((m) => `${m.id}: ${m.problem ?? 'ok'}`).join('; ') || 'none'}).`,
      );
    return chosen;
  }

  private worker(): WorkerClient {
    if (this.client) return this.client;
    this.client = new WorkerClient({
      entry: this.options.workerEntry,
      cacheLimitBytes: this.settings.cacheLimitMB * 1024 * 1024,
      onFeatureState: (imageId, state, priority, message) => this.featureState(imageId, state, priority, message),
      onStateChange: (state, message) => {
        this.workerState = state;
        this.workerNote = message;
        if (state !== 'ready') {
          this.loaded = null;
          this.encoding = null;
          this.prefetching.clear();
        }
        this.statusChanged();
      },
      onRestarted: async () => {
        this.loaded = null;
        if (this.client) this.askExecutionProviders(this.client);
        await this.ensureModel();
      },
    });
    this.workerState = 'ready';
    this.askExecutionProviders(this.client);
    return this.client;
  }

  /** Asks a (new) worker which execution providers it has; the status changes when it answers. */
  private askExecutionProviders(client: WorkerClient): void {
    if (this.executionProviderList || this.executionProviderQuery) return;
    const query = client.callWhenReady('executionProviders', {});
    this.executionProviderQuery = query;
    query.then(
      (list) => {
        this.executionProviderList = list;
        this.executionProviderQuery = null;
        this.statusChanged();
      },
      () => {
        this.executionProviderQuery = null; // a worker that died before answering is asked again after its restart
      },
    );
  }

  /** The execution-provider choices this installation offers ('auto' first); starts the worker to ask it, the first time. */
  async executionProviders(): Promise<ExecutionProviderChoice[]> {
    const client = this.worker();
    if (!this.executionProviderList) {
      this.askExecutionProviders(client);
      this.executionProviderList = await this.executionProviderQuery;
    }
    return executionProviderChoices(this.executionProviderList);
  }

  /** Refuses an execution provider this installation does not have, naming those it has. */
  async checkExecutionProvider(choice: ExecutionProviderChoice): Promise<void> {
    assertExecutionProviderAvailable(choice, await this.executionProviders());
  }

  private featureState(imageId: number, state: FeatureState, priority: Priority, message: string | null): void {
    if (state === 'encoding') this.encoding = { imageId, priority };
    else if (this.encoding?.imageId === imageId) this.encoding = null;
    if (state === 'ready' || state === 'failed') this.prefetching.delete(imageId);
    this.emit('ai.features', { imageId, modelId: this.loaded?.modelId ?? this.settings.modelId, state, message });
    this.statusChanged();
  }

  /** Loads the configured model if it is not the one loaded (one load at a time). */
  private async ensureModel(modelId = this.settings.modelId): Promise<LoadedModel> {
    if (this.loaded?.modelId === modelId) return this.loaded;
    if (this.loading) {
      const current = await this.loading.catch(() => null);
      if (current?.modelId === modelId) return current;
    }
    this.loading = this.load(modelId);
    try {
      return await this.loading;
    } finally {
      this.loading = null;
    }
  }

  private async load(modelId: string): Promise<LoadedModel> {
    const models = await this.models();
    const model = models.find((m) => m.id === modelId);
    if (!model) throw new AppError('not_found', `Unknown model "${modelId}". Installed: ${models.map((m) => m.id).join(', ') || 'none'}.`);
    if (model.problem) {
      this.loadProblem = `Model ${modelId} cannot be used: ${model.problem}`;
      this.statusChanged();
      throw new AppError('invalid_file', this.loadProblem);
    }
    try {
      // 'auto' is resolved in the worker, which knows what its onnxruntime has.
      const loaded = await this.worker().call('load', {
        modelId,
        modelDir: model.dir,
        kind: model.kind,
        executionProvider: this.settings.executionProvider,
      }).answer;
      this.loaded = loaded;
      this.loadProblem = null;
      this.prefetching.clear();
      return loaded;
    } catch (error) {
      this.loadProblem = `Model ${modelId} failed to load: ${(error as Error).message}`;
      throw error instanceof AppError ? error : new AppError('invalid_file', this.loadProblem);
    } finally {
      this.statusChanged();
    }
  }

  async configure(patch: Partial<EngineSettings>): Promise<EngineStatus> {
    // Asking which providers exist starts the worker; a model is loaded now only if one was in use before.
    const running = this.client !== null;
    if (patch.executionProvider) await this.checkExecutionProvider(patch.executionProvider);
    if (patch.modelId) {
      const model = (await this.models()).find((m) => m.id === patch.modelId);
      if (!model) throw new AppError('not_found', `Unknown model "${patch.modelId}".`);
      if (model.problem) throw new AppError('invalid_file', `Model ${patch.modelId} cannot be used: ${model.problem}`);
    }
    const before = this.settings;
    this.settings = { ...before, ...patch };
    // A model chosen while a project is open is that project's from now on.
    if (patch.modelId !== undefined && this.project !== null)
      this.settings.projectModels = { ...before.projectModels, [this.project]: patch.modelId };
    writeSettings(this.options.settingsPath, this.settings);
    this.settingsProblem = null;
    if (this.client && patch.cacheLimitMB !== undefined && patch.cacheLimitMB !== before.cacheLimitMB) {
      this.cacheStats = await this.client.callWhenReady('setCacheLimit', { bytes: this.settings.cacheLimitMB * 1024 * 1024 });
    }
    const reload = this.settings.executionProvider !== before.executionProvider || this.settings.modelId !== before.modelId;
    if (reload && running && this.client) {
      const previous = this.loaded;
      this.loaded = null;
      try {
        await this.ensureModel();
      } catch (error) {
        // Keep what worked: the settings go back and the previous model is reloaded.
        this.settings = before;
        writeSettings(this.options.settingsPath, before);
        if (previous) await this.ensureModel(previous.modelId).catch(() => undefined);
        this.loadProblem = (error as Error).message;
        this.statusChanged();
        throw error;
      }
    }
    this.statusChanged();
    return this.status();
  }

  private image(source: ImageSource, imageId: number): WorkerImage {
    return { imageId, path: source.imagePath(imageId), cacheDir: source.cacheDir };
  }

  /**
   * A call on the loaded model (loaded first if needed). The payload names
   * that model, so a call queued before another model is loaded is refused
   * as superseded instead of being answered by the other model.
   */
  private async call<K extends 'encode' | 'segment' | 'everything' | 'caption' | 'phraseScores' | 'featureStates'>(
    kind: K,
    payload: Omit<CallPayload<K>, 'modelId'>,
    modelId?: string,
    onProgress?: (done: number, total: number) => void,
  ): Promise<CallAnswer<K>> {
    const loaded = await this.ensureModel(modelId);
    const answer = await this.worker().callWhenReady(kind, { ...payload, modelId: loaded.modelId } as CallPayload<K>, { onProgress });
    void this.refreshStats();
    return answer;
  }

  private async refreshStats(): Promise<void> {
    if (!this.client) return;
    try {
      this.cacheStats = await this.client.callWhenReady('stats', {});
    } catch {
      // Stats are cosmetic; a restarting worker reports again later.
    }
  }

  /**
   * The image on screen and the next ones in the list: the shown image is
   * encoded first, the next `prefetchCount` at low priority; queued prefetch
   * for images no longer ahead is cancelled.
   */
  async focus(source: ImageSource, imageId: number, upcoming: number[]): Promise<Record<number, FeatureState>> {
    if (source !== this.lastSource) {
      this.lastSource = source;
      this.prefetching.clear();
    }
    const loaded = await this.ensureModel();
    const client = this.worker();
    const ahead = upcoming.filter((id) => id !== imageId).slice(0, this.settings.prefetchCount);
    const stale = [...this.prefetching].filter(([id]) => !ahead.includes(id) && id !== imageId);
    client.cancel(stale.map(([, seq]) => seq));
    for (const [id] of stale) {
      this.prefetching.delete(id);
      this.emit('ai.features', { imageId: id, modelId: this.settings.modelId, state: 'failed', message: 'cancelled' });
    }
    const states = await this.featureStates(source, [imageId, ...ahead]);
    const wanted: [number, Priority][] = [[imageId, 'interactive'], ...ahead.map((id): [number, Priority] => [id, 'prefetch'])];
    for (const [id, priority] of wanted) {
      if (states[id] === 'ready' || this.prefetching.has(id)) continue;
      let image: WorkerImage;
      try {
        image = this.image(source, id);
      } catch {
        continue; // an image gone from the project is simply not prefetched
      }
      const { seq, answer } = client.call('encode', { modelId: loaded.modelId, image }, { priority });
      this.prefetching.set(id, seq);
      states[id] = 'queued';
      this.emit('ai.features', { imageId: id, modelId: this.settings.modelId, state: 'queued', message: null });
      answer.then(
        () => void this.refreshStats(),
        () => this.prefetching.delete(id), // failures and cancellations are reported through feature events
      );
    }
    return states;
  }

  async featureStates(source: ImageSource, imageIds: number[]): Promise<Record<number, FeatureState>> {
    const images: WorkerImage[] = [];
    for (const id of imageIds) {
      try {
        images.push(this.image(source, id));
      } catch {
        // unknown image: no state
      }
    }
    const states = await this.call('featureStates', { images });
    for (const id of imageIds) if (!states[id] && this.prefetching.has(id)) states[id] = 'queued';
    return states;
  }

  async segment(
    source: ImageSource,
    request: {
      imageId: number;
      modelId?: string;
      prompt: WorkerPrompt;
      options?: SegmentOptions;
      previous?: { candidateSetId: string; index: number };
    },
    onProgress?: (done: number, total: number) => void,
  ): Promise<CallAnswer<'segment'>> {
    return this.call(
      'segment',
      {
        image: this.image(source, request.imageId),
        prompt: request.prompt,
        options: request.options,
        previous: request.previous,
        labels: source.labels(),
      },
      request.modelId,
      onProgress,
    );
  }

  async everything(
    source: ImageSource,
    request: { imageId: number; modelId?: string; params: EverythingParams },
    onProgress?: (done: number, total: number) => void,
  ): Promise<CallAnswer<'everything'>> {
    return this.call(
      'everything',
      { image: this.image(source, request.imageId), params: request.params, labels: source.labels() },
      request.modelId,
      onProgress,
    );
  }

  /**
   * A caption with a point per word from the model's caption head: the whole
   * image, or `box` (x0, y0, x1, y1 image pixels); or, with `phrase`, the
   * phrase's words each with the point of what it names (phrase -> point).
   */
  async caption(
    source: ImageSource,
    request: { imageId: number; modelId?: string; box?: [number, number, number, number]; phrase?: string },
  ): Promise<CallAnswer<'caption'>> {
    const image = this.image(source, request.imageId);
    if (request.box) await this.insideImage(source, request.imageId, [request.box]);
    return this.call('caption', { image, box: request.box ?? null, phrase: request.phrase ?? null }, request.modelId);
  }

  /** How well `phrase` describes each box (x0, y0, x1, y1 image pixels), by the caption head. */
  async phraseScores(
    source: ImageSource,
    request: { imageId: number; modelId?: string; phrase: string; boxes: [number, number, number, number][] },
  ): Promise<CallAnswer<'phraseScores'>> {
    const image = this.image(source, request.imageId);
    await this.insideImage(source, request.imageId, request.boxes);
    return this.call('phraseScores', { image, boxes: request.boxes, phrase: request.phrase }, request.modelId);
  }

  /** Refuses a box that reaches outside the image. */
  private async insideImage(source: ImageSource, imageId: number, boxes: readonly [number, number, number, number][]): Promise<void> {
    const { width, height } = await source.imageSize(imageId);
    const outside = boxes.find(([x0, y0, x1, y1]) => x0 < 0 || y0 < 0 || x1 > width || y1 > height);
    if (outside) throw new AppError('bad_request', `The box [${outside.join(', ')}] lies outside image ${imageId} (${width} x ${height}).`);
  }

  /** The loaded model's id and what it can take (loaded first if needed). */
  async loadedModel(): Promise<LoadedModel> {
    return this.ensureModel();
  }

  /** A usable model of the registry, or the error the app shows for it. */
  private async usable(modelId: string, what: string): Promise<ModelInfo> {
    const models = await this.knownModels();
    const model = models.find((m) => m.id === modelId);
    if (!model)
      throw new AppError('not_found', `Unknown ${what} "${modelId}". Installed: ${models.map((m) => m.id).join(', ') || 'none'}.`);
    if (model.problem) throw new AppError('invalid_file', `Model ${modelId} cannot be used: ${model.problem}`);
    return model;
  }

  private ref(model: ModelInfo): ModelRef {
    return { modelId: model.id, modelDir: model.dir, kind: model.kind, executionProvider: this.settings.executionProvider };
  }

  /**
   * A detector's detections on the whole image: `modelId`, else the current
   * model when it is a detector, else the first usable detector installed.
   * With `chainModelId` (a SAM-family model) each box becomes that model's
   * mask. Thresholds: the request's, else the settings', else the model's
   * manifest. Class names map onto the project's labels by the model's label
   * map, then by name. Both models run beside the current one.
   */
  async detect(
    source: ImageSource,
    request: { imageId: number } & DetectorChoice,
    onProgress?: (done: number, total: number) => void,
  ): Promise<DetectionSet> {
    const payload = { image: this.image(source, request.imageId), ...(await this.detectorPlan(source, request)) };
    const answer = await this.worker().callWhenReady('detect', payload, { onProgress });
    void this.refreshStats();
    return answer;
  }

  /** The detector (and chained segmenter) a request names, with its thresholds and label map, checked once. */
  async detectorPlan(source: ImageSource, request: DetectorChoice): Promise<Omit<DetectPayload, 'image'>> {
    const models = await this.knownModels();
    let detectorId = request.modelId;
    if (detectorId === undefined) {
      const current = models.find((m) => m.id === this.settings.modelId);
      detectorId = current?.kind === 'detector' ? current.id : models.find((m) => m.kind === 'detector' && m.problem === null)?.id;
      if (detectorId === undefined)
        throw new AppError('not_found', 'No detector is installed: add a YOLO model (promptlabel models add FILE.onnx) to detect objects.');
    }
    const detector = await this.usable(detectorId, 'detector');
    if (detector.kind !== 'detector')
      throw new AppError('unsupported', `${detector.id} is not a detector (it is a ${detector.kind}); detections come from YOLO models.`);
    let chain: ModelInfo | undefined;
    if (request.chainModelId !== undefined) {
      chain = await this.usable(request.chainModelId, 'segmenter to chain');
      if (!isSamFamily(chain))
        throw new AppError(
          'unsupported',
          `${chain.id} is not a SAM-family model (SAM, MobileSAM or SAM 2): only those turn a detector's boxes into masks.`,
        );
    }
    const defaults = await this.detectorDefaults(detector);
    const chosen = this.settings.detection;
    return {
      detector: this.ref(detector),
      ...(chain ? { chain: this.ref(chain) } : {}),
      conf: request.conf ?? chosen?.conf ?? defaults.conf,
      iou: request.iou ?? chosen?.iou ?? defaults.iou,
      maxDetections: request.maxDetections ?? chosen?.maxDetections ?? defaults.maxDetections,
      labels: source.labels(),
      labelMap: this.settings.labelMaps?.[detector.id] ?? {},
    };
  }

  /**
   * One image of an auto-label job. Jobs run in an inference worker of their
   * own, with the project's model loaded there too: a click on the image on
   * screen never waits behind a job's model run (on a 2-core machine the two
   * run side by side), and the features a job encodes reach the interactive
   * worker through the disk cache. Within the job worker the call is
   * background work that stops at its next checkpoint when cancelled.
   * `modelId`: the model the job was planned for; if the project's model
   * changed since, the call is refused as a conflict (the job pauses, saying so).
   * A detector job names its models in the spec.
   */
  async autolabel(
    source: ImageSource,
    request: Omit<AutolabelPayload, 'image'> & { imageId: number },
    signal?: AbortSignal,
  ): Promise<AutolabelAnswer & { modelId: string }> {
    const { imageId, modelId: planned, ...rest } = request;
    const image = this.image(source, imageId);
    let modelId = planned;
    if (request.spec.source === 'detector') modelId = request.spec.detect.detector.modelId;
    else {
      const current = (await this.ensureModel()).modelId;
      if (current !== planned)
        throw new AppError(
          'conflict',
          `The project's model is now ${current}; this job was planned for ${planned}. Choose ${planned} again to resume it.`,
        );
      await this.loadInJobWorker(current);
    }
    const answer = await this.jobWorker().callWhenReady('autolabel', { ...rest, image, modelId }, { priority: 'background', signal });
    return { ...answer, modelId };
  }

  /** The worker auto-label jobs run in (started on the first job; its feature cache is a quarter of the setting). */
  private jobWorker(): WorkerClient {
    if (this.jobClient) return this.jobClient;
    this.jobClient = new WorkerClient({
      entry: this.options.workerEntry,
      cacheLimitBytes: Math.max(64, this.settings.cacheLimitMB / 4) * 1024 * 1024,
      // Its encodes are the job's, not the image on screen's: the list marks come from the interactive worker (disk cache).
      onFeatureState: () => undefined,
      onStateChange: (state) => {
        if (state !== 'ready') this.jobModel = null;
      },
      onRestarted: () => {
        this.jobModel = null;
        return Promise.resolve();
      },
    });
    return this.jobClient;
  }

  private async loadInJobWorker(modelId: string): Promise<void> {
    if (this.jobModel === modelId) return;
    const model = await this.usable(modelId, 'model');
    await this.jobWorker().callWhenReady('load', this.ref(model));
    this.jobModel = modelId;
  }

  /** A detector's own thresholds (its manifest, e.g. from an X-AnyLabeling YAML), else Ultralytics' defaults. */
  private async detectorDefaults(model: ModelInfo): Promise<DetectionSettings> {
    try {
      const m = await readDetectorManifest(model.dir);
      return { conf: m.postprocessing.confThreshold, iou: m.postprocessing.iouThreshold, maxDetections: m.postprocessing.maxDetections };
    } catch {
      return DETECTION_DEFAULTS;
    }
  }

  /** Remembers how a detector's class names map onto project label names (null forgets one); answers the model's whole map. */
  setLabelMap(modelId: string, map: Record<string, string | null>): LabelMap {
    const merged: LabelMap = { ...this.settings.labelMaps?.[modelId] };
    for (const [className, labelName] of Object.entries(map)) {
      if (labelName === null) delete merged[className];
      else merged[className] = labelName;
    }
    const labelMaps = { ...this.settings.labelMaps, [modelId]: merged };
    if (Object.keys(merged).length === 0) delete labelMaps[modelId];
    this.settings = { ...this.settings, labelMaps };
    writeSettings(this.options.settingsPath, this.settings);
    this.statusChanged();
    return { ...merged };
  }

  async materialize(candidateSetId: string, index: number): Promise<CallAnswer<'materialize'>> {
    if (!this.client) throw new AppError('not_found', 'That candidate is no longer available; prompt again.');
    return this.client.callWhenReady('materialize', { candidateSetId, index });
  }

  /**
   * Cancels the AI work in flight (a foreground crop, segment everything,
   * prefetch): each call answers `cancelled` at once; a model run already
   * started finishes in the worker and its result is dropped.
   */
  cancelRunning(): boolean {
    // Model loads and cache bookkeeping are not the user's work: they stay.
    const seqs = this.client?.pendingSeqs(['encode', 'segment', 'everything', 'caption', 'phraseScores', 'detect']) ?? [];
    this.client?.cancel(seqs);
    this.prefetching.clear();
    return seqs.length > 0;
  }

  /** Simulates a worker crash (tests of the restart path). */
  async crashWorkerForTest(): Promise<void> {
    await this.client?.crashForTest();
  }

  async close(): Promise<void> {
    await Promise.all([this.client?.close(), this.jobClient?.close()]);
    this.client = null;
    this.jobClient = null;
    this.jobModel = null;
  }
}
