// The registry entry for one model folder, the same frame for every kind:
// its manifest read by the kind, the fields every entry has taken from it,
// what only the kind knows (note, file problems, capabilities) added, and a
// folder whose manifest cannot be used listed with the reason instead.
import type { ModelInfo } from '../../../common/contract/index.js';
import { unusableModel } from './unusableModel.js';

/** What every kind's manifest has (manifestBase.ts's header). */
interface ListedManifest {
  id: string;
  displayName: string;
  license: string;
}

/** What only the kind can say about its model. */
export type KindDetails = Pick<ModelInfo, 'note' | 'problem' | 'capabilities'> & Partial<Pick<ModelInfo, 'classNames'>>;

export async function describeModelFolder<M extends ListedManifest>(
  dir: string,
  kind: ModelInfo['kind'],
  source: ModelInfo['source'],
  read: (dir: string) => Promise<M>,
  details: (manifest: M) => Promise<KindDetails>,
): Promise<ModelInfo> {
  try {
    const manifest = await read(dir);
    return { id: manifest.id, displayName: manifest.displayName, kind, source, dir, license: manifest.license, ...(await details(manifest)) };
  } catch (error) {
    return unusableModel(dir, kind, source, error);
  }
}
