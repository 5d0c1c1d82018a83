// Types of scripts/check-boundaries.mjs, for the TypeScript tests that import it.

/** Path prefixes relative to the root ('dir/' for a folder, a full path for one file): `in`, minus `notIn`. */
export interface Selector {
  in: readonly string[];
  notIn?: readonly string[];
}

export interface BoundaryRule {
  name: string;
  why: string;
  from: Selector;
  mayImport?: Selector;
  mayNotImport?: Selector;
  except?: readonly string[];
  /** Bare specifiers: `only` the packages allowed, or `deny` some; 'node:' stands for every Node built-in. */
  packages?: { only?: readonly string[]; deny?: readonly string[] };
  /** A package no file in `from` may reach, directly or through the files it imports. */
  reach?: string;
}

export interface Violation {
  rule: string;
  why: string;
  /** The importing file, relative to the root. */
  file: string;
  /** The import as written. */
  specifier: string;
  /** What it resolves to: a root-relative path, or a package name. */
  target: string;
  problem: string;
  /** For `reach`: the files from `file` to the one that imports the package. */
  chain?: string[];
}

export const FOLDERS: Record<'renderer' | 'common' | 'electron' | 'server' | 'cli' | 'core' | 'engine' | 'worker', string[]>;
export const SOURCE: string[];
export const RULES: BoundaryRule[];
export function importSpecifiers(text: string): string[];
export function checkBoundaries(root: string, rules?: readonly BoundaryRule[]): Violation[];
export function formatViolation(violation: Violation): string;
