// Collections (催收, issue 21 points 1–4): who held each contract when (collector_assignments, backfilled with one
// open row per contract that has a collector), the contact log with promises to pay (collection_contacts), the
// admin's suggested-action rules (collection_rules) and the flags the nightly batch raises from them
// (collection_flags). contracts.collector_id stays the current holder; the collections module changes it through
// one function that writes the history. A trigger keeps the history whole when anything else sets the collector
// (contract create, a ledger import): it opens a row with source 'contract' unless the open row already names
// the new collector.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE collector_assignments (
    id bigserial PRIMARY KEY,
    contract_id bigint NOT NULL REFERENCES contracts (id),
    collector_id bigint NOT NULL REFERENCES users (id),
    from_date date NOT NULL,
    -- exclusive: the holder held the contract on from_date … to_date − 1; NULL while current
    to_date date,
    reason text,
    source text NOT NULL CHECK (source IN ('rules', 'manual', 'backfill', 'contract')),
    rule_no integer,
    actor_id bigint REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (to_date IS NULL OR to_date >= from_date)
  )`,
  `CREATE UNIQUE INDEX collector_assignments_open ON collector_assignments (contract_id) WHERE to_date IS NULL`,
  `CREATE INDEX collector_assignments_contract ON collector_assignments (contract_id, from_date)`,
  `CREATE INDEX collector_assignments_collector ON collector_assignments (collector_id)`,
  `INSERT INTO collector_assignments (contract_id, collector_id, from_date, reason, source)
   SELECT c.id, c.collector_id,
          coalesce(least(c.sign_date, c.cutover_date), DATE '1900-01-01'),
          'backfill', 'backfill'
     FROM contracts c WHERE c.collector_id IS NOT NULL`,
  `CREATE FUNCTION zq_collector_history() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     d date;
   BEGIN
     IF NEW.collector_id IS NOT NULL AND EXISTS (SELECT 1 FROM collector_assignments a
          WHERE a.contract_id = NEW.id AND a.to_date IS NULL AND a.collector_id = NEW.collector_id) THEN
       RETURN NULL;
     END IF;
     IF TG_OP = 'INSERT' THEN
       d := coalesce(least(NEW.sign_date, NEW.cutover_date), DATE '1900-01-01');
     ELSE
       d := (now() AT TIME ZONE 'Asia/Shanghai')::date;
     END IF;
     UPDATE collector_assignments SET to_date = greatest(from_date, d) WHERE contract_id = NEW.id AND to_date IS NULL;
     IF NEW.collector_id IS NOT NULL THEN
       INSERT INTO collector_assignments (contract_id, collector_id, from_date, reason, source)
       VALUES (NEW.id, NEW.collector_id, d, CASE WHEN TG_OP = 'INSERT' THEN 'contract' ELSE 'changed outside collections' END, 'contract');
     END IF;
     RETURN NULL;
   END
   $$`,
  `CREATE TRIGGER contracts_collector_history_insert AFTER INSERT ON contracts FOR EACH ROW
     WHEN (NEW.collector_id IS NOT NULL) EXECUTE FUNCTION zq_collector_history()`,
  `CREATE TRIGGER contracts_collector_history_update AFTER UPDATE OF collector_id ON contracts FOR EACH ROW
     WHEN (OLD.collector_id IS DISTINCT FROM NEW.collector_id) EXECUTE FUNCTION zq_collector_history()`,
  `CREATE TABLE collection_contacts (
    id bigserial PRIMARY KEY,
    contract_id bigint NOT NULL REFERENCES contracts (id),
    dealer_id bigint NOT NULL REFERENCES dealers (id),
    author_id bigint NOT NULL REFERENCES users (id),
    contacted_at timestamptz NOT NULL,
    -- the business date of contacted_at (Asia/Shanghai)
    contact_date date NOT NULL,
    kind text NOT NULL CHECK (kind IN ('call', 'visit', 'sms', 'letter')),
    result text NOT NULL CHECK (result IN ('promised', 'paid', 'refused', 'unreachable', 'disputed')),
    promise_amount numeric(18,2) CHECK (promise_amount > 0),
    promise_date date,
    promise_status text CHECK (promise_status IN ('open', 'kept', 'broken')),
    -- the batch date that decided kept or broken, and the money it counted
    decided_on date,
    received numeric(18,2),
    note text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((result = 'promised') = (promise_amount IS NOT NULL)),
    CHECK ((result = 'promised') = (promise_date IS NOT NULL)),
    CHECK ((result = 'promised') = (promise_status IS NOT NULL)),
    CHECK (promise_date IS NULL OR promise_date >= contact_date),
    CHECK ((promise_status IN ('kept', 'broken')) = (decided_on IS NOT NULL))
  )`,
  `CREATE INDEX collection_contacts_contract ON collection_contacts (contract_id, contacted_at)`,
  `CREATE INDEX collection_contacts_open_promise ON collection_contacts (promise_date) WHERE promise_status = 'open'`,
  `CREATE INDEX collection_contacts_decided ON collection_contacts (decided_on) WHERE decided_on IS NOT NULL`,
  `CREATE TABLE collection_rules (
    id bigserial PRIMARY KEY,
    action text NOT NULL CHECK (action IN ('lock', 'repossession')),
    overdue_days integer CHECK (overdue_days > 0),
    consecutive_unpaid integer CHECK (consecutive_unpaid > 0),
    dealer_id bigint REFERENCES dealers (id),
    created_by bigint NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    removed_by bigint REFERENCES users (id),
    removed_at timestamptz,
    CHECK ((overdue_days IS NULL) <> (consecutive_unpaid IS NULL)),
    CHECK ((removed_by IS NULL) = (removed_at IS NULL))
  )`,
  `CREATE TABLE collection_flags (
    id bigserial PRIMARY KEY,
    contract_id bigint NOT NULL REFERENCES contracts (id),
    rule_id bigint NOT NULL REFERENCES collection_rules (id),
    action text NOT NULL CHECK (action IN ('lock', 'repossession')),
    flagged_on date NOT NULL,
    cleared_on date,
    CHECK (cleared_on IS NULL OR cleared_on >= flagged_on)
  )`,
  `CREATE UNIQUE INDEX collection_flags_open ON collection_flags (contract_id, rule_id) WHERE cleared_on IS NULL`,
  `CREATE INDEX collection_flags_flagged ON collection_flags (flagged_on)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS contracts_collector_history_insert ON contracts');
  await knex.raw('DROP TRIGGER IF EXISTS contracts_collector_history_update ON contracts');
  await knex.raw('DROP FUNCTION IF EXISTS zq_collector_history()');
  for (const table of ['collection_flags', 'collection_rules', 'collection_contacts', 'collector_assignments']) {
    await knex.raw(`DROP TABLE IF EXISTS ${table}`);
  }
}
