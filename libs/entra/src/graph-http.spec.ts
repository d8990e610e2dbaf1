import { BufferedResponse } from './graph-http';

describe('BufferedResponse', () => {
  it('serves what the Graph client reads of a response from the buffered body', async () => {
    const body = Buffer.from(JSON.stringify({ value: [{ id: 'a' }] }));
    const r = new BufferedResponse(200, new Headers({ 'content-type': 'application/json', 'retry-after': '3' }), body, 'https://graph.test/v1.0/x');
    expect([r.ok, r.status, r.headers.get('Content-Type'), r.headers.get('Retry-After')]).toEqual([true, 200, 'application/json', '3']);
    await expect(r.json()).resolves.toEqual({ value: [{ id: 'a' }] });
    await expect(r.text()).resolves.toBe(body.toString());
    expect(Buffer.from(await r.arrayBuffer()).equals(body)).toBe(true);
    expect(Buffer.from(await (await r.blob()).arrayBuffer()).equals(body)).toBe(true);
    expect(Buffer.from(await new Response(r.body).arrayBuffer()).equals(body)).toBe(true);
    await expect(r.clone().json()).resolves.toEqual({ value: [{ id: 'a' }] });
  });

  it('has no body for 204 and is not ok for an error status', async () => {
    const none = new BufferedResponse(204, new Headers(), null, 'https://graph.test/v1.0/x');
    expect([none.ok, none.body]).toEqual([true, null]);
    await expect(none.text()).resolves.toBe('');
    expect(new BufferedResponse(429, new Headers(), Buffer.from('{}'), 'u').ok).toBe(false);
  });
});
