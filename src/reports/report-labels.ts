import { CLOSING_REASON_LABELS, ClosingReason, EmailCopies, KIND_LABELS, ReportKind, ReportStatus, Sex, STATUS_LABELS } from '../kernel/report-codes';

/*
 * How the register's pages name things: the fields of the forms and of the history, what was just done, and the
 * values of a report as a person reads them. The API speaks in codes; these are its Dutch words.
 */

/** The labels of the filing form's fields: in the error summary, each message begins with the field's label. */
export const REPORT_LABELS: Record<string, string> = {
  'pupil.pgn': 'BSN of onderwijsnummer', 'pupil.initials': 'Voorletters', 'pupil.prefix': 'Tussenvoegsel', 'pupil.surname': 'Achternaam',
  'pupil.sex': 'Geslacht', 'pupil.birthDate': 'Geboortedatum', 'pupil.registeredAddress.street': 'Straat',
  'pupil.registeredAddress.houseNumber': 'Huisnummer', 'pupil.registeredAddress.houseLetter': 'Huisletter',
  'pupil.registeredAddress.houseNumberAddition': 'Toevoeging', 'pupil.registeredAddress.postcode': 'Postcode',
  'pupil.registeredAddress.place': 'Woonplaats', 'pupil.registeredAddress.municipalityCode': 'Gemeente van het adres',
  'pupil.phone': 'Telefoonnummer', 'pupil.studentNumber': 'Leerlingnummer op school', kind: 'Soort verzuim', reason: 'Reden van het verzuim',
  beginDate: 'Eerste dag van het verzuim', endDate: 'Laatste dag van het verzuim', daysMissed: 'Aantal dagen gemist', hoursMissed: 'Aantal lesuren gemist',
  allLessonsMissed: 'Alle lessen gemist', absenceExplanation: 'Toelichting bij het verzuim', schoolAction: 'Wat heeft de school al gedaan',
  actionWanted: 'Actie door de gemeente gewenst', actionWantedExplanation: 'Toelichting als u geen actie wenst', locationCode: 'Vestiging',
  reporterId: 'Melder', emailCopies: 'Wie krijgt bericht van de reactie',
};
/** The change form has every field the API's change allows: the filing form's and these. */
export const EDIT_LABELS: Record<string, string> = {
  ...REPORT_LABELS,
  'pupil.registeredAddress.houseLetter': 'Huisletter', 'pupil.registeredAddress.houseNumberAddition': 'Toevoeging',
  'pupil.residenceAddress.street': 'Straat (verblijfsadres)', 'pupil.residenceAddress.houseNumber': 'Huisnummer (verblijfsadres)',
  'pupil.residenceAddress.houseLetter': 'Huisletter (verblijfsadres)', 'pupil.residenceAddress.houseNumberAddition': 'Toevoeging (verblijfsadres)',
  'pupil.residenceAddress.postcode': 'Postcode (verblijfsadres)', 'pupil.residenceAddress.place': 'Woonplaats (verblijfsadres)',
  'pupil.residenceAddress.municipalityCode': 'Gemeente van het verblijfsadres', 'pupil.phone': 'Telefoon van ouder of leerling',
  'pupil.studentNumber': 'Leerlingnummer', absenceExplanation: 'Toelichting op het verzuim', absenceDays: 'Verzuim per dag',
};
/** Field names in the history, as people say them. */
export const HISTORY_LABELS: Record<string, string> = {
  ...EDIT_LABELS, 'pupil.registeredAddress': 'Adres', 'pupil.residenceAddress': 'Verblijfsadres', status: 'Status', receiver: 'Ontvanger',
  closingReason: 'Reden van afsluiten', closingExplanation: 'Toelichting bij afsluiten', municipalContact: 'Contactpersoon van de gemeente',
  attachments: 'Bijlagen',
};
export const HANDLING_LABELS: Record<string, string> = {
  status: 'Nieuwe status', closingReason: 'Reden van afsluiten', closingExplanation: 'Toelichting bij afsluiten', body: 'Nieuw bericht', explanation: 'Waarom',
  to: 'Doorsturen naar', algemeen: 'Let op',
};
export const OVERVIEW_LABELS: Record<string, string> = {
  status: 'Status', kind: 'Soort', number: 'Meldingsnummer', from: 'Gemeld vanaf', to: 'Gemeld tot en met', location: 'Vestiging', reporterId: 'Melder',
  pgn: 'BSN of onderwijsnummer', limit: 'Aantal per pagina', after: 'Pagina',
};
/** What a person just did, said on the report's page after the action. */
export const DONE: Record<string, string> = {
  bericht: 'Uw bericht is verstuurd.', status: 'De status is opgeslagen.', ingetrokken: 'De melding is ingetrokken.',
  gewijzigd: 'Uw wijzigingen zijn opgeslagen. De ontvanger krijgt bericht.', ongewijzigd: 'U heeft niets gewijzigd; de melding is gebleven zoals ze was.',
  'bijlage-toegevoegd': 'De bijlage is toegevoegd. De andere kant krijgt bericht.', 'bijlage-verwijderd': 'De bijlage is verwijderd; de geschiedenis vermeldt dat ze er was.',
};
export const EVENT_LABELS: Record<string, string> = {
  INGEDIEND: 'Ingediend', GEWIJZIGD: 'Gewijzigd', STATUS_GEWIJZIGD: 'Status gewijzigd', HEROPEND: 'Heropend', BERICHT: 'Bericht',
  DOORGESTUURD: 'Doorgestuurd', INGETROKKEN: 'Ingetrokken', BIJLAGE_TOEGEVOEGD: 'Bijlage toegevoegd', BIJLAGE_VERWIJDERD: 'Bijlage verwijderd',
};
export const CONFLICT = 'Iemand anders heeft deze melding gewijzigd terwijl u dit formulier invulde. Er is nog niets opgeslagen. '
  + 'Wat u invulde staat nog in het formulier; hieronder ziet u wat er intussen veranderde. Controleer het en verstuur het formulier opnieuw.';


