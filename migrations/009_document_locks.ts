// Finance review (财务审核) in the database itself, so that no code path can bypass it: a locked document
// accepts no UPDATE except its unlocking (locked → false, nothing else changed) and no DELETE; no document
// may reverse a locked one; no posting may reverse a posting of a locked document. SQLSTATE ZQ001 (the CLI
// shows the message with exit 2).
import type { Knex } from 'knex';

const statements = [
  `CREATE FUNCTION zq_documents_lock_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' THEN
       IF OLD.locked THEN
         RAISE EXCEPTION 'document % (% %) is locked by finance review: it cannot be deleted', OLD.id, OLD.type, OLD.number
           USING ERRCODE = 'ZQ001';
       END IF;
       RETURN OLD;
     END IF;
     IF NEW.reverses_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.reverses_id IS DISTINCT FROM OLD.reverses_id) THEN
       IF EXISTS (SELECT 1 FROM documents d WHERE d.id = NEW.reverses_id AND d.locked) THEN
         RAISE EXCEPTION 'document % is locked by finance review: it cannot be reversed until finance unlocks it', NEW.reverses_id
           USING ERRCODE = 'ZQ001';
       END IF;
     END IF;
     IF TG_OP = 'UPDATE' AND OLD.locked THEN
       IF NEW.locked OR ROW(NEW.type, NEW.number, NEW.status, NEW.dealer_id, NEW.contract_id, NEW.author_id, NEW.value_date,
                            NEW.amount, NEW.data, NEW.reverses_id)
           IS DISTINCT FROM ROW(OLD.type, OLD.number, OLD.status, OLD.dealer_id, OLD.contract_id, OLD.author_id, OLD.value_date,
                                OLD.amount, OLD.data, OLD.reverses_id) THEN
         RAISE EXCEPTION 'document % (% %) is locked by finance review: it cannot be changed until finance unlocks it', OLD.id, OLD.type, OLD.number
           USING ERRCODE = 'ZQ001';
       END IF;
     END IF;
     RETURN NEW;
   END
   $$`,
  `CREATE TRIGGER documents_lock_guard BEFORE INSERT OR UPDATE OR DELETE ON documents
     FOR EACH ROW EXECUTE FUNCTION zq_documents_lock_guard()`,
  `CREATE FUNCTION zq_postings_lock_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     doc record;
   BEGIN
     IF NEW.reverses_id IS NOT NULL THEN
       SELECT d.id, d.type, d.number INTO doc
         FROM postings p JOIN documents d ON d.id = p.document_id
        WHERE p.id = NEW.reverses_id AND d.locked;
       IF FOUND THEN
         RAISE EXCEPTION 'posting % belongs to document % (% %), locked by finance review: it cannot be reversed', NEW.reverses_id, doc.id, doc.type, doc.number
           USING ERRCODE = 'ZQ001';
       END IF;
     END IF;
     RETURN NEW;
   END
   $$`,
  `CREATE TRIGGER postings_lock_guard BEFORE INSERT ON postings
     FOR EACH ROW EXECUTE FUNCTION zq_postings_lock_guard()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS postings_lock_guard ON postings');
  await knex.raw('DROP FUNCTION IF EXISTS zq_postings_lock_guard()');
  await knex.raw('DROP TRIGGER IF EXISTS documents_lock_guard ON documents');
  await knex.raw('DROP FUNCTION IF EXISTS zq_documents_lock_guard()');
}
