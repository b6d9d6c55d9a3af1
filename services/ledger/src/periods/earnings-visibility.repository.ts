import { Injectable } from '@nestjs/common';
import { queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

const projectRow = z.object({ project_id: z.string() });

/** What earnings visibility reads of the projects projection: which organization owns a project. */
@Injectable()
export class EarningsVisibilityRepository {
  /** Those of the projects that belong to one of the organizations. */
  async ownedBy(
    manager: EntityManager,
    projectIds: readonly string[],
    organizationIds: readonly string[],
  ): Promise<string[]> {
    const rows = await queryRows(
      manager,
      {
        name: 'earningsVisibility.ownedBy',
        row: projectRow,
        sql: 'SELECT project_id FROM projects WHERE project_id = ANY($1::uuid[]) AND organization_id = ANY($2::uuid[])',
      },
      [projectIds, organizationIds],
    );
    return rows.map((row) => row.project_id);
  }
}
