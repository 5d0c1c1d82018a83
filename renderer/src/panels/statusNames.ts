import type { ImageStatus } from '../../../common/contract/index.js';

export const STATUS_NAMES: Record<ImageStatus, string> = { todo: 'To do', in_progress: 'In progress', done: 'Done' };
