/** The CloudEvents `type` of usage a service reports to `POST /api/metering/v1/events`. */
export const USAGE_REPORT_TYPE = 'onecommons.usage.v1' as const;
/** The CloudEvents `type` of a correction of usage reported before. */
export const USAGE_CORRECTION_TYPE = 'onecommons.usage.correction.v1' as const;

/** Usage as a reporting service sends it (CloudEvents 1.0, structured JSON); `subject` is the subscriber. */
export interface UsageReportEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: typeof USAGE_REPORT_TYPE;
  readonly subject: string;
  readonly time: string;
  readonly data: { readonly service: string; readonly meter: string; readonly quantity: number };
}
