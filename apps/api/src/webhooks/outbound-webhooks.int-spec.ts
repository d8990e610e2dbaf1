import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { addOutboxEvent, issueApiKey, PrismaService, SecretStore } from '@app/db';
import { RunLauncher, TenantOutcomes, WebhookDispatcher } from '@app/onboarding';
import { verifyWebhook } from '@app/security';
import { deleteQueueKeys, TestDatabase, testQueuePrefix } from '@app/testing';
import { startInProcessApi } from '../test-support/in-process-api';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** Outbox written with the state change, fanned out to subscriptions, signed, retried, logged, disabled at 24 h. */
describe('outbound webhooks (outbox → signed deliveries)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let dispatcher: WebhookDispatcher;
  let outcomes: TenantOutcomes;
  let launcher: RunLauncher;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let answer = 204;
  const prefix = testQueuePrefix();
  let admin: string;

  beforeAll(async () => {
    ({ app, db, prisma } = await startInProcessApi({ QUEUE_PREFIX: prefix }));
    dispatcher = new WebhookDispatcher(prisma, app.get(SecretStore, { strict: false }));
    outcomes = new TenantOutcomes(prisma);
    launcher = app.get(RunLauncher, { strict: false });
    admin = (await issueApiKey(prisma, { name: 'portal-admin', scopes: ['admin'] })).key;
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });

  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await app?.close();
    await deleteQueueKeys(loadConfig().redis.url, prefix);
    await db?.drop();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, payload, headers: { authorization: `Bearer ${admin}` } });

  async function subscribe(events?: string[]): Promise<{ id: string; secret: string }> {
    const res = await call('POST', '/v1/webhook-subscriptions', { url: receiverUrl, events });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string; secret: string }>();
  }

  async function finishedRun(status: 'succeeded' | 'failed', kind: 'onboard' | 'offboard' = 'onboard') {
    const tenant = await prisma.tenant.create({ data: { displayName: `T-${Math.random()}`, entraTenantId: crypto.randomUUID() } });
    const run = await launcher.create(tenant.id, { kind, requestedBy: 'test', correlationId: `corr-${tenant.id}` });
    await outcomes.runStarted(run);
    await outcomes.runFinished(run, status, status === 'failed' ? { code: 'VB365_UNREACHABLE', hint: 'check the server', step: 'verify-vb365' } : undefined);
    return { tenant, run };
  }

  it('writes run.succeeded to the outbox in the run-outcome transaction and delivers it signed', async () => {
    const sub = await subscribe();
    expect(sub.secret).toMatch(/^whsec_/);
    // The secret is stored encrypted, never in clear.
    const stored = await prisma.secret.findMany();
    expect(stored.some((s) => Buffer.from(s.ciphertext).toString('latin1').includes(sub.secret))).toBe(false);

    const { tenant, run } = await finishedRun('succeeded');
    const events = await prisma.outboxEvent.findMany({ where: { runId: run.id } });
    expect(events.map((e) => e.type)).toEqual(['run.succeeded']);

    received.length = 0;
    const result = await dispatcher.tick();
    expect(result).toMatchObject({ fannedOut: 1, attempted: 1, succeeded: 1 });
    expect(received).toHaveLength(1);
    const msg = received[0]!;
    const headers = {
      'webhook-id': String(msg.headers['webhook-id']),
      'webhook-timestamp': String(msg.headers['webhook-timestamp']),
      'webhook-signature': String(msg.headers['webhook-signature']),
    };
    expect(verifyWebhook([sub.secret], headers, msg.body, Math.floor(Date.now() / 1000))).toEqual({ ok: true });
    expect(headers['webhook-id']).toBe(events[0]!.id);
    const body = JSON.parse(msg.body);
    expect(body).toMatchObject({
      type: 'run.succeeded',
      data: { tenantId: tenant.id, runId: run.id, correlationId: run.correlationId, run: { kind: 'onboard', status: 'succeeded' }, tenant: { displayName: tenant.displayName } },
    });

    // Nothing left to do: a second tick delivers nothing again.
    expect(await dispatcher.tick()).toEqual({ fannedOut: 0, attempted: 0, succeeded: 0 });
    expect(received).toHaveLength(1);

    const log = await call('GET', `/v1/webhook-subscriptions/${sub.id}/deliveries`);
    expect(log.statusCode).toBe(200);
    expect(log.json()).toEqual([expect.objectContaining({ eventType: 'run.succeeded', status: 'succeeded', attempts: 1, log: [expect.objectContaining({ statusCode: 204 })] })]);
    expect(log.body).not.toContain(sub.secret);
    await call('DELETE', `/v1/webhook-subscriptions/${sub.id}`);
  });

  it('announces failures and offboarding with error code and hint, filtered per subscription', async () => {
    const onlyOffboarded = await subscribe(['tenant.offboarded']);
    const onlyFailed = await subscribe(['run.failed']);
    const { run } = await finishedRun('failed');
    const off = await finishedRun('succeeded', 'offboard');
    expect((await prisma.outboxEvent.findMany({ where: { runId: off.run.id } })).map((e) => e.type).sort()).toEqual(['run.succeeded', 'tenant.offboarded']);
    received.length = 0;
    await dispatcher.tick();
    const types = received.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
    expect(types.map((t) => t.type).sort()).toEqual(['run.failed', 'tenant.offboarded']);
    expect(types.find((t) => t.type === 'run.failed')!.data).toMatchObject({ runId: run.id, run: { errorCode: 'VB365_UNREACHABLE', errorHint: 'check the server', failedStep: 'verify-vb365' } });
    for (const s of [onlyOffboarded, onlyFailed]) await call('DELETE', `/v1/webhook-subscriptions/${s.id}`);
  });

  it('writes nothing to the outbox when the transaction rolls back', async () => {
    const before = await prisma.outboxEvent.count();
    const tenant = await prisma.tenant.create({ data: { displayName: 'rollback' } });
    await expect(
      prisma.$transaction(async (tx) => {
        await addOutboxEvent(tx, { type: 'tenant.drift_detected', tenantId: tenant.id, data: { roles: 1 } });
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    expect(await prisma.outboxEvent.count()).toBe(before);
  });

  it('retries with exponential backoff while the receiver fails, then succeeds with the same webhook-id', async () => {
    const sub = await subscribe(['run.succeeded']);
    await finishedRun('succeeded');
    received.length = 0;
    answer = 503;
    const t0 = new Date();
    expect(await dispatcher.tick(t0)).toMatchObject({ attempted: 1, succeeded: 0 });
    let [d] = await prisma.webhookDelivery.findMany({ where: { subscriptionId: sub.id } });
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 503 });
    const firstDelay = d!.nextAttemptAt.getTime() - t0.getTime();
    expect(firstDelay).toBeGreaterThanOrEqual(24_000);
    expect(firstDelay).toBeLessThanOrEqual(36_000);
    // Not due yet: nothing is attempted.
    expect((await dispatcher.tick(new Date(t0.getTime() + 1000))).attempted).toBe(0);
    const t1 = new Date(d!.nextAttemptAt.getTime() + 1);
    await dispatcher.tick(t1);
    [d] = await prisma.webhookDelivery.findMany({ where: { subscriptionId: sub.id } });
    expect(d!.attempts).toBe(2);
    expect(d!.nextAttemptAt.getTime() - t1.getTime()).toBeGreaterThanOrEqual(48_000);
    answer = 200;
    await dispatcher.tick(new Date(d!.nextAttemptAt.getTime() + 1));
    [d] = await prisma.webhookDelivery.findMany({ where: { subscriptionId: sub.id } });
    expect(d).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect((await prisma.webhookSubscription.findUniqueOrThrow({ where: { id: sub.id } })).failingSince).toBeNull();
    await call('DELETE', `/v1/webhook-subscriptions/${sub.id}`);
  });

  it('gives up after 24 hours, disables a subscription failing for 24 hours and reports it', async () => {
    const sub = await subscribe(['run.failed']);
    await finishedRun('failed');
    answer = 500;
    const t0 = new Date();
    await dispatcher.tick(t0);
    // Jump past 24 hours: the next attempt fails, the delivery is given up and the subscription disabled.
    const late = new Date(t0.getTime() + 24 * 3600_000 + 60_000);
    await dispatcher.tick(late);
    const [d] = await prisma.webhookDelivery.findMany({ where: { subscriptionId: sub.id } });
    expect(d).toMatchObject({ status: 'failed', attempts: 2 });
    const got = (await call('GET', `/v1/webhook-subscriptions/${sub.id}`)).json<{ enabled: boolean; disabledReason: string }>();
    expect(got.enabled).toBe(false);
    expect(got.disabledReason).toMatch(/24 hours/);
    expect(await prisma.activityLog.count({ where: { action: 'webhook_subscription.disabled' } })).toBe(1);
    // A disabled subscription gets no new deliveries; re-enabling clears the failure state.
    await finishedRun('failed');
    await dispatcher.tick(late);
    expect(await prisma.webhookDelivery.count({ where: { subscriptionId: sub.id } })).toBe(1);
    const re = await call('PATCH', `/v1/webhook-subscriptions/${sub.id}`, { enabled: true });
    expect(re.json()).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    answer = 204;
  });

  it('validates subscription input strictly', async () => {
    for (const payload of [{}, { url: 'ftp://x.example' }, { url: receiverUrl, events: ['run.exploded'] }, { url: receiverUrl, extra: 1 }]) {
      const res = await call('POST', '/v1/webhook-subscriptions', payload);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });
});
