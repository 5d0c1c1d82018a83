// The review channels: the dataset view's figures, the next image matching the
// list's filter, and which of one image's annotations match it (all in SQL, core/store).
import { datasetStats } from '../store/datasetStats.js';
import { matchingAnnotationIds, neighbourImage } from '../store/reviewFilter.js';
import type { Handlers } from './handlerTypes.js';
import type { AppSession } from './session.js';

export function createDatasetHandlers(session: AppSession): Pick<Handlers, 'dataset.stats' | 'images.neighbour' | 'annotations.matching'> {
  return {
    'dataset.stats': () => datasetStats(session.requireProject().db),
    'images.neighbour': ({ fromImageId, direction, ...listFilter }) =>
      neighbourImage(session.requireProject().db, fromImageId, direction, listFilter),
    'annotations.matching': ({ imageId, filter }) => matchingAnnotationIds(session.requireProject().db, imageId, filter),
  };
}
