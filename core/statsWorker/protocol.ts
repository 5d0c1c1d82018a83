// Messages between the host and the dataset-figures thread (statsWorker.ts):
// the host asks for a count by number, the thread answers that number with
// a Result, so an answer is never taken for another and a failure is a value.
import type { DatasetStats, Result } from '../../common/contract/index.js';

/** What the thread is started with. */
export interface StatsWorkerData {
  /** The project's SQLite file, opened read-only by the thread. */
  file: string;
}

/** The figures as counted, without the host's view of their freshness. */
export type CountedStats = Omit<DatasetStats, 'current'>;

export interface CountRequest {
  seq: number;
}

export interface CountAnswer {
  seq: number;
  result: Result<CountedStats>;
}
