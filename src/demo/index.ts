// `zq demo`: a fresh database with the fixtures, run end to end, printing each step and what to try next.
// Each issue adds its step here, so the demo always shows the whole product.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../app/document-types.js';
import { fileURLToPath } from 'node:url';
import { type Actor, loadActor } from '../access/actor.js';
import { Refused } from '../core/errors.js';
import { dec, formatMoney, formatMoneyGrouped, parseMoney, parseRate, sumMoney } from '../core/money.js';
import { type Db, openDatabase } from '../db/index.js';
import { migrateLatest } from '../db/migrate.js';
import { ADMIN_USERNAME, seed } from '../db/seed.js';
import { addDealer, addUser } from '../organisation/index.js';
import { createContract, findContract } from '../receivables/contracts.js';
import type { ScheduleMethod } from '../receivables/schedule.js';
import { showContract } from '../receivables/show.js';

export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures');

function fixturesDir(): string {
  // compiled: dist/src/demo → ../../../fixtures; under vitest: src/demo → ../../fixtures
  return fs.existsSync(FIXTURES_DIR) ? FIXTURES_DIR : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
}

export function readFixture<T>(relative: string): T {
  return JSON.parse(fs.readFileSync(path.join(fixturesDir(), relative), 'utf8')) as T;
}

interface OrgFixture {
  dealers: { code: string; name: string; province: string; city: string; allocationStrategy: string }[];
  users: { username: string; name: string; roles: string[]; dealer?: string; reportsTo?: string }[];
}

interface ContractFixture {
  dealer: string;
  contractNo: string;
  customer: { name: string; idNumber: string; phone: string };
  machines: { serialNo: string; model: string; brand: string }[];
  collector: string;
  signDate: string;
  contractAmount: string;
  downPayment: string;
  method: ScheduleMethod;
  principal: string;
  annualRate: string;
  termMonths: number;
  firstDueDate: string;
  financier: string | null;
}

export interface DemoTarget {
  /** The embedded folder, or a database URL (a new database is made on that server). */
  dataDir?: string | undefined;
  databaseUrl?: string | undefined;
  /** How the printed commands start, e.g. `./bin/zq` (default `zq`): they must work as printed. */
  zq?: string | undefined;
}

export type Say = (line: string) => void;

