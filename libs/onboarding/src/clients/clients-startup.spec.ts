import { parseConfig } from '@app/config';
import { classifyStepError } from '../runs/step-error';
import { OutsideClients } from './clients.module';
import { OutsideCredentials } from './outside-credentials.service';

/**
 * A worker's BullMQ processors can take jobs before OutsideClients.onModuleInit has loaded the credentials (found by
 * `npm run chaos`: the first runs of a replacement worker failed for good with UNAVAILABLE). Until the load is done a
 * missing credential is TRANSIENT; afterwards it is the permanent UNAVAILABLE with its hint.
 */
describe('OutsideClients before and after the credentials are loaded', () => {
  const config = parseConfig({
    DATABASE_URL: 'postgresql://x@127.0.0.1/x',
    VB365_BASE_URL: 'https://vb365.example:4443',
    ORCHESTRATOR_APP_ID: '11111111-2222-4333-8444-555555555555',
  });
  const credentials = (): OutsideCredentials =>
    ({
      vb365: () => undefined,
      orchestrator: () => undefined,
      importFromEnvironment: async () => [],
      refresh: async () => undefined,
    }) as unknown as OutsideCredentials;
  const thrown = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      return e;
    }
    throw new Error('expected a throw');
  };

  it('is transient while the first load has not finished', () => {
    const clients = new OutsideClients(config, credentials());
    expect(classifyStepError(thrown(() => clients.vb365Client()))).toMatchObject({ kind: 'transient', code: 'VB365_TRANSIENT' });
    expect(classifyStepError(thrown(() => clients.entraClient()))).toMatchObject({ kind: 'transient', code: 'ENTRA_TRANSIENT' });
  });

  it('is the permanent UNAVAILABLE once loaded without them', async () => {
    const clients = new OutsideClients(config, credentials());
    await clients.onModuleInit();
    expect(classifyStepError(thrown(() => clients.vb365Client()))).toMatchObject({ kind: 'permanent', code: 'UNAVAILABLE' });
    expect(classifyStepError(thrown(() => clients.entraClient()))).toMatchObject({ kind: 'permanent', code: 'UNAVAILABLE' });
  });
});
