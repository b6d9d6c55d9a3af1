import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { queryRows } from '@onecommons/persistence';

/** A service as identity knows it from catalog's events. */
export interface CatalogService {
  readonly operatorId: string;
  readonly status: string;
}

const catalogServiceRow = z
  .object({ operator_id: z.string(), status: z.string() })
  .transform((row): CatalogService => ({ operatorId: row.operator_id, status: row.status }));

/** The catalog_services projection: which organization operates each of catalog's services. */
@Injectable()
export class CatalogServicesRepository {
  async upsert(
    manager: EntityManager,
    service: { readonly serviceId: string; readonly operatorId: string; readonly status: string },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO catalog_services (service_id, operator_id, status) VALUES ($1, $2, $3)
     ON CONFLICT (service_id) DO UPDATE SET operator_id = EXCLUDED.operator_id, status = EXCLUDED.status`,
      [service.serviceId, service.operatorId, service.status],
    );
  }

  /** Null for a service identity has not heard of (yet). */
  async find(manager: EntityManager, serviceId: string): Promise<CatalogService | null> {
    const [service] = await queryRows(
      manager,
      {
        name: 'catalogServices.find',
        row: catalogServiceRow,
        sql: 'SELECT operator_id, status FROM catalog_services WHERE service_id = $1',
      },
      [serviceId],
    );
    return service ?? null;
  }
}
