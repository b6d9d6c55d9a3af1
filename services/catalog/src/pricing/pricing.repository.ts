import { Injectable } from '@nestjs/common';
import { meterBoundSchema, type MeterBound } from '@onecommons/contracts';
import { bigintText, queryOne, queryRows, queryExists } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

/** A service type's default shares. */
export interface ServiceTypeShares {
  readonly providerBps: number;
  readonly developerBps: number;
}

export interface ServiceType extends ServiceTypeShares {
  readonly name: string;
  readonly updatedAt: Date;
}

export interface Meter {
  readonly name: string;
  readonly weight: bigint;
  readonly description: string;
  readonly unit: string;
  readonly bound: MeterBound;
  readonly updatedAt: Date;
}

export interface MeterDefinition {
  readonly weight: string;
  readonly description: string;
  readonly unit: string;
  readonly bound: MeterBound;
}

const METER_COLUMNS =
  'name, weight::text AS weight, description, unit, bound_per, bound_max::text AS bound_max, updated_at';

const serviceTypeRow = z
  .object({
    name: z.string(),
    provider_bps: z.number().int(),
    developer_bps: z.number().int(),
    updated_at: z.date(),
  })
  .transform((row): ServiceType => ({
    name: row.name,
    providerBps: row.provider_bps,
    developerBps: row.developer_bps,
    updatedAt: row.updated_at,
  }));

const sharesRow = z.object({ providerBps: z.number().int(), developerBps: z.number().int() });

const meterRow = z
  .object({
    name: z.string(),
    weight: bigintText,
    description: z.string(),
    unit: z.string(),
    bound_per: meterBoundSchema.shape.per,
    bound_max: meterBoundSchema.shape.max,
    updated_at: z.date(),
  })
  .transform((row): Meter => ({
    name: row.name,
    weight: row.weight,
    description: row.description,
    unit: row.unit,
    bound: { per: row.bound_per, max: row.bound_max },
    updatedAt: row.updated_at,
  }));

/** The pricing feature's tables: service_types (their default shares) and meters (their weights and bounds). */
@Injectable()
export class PricingRepository {
  /** Creates the service type or replaces its shares. */
  async defineServiceType(
    manager: EntityManager,
    name: string,
    shares: ServiceTypeShares,
  ): Promise<ServiceType> {
    return queryOne(
      manager,
      {
        name: 'pricing.defineServiceType',
        row: serviceTypeRow,
        sql: `INSERT INTO service_types (name, provider_bps, developer_bps) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET provider_bps = EXCLUDED.provider_bps,
           developer_bps = EXCLUDED.developer_bps, updated_at = now()
         RETURNING name, provider_bps, developer_bps, updated_at`,
      },
      [name, shares.providerBps, shares.developerBps],
    );
  }

  /** Every service type, by name. */
  async serviceTypes(manager: EntityManager): Promise<ServiceType[]> {
    return queryRows(
      manager,
      {
        name: 'pricing.serviceTypes',
        row: serviceTypeRow,
        sql: 'SELECT name, provider_bps, developer_bps, updated_at FROM service_types ORDER BY name',
      },
      [],
    );
  }

  async serviceTypeExists(manager: EntityManager, name: string): Promise<boolean> {
    return queryExists(
      manager,
      { name: 'pricing.serviceTypeExists', sql: 'SELECT 1 FROM service_types WHERE name = $1' },
      [name],
    );
  }

  /** Null when there is no such service type. */
  async sharesOf(manager: EntityManager, serviceType: string): Promise<ServiceTypeShares | null> {
    const [shares] = await queryRows(
      manager,
      {
        name: 'pricing.sharesOf',
        row: sharesRow,
        sql: 'SELECT provider_bps AS "providerBps", developer_bps AS "developerBps" FROM service_types WHERE name = $1',
      },
      [serviceType],
    );
    return shares ?? null;
  }

  /** Creates the meter or replaces its definition. */
  async defineMeter(manager: EntityManager, name: string, meter: MeterDefinition): Promise<Meter> {
    return queryOne(
      manager,
      {
        name: 'pricing.defineMeter',
        row: meterRow,
        sql: `INSERT INTO meters (name, weight, description, unit, bound_per, bound_max) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (name) DO UPDATE SET weight = EXCLUDED.weight, description = EXCLUDED.description,
           unit = EXCLUDED.unit, bound_per = EXCLUDED.bound_per, bound_max = EXCLUDED.bound_max, updated_at = now()
         RETURNING ${METER_COLUMNS}`,
      },
      [name, meter.weight, meter.description, meter.unit, meter.bound.per, meter.bound.max],
    );
  }

  /** Every meter, by name. */
  async meters(manager: EntityManager): Promise<Meter[]> {
    return queryRows(
      manager,
      { name: 'pricing.meters', row: meterRow, sql: `SELECT ${METER_COLUMNS} FROM meters ORDER BY name` },
      [],
    );
  }
}
