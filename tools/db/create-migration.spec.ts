import { withoutIndexRoundTrips } from './create-migration';

const create = 'CREATE INDEX "search_idx" ON "audit_events" USING GIN ("tenant_id" uuid_ops, "item_name" gin_trgm_ops);';
const roundTrip = `-- DropIndex\nDROP INDEX "search_idx";\n\n-- CreateIndex\n${create}\n`;
const addColumn = '-- AlterTable\nALTER TABLE "tenants" ADD COLUMN "x" TEXT;\n';

describe('withoutIndexRoundTrips (db:diff)', () => {
  it('removes a drop + identical re-create of an index an existing migration created', () => {
    expect(withoutIndexRoundTrips(roundTrip, `-- earlier\n${create}\n`)).toBe('');
  });

  it('keeps every other statement around it', () => {
    expect(withoutIndexRoundTrips(`${addColumn}\n${roundTrip}`, create)).toBe(addColumn);
  });

  it('keeps a real change of the index (the new definition was never run)', () => {
    const changed = roundTrip.replace('gin_trgm_ops', 'gin_trgm_ops, "actor" text_ops');
    expect(withoutIndexRoundTrips(changed, create)).toBe(changed);
  });

  it('keeps a drop without its re-create', () => {
    const dropOnly = '-- DropIndex\nDROP INDEX "search_idx";\n';
    expect(withoutIndexRoundTrips(dropOnly, create)).toBe(dropOnly);
  });
});
