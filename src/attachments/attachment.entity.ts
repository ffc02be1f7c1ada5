import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import { Report } from '../reports/report.entity';

/**
 * A document added to a report (aanvulling). Its content is in attachment_chunk, encrypted; this row holds what the
 * list shows. Removing one deletes the row and its chunks; the report's history keeps that it existed.
 */
@Entity('attachment')
@Index('attachment_report_idx', ['reportId', 'createdAt'])
export class Attachment {
  @PrimaryColumn('uuid')
  id: string;

  @ManyToOne(() => Report, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id', foreignKeyConstraintName: 'attachment_report_fk' })
  report: Report;
  @Column('uuid')
  reportId: string;

  /** The organisation that added it (the filing school or the receiver at that moment). */
  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'attachment_organisation_fk' })
  organisation: Organisation;
  @Column('uuid')
  organisationId: string;

  /** Who added it: the person's or the key's name. */
  @Column('text')
  actorName: string;

  /** The file name as sent, made safe for a download header. */
  @Column('text')
  fileName: string;

  @Column('text', { default: '' })
  description: string;

  /** The type recognised from the content, e.g. application/pdf. */
  @Column('text')
  mediaType: string;

  @Column('integer')
  size: number;

  @Column('integer')
  chunkCount: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** One piece (at most 256 KiB) of an attachment's content, sealed with AES-256-GCM bound to the attachment and its place. */
@Entity('attachment_chunk')
export class AttachmentChunk {
  @PrimaryColumn('uuid')
  attachmentId: string;

  @PrimaryColumn('integer')
  index: number;

  // Checked at commit: the chunks are written as the file streams in, and the attachment's row after, with the lock
  // on the report, so that an upload in progress holds no lock on the report that others' changes would wait for.
  @ManyToOne(() => Attachment, { nullable: false, onDelete: 'CASCADE', deferrable: 'INITIALLY DEFERRED' })
  @JoinColumn({ name: 'attachment_id', foreignKeyConstraintName: 'attachment_chunk_attachment_fk' })
  attachment: Attachment;

  @Column('bytea')
  data: Buffer;
}
