import { createHmac } from 'node:crypto';
import { generateWebhookSecret, signWebhook, verifyWebhook } from './webhook-signature';

describe('Standard Webhooks signatures', () => {
  const secret = generateWebhookSecret();
  const body = '{"type":"tenant.created"}';
  const now = 1_800_000_000;

  it('matches the Standard Webhooks construction (HMAC-SHA256 over id.timestamp.body with the whsec_ key bytes)', () => {
    const h = signWebhook(secret, 'msg_1', now, body);
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`msg_1.${now}.${body}`).digest('base64');
    expect(h['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('verifies with either of two active secrets and refuses others', () => {
    const other = generateWebhookSecret();
    const h = signWebhook(secret, 'msg_1', now, body);
    expect(verifyWebhook([other, secret], h, body, now)).toEqual({ ok: true });
    expect(verifyWebhook([other], h, body, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('accepts a header listing several signatures when one matches', () => {
    const h = signWebhook(secret, 'msg_1', now, body);
    const multi = { ...h, 'webhook-signature': `v1,AAAA ${h['webhook-signature']}` };
    expect(verifyWebhook([secret], multi, body, now).ok).toBe(true);
  });

  it('refuses a changed body, id or timestamp', () => {
    const h = signWebhook(secret, 'msg_1', now, body);
    expect(verifyWebhook([secret], h, body + ' ', now).ok).toBe(false);
    expect(verifyWebhook([secret], { ...h, 'webhook-id': 'msg_2' }, body, now).ok).toBe(false);
    expect(verifyWebhook([secret], { ...h, 'webhook-timestamp': String(now + 1) }, body, now).ok).toBe(false);
  });

  it('refuses timestamps outside the 5 minute tolerance and malformed headers', () => {
    const h = signWebhook(secret, 'msg_1', now, body);
    expect(verifyWebhook([secret], h, body, now + 301)).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhook([secret], h, body, now - 301)).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhook([secret], h, body, now + 300).ok).toBe(true);
    expect(verifyWebhook([secret], { ...h, 'webhook-timestamp': '1e9' }, body, now)).toEqual({ ok: false, reason: 'bad_timestamp' });
    expect(verifyWebhook([secret], { 'webhook-id': 'x' }, body, now)).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verifyWebhook([secret], { ...h, 'webhook-signature': 'v2,abc' }, body, now).ok).toBe(false);
  });
});
