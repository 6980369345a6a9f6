// GET /contracts — the list (contract.list: filters, search, sort, a page of PAGE_SIZE and whether more follow);
// GET /contracts/:no — one contract (contract.show, contract.schedule, receipt.list, doc.list, approval.show,
// audit.log where the user's roles read it). Out of the user's scope: 404, as a missing one.
import type { Hono } from 'hono';
import { actionNamed } from '../../app/catalogue.js';
import type { Output } from '../../app/run.js';
import { today } from '../../core/dates.js';
import { NotFound } from '../../core/errors.js';
import type { WebEnv } from '../env.js';
import type { ArchiveSectionData } from '../pages/archive.js';
import { ContractList, ContractPage, type ListQuery, PAGE_SIZE, PAGE_SIZE_MAX } from '../pages/contracts.js';
import { act, type Ctx, hasAnyRole, param, render } from './common.js';

function listQuery(c: Ctx): ListQuery {
  const pageText = param(c, 'page') ?? '1';
  const pageNo = /^\d{1,6}$/.test(pageText) && Number(pageText) >= 1 ? Number(pageText) : 1;
  const sizeText = param(c, 'size') ?? '';
  const size = /^\d{1,3}$/.test(sizeText) && Number(sizeText) >= 1 && Number(sizeText) <= PAGE_SIZE_MAX ? sizeText : undefined;
  return {
    asOf: param(c, 'asOf'),
    dealer: param(c, 'dealer'),
    collector: param(c, 'collector'),
    status: param(c, 'status'),
    overdue: param(c, 'overdue'),
    q: param(c, 'q'),
    sort: param(c, 'sort'),
    desc: param(c, 'desc'),
    page: pageNo,
    size,
  };
}

async function contractList(c: Ctx) {
  const query = listQuery(c);
  const size = Number(query.size ?? PAGE_SIZE);
  const asOf = query.asOf ?? today();
  const rows = await act(c, 'contract.list', {
    asOf,
    dealer: query.dealer,
    collector: query.collector,
    status: query.status,
    overdue: query.overdue === '1',
    search: query.q,
    sort: query.sort,
    descending: query.desc === '1',
    // one more than a page: whether a next page exists
    limit: String(size + 1),
    offset: String((query.page - 1) * size),
  });
  const dealers = await act(c, 'dealer.list', {});
  return render(
    c,
    '合同',
    <ContractList query={query} rows={rows.slice(0, size)} more={rows.length > size} dealers={dealers} asOf={asOf} />,
  );
}

/** The approvals of the contract's documents that went to approval (a document without a request has none). */
async function approvalsOf(c: Ctx, documents: Output<'doc.list'>): Promise<Output<'approval.show'>[]> {
  const views: Output<'approval.show'>[] = [];
  for (const doc of documents) {
    try {
      views.push(await act(c, 'approval.show', { id: doc.id }));
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
    }
  }
  return views;
}

async function contractPage(c: Ctx) {
  const contractNo = c.req.param('no') as string;
  const dealer = param(c, 'dealer');
  const asOf = param(c, 'asOf') ?? today();
  // first: the contract in the user's scope (else 404 before anything else is read)
  const show = await act(c, 'contract.show', { contractNo, dealer, asOf });
  const named = { contractNo, dealer: show.dealer };
  const schedule = await act(c, 'contract.schedule', named);
  const receipts = await act(c, 'receipt.list', { contract: contractNo, dealer: show.dealer });
  const documents = await act(c, 'doc.list', { contract: contractNo, dealer: show.dealer });
  const approvals = await approvalsOf(c, documents);
  const audit = hasAnyRole(c, actionNamed('audit.log').roles) ? await act(c, 'audit.log', { contract: contractNo, limit: '200' }) : null;
  const archive = await archiveSection(c, show);
  return render(c, `合同 ${show.contractNo}`, <ContractPage data={{ show, schedule, receipts, documents, approvals, audit, archive }} />);
}

/** 档案: the contract's files with its customer's, machines' and documents'; the upload form for who may attach. */
async function archiveSection(c: Ctx, show: Output<'contract.show'>): Promise<ArchiveSectionData> {
  const rows = await act(c, 'archive.list', { contract: show.contractNo, dealer: show.dealer, related: true });
  const added = param(c, 'archived');
  const uploaded = added ? rows.find((r) => String(r.id) === added) : undefined;
  // a file just removed is no longer listed: named from the list with the removed ones
  const removedId = param(c, 'removed');
  const removed = removedId
    ? (await act(c, 'archive.list', { contract: show.contractNo, dealer: show.dealer, related: true, all: true })).find(
        (r) => String(r.id) === removedId && r.removed,
      )
    : undefined;
  return {
    contractNo: show.contractNo,
    dealer: show.dealer,
    machines: show.contract.machines,
    rows,
    canAdd: hasAnyRole(c, actionNamed('archive.add').roles),
    canRemove: hasAnyRole(c, actionNamed('archive.remove').roles),
    csrf: c.var.csrfToken,
    notice: uploaded
      ? `已上传：${uploaded.fileName}`
      : removed
        ? `已删除：${removed.fileName}（原因：${removed.removalReason}）`
        : undefined,
  };
}

export function registerContracts(app: Hono<WebEnv>): void {
  app.get('/contracts', contractList);
  app.get('/contracts/:no', contractPage);
}
