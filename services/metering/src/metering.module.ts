import { Module } from '@nestjs/common';
import { CatalogFactsProjection } from './catalog-facts/catalog-facts.projection.js';
import { IngestController } from './ingest/ingest.controller.js';
import { UsageIngestion } from './ingest/ingestion-rules.js';
import { UsageRecorder } from './ingest/usage-recorder.js';
import { UsageController } from './usage/usage.controller.js';
import { UsageService } from './usage/usage.service.js';

@Module({
  controllers: [IngestController, UsageController],
  providers: [CatalogFactsProjection, UsageRecorder, UsageIngestion, UsageService],
})
export class MeteringModule {}
