// GET /breakdown — report.breakdown at the level the filters name (group → region → dealer → collector →
// contract); GET /breakdown.xlsx — the same report per contract as the workbook `zq report breakdown --format
// xlsx` writes (the action writes it into a private temporary folder; it is streamed and removed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import type { BreakdownBy } from '../../reports/breakdown.js';
import type { WebEnv } from '../env.js';
import { BreakdownPage, type BreakdownQuery, drillLevel } from '../pages/breakdown.js';
import { act, type Ctx, param, render } from './common.js';

const BY: Record<ReturnType<typeof drillLevel>, BreakdownBy> = {
  group: 'dealer',
  region: 'dealer',
  dealer: 'collector',
  collector: 'contract',
};

function breakdownQuery(c: Ctx): BreakdownQuery {
  return {
    asOf: param(c, 'asOf'),
    restated: param(c, 'restated'),
    region: param(c, 'region'),
    dealer: param(c, 'dealer'),
    collector: param(c, 'collector'),
  };
}

function reportInput(q: BreakdownQuery) {
  return {
    asOf: q.asOf,
    restated: q.restated === '1',
    // a dealer belongs to one region: the dealer alone names it (the report takes one or the other)
    region: q.dealer ? undefined : q.region,
    dealer: q.dealer,
    collector: q.dealer ? q.collector : undefined,
  };
}

async function breakdownPage(c: Ctx) {
  const query = breakdownQuery(c);
  const report = await act(c, 'report.breakdown', { ...reportInput(query), by: BY[drillLevel(query)] });
  return render(c, '债权分解表', <BreakdownPage query={query} report={report} />);
}

async function breakdownXlsx(c: Ctx) {
  const query = breakdownQuery(c);
  const folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zq-web-'));
  const file = path.join(folder, 'breakdown.xlsx');
  try {
    const report = await act(c, 'report.breakdown', { ...reportInput(query), by: 'contract', format: 'xlsx', out: file });
    const stream = fs.createReadStream(file);
    stream.on('close', () => fs.rm(folder, { recursive: true, force: true }, () => {}));
    const name = `债权分解表_${report.asOf}.xlsx`;
    c.header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    c.header('Content-Disposition', `attachment; filename="breakdown_${report.asOf}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`);
    return c.body(Readable.toWeb(stream) as ReadableStream);
  } catch (err) {
    await fs.promises.rm(folder, { recursive: true, force: true });
    throw err;
  }
}

export function registerBreakdown(app: Hono<WebEnv>): void {
  app.get('/breakdown', breakdownPage);
  app.get('/breakdown.xlsx', breakdownXlsx);
}
