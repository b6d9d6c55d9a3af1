/** The state both fakes keep: servers, their actions, and time. Actions settle lazily when state is read. */
export interface FakeServer {
  readonly id: number;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  readonly size: string;
  readonly region: string;
  readonly image: string;
  readonly created: string;
  status: 'initializing' | 'running' | 'off' | 'deleting';
  /** The action running on it: mutations are refused (locked) until it ends. */
  busyWith: number | null;
}

export interface FakeAction {
  readonly id: number;
  readonly command: 'create_server' | 'delete_server';
  readonly resourceId: number;
  readonly started: string;
  readonly finishesAt: number;
  readonly outcome: 'success' | 'error';
  status: 'running' | 'success' | 'error';
  finished: string | null;
}

export class CloudState {
  readonly servers = new Map<number, FakeServer>();
  readonly actions = new Map<number, FakeAction>();
  private nextId = 1_000 + Math.floor(Math.random() * 1_000);
  /** How many upcoming actions end in `error`. */
  erroringActions = 0;

  constructor(
    private readonly now: () => number,
    readonly actionDurationMs: number,
  ) {}

  id(): number {
    return this.nextId++;
  }

  createServer(spec: Omit<FakeServer, 'id' | 'created' | 'status' | 'busyWith'>): {
    server: FakeServer;
    action: FakeAction;
  } {
    const server: FakeServer = {
      ...spec,
      id: this.id(),
      created: new Date(this.now()).toISOString(),
      status: 'initializing',
      busyWith: null,
    };
    this.servers.set(server.id, server);
    return { server, action: this.startAction('create_server', server) };
  }

  deleteServer(server: FakeServer): FakeAction {
    server.status = 'deleting';
    return this.startAction('delete_server', server);
  }

  /** Settles every action whose time has come, applying its effect on the server. */
  settle(): void {
    const now = this.now();
    for (const action of this.actions.values()) {
      if (action.status !== 'running' || action.finishesAt > now) continue;
      action.status = action.outcome;
      action.finished = new Date(now).toISOString();
      const server = this.servers.get(action.resourceId);
      if (!server) continue;
      server.busyWith = null;
      if (action.command === 'delete_server') {
        if (action.outcome === 'success') this.servers.delete(server.id);
        else server.status = 'off';
      } else server.status = action.outcome === 'success' ? 'running' : 'off';
    }
  }

  private startAction(command: FakeAction['command'], server: FakeServer): FakeAction {
    const erroring = this.erroringActions > 0;
    if (erroring) this.erroringActions--;
    const action: FakeAction = {
      id: this.id(),
      command,
      resourceId: server.id,
      started: new Date(this.now()).toISOString(),
      finishesAt: this.now() + this.actionDurationMs,
      outcome: erroring ? 'error' : 'success',
      status: 'running',
      finished: null,
    };
    this.actions.set(action.id, action);
    server.busyWith = action.id;
    return action;
  }
}
