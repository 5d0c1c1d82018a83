// Makes a finished folder visible with one rename. An existing folder is
// replaced only when asked (`replace`), and then set aside first and put back
// if the rename fails, so a failed replacement never leaves nothing behind.
// Model installs (a downloaded pack, an added model) share it.
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** `occupied` builds the error for a target that exists (or appeared meanwhile) when `replace` is false. */
export async function moveFolderIntoPlace(work: string, target: string, replace: boolean, occupied: () => Error): Promise<void> {
  if (!existsSync(target)) {
    await rename(work, target);
    return;
  }
  if (!replace) throw occupied();
  const aside = join(dirname(target), `.${basename(target)}.replaced-${process.pid}-${Date.now()}`);
  await rename(target, aside);
  try {
    await rename(work, target);
  } catch (error) {
    await rename(aside, target);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}
