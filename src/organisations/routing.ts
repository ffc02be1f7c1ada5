import { ReportKind } from '../kernel/report-codes';

/** What routing needs to know of the municipality where the pupil lives. */
export interface ResidenceMunicipality {
  id: string;
  rmcRegionId: string | null;
  /** The municipality's alternative routing: kind -> receiving organisation. */
  rules: Partial<Record<ReportKind, string>>;
}

export type RouteReason = 'WOONGEMEENTE' | 'RMC_REGIO' | 'ALTERNATIEVE_ROUTERING' | 'DELEGATIE';

export interface Route {
  receiverId: string;
  /** The steps taken, for the history and the response. */
  reasons: RouteReason[];
}

export class NoRouteError extends Error {}

/**
 * DOMAIN.md's routing. Under 18 at the begin date: the municipality where the pupil lives; 18 up to 23: that
 * municipality's RMC region. A municipality's alternative routing for the kind overrides that. Then, when the
 * receiver handed its leerplicht tasks to a regional office, the office receives it.
 */
export function routeReport(
  kind: ReportKind,
  ageAtBegin: number,
  residence: ResidenceMunicipality,
  delegateOf: (organisationId: string) => string | null,
): Route {
  const reasons: RouteReason[] = [];
  let receiverId: string;
  if (ageAtBegin >= 18) {
    if (!residence.rmcRegionId) throw new NoRouteError('De woongemeente hoort bij geen RMC-regio.');
    receiverId = residence.rmcRegionId;
    reasons.push('RMC_REGIO');
  } else {
    receiverId = residence.id;
    reasons.push('WOONGEMEENTE');
  }
  const rule = residence.rules[kind];
  if (rule) {
    receiverId = rule;
    reasons.push('ALTERNATIEVE_ROUTERING');
  }
  const delegate = delegateOf(receiverId);
  if (delegate) {
    receiverId = delegate;
    reasons.push('DELEGATIE');
  }
  return { receiverId, reasons };
}