export const SEX_LABELS: Record<Sex, string> = { [Sex.M]: 'Jongen / man', [Sex.V]: 'Meisje / vrouw', [Sex.X]: 'Anders', [Sex.ONBEKEND]: 'Onbekend' };
export const COPIES_LABELS: Record<EmailCopies, string> = {
  [EmailCopies.MELDER]: 'De melder', [EmailCopies.SCHOOLMAILBOX]: 'Het algemene e-mailadres van de school', [EmailCopies.BEIDE]: 'De melder en het algemene e-mailadres',
};

export function addressText(a: { street: string; houseNumber: number; houseLetter?: string | null; houseNumberAddition?: string | null; postcode: string; place: string }): string {
  return `${a.street} ${a.houseNumber}${a.houseLetter ?? ''}${a.houseNumberAddition ? `-${a.houseNumberAddition}` : ''}, ${a.postcode} ${a.place}`;
}

/** A value in the history, as a person reads it. */
export function shown(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '(leeg)';
  if (field === 'status' && typeof value === 'string') return STATUS_LABELS[value as ReportStatus] ?? value;
  if (field === 'kind' && typeof value === 'string') return KIND_LABELS[value as ReportKind] ?? value;
  if (field === 'closingReason' && typeof value === 'string') return CLOSING_REASON_LABELS[value as ClosingReason] ?? value;
  if (typeof value === 'boolean') return value ? 'Ja' : 'Nee';
  if (typeof value === 'object' && 'street' in value) return addressText(value as Parameters<typeof addressText>[0]);
  if (Array.isArray(value) && value.every((d) => d && typeof d === 'object' && 'date' in d)) {
    return (value as { date: string; lessonHours: number[] }[]).map((d) => `${d.date}: ${d.lessonHours.join(', ')}`).join('; ');
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

