import type { Request } from 'express';
import { currentClientIp, currentRequestId, outsideRequest, requestContext } from './request-context';

describe('the request context', () => {
  const req = {} as Request;
  const context = { requestId: 'req-12345678', clientIp: '203.0.113.7', req };

  it("gives the request's id and client address to what runs for it, later ticks included, and nothing outside", async () => {
    const seen = await requestContext.run(context, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return [currentRequestId(), currentClientIp()];
    });
    expect(seen).toEqual(['req-12345678', '203.0.113.7']);
    expect([currentRequestId(), currentClientIp()]).toEqual([undefined, null]);
  });

  it('lets a timer that a request sets (a worker woken by a filing) run without that request', async () => {
    const inTimer = await requestContext.run(context, () => ({
      inside: new Promise((r) => setTimeout(() => r(currentRequestId()), 1)),
      outside: outsideRequest(() => new Promise((r) => setTimeout(() => r([currentRequestId(), currentClientIp()]), 1))),
    }));
    expect(await inTimer.inside).toBe('req-12345678');
    expect(await inTimer.outside).toEqual([undefined, null]);
  });
});
