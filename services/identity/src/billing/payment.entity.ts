import { bigintColumn } from '@onecommons/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A captured subscription payment: append-only (a database trigger refuses updates and deletes). */
@Entity({ name: 'payments' })
export class Payment {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  subscriptionId!: string;

  @Column('uuid')
  accountId!: string;

  @Column('text')
  period!: string;

  @Column('bigint', { transformer: bigintColumn })
  amountMinor!: bigint;

  @Column('text')
  currency!: string;

  @Column('text')
  provider!: 'stripe';

  @Column('text')
  providerPaymentId!: string;

  @Column('text')
  providerEventId!: string;

  @Column('timestamptz')
  capturedAt!: Date;
}
