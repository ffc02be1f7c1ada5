import {
  Check, Column, CreateDateColumn, Entity, Generated, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn,
} from 'typeorm';
import { User } from '../identity/user.entity';
import { Location } from '../organisations/location.entity';
import { Organisation } from '../organisations/organisation.entity';
import { Reporter } from '../organisations/reporter.entity';
import { EmailCopies, PgnType, ReportKind, ReportStatus, Sex } from '../kernel/report-codes';
import { ReportMessage } from './report-message.entity';

export interface Address {
  street: string;
  houseNumber: number;
  houseLetter?: string | null;
  houseNumberAddition?: string | null;
  postcode: string;
  place: string;
  /** CBS code of the municipality the address lies in. */
  municipalityCode: string;
}

export interface AbsenceDay {
  date: string;
  /** Lesson hours 1..12 missed that day. */
  lessonHours: number[];
}

export interface MunicipalContact {
  name: string;
  function?: string | null;
  phone?: string | null;
  email?: string | null;
}

/** The verzuimmelding. The PGN is held only encrypted and as a keyed hash for exact search. */
@Entity('report')
@Check('report_kind_check', `"kind" IN ('16U','LRV','LUXE','RMC','OVERIG')`)
@Check('report_status_check', `"status" IN ('GEREGISTREERD','IN_BEHANDELING','AFGESLOTEN','TER_KENNISNEMING_AANGENOMEN','INGETROKKEN')`)
@Check('report_dates_check', `"end_date" IS NULL OR "end_date" >= "begin_date"`)
// The date after the number (migrations/1766000000000-NumberDateIndexes.ts): a month's newest reports found in the index.
@Index('report_school_number_created_idx', ['schoolId', 'number', 'createdAt'])
@Index('report_receiver_number_created_idx', ['receiverId', 'number', 'createdAt'])
@Index('report_receiver_school_number_idx', ['receiverId', 'schoolId', 'number'])
@Index('report_receiver_updated_idx', ['receiverId', 'updatedAt'])
@Index('report_school_updated_idx', ['schoolId', 'updatedAt'])
// With statistics of assigned user -> receiver (migrations/1765800000000-OfficerStatistics.ts): an officer's own list.
@Index('report_assigned_number_idx', ['assignedUserId', 'number'], { where: 'assigned_user_id IS NOT NULL' })
@Index('report_receiver_kind_number_idx', ['receiverId', 'kind', 'number'])
@Index('report_receiver_created_kind_idx', ['receiverId', 'createdAt', 'kind'])
@Index('report_school_created_kind_idx', ['schoolId', 'createdAt', 'kind'])
// On the status rank (an expression) after the receiver or the school, made by migrations/1765700000000-ScaleIndexes.ts,
// and after the receiver and the school by migrations/1765900000000-SchoolSideIndexes.ts.
@Index('report_receiver_status_idx', { synchronize: false })
@Index('report_school_status_idx', { synchronize: false })
@Index('report_receiver_school_status_idx', { synchronize: false })
export class Report {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The meldingsnummer people quote on the phone. */
  @Index('report_number_key', { unique: true })
  @Column('integer')
  @Generated('increment')
  number: number;

  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'school_id', foreignKeyConstraintName: 'report_school_fk' })
  school: Organisation;
  @Column('uuid')
  schoolId: string;

  @ManyToOne(() => Location, { nullable: false })
  @JoinColumn({ name: 'location_id', foreignKeyConstraintName: 'report_location_fk' })
  location: Location;
  @Column('uuid')
  locationId: string;

  @ManyToOne(() => Reporter, { nullable: false })
  @JoinColumn({ name: 'reporter_id', foreignKeyConstraintName: 'report_reporter_fk' })
  reporter: Reporter;
  @Column('uuid')
  reporterId: string;

  /** The organisation that currently handles the report. */
  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'receiver_id', foreignKeyConstraintName: 'report_receiver_fk' })
  receiver: Organisation;
  @Column('uuid')
  receiverId: string;

  /** The municipality where the pupil lives (deviating address when given), which routing started from. */
  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'residence_municipality_id', foreignKeyConstraintName: 'report_residence_municipality_fk' })
  residenceMunicipality: Organisation;
  @Column('uuid')
  residenceMunicipalityId: string;

  @Column('text')
  kind: ReportKind;

  @Column('text')
  status: ReportStatus;

  @Column('text')
  pgnType: PgnType;

  /** AES-256-GCM: iv | tag | ciphertext. */
  @Column('bytea')
  pgnEncrypted: Buffer;

  /** HMAC-SHA256 of the PGN under a key derived from the PGN key: exact-match search only. */
  @Index('report_pgn_hash_idx')
  @Column('bytea')
  pgnHash: Buffer;

  @Column('text')
  pupilInitials: string;

  @Column('text', { nullable: true })
  pupilPrefix: string | null;

  @Column('text')
  pupilSurname: string;

  /** Prefix and surname normalised for the name search (pupil-name-key.ts, ADR 0011). */
  @Column('text', { default: '' })
  pupilNameKey: string;

  /** The 3-grams of the name key, in a GIN index after the receiver and the school (btree_gin; made by the migration: TypeORM does not describe GIN). */
  @Index('report_side_name_grams_idx', { synchronize: false })
  @Column('text', { array: true, default: () => "'{}'" })
  pupilNameGrams: string[];

  @Column('text')
  pupilSex: Sex;

  @Index('report_birth_date_idx')
  @Column('date')
  pupilBirthDate: string;

  @Column('jsonb')
  registeredAddress: Address;

  @Column('jsonb', { nullable: true })
  residenceAddress: Address | null;

  @Column('text', { nullable: true })
  phone: string | null;

  @Column('text', { nullable: true })
  studentNumber: string | null;

  @Column('text')
  reason: string;

  @Column('date')
  beginDate: string;

  @Column('date', { nullable: true })
  endDate: string | null;

  @Column('boolean')
  allLessonsMissed: boolean;

  @Column('text', { nullable: true })
  absenceExplanation: string | null;

  @Column('text', { nullable: true })
  schoolAction: string | null;

  @Column('boolean')
  actionWanted: boolean;

  @Column('text', { nullable: true })
  actionWantedExplanation: string | null;

  @Column('integer', { nullable: true })
  daysMissed: number | null;

  @Column('integer', { nullable: true })
  hoursMissed: number | null;

  @Column('jsonb', { nullable: true })
  absenceDays: AbsenceDay[] | null;

  @Column('text')
  emailCopies: EmailCopies;

  @Column('text', { nullable: true })
  closingReason: string | null;

  @Column('text', { nullable: true })
  closingExplanation: string | null;

  @Column('jsonb', { nullable: true })
  municipalContact: MunicipalContact | null;

  /** The officer of the receiving organisation who handles the report ("in behandeling bij"); only the receiver sees it. */
  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'assigned_user_id', foreignKeyConstraintName: 'report_assigned_user_fk' })
  assignedUser?: User | null;
  @Column('uuid', { nullable: true })
  assignedUserId: string | null;

  /** Raised by every change; the ETag. */
  @Column('integer', { default: 1 })
  version: number;

  @Index('report_created_at_idx')
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column('timestamptz', { nullable: true })
  closedAt: Date | null;

  /** The replies and answers, when a query loads them with the report. */
  @OneToMany(() => ReportMessage, (m) => m.report)
  messages?: ReportMessage[];
}
