import { ClosingExplanation, ClosingReason, EmailCopies, END_DATE_REQUIRED, OPEN_STATUSES, PgnType, ReportKind, ReportStatus, Sex, STATUS_ORDER } from './report-codes';

/** The codes are the API's contract (docs/api/openapi-v1.json): written out by hand from DOMAIN.md, so that a renamed code fails here. */
describe('the code lists of the verzuimmelding', () => {
  it('has the five kinds of DOMAIN.md, by their codes', () => {
    expect(Object.values(ReportKind)).toEqual(['16U', 'LRV', 'LUXE', 'RMC', 'OVERIG']);
  });

  it('asks an end date for 16U, LRV and RMC only', () => {
    expect([...END_DATE_REQUIRED].sort()).toEqual(['16U', 'LRV', 'RMC']);
  });

  it('has the statuses of DOMAIN.md, of which registered and in handling are open', () => {
    expect(Object.values(ReportStatus)).toEqual(['GEREGISTREERD', 'IN_BEHANDELING', 'AFGESLOTEN', 'TER_KENNISNEMING_AANGENOMEN', 'INGETROKKEN']);
    expect([...OPEN_STATUSES]).toEqual(['GEREGISTREERD', 'IN_BEHANDELING']);
    expect([...STATUS_ORDER]).toEqual(Object.values(ReportStatus));
  });

  it('has the seven closing reasons and three closing explanations', () => {
    expect(Object.values(ClosingReason)).toEqual(['TERUG_NAAR_SCHOOL', 'ANDERE_OPLEIDING', 'WERK', 'OVERIGE_REDENEN', 'OVERLEDEN', 'LANGDURIG_ZIEK', 'LEGITIEM_AFWEZIG']);
    expect(Object.values(ClosingExplanation)).toEqual(['GEZIEN', 'ACTIE', 'GEEN_ACTIE']);
  });

  it('has the copies a school can ask for, the sexes and the kinds of pupil number', () => {
    expect(Object.values(EmailCopies)).toEqual(['MELDER', 'SCHOOLMAILBOX', 'BEIDE']);
    expect(Object.values(Sex)).toEqual(['M', 'V', 'X', 'O']);
    expect(Object.values(PgnType)).toEqual(['BSN', 'ONDERWIJSNUMMER']);
  });
});
