// A small streaming scanner for the XML parts of an XLSX file. exceljs read them with saxes, a complete
// parser that builds an attribute object and an event for every tag and decodes all of the text; a
// sheet needs far less: tag names, three attributes, the text of <v>, <f> and <t>.
//
// What it reads is XML as Excel, WPS and streaming writers (exceljs, openpyxl, xlsxwriter, OpenXML SDK)
// write it: UTF-8, or UTF-16 with a byte order mark; elements with attributes in single or double quotes
// (a '>' inside a quoted value does not end the tag); the five predefined entities and character
// references (&#NN; &#xNN;); comments, processing instructions and CDATA sections; line ends normalised
// to \n in text, tabs and line ends to spaces in attribute values, as XML says. Namespace prefixes are
// dropped (`<x:c>` is `c`, `r:id` is `id`): writers put the main namespace either unprefixed or under one
// prefix, and none of the names read here has a namesake in another namespace where it is read. A DOCTYPE
// is refused: OOXML forbids it, and it would bring entity expansion.
//
// It is a scanner, not a validator: it does not check that end tags match their start tags. The callers
// check what they depend on (a sheet must reach </sheetData>).
//
// UTF-8 is scanned as bytes: all markup is ASCII, and no byte of a multi-byte UTF-8 character is below
// 0x80, so the bytes read as Latin-1 (one character per byte, no decoding; measured about 3× faster to
// scan than text decoded first) show every '<', '>', '"' and '&' where they are. Only the text and
// attribute values taken out are decoded from UTF-8; they end at a '<' or a quote, so a character whose
// bytes straddle two chunks is whole by then.

import { TextDecoder } from 'node:util';

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

/** The longest piece kept between two chunks (a tag, or a text still open): more is a broken part. */
export const MAX_XML_TOKEN_CHARS = 4 * 1024 * 1024;

/** The attributes of the tag being reported, found while its end was looked for: valid only during open(). */
export class XmlAttributes {
  source = '';
  count = 0;
  /** Whether `source` holds UTF-8 bytes as Latin-1 (see above) rather than text. */
  bytes = true;
  /** Per attribute: where its local name starts and ends, where its value starts and ends. */
  readonly bounds: number[] = [];

  /** The value of the attribute with this local name (prefix ignored), decoded. */
  get(name: string): string | undefined {
    const k = this.find(name);
    return k < 0 ? undefined : decodeAttribute(this.source.slice(this.bounds[k + 2], this.bounds[k + 3]), this.bytes);
  }

  /**
   * A non-negative integer attribute read in place (no string made: a sheet has one per cell), or
   * `absent`. A value with anything but digits is read as text (an entity, spaces) by parseInt.
   */
  integer(name: string, absent: number): number {
    const k = this.find(name);
    if (k < 0) return absent;
    const s = this.source;
    const end = this.bounds[k + 3] as number;
    let value = 0;
    for (let i = this.bounds[k + 2] as number; i < end; i++) {
      const digit = s.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return Number.parseInt(this.get(name) ?? '', 10);
      value = value * 10 + digit;
    }
    return value;
  }

  private find(name: string): number {
    const s = this.source;
    const bounds = this.bounds;
    for (let k = 0; k < this.count * 4; k += 4) {
      const start = bounds[k] as number;
      if ((bounds[k + 1] as number) - start === name.length && s.startsWith(name, start)) return k;
    }
    return -1;
  }
}

export interface XmlHandler {
  /** True while text between tags is wanted; other text is skipped without being decoded. */
  collecting: boolean;
  /** A start tag; a self-closing tag is reported as open(…, true) then close(). */
  open(name: string, attributes: XmlAttributes, selfClosing: boolean): void;
  close(name: string): void;
  /** A piece of text (decoded) while collecting; an element's text may come in several pieces. */
  text(text: string): void;
  /**
   * A handler may read a whole element at `s[at]` (a '<' not inside text it collects) itself, faster than
   * tag by tag: it returns where the element ends, or -1 to have it read tag by tag. `bytes`: whether `s`
   * holds UTF-8 bytes as Latin-1 (decodeText() decodes what is taken out).
   */
  readElement?(s: string, at: number, bytes: boolean): number;
}

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const BANG = 33;
const QUOTE = 34;
const AMPERSAND = 38;
const APOSTROPHE = 39;
const SLASH = 47;
const COLON = 58;
const LT = 60;
const EQUALS = 61;
const GT = 62;
const QUESTION = 63;
const ASCII_END = 0x7f;

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === TAB || c === CR;
}

/** Feed it a part's bytes with write() as they arrive; it reports every complete tag and keeps the rest. */
export class XmlScanner {
  private readonly attributes = new XmlAttributes();
  /** UTF-8 parts: the bytes not scanned yet. */
  private restBytes: Buffer | null = null;
  /** UTF-16 parts: their decoder, and the text not scanned yet. */
  private utf16: TextDecoder | null = null;
  private restText = '';
  private started = false;

