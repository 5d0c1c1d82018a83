// Places where no project can live and nothing should be written: the
// kernel's pseudo file systems (/proc, /sys, /dev and below, or any mount of
// those kinds), and the root of a file system. Checked before anything is
// created there, so a typo or a hostile request never writes into /proc.
import { realpathSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';

const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

/** statfs f_type of Linux pseudo file systems (linux/magic.h); other systems number theirs differently. */
const PSEUDO_FS_TYPES = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x1cd1, // devpts
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0x64626720, // debugfs
  0x74726163, // tracefs
  0x73636673, // securityfs
  0x6165676c, // pstore
  0xcafe4a11, // bpf
  0x62656570, // configfs
]);

/** The real path, following symlinks; the path itself when it cannot be resolved. */
export function realPathOr(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}

/** Why `realPath` (an existing, resolved path) is a system place, or null when it is an ordinary one. */
export function systemPlace(realPath: string): string | null {
  if (process.platform !== 'win32') {
    const root = PSEUDO_ROOTS.find((prefix) => realPath === prefix || realPath.startsWith(`${prefix}/`));
    if (root) return `it is inside ${root}, a system folder of the operating system`;
    try {
      if (process.platform === 'linux' && PSEUDO_FS_TYPES.has(statfsSync(realPath).type))
        return 'it is on a pseudo file system of the operating system';
    } catch {
      // statfs unavailable or the path vanished: the prefix check above stands
    }
  }
  return null;
}

/** True for "/", "C:\" and "\\server\share\": the top of a file system. */
export const isFileSystemRoot = (realPath: string): boolean => dirname(realPath) === realPath;
