// XML in and out for the VOC and CVAT converters. fast-xml-parser reads
// attributes with an '@' prefix and keeps elements that may repeat as arrays,
// so a converter walks plain objects; the writer escapes text and attributes.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

import { AppError } from '../../common/contract/index.js';

export type XmlNode = Record<string, unknown>;

/** Parses `text`; a malformed file is refused with its line and column. */
export function parseXml(text: string, file: string, repeating: readonly string[]): XmlNode {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    throw new AppError('invalid_file', `${file}:${line}:${col}: not well-formed XML: ${msg}`, `${file}:${line}`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    isArray: (name) => repeating.includes(name),
  });
  return parser.parse(text) as XmlNode;
}

/** A child element as an object (an empty element reads as ''), or undefined. */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  const value = node?.[name];
  if (value === undefined) return undefined;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as XmlNode;
  return {};
}

export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  if (!Array.isArray(value)) return [];
  return value.map((v) => (typeof v === 'object' && v !== null ? (v as XmlNode) : { '#text': String(v) }));
}

/** The text of a child element (or of the node itself with name '#text'), undefined when absent. */
export function text(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') {
    const inner = (value as XmlNode)['#text'];
    return inner === undefined ? '' : String(inner);
  }
  return String(value);
}

export const attr = (node: XmlNode, name: string): string | undefined => {
  const value = node[`@${name}`];
  return value === undefined ? undefined : String(value);
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** `name="value"` pairs, escaped. */
export const attrs = (pairs: Record<string, string | number>): string =>
  Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
