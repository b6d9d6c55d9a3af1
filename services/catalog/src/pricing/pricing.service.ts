import { Injectable } from '@nestjs/common';
import { createEvent, MeterDefinedV1, ServiceTypeDefinedV1 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { DataSource } from 'typeorm';
import { CATALOG_SOURCE } from '../catalog-events.js';

export interface ServiceTypeDto {
  readonly name: string;
  readonly providerBps: number;
  readonly developerBps: number;
  readonly updatedAt: string;
}

export interface MeterDto {
  readonly name: string;
  readonly weight: string;
  readonly description: string;
  readonly updatedAt: string;
}

/** The platform-wide terms of the allocation: service types' default shares and meters' weights. */
@Injectable()
export class PricingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async defineServiceType(name: string, providerBps: number, developerBps: number): Promise<ServiceTypeDto> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `INSERT INTO service_types (name, provider_bps, developer_bps) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET provider_bps = EXCLUDED.provider_bps,
           developer_bps = EXCLUDED.developer_bps, updated_at = now()
         RETURNING name, provider_bps, developer_bps, updated_at`,
        [name, providerBps, developerBps],
      )) as ServiceTypeRow[];
      await this.outbox.append(manager, [
        createEvent(ServiceTypeDefinedV1, { name, providerBps, developerBps }, CATALOG_SOURCE),
      ]);
      return toServiceTypeDto(row as ServiceTypeRow);
    });
  }

  async serviceTypes(): Promise<ServiceTypeDto[]> {
    const rows = (await this.dataSource.query(
      'SELECT name, provider_bps, developer_bps, updated_at FROM service_types ORDER BY name',
    )) as ServiceTypeRow[];
    return rows.map(toServiceTypeDto);
  }

  async defineMeter(name: string, weight: string, description: string): Promise<MeterDto> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `INSERT INTO meters (name, weight, description) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET weight = EXCLUDED.weight, description = EXCLUDED.description,
           updated_at = now()
         RETURNING name, weight::text AS weight, description, updated_at`,
        [name, weight, description],
      )) as MeterRow[];
      await this.outbox.append(manager, [createEvent(MeterDefinedV1, { name, weight }, CATALOG_SOURCE)]);
      return toMeterDto(row as MeterRow);
    });
  }

  async meters(): Promise<MeterDto[]> {
    const rows = (await this.dataSource.query(
      'SELECT name, weight::text AS weight, description, updated_at FROM meters ORDER BY name',
    )) as MeterRow[];
    return rows.map(toMeterDto);
  }
}

interface ServiceTypeRow {
  name: string;
  provider_bps: number;
  developer_bps: number;
  updated_at: Date;
}

interface MeterRow {
  name: string;
  weight: string;
  description: string;
  updated_at: Date;
}

const toServiceTypeDto = (row: ServiceTypeRow): ServiceTypeDto => ({
  name: row.name,
  providerBps: row.provider_bps,
  developerBps: row.developer_bps,
  updatedAt: row.updated_at.toISOString(),
});

const toMeterDto = (row: MeterRow): MeterDto => ({
  name: row.name,
  weight: row.weight,
  description: row.description,
  updatedAt: row.updated_at.toISOString(),
});
