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
import { type App, AppsRepository } from './apps.repository.js';
import { type AppDto, type RegisterAppDto } from './apps.dto.js';

@Injectable()
export class AppsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly apps: AppsRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async register(principal: Principal, organizationId: string, input: RegisterAppDto): Promise<AppDto> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const app = toAppDto(
          await this.apps.register(manager, {
            id: uuidV7(),
            organizationId,
            name: input.name,
            repositoryUrl: input.repositoryUrl,
            license: input.license,
            description: input.description,
            createdBy: principal.subject,
          }),
        );
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
    const apps = await this.apps.page(
      this.dataSource.manager,
      { afterId: decodeCursor(query.cursor), namePattern: likePattern(query.q) },
      query.limit + 1,
    );
    return pageOf(apps, query.limit, toAppDto);
  }

  async get(appId: string): Promise<AppDto> {
    const app = await this.apps.byId(this.dataSource.manager, appId);
    if (!app) throw CatalogError.notFound('app_not_found', 'No such app.');
    return toAppDto(app);
  }
}

function toAppDto(app: App): AppDto {
  return {
    id: app.id,
    organizationId: app.organizationId,
    name: app.name,
    repositoryUrl: app.repositoryUrl,
    license: app.license,
    description: app.description,
    createdAt: app.createdAt.toISOString(),
  };
}
