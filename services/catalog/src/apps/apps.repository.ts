import { Injectable } from '@nestjs/common';
import { queryOne, queryRows, queryExists } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type AppDto } from './apps.dto.js';

export interface App extends Omit<AppDto, 'createdAt'> {
  readonly createdAt: Date;
}

export interface NewApp extends Omit<App, 'createdAt'> {
  readonly createdBy: string;
}

export interface AppPageQuery {
  /** The id the previous page ended with. */
  readonly afterId: string | null;
  /** An ILIKE pattern the name must match. */
  readonly namePattern: string | null;
}

const COLUMNS = 'id, organization_id, name, repository_url, license, description, created_at';

const appRow = z
  .object({
    id: z.string(),
    organization_id: z.string(),
    name: z.string(),
    repository_url: z.string(),
    license: z.string(),
    description: z.string(),
    created_at: z.date(),
  })
  .transform((row): App => ({
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    repositoryUrl: row.repository_url,
    license: row.license,
    description: row.description,
    createdAt: row.created_at,
  }));

/** The apps table: the open-source apps services run. */
@Injectable()
export class AppsRepository {
  /** Refused with a unique violation when an app has this name already. */
  async register(manager: EntityManager, app: NewApp): Promise<App> {
    return queryOne(
      manager,
      {
        name: 'apps.register',
        row: appRow,
        sql: `INSERT INTO apps (id, organization_id, name, repository_url, license, description, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      },
      [app.id, app.organizationId, app.name, app.repositoryUrl, app.license, app.description, app.createdBy],
    );
  }

  /** At most `limit` apps in id order. */
  async page(manager: EntityManager, query: AppPageQuery, limit: number): Promise<App[]> {
    return queryRows(
      manager,
      {
        name: 'apps.page',
        row: appRow,
        sql: `SELECT ${COLUMNS} FROM apps
        WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR name ILIKE $2)
        ORDER BY id LIMIT $3`,
      },
      [query.afterId, query.namePattern, limit],
    );
  }

  async byId(manager: EntityManager, appId: string): Promise<App | null> {
    const [app] = await queryRows(
      manager,
      { name: 'apps.byId', row: appRow, sql: `SELECT ${COLUMNS} FROM apps WHERE id = $1` },
      [appId],
    );
    return app ?? null;
  }

  async exists(manager: EntityManager, appId: string): Promise<boolean> {
    return queryExists(manager, { name: 'apps.exists', sql: 'SELECT 1 FROM apps WHERE id = $1' }, [appId]);
  }
}
