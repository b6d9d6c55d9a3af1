import { Injectable } from '@nestjs/common';
import { type MeterBound } from '@onecommons/contracts';
import { type EntityManager } from 'typeorm';

export interface CatalogMeter {
  readonly name: string;
  readonly weight: string;
  readonly unit: string;
  readonly bound: MeterBound;
}

export interface CatalogService {
  readonly serviceId: string;
  readonly operatorId: string;
  readonly status: string;
}

/** The catalog-facts feature's tables: meters and services, as catalog last announced them. */
@Injectable()
export class CatalogFactsRepository {
  async upsertMeter(manager: EntityManager, meter: CatalogMeter): Promise<void> {
    await manager.query(
      `INSERT INTO meters (name, weight, unit, bound_per, bound_max) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name) DO UPDATE SET weight = EXCLUDED.weight, unit = EXCLUDED.unit,
         bound_per = EXCLUDED.bound_per, bound_max = EXCLUDED.bound_max`,
      [meter.name, meter.weight, meter.unit, meter.bound.per, meter.bound.max],
    );
  }

  async upsertService(manager: EntityManager, service: CatalogService): Promise<void> {
    await manager.query(
      `INSERT INTO services (service_id, operator_id, status) VALUES ($1, $2, $3)
       ON CONFLICT (service_id) DO UPDATE SET operator_id = EXCLUDED.operator_id, status = EXCLUDED.status`,
      [service.serviceId, service.operatorId, service.status],
    );
  }
}
