// The printing actions: `receipt.print` (收据, records the print: a reprint says 补打) and `notice.print` (催收单,
// read-only). The document or contracts are found in the actor's scope (out of scope looks like not found and
// nothing is written); output paths are checked before any work; one browser renders the run.
import path from 'node:path';
import { defineAction } from '../access/action.js';
import { STAFF } from '../access/role-sets.js';
import { type BusinessDate, parseDate, today } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { parseId } from '../core/input.js';
import type { DocumentRow } from '../documents/index.js';
import { parseDays } from '../reports/report-common.js';
import { defaultNoticeFile, type Notice, noticeFileName } from './notice.js';
import { checkPdfFile, checkPdfTarget, type PdfTarget } from './output.js';
import type { VoucherPrint } from './receipt-voucher.js';

export interface ReceiptPrintRaw {
  id: string | number;
  out?: string | undefined;
  force?: boolean | undefined;
}

export const receiptPrint = defineAction({
  name: 'receipt.print',
  summary: 'print the voucher (收据) of a confirmed receipt to PDF; a reprint says 补打 and its count (recorded)',
  roles: STAFF,
  mutates: true,
  parse: (raw: ReceiptPrintRaw) => {
    const force = raw.force === true;
    return { id: parseId(raw.id, 'id', 'a receipt id'), out: raw.out === undefined ? undefined : checkPdfFile(raw.out, force), force };
  },
  document: (input) => input.id,
  run: async (tx, actor, input, { subject }: { subject: { document: DocumentRow } }): Promise<VoucherPrint> => {
    const [{ prepareVoucher, defaultVoucherFile }, { withRenderer }, { writePdf }] = await Promise.all([
      import('./receipt-voucher.js'),
      import('./render.js'),
      import('./output.js'),
    ]);
    const target = (copy: number) => input.out ?? checkPdfFile(defaultVoucherFile(subject.document.number, copy), input.force);
    const { html, print } = await prepareVoucher(tx, actor, subject.document, target);
    const pdf = await withRenderer((r) => r.htmlToPdf(html), { pages: 1 });
    writePdf(print.file, pdf, input.force);
    return { ...print, file: path.resolve(print.file) };
  },
});

export interface NoticePrintRaw {
  collector?: string | undefined;
  dealer?: string | undefined;
  contract?: string | undefined;
  minOverdueDays?: string | undefined;
  asOf?: string | undefined;
  out?: string | undefined;
  force?: boolean | undefined;
}

export interface NoticePrintInput {
  collector: string | undefined;
  dealer: string | undefined;
  contract: string | undefined;
  minOverdueDays: number;
  asOf: BusinessDate;
  out: PdfTarget | undefined;
  force: boolean;
}

export function parseNoticePrint(raw: NoticePrintRaw): NoticePrintInput {
  const force = raw.force === true;
  if (raw.collector === undefined && raw.dealer === undefined && raw.contract === undefined)
    throw new BadInput('collector', null, 'one of --collector USER, --dealer CODE or --contract NO');
  if (raw.contract !== undefined && raw.collector !== undefined)
    throw new BadInput(
      'contract',
      raw.contract,
      'a contract without --collector (--dealer only where its number exists at more than one dealer)',
    );
  return {
    collector: raw.collector,
    dealer: raw.dealer,
    contract: raw.contract,
    minOverdueDays: Math.max(1, parseDays(raw.minOverdueDays, 'minOverdueDays') ?? 1),
    asOf: raw.asOf === undefined ? today() : parseDate(raw.asOf, 'asOf'),
    out: raw.out === undefined ? undefined : checkPdfTarget(raw.out, force),
    force,
  };
}

export interface NoticePrintResult {
  asOf: BusinessDate;
  notices: (Pick<Notice, 'contractNo' | 'overdueDays' | 'overdue' | 'penaltyOutstanding' | 'total'> & {
    dealer: string;
    customer: string;
    collector: string | null;
    file: string;
  })[];
  files: string[];
}

export const noticePrint = defineAction({
  name: 'notice.print',
  summary: 'print collection notices (催收单) of overdue contracts to PDF: overdue lines, penalty to the date, total to pay',
  roles: STAFF,
  mutates: false,
  parse: parseNoticePrint,
  run: async (tx, actor, input): Promise<NoticePrintResult> => {
    const [{ collectionNotices, noticeHtml }, { withRenderer }, { writePdf }, { PDFDocument }] = await Promise.all([
      import('./notice.js'),
      import('./render.js'),
      import('./output.js'),
      import('pdf-lib'),
    ]);
    const notices = await collectionNotices(tx, actor, input);
    const result: NoticePrintResult = { asOf: input.asOf, notices: [], files: [] };
    if (notices.length === 0) return result;
    // every target is known and checked before the browser starts
    const one = input.out?.kind === 'dir' ? undefined : (input.out?.path ?? checkPdfFile(defaultNoticeFile(input, notices), input.force));
    const fileOf = (n: Notice) => one ?? checkPdfFile(path.join(input.out?.path ?? '.', noticeFileName(n)), input.force);
    const files = notices.map(fileOf);
    const pdfs = await withRenderer((r) => Promise.all(notices.map((n) => r.htmlToPdf(noticeHtml(n, actor.name)))));
    if (one) {
      const merged = await PDFDocument.create();
      for (const bytes of pdfs) {
        const part = await PDFDocument.load(bytes);
        for (const page of await merged.copyPages(part, part.getPageIndices())) merged.addPage(page);
      }
      writePdf(one, await merged.save(), input.force);
    } else {
      for (const [i, file] of files.entries()) writePdf(file, pdfs[i] as Buffer, input.force);
    }
    result.files = [...new Set(files)].map((f) => path.resolve(f));
    result.notices = notices.map((n, i) => ({
      dealer: n.dealer.code,
      contractNo: n.contractNo,
      customer: n.customer.name,
      collector: n.collector?.username ?? null,
      overdueDays: n.overdueDays,
      overdue: n.overdue,
      penaltyOutstanding: n.penaltyOutstanding,
      total: n.total,
      file: path.resolve(files[i] as string),
    }));
    return result;
  },
});

export const printingActions = [receiptPrint, noticePrint];
