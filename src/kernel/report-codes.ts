/**
 * The code lists of the verzuimmelding (DOMAIN.md), with their Dutch labels. The codes are the API's contract.
 */
export enum ReportKind {
  U16 = '16U',
  LRV = 'LRV',
  LUXE = 'LUXE',
  RMC = 'RMC',
  OVERIG = 'OVERIG',
}

// Stryker disable all: display text for pages, exports and e-mails, checked where they are shown, not a rule.
export const KIND_LABELS: Record<ReportKind, string> = {
  [ReportKind.U16]: '16 uur ongeoorloofd verzuim in 4 opeenvolgende lesweken',
  [ReportKind.LRV]: 'Langdurig relatief verzuim',
  [ReportKind.LUXE]: 'Luxeverzuim',
  [ReportKind.RMC]: 'Verzuim 18+ zonder startkwalificatie (RMC)',
  [ReportKind.OVERIG]: 'Overig verzuim / signaalverzuim',
};
// Stryker restore all

/** Kinds whose report needs an end date. */
export const END_DATE_REQUIRED: readonly ReportKind[] = [ReportKind.U16, ReportKind.LRV, ReportKind.RMC];

/** Age at the begin date, in whole years, that each kind is for: [min, max] inclusive. */
export const KIND_AGE_RANGE: Record<ReportKind, readonly [number, number]> = {
  [ReportKind.U16]: [5, 17],
  [ReportKind.LRV]: [5, 17],
  [ReportKind.LUXE]: [5, 17],
  [ReportKind.RMC]: [18, 22],
  [ReportKind.OVERIG]: [4, 22],
};

export enum ReportStatus {
  GEREGISTREERD = 'GEREGISTREERD',
  IN_BEHANDELING = 'IN_BEHANDELING',
  AFGESLOTEN = 'AFGESLOTEN',
  TER_KENNISNEMING_AANGENOMEN = 'TER_KENNISNEMING_AANGENOMEN',
  INGETROKKEN = 'INGETROKKEN',
}

// Stryker disable all: display text for pages, exports and e-mails, checked where they are shown, not a rule.
export const STATUS_LABELS: Record<ReportStatus, string> = {
  [ReportStatus.GEREGISTREERD]: 'Geregistreerd',
  [ReportStatus.IN_BEHANDELING]: 'In behandeling',
  [ReportStatus.AFGESLOTEN]: 'Afgesloten',
  [ReportStatus.TER_KENNISNEMING_AANGENOMEN]: 'Ter kennisneming aangenomen',
  [ReportStatus.INGETROKKEN]: 'Ingetrokken',
};
// Stryker restore all

/** The order of "status" in overviews, as a report moves through them: every status, once. */
export const STATUS_ORDER: readonly ReportStatus[] = Object.values(ReportStatus);

/** Statuses in which the school may still change or withdraw the report. */
export const OPEN_STATUSES: readonly ReportStatus[] = [ReportStatus.GEREGISTREERD, ReportStatus.IN_BEHANDELING];

export enum ClosingReason {
  TERUG_NAAR_SCHOOL = 'TERUG_NAAR_SCHOOL',
  ANDERE_OPLEIDING = 'ANDERE_OPLEIDING',
  WERK = 'WERK',
  OVERIGE_REDENEN = 'OVERIGE_REDENEN',
  OVERLEDEN = 'OVERLEDEN',
  LANGDURIG_ZIEK = 'LANGDURIG_ZIEK',
  LEGITIEM_AFWEZIG = 'LEGITIEM_AFWEZIG',
}

// Stryker disable all: display text for pages, exports and e-mails, checked where they are shown, not a rule.
export const CLOSING_REASON_LABELS: Record<ClosingReason, string> = {
  [ClosingReason.TERUG_NAAR_SCHOOL]: 'Terug naar school / opleiding hervat',
  [ClosingReason.ANDERE_OPLEIDING]: 'Inschrijving beëindigd, andere opleiding',
  [ClosingReason.WERK]: 'Inschrijving beëindigd, werk',
  [ClosingReason.OVERIGE_REDENEN]: 'Inschrijving beëindigd, overige redenen',
  [ClosingReason.OVERLEDEN]: 'Inschrijving beëindigd, leerling overleden',
  [ClosingReason.LANGDURIG_ZIEK]: 'Geen verzuim, langdurig ziek',
  [ClosingReason.LEGITIEM_AFWEZIG]: 'Geen verzuim, legitiem afwezig',
};
// Stryker restore all

export enum ClosingExplanation {
  GEZIEN = 'GEZIEN',
  ACTIE = 'ACTIE',
  GEEN_ACTIE = 'GEEN_ACTIE',
}

// Stryker disable all: display text for pages, exports and e-mails, checked where they are shown, not a rule.
export const CLOSING_EXPLANATION_LABELS: Record<ClosingExplanation, string> = {
  [ClosingExplanation.GEZIEN]: 'Leerling is gezien door gemeente',
  [ClosingExplanation.ACTIE]: 'Er wordt actie ondernomen richting leerling door gemeente',
  [ClosingExplanation.GEEN_ACTIE]: 'Er loopt geen actie meer richting leerling',
};
// Stryker restore all

export enum Sex {
  M = 'M',
  V = 'V',
  X = 'X',
  ONBEKEND = 'O',
}

/** Which e-mail copies the school wants of the receiver's actions. */
export enum EmailCopies {
  MELDER = 'MELDER',
  SCHOOLMAILBOX = 'SCHOOLMAILBOX',
  BEIDE = 'BEIDE',
}

export enum PgnType {
  BSN = 'BSN',
  ONDERWIJSNUMMER = 'ONDERWIJSNUMMER',
}
