import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A forward of an erased report: from and to which organisation (codes), when. */
export interface ErasedForward {
  from: string;
  to: string;
  at: string;
}

/**
 * What remains of an erased report: its number, the organisations, the kind and the dates, and the facts the
 * jaaropgave counts (age in years at the begin date, closing reason and explanation, forwards). No personal data: no
 * PGN, no name, no birth date, no address, no free text.
 */
@Entity('destruction_record')
@Index('destruction_record_erased_at_idx', ['erasedAt'])
@Index('destruction_record_receiver_idx', ['receiverId', 'filedAt'])
export class DestructionRecord {
  /** The meldingsnummer. */
  @PrimaryColumn('integer')
  reportNumber: number;

  @Column('uuid')
  schoolId: string;

  /** The organisation that held the report last. */
  @Column('uuid')
  receiverId: string;

  @Column('uuid')
  residenceMunicipalityId: string;

  @Column('text')
  kind: string;

  /** The status it was erased in (closed, taken note of, withdrawn). */
  @Column('text')
  status: string;

  /** Whole years of age at the begin date (the jaaropgave's age groups). */
  @Column('integer')
  ageAtBegin: number;

  @Column('date')
  beginDate: string;

  @Column('timestamptz')
  filedAt: Date;

  /** When it was first taken into handling, if ever. */
  @Column('timestamptz', { nullable: true })
  handlingAt: Date | null;

  @Column('timestamptz', { nullable: true })
  closedAt: Date | null;

  @Column('text', { nullable: true })
  closingReason: string | null;

  @Column('text', { nullable: true })
  closingExplanation: string | null;

  @Column('jsonb', { default: () => "'[]'" })
  forwards: ErasedForward[];

  @Column('timestamptz')
  erasedAt: Date;

  /** The rule it was erased under, in words ("60 maanden na afsluiten"). */
  @Column('text')
  rule: string;
}
