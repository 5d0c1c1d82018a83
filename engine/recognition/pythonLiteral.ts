// Ultralytics writes an ONNX model's class names into its custom metadata as
// a Python repr, `{0: 'person', 1: 'bicycle', …}`, not JSON (and `imgsz` as
// `[640, 640]`, `end2end` as `False`). This reads those few literal forms —
// dicts of int to str, lists of str or int, str, int, True/False/None — with
// a tiny bounded parser; nothing is ever evaluated.

export type PythonLiteral = string | number | boolean | null | PythonLiteral[] | PythonDict;
export interface PythonDict {
  /** Keys in the order written, with their values. */
  entries: [string | number, PythonLiteral][];
}

export class PythonLiteralError extends Error {
  constructor(message: string, text: string, at: number) {
    const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    super(`${message} at character ${at + 1} of ${JSON.stringify(shown)}`);
    this.name = 'PythonLiteralError';
  }
}

const MAX_TEXT = 1024 * 1024;
const MAX_DEPTH = 8;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/** Parses one Python literal (the forms above); throws PythonLiteralError on anything else. */
export function parsePythonLiteral(text: string): PythonLiteral {
  if (text.length > MAX_TEXT) throw new PythonLiteralError(`longer than ${MAX_TEXT} characters`, text, 0);
  let at = 0;
  const fail = (message: string): never => {
    throw new PythonLiteralError(message, text, at);
  };
  const space = (): void => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const expect = (char: string): void => {
    space();
    if (text[at] !== char) fail(`expected "${char}"`);
    at++;
  };

  const string = (): string => {
    const quote = text[at]!;
    at++;
    let out = '';
    while (at < text.length && text[at] !== quote) {
      const c = text[at]!;
      if (c === '\n') fail('a string ends at a line break');
      if (c === '\\') {
        const next = text[at + 1];
        if (next === 'x' || next === 'u') {
          const digits = next === 'x' ? 2 : 4;
          const hex = text.slice(at + 2, at + 2 + digits);
          if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) fail(`a \\${next} escape needs ${digits} hex digits`);
          out += String.fromCharCode(parseInt(hex, 16));
          at += 2 + digits;
          continue;
        }
        const escaped = next === undefined ? undefined : ESCAPES[next];
        if (escaped === undefined) fail('an unknown escape in a string');
        out += escaped;
        at += 2;
        continue;
      }
      out += c;
      at++;
    }
    if (at >= text.length) fail('a string is not closed');
    at++;
    return out;
  };

  const number = (): number => {
    const match = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(at, at + 40));
    if (!match) fail('expected a number');
    at += match![0].length;
    return Number(match![0]);
  };

  const value = (depth: number): PythonLiteral => {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH}`);
    space();
    const c = text[at];
    if (c === undefined) return fail('expected a value, found the end');
    if (c === "'" || c === '"') return string();
    if (c === '-' || /\d/.test(c)) return number();
    if (c === '[' || c === '(') return list(c === '[' ? ']' : ')', depth);
    if (c === '{') return dict(depth);
    for (const [word, result] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (text.startsWith(word, at) && !/\w/.test(text[at + word.length] ?? '')) {
        at += word.length;
        return result;
      }
    }
    return fail('not a literal this reader accepts (strings, numbers, lists, dicts, True, False, None)');
  };

  const list = (close: string, depth: number): PythonLiteral[] => {
    at++;
    const items: PythonLiteral[] = [];
    space();
    while (text[at] !== close) {
      items.push(value(depth + 1));
      space();
      if (text[at] === ',') at++;
      else if (text[at] !== close) fail(`expected "," or "${close}"`);
      space();
    }
    at++;
    return items;
  };

  const dict = (depth: number): PythonDict => {
    at++;
    const entries: [string | number, PythonLiteral][] = [];
    space();
    while (text[at] !== '}') {
      const key = value(depth + 1);
      if (typeof key !== 'string' && typeof key !== 'number') fail('a dict key must be a string or a number');
      expect(':');
      entries.push([key as string | number, value(depth + 1)]);
      space();
      if (text[at] === ',') at++;
      else if (text[at] !== '}') fail('expected "," or "}"');
      space();
    }
    at++;
    return { entries };
  };

  const result = value(0);
  space();
  if (at !== text.length) fail('unexpected text after the value');
  return result;
}

export function isPythonDict(value: PythonLiteral): value is PythonDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Class names from `{0: 'person', 1: 'bicycle'}` or `['person', 'bicycle']`:
 * indexes must be 0..n-1 (in any order), each once, names non-empty strings.
 */
export function classNamesFrom(value: PythonLiteral, where: string): string[] {
  if (Array.isArray(value)) {
    return value.map((name, i) => {
      if (typeof name !== 'string' || !name.trim()) throw new Error(`${where}: class ${i} is not a non-empty name`);
      return name;
    });
  }
  if (!isPythonDict(value)) throw new Error(`${where}: expected a dict of class index to name or a list of names`);
  const names: string[] = [];
  for (const [key, name] of value.entries) {
    const index = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : NaN;
    if (!Number.isInteger(index) || index < 0 || index >= value.entries.length)
      throw new Error(`${where}: class index ${JSON.stringify(key)} is not one of 0..${value.entries.length - 1}`);
    if (names[index] !== undefined) throw new Error(`${where}: class index ${index} is given twice`);
    if (typeof name !== 'string' || !name.trim()) throw new Error(`${where}: class ${index} is not a non-empty name`);
    names[index] = name;
  }
  return names;
}
