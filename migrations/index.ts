import { InitialSchema1763800000000 } from './1763800000000-InitialSchema';
import { ReferenceData1763800000001 } from './1763800000001-ReferenceData';
import { Accounts1763850000000 } from './1763850000000-Accounts';
import { AuditLog1763900000000 } from './1763900000000-AuditLog';
import { Outbox1763950000000 } from './1763950000000-Outbox';
import { Hardening1764000000000 } from './1764000000000-Hardening';
import { Webhooks1764600000000 } from './1764600000000-Webhooks';
import { KeptInput1764800000000 } from './1764800000000-KeptInput';
import { Retention1764900000000 } from './1764900000000-Retention';
import { Attachments1765200000000 } from './1765200000000-Attachments';
import { Workload1765400000000 } from './1765400000000-Workload';
import { FirstRun1765500000000 } from './1765500000000-FirstRun';
import { SessionFormOwner1765500000001 } from './1765500000001-SessionFormOwner';
import { ScaleIndexes1765700000000 } from './1765700000000-ScaleIndexes';
import { OfficerStatistics1765800000000 } from './1765800000000-OfficerStatistics';
import { SchoolSideIndexes1765900000000 } from './1765900000000-SchoolSideIndexes';
import { NumberDateIndexes1766000000000 } from './1766000000000-NumberDateIndexes';

/** Every migration, in order. A landed migration is never edited: add a new one. */
export const MIGRATIONS = [InitialSchema1763800000000, ReferenceData1763800000001, Accounts1763850000000, AuditLog1763900000000, Outbox1763950000000, Hardening1764000000000, Webhooks1764600000000, KeptInput1764800000000, Retention1764900000000, Attachments1765200000000, Workload1765400000000, FirstRun1765500000000, SessionFormOwner1765500000001, ScaleIndexes1765700000000, OfficerStatistics1765800000000, SchoolSideIndexes1765900000000, NumberDateIndexes1766000000000];
