import fc from 'fast-check';
import { type PeriodJson } from './period-fixture.js';

/** Arbitrary valid periods over small id pools, so that services, projects and accounts collide and interact. */

const bps = fc.integer({ min: 0, max: 10000 });
const amount = fc.oneof(
  fc.bigInt({ min: 0n, max: 2000n }),
  fc.bigInt({ min: 0n, max: 10n ** 12n }),
  fc.bigInt({ min: 0n, max: 10n ** 30n }),
);
const weight = fc.oneof(fc.bigInt({ min: 0n, max: 10n }), fc.bigInt({ min: 0n, max: 10n ** 22n }));
/** Integers in either JSON form: a safe number or a decimal string. */
const asJson = (value: bigint) =>
  value <= BigInt(Number.MAX_SAFE_INTEGER) && value % 2n === 0n ? Number(value) : value.toString();
const jsonAmount = amount.map(asJson);
const jsonWeight = weight.map(asJson);

const pool = (prefix: string, size: number) =>
  Array.from({ length: size }, (_, index) => `${prefix}${index}`);
const SUBSCRIBERS = pool('u', 6);
export const SERVICES = pool('s', 5);
const PROJECTS = pool('p', 5);
const OPERATORS = pool('o', 3);
const PROVIDERS = pool('pv', 3);
const ACCOUNTS = pool('a', 4);
const METERS = ['seconds', 'requests', 'gb'];

const partiesOf = <Id extends string, Weight extends string>(
  ids: readonly string[],
  idField: Id,
  weightField: Weight,
) =>
  fc
    .subarray([...ids])
    .chain((chosen) =>
      fc.tuple(...chosen.map((id) => jsonWeight.map((value) => ({ [idField]: id, [weightField]: value })))),
    ) as fc.Arbitrary<Record<Id | Weight, string | number>[]>;

export const periodArbitrary: fc.Arbitrary<PeriodJson> = fc
  .record({
    policy: fc.record(
      {
        generalFundBps: bps,
        maxDependencyDepth: fc.integer({ min: 0, max: 6 }),
        capWeightPerService: fc.option(jsonWeight, { nil: null }),
        minSubscribersPerService: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
      },
      { requiredKeys: [] },
    ),
    meters: fc.tuple(...METERS.map(() => jsonWeight)),
    serviceTypes: fc.tuple(bps, bps, bps, bps),
    subscribers: fc
      .subarray(SUBSCRIBERS)
      .chain((ids) => fc.tuple(...ids.map((id) => jsonAmount.map((tokens) => ({ id, tokens }))))),
    services: fc.subarray(SERVICES, { minLength: 1 }).chain((ids) =>
      fc.tuple(
        ...ids.map((id) =>
          fc.record({
            id: fc.constant(id),
            type: fc.constantFrom('t0', 't1'),
            operator: fc.constantFrom(...OPERATORS),
            project: fc.option(fc.constantFrom(...PROJECTS), { nil: null }),
            providerBps: fc.option(bps, { nil: null }),
            developerBps: fc.option(bps, { nil: null }),
            providers: partiesOf(PROVIDERS, 'id', 'points'),
          }),
        ),
      ),
    ),
    projects: fc.subarray(PROJECTS).chain((ids) =>
      fc.tuple(
        ...ids.map((id) =>
          fc.record({
            id: fc.constant(id),
            dependenciesBps: bps,
            dependencies: partiesOf(PROJECTS, 'project', 'weight'),
            members: partiesOf(ACCOUNTS, 'account', 'weight'),
          }),
        ),
      ),
    ),
    agreements: fc.array(
      fc.record({
        project: fc.constantFrom(...PROJECTS),
        operator: fc.constantFrom(...OPERATORS),
        developerBps: bps,
        binding: fc.boolean(),
      }),
      { maxLength: 4 },
    ),
    usageDraft: fc.array(
      fc.record({
        subscriber: fc.constantFrom(...SUBSCRIBERS, 'stranger'),
        service: fc.nat(),
        meter: fc.constantFrom(...METERS),
        quantity: jsonWeight,
      }),
      { maxLength: 25 },
    ),
  })
  .map(({ meters, serviceTypes, services, usageDraft, ...rest }) => ({
    ...rest,
    period: '2026-11',
    meters: Object.fromEntries(METERS.map((meter, index) => [meter, meters[index] as string | number])),
    serviceTypes: {
      t0: { providerBps: serviceTypes[0], developerBps: serviceTypes[1] },
      t1: { providerBps: serviceTypes[2], developerBps: serviceTypes[3] },
    },
    services,
    usage: usageDraft.map((row) => ({
      ...row,
      service: (services[row.service % services.length] as { id: string }).id,
    })),
  })) as fc.Arbitrary<PeriodJson>;
