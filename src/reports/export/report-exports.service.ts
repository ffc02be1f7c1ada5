import { Injectable } from '@nestjs/common';
import { Writable } from 'node:stream';
import { AuditAction, AuditService, byActor } from '../../audit/audit.service';
import { todayInNL } from '../../common/dates';
import { Actor } from '../../kernel/actor';
import { PgnCipher } from '../pgn-cipher';
import { ReportQueries } from '../report-queries';
import { CellValue, EXPORT_COLUMNS } from './export-columns';
import { ExportRecord, ExportScope } from './export-record';
import { CONTENT_TYPES, ExportFormat, writeCsv, writeXlsx } from './export-writers';

/** Rows read from the database at a time: one batch is all an export holds. */
export const EXPORT_BATCH = 1000;

/** An export that is counted and logged, ready to be written. */
export interface PreparedExport {
  count: number;
  contentType: string;
  fileName: string;
  /** Writes the file to `out` and ends it; resolves with the number of reports written. */
  write(out: Writable): Promise<number>;
}

/**
 * The overview as a file: every report matching its filters (not one page) or the ticked ones, as .xlsx or CSV. The
 * export is logged with its filter and row count before any row leaves; the rows are read in keyset batches and each
 * batch's PGNs are decrypted just before it is written.
 */
@Injectable()
export class ReportExportsService {
  constructor(
    private readonly queries: ReportQueries,
    private readonly cipher: PgnCipher,
    private readonly audit: AuditService,
  ) {}

  async prepare(actor: Actor, scope: ExportScope, format: ExportFormat, batchSize = EXPORT_BATCH): Promise<PreparedExport> {
    const { count, upTo, numbers } = await this.queries.exportCount(actor, scope);
    const what = numbers ? { numbers } : { filter: 'filters' in scope ? withoutPgn(scope.filters) : {} };
    await this.audit.record(byActor(actor, AuditAction.REPORTS_EXPORTED, { details: { format: format.toUpperCase(), ...what, count } }));
    const batches = this.cells(actor, scope, upTo, count, batchSize);
    return {
      count,
      contentType: CONTENT_TYPES[format],
      fileName: `meldingen-${todayInNL()}.${format}`,
      write: (out) => (format === 'xlsx' ? writeXlsx(out, batches) : writeCsv(out, batches)),
    };
  }

  private async *cells(actor: Actor, scope: ExportScope, upTo: number, count: number, size: number): AsyncGenerator<CellValue[][]> {
    if (count === 0) return;
    for await (const batch of this.queries.exportBatches(actor, scope, upTo, size)) {
      yield batch.map((r: ExportRecord) => {
        const pgn = this.cipher.decrypt(r.pgnEncrypted);
        return EXPORT_COLUMNS.map((c) => c.value(r, pgn));
      });
    }
  }
}

/** The filter as the audit log keeps it: never a PGN. */
function withoutPgn(filters: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filters).filter(([key, value]) => key !== 'pgn' && value !== undefined));
}
