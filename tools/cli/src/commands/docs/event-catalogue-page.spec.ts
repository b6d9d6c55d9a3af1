import { ALL_EVENT_CONTRACTS, eventCatalogue, WEBHOOK_DELIVERABLE_EVENTS } from '@onecommons/contracts';
import { readAudienceSources, readContractSources, SourceTree } from './contract-sources.js';
import { currentText, EVENTS_PAGE, firstDifference, repositoryRoot } from './docs-pages.js';
import { EVENTS_PAGE_COMMAND, EVENTS_PAGE_PATH } from './event-catalogue-page.js';
import { eventHandlersByContract } from './event-handlers.js';
import { anchorOf } from './markdown.js';
import { describeType, jsonSchemaOf, schemaFields } from './schema-fields.js';

const root = repositoryRoot(import.meta.dirname);
const tree = new SourceTree(root, 'libs/contracts/src');
const sources = readContractSources(tree);

describe('docs/events.md', () => {
  it('is what the registered contracts give now', async () => {
    const current = currentText(root, EVENTS_PAGE);
    const wanted = await EVENTS_PAGE.render(root, current);
    if (current !== wanted) {
      throw new Error(
        `${EVENTS_PAGE_PATH} is stale: an event contract, a webhook audience or an @OnEvent handler changed.\n` +
          `Regenerate it from the repository root:\n\n` +
          `  node_modules/.bin/tsc -b tools/cli/tsconfig.json && ${EVENTS_PAGE_COMMAND}\n\n` +
          `and commit the result. First difference at ${firstDifference(current, wanted)}`,
      );
    }
  });

  it('has a section for every registered contract', async () => {
    const page = await EVENTS_PAGE.render(root, '');
    for (const contract of ALL_EVENT_CONTRACTS) {
      expect(page).toContain(`\n### ${contract.type}\n`);
      expect(page).toContain(`(#${anchorOf(contract.type)})`);
    }
  });
});

describe('the contracts’ sources', () => {
  it('are found for every registered contract, with its subject rule', () => {
    const byType = new Map(sources.map((source) => [source.type, source]));
    for (const contract of ALL_EVENT_CONTRACTS) {
      const source = byType.get(contract.type);
      expect({ type: contract.type, found: source !== undefined }).toEqual({
        type: contract.type,
        found: true,
      });
      expect(source?.subjectRule).toMatch(/data\./);
    }
  });

  it('give a field the doc comment written on it, or on the schema it uses', () => {
    const payment = sources.find((source) => source.exportName === 'PaymentCapturedV1');
    expect(payment?.fieldDocs.get('period')).toBe('The billing period this payment pays for.');
    // `amountMinorSchema.refine(…)`: the field has no comment of its own; amountMinorSchema has one.
    expect(payment?.fieldDocs.get('amountMinor')).toMatch(/^An amount in minor units as a decimal string/);
  });

  it('follow spreads, imports and arrays of objects', () => {
    const quota = sources.find((source) => source.exportName === 'QuotaWarningV1');
    // The schema is an imported constant (quota-fields.ts).
    expect(quota?.fieldDocs.get('limit')).toBe("The limit in the meter's unit, as a decimal string.");
    const subscriber = sources.find((source) => source.exportName === 'SubscriberRegisteredV1');
    expect(subscriber?.notes).toMatch(/^v1 carried the subscriber's email/);
    const roleGranted = sources.find((source) => source.exportName === 'RoleGrantedV1');
    expect(roleGranted?.subjectRule).toBe('data.organizationId ?? data.accountId');
    expect(roleGranted?.subjectComment).toMatch(/^Keyed by the organization/);
  });

  it('name the organizations of every organization-audience webhook event', () => {
    const audiences = new Map(readAudienceSources(tree).map((audience) => [audience.exportName, audience]));
    const exportOf = new Map(sources.map((source) => [source.type, source.exportName]));
    for (const { contract, audience } of WEBHOOK_DELIVERABLE_EVENTS) {
      if (audience.kind !== 'organization') continue;
      expect(audiences.get(exportOf.get(contract.type) ?? '')?.organizations).toBeDefined();
    }
    expect(audiences.get('ServiceCreatedV1')?.organizations).toBe('[data.operatorId]');
  });
});

describe('@OnEvent and @OnEventBatch handlers', () => {
  it('are read from the services’ sources', () => {
    const handlers = eventHandlersByContract(root);
    expect(handlers.get('PaymentCapturedV1')).toContain('ledger');
    expect(handlers.get('UsageRecordedV2')).toEqual(['ledger', 'metering']);
    expect(handlers.get('ServiceCreatedV1')).toEqual(
      expect.arrayContaining(['ledger', 'metering', 'provisioner']),
    );
  });
});

describe('field types', () => {
  it('read a schema the way a consumer needs it', () => {
    expect(describeType({ type: 'string', format: 'uuid', pattern: '^…$' })).toBe('uuid');
    expect(describeType({ type: 'integer', minimum: 0, maximum: 10000 })).toBe('integer 0…10000');
    expect(
      describeType({ type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    ).toBe('integer');
    expect(describeType({ anyOf: [{ type: 'string', format: 'uuid' }, { type: 'null' }] })).toBe(
      'uuid or null',
    );
    expect(describeType({ type: 'string', enum: ['a', 'b'] })).toBe('one of `a`, `b`');
    expect(describeType({ type: 'string', minLength: 1, maxLength: 255 })).toBe('string (length 1…255)');
  });

  it('flatten nested objects and arrays of objects into paths', () => {
    const usage = eventCatalogue.contractOf('onecommons.metering.usage.recorded.v1');
    if (!usage) throw new Error('usage.recorded.v1 is not registered');
    const fields = schemaFields(jsonSchemaOf(usage.schema));
    expect(fields.map((field) => field.path)).toEqual([
      'subscriberId',
      'period',
      'usage',
      'usage[].serviceId',
      'usage[].meter',
      'usage[].quantity',
      'usage[].events',
      'recordedAt',
    ]);
    expect(fields.find((field) => field.path === 'usage')?.type).toBe('array of object');
  });
});
