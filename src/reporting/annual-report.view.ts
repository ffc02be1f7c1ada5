import { ApiProperty } from '@nestjs/swagger';
import { MonthlyOrganisationView, MonthlyUnitView } from './monthly-report.view';

const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } } as const;

/** The jaaropgave as the API hands it out: counts of one school year, no pupil data. */
export class AnnualReportView {
  @ApiProperty({ example: '2025-2026', pattern: '^\\d{4}-\\d{4}$' }) schoolYear: string;
  @ApiProperty({ type: MonthlyOrganisationView }) organisation: MonthlyOrganisationView;
  @ApiProperty({ format: 'date', example: '2025-08-01' }) from: string;
  @ApiProperty({ format: 'date', example: '2026-07-31', description: '31 juli, of vandaag zolang het schooljaar loopt' }) through: string;
  @ApiProperty({ description: 'Het schooljaar is voorbij' }) complete: boolean;
  @ApiProperty({ type: 'integer', description: 'Ingediend in het schooljaar en naar de organisatie gerouteerd (doorgestuurd naar haar: forwardedIn)' }) received: number;
  @ApiProperty({ ...COUNTS, description: 'Ontvangen, per soort (16U, LRV, LUXE, RMC, OVERIG)' }) byKind: Record<string, number>;
  @ApiProperty({ ...COUNTS, description: 'Ontvangen, per sector van de school (PO, VO, MBO, SO; ONBEKEND)' }) bySector: Record<string, number>;
  @ApiProperty({ ...COUNTS, description: 'Ontvangen, per leeftijd in hele jaren op de begindatum' }) byAge: Record<string, number>;
  @ApiProperty({ type: [MonthlyUnitView], description: 'Ontvangen, per woongemeente (CBS-code)' }) byMunicipality: MonthlyUnitView[];
  @ApiProperty({ type: 'integer', description: 'Afgesloten of ter kennisneming aangenomen in het schooljaar' }) closed: number;
  @ApiProperty({ ...COUNTS, description: 'Afgesloten, per reden' }) byClosingReason: Record<string, number>;
  @ApiProperty({ ...COUNTS, description: 'Afgesloten, per toelichting' }) byClosingExplanation: Record<string, number>;
  @ApiProperty({ type: 'integer', description: 'Ingetrokken door de school in het schooljaar' }) withdrawn: number;
  @ApiProperty({ type: 'integer', description: 'Doorgestuurd naar de organisatie in het schooljaar' }) forwardedIn: number;
  @ApiProperty({ type: 'integer', description: 'Doorgestuurd door de organisatie in het schooljaar' }) forwardedOut: number;
  @ApiProperty({ type: 'integer', description: 'Bij de organisatie en open aan het eind (31 juli, of nu)' }) openAtEnd: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Hele dagen van indienen tot afsluiten, mediaan' }) medianHandlingDays: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Hele dagen van indienen tot afsluiten, 90e percentiel' }) p90HandlingDays: number | null;
}
