import { Injectable } from '@nestjs/common';
import { createEvent, type MeterBound, MeterDefinedV2, ServiceTypeDefinedV1 } from '@onecommons/contracts';
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
  readonly unit: string;
  /** The most one subscriber's usage of one service may reach in a period: `max` per second of it, or per period. */
  readonly bound: MeterBound;
  readonly updatedAt: string;
}

export interface MeterDefinition {
  readonly weight: string;
  readonly description: string;
  readonly unit: string;
  readonly bound: MeterBound;
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

  async defineMeter(name: string, { weight, description, unit, bound }: MeterDefinition): Promise<MeterDto> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `INSERT INTO meters (name, weight, description, unit, bound_per, bound_max) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (name) DO UPDATE SET weight = EXCLUDED.weight, description = EXCLUDED.description,
           unit = EXCLUDED.unit, bound_per = EXCLUDED.bound_per, bound_max = EXCLUDED.bound_max, updated_at = now()
         RETURNING ${METER_COLUMNS}`,
        [name, weight, description, unit, bound.per, bound.max],
      )) as MeterRow[];
      await this.outbox.append(manager, [
        createEvent(MeterDefinedV2, { name, weight, unit, bound }, CATALOG_SOURCE),
      ]);
      return toMeterDto(row as MeterRow);
    });
  }

  async meters(): Promise<MeterDto[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${METER_COLUMNS} FROM meters ORDER BY name`,
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

const METER_COLUMNS =
  'name, weight::text AS weight, description, unit, bound_per, bound_max::text AS bound_max, updated_at';

interface MeterRow {
  name: string;
  weight: string;
  description: string;
  unit: string;
  bound_per: MeterBound['per'];
  bound_max: string;
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
  unit: row.unit,
  bound: { per: row.bound_per, max: row.bound_max },
  updatedAt: row.updated_at.toISOString(),
});
