// Real Chromium (Debian's /usr/bin/chromium): one small Chinese document to A4 PDF, its text extractable, its
// fonts embedded, the page numbers "第 1 页 / 共 3 页"; and the one-line error when the browser is missing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRenderer, withRenderer } from '../../src/printing/render.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-render-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('htmlToPdf', () => {
  it('prints Chinese text on numbered A4 pages with the fonts embedded', async () => {
    const lines = Array.from({ length: 70 }, (_, i) => `<p>第${i + 1}行 合肥工程机械 12,345.67</p>`).join('');
    const [one, two] = await withRenderer((r) =>
      Promise.all([r.htmlToPdf(`<html><body>${lines}</body></html>`), r.htmlToPdf('<p>张三 壹万元整</p>', { pageNumbers: false })]),
    );
    const file = path.join(dir, 'a.pdf');
    fs.writeFileSync(file, one as Buffer);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('第70行 合肥工程机械 12,345.67');
    // pdftotext drops the spaces around the page number; the footer template has them (第 1 页 / 共 3 页)
    const squeezed = text.replace(/\s+/g, '');
    for (const n of [1, 2, 3]) expect(squeezed).toContain(`第${n}页/共3页`);
    expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(/Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of fonts) expect(line).toMatch(/ yes /); // the "emb" column
    fs.writeFileSync(file, two as Buffer);
    const plain = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(plain).toContain('张三 壹万元整');
    expect(plain).not.toContain('页');
  });

  it('a missing browser is one line naming the path and the package', async () => {
    await expect(openRenderer({ executablePath: '/nonexistent/chromium' })).rejects.toThrow(
      'printing needs Chromium at /nonexistent/chromium, which does not exist — install the chromium package',
    );
  });
});
