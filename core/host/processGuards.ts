// Last line of defence for a long-running host (browser-mode server, Electron
// main): an exception or rejection that escaped every handler is logged and
// the host keeps serving, because no request may end the process. Handlers
// still catch their own errors; this only stops a missed one from killing
// every open window with it.

export type GuardLog = (what: string, error: unknown) => void;

const defaultLog: GuardLog = (what, error) => {
  console.error(`promptlabel: ${what} (kept running):`, error instanceof Error ? (error.stack ?? error.message) : error);
};

let installed = false;

/** Idempotent: the second call does nothing, so each entry point may call it. */
export function installProcessGuards(log: GuardLog = defaultLog): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', (error) => log('uncaught exception', error));
  process.on('unhandledRejection', (reason) => log('unhandled promise rejection', reason));
}
