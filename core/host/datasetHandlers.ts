// The review channels: the dataset view's figures (kept ready off the host's
// thread by one DatasetStatsService per open project), the next image matching
// the list's filter, and which of one image's annotations match it (all in SQL, core/store).
import type { Project } from '../store/project.js';
import { matchingAnnotationIds, neighbourImage } from '../store/reviewFilter.js';
import { DatasetStatsService } from './datasetStatsService.js';
import type { Handlers } from './handlerTypes.js';
import type { AppSession } from './session.js';

export function createDatasetHandlers(session: AppSession): Pick<Handlers, 'dataset.stats' | 'images.neighbour' | 'annotations.matching'> {
  const figures = new Map<Project, DatasetStatsService>();
  const figuresOf = (project: Project): DatasetStatsService => {
    let service = figures.get(project);
    if (!service) figures.set(project, (service = new DatasetStatsService(project)));
    return service;
  };
  session.onProjectLifecycle({
    // Counting starts when the project opens, so the view's first click finds the figures ready.
    opened: (project) => void figuresOf(project),
    closing: (project) => {
      void figures.get(project)?.close();
      figures.delete(project);
    },
  });
  return {
    'dataset.stats': ({ whileCounting }) => figuresOf(session.requireProject()).stats(whileCounting),
    'images.neighbour': ({ fromImageId, direction, ...listFilter }) =>
      neighbourImage(session.requireProject().db, fromImageId, direction, listFilter),
    'annotations.matching': ({ imageId, filter }) => matchingAnnotationIds(session.requireProject().db, imageId, filter),
  };
}
