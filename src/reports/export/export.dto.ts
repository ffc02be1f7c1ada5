import { ApiProperty, OmitType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsDefined, IsIn, IsInt, Max, Min } from 'class-validator';
import { ReportQuery } from '../report.dto';
import { EXPORT_FORMATS, ExportFormat } from './export-writers';

/** A ticked selection holds at most this many reports. */
export const MAX_SELECTION = 1000;

/** The overview's filters (without paging and sorting: every matching report, newest first) and the file's format. */
export class ReportExportQuery extends OmitType(ReportQuery, ['limit', 'after', 'sort'] as const) {
  @ApiProperty({ enum: EXPORT_FORMATS, description: 'xlsx (Excel) of csv (UTF-8 met BOM, puntkomma\'s)' })
  @IsDefined() @IsIn(EXPORT_FORMATS)
  format: ExportFormat;
}

/** Ticked reports by number, in the body so that a long selection never makes a long URL. */
export class ReportSelectionExportInput {
  @ApiProperty({ enum: EXPORT_FORMATS }) @IsDefined() @IsIn(EXPORT_FORMATS)
  format: ExportFormat;

  @ApiProperty({ type: 'integer', isArray: true, minItems: 1, maxItems: MAX_SELECTION, example: [12, 15], description: 'Meldingsnummers; wat de organisatie niet ziet, komt niet in het bestand' })
  @IsDefined() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_SELECTION) @ArrayUnique() @IsInt({ each: true }) @Min(1, { each: true }) @Max(2147483647, { each: true })
  numbers: number[];
}
