import { BackboneTables1763900000000 } from './backbone-tables.migration.js';
import { ProcessedEventsAge1765310000000 } from './processed-events-age.migration.js';

/** The backbone's migrations, in order: every service lists them first, so a new one reaches them all. */
export const BACKBONE_MIGRATIONS = [BackboneTables1763900000000, ProcessedEventsAge1765310000000] as const;
