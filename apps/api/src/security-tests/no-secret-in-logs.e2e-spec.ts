import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { generateWebhookSecret, signWebhook, verifyWebhook } from '@app/security';
import { OnboardingStack, registerSeededSecret, startOnboardingStack } from '@app/testing';

/**
 * The api and worker as separate processes, driven like the MSP portal: an inbound PSA webhook registers a
 * preconsented tenant, the worker onboards it against the simulators, and the outbound run.succeeded webhook
 * reaches a receiver, signed. Then every log line both processes wrote, every job payload left in Redis and the
 * activity log are searched for every seeded secret value: none may appear.
 */
describe('webhooks end to end, and no secret in any log line', () => {
  let stack: OnboardingStack;
  let receiver: Server;
  let receiverUrl: string;
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const inboundSecret = generateWebhookSecret();
  const consentStateSecret = randomBytes(32).toString('base64');
  const masterKey = randomBytes(32).toString('base64');
  let subscriptionSecret = '';

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/portal-hooks`;
    stack = await startOnboardingStack({
      tenants: 1,
      seed: 'e2e-trust',
      preconsented: [0],
      appEnv: {
        LOG_LEVEL: 'debug',
        INBOUND_WEBHOOK_SECRETS: `psa:${inboundSecret}`,
        CONSENT_STATE_SECRET: consentStateSecret,
        SECRET_ENCRYPTION_KEY: masterKey,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  it('registers a tenant from a PSA webhook, onboards it and announces run.succeeded, signed', async () => {
    const sub = await stack.call<{ id: string; secret: string }>('POST', '/v1/webhook-subscriptions', { url: receiverUrl, events: ['run.succeeded'] });
    expect(sub.status).toBe(201);
    subscriptionSecret = sub.body.secret;
    // Also searched for in every output of the whole `npm test` run (tools/secrets-scan-test-logs.ts).
    registerSeededSecret('webhook subscription secret', subscriptionSecret);
    registerSeededSecret('webhook subscription secret (key part)', subscriptionSecret.slice('whsec_'.length));

    const t = stack.scenario.tenants[0]!;
    const body = JSON.stringify({ type: 'tenant.created', data: { entraTenantId: t.entraTenantId, displayName: t.displayName, consentMode: 'preconsented' } });
    const headers = signWebhook(inboundSecret, `psa_${randomUUID()}`, Math.floor(Date.now() / 1000), body);
    const res = await fetch(`${stack.api.info.url}/v1/webhooks/psa`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    expect(res.status).toBe(202);
    // A forged delivery is refused (and must not leak anything either).
    const forged = await fetch(`${stack.api.info.url}/v1/webhooks/psa`, {
      method: 'POST',
      headers: { ...signWebhook(generateWebhookSecret(), 'forged', Math.floor(Date.now() / 1000), body), 'content-type': 'application/json' },
      body,
    });
    expect(forged.status).toBe(401);

    const deadline = Date.now() + 90_000;
    while (!received.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(received).toHaveLength(1);
    const msg = received[0]!;
    const h = {
      'webhook-id': String(msg.headers['webhook-id']),
      'webhook-timestamp': String(msg.headers['webhook-timestamp']),
      'webhook-signature': String(msg.headers['webhook-signature']),
    };
    expect(verifyWebhook([subscriptionSecret], h, msg.body, Math.floor(Date.now() / 1000))).toEqual({ ok: true });
    const event = JSON.parse(msg.body) as { type: string; data: { tenant: { displayName: string }; run: { kind: string; status: string } } };
    expect(event).toMatchObject({ type: 'run.succeeded', data: { tenant: { displayName: t.displayName }, run: { kind: 'onboard', status: 'succeeded' } } });
    const tenant = await stack.prisma.tenant.findUniqueOrThrow({ where: { entraTenantId: t.entraTenantId } });
    expect(tenant.status).toBe('active');
    const link = await stack.call('GET', `/v1/tenants/${tenant.id}/consent-link`);
    expect(link.status).toBeLessThan(500);
    const deliveries = await stack.call<{ status: string; attempts: number }[]>('GET', `/v1/webhook-subscriptions/${sub.body.id}/deliveries`);
    expect(deliveries.body).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 1 })]);
  }, 120_000);

  it('wrote no seeded secret to any log line, job payload or activity-log row', async () => {
    const pem = readFileSync(stack.scenario.orchestratorCertPath, 'utf8');
    const keyBody = pem.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END/)![1]!.replace(/\s+/g, '');
    const secrets: Record<string, string> = {
      'VB365 password': stack.env['VB365_PASSWORD']!,
      'inbound webhook secret': inboundSecret,
      'inbound webhook secret (key part)': inboundSecret.slice('whsec_'.length),
      'subscription secret': subscriptionSecret,
      'subscription secret (key part)': subscriptionSecret.slice('whsec_'.length),
      'consent state secret': consentStateSecret,
      'master key': masterKey,
      'API key': stack.apiKey,
      'API key secret part': stack.apiKey.split('_').slice(2).join('_'),
      'orchestrator private key (first 64 chars)': keyBody.slice(0, 64),
    };
    expect(subscriptionSecret).toMatch(/^whsec_/);
    const logs = stack.api.output() + stack.worker.output();
    expect(logs.split('\n').length).toBeGreaterThan(50);
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    let jobs = '';
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${stack.env['QUEUE_PREFIX']}:*`, 'COUNT', 1000);
        cursor = next;
        for (const k of keys) if ((await redis.type(k)) === 'hash') jobs += JSON.stringify(await redis.hgetall(k));
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    expect(jobs).toContain('inboundEventId');
    const activity = JSON.stringify(await stack.prisma.activityLog.findMany(), (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    for (const [name, value] of Object.entries(secrets)) {
      expect([name, 'logs', logs.includes(value)]).toEqual([name, 'logs', false]);
      expect([name, 'jobs', jobs.includes(value)]).toEqual([name, 'jobs', false]);
      expect([name, 'activity', activity.includes(value)]).toEqual([name, 'activity', false]);
    }
  });
});
