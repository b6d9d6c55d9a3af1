import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'accounts' })
export class Account {
  @PrimaryColumn('uuid')
  id!: string;

  /** Normalised (NFKC, trimmed, lowercase); unique. */
  @Column('text')
  email!: string;

  @Column('text')
  passwordHash!: string;

  @Column('boolean', { default: false })
  emailVerified!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  /** Set when the account was deleted: its email and password hash are erased then, its id stays. */
  @Column('timestamptz', { nullable: true })
  deletedAt!: Date | null;
}