/** A word as a POSIX shell reads it back: quoted only when it holds anything but safe characters. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A folder that does not exist yet or is empty; a temporary one when none is given. */
export function demoFolder(dir: string | undefined): string {
  if (!dir) return fs.mkdtempSync(path.join(os.tmpdir(), 'zq-demo-'));
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new Refused(`--dir ${dir} is not empty: the demo builds a fresh database; give a new or empty folder`);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** On a server: a fresh database next to the one in the URL, so that the demo never touches real data. */
async function freshServerDatabase(url: string, say: Say): Promise<string> {
  const name = `zq_demo_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
  const admin = await openDatabase({ databaseUrl: url }, { requireMigrated: false });
  try {
    await admin.knex.raw(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  say(`created database ${name} on ${target.host}`);
  return target.toString();
}

export async function runDemo(target: DemoTarget, say: Say): Promise<{ location: string; tryNext: string[] }> {
  const url = target.databaseUrl ? await freshServerDatabase(target.databaseUrl, say) : undefined;
  const folder = url ? undefined : demoFolder(target.dataDir);
  const db: Db = await openDatabase(url ? { databaseUrl: url } : { dataDir: folder }, { requireMigrated: false, create: true });
  // An absolute folder: the printed commands work from any folder, not only the one the demo ran in.
  const where = `${target.zq ?? 'zq'} ${url ? `--database-url ${shellQuote(url)}` : `--data-dir ${shellQuote(path.resolve(folder as string))}`}`;
  try {
    const applied = await migrateLatest(db.knex);
    await seed(db.knex);
    say(`1. zq init: ${applied.length} migrations, receivable types, roles, the group and user admin (${db.location})`);
    await loadOrganisation(db, say);
    await loadContracts(db, say);
    await importLedgers(db, say);
    const asOf = '2026-07-31';
    await showOne(db, asOf, say);
    await runNightlyBatch(db, asOf, say);
    await showBreakdown(db, asOf, folder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'zq-demo-reports-')), say);
    const reopened = await showGovernance(db, asOf, say);
    await walkOneContract(db, say);
    await changeSchedules(db, say);
    await repossessOne(db, say);
    const printed = await printDocuments(db, folder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'zq-demo-prints-')), say);
    await webLogins(db, where, say);
    await lockOneMachine(db, say);
    const worked = await collectOne(db, asOf, say);
    return {
      location: url ?? (folder as string),
      tryNext: [
        `${where} contract list --as-of ${asOf}`,
        `${where} contract list --overdue --as-of ${asOf} --as hf.wang`,
        `${where} contract show HF01-2025-0001 --as-of ${asOf}`,
        `${where} contract schedule WH01-2025-0002`,
        `${where} contract show HF01-2025-0001 --as-of ${asOf} --json`,
        `${where} penalty show HF01-2025-0001 --as-of ${asOf}`,
        `${where} batch status`,
        `${where} report breakdown --by dealer`,
        `${where} --as hf.li report overdue`,
        `${where} report diff --as-of ${asOf}`,
        `${where} dealer list`,
        `${where} user list`,
        `${where} --as hf.li contract list --as-of ${asOf}`,
        `${where} --as hf.wang contract list --as-of ${asOf}`,
        `${where} approval rule list`,
        ...(reopened === null ? [] : [`${where} approval show ${reopened}`]),
        `${where} period list`,
        `${where} --as hf.fin doc list --locked`,
        `${where} audit log --user zhou.jie`,
        `${where} contract show HF01-OPS-0001 --as-of 2026-09-30`,
        `${where} receipt list --contract HF01-OPS-0001`,
        `${where} contract schedule HF01-2025-0009 --diff`,
        `${where} contract show HF01-2025-0011 --as-of 2026-09-29`,
        `${where} contract show HF01-2025-0011 --as-of 2026-10-31`,
        `${where} --as hf.li notification list`,
        `${where} --as hf.li collection list --as-of ${asOf}`,
        `${where} --as hf.li collection history --contract ${worked}`,
        `${where} --as hf.wang collection performance --from 2026-07-01 --to ${asOf}`,
        `${where} archive list --contract ${worked} --related`,
        `${where} contract show HF01-REP-0001 --as-of 2026-10-30`,
        `${where} import ${shellQuote(path.join(fixturesDir(), 'demo', 'ledger-hf01-2026-06-30.csv'))} --compare --dealer HF01 --as-of 2026-06-30`,
        `${where} machine list --status locked`,
        `${where} machine show SY215C2595926`,
        ...(printed
          ? [
              `${where} --as hf.li statement print --collector hf.li --from 2026-07-01 --to ${asOf} --out statements/`,
              `${where} --as hf.fin receipt print ${printed.receiptId} --out voucher-copy.pdf`,
              `${where} --as hf.li notice print --collector hf.li --as-of ${asOf} --out notices/`,
            ]
          : []),
      ],
    };
  } finally {
    await db.close();
  }
}

async function loadOrganisation(db: Db, say: Say): Promise<void> {
  const org = readFixture<OrgFixture>('demo/organisation.json');
  const admin = await loadActor(db.knex, ADMIN_USERNAME);
  await db.knex.transaction(async (tx) => {
    for (const d of org.dealers) await addDealer(tx, admin, d);
    for (const u of org.users) await addUser(tx, admin, u);
  });
  say(
    `2. organisation: ${org.dealers.length} dealers in Anhui (${org.dealers.map((d) => `${d.code} ${d.name}`).join(', ')}), ${org.users.length} users`,
  );
}

async function loadContracts(db: Db, say: Say): Promise<void> {
  const contracts = readFixture<ContractFixture[]>('demo/contracts.json');
  const admin = await loadActor(db.knex, ADMIN_USERNAME);
  await db.knex.transaction(async (tx) => {
    for (const c of contracts) {
      await createContract(tx, admin, {
        ...c,
        financier: c.financier ?? undefined,
        contractAmount: parseMoney(c.contractAmount),
        downPayment: parseMoney(c.downPayment),
        principal: parseMoney(c.principal),
        annualRate: parseRate(c.annualRate),
      });
    }
  });
  const lines = await db.knex('schedule_lines').count<{ n: number }[]>({ n: '*' });
  const total = contracts.reduce((s, c) => s.plus(c.principal), dec(0));
  say(
    `3. contracts: ${contracts.length} contracts with ${lines[0]?.n} schedule lines, financed ${formatMoney(total)} in all (fixtures/demo/contracts.json)`,
  );
}

/** The ledger just imported, compared with the system as the data team does every month (zq import --compare). */
async function compareHf01(db: Db, admin: Actor, ledger: string, asOf: string, say: Say): Promise<void> {
  const { compareLedger } = await import('../imports/compare.js');
  const c = await compareLedger(db, admin, ledger, { dealer: 'HF01', asOf });
  const found = c.differences.length + c.onlyInFile.length + c.onlyInSystem.length;
  say(
    `   zq import ${path.basename(ledger)} --compare --dealer HF01 --as-of ${asOf}: ${c.contractsCompared} contracts, ${c.linesCompared} lines — ` +
      (c.outcome === 'equal' ? 'no differences (exit 0)' : `${found} difference(s) (exit 4)`),
  );
}

/** The dealers' own ledgers as of the cut-over, through the importer (zq import), then July's receipts. */
async function importLedgers(db: Db, say: Say): Promise<void> {
  const { importFile } = await import('../imports/index.js');
  const admin = await loadActor(db.knex, ADMIN_USERNAME);
  const file = (name: string) => path.join(fixturesDir(), 'demo', name);
  const cutover = '2026-06-30';
  const hf = await importFile(db, admin, file('ledger-hf01-2026-06-30.csv'), { dealer: 'HF01', asOf: cutover });
  const wh = await importFile(db, admin, file('ledger-wh01-2026-06-30.xlsx'), { dealer: 'WH01', asOf: cutover });
  for (const [i, s] of [hf, wh].entries()) {
    say(
      `${i === 0 ? '4.' : '  '} zq import ${path.basename(s.file)} --dealer ${s.dealer} --as-of ${cutover}: ${s.status}, ${s.rowsRead} rows` +
        `${i === 0 ? " (a contract's customer, machine and amount on its first row only)" : ''}; ` +
        `${s.counts.openingPostings ?? 0} opening postings (paid and penalty before the cut-over), ${s.counts.changesApplied ?? 0} changes, ${s.counts.conflicts ?? 0} conflicts`,
    );
  }
  await compareHf01(db, admin, file('ledger-hf01-2026-06-30.csv'), cutover, say);
  const late = await importFile(db, admin, file('ledger-wh01-late.csv'), { dealer: 'WH01', asOf: cutover });
  const bad = late.errors[0];
  say(
    `   zq import ${path.basename(late.file)}: ${late.status} — nothing imported; row ${bad?.rowNumber} column ${bad?.column} ${JSON.stringify(bad?.value)}: ${bad?.reason}`,
  );
  const receipts = await importFile(db, admin, file('receipts-hf01-2026-07.csv'), { dealer: 'HF01' });
  say(
    `   zq import ${path.basename(receipts.file)}: ${receipts.counts.receiptsCreated ?? 0} receipts confirmed and allocated in value-date order`,
  );
}

async function showOne(db: Db, asOf: string, say: Say): Promise<void> {
  const admin = await loadActor(db.knex, ADMIN_USERNAME);
  const shown = await showContract(db.knex, admin, 'HF01-2025-0001', 'HF01', asOf);
  say(
    `5. contract HF01-2025-0001 as of ${asOf}: ${shown.customer.name}, ${shown.lines.length} lines, due ${shown.totals.amountDue}, overdue ${shown.totals.overdue}`,
  );
}

/** The nightly batch over the fixtures as of the demo date, and one contract's penalty segments. */
async function runNightlyBatch(db: Db, asOf: string, say: Say): Promise<void> {
  const { runBatch } = await import('../batch/run.js');
  const { showPenalty } = await import('../penalty/accrual.js');
  const admin = await loadActor(db.knex, ADMIN_USERNAME);
  const steps: string[] = [];
  const summary = await runBatch(db, admin, { date: asOf }, (l) => steps.push(`${l.step} ${l.durationMs} ms`));
  const stored = await db.knex('penalty_segments').count<{ n: number }[]>({ n: '*' });
  say(
    `6. zq batch run --date ${asOf}: ${steps.join(', ')}; ${stored[0]?.n} penalty segments stored, ${summary.discrepancies.length} discrepancies`,
  );
  const penalty = await showPenalty(db.knex, await findContract(db.knex, 'HF01-2025-0001', 'HF01'), asOf);
  const line = penalty.lines.find((l) => l.segments.length > 0);
  if (!line) {
    say(`   HF01-2025-0001 accrues no penalty as of ${asOf}`);
    return;
  }
  say(`   penalty of HF01-2025-0001, installment ${line.seq} ${line.type} due ${line.dueDate} (zq penalty show):`);
  for (const s of line.segments) say(`   ${s.from} … ${s.to}  ${s.days} days × ${s.base} × ${s.rate} = ${s.amount}`);
  say(`   accrued ${line.penaltyAccrued}; contract total ${penalty.totals.penaltyAccrued}`);
}

/**
 * The morning after the batch: the receivables breakdown (债权分解表) as reported that night, by dealer, on the
 * terminal and as a workbook in the demo's folder. Returns the workbook's path.
 */
async function showBreakdown(db: Db, asOf: string, folder: string, say: Say): Promise<string> {
  const { runAction } = await import('../app/run.js');
  const out = path.join(path.resolve(folder), `breakdown-${asOf}.xlsx`);
  const report = await runAction(db, ADMIN_USERNAME, 'report.breakdown', { asOf, by: 'dealer', format: 'xlsx', out }, { via: 'cli' });
  const total = report.rows.at(-1);
  say(
    `   zq report breakdown --as-of ${asOf} --by dealer (债权分解表, as reported that night): outstanding ${formatMoneyGrouped(total?.outstanding ?? '0')}, overdue ${formatMoneyGrouped(total?.overdue ?? '0')}, penalty outstanding ${formatMoneyGrouped(total?.penaltyOutstanding ?? '0')}; --format xlsx --out ${out}`,
  );
  return out;
}

/**
 * Governance: the same data through a collector's and a manager's eyes (data scope), an approval rule, period
 * close (结账) and a reopening that waits for group finance, and finance review (财务审核) locking July's
 * receipts at HF01. Returns the reopening's document id (null when the month could not be closed).
 */
async function showGovernance(db: Db, asOf: string, say: Say): Promise<number | null> {
  const { addRule } = await import('../approvals/rules.js');
  const { approve, inbox } = await import('../approvals/engine.js');
  const { closePeriod, reopenPeriod } = await import('../periods/index.js');
  const { setReviewLock } = await import('../documents/index.js');
  const { listContracts } = await import('../receivables/contracts.js');
  const as = (username: string) => loadActor(db.knex, username);
  const [admin, collector, manager, groupFinance, dealerFinance] = (await Promise.all(
    ['admin', 'hf.li', 'hf.wang', 'zhou.jie', 'hf.fin'].map(as),
  )) as [Actor, Actor, Actor, Actor, Actor];
  const view = async (actor: Actor) => {
    const rows = await listContracts(db.knex, actor, { asOf });
    const overdue = rows.filter((r) => dec(r.overdue).greaterThan(0));
    return `${rows.length} contracts (${overdue.length} overdue, ${formatMoney(sumMoney(overdue.map((r) => r.overdue)))})`;
  };
  say(
    `7. data scope as of ${asOf}: collector hf.li sees ${await view(collector)}; manager hf.wang, above hf.li and hf.chen, sees ${await view(manager)}`,
  );
  await db.knex.transaction((tx) =>
    addRule(tx, admin, {
      documentType: 'period_reopen',
      steps: ['role:group_finance'],
      note: 'reopening a closed month needs group finance',
    }),
  );
  say('   zq approval rule add --type period_reopen --step role:group_finance');
  const month = '2026-06';
  try {
    const closed = await db.knex.transaction((tx) => closePeriod(tx, groupFinance, month));
    say(`   zq period close ${month} --as zhou.jie: ${closed.status}; postings dated in June are now refused`);
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    say(`   zq period close ${month} --as zhou.jie: refused — ${err.details.join('; ')}`);
    return null;
  }
  const pending = await db.knex.transaction((tx) => reopenPeriod(tx, admin, month, '补录6月收款 late June receipt'));
  const waiting = await inbox(db.knex, groupFinance);
  say(
    `   zq period reopen ${month} --reason … --as admin: ${pending.status} (document ${pending.documentId}); zhou.jie's inbox holds ${waiting.length} request(s); the applicant may not approve it`,
  );
  await db.knex.transaction((tx) => approve(tx, groupFinance, pending.documentId, '同意'));
  say(`   zq approval approve ${pending.documentId} --as zhou.jie: approved, ${month} is open again`);
  const locked = await db.knex.transaction((tx) =>
    setReviewLock(tx, dealerFinance, { filter: { dealer: 'HF01', from: '2026-07-01', to: '2026-07-31' } }, true),
  );
  say(
    `   zq doc lock --dealer HF01 --from 2026-07-01 --to 2026-07-31 --as hf.fin: ${locked.documents.length} document(s) locked by finance review`,
  );
  return pending.documentId;
}

