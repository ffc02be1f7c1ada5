import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from './organisation.entity';

/** A municipality's alternative routing: reports of this kind go to another receiving organisation. */
@Entity('routing_rule')
@Index('routing_rule_municipality_kind_key', ['municipalityId', 'kind'], { unique: true })
export class RoutingRule {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'municipality_id', foreignKeyConstraintName: 'routing_rule_municipality_fk' })
  municipality: Organisation;
  @Column('uuid')
  municipalityId: string;

  @Column('text')
  kind: string;

  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'target_id', foreignKeyConstraintName: 'routing_rule_target_fk' })
  target: Organisation;
  @Column('uuid')
  targetId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
