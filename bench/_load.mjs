import { PGlite } from '@electric-sql/pglite';
const N = 1500;
const LOAD = [
  `INSERT INTO dealers (code, name, kind, parent_id) SELECT 'L' || g, 'load ' || g, 'dealer', (SELECT id FROM dealers WHERE kind = 'group') FROM generate_series(1, 4) g`,
  `INSERT INTO customers (dealer_id, name) SELECT id, 'customer ' || code FROM dealers WHERE kind = 'dealer'`,
  `INSERT INTO contracts (dealer_id, contract_no, customer_id, method) SELECT cu.dealer_id, 'LC-' || g, cu.id, 'custom' FROM generate_series(1, ${N}) g JOIN customers cu ON cu.dealer_id = (SELECT min(id) FROM dealers WHERE kind = 'dealer') + g % 4`,
  `INSERT INTO schedule_versions (contract_id, version, effective_from, source) SELECT id, 1, '2025-06-01', 'custom' FROM contracts`,
  `INSERT INTO schedule_lines (contract_id, version, seq, receivable_type, due_date, amount_due) SELECT c.id, 1, s, 'principal', (date '2025-06-01' + (c.id % 28)::int + make_interval(months => s - 1))::date, 5000.00 FROM contracts c CROSS JOIN generate_series(1, 12) s`,
  `INSERT INTO postings (contract_id, dealer_id, schedule_line_id, kind, receivable_type, amount, value_date) SELECT l.contract_id, c.dealer_id, l.id, 'allocation', 'principal', l.amount_due, l.due_date FROM schedule_lines l JOIN contracts c ON c.id = l.contract_id WHERE l.due_date <= '2026-03-31' AND l.id % 5 < 3`,
];
const pg = new PGlite({ dataDir: '/tmp/e2ek/.zq/pgdata' });
for (const s of LOAD) await pg.query(s);
await pg.close();
