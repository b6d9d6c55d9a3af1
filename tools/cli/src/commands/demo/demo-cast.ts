/**
 * Who and what the demo creates: fixed names, so a second run finds everything the first one made.
 * Accounts share one password; this is for a local platform only.
 */
export const DEMO_PASSWORD = 'onecommons demo password';
export const DEMO_EMAIL_DOMAIN = 'demo.onecommons.test';
export const demoEmail = (handle: string) => `${handle}@${DEMO_EMAIL_DOMAIN}`;

export const SERVICE_TYPES = [
  { name: 'web-app', providerBps: 3000, developerBps: 2000 },
  { name: 'storage', providerBps: 5000, developerBps: 1500 },
] as const;

/** Each meter's unit and the bound on one subscriber's use of one service in a month (per second of it). */
export const METERS = [
  {
    name: 'active_seconds',
    weight: '1',
    description: 'Seconds a subscriber actively used the service',
    unit: 'second',
    bound: { per: 'second', max: '1' },
  },
  {
    name: 'requests',
    weight: '1',
    description: 'Requests served on the subscriber’s behalf',
    unit: 'request',
    bound: { per: 'second', max: '100' },
  },
  {
    name: 'storage_mb_hours',
    weight: '2',
    description: 'Megabyte-hours of the subscriber’s stored data',
    unit: 'megabyte_hour',
    // At most 100 GB stored the whole month: 100,000 MB × 1 h per 3,600 s.
    bound: { per: 'second', max: '28' },
  },
] as const;

export const PROVIDERS = [1, 2, 3].map((index) => ({
  name: `Demo Provider ${index}`,
  owner: `provider-${index}`,
}));
export const OPERATORS = [1, 2, 3, 4].map((index) => ({
  name: `Demo Operator ${index}`,
  owner: `operator-${index}`,
}));
export const DEVELOPER_ORGS = [1, 2, 3].map((index) => ({
  name: `Demo Developers ${index}`,
  owner: `developer-${index}`,
}));

export interface DemoProject {
  readonly key: string;
  readonly name: string;
  /** Index into DEVELOPER_ORGS. */
  readonly org: number;
  readonly packageNames: readonly string[];
  readonly app?: { readonly name: string; readonly repositoryUrl: string; readonly license: string };
  readonly dependenciesBps: number;
  /** Handles of the accounts sharing what the project keeps, with their weights; empty: escrowed. */
  readonly members: readonly { readonly handle: string; readonly weight: number }[];
  /** Dependencies as a package.json would list them (imported), by package name. */
  readonly manifest?: {
    readonly dependencies?: Record<string, string>;
    readonly devDependencies?: Record<string, string>;
  };
}

export const PROJECTS: readonly DemoProject[] = [
  {
    key: 'wiki',
    name: 'Demo Wiki',
    org: 0,
    packageNames: ['demo-wiki'],
    app: {
      name: 'Demo Wiki',
      repositoryUrl: 'https://codeberg.org/onecommons-demo/wiki',
      license: 'AGPL-3.0-only',
    },
    dependenciesBps: 1500,
    members: [
      { handle: 'developer-1', weight: 3 },
      { handle: 'contributor-1', weight: 1 },
    ],
    manifest: {
      dependencies: { 'demo-storage-kit': '^2.1.0', marked: '^15' },
      devDependencies: { 'demo-auth-kit': '^1' },
    },
  },
  {
    key: 'chat',
    name: 'Demo Chat',
    org: 0,
    packageNames: ['demo-chat'],
    app: { name: 'Demo Chat', repositoryUrl: 'https://codeberg.org/onecommons-demo/chat', license: 'MIT' },
    dependenciesBps: 1000,
    members: [
      { handle: 'developer-1', weight: 1 },
      { handle: 'contributor-2', weight: 1 },
    ],
    manifest: { dependencies: { 'demo-auth-kit': '^1.4.0' } },
  },
  {
    key: 'photos',
    name: 'Demo Photos',
    org: 1,
    packageNames: ['demo-photos'],
    app: {
      name: 'Demo Photos',
      repositoryUrl: 'https://codeberg.org/onecommons-demo/photos',
      license: 'GPL-3.0-or-later',
    },
    dependenciesBps: 2000,
    members: [{ handle: 'developer-2', weight: 1 }],
    manifest: { dependencies: { 'demo-storage-kit': '^2', 'demo-auth-kit': '^1' } },
  },
  {
    key: 'notes',
    name: 'Demo Notes',
    org: 1,
    packageNames: ['demo-notes'],
    app: {
      name: 'Demo Notes',
      repositoryUrl: 'https://codeberg.org/onecommons-demo/notes',
      license: 'Apache-2.0 OR MIT',
    },
    dependenciesBps: 500,
    members: [
      { handle: 'developer-2', weight: 2 },
      { handle: 'contributor-3', weight: 1 },
    ],
    manifest: { devDependencies: { 'demo-auth-kit': '^1' } },
  },
  {
    key: 'storage-kit',
    name: 'Demo Storage Kit',
    org: 2,
    packageNames: ['demo-storage-kit'],
    dependenciesBps: 0,
    members: [{ handle: 'developer-3', weight: 1 }],
  },
  // Its maintainers have not registered yet: what it earns is escrowed.
  {
    key: 'auth-kit',
    name: 'Demo Auth Kit',
    org: 2,
    packageNames: ['demo-auth-kit'],
    dependenciesBps: 0,
    members: [],
  },
];

