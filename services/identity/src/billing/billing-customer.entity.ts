import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'billing_customers' })
export class BillingCustomer {
  @PrimaryColumn('uuid')
  accountId!: string;

  @Column('text')
  provider!: 'stripe';

  @Column('text')
  providerCustomerId!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
