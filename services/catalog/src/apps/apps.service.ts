import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import { AppRegisteredV1, createEvent, uuidV7 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { isUniqueViolation } from '@onecommons/persistence';
import { decodeCursor, type Page, pageOf } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { CatalogError } from '../catalog-errors.js';
import { CATALOG_SOURCE } from '../catalog-events.js';
import { likePattern, type SearchQuery } from '../search.js';
import { type AppDto, type RegisterAppDto } from './apps.dto.js';

interface AppRow {
  id: string;
  organization_id: string;
  name: string;
  repository_url: string;
  license: string;
  description: string;
  created_at: Date;
}

const COLUMNS = 'id, organization_id, name, repository_url, license, description, created_at';

@Injectable()
export class AppsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async register(principal: Principal, organizationId: string, input: RegisterAppDto): Promise<AppDto> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const [row] = (await manager.query(
          `INSERT INTO apps (id, organization_id, name, repository_url, license, description, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
          [
            uuidV7(),
            organizationId,
            input.name,
            input.repositoryUrl,
            input.license,
            input.description,
            principal.subject,
          ],
        )) as AppRow[];
        const app = toAppDto(row as AppRow);
        await this.outbox.append(manager, [
          createEvent(
            AppRegisteredV1,
            {
              appId: app.id,
              organizationId,
              name: app.name,
              repositoryUrl: app.repositoryUrl,
              license: app.license,
            },
            CATALOG_SOURCE,
          ),
        ]);
        return app;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw CatalogError.conflict('app_name_taken', 'An app has this name.', 'name');
      throw error;
    }
  }

  async list(query: SearchQuery): Promise<Page<AppDto>> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM apps
        WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR name ILIKE $2)
        ORDER BY id LIMIT $3`,
      [decodeCursor(query.cursor), likePattern(query.q), query.limit + 1],
    )) as AppRow[];
    return pageOf(rows, query.limit, toAppDto);
  }

  async get(appId: string): Promise<AppDto> {
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM apps WHERE id = $1`, [
      appId,
    ])) as AppRow[];
    if (!row) throw CatalogError.notFound('app_not_found', 'No such app.');
    return toAppDto(row);
  }
}

function toAppDto(row: AppRow): AppDto {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    repositoryUrl: row.repository_url,
    license: row.license,
    description: row.description,
    createdAt: row.created_at.toISOString(),
  };
}
