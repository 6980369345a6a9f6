// Merging a staged ledger file into the receivables, set-based (a fixed number of SQL statements whatever the
// number of rows): customers (by ID number, else name + phone, within the dealer), machines (by serial no.),
// contracts and their imported schedule (version 1), and the opening position as of the cut-over date —
// amounts paid and penalty as opening postings (RULES.md "Imported lines").
//
// A re-import compares the file with what is stored: equal figures change nothing; a different figure is a
// change (old → new), applied — or, where confirmed or locked documents or later postings depend on the
// contract, a conflict, reported and never applied. Opening postings are corrected by reversal + new posting.
import type { BusinessDate } from '../core/dates.js';
import type { Tx } from '../db/index.js';
import { dropForBulkLoad } from '../db/indexes.js';
import type { ColumnType } from '../db/rows.js';
import { type PostingColumn, reverseLivePostings, writePostingsFrom } from '../ledger/post.js';

export const LEDGER_STAGE = 'zq_stage_ledger';

export const LEDGER_COLUMNS: readonly ColumnType[] = [
  { name: 'sheet', sqlType: 'text' },
  { name: 'rn', sqlType: 'integer' },
  { name: 'dealer_id', sqlType: 'bigint' },
  { name: 'contract_no', sqlType: 'text' },
  { name: 'customer_name', sqlType: 'text' },
  { name: 'id_number', sqlType: 'text' },
  { name: 'phone', sqlType: 'text' },
  { name: 'machine_model', sqlType: 'text' },
  { name: 'serial_no', sqlType: 'text' },
  { name: 'sign_date', sqlType: 'date' },
  { name: 'contract_amount', sqlType: 'numeric(18,2)' },
  { name: 'collector_id', sqlType: 'bigint' },
  { name: 'seq', sqlType: 'integer' },
  { name: 'receivable_type', sqlType: 'text' },
  { name: 'due_date', sqlType: 'date' },
  { name: 'amount_due', sqlType: 'numeric(18,2)' },
  { name: 'amount_paid', sqlType: 'numeric(18,2)' },
  { name: 'penalty_accrued', sqlType: 'numeric(18,2)' },
  { name: 'penalty_paid', sqlType: 'numeric(18,2)' },
];

/** Opening posting kinds and the ledger column (and header) each comes from. */
const OPENING = [
  { kind: 'opening_paid', column: 'amount_paid', field: '已还金额' },
  { kind: 'opening_penalty', column: 'penalty_accrued', field: '已计罚息' },
  { kind: 'opening_penalty_paid', column: 'penalty_paid', field: '已收罚息' },
] as const;

export interface StagedProblem {
  sheet: string | null;
  rowNumber: number;
  column: string;
  value: string;
  reason: string;
  dealerId: number;
  contractNo: string;
}

function rowCount(result: unknown): number {
  const r = result as { rowCount?: number | null; affectedRows?: number };
  return r.rowCount ?? r.affectedRows ?? 0;
}

async function rows<T>(tx: Tx, sql: string, bindings: readonly unknown[] = []): Promise<T[]> {
  const result = await tx.raw(sql, bindings as never);
  return (result as { rows: T[] }).rows;
}

/**
 * Problems only visible across rows: the same installment and type twice in the file, and one contract with
 * two different customers. Reported like row errors.
 */
