// Files for the archive's tests: the smallest bytes each type's magic number needs, a real workbook, a renamed
// executable and a zip that is not a workbook.
import ExcelJS from 'exceljs';
import JSZip from 'jszip';

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
export const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
export const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
/** A Windows executable's first bytes ("MZ"), to be renamed .pdf. */
export const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62, 0x90), Buffer.from('This program cannot be run in DOS mode.')]);

export async function xlsx(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet('明细').addRow(['合同编号', '金额']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A zip with [Content_Types].xml but no xl/workbook.xml: named .xlsx, not a workbook. */
export async function fakeXlsx(): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', '<?xml version="1.0"?><Types/>');
  zip.file('word/document.xml', '<document/>');
  return zip.generateAsync({ type: 'nodebuffer' });
}
