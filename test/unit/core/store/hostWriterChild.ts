// Writer 1 of twoWriters.test.ts: the app's path. A real host (as browser
// mode builds it) applies batches through dispatch('document.apply') as fast
// as it can, and says "ack N" only after batch N is acknowledged, until the
// parent kills it with SIGKILL.
import type { DocOp, ImagePage } from '../../../../common/contract/index.js';
import { createHost } from '../../../../core/host/createHost.js';
import { boxAnnotation } from './fixtures.js';
import { HOST_BATCH, hostAnnotationId, say } from './writerLines.js';

async function main(dir: string, userDataDir: string): Promise<void> {
  const host = createHost({ mode: 'browser', userDataDir });
  const opened = await host.dispatch('project.open', { dir });
  if (!opened.ok) throw new Error(opened.error.message);
  const page = await host.dispatch('images.list', { offset: 0, limit: 10 });
  if (!page.ok) throw new Error(page.error.message);
  const imageIds = (page.value as ImagePage).items.map((image) => image.id);
  say('ready');
  for (let batch = 0; ; batch++) {
    const ops: DocOp[] = Array.from({ length: HOST_BATCH }, (_, index) => ({
      type: 'annotation.put',
      annotation: boxAnnotation(imageIds[(batch + index) % imageIds.length]!, null, { id: hostAnnotationId(batch, index) }),
    }));
    const result = await host.dispatch('document.apply', { ops });
    say(result.ok ? `ack ${batch}` : `err ${result.error.code} ${result.error.message}`);
  }
}

main(process.argv[2]!, process.argv[3]!).catch((error: unknown) => {
  say(`fatal ${(error as Error).message}`);
  process.exitCode = 1;
});
