// Latest-wins requests for interactive prompting. At most one request is in
// flight; anything asked meanwhile only marks the state dirty, and when the
// answer arrives ONE new request is built from the state as it is then. So a
// box being dragged costs one decode at a time and never a queue of stale
// boxes, and a quick second click is sent with the first click's answer as
// its memory prompt. `reset` (new image, discard, accept) drops the answers
// of everything already sent.

export interface LatestWinsHandlers<Request, Response> {
  /** The request for the current state, or null when there is nothing to ask. */
  build: () => Request | null;
  send: (request: Request, seq: number) => Promise<Response>;
  onAnswer: (response: Response, request: Request, seq: number) => void;
  onError: (error: unknown, request: Request) => void;
  /** Called when a request starts or the last one settles. */
  onBusyChange?: (busy: boolean) => void;
}

export class LatestWins<Request, Response> {
  private generation = 0;
  private inFlight = false;
  private dirty = false;
  private seq = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly handlers: LatestWinsHandlers<Request, Response>) {}

  get busy(): boolean {
    return this.inFlight;
  }

  /** True while an answer is being delivered whose request the state has moved past (a newer one follows it). */
  get superseded(): boolean {
    return this.dirty;
  }

  /** Asks for an answer to the current state: now, or as soon as the request in flight settles. */
  request(): void {
    if (this.inFlight) {
      this.dirty = true;
      return;
    }
    this.start();
  }

  /** Forgets pending work; answers to requests already sent are ignored. */
  reset(): void {
    this.generation++;
    this.dirty = false;
    if (this.inFlight) {
      this.inFlight = false;
      this.handlers.onBusyChange?.(false);
    }
    this.settleIdle();
  }

  /** Resolves once no request is in flight or pending (e.g. before accepting what is shown). */
  whenIdle(): Promise<void> {
    if (!this.inFlight && !this.dirty) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private start(): void {
    this.dirty = false;
    const request = this.handlers.build();
    if (request === null) return;
    const generation = this.generation;
    const seq = ++this.seq;
    this.inFlight = true;
    this.handlers.onBusyChange?.(true);
    const current = () => generation === this.generation;
    let promise: Promise<Response>;
    try {
      promise = this.handlers.send(request, seq);
    } catch (error) {
      promise = Promise.reject(error);
    }
    const failed = (error: unknown) => {
      if (current()) this.handlers.onError(error, request);
    };
    void promise
      .then((response) => {
        if (current()) this.handlers.onAnswer(response, request, seq);
      }, failed)
      // An answer the UI could not take in is reported like a failed request.
      .catch(failed)
      .finally(() => {
        if (!current()) return;
        this.inFlight = false;
        if (this.dirty) this.start();
        if (this.inFlight) return;
        this.handlers.onBusyChange?.(false);
        this.settleIdle();
      });
  }

  private settleIdle(): void {
    if (this.inFlight || this.dirty) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * Runs `action` at most once per `intervalMs`, leading and trailing: the
 * first call runs at once, calls during the cool-down are folded into one
 * run at its end (with the state as it is then). A slider dragged across its
 * range thus costs a handful of requests, and the last position always runs.
 */
export class Throttle {
  private coolDown: ReturnType<typeof setTimeout> | null = null;
  private pending = false;

  constructor(
    private readonly action: () => void,
    private readonly intervalMs: number,
  ) {
    if (!(intervalMs >= 0)) throw new RangeError(`a throttle interval must be >= 0 ms, got ${intervalMs}`);
  }

  schedule(): void {
    if (this.coolDown !== null) {
      this.pending = true;
      return;
    }
    this.run();
  }

  /** Drops a trailing run that has not happened yet. */
  cancel(): void {
    if (this.coolDown !== null) clearTimeout(this.coolDown);
    this.coolDown = null;
    this.pending = false;
  }

  private run(): void {
    this.pending = false;
    this.coolDown = setTimeout(() => {
      this.coolDown = null;
      if (this.pending) this.run();
    }, this.intervalMs);
    this.action();
  }
}