export async function crossRowProblems(tx: Tx): Promise<StagedProblem[]> {
  // Whether any installment is there twice is one grouping; which rows, a join on top, only when there are some.
  const [twice] = await rows<{ n: number }>(
    tx,
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${LEDGER_STAGE} GROUP BY dealer_id, contract_no, seq, receivable_type
      HAVING count(*) > 1 LIMIT 1) x`,
  );
  const duplicates = !twice?.n
    ? []
    : await rows<{
        sheet: string | null;
        rn: number;
        dealer_id: number;
        contract_no: string;
        seq: number;
        receivable_type: string;
        first_rn: number;
      }>(
        tx,
        `SELECT s.sheet, s.rn, s.dealer_id, s.contract_no, s.seq, s.receivable_type, d.first_rn
       FROM ${LEDGER_STAGE} s
       JOIN (SELECT dealer_id, contract_no, seq, receivable_type, min(rn) AS first_rn
               FROM ${LEDGER_STAGE} GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) d
         USING (dealer_id, contract_no, seq, receivable_type)
      WHERE s.rn > d.first_rn
      ORDER BY s.rn`,
      );
  // A contract whose rows all name one customer and at most one ID number cannot have such a row: checked per
  // contract first, so that the row-by-row comparison (a sort of the whole file) runs only when needed.
  const [suspect] = await rows<{ n: number }>(
    tx,
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${LEDGER_STAGE} GROUP BY dealer_id, contract_no
      HAVING min(customer_name) <> max(customer_name) OR min(id_number) <> max(id_number) LIMIT 1) x`,
  );
  const customers = !suspect?.n
    ? []
    : await rows<{ sheet: string | null; rn: number; dealer_id: number; contract_no: string; customer_name: string }>(
        tx,
        `SELECT s.sheet, s.rn, s.dealer_id, s.contract_no, s.customer_name
       FROM ${LEDGER_STAGE} s
       JOIN (SELECT DISTINCT ON (dealer_id, contract_no) dealer_id, contract_no, customer_name AS first_name, id_number AS first_id
               FROM ${LEDGER_STAGE} ORDER BY dealer_id, contract_no, rn) f USING (dealer_id, contract_no)
      WHERE s.customer_name <> f.first_name OR (s.id_number IS NOT NULL AND f.first_id IS NOT NULL AND s.id_number <> f.first_id)
      ORDER BY s.rn`,
      );
  return [
    ...duplicates.map((d) => ({
      sheet: d.sheet,
      rowNumber: d.rn,
      column: '期次',
      value: `${d.seq} ${d.receivable_type}`,
      reason: `installment ${d.seq} (${d.receivable_type}) of contract ${d.contract_no} is already on row ${d.first_rn}`,
      dealerId: d.dealer_id,
      contractNo: d.contract_no,
    })),
    ...customers.map((c) => ({
      sheet: c.sheet,
      rowNumber: c.rn,
      column: '客户名称',
      value: c.customer_name,
      reason: `the customer (or ID number) differs from the first row of contract ${c.contract_no}`,
      dealerId: c.dealer_id,
      contractNo: c.contract_no,
    })),
  ];
}

/** --skip-invalid: a contract with any bad row is left out whole, so no contract imports half a schedule. */
export async function dropContracts(tx: Tx, keys: readonly { dealerId: number; contractNo: string }[]): Promise<number> {
  if (keys.length === 0) return 0;
  const result = await tx.raw(
    `DELETE FROM ${LEDGER_STAGE} s USING unnest(?::bigint[], ?::text[]) AS bad(dealer_id, contract_no)
      WHERE s.dealer_id = bad.dealer_id AND s.contract_no = bad.contract_no`,
    [keys.map((k) => k.dealerId), keys.map((k) => k.contractNo)],
  );
  return rowCount(result);
}

export interface LedgerCounts {
  contractsCreated: number;
  contractsUpdated: number;
  customersCreated: number;
  machinesCreated: number;
  linesCreated: number;
  linesUpdated: number;
  openingPostings: number;
  changesApplied: number;
  conflicts: number;
  /** Stored live lines of the file's contracts that the file does not list: kept as they are. */
  linesNotInFile: number;
}

/** A file at least this large, into tables no larger than it, is loaded as a bulk load (bulkLoad). */
export const BULK_LOAD_MIN_ROWS = 50_000;
/** The tables that take a row per line of the file. */
/** The columns the opening figures' postings fill, in the order of their SELECTs. */
const OPENING_COLUMNS: readonly PostingColumn[] = [
  'contract_id',
  'dealer_id',
  'schedule_line_id',
  'kind',
  'receivable_type',
  'amount',
  'value_date',
  'reason',
  'created_by',
];

const BULK_TABLES = ['schedule_lines', 'postings'];
/** Row-level queue triggers the bulk load replaces by one queue row per contract. */
const PENALTY_QUEUE_TRIGGERS = [
  ['schedule_lines', 'schedule_lines_penalty_dirty_insert'],
  ['postings', 'postings_penalty_dirty'],
] as const;

/**
 * A first-time bulk load (the file has at least BULK_LOAD_MIN_ROWS lines and schedule_lines has no more rows
 * than that): the foreign keys and the plain indexes of schedule_lines and postings are dropped for the
 * load and made again at the end, in the same transaction. Checking a foreign key row by row is most of the
 * cost of these inserts (~4 µs per key and row); adding it back checks every row in one join, and building
 * an index is cheaper than growing it row by row. The definitions are read from the catalog, so what comes
 * back is exactly what was there; a rollback restores them anyway. The price: the two tables are locked
 * (ACCESS EXCLUSIVE) until the import commits, and the check and rebuild cover the whole table, which is
 * why it is kept for loads at least as big as what is stored.
 *
 * Dropping a foreign key locks its table and the table it references (dealers, users, contracts, …) ACCESS
 * EXCLUSIVE until the import commits. On a server the load therefore takes all those locks at once and only
 * if nobody holds any of them (NOWAIT), else it loads the ordinary way: it never waits for a lock while it
 * holds one, so it cannot deadlock with another import or command; sessions that come later wait for it.
 */
