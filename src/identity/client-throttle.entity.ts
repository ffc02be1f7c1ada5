import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Failed sign-in attempts per client address, so that many accounts cannot be tried from one place. */
@Entity('client_throttle')
export class ClientThrottle {
  @PrimaryColumn('text')
  clientIp: string;

  @Column('integer', { default: 0 })
  failures: number;

  @Column('timestamptz')
  windowStart: Date;

  @Column('timestamptz', { nullable: true })
  throttledUntil: Date | null;
}
