/**
 * A small XML reader, enough for TwiML: elements, attributes, text, the five predefined entities,
 * numeric character references, comments, CDATA and the XML declaration. No namespaces, no DTDs.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export type XmlParseResult = { ok: true; root: XmlElement } | { ok: false; message: string };

const NAME = /[A-Za-z_:][\w.:-]*/y;
const ATTRIBUTE = /\s*([A-Za-z_:][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? whole;
  });
}

export function parseXml(source: string): XmlParseResult {
  let pos = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (message: string): XmlParseResult => ({ ok: false, message: `${message} at offset ${pos}` });

  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    const textEnd = lt === -1 ? source.length : lt;
    const text = source.slice(pos, textEnd);
    if (text.trim() !== '') {
      const parent = stack.at(-1);
      if (!parent) return fail('text outside the root element');
      parent.children.push(decodeXmlText(text));
    }
    pos = textEnd;
    if (lt === -1) break;

    if (source.startsWith('<?', pos)) {
      const end = source.indexOf('?>', pos);
      if (end === -1) return fail('unterminated processing instruction');
      pos = end + 2;
    } else if (source.startsWith('<!--', pos)) {
      const end = source.indexOf('-->', pos);
      if (end === -1) return fail('unterminated comment');
      pos = end + 3;
    } else if (source.startsWith('<![CDATA[', pos)) {
      const end = source.indexOf(']]>', pos);
      const parent = stack.at(-1);
      if (end === -1 || !parent) return fail('misplaced CDATA section');
      parent.children.push(source.slice(pos + 9, end));
      pos = end + 3;
    } else if (source.startsWith('<!', pos)) {
      return fail('DTDs are not supported');
    } else if (source.startsWith('</', pos)) {
      NAME.lastIndex = pos + 2;
      const name = NAME.exec(source)?.[0];
      const open = stack.pop();
      if (!name || !open || open.name !== name) return fail(`unexpected closing tag </${name ?? ''}>`);
      pos = NAME.lastIndex;
      const close = source.indexOf('>', pos);
      if (close === -1 || source.slice(pos, close).trim() !== '') return fail('malformed closing tag');
      pos = close + 1;
    } else {
      NAME.lastIndex = pos + 1;
      const name = NAME.exec(source)?.[0];
      if (!name) return fail('malformed tag');
      pos = NAME.lastIndex;
      const element: XmlElement = { name, attributes: {}, children: [] };
      for (;;) {
        ATTRIBUTE.lastIndex = pos;
        const attr = ATTRIBUTE.exec(source);
        if (!attr) break;
        element.attributes[attr[1]!] = decodeXmlText(attr[2] ?? attr[3] ?? '');
        pos = ATTRIBUTE.lastIndex;
      }
      while (/\s/.test(source[pos] ?? '')) pos++;
      const selfClosing = source.startsWith('/>', pos);
      if (!selfClosing && source[pos] !== '>') return fail(`malformed tag <${name}>`);
      pos += selfClosing ? 2 : 1;
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) return fail('more than one root element');
      else root = element;
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length > 0) return fail(`unclosed element <${stack.at(-1)?.name}>`);
  if (!root) return fail('no root element');
  return { ok: true, root };
}

export function elementText(element: XmlElement): string {
  return element.children
    .map((child) => (typeof child === 'string' ? child : elementText(child)))
    .join('')
    .trim();
}

export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter((child): child is XmlElement => typeof child !== 'string');
}
