import { Injectable } from '@nestjs/common';
import { createEvent, type MeterBound, MeterDefinedV2, ServiceTypeDefinedV1 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { DataSource } from 'typeorm';
import { CATALOG_SOURCE } from '../catalog-events.js';
import {
  type Meter,
  type MeterDefinition,
  PricingRepository,
  type ServiceType,
} from './pricing.repository.js';

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

/** The platform-wide terms of the allocation: service types' default shares and meters' weights. */
@Injectable()
export class PricingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pricing: PricingRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async defineServiceType(name: string, providerBps: number, developerBps: number): Promise<ServiceTypeDto> {
    return this.dataSource.transaction(async (manager) => {
      const serviceType = await this.pricing.defineServiceType(manager, name, { providerBps, developerBps });
      await this.outbox.append(manager, [
        createEvent(ServiceTypeDefinedV1, { name, providerBps, developerBps }, CATALOG_SOURCE),
      ]);
      return toServiceTypeDto(serviceType);
    });
  }

  async serviceTypes(): Promise<ServiceTypeDto[]> {
    const serviceTypes = await this.pricing.serviceTypes(this.dataSource.manager);
    return serviceTypes.map(toServiceTypeDto);
  }

  async defineMeter(name: string, definition: MeterDefinition): Promise<MeterDto> {
    return this.dataSource.transaction(async (manager) => {
      const meter = await this.pricing.defineMeter(manager, name, definition);
      const { weight, unit, bound } = definition;
      await this.outbox.append(manager, [
        createEvent(MeterDefinedV2, { name, weight, unit, bound }, CATALOG_SOURCE),
      ]);
      return toMeterDto(meter);
    });
  }

  async meters(): Promise<MeterDto[]> {
    const meters = await this.pricing.meters(this.dataSource.manager);
    return meters.map(toMeterDto);
  }
}

const toServiceTypeDto = (serviceType: ServiceType): ServiceTypeDto => ({
  name: serviceType.name,
  providerBps: serviceType.providerBps,
  developerBps: serviceType.developerBps,
  updatedAt: serviceType.updatedAt.toISOString(),
});

const toMeterDto = (meter: Meter): MeterDto => ({
  name: meter.name,
  weight: meter.weight.toString(),
  description: meter.description,
  unit: meter.unit,
  bound: meter.bound,
  updatedAt: meter.updatedAt.toISOString(),
});
