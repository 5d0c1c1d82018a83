// opencv.js (OpenCV compiled to WebAssembly), loaded once and only when a
// classical tool is first used: the module is ~10 MB of JavaScript and takes
// a few hundred milliseconds to compile, which the segmenter path never pays.
//
// The loaded module object is a thenable (Emscripten gives it a `then`), so
// resolving a promise WITH it makes the promise call `then` forever. We
// resolve with nothing, then hand out a plain object holding only the
// members this code uses: not thenable, and typed narrowly. The package's own
// .d.ts is not used: it declares a global `cv` (we never load it as a global)
// and types several of these parameters as `any`.

/** A Mat living in the WebAssembly heap; it must be `delete()`d or its memory leaks. */
export interface CvMat {
  readonly rows: number;
  readonly cols: number;
  /**
   * Views on the Mat's bytes in the WebAssembly heap. They are detached when
   * the heap grows, so read them right before use, never keep them.
   */
  readonly data: Uint8Array;
  readonly data32S: Int32Array;
  delete(): void;
  isDeleted(): boolean;
}

export interface CvMatConstructor {
  /** An empty Mat (e.g. GrabCut's model buffers, which GrabCut sizes itself). */
  new (): CvMat;
  /** A rows × cols Mat of `type`, every element set to `fill`. */
  new (rows: number, cols: number, type: number, fill: CvScalar): CvMat;
}

export interface CvPoint {
  x: number;
  y: number;
}

export interface CvRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Four channel values; embind takes a plain array. */
export type CvScalar = [number, number, number, number];

export interface CvApi {
  Mat: CvMatConstructor;
  CV_8UC1: number;
  CV_8UC3: number;
  CV_32SC1: number;
  /** GrabCut mask values: definite / probable background and foreground. */
  GC_BGD: number;
  GC_FGD: number;
  GC_PR_BGD: number;
  GC_PR_FGD: number;
  GC_INIT_WITH_RECT: number;
  GC_INIT_WITH_MASK: number;
  FLOODFILL_MASK_ONLY: number;
  FLOODFILL_FIXED_RANGE: number;
  LINE_8: number;
  grabCut(image: CvMat, mask: CvMat, rect: CvRect, backgroundModel: CvMat, foregroundModel: CvMat, iterations: number, mode: number): void;
  watershed(image: CvMat, markers: CvMat): void;
  /** Returns the number of filled pixels; `rect` receives their bounds. */
  floodFill(image: CvMat, mask: CvMat, seed: CvPoint, newValue: CvScalar, rect: CvRect, loDiff: CvScalar, upDiff: CvScalar, flags: number): number;
  line(image: CvMat, from: CvPoint, to: CvPoint, colour: CvScalar, thickness: number, lineType: number): void;
  /** A negative thickness fills the disc. */
  circle(image: CvMat, centre: CvPoint, radius: number, colour: CvScalar, thickness: number, lineType: number): void;
  /** Seeds OpenCV's global random generator (GrabCut's k-means initialisation draws from it). */
  setRNGSeed(seed: number): void;
  /** OpenCV's C++ exceptions reach JavaScript as a pointer; this reads the message behind it. */
  exceptionFromPtr(pointer: number): { msg: string };
}

const FUNCTIONS = ['grabCut', 'watershed', 'floodFill', 'line', 'circle', 'setRNGSeed', 'exceptionFromPtr'] as const;
const CONSTANTS = [
  'CV_8UC1',
  'CV_8UC3',
  'CV_32SC1',
  'GC_BGD',
  'GC_FGD',
  'GC_PR_BGD',
  'GC_PR_FGD',
  'GC_INIT_WITH_RECT',
  'GC_INIT_WITH_MASK',
  'FLOODFILL_MASK_ONLY',
  'FLOODFILL_FIXED_RANGE',
  'LINE_8',
] as const;

/** The Emscripten module as loaded: members are checked before use, so `unknown` is honest. */
type LoadedModule = Record<string, unknown> & { onRuntimeInitialized?: () => void };

let loading: Promise<CvApi> | null = null;

/** opencv.js, compiled on the first call; later calls share the same instance. */
export function loadOpenCv(): Promise<CvApi> {
  loading ??= initialise().catch((error: unknown) => {
    loading = null; // a failed load (e.g. out of memory) may succeed on a later try
    throw error;
  });
  return loading;
}

async function initialise(): Promise<CvApi> {
  // A plain require: the package is CommonJS, and an ESM namespace wrapper
  // would copy its `then` and become a thenable itself.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: an import() would wrap it in a thenable
  const loaded = withoutProcessHandlers(() => require('@techstark/opencv-js') as LoadedModule);
  await new Promise<void>((resolve) => {
    if (typeof loaded.Mat === 'function') resolve();
    else loaded.onRuntimeInitialized = () => resolve();
  });
  return pickApi(loaded);
}

/**
 * Emscripten's Node glue registers process-wide handlers while loading: one
 * rethrows every uncaught exception from inside opencv.js (Node then prints
 * the 10 MB one-line source as the error's context), one aborts the
 * WebAssembly runtime on any unhandled rejection anywhere in the process.
 * Neither belongs to us; the host's own error handling stays in charge.
 */
function withoutProcessHandlers<T>(load: () => T): T {
  const uncaught = new Set(process.listeners('uncaughtException'));
  const rejection = new Set(process.listeners('unhandledRejection'));
  try {
    return load();
  } finally {
    for (const listener of process.listeners('uncaughtException')) if (!uncaught.has(listener)) process.removeListener('uncaughtException', listener);
    for (const listener of process.listeners('unhandledRejection')) if (!rejection.has(listener)) process.removeListener('unhandledRejection', listener);
  }
}

/** Copies the members this code uses into a plain object, failing clearly if this opencv.js build lacks one. */
function pickApi(module: LoadedModule): CvApi {
  const missing = [
    ...(['Mat', ...FUNCTIONS] as const).filter((name) => typeof module[name] !== 'function'),
    ...CONSTANTS.filter((name) => typeof module[name] !== 'number'),
  ];
  if (missing.length) throw new Error(`this opencv.js build lacks ${missing.join(', ')}`);
  const api: Record<string, unknown> = {};
  for (const name of ['Mat', ...FUNCTIONS, ...CONSTANTS]) api[name] = module[name];
  return api as unknown as CvApi;
}

/** An error thrown by an opencv.js call, with OpenCV's message when it was a C++ exception. */
export function cvError(cv: CvApi, error: unknown, doing: string): Error {
  if (typeof error === 'number') {
    let message: string;
    try {
      message = cv.exceptionFromPtr(error).msg;
    } catch {
      message = `exception pointer ${error}`;
    }
    return new Error(`OpenCV failed while ${doing}: ${message.trim()}`);
  }
  return error instanceof Error ? error : new Error(`OpenCV failed while ${doing}: ${String(error)}`);
}

/**
 * Runs `work` with Mats that are all deleted afterwards, whatever happens:
 * opencv.js has no garbage collection of its heap, so a Mat left behind is
 * memory lost until the worker restarts.
 */
export function withMats<T>(cv: CvApi, doing: string, work: (track: <M extends CvMat>(mat: M) => M) => T): T {
  const mats: CvMat[] = [];
  const track = <M extends CvMat>(mat: M): M => {
    mats.push(mat);
    return mat;
  };
  try {
    return work(track);
  } catch (error) {
    throw cvError(cv, error, doing);
  } finally {
    for (const mat of mats) if (!mat.isDeleted()) mat.delete();
  }
}
