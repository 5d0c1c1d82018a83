// JSON parse errors that never quote the file. V8's JSON.parse message
// carries the first characters of the text ('Unexpected token 'r',
// "root:x:0:0"... is not valid JSON'), so importing /etc/shadow as COCO
// answered with its start. On failure this scanner finds where the text stops
// being JSON and says what was expected there, by line and column, naming
// what it found only by kind (a letter, a digit…), never by its bytes.

/** JSON.parse, with a failure described by position only; `what` names the file in the message. */
export function parseJsonText(text: string, what: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a UTF-8 byte-order mark is not an error
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new JsonSyntaxError(`${what} is not valid JSON: ${describeJsonSyntaxError(body)}`);
  }
}

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

/** "line 3, column 14: expected ',' or '}', found a letter" for text that JSON.parse refused. */
export function describeJsonSyntaxError(text: string): string {
  const failure = firstSyntaxError(text);
  if (!failure) return 'it does not parse';
  const before = text.slice(0, failure.offset);
  const line = before.split('\n').length;
  const column = failure.offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: expected ${failure.expected}, found ${kindAt(text, failure.offset)}`;
}

const VALUE = 'a value (an object, an array, a string in double quotes, a number, true, false or null)';
const KEY = 'a property name in double quotes';
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

interface Failure {
  offset: number;
  expected: string;
}

/** The first offset where `text` stops being JSON; iterative, so deep nesting cannot overflow the stack. */
function firstSyntaxError(text: string): Failure | null {
  let i = 0;
  const stack: ('object' | 'array')[] = [];
  const fail = (expected: string, at = i): Failure => ({ offset: at, expected });
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const isDigit = (at: number) => at < text.length && text[at]! >= '0' && text[at]! <= '9';
  const digits = (expected: string): Failure | null => {
    if (!isDigit(i)) return fail(expected);
    while (isDigit(i)) i++;
    return null;
  };
  const string = (): Failure | null => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) return fail('a closing double quote');
      const c = text[i]!;
      if (c === '"') {
        i++;
        return null;
      }
      if (c < ' ') return fail('an escape such as \\n instead of a raw line break or control character in a string');
      if (c === '\\') {
        const escaped = text[i + 1];
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail('four hex digits after \\u', i + 2);
          i += 6;
        } else if (escaped !== undefined && ESCAPES.has(escaped)) {
          i += 2;
        } else {
          return fail('an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)', i + 1);
        }
      } else {
        i++;
      }
    }
  };
  const number = (): Failure | null => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (digits('a digit')) return fail('a digit');
    if (text[i] === '.') {
      i++;
      const failure = digits('a digit after the decimal point');
      if (failure) return failure;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      const failure = digits('a digit in the exponent');
      if (failure) return failure;
    }
    return null;
  };
  const key = (): Failure | null => {
    skipSpace();
    if (text[i] !== '"') return fail(KEY);
    const failure = string();
    if (failure) return failure;
    skipSpace();
    if (text[i] !== ':') return fail("':' after the property name");
    i++;
    return null;
  };

  for (;;) {
    // A value starts here.
    skipSpace();
    const c = text[i];
    let opened = false;
    if (c === '{' || c === '[') {
      i++;
      skipSpace();
      const close = c === '{' ? '}' : ']';
      if (text[i] === close) {
        i++;
      } else {
        stack.push(c === '{' ? 'object' : 'array');
        if (c === '{') {
          const failure = key();
          if (failure) return failure;
        }
        opened = true;
      }
    } else if (c === '"') {
      const failure = string();
      if (failure) return failure;
    } else if (c === '-' || isDigit(i)) {
      const failure = number();
      if (failure) return failure;
    } else {
      const word = ['true', 'false', 'null'].find((literal) => text.startsWith(literal, i));
      if (!word) return fail(VALUE);
      i += word.length;
    }
    if (opened) continue;
    // The value is complete: close containers until one expects another value.
    for (;;) {
      skipSpace();
      const top = stack.at(-1);
      if (top === undefined) return i === text.length ? null : fail('the end of the text');
      const close = top === 'object' ? '}' : ']';
      if (text[i] === close) {
        i++;
        stack.pop();
        continue;
      }
      if (text[i] !== ',') return fail(`',' or '${close}'`);
      i++;
      if (top === 'object') {
        const failure = key();
        if (failure) return failure;
      }
      break;
    }
  }
}

/** What stands at `offset`, by kind only. */
function kindAt(text: string, offset: number): string {
  if (offset >= text.length) return 'the end of the text';
  const c = text[offset]!;
  if ('{}[],:"'.includes(c)) return `'${c}'`;
  if (/\p{L}/u.test(c)) return 'a letter';
  if (/\d/.test(c)) return 'a digit';
  if (/\s/.test(c)) return 'a space or line break';
  if (c < ' ' || c === '\x7f') return 'a control character';
  return 'another character';
}