  constructor(private readonly handler: XmlHandler) {}

  write(chunk: Buffer): void {
    if (!this.started) {
      // The byte order mark of UTF-16, once there are two bytes to look at.
      const head = this.restBytes === null ? chunk : Buffer.concat([this.restBytes, chunk]);
      if (head.length < 2) {
        this.restBytes = head;
        return;
      }
      this.started = true;
      this.restBytes = null;
      const utf16 = head[0] === 0xff && head[1] === 0xfe ? 'utf-16le' : head[0] === 0xfe && head[1] === 0xff ? 'utf-16be' : null;
      if (utf16 !== null) this.utf16 = new TextDecoder(utf16);
      this.attributes.bytes = utf16 === null;
      this.write(head);
      return;
    }
    if (this.utf16 !== null) {
      const s = this.restText + this.utf16.decode(chunk, { stream: true });
      this.restText = s.slice(this.scan(s));
    } else {
      const bytes = this.restBytes === null ? chunk : Buffer.concat([this.restBytes, chunk]);
      const scanned = this.scan(bytes.toString('latin1'));
      this.restBytes = scanned < bytes.length ? bytes.subarray(scanned) : null;
    }
    if (this.restText.length > MAX_XML_TOKEN_CHARS || (this.restBytes?.length ?? 0) > MAX_XML_TOKEN_CHARS) {
      throw new XmlError(`a tag or text longer than ${MAX_XML_TOKEN_CHARS} characters`);
    }
  }

  /** The end of the part: anything still kept is a tag cut off. */
  end(): void {
    if (this.utf16 !== null) {
      const s = this.restText + this.utf16.decode();
      this.restText = s.slice(this.scan(s));
    }
    const rest = this.utf16 !== null ? this.restText : (this.restBytes?.toString('latin1') ?? '');
    if (rest.trim() !== '') throw new XmlError(`the XML ends inside a tag or text: ${rest.slice(0, 40)}…`);
  }

  /** Reports the complete tags in `s`; returns how much of it was used (the rest waits for more). */
  private scan(s: string): number {
    const n = s.length;
    const handler = this.handler;
    let i = 0;
    while (i < n) {
      // Loops rather than indexOf() here and below: the next '<', '>' or quote is a few characters away,
      // and a call of indexOf() costs more than that (measured: a third of the scanning time).
      let lt = i;
      if (handler.collecting) {
        // Notes on the way whether the text has anything to decode: '&', CR, or a byte above 0x7F.
        let plain = true;
        for (; lt < n; lt++) {
          const c = s.charCodeAt(lt);
          if (c === LT) break;
          if (c === AMPERSAND || c === CR || c > ASCII_END) plain = false;
        }
        // Text running to the end: kept for the next chunk, as it may end in a cut entity.
        if (lt >= n) return i;
        if (lt > i) handler.text(plain ? s.slice(i, lt) : decodeText(s.slice(i, lt), this.attributes.bytes));
      } else {
        while (lt < n && s.charCodeAt(lt) !== LT) lt++;
        // Text not wanted: dropped.
        if (lt >= n) return n;
      }
      i = lt;
      if (lt + 1 >= n) return i;
      const next = s.charCodeAt(lt + 1);
      if (next === SLASH) {
        const nameEnd = nameEndAt(s, lt + 2);
        let gt = nameEnd;
        while (gt < n && s.charCodeAt(gt) !== GT) gt++;
        if (gt >= n) return i;
        handler.close(localName(s, lt + 2, nameEnd));
        i = gt + 1;
      } else if (next === QUESTION) {
        const end = s.indexOf('?>', lt + 2);
        if (end < 0) return i;
        i = end + 2;
      } else if (next === BANG) {
        if (n - lt < 9) return i;
        if (s.startsWith('<!--', lt)) {
          const end = s.indexOf('-->', lt + 4);
          if (end < 0) return i;
          i = end + 3;
        } else if (s.startsWith('<![CDATA[', lt)) {
          const end = s.indexOf(']]>', lt + 9);
          if (end < 0) return i;
          // CDATA is text as it stands: no references, only line ends and the UTF-8 bytes to decode.
          if (handler.collecting) handler.text(decodeText(s.slice(lt + 9, end), this.attributes.bytes, false));
          i = end + 3;
        } else {
          throw new XmlError(`not allowed in an XLSX part: ${s.slice(lt, lt + 20)}…`);
        }
      } else {
        const read = handler.readElement?.(s, lt, this.attributes.bytes) ?? -1;
        const end = read >= 0 ? read : this.readTag(s, lt);
        if (end < 0) return i;
        i = end;
      }
    }
    return i;
  }

