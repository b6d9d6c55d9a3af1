import { Module } from '@nestjs/common';
import { CatalogFactsProjection } from './catalog-facts/catalog-facts.projection.js';
import { CatalogFactsRepository } from './catalog-facts/catalog-facts.repository.js';
import { EntitlementsController } from './entitlements/entitlements.controller.js';
import { EntitlementsRepository } from './entitlements/entitlements.repository.js';
import { Entitlements } from './entitlements/entitlements.service.js';
import { QuotaWatcher } from './entitlements/quota-watcher.js';
import { CorrectionRecorder } from './ingest/correction-recorder.js';
import { CorrectionsRepository } from './ingest/corrections.repository.js';
import { IngestController } from './ingest/ingest.controller.js';
import { IngestRepository } from './ingest/ingest.repository.js';
import { UsageIngestion } from './ingest/ingestion-rules.js';
import { UsageRecorder } from './ingest/usage-recorder.js';
import { PeriodSealer } from './periods/period-sealer.js';
import { PeriodsRepository } from './periods/periods.repository.js';
import { UsageAnnouncements } from './periods/usage-announcements.js';
import { UsagePartitions } from './periods/usage-partitions.js';
import { UsagePartitionsRepository } from './periods/usage-partitions.repository.js';
import { UsageController } from './usage/usage.controller.js';
import { UsageRepository } from './usage/usage.repository.js';
import { UsageService } from './usage/usage.service.js';

@Module({
  controllers: [IngestController, UsageController, EntitlementsController],
  providers: [
    CatalogFactsProjection,
    CatalogFactsRepository,
    IngestRepository,
    PeriodsRepository,
    UsageAnnouncements,
    UsagePartitionsRepository,
    UsagePartitions,
    UsageRecorder,
    CorrectionsRepository,
    CorrectionRecorder,
    PeriodSealer,
    UsageIngestion,
    UsageRepository,
    UsageService,
    EntitlementsRepository,
    Entitlements,
    QuotaWatcher,
  ],
})
export class MeteringModule {}
