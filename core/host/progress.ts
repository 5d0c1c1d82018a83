// Long work reported as `progress` events under one task id.
import { randomUUID } from 'node:crypto';

import type { EventMap } from '../../common/contract/index.js';
import type { AppSession } from './session.js';

/** Reports long work as `progress` events under one task id. */
export function progressReporter(session: AppSession, title: string) {
  const taskId = randomUUID();
  const send = (payload: Omit<EventMap['progress'], 'taskId' | 'title'>) => session.events.emit('progress', { taskId, title, ...payload });
  return {
    update: (done: number, total: number) => send({ done, total, finished: false }),
    finish: () => send({ done: 1, total: 1, finished: true }),
  };
}

/** A reporter that says nothing until the work reports progress (fast work then shows no progress bar at all). */
export function lazyProgressReporter(session: AppSession, title: string) {
  let reporter: ReturnType<typeof progressReporter> | null = null;
  return {
    update: (done: number, total: number) => {
      reporter ??= progressReporter(session, title);
      reporter.update(done, total);
    },
    finish: () => reporter?.finish(),
  };
}
