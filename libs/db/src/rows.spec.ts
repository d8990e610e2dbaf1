import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';
import { RUN_COLUMNS, RUN_STEP_COLUMNS, RUN_STEP_DATES, TENANT_COLUMNS } from './rows';

interface RuntimeField {
  name: string;
  kind: string;
  type: string;
  dbName?: string;
}

/** A model's scalar and enum fields in Prisma's own data model (from prisma/schema.prisma); building a client does not connect. */
function modelFields(model: string): RuntimeField[] {
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: 'postgresql://unused@127.0.0.1:1/none' }) });
  const dm = (client as unknown as { _runtimeDataModel: { models: Record<string, { fields: RuntimeField[] }> } })._runtimeDataModel;
  return dm.models[model]!.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum');
}

function modelColumns(model: string): Record<string, string> {
  return Object.fromEntries(modelFields(model).map((f) => [f.name, f.dbName ?? f.name]));
}

describe('column maps for direct reads', () => {
  it.each([
    ['Tenant', TENANT_COLUMNS],
    ['Run', RUN_COLUMNS],
    ['RunStep', RUN_STEP_COLUMNS],
  ])('%s maps every field to the column Prisma uses', (model, columns) => {
    expect(columns).toEqual(modelColumns(model));
  });

  it("lists every DateTime field of RunStep (they come back as strings inside the steps' JSON)", () => {
    expect([...RUN_STEP_DATES].sort()).toEqual(modelFields('RunStep').filter((f) => f.type === 'DateTime').map((f) => f.name).sort());
  });
});