/** 8. One contract's life: overdue, penalty, partial receipt, waiver approved, early payoff quote, receipt, settlement. */
async function walkOneContract(db: Db, say: Say): Promise<void> {
  const { addRule } = await import('../approvals/rules.js');
  const { approve } = await import('../approvals/engine.js');
  const { confirmReceipt, registerReceipt } = await import('../receivables/receipts.js');
  const { requestWaiver } = await import('../receivables/waivers.js');
  const { settleContract, settlementQuote } = await import('../receivables/settlement.js');
  const [admin, collector, finance] = (await Promise.all(['admin', 'hf.li', 'hf.fin'].map((u) => loadActor(db.knex, u)))) as [
    Actor,
    Actor,
    Actor,
  ];
  const contractNo = 'HF01-OPS-0001';
  const ref = await db.knex.transaction(async (tx) => {
    await addRule(tx, admin, { documentType: 'waiver', steps: ['role:dealer_finance'], note: 'penalty waivers need dealer finance' });
    return createContract(tx, admin, {
      dealer: 'HF01',
      contractNo,
      customer: { name: '演示客户' },
      machines: [],
      collector: 'hf.li',
      method: 'custom',
      lines: [
        { seq: 1, type: 'principal', dueDate: '2026-08-10', amountDue: dec('10000.00') },
        { seq: 2, type: 'principal', dueDate: '2026-09-10', amountDue: dec('5000.00') },
      ],
    });
  });
  const figures = async (asOf: string) => {
    const c = await showContract(db.knex, admin, contractNo, 'HF01', asOf);
    const t = c.totals;
    return `paid ${t.amountPaid}, outstanding ${t.outstanding}, penalty ${t.penaltyAccrued} (paid ${t.penaltyPaid}, waived ${t.penaltyWaived}, owed ${t.penaltyOutstanding}), credit ${t.credit}, ${c.status}`;
  };
  say(`8. one contract's life: ${contractNo}, 10,000.00 due 2026-08-10 and 5,000.00 due 2026-09-10 (collector hf.li)`);
  say(`   as of 2026-08-20, 10 days overdue: ${await figures('2026-08-20')}`);
  const receipt = await db.knex.transaction((tx) =>
    registerReceipt(tx, collector, { contract: ref, valueDate: '2026-08-20', amount: dec('4000.00'), method: 'transfer' }),
  );
  await db.knex.transaction((tx) => confirmReceipt(tx, finance, receipt.id));
  say(`   zq receipt register … 4000.00 --value-date 2026-08-20 --as hf.li; zq receipt confirm ${receipt.id} --as hf.fin`);
  say(`   as of 2026-09-09 (50.00 penalty paid first, then 20 days on 6,050.00 = 60.50): ${await figures('2026-09-09')}`);
  const waiver = await db.knex.transaction((tx) =>
    requestWaiver(tx, collector, {
      contractNo,
      dealer: 'HF01',
      amount: dec('60.50'),
      date: '2026-09-09',
      reason: '客户按期结清 early payoff',
    }),
  );
  await db.knex.transaction((tx) => approve(tx, finance, waiver.document.id, '同意'));
  say(
    `   zq waiver request … 60.50 --as hf.li → ${waiver.approval}; zq approval approve ${waiver.document.id} --as hf.fin: ${await figures('2026-09-09')}`,
  );
  const quote = await settlementQuote(db.knex, finance, { contractNo, dealer: 'HF01', date: '2026-09-09' });
  say(
    `   zq settle ${contractNo} --quote --date 2026-09-09: outstanding ${quote.outstanding} + penalty ${quote.penaltyOutstanding} − credit ${quote.credit} = ${quote.toPay}`,
  );
  try {
    await db.knex.transaction((tx) => settleContract(tx, finance, { contractNo, dealer: 'HF01', date: '2026-09-09' }));
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    say(`   zq settle ${contractNo} --date 2026-09-09 now: refused (exit 2) — ${err.details.join('; ')}`);
  }
  const payoff = await db.knex.transaction((tx) =>
    registerReceipt(tx, collector, { contract: ref, valueDate: '2026-09-09', amount: dec(quote.toPay), method: 'transfer' }),
  );
  await db.knex.transaction((tx) => confirmReceipt(tx, finance, payoff.id));
  await db.knex.transaction((tx) => settleContract(tx, finance, { contractNo, dealer: 'HF01', date: '2026-09-09' }));
  say(
    `   payoff receipt ${quote.toPay} on 2026-09-09 confirmed, zq settle ${contractNo} --date 2026-09-09: ${await figures('2026-09-30')}`,
  );
}

