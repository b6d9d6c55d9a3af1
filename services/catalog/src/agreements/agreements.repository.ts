import { Injectable } from '@nestjs/common';
import { queryOne, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type AgreementTerms, type Scheduled } from '../terms/share-cuts.js';

export interface Agreement {
  readonly id: string;
  readonly projectId: string;
  readonly operatorId: string;
  /** The terms in force. */
  readonly terms: AgreementTerms;
  /** Terms waiting for their period; null when none wait. */
  readonly scheduledTerms: Scheduled<AgreementTerms> | null;
  readonly bindingApprovedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewAgreement {
  readonly id: string;
  readonly projectId: string;
  readonly operatorId: string;
  readonly developerBps: number;
  readonly createdBy: string;
}

const COLUMNS = `id, project_id, operator_id, developer_bps, binding, scheduled_developer_bps, scheduled_binding,
  scheduled_from, binding_approved_at, created_at, updated_at`;
const A_COLUMNS = COLUMNS.split(',')
  .map((column) => `a.${column.trim()}`)
  .join(', ');

/** The table's check makes the scheduled columns all null (nothing scheduled) or all set. */
const agreementRow = z
  .object({
    id: z.string(),
    project_id: z.string(),
    operator_id: z.string(),
    developer_bps: z.number().int(),
    binding: z.boolean(),
    scheduled_developer_bps: z.number().int().nullable(),
    scheduled_binding: z.boolean().nullable(),
    scheduled_from: z.string().nullable(),
    binding_approved_at: z.date().nullable(),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .refine(
    (row) =>
      (row.scheduled_from === null) === (row.scheduled_developer_bps === null) &&
      (row.scheduled_from === null) === (row.scheduled_binding === null),
    { path: ['scheduled_from'], error: 'the scheduled columns must be all null or all set' },
  )
  .transform((row): Agreement => ({
    id: row.id,
    projectId: row.project_id,
    operatorId: row.operator_id,
    terms: { developerBps: row.developer_bps, binding: row.binding },
    scheduledTerms:
      row.scheduled_from === null || row.scheduled_developer_bps === null || row.scheduled_binding === null
        ? null
        : {
            developerBps: row.scheduled_developer_bps,
            binding: row.scheduled_binding,
            from: row.scheduled_from,
          },
    bindingApprovedAt: row.binding_approved_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));

/** The agreements table: operators' terms with projects, the terms scheduled and admins' binding approvals. */
@Injectable()
export class AgreementsRepository {
  async create(manager: EntityManager, agreement: NewAgreement): Promise<Agreement> {
    return queryOne(
      manager,
      {
        name: 'agreements.create',
        row: agreementRow,
        sql: `INSERT INTO agreements (id, project_id, operator_id, developer_bps, created_by)
           VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      },
      [agreement.id, agreement.projectId, agreement.operatorId, agreement.developerBps, agreement.createdBy],
    );
  }

  /** The operator's agreement with the project, locked until the transaction ends; null when there is none. */
  async lockOfOperator(
    manager: EntityManager,
    projectId: string,
    operatorId: string,
  ): Promise<Agreement | null> {
    const [agreement] = await queryRows(
      manager,
      {
        name: 'agreements.lockOfOperator',
        row: agreementRow,
        sql: `SELECT ${COLUMNS} FROM agreements WHERE project_id = $1 AND operator_id = $2 FOR UPDATE`,
      },
      [projectId, operatorId],
    );
    return agreement ?? null;
  }

  /**
   * The project's agreement, locked until the transaction ends; null unless the project has it and the
   * organization owns the project.
   */
  async lockOfProjectOwner(
    manager: EntityManager,
    agreementId: string,
    projectId: string,
    organizationId: string,
  ): Promise<Agreement | null> {
    const [agreement] = await queryRows(
      manager,
      {
        name: 'agreements.lockOfProjectOwner',
        row: agreementRow,
        sql: `SELECT ${A_COLUMNS} FROM agreements a JOIN projects p ON p.id = a.project_id
          WHERE a.id = $1 AND a.project_id = $2 AND p.organization_id = $3 FOR UPDATE OF a`,
      },
      [agreementId, projectId, organizationId],
    );
    return agreement ?? null;
  }

  /** Null when there is no such agreement; approving twice keeps the first approval's time. */
  async approveBinding(
    manager: EntityManager,
    agreementId: string,
    approvedBy: string,
  ): Promise<Agreement | null> {
    const [agreement] = await queryRows(
      manager,
      {
        name: 'agreements.approveBinding',
        row: agreementRow,
        sql: `UPDATE agreements SET binding_approved_by = $2, binding_approved_at = coalesce(binding_approved_at, now())
        WHERE id = $1 RETURNING ${COLUMNS}`,
      },
      [agreementId, approvedBy],
    );
    return agreement ?? null;
  }

  /** The project's agreements in id order. */
  async ofProject(manager: EntityManager, projectId: string): Promise<Agreement[]> {
    return queryRows(
      manager,
      {
        name: 'agreements.ofProject',
        row: agreementRow,
        sql: `SELECT ${COLUMNS} FROM agreements WHERE project_id = $1 ORDER BY id`,
      },
      [projectId],
    );
  }

  /** Sets the terms in force and those scheduled (null: none). */
  async setTerms(
    manager: EntityManager,
    agreementId: string,
    terms: AgreementTerms,
    scheduled: Scheduled<AgreementTerms> | null,
  ): Promise<Agreement> {
    return queryOne(
      manager,
      {
        name: 'agreements.setTerms',
        row: agreementRow,
        sql: `UPDATE agreements SET developer_bps = $2, binding = $3, scheduled_developer_bps = $4, scheduled_binding = $5,
              scheduled_from = $6, updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      },
      [
        agreementId,
        terms.developerBps,
        terms.binding,
        scheduled?.developerBps ?? null,
        scheduled?.binding ?? null,
        scheduled?.from ?? null,
      ],
    );
  }

  /** Writes the scheduled terms as the ones in force and clears the schedule. */
  async settleScheduledTerms(manager: EntityManager, agreementId: string): Promise<Agreement> {
    return queryOne(
      manager,
      {
        name: 'agreements.settleScheduledTerms',
        row: agreementRow,
        sql: `UPDATE agreements SET developer_bps = scheduled_developer_bps, binding = scheduled_binding,
            scheduled_developer_bps = NULL, scheduled_binding = NULL, scheduled_from = NULL
      WHERE id = $1 RETURNING ${COLUMNS}`,
      },
      [agreementId],
    );
  }
}
