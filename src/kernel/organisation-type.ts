/** The kinds of organisation that take part. Receivers are GEMEENTE, REGIONAAL_BUREAU and RMC_REGIO. */
export enum OrganisationType {
  SCHOOL = 'SCHOOL',
  GEMEENTE = 'GEMEENTE',
  REGIONAAL_BUREAU = 'REGIONAAL_BUREAU',
  RMC_REGIO = 'RMC_REGIO',
  OPERATOR = 'OPERATOR',
}

export const RECEIVER_TYPES: readonly OrganisationType[] = [
  OrganisationType.GEMEENTE,
  OrganisationType.REGIONAAL_BUREAU,
  OrganisationType.RMC_REGIO,
];