/** Step 9: a schedule change and a charge on one imported contract, a buyback of a financier-held one. */
/**
 * Printed documents (needs Debian's chromium and a CJK font, README "Printing"): the statement of account of
 * HF01-2025-0001 for July and the voucher of HF01-OPS-0001's receipt, as PDFs in the demo's folder. Without
 * Chromium the demo says so and goes on. Returns the voucher's receipt id, or null when nothing printed.
 */
async function printDocuments(db: Db, folder: string, say: Say): Promise<{ receiptId: number } | null> {
  const { runAction } = await import('../app/run.js');
  const { PrinterUnavailable } = await import('../printing/render.js');
  const receipt = await db.knex('documents').where({ type: 'receipt', status: 'confirmed' }).orderBy('id').first('id', 'number');
  const statementFile = path.join(path.resolve(folder), 'statement-HF01-2025-0001-2026-07.pdf');
  const voucherFile = path.join(path.resolve(folder), `voucher-${receipt.number}.pdf`);
  try {
    const statement = await runAction(
      db,
      'hf.fin',
      'statement.print',
      { contract: 'HF01-2025-0001', from: '2026-07-01', to: '2026-07-31', out: statementFile },
      { via: 'cli' },
    );
    const printed = statement.statements[0];
    say(
      `10. zq statement print --contract HF01-2025-0001 --from 2026-07-01 --to 2026-07-31 (对账单): closing balance ${formatMoneyGrouped(printed?.closingBalance ?? '0')} → ${statementFile}`,
    );
    const voucher = await runAction(db, 'hf.fin', 'receipt.print', { id: String(receipt.id), out: voucherFile }, { via: 'cli' });
    say(`    zq receipt print ${receipt.id} (收据 ${receipt.number}, print ${voucher.copy}) → ${voucherFile}`);
    return { receiptId: receipt.id };
  } catch (err) {
    if (!(err instanceof PrinterUnavailable)) throw err;
    say(`10. printing skipped: ${err.message}`);
    return null;
  }
}

