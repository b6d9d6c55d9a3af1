import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import {
  AgreementMadeV1,
  AgreementTermsScheduledV1,
  AgreementUpdatedV1,
  type CloudEvent,
  createEvent,
  uuidV7,
} from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { DataSource, type EntityManager } from 'typeorm';
import { CatalogError } from '../catalog-errors.js';
import { CATALOG_SOURCE } from '../catalog-events.js';
import { type AgreementTerms, agreementCuts, cutEffectiveFrom, scheduleDue } from '../terms/share-cuts.js';

export interface AgreementDto {
  readonly id: string;
  readonly projectId: string;
  readonly operatorId: string;
  /** The terms in force now. */
  readonly developerBps: number;
  /** Made binding by the project: its share then applies to every operator running the project. */
  readonly binding: boolean;
  /** Terms that lower another party's share wait for the next period (docs/trust-rules.md); null when none wait. */
  readonly scheduledTerms: {
    readonly developerBps: number;
    readonly binding: boolean;
    readonly effectiveFrom: string;
  } | null;
  /** A platform admin approved this operator's agreement for binding without a service of the project. */
  readonly bindingApproved: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface AgreementRow {
  id: string;
  project_id: string;
  operator_id: string;
  developer_bps: number;
  binding: boolean;
  scheduled_developer_bps: number | null;
  scheduled_binding: boolean | null;
  scheduled_from: string | null;
  binding_approved_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, project_id, operator_id, developer_bps, binding, scheduled_developer_bps, scheduled_binding,
  scheduled_from, binding_approved_at, created_at, updated_at`;
const A_COLUMNS = COLUMNS.split(',')
  .map((column) => `a.${column.trim()}`)
  .join(', ');

/**
 * Operator–project agreements. The operator offers a developer share for its services of the project;
 * the project's owners may make an agreement binding, which sets a floor for every operator. An operator
 * changing its terms ends the binding: the project must accept the new terms again.
 *
 * Nobody cuts another party's share alone (docs/trust-rules.md): a binding needs an operator that runs an active service
 * of the project (or an admin's approval), and a change that lowers another party's share (a binding on the
 * other operators, a lower share or an ended binding for the project) applies from the next period, announced
 * by AgreementTermsScheduled.
 */
@Injectable()
export class AgreementsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async offer(
    principal: Principal,
    operatorId: string,
    projectId: string,
    developerBps: number,
  ): Promise<AgreementDto> {
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const [project] = (await manager.query('SELECT 1 FROM projects WHERE id = $1', [
        projectId,
      ])) as unknown[];
      if (!project)
        throw CatalogError.invalid('unknown_project', `no such project: ${projectId}`, 'projectId');
      const [locked] = (await manager.query(
        `SELECT ${COLUMNS} FROM agreements WHERE project_id = $1 AND operator_id = $2 FOR UPDATE`,
        [projectId, operatorId],
      )) as AgreementRow[];
      if (!locked) {
        const [row] = (await manager.query(
          `INSERT INTO agreements (id, project_id, operator_id, developer_bps, created_by)
           VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
          [uuidV7(), projectId, operatorId, developerBps, principal.subject],
        )) as AgreementRow[];
        const agreement = toAgreementDto(row as AgreementRow, now);
        await this.outbox.append(manager, [createEvent(AgreementMadeV1, stateOf(agreement), CATALOG_SOURCE)]);
        return agreement;
      }
      const existing = await settleDueTerms(manager, locked, now);
      if (declaredTerms(existing).developerBps === developerBps) return toAgreementDto(existing, now);
      return this.change(manager, existing, 'operator', { developerBps, binding: false }, now);
    });
  }

  async setBinding(
    organizationId: string,
    projectId: string,
    agreementId: string,
    binding: boolean,
  ): Promise<AgreementDto> {
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const [locked] = (await manager.query(
        `SELECT ${A_COLUMNS} FROM agreements a JOIN projects p ON p.id = a.project_id
          WHERE a.id = $1 AND a.project_id = $2 AND p.organization_id = $3 FOR UPDATE OF a`,
        [agreementId, projectId, organizationId],
      )) as AgreementRow[];
      if (!locked) throw CatalogError.notFound('agreement_not_found', 'This project has no such agreement.');
      const row = await settleDueTerms(manager, locked, now);
      const declared = declaredTerms(row);
      if (declared.binding === binding) return toAgreementDto(row, now);
      if (binding) await assertMayBind(manager, row);
      return this.change(manager, row, 'project', { developerBps: declared.developerBps, binding }, now);
    });
  }

  /** A platform admin lets an operator's agreement become binding without it running a service of the project. */
  async approveBinding(principal: Principal, agreementId: string): Promise<AgreementDto> {
    const [[row]] = (await this.dataSource.query(
      `UPDATE agreements SET binding_approved_by = $2, binding_approved_at = coalesce(binding_approved_at, now())
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [agreementId, principal.subject],
    )) as [AgreementRow[], number];
    if (!row) throw CatalogError.notFound('agreement_not_found', 'No such agreement.');
    return toAgreementDto(row, new Date());
  }

  async ofProject(projectId: string): Promise<AgreementDto[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM agreements WHERE project_id = $1 ORDER BY id`,
      [projectId],
    )) as AgreementRow[];
    const now = new Date();
    return rows.map((row) => toAgreementDto(row, now));
  }

  /** Applies new terms now, or from the next period when they cut another party's share (with the notice). */
  private async change(
    manager: EntityManager,
    current: AgreementRow,
    by: 'operator' | 'project',
    wanted: AgreementTerms,
    now: Date,
  ): Promise<AgreementDto> {
    const inForce: AgreementTerms = { developerBps: current.developer_bps, binding: current.binding };
    const cuts = agreementCuts(by, inForce, wanted);
    const scheduledFrom = cuts.length > 0 ? cutEffectiveFrom(now) : null;
    const applied = scheduledFrom ? inForce : wanted;
    const [[updated]] = (await manager.query(
      `UPDATE agreements SET developer_bps = $2, binding = $3, scheduled_developer_bps = $4, scheduled_binding = $5,
              scheduled_from = $6, updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [
        current.id,
        applied.developerBps,
        applied.binding,
        scheduledFrom ? wanted.developerBps : null,
        scheduledFrom ? wanted.binding : null,
        scheduledFrom,
      ],
    )) as [AgreementRow[], number];
    const agreement = toAgreementDto(updated as AgreementRow, now);
    const events: CloudEvent[] = [
      createEvent(AgreementUpdatedV1, stateOf(agreement), { ...CATALOG_SOURCE, time: now }),
    ];
    // A new schedule is the notice of a cut; replacing or dropping one says what holds from its period instead.
    const noticeFrom = scheduledFrom ?? current.scheduled_from;
    if (noticeFrom !== null)
      events.push(
        createEvent(
          AgreementTermsScheduledV1,
          {
            agreementId: current.id,
            projectId: current.project_id,
            operatorId: current.operator_id,
            effectiveFrom: noticeFrom,
            developerBps: wanted.developerBps,
            binding: wanted.binding,
            previousDeveloperBps: inForce.developerBps,
            previousBinding: inForce.binding,
            cuts,
          },
          { ...CATALOG_SOURCE, time: now },
        ),
      );
    await this.outbox.append(manager, events);
    return agreement;
  }
}

/**
 * A binding makes every operator of the project pay its share: only an operator that runs an active service of
 * the project may set it (else a sock-puppet operator could bind everyone to 100%), unless an admin approved it.
 */
async function assertMayBind(manager: EntityManager, row: AgreementRow): Promise<void> {
  if (row.binding_approved_at !== null) return;
  const [runs] = (await manager.query(
    `SELECT 1 FROM services WHERE operator_id = $1 AND project_id = $2 AND status = 'active' LIMIT 1`,
    [row.operator_id, row.project_id],
  )) as unknown[];
  if (!runs)
    throw CatalogError.conflict(
      'operator_runs_no_service_of_project',
      'The operator of this agreement runs no active service of the project; a platform admin must approve it for binding.',
      'binding',
    );
}

/** The latest terms agreed: the scheduled ones if any wait, else those in force. */
const declaredTerms = (row: AgreementRow): AgreementTerms =>
  row.scheduled_from === null
    ? { developerBps: row.developer_bps, binding: row.binding }
    : { developerBps: row.scheduled_developer_bps as number, binding: row.scheduled_binding as boolean };

/** Terms scheduled for a period that has begun are the ones in force: write them so. */
async function settleDueTerms(manager: EntityManager, row: AgreementRow, now: Date): Promise<AgreementRow> {
  if (!scheduleDue(row.scheduled_from, now)) return row;
  const [[settled]] = (await manager.query(
    `UPDATE agreements SET developer_bps = scheduled_developer_bps, binding = scheduled_binding,
            scheduled_developer_bps = NULL, scheduled_binding = NULL, scheduled_from = NULL
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [row.id],
  )) as [AgreementRow[], number];
  return settled as AgreementRow;
}

const stateOf = (agreement: AgreementDto) => ({
  agreementId: agreement.id,
  projectId: agreement.projectId,
  operatorId: agreement.operatorId,
  developerBps: agreement.developerBps,
  binding: agreement.binding,
});

function toAgreementDto(row: AgreementRow, now: Date): AgreementDto {
  const due = scheduleDue(row.scheduled_from, now);
  return {
    id: row.id,
    projectId: row.project_id,
    operatorId: row.operator_id,
    developerBps: due ? (row.scheduled_developer_bps as number) : row.developer_bps,
    binding: due ? (row.scheduled_binding as boolean) : row.binding,
    scheduledTerms:
      row.scheduled_from === null || due
        ? null
        : {
            developerBps: row.scheduled_developer_bps as number,
            binding: row.scheduled_binding as boolean,
            effectiveFrom: row.scheduled_from,
          },
    bindingApproved: row.binding_approved_at !== null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
