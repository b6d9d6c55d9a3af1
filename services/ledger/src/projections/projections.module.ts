import { Module } from '@nestjs/common';
import { InputPartitions } from './input-partitions.js';
import { AllocationInputReader } from './allocation-input-reader.js';
import { CatalogProjection } from './catalog-projection.js';
import { SubscriberProjection } from './subscriber-projection.js';
import { ResourceUsageProjection } from './resource-usage-projection.js';
import { UsageProjection } from './usage-projection.js';
import { UsageWatermarkProjection } from './usage-watermark.js';

@Module({
  providers: [
    CatalogProjection,
    UsageProjection,
    UsageWatermarkProjection,
    SubscriberProjection,
    ResourceUsageProjection,
    AllocationInputReader,
    InputPartitions,
  ],
  exports: [AllocationInputReader],
})
export class ProjectionsModule {}