/** The web viewer: a password for a manager and a collector of HF01, and how to start it (README "Web"). */
export const DEMO_WEB_LOGINS = [
  { username: 'hf.wang', role: 'manager', password: 'demo-wang-2026' },
  { username: 'hf.li', role: 'collector', password: 'demo-li-2026' },
] as const;

async function webLogins(db: Db, where: string, say: Say): Promise<void> {
  const { setPassword } = await import('../organisation/users.js');
  const admin = await loadActor(db.knex, 'admin');
  for (const login of DEMO_WEB_LOGINS) await db.knex.transaction((tx) => setPassword(tx, admin, login.username, login.password));
  say(`11. the web viewer: ${where} serve, then open http://127.0.0.1:8080 and log in as`);
  for (const login of DEMO_WEB_LOGINS) say(`    ${login.username} / ${login.password} (${login.role})`);
}

async function changeSchedules(db: Db, say: Say): Promise<void> {
  const { requestReschedule, requestCharge } = await import('../receivables/schedule-changes.js');
  const { requestBuyback } = await import('../receivables/buyback.js');
  const finance = await loadActor(db.knex, 'hf.fin');
  const change = await db.knex.transaction((tx) =>
    requestReschedule(tx, finance, {
      contractNo: 'HF01-2025-0009',
      dealer: 'HF01',
      from: '2026-09-01',
      terms: { kind: 'terms', method: 'equal_installment', termMonths: 18, annualRate: dec('0.05'), firstDueDate: '2026-09-15' },
      reason: '客户申请展期 extension',
    }),
  );
  say(
    `9. zq contract reschedule HF01-2025-0009 --from 2026-09-01 --term-months 18 --annual-rate 0.05 --first-due-date 2026-09-15: ${change.plan.retire.length} unpaid lines (principal ${formatMoney(change.plan.principalMoved)}) re-planned as ${change.plan.lines.length} lines, ${change.approval}`,
  );
  const charge = await db.knex.transaction((tx) =>
    requestCharge(tx, finance, {
      contractNo: 'HF01-2025-0009',
      dealer: 'HF01',
      type: 'advance',
      amount: dec('3600.00'),
      due: '2026-08-20',
      reason: 'GPS 年费代垫',
    }),
  );
  say(`   zq contract charge HF01-2025-0009 --type advance --amount 3600 --due 2026-08-20: ${charge.approval}, a new 代垫 line`);
  const buyback = await db.knex.transaction((tx) =>
    requestBuyback(tx, finance, { contractNo: 'HF01-2025-0011', dealer: 'HF01', amount: dec('131500.00'), date: '2026-09-30' }),
  );
  const data = (await db.knex('documents').where({ id: buyback.document.id }).first('data')).data;
  say(
    `   zq buyback HF01-2025-0011 --amount 131500 --date 2026-09-30: bought back from ${data.financier}; the customer's ${data.closed} owed under the financed schedule closed by transfer receipt ${data.transferReceipt?.number}, 131,500.00 now the dealer's own line`,
  );
}