export interface DemoService {
  readonly domain: string;
  /** Index into OPERATORS. */
  readonly operator: number;
  readonly project: string;
  readonly type: string;
  readonly developerBps?: number;
}

const domainOf = (app: string, operator: number) => `${app}.operator-${operator + 1}.${DEMO_EMAIL_DOMAIN}`;

export const SERVICES: readonly DemoService[] = [
  { domain: domainOf('wiki', 0), operator: 0, project: 'wiki', type: 'web-app' },
  { domain: domainOf('chat', 0), operator: 0, project: 'chat', type: 'web-app' },
  { domain: domainOf('wiki', 1), operator: 1, project: 'wiki', type: 'web-app' },
  { domain: domainOf('photos', 1), operator: 1, project: 'photos', type: 'storage' },
  { domain: domainOf('notes', 2), operator: 2, project: 'notes', type: 'web-app' },
  { domain: domainOf('chat', 2), operator: 2, project: 'chat', type: 'web-app' },
  { domain: domainOf('photos', 3), operator: 3, project: 'photos', type: 'storage' },
  { domain: domainOf('notes', 3), operator: 3, project: 'notes', type: 'web-app', developerBps: 2500 },
];

/** What a deployment of a project's service runs: the image, and the volumes its data lives on. */
export interface DemoRun {
  readonly app: {
    readonly image: string;
    readonly version: string;
    readonly port: number;
    readonly healthPath: string;
  };
  readonly volumes: readonly { readonly name: string; readonly sizeGb: number; readonly mountPath: string }[];
}

/** Per project (the local fake clouds simulate the images; nothing is pulled). */
export const DEMO_RUNS: Readonly<Record<string, DemoRun>> = {
  wiki: {
    app: { image: 'codeberg.org/onecommons-demo/wiki', version: '1.4.2', port: 8080, healthPath: '/healthz' },
    volumes: [{ name: 'pages', sizeGb: 10, mountPath: '/var/lib/wiki' }],
  },
  chat: {
    app: {
      image: 'codeberg.org/onecommons-demo/chat',
      version: '3.0.1',
      port: 3000,
      healthPath: '/api/health',
    },
    volumes: [],
  },
  photos: {
    app: {
      image: 'codeberg.org/onecommons-demo/photos',
      version: '0.9.0',
      port: 2342,
      healthPath: '/health',
    },
    volumes: [{ name: 'library', sizeGb: 50, mountPath: '/photos' }],
  },
  notes: {
    app: { image: 'codeberg.org/onecommons-demo/notes', version: '2.2.0', port: 8000, healthPath: '/status' },
    volumes: [{ name: 'notes', sizeGb: 10, mountPath: '/data' }],
  },
};

/** Operator 2 gives the wiki more than the default, and the wiki made that binding on every operator. */
export const AGREEMENTS = [{ operator: 1, project: 'wiki', developerBps: 3000, binding: true }] as const;

export const SUBSCRIBER_COUNT = 20;
export const FREE_USER_COUNT = 5;
export const SUBSCRIPTION = { plan: 'premium', currency: 'EUR', paymentMethod: 'pm_card_visa' } as const;
