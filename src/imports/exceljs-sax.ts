// exceljs 4.4's streaming reader decodes each zip chunk to text on its own (lib/utils/parse-sax.js), so a
// Chinese character whose UTF-8 bytes straddle two chunks turns into U+FFFD — seen with sheets that keep
// their text inline (WPS, streaming writers) rather than in sharedStrings.xml. This module puts a streaming
// decoder in place of that one file before exceljs loads it; import it before 'exceljs'.
import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);
const requireFromExceljs = createRequire(requireFromHere.resolve('exceljs'));
const parseSaxPath = requireFromExceljs.resolve('./lib/utils/parse-sax.js');
const { SaxesParser } = requireFromExceljs('saxes') as { SaxesParser: new () => SaxParser };
const { PassThrough } = requireFromExceljs('readable-stream') as { PassThrough: new () => NodeJS.ReadWriteStream };

interface SaxParser {
  on(event: string, listener: (value: unknown) => void): void;
  write(text: string): void;
}

type SaxEvent = { eventType: 'opentag' | 'text' | 'closetag'; value: unknown };

async function* parseSax(source: AsyncIterable<Uint8Array | string> & { pipe?: unknown }): AsyncGenerator<SaxEvent[]> {
  let iterable = source;
  if (typeof source.pipe === 'function' && !(Symbol.asyncIterator in source)) {
    iterable = (source as unknown as NodeJS.ReadableStream).pipe(new PassThrough()) as unknown as typeof source;
  }
  const parser = new SaxesParser();
  const decoder = new TextDecoder('utf-8');
  let error: unknown;
  let events: SaxEvent[] = [];
  parser.on('error', (err) => {
    error = err;
  });
  for (const eventType of ['opentag', 'text', 'closetag'] as const) parser.on(eventType, (value) => events.push({ eventType, value }));
  for await (const chunk of iterable) {
    parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (error) throw error;
    yield events;
    events = [];
  }
  const rest = decoder.decode();
  if (rest) {
    parser.write(rest);
    if (error) throw error;
    yield events;
  }
}

if (!requireFromHere.cache[parseSaxPath]) {
  const module = new (requireFromHere('node:module') as { Module: new (id: string) => NodeJS.Module }).Module(parseSaxPath);
  module.filename = parseSaxPath;
  module.loaded = true;
  module.exports = parseSax;
  requireFromHere.cache[parseSaxPath] = module;
}
