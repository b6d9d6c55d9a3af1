import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import { AgreementMadeV1, AgreementUpdatedV1, createEvent, uuidV7 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { ApiError } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { CATALOG_SOURCE } from '../catalog-events.js';

export interface AgreementDto {
  readonly id: string;
  readonly projectId: string;
  readonly operatorId: string;
  readonly developerBps: number;
  /** Made binding by the project: its share then applies to every operator running the project. */
  readonly binding: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface AgreementRow {
  id: string;
  project_id: string;
  operator_id: string;
  developer_bps: number;
  binding: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, project_id, operator_id, developer_bps, binding, created_at, updated_at';

/**
 * Operator–project agreements. The operator offers a developer share for its services of the project;
 * the project's owners may make an agreement binding, which sets a floor for every operator. An operator
 * changing its terms ends the binding: the project must accept the new terms again.
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
      const [project] = (await manager.query('SELECT 1 FROM projects WHERE id = $1', [
        projectId,
      ])) as unknown[];
      if (!project)
        throw ApiError.badRequest('unknown_project', `no such project: ${projectId}`, 'projectId');
      const [existing] = (await manager.query(
        `SELECT ${COLUMNS} FROM agreements WHERE project_id = $1 AND operator_id = $2 FOR UPDATE`,
        [projectId, operatorId],
      )) as AgreementRow[];
      if (existing && existing.developer_bps === developerBps) return toAgreementDto(existing);
      const [row] = existing
        ? (
            (await manager.query(
              `UPDATE agreements SET developer_bps = $2, binding = false, updated_at = now() WHERE id = $1
             RETURNING ${COLUMNS}`,
              [existing.id, developerBps],
            )) as [AgreementRow[], number]
          )[0]
        : ((await manager.query(
            `INSERT INTO agreements (id, project_id, operator_id, developer_bps, created_by)
             VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
            [uuidV7(), projectId, operatorId, developerBps, principal.subject],
          )) as AgreementRow[]);
      const agreement = toAgreementDto(row as AgreementRow);
      await this.outbox.append(manager, [
        createEvent(existing ? AgreementUpdatedV1 : AgreementMadeV1, stateOf(agreement), CATALOG_SOURCE),
      ]);
      return agreement;
    });
  }

  async setBinding(
    organizationId: string,
    projectId: string,
    agreementId: string,
    binding: boolean,
  ): Promise<AgreementDto> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT a.${COLUMNS.split(', ').join(', a.')} FROM agreements a JOIN projects p ON p.id = a.project_id
          WHERE a.id = $1 AND a.project_id = $2 AND p.organization_id = $3 FOR UPDATE OF a`,
        [agreementId, projectId, organizationId],
      )) as AgreementRow[];
      if (!row) throw ApiError.notFound('agreement_not_found', 'This project has no such agreement.');
      if (row.binding === binding) return toAgreementDto(row);
      const [[updated]] = (await manager.query(
        `UPDATE agreements SET binding = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [agreementId, binding],
      )) as [AgreementRow[], number];
      const agreement = toAgreementDto(updated as AgreementRow);
      await this.outbox.append(manager, [
        createEvent(AgreementUpdatedV1, stateOf(agreement), CATALOG_SOURCE),
      ]);
      return agreement;
    });
  }

  async ofProject(projectId: string): Promise<AgreementDto[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM agreements WHERE project_id = $1 ORDER BY id`,
      [projectId],
    )) as AgreementRow[];
    return rows.map(toAgreementDto);
  }
}

const stateOf = (agreement: AgreementDto) => ({
  agreementId: agreement.id,
  projectId: agreement.projectId,
  operatorId: agreement.operatorId,
  developerBps: agreement.developerBps,
  binding: agreement.binding,
});

const toAgreementDto = (row: AgreementRow): AgreementDto => ({
  id: row.id,
  projectId: row.project_id,
  operatorId: row.operator_id,
  developerBps: row.developer_bps,
  binding: row.binding,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