async function bulkLoad(tx: Tx): Promise<{ finish(): Promise<void> }> {
  const none = { finish: async () => undefined };
  const [size] = await rows<{ n: number }>(tx, `SELECT count(*)::int AS n FROM ${LEDGER_STAGE}`);
  const lines = size?.n ?? 0;
  if (lines < BULK_LOAD_MIN_ROWS) return none;
  const [stored] = await rows<{ n: number }>(tx, `SELECT count(*)::int AS n FROM (SELECT 1 FROM schedule_lines LIMIT ?) s`, [lines + 1]);
  if ((stored?.n ?? 0) > lines) return none;
  // Dropping and adding back needs the tables' owner; anyone else loads the ordinary way.
  const [owner] = await rows<{ ok: boolean }>(
    tx,
    `SELECT bool_and(pg_has_role(relowner, 'USAGE')) AS ok FROM pg_class WHERE oid = ANY (?::regclass[])`,
    [BULK_TABLES],
  );
  if (!owner?.ok) return none;
  const [locked] = await rows<{ tables: string }>(
    tx,
    `SELECT string_agg(DISTINCT t::text, ', ') AS tables
       FROM (SELECT unnest(?::regclass[]) AS t UNION SELECT confrelid::regclass FROM pg_constraint
              WHERE contype = 'f' AND conrelid = ANY (?::regclass[])) x`,
    [BULK_TABLES, BULK_TABLES],
  );
  try {
    // In a savepoint: a refused lock must not abort the import's transaction.
    await tx.transaction((sp) => sp.raw(`LOCK TABLE ${locked?.tables} IN ACCESS EXCLUSIVE MODE NOWAIT`));
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') return none; // lock_not_available
    throw error;
  }
  // primary keys and UNIQUE stay: they keep the load honest
  const remake = await dropForBulkLoad(tx, BULK_TABLES, { constraintIndexes: false, foreignKeys: true });
  // The batch's change queue (008_penalty_segments) would take a row per line and per paid line; the load
  // queues each of the file's contracts once instead, which tells the batch the same.
  for (const [table, trigger] of PENALTY_QUEUE_TRIGGERS) await tx.raw(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
  return {
    async finish() {
      for (const [table, trigger] of PENALTY_QUEUE_TRIGGERS) await tx.raw(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
      await tx.raw(
        `INSERT INTO penalty_dirty (reason, contract_id) SELECT 'contract', contract_id FROM zq_stage_contracts WHERE contract_id IS NOT NULL`,
      );
      await remake();
    },
  };
}

/** The whole merge, in the import's transaction, step by step in this order. Returns what it created and changed. */
export async function mergeLedger(tx: Tx, importId: number, actorId: number, asOf: BusinessDate): Promise<LedgerCounts> {
  await stageContracts(tx);
  const customersCreated = await mergeCustomers(tx);
  // A file of new contracts only (a first load) has nothing stored to compare: the steps that compare are skipped.
  const existing = await markExistingContracts(tx);
  if (existing) await recordContractChanges(tx, importId, asOf);
  const contractsUpdated = existing ? await updateContracts(tx, asOf) : 0;
  const contractsCreated = await createContracts(tx, importId, actorId, asOf);
  const machinesCreated = await mergeMachines(tx);
  const bulk = await bulkLoad(tx);
  await stageLines(tx);
  if (existing) await recordLineChanges(tx, importId);
  const linesNotInFile = existing ? await countLinesNotInFile(tx) : 0;
  const { linesCreated, linesUpdated } = await writeLines(tx, asOf, existing);
  const openingPostings = await writeOpeningPostings(tx, importId, actorId, asOf, existing);
  await bulk.finish();
  await updateDerivedFigures(tx);
  const [tally] = await rows<{ applied: number; conflicts: number }>(
    tx,
    `SELECT count(*) FILTER (WHERE outcome = 'applied')::int AS applied, count(*) FILTER (WHERE outcome = 'conflict')::int AS conflicts
       FROM import_changes WHERE import_id = ?`,
    [importId],
  );
  return {
    contractsCreated,
    contractsUpdated,
    customersCreated,
    machinesCreated,
    linesCreated,
    linesUpdated,
    openingPostings,
    changesApplied: tally?.applied ?? 0,
    conflicts: tally?.conflicts ?? 0,
    linesNotInFile,
  };
}

/** One row per contract in the file (zq_stage_contracts), with the line figures it needs. */
async function stageContracts(tx: Tx): Promise<void> {
  await tx.raw(`DROP TABLE IF EXISTS zq_stage_contracts`);
  await tx.raw(
    `CREATE TEMP TABLE zq_stage_contracts ON COMMIT DROP AS
     SELECT dealer_id, contract_no, min(customer_name) AS customer_name, max(id_number) AS id_number, max(phone) AS phone,
            max(sign_date) AS sign_date, max(contract_amount) AS contract_amount, max(collector_id) AS collector_id,
            min(due_date) AS first_due_date,
            coalesce(sum(amount_due) FILTER (WHERE receivable_type = 'principal'), 0) AS principal_total,
            NULL::bigint AS customer_id, NULL::bigint AS contract_id, false AS is_new, NULL::text AS conflict,
            NULL::integer AS version
       FROM ${LEDGER_STAGE} GROUP BY dealer_id, contract_no`,
  );
}

/** Customers: by ID number within the dealer, else by name + phone; new ones created. Returns how many. */
async function mergeCustomers(tx: Tx): Promise<number> {
  const matchCustomers = async () => {
    await tx.raw(
      `UPDATE zq_stage_contracts sc SET customer_id = c.id FROM customers c
        WHERE sc.customer_id IS NULL AND sc.id_number IS NOT NULL AND c.dealer_id = sc.dealer_id AND c.id_number = sc.id_number`,
    );
    await tx.raw(
      `UPDATE zq_stage_contracts sc SET customer_id = c.id FROM customers c
        WHERE sc.customer_id IS NULL AND sc.id_number IS NULL AND c.dealer_id = sc.dealer_id
          AND c.name = sc.customer_name AND c.phone IS NOT DISTINCT FROM sc.phone`,
    );
  };
  // An existing contract keeps its customer when the file names the same person (a file without ID numbers
  // or phones must not split a customer in two).
  await tx.raw(
    `UPDATE zq_stage_contracts sc SET customer_id = c.customer_id
       FROM contracts c JOIN customers cu ON cu.id = c.customer_id
      WHERE c.dealer_id = sc.dealer_id AND c.contract_no = sc.contract_no AND cu.name = sc.customer_name
        AND (sc.id_number IS NULL OR cu.id_number IS NULL OR cu.id_number = sc.id_number)`,
  );
  await matchCustomers();
  const created = rowCount(
    await tx.raw(
      `INSERT INTO customers (dealer_id, name, id_number, phone)
       SELECT DISTINCT ON (dealer_id, coalesce(id_number, customer_name || chr(31) || coalesce(phone, '')))
              dealer_id, customer_name, id_number, phone
         FROM zq_stage_contracts WHERE customer_id IS NULL
        ORDER BY dealer_id, coalesce(id_number, customer_name || chr(31) || coalesce(phone, '')), contract_no`,
    ),
  );
  await matchCustomers();
  return created;
}

/**
 * Existing contracts, and whether anything confirmed, locked or posted later depends on their figures. Returns
 * whether the file has any.
 */
async function markExistingContracts(tx: Tx): Promise<boolean> {
  const result = await tx.raw(
    `UPDATE zq_stage_contracts sc SET contract_id = c.id,
            version = (SELECT max(version) FROM schedule_versions v WHERE v.contract_id = c.id),
            conflict = CASE
              WHEN c.status <> 'active' THEN 'the contract is ' || c.status
              WHEN EXISTS (SELECT 1 FROM documents d WHERE d.contract_id = c.id
                            AND (d.locked OR d.status IN ('confirmed', 'approved', 'completed')))
                THEN 'confirmed or locked documents depend on the contract'
              WHEN EXISTS (SELECT 1 FROM postings p WHERE p.contract_id = c.id
                            AND p.kind NOT IN ('opening_paid', 'opening_penalty', 'opening_penalty_paid'))
                THEN 'later postings depend on the contract'
            END
       FROM contracts c WHERE c.dealer_id = sc.dealer_id AND c.contract_no = sc.contract_no`,
  );
  return rowCount(result) > 0;
}

/**
 * Records a change (old → new) of each row `where` selects (a FROM … WHERE … over `sc`): applied, or — where
 * `conflictAware` and the contract has a conflict — a conflict, never applied.
 */
function recordChange(
  tx: Tx,
  importId: number,
  change: { entity: string; key: string; field: string; old: string; new: string; where: string; conflictAware?: boolean },
) {
  const outcome =
    change.conflictAware === false ? `'applied', NULL` : `CASE WHEN sc.conflict IS NULL THEN 'applied' ELSE 'conflict' END, sc.conflict`;
  return tx.raw(
    `INSERT INTO import_changes (import_id, entity, entity_key, field, old_value, new_value, outcome, reason)
     SELECT ?, '${change.entity}', ${change.key}, '${change.field}', ${change.old}, ${change.new},
            ${outcome}
         ${change.where}`,
    [importId],
  );
}

const CONTRACT_KEY = `(SELECT code FROM dealers WHERE id = sc.dealer_id) || '/' || sc.contract_no`;
const EXISTING_CONTRACTS = `FROM zq_stage_contracts sc JOIN contracts c ON c.id = sc.contract_id`;

/** The contracts' changed fields; those no figure depends on are applied even where figures are locked. */
async function recordContractChanges(tx: Tx, importId: number, asOf: BusinessDate): Promise<void> {
  const contract = (field: string, old: string, value: string, where: string, conflictAware = false) =>
    recordChange(tx, importId, {
      entity: 'contract',
      key: CONTRACT_KEY,
      field,
      old,
      new: value,
      where: `${EXISTING_CONTRACTS} WHERE ${where}`,
      conflictAware,
    });
  await contract(
    'customer',
    '(SELECT name FROM customers WHERE id = c.customer_id)',
    'sc.customer_name',
    'c.customer_id <> sc.customer_id',
  );
  await contract(
    'collector',
    '(SELECT username FROM users WHERE id = c.collector_id)',
    '(SELECT username FROM users WHERE id = sc.collector_id)',
    'sc.collector_id IS NOT NULL AND c.collector_id IS DISTINCT FROM sc.collector_id',
  );
  await contract(
    'sign_date',
    'c.sign_date::text',
    'sc.sign_date::text',
    'sc.sign_date IS NOT NULL AND c.sign_date IS DISTINCT FROM sc.sign_date',
  );
  await contract(
    'contract_amount',
    'c.contract_amount::text',
    'sc.contract_amount::text',
    'sc.contract_amount IS NOT NULL AND c.contract_amount IS DISTINCT FROM sc.contract_amount',
  );
  await contract('cutover_date', 'c.cutover_date::text', `'${asOf}'`, `c.cutover_date IS DISTINCT FROM '${asOf}'::date`, true);
}

/** Applies the existing contracts' changed fields (the cut-over date only without a conflict). Returns how many. */
async function updateContracts(tx: Tx, asOf: BusinessDate): Promise<number> {
  return rowCount(
    await tx.raw(
      `UPDATE contracts c SET customer_id = sc.customer_id,
              collector_id = coalesce(sc.collector_id, c.collector_id),
              sign_date = coalesce(sc.sign_date, c.sign_date),
              contract_amount = coalesce(sc.contract_amount, c.contract_amount),
              cutover_date = CASE WHEN sc.conflict IS NULL THEN ?::date ELSE c.cutover_date END,
              updated_at = now()
         FROM zq_stage_contracts sc
        WHERE c.id = sc.contract_id
          AND (c.customer_id <> sc.customer_id
               OR (sc.collector_id IS NOT NULL AND c.collector_id IS DISTINCT FROM sc.collector_id)
               OR (sc.sign_date IS NOT NULL AND c.sign_date IS DISTINCT FROM sc.sign_date)
               OR (sc.contract_amount IS NOT NULL AND c.contract_amount IS DISTINCT FROM sc.contract_amount)
               OR (sc.conflict IS NULL AND c.cutover_date IS DISTINCT FROM ?::date))`,
      [asOf, asOf],
    ),
  );
}

/**
 * New contracts: imported schedule as version 1, opening position as of the cut-over date; an audit row for
 * each contract created or changed. Returns how many were created.
 */
async function createContracts(tx: Tx, importId: number, actorId: number, asOf: BusinessDate): Promise<number> {
  const created = rowCount(
    await tx.raw(
      `WITH created AS (
         INSERT INTO contracts (dealer_id, contract_no, customer_id, collector_id, sign_date, contract_amount,
                                financed_amount, method, first_due_date, cutover_date)
         SELECT dealer_id, contract_no, customer_id, collector_id, sign_date, contract_amount,
                principal_total, 'custom', first_due_date, ?::date
           FROM zq_stage_contracts WHERE contract_id IS NULL
         RETURNING id, dealer_id, contract_no)
       UPDATE zq_stage_contracts sc SET contract_id = created.id, is_new = true
         FROM created WHERE sc.dealer_id = created.dealer_id AND sc.contract_no = created.contract_no`,
      [asOf],
    ),
  );
  await tx.raw(
    `INSERT INTO schedule_versions (contract_id, version, effective_from, source, reason)
     SELECT contract_id, 1, first_due_date, 'imported', 'import #' || ? FROM zq_stage_contracts WHERE is_new`,
    [importId],
  );
  await tx.raw(
    `INSERT INTO audit_log (actor_id, actor, action, entity, entity_id, dealer_id, details)
     SELECT ?, (SELECT username FROM users WHERE id = ?), 'import', 'contract', sc.contract_id::text, sc.dealer_id,
            jsonb_build_object('importId', ?::bigint, 'contractNo', sc.contract_no, 'created', sc.is_new)
       FROM zq_stage_contracts sc
      WHERE sc.is_new OR EXISTS (SELECT 1 FROM import_changes ch WHERE ch.import_id = ? AND ch.outcome = 'applied'
                                   AND ch.entity_key = (SELECT code FROM dealers WHERE id = sc.dealer_id) || '/' || sc.contract_no)`,
    [actorId, actorId, importId, importId],
  );
  return created;
}

/** Machines by serial number, and their links to their contracts. Returns how many machines were created. */
async function mergeMachines(tx: Tx): Promise<number> {
  // Each contract's serial numbers once (a contract's rows repeat its machine), with the model the file gives it:
  // the machine's columns are contract-level, so the rows of one contract agree (rows.ts).
  await tx.raw(`DROP TABLE IF EXISTS zq_stage_machines`);
  await tx.raw(
    `CREATE TEMP TABLE zq_stage_machines ON COMMIT DROP AS
     SELECT dealer_id, contract_no, serial_no, max(machine_model) AS machine_model, min(rn) AS first_rn
       FROM ${LEDGER_STAGE} WHERE serial_no IS NOT NULL GROUP BY dealer_id, contract_no, serial_no`,
  );
  const created = rowCount(
    await tx.raw(
      `INSERT INTO machines (dealer_id, serial_no, model)
       SELECT DISTINCT ON (dealer_id, serial_no) dealer_id, serial_no, coalesce(machine_model, '')
         FROM zq_stage_machines
        ORDER BY dealer_id, serial_no, first_rn
       ON CONFLICT (dealer_id, serial_no) DO NOTHING`,
    ),
  );
  await tx.raw(
    `INSERT INTO contract_machines (contract_id, machine_id)
     SELECT sc.contract_id, m.id
       FROM zq_stage_machines s
       JOIN zq_stage_contracts sc ON sc.dealer_id = s.dealer_id AND sc.contract_no = s.contract_no
       JOIN machines m ON m.dealer_id = s.dealer_id AND m.serial_no = s.serial_no
     ON CONFLICT DO NOTHING`,
  );
  return created;
}

/** The file's lines beside the stored live ones (zq_stage_lines); a new line gets its id here. */
async function stageLines(tx: Tx): Promise<void> {
  await tx.raw(`DROP TABLE IF EXISTS zq_stage_lines`);
  // Looked up once: pg_get_serial_sequence in the statement would read the catalog for every row.
  const [sequence] = await rows<{ name: string }>(tx, `SELECT pg_get_serial_sequence('schedule_lines', 'id') AS name`);
  await tx.raw(
    `CREATE TEMP TABLE zq_stage_lines ON COMMIT DROP AS
     SELECT s.dealer_id, s.contract_no, s.seq, s.receivable_type, s.due_date, s.amount_due,
            ${OPENING.map((o) => `s.${o.column}`).join(', ')}, sc.contract_id, sc.is_new, sc.conflict, l.id IS NULL AS is_added,
            -- a new line gets its id here, so that nothing has to find it again after the insert
            coalesce(l.id, CASE WHEN sc.conflict IS NULL THEN nextval(?::regclass) END) AS line_id,
            CASE WHEN l.id IS NULL THEN CASE WHEN sc.is_new THEN 1 ELSE sc.version END END AS version,
            l.due_date AS old_due_date, l.amount_due AS old_amount_due
       FROM ${LEDGER_STAGE} s
       JOIN zq_stage_contracts sc ON sc.dealer_id = s.dealer_id AND sc.contract_no = s.contract_no
       LEFT JOIN schedule_lines l ON l.contract_id = sc.contract_id AND l.seq = s.seq
            AND l.receivable_type = s.receivable_type AND l.retired_version IS NULL`,
    [sequence?.name ?? null],
  );
}

// Only lines with a change need their key.
const LINE_KEY = `(SELECT code FROM dealers WHERE id = sc.dealer_id) || '/' || sc.contract_no || '#' || sc.seq || ':' || sc.receivable_type`;
const STAGED_LINES = `FROM zq_stage_lines sc`;

/** The lines added to existing contracts and the stored lines' changed due dates and amounts. */
async function recordLineChanges(tx: Tx, importId: number): Promise<void> {
  const line = (field: string, old: string, value: string, where: string) =>
    recordChange(tx, importId, { entity: 'line', key: LINE_KEY, field, old, new: value, where: `${STAGED_LINES} WHERE ${where}` });
  await line('added', 'NULL', `sc.due_date::text || ' ' || sc.amount_due::text`, 'sc.is_added AND NOT sc.is_new');
  await line('due_date', 'sc.old_due_date::text', 'sc.due_date::text', 'NOT sc.is_added AND sc.old_due_date <> sc.due_date');
  await line('amount_due', 'sc.old_amount_due::text', 'sc.amount_due::text', 'NOT sc.is_added AND sc.old_amount_due <> sc.amount_due');
}

/** Stored lines the file does not have are kept (a file may be a partial export); counted, never deleted. */
async function countLinesNotInFile(tx: Tx): Promise<number> {
  const [missing] = await rows<{ n: number }>(
    tx,
    `SELECT count(*)::int AS n
       FROM zq_stage_contracts sc JOIN schedule_lines l ON l.contract_id = sc.contract_id AND l.retired_version IS NULL
      WHERE NOT sc.is_new
        AND NOT EXISTS (SELECT 1 FROM ${LEDGER_STAGE} s WHERE s.dealer_id = sc.dealer_id AND s.contract_no = sc.contract_no
                          AND s.seq = l.seq AND s.receivable_type = l.receivable_type)`,
  );
  return missing?.n ?? 0;
}

/** The new lines inserted and the changed ones updated, where their contract has no conflict. */
async function writeLines(tx: Tx, asOf: BusinessDate, existing: boolean): Promise<{ linesCreated: number; linesUpdated: number }> {
  const linesCreated = rowCount(
    await tx.raw(
      // a new contract's lines come with their opening paid amount (schedule_lines.paid, paid_last), which its
      // opening postings below would otherwise write into them again, line by line
      `INSERT INTO schedule_lines (id, contract_id, version, seq, receivable_type, due_date, amount_due, paid, paid_last)
       SELECT sl.line_id, sl.contract_id, sl.version, sl.seq, sl.receivable_type, sl.due_date, sl.amount_due,
              CASE WHEN sl.is_new AND sl.amount_paid > 0 THEN sl.amount_paid ELSE 0 END,
              CASE WHEN sl.is_new AND sl.amount_paid > 0 THEN ?::date END
         FROM zq_stage_lines sl WHERE sl.is_added AND sl.conflict IS NULL`,
      [asOf],
    ),
  );
  if (!existing) return { linesCreated, linesUpdated: 0 };
  const linesUpdated = rowCount(
    await tx.raw(
      `UPDATE schedule_lines l SET due_date = sl.due_date, amount_due = sl.amount_due
         FROM zq_stage_lines sl
        WHERE l.id = sl.line_id AND sl.conflict IS NULL AND sl.old_due_date IS NOT NULL
          AND (sl.old_due_date <> sl.due_date OR sl.old_amount_due <> sl.amount_due)`,
    ),
  );
  return { linesCreated, linesUpdated };
}

/** Per staged line, each opening figure's kind, header and the file's value (k.kind, k.field, k.wanted). */
const OPENING_VALUES = `(VALUES ${OPENING.map((o) => `('${o.kind}', '${o.field}', sl.${o.column})`).join(', ')}) AS k(kind, field, wanted)`;

/**
 * Opening postings: what the file says against the net of what is stored (and its value date), corrected by
 * reversal + new posting; the lines of new contracts have nothing stored and are posted straight from the file.
 * Returns how many postings were written.
 */
async function writeOpeningPostings(tx: Tx, importId: number, actorId: number, asOf: BusinessDate, existing: boolean): Promise<number> {
  const corrected = existing ? await correctOpeningPostings(tx, importId, actorId, asOf) : 0;
  // the new contracts' lines carry these amounts already (writeLines): the postings leave their figures as they are
  await tx.raw(`SELECT set_config('zq.line_paid_set', 'on', true)`);
  const posted = await writePostingsFrom(
    tx,
    OPENING_COLUMNS,
    `SELECT sl.contract_id, sl.dealer_id, sl.line_id, k.kind, sl.receivable_type, k.wanted, ?::date, 'import #' || ?, ?
       FROM zq_stage_lines sl CROSS JOIN LATERAL ${OPENING_VALUES}
      WHERE sl.is_new AND k.wanted > 0`,
    [asOf, importId, actorId],
  );
  await tx.raw(`SELECT set_config('zq.line_paid_set', 'off', true)`);
  return corrected + posted;
}

/** The existing lines' opening figures that differ from the file's: reversed, and the file's figure posted. */
async function correctOpeningPostings(tx: Tx, importId: number, actorId: number, asOf: BusinessDate): Promise<number> {
  await stageOpeningCorrections(tx, importId, asOf);
  // Corrections reverse what was there (append-only), then post the file's figure.
  await reverseLivePostings(
    tx,
    `EXISTS (SELECT 1 FROM zq_stage_opening o WHERE o.line_id = p.schedule_line_id AND o.kind = p.kind AND o.conflict IS NULL)
     AND p.contract_id IN (SELECT contract_id FROM zq_stage_contracts WHERE NOT is_new)`,
    [],
    `corrected by import #${importId}`,
    actorId,
  );
  return writePostingsFrom(
    tx,
    OPENING_COLUMNS,
    `SELECT o.contract_id, o.dealer_id, o.line_id, o.kind, o.receivable_type, o.wanted, ?::date, 'import #' || ?, ?
       FROM zq_stage_opening o WHERE o.conflict IS NULL AND o.wanted > 0`,
    [asOf, importId, actorId],
  );
}

/** The existing lines' opening figures that differ from the file's (zq_stage_opening), recorded as changes. */
async function stageOpeningCorrections(tx: Tx, importId: number, asOf: BusinessDate): Promise<void> {
  await tx.raw(`DROP TABLE IF EXISTS zq_stage_opening`);
  await tx.raw(
    `CREATE TEMP TABLE zq_stage_opening ON COMMIT DROP AS
     SELECT sl.line_id, sl.contract_id, sl.dealer_id, sl.contract_no, sl.seq, sl.receivable_type, sl.is_new, sl.conflict, k.kind, k.field,
            coalesce(k.wanted, 0) AS wanted, coalesce(cur.net, 0) AS current, cur.value_date AS current_date
       FROM zq_stage_lines sl
      CROSS JOIN LATERAL ${OPENING_VALUES}
       LEFT JOIN (SELECT schedule_line_id, kind, sum(signed_amount) AS net, max(value_date) FILTER (WHERE reverses_id IS NULL) AS value_date
                    FROM postings WHERE kind IN (${OPENING.map((o) => `'${o.kind}'`).join(', ')})
                     AND contract_id IN (SELECT contract_id FROM zq_stage_contracts WHERE NOT is_new)
                   GROUP BY schedule_line_id, kind) cur
         ON cur.schedule_line_id = sl.line_id AND cur.kind = k.kind
      WHERE sl.line_id IS NOT NULL AND NOT sl.is_new
        AND (coalesce(k.wanted, 0) <> coalesce(cur.net, 0) OR (coalesce(cur.net, 0) <> 0 AND cur.value_date <> ?::date))`,
    [asOf],
  );
  await tx.raw(
    `INSERT INTO import_changes (import_id, entity, entity_key, field, old_value, new_value, outcome, reason)
     SELECT ?, 'line', ${LINE_KEY}, sc.field,
            CASE WHEN sc.current_date IS NULL THEN sc.current::text ELSE sc.current::text || ' @' || sc.current_date END,
            sc.wanted::text || ' @' || ?, CASE WHEN sc.conflict IS NULL THEN 'applied' ELSE 'conflict' END, sc.conflict
       FROM zq_stage_opening sc`,
    [importId, asOf],
  );
}

/** Derived contract figures (financed amount, first due date) follow the applied lines. */
async function updateDerivedFigures(tx: Tx): Promise<void> {
  await tx.raw(
    `UPDATE contracts c SET financed_amount = agg.principal, first_due_date = agg.first_due
       FROM (SELECT l.contract_id, coalesce(sum(l.amount_due) FILTER (WHERE l.receivable_type = 'principal'), 0) AS principal,
                    min(l.due_date) AS first_due
               FROM schedule_lines l JOIN zq_stage_contracts sc ON sc.contract_id = l.contract_id AND sc.conflict IS NULL
              WHERE l.retired_version IS NULL GROUP BY l.contract_id) agg
      WHERE c.id = agg.contract_id
        AND (c.financed_amount IS DISTINCT FROM agg.principal OR c.first_due_date IS DISTINCT FROM agg.first_due)`,
  );
}
