import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from './user.entity';

export enum SessionStage {
  /** Password accepted; waits for the one-time code. */
  PASSWORD = 'PASSWORD',
  COMPLETE = 'COMPLETE',
}

/** A sign-in session. The cookie holds an opaque random token; only its SHA-256 is stored. */
@Entity('user_session')
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('user_session_token_key', { unique: true })
  @Column('bytea')
  tokenHash: Buffer;

  @Index('user_session_user_idx')
  @ManyToOne(() => User, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_session_user_fk' })
  user: User;
  @Column('uuid')
  userId: string;

  @Column('text')
  stage: SessionStage;

  /** Sent back with every state-changing request made with this session; names the person of a form kept after it ended. */
  @Index('user_session_csrf_idx')
  @Column('text')
  csrfToken: string;

  @Column('text', { nullable: true })
  clientIp: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz')
  lastSeenAt: Date;

  /** The absolute end, whatever the activity. */
  @Index('user_session_expires_idx')
  @Column('timestamptz')
  expiresAt: Date;
}
