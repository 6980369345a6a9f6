// The nightly report snapshot (issue 18, migration 020): after the penalty accrual, each line's figures as the
// reports show them that night, stored as states valid over a range of nights. A night writes a new state only
// for a line whose state differs from its current one; the lines it looks at are found without reading every line:
//  - contracts with postings, schedule lines or schedule versions created since the last snapshot (receipts,
//    back-dated or not, waivers, imports, schedule changes), postings value-dated since the last night taken (a
//    receipt entered ahead of its date, or while the batch was behind), and versions taking effect since then;
//  - contracts the accrual touched tonight (penalty_targets: lines newly past grace, rate and grace changes);
//  - contracts queued by the contracts trigger (collector, status, dates) and contracts coming into existence since
//    the last night taken;
//  - current states whose changes_on has come (a penalty run ends or starts, a grace period ends, a status takes effect).
// The first night compares every contract once. A full recomputation of the segments compares the lines' segments
// with their states: on the last night taken it queues the contracts of the lines that moved; on an earlier one the
// next night written adds those lines itself. A contract's sums move by its line states' changes.
// A night already taken is never rewritten.
import type { Knex } from 'knex';
import { addDays, type BusinessDate } from '../core/dates.js';
import type { Tx } from '../db/index.js';
import { creditSql, lineSumsSql } from '../ledger/balances.js';
import { linesInEffect } from '../ledger/lines.js';

export interface SnapshotOptions {
  date: BusinessDate;
  /** written after its night (a catch-up or a recomputation that runs later nights in the same run) */
  late: boolean;
  /** the segments were recomputed in full tonight: every line may have moved */
  recomputedAll: boolean;
}

export interface SnapshotCounts {
  linesWritten: number;
  contractsWritten: number;
  /** 1 when the night already had its snapshot (never rewritten) */
  kept: number;
}

interface Through {
  postings_through: number;
  lines_through: number;
  versions_through: number;
  queue_through: number;
}

/**
 * A date that has come since the last night taken (named binding :lastNight) up to tonight (:night): a posting
 * entered earlier but value-dated in between (a receipt entered while the batch was behind, or dated ahead) counts
 * from tonight, and so do a schedule version taking effect and a contract coming into existence.
 */
const SINCE_LAST = (date: string) => `(${date} > :lastNight::date AND ${date} <= :night::date)`;

/** Postings entered since the last snapshot (named bindings :postings, :postingsNow) or value-dated since its night. */
const POSTED_SINCE_LAST = `((id > :postings AND id <= :postingsNow) OR ${SINCE_LAST('value_date')})`;

/** A contract exists on a night once signed or cut over (reports/lines.ts reportContracts says the same). */
/** (one binding: the night) */
const EXISTS_ON = '(least(c.sign_date, c.cutover_date) IS NULL OR least(c.sign_date, c.cutover_date) <= ?::date)';

/** The columns of a line state that the step compares (all but the validity). */
const LINE_FIELDS = [
  'contract_id',
  'seq',
  'receivable_type',
  'due_date',
  'amount_due',
  'paid',
  'written_off',
  'penalty_opening',
  'penalty_paid',
  'penalty_waived',
  'penalty_closed',
  'run_from',
  'run_base',
  'run_rate',
  'changes_on',
] as const;

/** The money of a line state that its contract's sums add up, column for column (migration 021). */
const SUMMED = ['amount_due', 'paid', 'written_off', 'penalty_opening', 'penalty_paid', 'penalty_waived'] as const;

/** The columns of a contract's sums that the step compares (migration 021). */
const SUM_FIELDS = ['lines', ...SUMMED, 'penalty_settled'] as const;

const CONTRACT_FIELDS = ['collector_id', 'status', 'credit', 'changes_on'] as const;

/**
 * Per line of the candidate contracts, from its stored segments as of the night: the exact penalty of the runs
 * ended before it, the run in progress on it, and the first later night on which that would no longer hold.
 * Only runs whose grace period has ended count, as in restatedLines.
 */