  /**
   * The start tag at `lt`: its name and attributes in one pass, reported to the handler. Returns where the
   * tag ends, or -1 when it is not complete in `s` yet.
   */
  private readTag(s: string, lt: number): number {
    const n = s.length;
    let i = nameEndAt(s, lt + 1);
    let c = 0;
    const name = localName(s, lt + 1, i);
    const attributes = this.attributes;
    const bounds = attributes.bounds;
    let count = 0;
    for (;;) {
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      if (i >= n) return -1;
      c = s.charCodeAt(i);
      if (c === GT || c === SLASH) break;
      const nameStart = i;
      i = nameEndAt(s, i);
      const nameEnd = i;
      if (nameEnd === nameStart && i < n) throw new XmlError(`attribute without a name in ${s.slice(lt, i + 1)}`);
      const localStart = afterPrefix(s, nameStart, nameEnd);
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      if (i >= n) return -1;
      if (s.charCodeAt(i) !== EQUALS) throw new XmlError(`attribute without a value in ${s.slice(lt, i + 1)}`);
      i++;
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      if (i >= n) return -1;
      const quote = s.charCodeAt(i);
      if (quote !== QUOTE && quote !== APOSTROPHE) throw new XmlError(`attribute value without quotes in ${s.slice(lt, i + 1)}`);
      let valueEnd = i + 1;
      while (valueEnd < n && s.charCodeAt(valueEnd) !== quote) valueEnd++;
      if (valueEnd >= n) return -1;
      // Namespace declarations are not attributes of the element.
      if (
        !(
          s.charCodeAt(nameStart) === 120 /* x */ &&
          s.startsWith('xmlns', nameStart) &&
          (nameEnd === nameStart + 5 || localStart === nameStart + 6)
        )
      ) {
        bounds[count * 4] = localStart;
        bounds[count * 4 + 1] = nameEnd;
        bounds[count * 4 + 2] = i + 1;
        bounds[count * 4 + 3] = valueEnd;
        count++;
      }
      i = valueEnd + 1;
    }
    const selfClosing = c === SLASH;
    if (selfClosing) {
      if (i + 1 >= n) return -1;
      if (s.charCodeAt(i + 1) !== GT) throw new XmlError(`'/' not followed by '>' in ${s.slice(lt, i + 2)}`);
      i++;
    }
    attributes.source = s;
    attributes.count = count;
    this.handler.open(name, attributes, selfClosing);
    if (selfClosing) this.handler.close(name);
    return i + 1;
  }
}

/** Where the name starting at `start` ends: at a space, '=', '/', '>' or the end of `s`. */
function nameEndAt(s: string, start: number): number {
  let i = start;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === GT || c === SLASH || c === EQUALS || isSpace(c)) break;
  }
  return i;
}

/** Where a name's local part starts: after its last ':'. */
function afterPrefix(s: string, start: number, end: number): number {
  let local = start;
  for (let i = start; i < end; i++) if (s.charCodeAt(i) === COLON) local = i + 1;
  return local;
}

/** The name without its namespace prefix; one-letter names come from V8's single-character cache. */
function localName(s: string, start: number, end: number): string {
  return end - start === 1 ? s.charAt(start) : s.slice(afterPrefix(s, start, end), end);
}

const ENTITY = /&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|&/g;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function replaceEntity(match: string, reference: string | undefined): string {
  if (reference === undefined) throw new XmlError(`a bare '&' (write &amp;)`);
  if (reference.charCodeAt(0) !== 35 /* # */) {
    const text = NAMED_ENTITIES[reference];
    if (text === undefined) throw new XmlError(`unknown entity ${match}`);
    return text;
  }
  const hex = reference[1] === 'x' || reference[1] === 'X';
  const code = Number.parseInt(reference.slice(hex ? 2 : 1), hex ? 16 : 10);
  if (!(code >= 1 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`not a character: ${match}`);
  return String.fromCodePoint(code);
}

/** UTF-8 bytes held as Latin-1 → the text they encode (bytes that are not UTF-8 become U+FFFD). */
function fromUtf8(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Text content: decoded from UTF-8, line ends normalised, then entities and character references replaced. */
export function decodeText(raw: string, bytes: boolean, references = true): string {
  let text = bytes ? fromUtf8(raw) : raw;
  if (text.indexOf('\r') >= 0) text = text.replace(/\r\n?/g, '\n');
  return references && text.indexOf('&') >= 0 ? text.replace(ENTITY, replaceEntity) : text;
}

/** An attribute value: tabs and line ends become spaces (before references are replaced, as XML says). */
function decodeAttribute(raw: string, bytes: boolean): string {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === AMPERSAND || c < SPACE || c > ASCII_END) {
      const text = (bytes ? fromUtf8(raw) : raw).replace(/\r\n|[\t\n\r]/g, ' ');
      return text.indexOf('&') >= 0 ? text.replace(ENTITY, replaceEntity) : text;
    }
  }
  return raw;
}
