import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line written while serving a request carries: that request's id. */
export interface RequestContext {
  readonly requestId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

/** The id of the request being served, if any (none in workers and at start). */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
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