const RUN = 's.grace_end < :night::date AND s.from_date <= :night::date AND coalesce(s.to_date, :night::date) >= :night::date';
const SEGMENT_STATE = `SELECT s.line_id,
    coalesce(sum(s.base * s.daily_rate * (s.to_date - s.from_date + 1))
      FILTER (WHERE s.grace_end < :night::date AND s.to_date < :night::date), 0) AS penalty_closed,
    max(s.from_date) FILTER (WHERE ${RUN}) AS run_from,
    max(s.base) FILTER (WHERE ${RUN}) AS run_base,
    max(s.daily_rate) FILTER (WHERE ${RUN}) AS run_rate,
    least(min(s.from_date) FILTER (WHERE s.from_date > :night::date),
          min(s.to_date + 1) FILTER (WHERE s.to_date >= :night::date),
          min(s.grace_end + 1) FILTER (WHERE s.grace_end >= :night::date)) AS changes_on
  FROM penalty_segments s WHERE SCOPE
  GROUP BY s.line_id`;

/** Takes the night's snapshot, or keeps the one already taken. Runs inside the batch date's transaction. */
export async function takeSnapshot(tx: Tx, options: SnapshotOptions): Promise<SnapshotCounts> {
  const night = options.date;
  const taken = await tx('report_snapshots').where('business_date', night).first('business_date');
  const last = await tx('report_snapshots').orderBy('business_date', 'desc').first<Through & { business_date: BusinessDate }>();
  if (taken) {
    // a recomputation of a night already taken: its segments may all have moved, so the next night written compares
    // the lines' segments with their states (NULL in the queue)
    if (options.recomputedAll) await tx('report_snapshot_queue').insert({ contract_id: null });
    // on the last night taken, the states are as of this night and so are the segments: the comparison is made
    // now, and the contracts of the lines that moved are queued instead (a recomputation pays for it, not the
    // business day after it)
    if (last?.business_date === night) await queueResegmented(tx, night, last.queue_through);
    return { linesWritten: 0, contractsWritten: 0, kept: 1 };
  }
  // A night before the first snapshot (a recomputation reaching back past it) is not written: states run forward only.
  if (last && last.business_date > night) return { linesWritten: 0, contractsWritten: 0, kept: 0 };
  const now = (
    await tx.raw(`SELECT (SELECT coalesce(max(id), 0) FROM postings) AS postings_through,
      (SELECT coalesce(max(id), 0) FROM schedule_lines) AS lines_through,
      (SELECT coalesce(max(id), 0) FROM schedule_versions) AS versions_through,
      (SELECT coalesce(max(id), 0) FROM report_snapshot_queue) AS queue_through`)
  ).rows[0] as Through;
  // Only the first night compares every contract. After a full recomputation of the segments (tonight, or of a
  // night already taken) any line's penalty may have moved, but nothing else: the lines whose segments' state
  // differs from their current one are added to the night's candidates (resegmented), not every line.
  const everything = !last;
  const resegmented =
    !everything &&
    (options.recomputedAll ||
      (await tx('report_snapshot_queue').whereNull('contract_id').where('id', '>', last.queue_through).first('id')) !== undefined);

  // Two candidate sets: contracts whose facts (collector, status, credit) may have moved, and lines whose state may
  // have moved. A source that names a line (a posting on it, the accrual's targets, a run starting or ending
  // tonight) makes only that line a candidate; a source that reaches every line of a contract (schedule changes,
  // the contracts trigger, a contract coming into existence) makes all its lines candidates.
  await tx.raw('DROP TABLE IF EXISTS snapshot_contracts');
  await tx.raw('CREATE TEMP TABLE snapshot_contracts (id bigint PRIMARY KEY) ON COMMIT DROP');
  await tx.raw('DROP TABLE IF EXISTS snapshot_line_ids');
  await tx.raw('CREATE TEMP TABLE snapshot_line_ids (id bigint PRIMARY KEY) ON COMMIT DROP');
  if (everything) {
    await tx.raw(`INSERT INTO snapshot_contracts SELECT c.id FROM contracts c WHERE ${EXISTS_ON}`, [night]);
  } else {
    const targets = (await tx.raw(`SELECT to_regclass('pg_temp.penalty_targets') IS NOT NULL AS here`)).rows[0].here === true;
    const bindings = {
      night,
      lastNight: last.business_date,
      postings: last.postings_through,
      postingsNow: now.postings_through,
      lines: last.lines_through,
      linesNow: now.lines_through,
      versions: last.versions_through,
      versionsNow: now.versions_through,
      queue: last.queue_through,
      queueNow: now.queue_through,
    };
    // contracts reached as a whole: their lines are added below
    await tx.raw(
      `INSERT INTO snapshot_contracts
       SELECT contract_id FROM schedule_lines WHERE id > :lines AND id <= :linesNow
       UNION SELECT contract_id FROM schedule_versions WHERE (id > :versions AND id <= :versionsNow) OR ${SINCE_LAST('effective_from')}
       UNION SELECT contract_id FROM report_snapshot_queue WHERE id > :queue AND id <= :queueNow AND contract_id IS NOT NULL
       UNION SELECT c.id FROM contracts c WHERE ${SINCE_LAST('least(c.sign_date, c.cutover_date)')}`,
      bindings,
    );
    await tx.raw(
      `INSERT INTO snapshot_line_ids
       SELECT schedule_line_id FROM postings WHERE ${POSTED_SINCE_LAST} AND schedule_line_id IS NOT NULL
       UNION SELECT line_id FROM report_line_states WHERE valid_to IS NULL AND changes_on <= :night::date
       UNION SELECT l.id FROM schedule_lines l JOIN snapshot_contracts sc ON sc.id = l.contract_id
       UNION SELECT o.line_id FROM report_line_states o JOIN snapshot_contracts sc ON sc.id = o.contract_id WHERE o.valid_to IS NULL
       ${targets ? 'UNION SELECT line_id FROM penalty_targets' : ''}`,
      bindings,
    );
    if (resegmented) await addResegmentedLines(tx, night);
    // contracts whose facts may have moved without touching a line: postings (credit), a status taking effect
    await tx.raw(
      `INSERT INTO snapshot_contracts
       SELECT contract_id FROM postings WHERE ${POSTED_SINCE_LAST}
       UNION SELECT contract_id FROM report_contract_states WHERE valid_to IS NULL AND changes_on <= :night::date
       EXCEPT SELECT id FROM snapshot_contracts`,
      bindings,
    );
  }
  let candidateLines = 0;
  for (const table of ['snapshot_contracts', 'snapshot_line_ids']) {
    const n = Number((await tx.raw(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    if (n > 100) await tx.raw(`ANALYZE ${table}`);
    if (table === 'snapshot_line_ids') candidateLines = n;
  }
  // Candidates a tenth of the states or fewer: their current states are read by key. The planner's hash join read
  // every state instead, on a server whose shared buffers do not hold the table (PostgreSQL's default 128 MB):
  // 41,787 candidates of a million states, 1.1 s against 0.75 s to close them.
  const states = Number((await tx.raw(`SELECT reltuples AS n FROM pg_class WHERE oid = 'report_line_states'::regclass`)).rows[0].n);
  const byKey = !everything && candidateLines * 10 <= states;

  const linesWritten = await writeLineStates(tx, night, everything, byKey);
  await writeContractSums(tx, night);
  const contractsWritten = await writeContractStates(tx, night, everything);
  // a night that compared everything may have written a row per line: the next nights' plans need the tables' size
  // (planned from stale statistics, the comparison sorted every current state instead of reading its key)
  if (everything) await tx.raw('ANALYZE report_line_states, report_contract_states, report_contract_sums');
  await tx('report_snapshots').insert({
    business_date: night,
    late: options.late,
    lines_written: linesWritten,
    contracts_written: contractsWritten,
    ...now,
  });
  await tx('report_snapshot_queue').where('id', '<=', now.queue_through).delete();
  return { linesWritten, contractsWritten, kept: 0 };
}

/**
 * After a full recomputation of the segments: the lines whose segments' state as of the night (SEGMENT_STATE)
 * differs from their current state's, and the lines whose current state has penalty from segments they no longer
 * have. Compared on the segments alone: on a million lines, comparing every line's whole state took 10.5 s
 * (bench:batch (b), the night after (a)'s recomputations). One binding per `?`: the night.
 */
function resegmentedLinesSql(night: BusinessDate): { sql: string; bindings: string[] } {
  const segments = SEGMENT_STATE.replace('SCOPE', 'true').replaceAll(':night', '?');
  const bindings = Array.from({ length: (segments.match(/\?/g) ?? []).length }, () => night);
  const fields = ['penalty_closed', 'run_from', 'run_base', 'run_rate', 'changes_on'];
  const sql = `SELECT g.line_id FROM (
       SELECT line_id, penalty_closed::numeric(30,12) AS penalty_closed, run_from, run_base::numeric(18,2) AS run_base,
              run_rate::numeric(20,10) AS run_rate, changes_on
         FROM (${segments}) AS raw
     ) AS g
       LEFT JOIN report_line_states o ON o.line_id = g.line_id AND o.valid_to IS NULL
      WHERE o.line_id IS NULL OR (${fields.map((f) => `g.${f}`).join(', ')}) IS DISTINCT FROM (${fields.map((f) => `o.${f}`).join(', ')})
     UNION
     SELECT o.line_id FROM report_line_states o
      WHERE o.valid_to IS NULL AND (o.penalty_closed <> 0 OR o.run_from IS NOT NULL OR o.changes_on IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM penalty_segments s WHERE s.line_id = o.line_id)`;
  return { sql, bindings };
}

/** A night after a full recomputation: the lines whose segments moved join the night's candidate lines. */
async function addResegmentedLines(tx: Tx, night: BusinessDate): Promise<void> {
  const moved = resegmentedLinesSql(night);
  await tx.raw(`INSERT INTO snapshot_line_ids ${moved.sql} EXCEPT SELECT id FROM snapshot_line_ids`, moved.bindings);
}

/**
 * A full recomputation of the last night taken (queued as NULL after `through`): the contracts of the lines whose
 * segments moved are queued in its place, so the next night compares those and not every line.
 */
async function queueResegmented(tx: Tx, night: BusinessDate, through: number): Promise<void> {
  const everything = await tx('report_snapshot_queue').whereNull('contract_id').where('id', '>', through).delete();
  if (everything === 0) return;
  const moved = resegmentedLinesSql(night);
  await tx.raw(
    `INSERT INTO report_snapshot_queue (contract_id)
     SELECT DISTINCT l.contract_id FROM (${moved.sql}) AS m JOIN schedule_lines l ON l.id = m.line_id`,
    moved.bindings,
  );
}

/** A temporary table from a query, analyzed (from a small sample) so that the joins over it are planned on its size. */
async function tempTable(tx: Tx, name: string, sql: string, bindings: readonly Knex.RawBinding[]): Promise<void> {
  await tx.raw(`DROP TABLE IF EXISTS ${name}`);
  await tx.raw(`CREATE TEMP TABLE ${name} ON COMMIT DROP AS ${sql}`, bindings);
  // keyed by line: the lines in effect are estimated at a row or so (their OR-ed version conditions), so the join
  // to these tables is planned as a nested loop; without the index each loop read the whole table (13,572 × 13,572)
  await tx.raw(`CREATE UNIQUE INDEX ON ${name} (line_id)`);
  await analyzeSmall(tx, name);
}

/** The candidate contracts' line states as of the night, compared with the current ones; returns rows written. */
async function writeLineStates(tx: Tx, night: BusinessDate, everything: boolean, byKey: boolean): Promise<number> {
  // candidate lines through the line indexes: their postings (postings_line), their segments (primary key)
  const sums = lineSumsSql(
    night,
    everything ? {} : { where: { sql: 'p.schedule_line_id IN (SELECT id FROM snapshot_line_ids)', bindings: [] } },
  );
  const segments = SEGMENT_STATE.replace('SCOPE', everything ? 'true' : 's.line_id IN (SELECT id FROM snapshot_line_ids)').replaceAll(
    ':night',
    '?',
  );
  const segmentBindings = Array.from({ length: (segments.match(/\?/g) ?? []).length }, () => night);
  // the sums and the segment states first, each a temporary table analyzed before the join: planned blind inside one
  // statement, the grouped subqueries were re-run per line (minutes for a night with 30,000 candidate contracts)
  await tempTable(tx, 'snapshot_sums', sums.sql, sums.bindings);
  await tempTable(tx, 'snapshot_segments', segments, segmentBindings);
  const lines = linesInEffect(tx, night)
    .modify((q) =>
      everything ? q.join('snapshot_contracts as sc', 'sc.id', 'l.contract_id') : q.join('snapshot_line_ids as sl', 'sl.id', 'l.id'),
    )
    .join('contracts as c', 'c.id', 'l.contract_id')
    .whereRaw(EXISTS_ON, [night])
    .leftJoin('snapshot_sums as b', 'b.line_id', 'l.id')
    .leftJoin('snapshot_segments as g', 'g.line_id', 'l.id')
    .select(
      'l.id as line_id',
      'l.contract_id',
      'l.seq',
      'l.receivable_type',
      'l.due_date',
      'l.amount_due',
      ...['paid', 'written_off', 'penalty_opening', 'penalty_paid', 'penalty_waived'].map((c) =>
        tx.raw(`coalesce(b.${c}, 0)::numeric(18,2) AS ${c}`),
      ),
      tx.raw('coalesce(g.penalty_closed, 0)::numeric(30,12) AS penalty_closed'),
      'g.run_from',
      'g.run_base',
      'g.run_rate',
      'g.changes_on',
    );
  await tx.raw('DROP TABLE IF EXISTS snapshot_lines');
  await tx.raw('CREATE TEMP TABLE snapshot_lines ON COMMIT DROP AS ?', [lines]);
  await analyzeSmall(tx, 'snapshot_lines');
  const differs = `(${LINE_FIELDS.map((f) => `n.${f}`).join(', ')}) IS DISTINCT FROM (${LINE_FIELDS.map((f) => `o.${f}`).join(', ')})`;
  // lines whose state moved, and current states of the candidates' lines no longer in effect (retired tonight),
  // each with what it adds to its contract's sums (lineChange); the retired ones from the candidates that are not
  // in effect, then their states by key (from the states' side, the anti join read half the states' primary key:
  // 0.2 s of bench:batch's day (b), for no row)
  const retired = everything
    ? `SELECT o.line_id, false, o.contract_id, ${lineChange(null, 'o')} FROM report_line_states o JOIN snapshot_contracts sc ON sc.id = o.contract_id
        WHERE o.valid_to IS NULL AND NOT EXISTS (SELECT 1 FROM snapshot_lines n WHERE n.line_id = o.line_id)`
    : `SELECT o.line_id, false, o.contract_id, ${lineChange(null, 'o')}
         FROM (SELECT id FROM snapshot_line_ids EXCEPT SELECT line_id FROM snapshot_lines) AS r
         JOIN report_line_states o ON o.line_id = r.id AND o.valid_to IS NULL`;
  // candidates a tenth of the states or fewer: their current states read by key, to compare and to close them
  const planByKey = async (on: boolean) => {
    if (byKey) for (const join of ['hashjoin', 'mergejoin']) await tx.raw(on ? `SET LOCAL enable_${join} = off` : `RESET enable_${join}`);
  };
  await tx.raw('DROP TABLE IF EXISTS snapshot_changed');
  await planByKey(true);
  await tx.raw(
    `CREATE TEMP TABLE snapshot_changed ON COMMIT DROP AS
     SELECT n.line_id, true AS written, n.contract_id, ${lineChange('n', 'o')} FROM snapshot_lines n
       LEFT JOIN report_line_states o ON o.line_id = n.line_id AND o.valid_to IS NULL
      WHERE o.line_id IS NULL OR ${differs}`,
  );
  await planByKey(false);
  await tx.raw(`INSERT INTO snapshot_changed ${retired}`);
  await analyzeSmall(tx, 'snapshot_changed');
  await planByKey(true);
  await tx.raw(
    `UPDATE report_line_states o SET valid_to = ?::date FROM snapshot_changed x
      WHERE o.line_id = x.line_id AND o.valid_to IS NULL`,
    [addDays(night, -1)],
  );
  await planByKey(false);
  // summed per contract in one pass (the closed states and the new ones summed apart, then summed again per
  // contract, took 0.45 s on day (b)), sorted and grouped: hashed, the numeric sums of 20,000 contracts took 4 times
  // as long (each group's sums hold memory of their own)
  await tx.raw('DROP TABLE IF EXISTS snapshot_sum_delta');
  await tx.raw('SET LOCAL enable_hashagg = off');
  await tx.raw(
    `CREATE TEMP TABLE snapshot_sum_delta ON COMMIT DROP AS
     SELECT contract_id, ${SUM_FIELDS.map((f) => `sum(${f})${f === 'lines' ? '::integer' : ''} AS ${f}`).join(', ')}
       FROM snapshot_changed GROUP BY contract_id`,
  );
  await tx.raw('RESET enable_hashagg');
  const inserted = await tx.raw(
    `INSERT INTO report_line_states (line_id, valid_from, ${LINE_FIELDS.join(', ')})
     SELECT n.line_id, ?::date, ${LINE_FIELDS.map((f) => `n.${f}`).join(', ')}
       FROM snapshot_lines n JOIN snapshot_changed x ON x.line_id = n.line_id AND x.written`,
    [night],
  );
  return inserted.rowCount ?? 0;
}

/** A temporary table analyzed from a small sample, so that the joins over it are planned on its size. */
async function analyzeSmall(tx: Tx, name: string): Promise<void> {
  await tx.raw('SET LOCAL default_statistics_target = 10');
  await tx.raw(`ANALYZE ${name}`);
  await tx.raw('RESET default_statistics_target');
}

/**
 * The select list of what a line's new state (alias `n`; null for a line retired tonight) less its closed one
 * (alias `o`, null or a row of NULLs for a line new tonight) adds to its contract's sums: SUM_FIELDS, where
 * penalty_settled is a line's closed penalty, rounded, while no run is in progress (migration 021).
 */
function lineChange(n: string | null, o: string): string {
  const settled = (t: string) => `CASE WHEN ${t}.run_from IS NULL THEN round(${t}.penalty_closed, 2) ELSE 0 END`;
  const change = (a: string | null, b: string) => `${a ?? '0'} - coalesce(${b}, 0)`;
  return [
    `${change(n && '1', `(${o}.line_id IS NOT NULL)::integer`)} AS lines`,
    ...SUMMED.map((f) => `${change(n && `${n}.${f}`, `${o}.${f}`)} AS ${f}`),
    `${change(n && settled(n), settled(o))} AS penalty_settled`,
  ].join(', ');
}

/**
 * The sums of the contracts whose line states were written or closed tonight: their current sums plus what the
 * night's states added and took away (snapshot_sum_delta), compared with the current sums. A contract's sums are a
 * function of its current line states alone (migration 021), so the change of one is the sum of the change of the
 * other; re-summing every current state of the touched contracts took 1.3 s on bench:batch's day (b).
 */
async function writeContractSums(tx: Tx, night: BusinessDate): Promise<void> {
  await tx.raw('DROP TABLE IF EXISTS snapshot_sum_rows');
  await tx.raw(
    `CREATE TEMP TABLE snapshot_sum_rows ON COMMIT DROP AS
     SELECT d.contract_id, coalesce(o.lines, 0) + d.lines > 0 AS has_lines,
            ${SUM_FIELDS.map((f) => `coalesce(o.${f}, 0) + d.${f} AS ${f}`).join(', ')}
       FROM snapshot_sum_delta d
       LEFT JOIN report_contract_sums o ON o.contract_id = d.contract_id AND o.valid_to IS NULL`,
  );
  const differs = `(${SUM_FIELDS.map((f) => `n.${f}`).join(', ')}) IS DISTINCT FROM (${SUM_FIELDS.map((f) => `o.${f}`).join(', ')})`;
  await tx.raw(
    `UPDATE report_contract_sums o SET valid_to = ?::date FROM snapshot_sum_rows n
      WHERE o.contract_id = n.contract_id AND o.valid_to IS NULL AND (NOT n.has_lines OR ${differs})`,
    [addDays(night, -1)],
  );
  await tx.raw(
    `INSERT INTO report_contract_sums (contract_id, valid_from, ${SUM_FIELDS.join(', ')})
     SELECT n.contract_id, ?::date, ${SUM_FIELDS.map((f) => `n.${f}`).join(', ')}
       FROM snapshot_sum_rows n
      WHERE n.has_lines AND NOT EXISTS (SELECT 1 FROM report_contract_sums o WHERE o.contract_id = n.contract_id AND o.valid_to IS NULL)`,
    [night],
  );
}

/** The candidate contracts' facts as of the night (collector, status, credit), compared; returns rows written. */
async function writeContractStates(tx: Tx, night: BusinessDate, everything: boolean): Promise<number> {
  const credit = creditSql(night, everything ? undefined : { sql: 'p.contract_id IN (SELECT id FROM snapshot_contracts)', bindings: [] });
  const rows: Knex.Raw = tx.raw(
    `SELECT c.id AS contract_id, c.collector_id,
        CASE WHEN c.status_date <= ?::date THEN c.status ELSE 'active' END AS status,
        coalesce(k.credit, 0)::numeric(18,2) AS credit,
        CASE WHEN c.status_date > ?::date THEN c.status_date END AS changes_on
       FROM snapshot_contracts sc JOIN contracts c ON c.id = sc.id
       LEFT JOIN (${credit.sql}) k ON k.contract_id = c.id
      WHERE ${EXISTS_ON}`,
    [night, night, ...credit.bindings, night],
  );
  await tx.raw('DROP TABLE IF EXISTS snapshot_contract_rows');
  await tx.raw('CREATE TEMP TABLE snapshot_contract_rows ON COMMIT DROP AS ?', [rows]);
  const differs = `(${CONTRACT_FIELDS.map((f) => `n.${f}`).join(', ')}) IS DISTINCT FROM (${CONTRACT_FIELDS.map((f) => `o.${f}`).join(', ')})`;
  await tx.raw('DROP TABLE IF EXISTS snapshot_contract_changed');
  await tx.raw(
    `CREATE TEMP TABLE snapshot_contract_changed ON COMMIT DROP AS
     SELECT n.contract_id FROM snapshot_contract_rows n
       LEFT JOIN report_contract_states o ON o.contract_id = n.contract_id AND o.valid_to IS NULL
      WHERE o.contract_id IS NULL OR ${differs}`,
  );
  await tx.raw(
    `UPDATE report_contract_states o SET valid_to = ?::date FROM snapshot_contract_changed x
      WHERE o.contract_id = x.contract_id AND o.valid_to IS NULL`,
    [addDays(night, -1)],
  );
  const inserted = await tx.raw(
    `INSERT INTO report_contract_states (contract_id, valid_from, ${CONTRACT_FIELDS.join(', ')})
     SELECT n.contract_id, ?::date, ${CONTRACT_FIELDS.map((f) => `n.${f}`).join(', ')}
       FROM snapshot_contract_rows n JOIN snapshot_contract_changed x ON x.contract_id = n.contract_id`,
    [night],
  );
  return inserted.rowCount ?? 0;
}
