import { ApiProperty } from '@nestjs/swagger';
import { MonthlyFigures } from './monthly-figures';
import type { MonthlyReportRow } from './monthly-reports.service';

export class MonthlyUnitView {
  @ApiProperty({ example: '00ZV01', description: 'Vestigingscode (school) of BRIN (ontvanger)' }) code: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'integer' }) count: number;
}

export class MonthlyOrganisationView {
  @ApiProperty({ example: 'GM0363' }) code: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'GEMEENTE' }) type: string;
}

const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class MonthlyFiguresView {
  @ApiProperty({ example: '2026-11' }) month: string;
  @ApiProperty({ type: MonthlyOrganisationView }) organisation: MonthlyOrganisationView;
  @ApiProperty({ enum: ['school', 'receiver'], description: 'school: wat de school indiende; receiver: wat de organisatie ontving' }) side: 'school' | 'receiver';
  @ApiProperty({ type: 'integer' }) filed: number;
  @ApiProperty({ type: 'integer', description: 'Open (geregistreerd of in behandeling) aan het eind van de maand' }) openAtEnd: number;
  @ApiProperty({ type: 'integer' }) closed: number;
  @ApiProperty({ type: 'integer' }) withdrawn: number;
  @ApiProperty({ ...COUNTS, description: 'Ingediend in de maand, per soort (16U, LRV, ...)' }) byKind: Record<string, number>;
  @ApiProperty({ ...COUNTS, description: 'Ingediend in de maand, per status aan het eind van de maand' }) byStatus: Record<string, number>;
  @ApiProperty({ ...COUNTS, description: 'Afgesloten in de maand, per reden' }) byClosingReason: Record<string, number>;
  @ApiProperty({ ...COUNTS, description: 'Afgesloten in de maand, per toelichting' }) byClosingExplanation: Record<string, number>;
  @ApiProperty({ type: [MonthlyUnitView], description: 'Ingediend per locatie (school) of per school (ontvanger)' }) byUnit: MonthlyUnitView[];
  @ApiProperty({ type: Number, nullable: true }) medianDaysToHandling: number | null;
  @ApiProperty({ type: Number, nullable: true }) medianDaysToClosing: number | null;
  @ApiProperty({ type: 'integer' }) openOver4Weeks: number;
  @ApiProperty({ type: 'integer' }) openOver3Months: number;
  @ApiProperty({ type: 'integer', isArray: true, description: 'Ontvanger: meldingsnummers van open meldingen ouder dan 4 weken (R08); school: leeg' }) longOpen: number[];
}

export class MonthlyReportView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '2026-11' }) month: string;
  @ApiProperty({ format: 'date-time' }) madeAt: string;
  @ApiProperty({ format: 'date-time', description: 'Dan wordt de rapportage verwijderd' }) expiresAt: string;
  @ApiProperty({ type: MonthlyFiguresView }) figures: MonthlyFigures;

  static of(r: MonthlyReportRow): MonthlyReportView {
    return { id: r.id, month: r.month, madeAt: r.madeAt.toISOString(), expiresAt: r.expiresAt.toISOString(), figures: r.figures };
  }
}