/** Repossession (拖机) of one machine: applied, approved by the manager, registered with costs, resold; notifications. */
async function repossessOne(db: Db, say: Say): Promise<void> {
  const { runAction } = await import('../app/run.js');
  const { addRule } = await import('../approvals/rules.js');
  const admin = await loadActor(db.knex, 'admin');
  const contractNo = 'HF01-REP-0001';
  await db.knex.transaction(async (tx) => {
    await addRule(tx, admin, { documentType: 'repossession', condition: 'overdue_days >= 60', steps: ['manager:1'] });
    await addRule(tx, admin, { documentType: 'bad_debt', steps: ['role:group_finance'], note: 'bad debt needs group finance' });
    await createContract(tx, admin, {
      dealer: 'HF01',
      contractNo,
      customer: { name: '拖机演示客户' },
      machines: [{ serialNo: 'SY365H-DEMO-0001', model: 'SY365H' }],
      collector: 'hf.li',
      method: 'custom',
      lines: [
        { seq: 1, type: 'principal', dueDate: '2026-08-10', amountDue: dec('10000.00') },
        { seq: 2, type: 'principal', dueDate: '2026-09-10', amountDue: dec('10000.00') },
      ],
    });
  });
  const run = <N extends 'machine.repossess.request' | 'machine.repossess.register' | 'machine.dispose' | 'approval.approve'>(
    who: string,
    name: N,
    raw: Parameters<typeof runAction<N>>[3],
  ) => runAction(db, who, name, raw, { via: 'cli' });
  const request = await run('hf.li', 'machine.repossess.request', {
    serial: 'SY365H-DEMO-0001',
    reason: '客户失联，设备转移风险',
    date: '2026-10-12',
  });
  await run('hf.wang', 'approval.approve', { id: request.id, comment: '同意拖机' });
  say(
    `   zq machine repossess request SY365H-DEMO-0001 --as hf.li (${contractNo}, overdue ${request.amount}, ${String(request.data.overdueDays)} days): approved by hf.wang (rule overdue_days >= 60 → manager:1)`,
  );
  const registered = await run('hf.fin', 'machine.repossess.register', {
    id: request.id,
    date: '2026-10-15',
    location: '合肥经开区停车场',
    towedBy: '顺达拖车',
    towingCost: '2500.00',
    storageCost: '600.00',
  });
  say(
    `   zq machine repossess register ${request.id} --date 2026-10-15 --towing-cost 2500 --storage-cost 600 --as hf.fin: repossessed, two 代垫 lines; notified ${registered.notified.join(', ')}`,
  );
  const sold = await run('hf.fin', 'machine.dispose', {
    serial: 'SY365H-DEMO-0001',
    resold: true,
    amount: '18000.00',
    buyer: '合肥二手机行',
    date: '2026-10-30',
  });
  say(
    `   zq machine dispose SY365H-DEMO-0001 --resold --amount 18000 --date 2026-10-30: receipt ${sold.receipt?.number} (repossession_sale); still owed ${sold.owedAfter?.shortfall} (outstanding ${sold.owedAfter?.outstanding} + penalty ${sold.owedAfter?.penaltyOutstanding}); the outstanding proposed as bad debt ${sold.badDebt ? `${sold.badDebt.number} of ${sold.badDebt.amount}` : '(none)'}, waiting for group finance`,
  );
}

