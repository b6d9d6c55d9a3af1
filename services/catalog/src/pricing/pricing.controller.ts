import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { Authenticated, RequirePlatformRole } from '@onecommons/auth';
import { type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import {
  defaultMeterMeasure,
  isBoundPlausibleForUnit,
  meterBoundSchema,
  meterUnitSchema,
  SECONDS_UNIT,
} from '@onecommons/contracts';
import { z } from 'zod';
import { CatalogError } from '../catalog-errors.js';
import { bpsInputSchema } from '../weights.js';
import { type MeterDto, PricingService, type ServiceTypeDto } from './pricing.service.js';

const serviceTypeSchema = z.strictObject({ providerBps: bpsInputSchema, developerBps: bpsInputSchema });
const meterSchema = z.strictObject({
  weight: z
    .union([
      z
        .number()
        .int({ error: 'must be an integer' })
        .min(0, { error: 'must not be negative' })
        .max(Number.MAX_SAFE_INTEGER),
      z
        .string()
        .regex(/^(0|[1-9]\d{0,17})$/, { error: 'must be a non-negative integer of at most 18 digits' }),
    ])
    .transform(String),
  description: z.string().max(500).default(''),
  /** Left out: the documented default of `defaultMeterMeasure` (seconds for `*_seconds`, else units). */
  unit: meterUnitSchema.optional(),
  bound: z.strictObject(meterBoundSchema.shape).optional(),
});

/** A name in a path: lower-case, as the database's check constraint requires, else a 400 naming it. */
class NameParamPipe implements PipeTransform<string, string> {
  constructor(
    private readonly pattern: RegExp,
    private readonly rule: string,
  ) {}

  transform(value: string, metadata: ArgumentMetadata): string {
    if (!this.pattern.test(value))
      throw CatalogError.invalid('validation_failed', this.rule, metadata.data ?? 'name');
    return value;
  }
}

const serviceTypeName = new NameParamPipe(
  /^[a-z][a-z0-9-]{0,62}$/,
  'must be lower-case letters, digits and -',
);
const meterName = new NameParamPipe(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and _');

@Controller('v1')
export class PricingController {
  constructor(private readonly pricing: PricingService) {}

  @Put('service-types/:name')
  @RequirePlatformRole('admin')
  defineServiceType(
    @Param('name', serviceTypeName) name: string,
    @Body({ schema: serviceTypeSchema }) body: z.output<typeof serviceTypeSchema>,
  ): Promise<ServiceTypeDto> {
    return this.pricing.defineServiceType(name, body.providerBps, body.developerBps);
  }

  @Get('service-types')
  @Authenticated()
  async serviceTypes(): Promise<{ items: ServiceTypeDto[] }> {
    return { items: await this.pricing.serviceTypes() };
  }

  @Put('meters/:name')
  @RequirePlatformRole('admin')
  defineMeter(
    @Param('name', meterName) name: string,
    @Body({ schema: meterSchema }) body: z.output<typeof meterSchema>,
  ): Promise<MeterDto> {
    const measure = defaultMeterMeasure(name);
    const unit = body.unit ?? measure.unit;
    const bound = body.bound ?? measure.bound;
    if (!isBoundPlausibleForUnit(unit, bound))
      throw CatalogError.invalid(
        'implausible_bound',
        `a meter counted in ${SECONDS_UNIT}s is bounded by the period's seconds: {"per": "second", "max": "1"}`,
        'bound',
      );
    return this.pricing.defineMeter(name, {
      weight: body.weight,
      description: body.description,
      unit,
      bound,
    });
  }

  @Get('meters')
  @Authenticated()
  async meters(): Promise<{ items: MeterDto[] }> {
    return { items: await this.pricing.meters() };
  }
}
