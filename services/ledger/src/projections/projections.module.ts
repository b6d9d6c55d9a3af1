import { Module } from '@nestjs/common';
import { InputPartitions } from './input-partitions.js';
import { AllocationInputReader } from './allocation-input-reader.js';
import { CatalogRepository } from './catalog.repository.js';
import { CatalogProjection } from './catalog-projection.js';
import { SubscriberProjection } from './subscriber-projection.js';
import { SubscribersRepository } from './subscribers.repository.js';
import { ResourceUsageProjection } from './resource-usage-projection.js';
import { UsageProjection } from './usage-projection.js';
import { UsageWatermarkProjection } from './usage-watermark.js';
import { UsageRepository } from './usage.repository.js';

@Module({
  providers: [
    CatalogRepository,
    UsageRepository,
    SubscribersRepository,
    CatalogProjection,
    UsageProjection,
    UsageWatermarkProjection,
    SubscriberProjection,
    ResourceUsageProjection,
    AllocationInputReader,
    InputPartitions,
  ],
  exports: [AllocationInputReader, UsageRepository],
})
export class ProjectionsModule {}
