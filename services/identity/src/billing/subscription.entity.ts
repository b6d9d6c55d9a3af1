import { bigintColumn } from '@onecommons/persistence';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** `incomplete`: waiting for the first payment; `failed`: the provider never created it; `ended`: over. */
export type SubscriptionStatus = 'incomplete' | 'active' | 'past_due' | 'ended' | 'failed';

export const LIVE_STATUSES: readonly SubscriptionStatus[] = ['incomplete', 'active', 'past_due'];

@Entity({ name: 'subscriptions' })
export class Subscription {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  accountId!: string;

  @Column('text')
  plan!: 'premium';

  @Column('text')
  currency!: string;

  @Column('bigint', { transformer: bigintColumn })
  amountMinor!: bigint;

  @Column('text')
  status!: SubscriptionStatus;

  @Column('text')
  provider!: 'stripe';

  @Column('text', { nullable: true })
  providerCustomerId!: string | null;

  @Column('text', { nullable: true })
  providerSubscriptionId!: string | null;

  /** The billing period the provider is on (paid or not). */
  @Column('text', { nullable: true })
  period!: string | null;

  @Column('timestamptz', { nullable: true })
  periodEnd!: Date | null;

  /** The latest period paid for. */
  @Column('text', { nullable: true })
  paidPeriod!: string | null;

  /** A period whose payment failed and is still unpaid. */
  @Column('text', { nullable: true })
  unpaidPeriod!: string | null;

  @Column('boolean', { default: false })
  cancelAtPeriodEnd!: boolean;

  @Column('timestamptz', { nullable: true })
  cancelledAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  endedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
