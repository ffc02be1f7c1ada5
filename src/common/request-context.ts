import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';

/**
 * The request being served, for whatever runs for it without every service passing it along: its id (every log line
 * written meanwhile names it), the client's address (the audit log's "from where"), what the page kit keeps for it.
 * One store for all of them: each AsyncLocalStorage in use costs every promise the process makes.
 */
export interface RequestContext {
  readonly requestId: string;
  /** As the request arrived (taken then: once the connection has closed, its socket no longer knows it). */
  readonly clientIp: string | null;
  readonly req: Request;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

/** The id of the request being served, if any (none in workers and at start). */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

/**
 * The client address of the request being served, or null outside a request (CLI, background work). Behind a proxy
 * that TRUST_PROXY names, the real client's (`trust proxy` is set in bootstrap.ts).
 */
export function currentClientIp(): string | null {
  return requestContext.getStore()?.clientIp ?? null;
}

/**
 * Runs `fn` outside any request: for a worker's timer that a request may set (a wake-up after a filing), so that its
 * rounds do not carry that request's id, address and objects for as long as they go on.
 */
export function outsideRequest<T>(fn: () => T): T {
  return requestContext.exit(fn);
}

/** The request being served, if any. */
export function currentRequest(): Request | undefined {
  return requestContext.getStore()?.req;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The code a 500 names (`correlationId`, a UUID in the contract): the request id when that is a UUID (ours always are;
 * a proxy's may be), else a fresh one. The log line of the failure carries both.
 */
export function correlationIdOfFailure(): string {
  const id = currentRequestId();
  return id && UUID.test(id) ? id.toLowerCase() : randomUUID();
}