/** 12. A machine lock (锁机): applied for by the collector, approved (no rule), confirmed by finance on the platform's word. */
async function lockOneMachine(db: Db, say: Say): Promise<void> {
  const { runAction } = await import('../app/run.js');
  const serial = 'SY215C2595926';
  await runAction(db, 'hf.fin', 'machine.set', { serial, gpsDevice: 'GPS-880021', location: '合肥市蜀山区 G312 工地' }, { via: 'cli' });
  const request = await runAction(
    db,
    'hf.li',
    'machine.lock.request',
    { serial, reason: '逾期未还，多次催收无果', date: '2026-07-31' },
    { via: 'cli' },
  );
  say(
    `12. zq machine lock request ${serial} --reason … --date 2026-07-31 --as hf.li: ${request.number} (overdue ${request.amount}, ${String(request.data.overdue_days)} days), ${request.approval}; the machine is lock_pending`,
  );
  const confirmed = await runAction(
    db,
    'hf.fin',
    'machine.lock.confirm',
    { id: String(request.id), at: '2026-08-01 09:00' },
    { via: 'cli' },
  );
  say(`    zq machine lock confirm ${request.id} --at '2026-08-01 09:00' --as hf.fin: the machine is ${confirmed.status}`);
}

/**
 * 13. Collections (催收): hf.wang gives an overdue contract of hf.chen's to hf.li, hf.li's worklist (overdue first,
 * with the machine and the last contact), and a call with a promise to pay logged on the worklist's first contract.
 */
