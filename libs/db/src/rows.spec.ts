import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';
import { RUN_COLUMNS, RUN_STEP_COLUMNS, TENANT_COLUMNS } from './rows';

interface RuntimeField {
  name: string;
  kind: string;
  dbName?: string;
}

/** Prisma's own data model (generated from prisma/schema.prisma); building a client does not connect. */
function modelColumns(model: string): Record<string, string> {
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: 'postgresql://unused@127.0.0.1:1/none' }) });
  const dm = (client as unknown as { _runtimeDataModel: { models: Record<string, { fields: RuntimeField[] }> } })._runtimeDataModel;
  const fields = dm.models[model]!.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum');
  return Object.fromEntries(fields.map((f) => [f.name, f.dbName ?? f.name]));
}

describe('column maps for direct reads', () => {
  it.each([
    ['Tenant', TENANT_COLUMNS],
    ['Run', RUN_COLUMNS],
    ['RunStep', RUN_STEP_COLUMNS],
  ])('%s maps every field to the column Prisma uses', (model, columns) => {
    expect(columns).toEqual(modelColumns(model));
  });
});