async function collectOne(db: Db, asOf: string, say: Say): Promise<string> {
  const { runAction } = await import('../app/run.js');
  const cli = { via: 'cli' } as const;
  const chen = await runAction(db, 'hf.wang', 'collection.list', { asOf, collector: 'hf.chen' }, cli);
  const moved = chen.contracts[0];
  if (moved) {
    await runAction(
      db,
      'hf.wang',
      'collection.assign',
      { contractNo: moved.contractNo, to: 'hf.li', reason: '客户在肥西，就近催收', date: asOf },
      cli,
    );
    say(
      `13. zq collection assign --contract ${moved.contractNo} --to hf.li --reason … --as hf.wang: from hf.chen (the history keeps both)`,
    );
  }
  const list = await runAction(db, 'hf.li', 'collection.list', { asOf }, cli);
  const first = list.contracts[0];
  if (!first) throw new Error('invariant broken: the demo has overdue contracts for hf.li');
  say(
    `${moved ? '   ' : '13. '}zq collection list --as hf.li --as-of ${asOf}: ${list.contracts.length} overdue contracts, first ${first.contractNo} (${first.customer}, overdue ${first.overdue} for ${first.overdueDays} days)`,
  );
  const promise = first.overdue;
  const logged = await runAction(
    db,
    'hf.li',
    'collection.log',
    {
      contractNo: first.contractNo,
      kind: 'call',
      result: 'promised',
      promiseAmount: promise,
      promiseDate: '2026-08-10',
      note: '客户承诺月中前付清逾期款',
      contactedAt: '2026-08-01T10:00',
    },
    cli,
  );
  say(
    `   zq collection log --contract ${first.contractNo} --kind call --result promised --promise-amount ${promise} --promise-date 2026-08-10: contact ${logged.id}; the nightly batch marks it kept or broken after 2026-08-10`,
  );
  return first.contractNo;
}
